package county

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/atomicfile"
)

// BackupRetry is how soon a failed scheduled backup is tried again (or the interval,
// when that is shorter): a full disk fixed in the morning should not wait a day.
const BackupRetry = time.Hour

// RunBackups makes a backup with b every interval of clock until ctx ends, the first
// one at once when the newest backup is older than interval (or there is none). A
// failure is logged and tried again after BackupRetry; it never stops the server.
// Every store's backups run on this one loop; only how a copy is made differs.
func RunBackups(ctx context.Context, clock backend.Clock, b BackupService, interval time.Duration, logger *slog.Logger) {
	due := time.Duration(0)
	if last, err := b.LastBackup(ctx); err == nil && last != nil {
		if age := clock.Now().Sub(last.At); age >= 0 && age < interval {
			due = interval - age
		}
	}
	t := clock.NewTimer(due)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.Chan():
		}
		next := interval
		if _, err := b.Backup(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			next = min(BackupRetry, interval)
			logger.Error("scheduled backup failed; the county keeps running", "err", err, "retry_in", next)
		}
		t.Reset(next)
	}
}

// BackupFolder is a folder of backups named <prefix><UTC time><suffix>, so that names
// sort by age. A copy being written has atomicfile's temporary suffix after that and
// is never listed, so a crash mid-copy leaves nothing that looks like a backup. Both
// stores keep their copies this way: bbolt copies its file, PostgreSQL's pg_dump
// writes an archive.
type BackupFolder struct {
	Dir    string
	Prefix string // "county-"
	Suffix string // ".db", ".dump"
	// Keep is how many backups Prune keeps (0 or less: all).
	Keep   int
	Logger *slog.Logger
}

const backupTime = "20060102T150405.000000000Z"

// Path returns the name of a backup made at at.
func (f *BackupFolder) Path(at time.Time) string {
	return filepath.Join(f.Dir, f.Prefix+at.UTC().Format(backupTime)+f.Suffix)
}

// RemovePartials deletes copies a crash left half-written. The caller makes backups
// one at a time, so a partial file seen here is never one being written.
func (f *BackupFolder) RemovePartials() {
	entries, err := os.ReadDir(f.Dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), f.Prefix) && strings.HasSuffix(e.Name(), f.Suffix+atomicfile.TempSuffix) {
			p := filepath.Join(f.Dir, e.Name())
			if err := os.Remove(p); err == nil {
				f.Logger.Warn("removed an unfinished backup left by a crash", "path", p)
			}
		}
	}
}

// List returns the complete backups, newest first.
func (f *BackupFolder) List() ([]BackupFile, error) {
	entries, err := os.ReadDir(f.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []BackupFile
	for _, e := range entries {
		stamp, ok := strings.CutPrefix(e.Name(), f.Prefix)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if stamp, ok = strings.CutSuffix(stamp, f.Suffix); !ok {
			continue
		}
		at, err := time.Parse(backupTime, stamp)
		if err != nil {
			continue // not one of ours
		}
		var size int64
		if fi, err := e.Info(); err == nil {
			size = fi.Size()
		}
		out = append(out, BackupFile{Path: filepath.Join(f.Dir, e.Name()), At: at, Size: size})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, nil
}

// Last returns the newest backup, or nil when there is none.
func (f *BackupFolder) Last() (*BackupFile, error) {
	files, err := f.List()
	if err != nil || len(files) == 0 {
		return nil, err
	}
	return &files[0], nil
}

// Prune keeps only the newest Keep backups.
func (f *BackupFolder) Prune() {
	files, err := f.List()
	if err != nil {
		f.Logger.Warn("list backups", "err", err)
		return
	}
	if f.Keep <= 0 {
		return // keep every copy
	}
	for _, old := range files[min(f.Keep, len(files)):] {
		if err := os.Remove(old.Path); err != nil {
			f.Logger.Warn("remove old backup", "path", old.Path, "err", err)
		}
	}
}
