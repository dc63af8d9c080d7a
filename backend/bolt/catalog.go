package bolt

import (
	"bytes"
	"context"
	"sync"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// The current entitlement catalog, stored whole as the county sent it. Keys:
//
//	catalog: "json"    → the catalog document (backend.CatalogFormat)
//	         "version" → its version
//
// An empty bucket means the embedded default (backend.DefaultCatalogJSON).
var bucketCatalog = newBucket("catalog")

var (
	keyCatalogJSON    = []byte("json")
	keyCatalogVersion = []byte("version")
)

// CatalogService keeps the station's current catalog. It parses a version once and
// serves it from memory: evaluation must not touch the disk.
type CatalogService struct {
	db        *DB
	stationID string

	mu         sync.Mutex
	cur        *backend.Catalog
	curVersion string // stored version cur was read for; "" for the embedded default
}

// NewCatalogService returns the catalog store of db; facts it reports carry stationID.
func NewCatalogService(db *DB, stationID string) *CatalogService {
	return &CatalogService{db: db, stationID: stationID}
}

// Catalog returns the current catalog, the embedded default if the county has sent
// none. It reads only the stored version key when its cached copy is current, so
// several CatalogService values on one file stay consistent.
func (s *CatalogService) Catalog(ctx context.Context) (*backend.Catalog, error) {
	s.mu.Lock()
	cur, curVersion := s.cur, s.curVersion
	s.mu.Unlock()
	// No lock is held inside the transaction: a writer growing the file waits for
	// readers, and must never wait for one that waits for it.
	var version, raw []byte
	err := s.db.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCatalog)
		version = bytes.Clone(b.Get(keyCatalogVersion))
		if cur == nil || curVersion != string(version) {
			raw = bytes.Clone(b.Get(keyCatalogJSON))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if cur != nil && curVersion == string(version) {
		return cur, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if raw == nil {
		raw = backend.DefaultCatalogJSON()
	}
	c, err := backend.ParseCatalog(raw)
	if err != nil {
		// Only a catalog that parsed is ever stored, so this is a damaged file or a
		// program older than the catalog's format: staff must be told, not guessed at.
		s.db.Logger.Error("stored catalog does not parse", "err", err)
		return nil, err
	}
	s.cur, s.curVersion = c, string(version)
	return c, nil
}

// ReplaceCatalog stores data as the current catalog in one transaction with its outbox
// fact, after checking it parses and carries version. The same version again is a
// no-op, so a retried download changes nothing.
func (s *CatalogService) ReplaceCatalog(ctx context.Context, version string, data []byte) error {
	c, err := backend.ParseCatalog(data)
	if err != nil {
		return err
	}
	if c.Version != version {
		return backend.Errorf(backend.EINVALID, "lookup.catalog_version", version, c.Version)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCatalog)
		if string(b.Get(keyCatalogVersion)) == version {
			return nil
		}
		changed = true
		if err := b.Put(keyCatalogJSON, data); err != nil {
			return err
		}
		if err := b.Put(keyCatalogVersion, []byte(version)); err != nil {
			return err
		}
		return s.db.appendOutbox(tx, s.stationID, backend.KindCatalogReplaced,
			backend.CatalogFact{Version: version, Entries: len(c.Entitlements)})
	})
	if err != nil {
		return err
	}
	if changed {
		s.cur, s.curVersion = c, version
		s.db.Logger.Info("catalog replaced", "version", version, "entries", len(c.Entitlements))
	}
	return nil
}
