package bolt

import (
	"bytes"
	"context"
	"encoding/json"

	"bingzhan/sync/county"

	bbolt "go.etcd.io/bbolt"
)

// What a county moving to another store reads out of this one (bingzhan-county
// migrate). Besides Stations, which gives every station with its credentials, and
// Days, which gives its figures.

// collect decodes the JSON values of the bucket at path (a top bucket, or one nested
// in it) from key from on, while keys have prefix, skipping keys take refuses, at
// most limit of them (0: all).
func collect[T any](s *Store, path [][]byte, from, prefix []byte, take func(k []byte) bool, limit int) ([]T, error) {
	var out []T
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(path[0])
		for _, p := range path[1:] {
			if b = b.Bucket(p); b == nil {
				return nil
			}
		}
		c := b.Cursor()
		for k, v := c.Seek(from); k != nil && bytes.HasPrefix(k, prefix) && (limit == 0 || len(out) < limit); k, v = c.Next() {
			if take != nil && !take(k) {
				continue
			}
			var x T
			if err := json.Unmarshal(v, &x); err != nil {
				return err
			}
			out = append(out, x)
		}
		return nil
	})
	return out, err
}

// Users returns every county user with the hash of their PIN, by name.
func (s *Store) Users(ctx context.Context) ([]county.User, error) {
	return collect[county.User](s, [][]byte{bucketUsers}, nil, nil, nil, 0)
}

// DatasetRecords returns every imported version of every data set, each set's in
// import order; registry bodies stay sealed with the county's data key.
func (s *Store) DatasetRecords(ctx context.Context) ([]county.DatasetRecord, error) {
	// name | 0 | number → a version; name alone → the current number.
	return collect[county.DatasetRecord](s, [][]byte{bucketDatasets}, nil, nil,
		func(k []byte) bool { return bytes.IndexByte(k, 0) >= 0 }, 0)
}

// StoredEntries returns station's entries from sequence from on, in sequence order, at
// most limit of them, with the times the county received them.
func (s *Store) StoredEntries(ctx context.Context, station string, from uint64, limit int) ([]county.StoredEntry, error) {
	return collect[county.StoredEntry](s, [][]byte{bucketEntries, []byte(station)}, u64(from), nil, nil, limit)
}

// Discards returns the discard markers of station kept apart, because the sequence
// they name holds another entry.
func (s *Store) Discards(ctx context.Context, station string) ([]county.StoredEntry, error) {
	prefix := join(station, "")
	return collect[county.StoredEntry](s, [][]byte{bucketDiscards}, prefix, prefix, nil, 0)
}
