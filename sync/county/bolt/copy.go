package bolt

import (
	"context"
	"encoding/json"
	"strings"

	"bingzhan/sync/county"

	bbolt "go.etcd.io/bbolt"
)

// What a county moving to another store reads out of this one (bingzhan-county
// migrate). Besides Stations, which gives every station with its credentials.

// Users returns every county user with the hash of their PIN, by name.
func (s *Store) Users(ctx context.Context) ([]county.User, error) {
	var out []county.User
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
			var u county.User
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			out = append(out, u)
			return nil
		})
	})
	return out, err
}

// DatasetRecords returns every imported version of every data set, each set's in
// import order; registry bodies stay sealed with the county's data key.
func (s *Store) DatasetRecords(ctx context.Context) ([]county.DatasetRecord, error) {
	var out []county.DatasetRecord
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketDatasets).ForEach(func(k, v []byte) error {
			if !strings.ContainsRune(string(k), 0) {
				return nil // name → current number
			}
			var r county.DatasetRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// StoredEntries returns station's entries from sequence from on, in sequence order, at
// most limit of them, with the times the county received them.
func (s *Store) StoredEntries(ctx context.Context, station string, from uint64, limit int) ([]county.StoredEntry, error) {
	var out []county.StoredEntry
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketEntries).Bucket([]byte(station))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(u64(from)); k != nil && len(out) < limit; k, v = c.Next() {
			var e county.StoredEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// Discards returns the discard markers of station kept apart, because the sequence
// they name holds another entry.
func (s *Store) Discards(ctx context.Context, station string) ([]county.StoredEntry, error) {
	var out []county.StoredEntry
	prefix := join(station, "")
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketDiscards).Cursor()
		for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
			var e county.StoredEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
