package bolt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"bingzhan/backend/atomicfile"
	"bingzhan/sync/county"

	bbolt "go.etcd.io/bbolt"
)

// BackupDirName is the folder inside the data folder that holds the daily backups.
const BackupDirName = "backups"

// DefaultBackupKeep is how many backups the county keeps unless told otherwise: a
// month of daily copies.
const DefaultBackupKeep = 30

// Backup file names: county-<UTC time>.db, so that names sort by age. A copy being
// written is named …db.partial and is never listed, so a crash mid-copy leaves nothing
// that looks like a backup.
const (
	backupPrefix  = "county-"
	backupSuffix  = ".db"
	partialSuffix = atomicfile.TempSuffix
	backupTime    = "20060102T150405.000000000Z"
)

// Backup implements county.BackupService: it writes a consistent copy of the database into BackupDir while the county
// keeps receiving (a read transaction sees one snapshot), then keeps only the newest
// BackupKeep copies. The copy is written under a temporary name, synced, renamed and
// its folder synced, so a file with a backup's name is always complete.
func (s *Store) Backup(ctx context.Context) (*county.BackupFile, error) {
	s.backupMu.Lock()
	defer s.backupMu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.BackupDir, 0o700); err != nil {
		return nil, fmt.Errorf("create backup folder: %w", err)
	}
	s.removePartials()
	at := s.now().UTC()
	path := filepath.Join(s.BackupDir, backupPrefix+at.Format(backupTime)+backupSuffix)
	var size int64
	err := s.db.View(func(tx *bbolt.Tx) error {
		return atomicfile.Write(path, 0o600, func(w io.Writer) (err error) {
			size, err = tx.WriteTo(w)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("backup to %s: %w", path, err)
	}
	s.pruneBackups(ctx)
	s.Logger.Info("backup written", "path", path, "bytes", size)
	return &county.BackupFile{Path: path, At: at, Size: size}, nil
}

// removePartials deletes copies a crash left half-written. Backups are made one at a
// time (backupMu, and only the process holding the database makes them), so a partial
// file seen here is never one being written.
func (s *Store) removePartials() {
	entries, err := os.ReadDir(s.BackupDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), backupPrefix) && strings.HasSuffix(e.Name(), partialSuffix) {
			p := filepath.Join(s.BackupDir, e.Name())
			if err := os.Remove(p); err == nil {
				s.Logger.Warn("removed an unfinished backup left by a crash", "path", p)
			}
		}
	}
}

// Backups implements county.BackupService: it returns the complete backups, newest first.
func (s *Store) Backups(ctx context.Context) ([]county.BackupFile, error) {
	entries, err := os.ReadDir(s.BackupDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []county.BackupFile
	for _, e := range entries {
		stamp, ok := strings.CutPrefix(e.Name(), backupPrefix)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if stamp, ok = strings.CutSuffix(stamp, backupSuffix); !ok {
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
		out = append(out, county.BackupFile{Path: filepath.Join(s.BackupDir, e.Name()), At: at, Size: size})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, nil
}

// LastBackup implements county.BackupService: it returns the newest backup, or nil when there is none.
func (s *Store) LastBackup(ctx context.Context) (*county.BackupFile, error) {
	files, err := s.Backups(ctx)
	if err != nil || len(files) == 0 {
		return nil, err
	}
	return &files[0], nil
}

func (s *Store) pruneBackups(ctx context.Context) {
	files, err := s.Backups(ctx)
	if err != nil {
		s.Logger.Warn("list backups", "err", err)
		return
	}
	if s.BackupKeep <= 0 {
		return // keep every copy
	}
	for _, f := range files[min(s.BackupKeep, len(files)):] {
		if err := os.Remove(f.Path); err != nil {
			s.Logger.Warn("remove old backup", "path", f.Path, "err", err)
		}
	}
}

// RunBackups makes a backup every interval of the store's clock until ctx ends (see
// county.RunBackups).
func (s *Store) RunBackups(ctx context.Context, interval time.Duration) {
	county.RunBackups(ctx, s.clock, s, interval, s.Logger)
}
