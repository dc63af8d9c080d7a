package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"bingzhan/backend"
	"bingzhan/backend/atomicfile"
	"bingzhan/sync/county"
)

// Dumps is the county's BackupService on PostgreSQL: pg_dump archives in custom format
// (pg_restore reads them) in a folder, named and pruned as the bbolt county's copies
// are (county.BackupFolder). pg_dump reads one snapshot while the county keeps
// receiving. Continuous archiving, for a county that cannot lose a day, is the
// database's own business (README).
type Dumps struct {
	// URL is the database to dump.
	URL string
	// Dir holds the archives (DATA/backups); Keep is how many are kept (0: all).
	Dir  string
	Keep int
	// Clock names the archives; nil is the machine's clock.
	Clock  backend.Clock
	Logger *slog.Logger
	// PGDump is the pg_dump program; "" finds it (see Program).
	PGDump string

	mu sync.Mutex // one dump at a time from this process
}

var _ county.BackupService = (*Dumps)(nil)

func (d *Dumps) folder() *county.BackupFolder {
	logger := d.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &county.BackupFolder{Dir: d.Dir, Prefix: "county-", Suffix: ".dump", Keep: d.Keep, Logger: logger}
}

// Backup implements county.BackupService: it runs pg_dump into a temporary file that
// is synced and renamed, so a file with a backup's name is always complete, then keeps
// only the newest Keep archives.
func (d *Dumps) Backup(ctx context.Context) (*county.BackupFile, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prog := d.PGDump
	if prog == "" {
		var err error
		if prog, err = Program("pg_dump"); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create backup folder: %w", err)
	}
	folder := d.folder()
	folder.RemovePartials()
	at := backend.ClockOrSystem(d.Clock).Now().UTC()
	path := folder.Path(at)
	var stderr bytes.Buffer
	err := atomicfile.Write(path, 0o600, func(w io.Writer) error {
		cmd := exec.CommandContext(ctx, prog, "--format=custom", "--no-password", "--dbname="+d.URL)
		cmd.Stdout, cmd.Stderr = w, &stderr
		return cmd.Run()
	})
	if err != nil {
		return nil, fmt.Errorf("pg_dump to %s: %w: %s", path, err, strings.TrimSpace(stderr.String()))
	}
	folder.Prune()
	var size int64
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	folder.Logger.Info("backup written", "path", path, "bytes", size)
	return &county.BackupFile{Path: path, At: at, Size: size}, nil
}

// Backups implements county.BackupService.
func (d *Dumps) Backups(ctx context.Context) ([]county.BackupFile, error) { return d.folder().List() }

// LastBackup implements county.BackupService.
func (d *Dumps) LastBackup(ctx context.Context) (*county.BackupFile, error) { return d.folder().Last() }

// Program finds one of PostgreSQL's programs (pg_dump, pg_restore, initdb, …): on the
// PATH, else in Debian's /usr/lib/postgresql/VERSION/bin, the newest version first
// (pg_dump must be at least as new as the server it reads).
func Program(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(dir string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		return v
	}
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, dir := range dirs {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", errors.New(name + " not found: install PostgreSQL's programs (Debian: apt-get install postgresql-client)")
}
