// Package bolt keeps the station's records in one bbolt file. Every user action is one
// read-write transaction that also appends its outbox entry, so a crash at any moment
// leaves either the whole action or none of it.
package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/atomicfile"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// FileName is the station database's name inside the data folder.
const FileName = "bingzhan.db"

// SchemaVersion is the layout this code reads and writes. Each step up has a migration
// in migrations, run inside one transaction after a backup.
const SchemaVersion = 2

// buckets lists every top-level bucket; Open creates those missing, so an area of the
// station that adds a bucket needs no migration for it.
var buckets [][]byte

// newBucket registers a top-level bucket name. Keys inside are documented where they
// are written.
func newBucket(name string) []byte {
	b := []byte(name)
	buckets = append(buckets, b)
	return b
}

var (
	bucketMeta     = newBucket("meta")
	bucketServices = newBucket("services")
	bucketTickets  = newBucket("tickets")
	bucketDayCount = newBucket("daycount")
	bucketWaiting  = newBucket("waiting")
	bucketOpen     = newBucket("open")
	bucketRequests = newBucket("requests")
	bucketOutbox   = newBucket("outbox")
)

var keySchema = []byte("schema")

// migrations[i] takes the file from schema i to i+1.
var migrations = []func(tx *bolt.Tx) error{
	migrateInit,
	migrateWaitingRanks,
}

// DB is the station database.
type DB struct {
	db     *bolt.DB
	path   string
	Logger *slog.Logger

	// Clock is where the store reads the time and waits: ticket times, days, session
	// expiry, retention, backup names, and the timers of the run loops (RunBackups,
	// RunRollover, RunPurge). NewDB sets the machine's; tests set a fake and move it
	// to cross midnight or a retention period in milliseconds. Set it before Open.
	Clock backend.Clock
	// Location is the station's time zone: days and numbers follow its midnight.
	Location *time.Location
	// BackupDir holds the consistent copies made by Backup; BackupKeep is how many.
	BackupDir  string
	BackupKeep int
	// OnOutbox, when set, is called after each commit that added outbox entries: the
	// sync agent's nudge. It must not block. Set it before the store is used.
	OnOutbox func()
}

// NewDB returns a DB for the file FileName in dir; call Open before use.
func NewDB(dir string) *DB {
	return &DB{
		path:       filepath.Join(dir, FileName),
		Logger:     slog.Default(),
		Clock:      backend.SystemClock(),
		Location:   time.Local,
		BackupDir:  filepath.Join(dir, "backups"),
		BackupKeep: 14,
	}
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Open opens the file, failing within a second if another program holds it, checks its
// integrity, and brings its schema up to date (backing it up first).
func (db *DB) Open() error {
	db.Clock = backend.ClockOrSystem(db.Clock)
	if err := os.MkdirAll(filepath.Dir(db.path), 0o700); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	b, err := db.openFile()
	if errors.Is(err, bolterrors.ErrTimeout) {
		return backend.Errorf(backend.ECONFLICT, "store_locked", filepath.Dir(db.path))
	} else if err != nil {
		return fmt.Errorf("open %s: %w", db.path, err)
	}
	db.db = b
	if err := db.guard(db.check); err != nil {
		db.db.Close()
		return err
	}
	if err := db.migrate(); err != nil {
		db.db.Close()
		return err
	}
	return nil
}

// openFile opens the bbolt file, turning the panic bbolt raises on some damaged files
// into the error that tells staff to restore a backup.
func (db *DB) openFile() (b *bolt.DB, err error) {
	err = db.guard(func() error {
		// NoFreelistSync would save a page write per commit, but bbolt then rebuilds
		// the freelist in a goroutine of its own at open, where a damaged file panics
		// beyond recovery instead of giving staff the "restore a backup" message.
		b, err = bolt.Open(db.path, 0o600, &bolt.Options{Timeout: time.Second})
		return err
	})
	return b, err
}

// guard runs fn and reports a panic inside it as a damaged file.
func (db *DB) guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			db.Logger.Error("database file damaged", "file", db.path, "panic", fmt.Sprint(r))
			err = backend.Errorf(backend.EINTERNAL, "store_corrupt", db.path)
		}
	}()
	return fn()
}

// Close closes the file.
func (db *DB) Close() error {
	if db.db == nil {
		return nil
	}
	return db.db.Close()
}

// check walks every page of the file. bbolt's copy-on-write design makes torn writes
// impossible, but a disk can still rot; finding out at start beats finding out mid-day.
func (db *DB) check() error {
	return db.db.View(func(tx *bolt.Tx) error {
		var problems []string
		for err := range tx.Check() {
			problems = append(problems, err.Error())
		}
		if len(problems) > 0 {
			db.Logger.Error("integrity check failed", "file", db.path, "problems", len(problems), "first", problems[0])
			return backend.Errorf(backend.EINTERNAL, "store_corrupt", db.path)
		}
		return nil
	})
}

