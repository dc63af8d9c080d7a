// Package bolt is the county's Store on one bbolt file in the data folder, with its
// backups beside it. It is the only county package that imports bbolt.
package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/keys"
	"bingzhan/sync/county"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// FileName is the county database's name inside the data folder.
const FileName = "county.db"

// DataKeyFile holds the county's data key, beside the database and never inside it.
const DataKeyFile = county.DataKeyFile

// Buckets. Keys:
//
//	stations:  station id → Station (JSON)
//	entries:   one nested bucket per station id; in it seq (8 bytes) → county.StoredEntry (JSON)
//	ids:       entry id → station id | 0 | seq (8 bytes): the second permanent unique key
//	tickets:   station id | 0 | ticket id → county.TicketMarks (1 byte): what the day figures counted of it
//	daily:     station id | 0 | date → DayStats (county.EncodeDay; JSON before)
//	users:     name → User (JSON)
//	sessions:  SHA-256 of token → Session (JSON)
//	datasets:  name | 0 | import number (8 bytes) → county.DatasetRecord (JSON); name → current number
//	campaigns: station id | 0 | campaign id | 0 | part → county.Campaign (JSON), the latest report
var (
	bucketStations = []byte("stations")
	bucketEntries  = []byte("entries")
	bucketIDs      = []byte("ids")
	// bucketDiscards keeps discard markers whose sequence slot holds another entry
	// (a station restored from a backup): station\0marker id → the marker as stored.
	bucketDiscards  = []byte("discards")
	bucketTickets   = []byte("tickets")
	bucketDaily     = []byte("daily")
	bucketUsers     = []byte("users")
	bucketSessions  = []byte("sessions")
	bucketDatasets  = []byte("datasets")
	bucketCampaigns = []byte("campaigns")
	allBuckets      = [][]byte{bucketStations, bucketEntries, bucketIDs, bucketDiscards, bucketTickets, bucketDaily,
		bucketUsers, bucketSessions, bucketDatasets, bucketCampaigns}
)

// Options are what a county process sets once for its store.
type Options struct {
	// Clock stamps receive times, logins, imports and backups, and times the backup
	// loop; nil is the machine's clock.
	Clock backend.Clock
	// Logger gets the store's log; nil is slog.Default().
	Logger *slog.Logger
	// Location is the county's time zone; nil is county.DefaultLocation().
	Location *time.Location
	// ReadSheet reads imported CSV and XLSX files (backend/report.ParseSheet); nil
	// refuses sheets and takes only a catalog as JSON.
	ReadSheet county.SheetReader
}

// Store is the county database: a county.Store and county.BackupService.
type Store struct {
	db        *bbolt.DB
	path      string
	clock     backend.Clock
	location  *time.Location
	readSheet county.SheetReader
	// Logger gets the store's log.
	Logger *slog.Logger
	// BackupDir holds the consistent copies Backup makes (DATA/backups); BackupKeep is
	// how many of them are kept (0 or less: all).
	BackupDir  string
	BackupKeep int
	backupMu   sync.Mutex // one backup at a time

	// cipher seals the registry and the bookings at rest with the county's data key.
	cipher *keys.Cipher

	ingesting atomic.Int32 // pushes being stored now
	logins    county.LoginLimiter
}

var (
	_ county.Store         = (*Store)(nil)
	_ county.BackupService = (*Store)(nil)
)

// Open opens (creating if needed) the county database in dir. Returns ECONFLICT when
// another program holds it.
func Open(dir string, opt Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	path := filepath.Join(dir, FileName)
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, county.Errorf(backend.ECONFLICT, "county.store_locked", path)
	} else if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Pushes from many stations arrive together; Batch folds them into one commit.
	// A short delay keeps a lone push fast.
	db.MaxBatchDelay = 2 * time.Millisecond
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("create buckets in %s: %w", path, err)
	}
	cipher, err := county.OpenDataKey(dir)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{db: db, path: path, clock: backend.ClockOrSystem(opt.Clock), location: opt.Location, readSheet: opt.ReadSheet, Logger: opt.Logger,
		BackupDir: filepath.Join(dir, BackupDirName), BackupKeep: DefaultBackupKeep, cipher: cipher}
	if s.location == nil {
		s.location = county.DefaultLocation()
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	return s, nil
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Location returns the county's time zone.
func (s *Store) Location() *time.Location { return s.location }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) now() time.Time { return s.clock.Now() }

// update runs fn in a write transaction unless ctx is done already: a caller that
// gave up changes nothing. Reads ignore ctx, since a bbolt read cannot block on others.
func (s *Store) update(ctx context.Context, fn func(*bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(fn)
}

func putJSON(b *bbolt.Bucket, key []byte, v any) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return b.Put(key, buf)
}

func getJSON(b *bbolt.Bucket, key []byte, v any) (bool, error) {
	buf := b.Get(key)
	if buf == nil {
		return false, nil
	}
	if err := json.Unmarshal(buf, v); err != nil {
		return true, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func btoi(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// join makes a two-part key; station ids never hold a zero byte.
func join(a, b string) []byte {
	return append(append([]byte(a), 0), b...)
}
