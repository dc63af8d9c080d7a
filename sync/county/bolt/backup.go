package bolt

import (
	"context"
	"fmt"
	"io"
	"os"
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

// Backup files are county-<UTC time>.db in BackupDir (see county.BackupFolder).
func (s *Store) backups() *county.BackupFolder {
	return &county.BackupFolder{Dir: s.BackupDir, Prefix: "county-", Suffix: ".db", Keep: s.BackupKeep, Logger: s.Logger}
}

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
	folder := s.backups()
	folder.RemovePartials()
	at := s.now().UTC()
	path := folder.Path(at)
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
	folder.Prune()
	s.Logger.Info("backup written", "path", path, "bytes", size)
	return &county.BackupFile{Path: path, At: at, Size: size}, nil
}

// Backups implements county.BackupService: it returns the complete backups, newest first.
func (s *Store) Backups(ctx context.Context) ([]county.BackupFile, error) { return s.backups().List() }

// LastBackup implements county.BackupService: it returns the newest backup, or nil when there is none.
func (s *Store) LastBackup(ctx context.Context) (*county.BackupFile, error) {
	return s.backups().Last()
}

// RunBackups makes a backup every interval of the store's clock until ctx ends (see
// county.RunBackups).
func (s *Store) RunBackups(ctx context.Context, interval time.Duration) {
	county.RunBackups(ctx, s.clock, s, interval, s.Logger)
}
