package bolt

import (
	"context"
	"path/filepath"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"

	bbolt "go.etcd.io/bbolt"
)

// Import implements county.Store.
func (s *Store) Import(ctx context.Context, name, filename string, data []byte, by string) (*county.DatasetInfo, error) {
	if !county.ValidDataset(name) {
		return nil, county.Errorf(backend.ENOTFOUND, "county.dataset_unknown", name)
	}
	now := s.now()
	var seq int
	if err := s.db.View(func(tx *bbolt.Tx) error {
		seq = int(btoi(tx.Bucket(bucketDatasets).Get([]byte(name)))) + 1
		return nil
	}); err != nil {
		return nil, err
	}
	in := &county.DatasetImport{Name: name, Filename: filename, Data: data,
		Version: county.DatasetVersion(now, s.location, seq), Now: now, Read: s.readSheet, Cipher: s.cipher}
	var err error
	switch name {
	case wire.RefCatalog:
		_, in.Current, err = s.CurrentDataset(ctx, wire.RefCatalog)
	case wire.RefBookings:
		in.Stations, err = s.Stations(ctx)
	}
	if err != nil {
		return nil, err
	}
	parsed, err := county.ParseDataset(in)
	if err != nil {
		return nil, err
	}
	rec := &county.DatasetRecord{Name: name, Seq: seq, ImportedAt: now.UTC(), ImportedBy: by, Source: filepath.Base(filename),
		Version: parsed.Version, Items: parsed.Items, Body: parsed.Body}
	if county.SealedDataset(name) {
		if rec.Body, err = s.cipher.Seal(name, rec.Version, rec.Body); err != nil {
			return nil, err
		}
		rec.Sealed = true
	}
	err = s.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketDatasets)
		if int(btoi(b.Get([]byte(name))))+1 != seq {
			return county.Errorf(backend.ECONFLICT, "county.dataset_race", name)
		}
		if cur, err := currentRecord(tx, name); err != nil {
			return err
		} else if cur != nil && cur.Version == rec.Version {
			return county.Errorf(backend.ECONFLICT, "county.dataset_version", name, rec.Version)
		}
		if err := putJSON(b, datasetKey(name, seq), rec); err != nil {
			return err
		}
		return b.Put([]byte(name), u64(uint64(seq)))
	})
	if err != nil {
		return nil, err
	}
	s.Logger.Info("data set imported", "name", name, "version", rec.Version, "items", rec.Items, "by", by)
	info := rec.Info()
	return &info, nil
}

func datasetKey(name string, seq int) []byte {
	return append(append([]byte(name), 0), u64(uint64(seq))...)
}

func currentRecord(tx *bbolt.Tx, name string) (*county.DatasetRecord, error) {
	b := tx.Bucket(bucketDatasets)
	seq := int(btoi(b.Get([]byte(name))))
	if seq == 0 {
		return nil, nil
	}
	var rec county.DatasetRecord
	if _, err := getJSON(b, datasetKey(name, seq), &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// CurrentDataset implements county.Store.
func (s *Store) CurrentDataset(ctx context.Context, name string) (etag string, body []byte, err error) {
	var rec *county.DatasetRecord
	err = s.db.View(func(tx *bbolt.Tx) error {
		rec, err = currentRecord(tx, name)
		return err
	})
	if err != nil || rec == nil {
		return "", nil, err
	}
	return rec.Content(s.cipher)
}

// Datasets implements county.Store.
func (s *Store) Datasets(ctx context.Context) ([]county.DatasetInfo, error) {
	var out []county.DatasetInfo
	err := s.db.View(func(tx *bbolt.Tx) error {
		for _, name := range county.DatasetNames {
			rec, err := currentRecord(tx, name)
			if err != nil {
				return err
			}
			if rec != nil {
				out = append(out, rec.Info())
			}
		}
		return nil
	})
	return out, err
}
