package bolt

import (
	"context"
	"encoding/json"
	"fmt"

	"bingzhan/backend"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// appendOutbox adds an outbox entry inside the caller's transaction. The key is the
// bucket's sequence, which bbolt keeps even when entries are deleted, so sequences are
// never reused.
func (db *DB) appendOutbox(tx *bolt.Tx, stationID, kind string, data any) error {
	b := tx.Bucket(bucketOutbox)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s: %w", kind, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	return putJSON(b, itob(seq), &backend.OutboxEntry{
		ID: id.String(), Seq: seq, StationID: stationID, Kind: kind, At: db.Now(), Data: raw,
	})
}

// OutboxEntries returns up to limit entries with sequence ≥ from, in sequence order.
func (db *DB) OutboxEntries(ctx context.Context, from uint64, limit int) ([]backend.OutboxEntry, error) {
	var out []backend.OutboxEntry
	err := db.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.Seek(itob(from)); k != nil && len(out) < limit; k, v = c.Next() {
			var e backend.OutboxEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode outbox %d: %w", btoi(k), err)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