func (db *DB) schema() (int, error) {
	v := 0
	err := db.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketMeta); b != nil {
			v = int(btoi(b.Get(keySchema)))
		}
		return nil
	})
	return v, err
}

func (db *DB) migrate() error {
	v, err := db.schema()
	if err != nil {
		return err
	}
	if v > SchemaVersion {
		return backend.Errorf(backend.ECONFLICT, "store_too_new", v, SchemaVersion)
	}
	if v == SchemaVersion {
		return db.db.Update(createBuckets)
	}
	if v > 0 {
		if _, err := db.Backup(context.Background()); err != nil {
			return fmt.Errorf("backup before migration: %w", err)
		}
	}
	return db.db.Update(func(tx *bolt.Tx) error {
		if err := createBuckets(tx); err != nil {
			return err
		}
		for ; v < SchemaVersion; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, itob(SchemaVersion))
	})
}

// createBuckets makes every registered bucket that does not exist yet.
func createBuckets(tx *bolt.Tx) error {
	for _, name := range buckets {
		if tx.Bucket(name) != nil {
			continue
		}
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// migrateInit fills a fresh station with its default services.
func migrateInit(tx *bolt.Tx) error {
	services, err := backend.DefaultServices()
	if err != nil {
		return err
	}
	for i := range services {
		if err := putJSON(tx.Bucket(bucketServices), []byte(services[i].Letter), &services[i]); err != nil {
			return err
		}
	}
	return nil
}

// migrateWaitingRanks moves walk-in tickets in the waiting index from rank 1 to rank
// 2, making room for booked tickets between them and priority (waitingKey).
func migrateWaitingRanks(tx *bolt.Tx) error {
	w := tx.Bucket(bucketWaiting)
	var moves [][2][]byte
	if err := w.ForEach(func(k, v []byte) error {
		if len(k) == 20 && k[11] == 1 {
			moves = append(moves, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
		}
		return nil
	}); err != nil {
		return err
	}
	for _, m := range moves {
		if err := w.Delete(m[0]); err != nil {
			return err
		}
		m[0][11] = rankWalkIn
		if err := w.Put(m[0], m[1]); err != nil {
			return err
		}
	}
	return nil
}

// Backup writes a consistent copy of the file into BackupDir while the station keeps
// working (a read transaction sees one snapshot), then keeps only the newest BackupKeep
// copies. It returns the new copy's path.
func (db *DB) Backup(ctx context.Context) (string, error) {
	if err := os.MkdirAll(db.BackupDir, 0o700); err != nil {
		return "", fmt.Errorf("create backup folder: %w", err)
	}
	name := "bingzhan-" + db.Clock.Now().UTC().Format("20060102T150405.000000000Z") + ".db"
	path := filepath.Join(db.BackupDir, name)
	err := db.db.View(func(tx *bolt.Tx) error {
		return atomicfile.Write(path, 0o600, func(w io.Writer) error {
			_, err := tx.WriteTo(w)
			return err
		})
	})
	if err != nil {
		return "", fmt.Errorf("backup to %s: %w", path, err)
	}
	db.pruneBackups()
	db.Logger.Info("backup written", "path", path)
	return path, nil
}

// Backups returns the backup files, newest first.
func (db *DB) Backups() ([]string, error) {
	entries, err := os.ReadDir(db.BackupDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "bingzhan-") && strings.HasSuffix(e.Name(), ".db") {
			out = append(out, filepath.Join(db.BackupDir, e.Name()))
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out, nil
}

func (db *DB) pruneBackups() {
	files, err := db.Backups()
	if err != nil {
		db.Logger.Warn("list backups", "err", err)
		return
	}
	for i := db.BackupKeep; i < len(files); i++ {
		if err := os.Remove(files[i]); err != nil {
			db.Logger.Warn("remove old backup", "path", files[i], "err", err)
		}
	}
}

// RunBackups makes a backup every interval (and one at once if the newest is older than
// that) until ctx ends.
func (db *DB) RunBackups(ctx context.Context, interval time.Duration) {
	due := time.Duration(0)
	if files, _ := db.Backups(); len(files) > 0 {
		if fi, err := os.Stat(files[0]); err == nil {
			if age := db.Clock.Since(fi.ModTime()); age < interval {
				due = interval - age
			}
		}
	}
	t := db.Clock.NewTimer(due)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.Chan():
			if _, err := db.Backup(ctx); err != nil {
				db.Logger.Error("scheduled backup failed", "err", err)
			}
			t.Reset(interval)
		}
	}
}

// today returns the station-local date of now.
func (db *DB) today() string {
	return db.Clock.Now().In(db.Location).Format("2006-01-02")
}
