package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// purgeBatch is how many visits one purge transaction deletes, so a first purge of
// years of entries does not hold the write lock for long.
const purgeBatch = 1000

// PurgeVisits deletes the closed visits whose retention has passed — the record and
// its audit trail — and the access-log entries as old, in
// batches, each one transaction with a visit.purged fact naming the deleted ids.
// Outbox entries of a purged visit that the county has received are already gone
// (the outbox keeps only what is undelivered); those still waiting are kept, so the
// county gets the visit's facts in order before it learns of the purge. They hold no
// personal data.
func (s *VisitService) PurgeVisits(ctx context.Context) (int, error) {
	if err := s.pruneLinks(); err != nil {
		return 0, err
	}
	cutoff := backend.RetentionCutoff(s.db.Clock.Now(), s.RetentionDays)
	s.mu.RLock()
	ids := s.idx.expired(cutoff)
	s.mu.RUnlock()
	total := 0
	for start := 0; start < len(ids); start += purgeBatch {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		batch := ids[start:min(start+purgeBatch, len(ids))]
		n, err := s.purgeBatch(batch, cutoff)
		total += n
		if err != nil {
			return total, err
		}
	}
	n, err := s.purgeAccessLog(cutoff)
	if err != nil {
		return total, err
	}
	if total > 0 || n > 0 {
		s.db.Logger.Info("ledger retention purge", "visits", total, "access_entries", n, "closed_before", cutoff.Format(time.DateOnly))
	}
	return total, nil
}

func (s *VisitService) purgeBatch(ids []string, cutoff time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var deleted []string
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		deleted = deleted[:0]
		for _, id := range ids {
			raw := tx.Bucket(bucketVisits).Get([]byte(id))
			if raw == nil {
				continue
			}
			r, _, err := readRecord(id, raw)
			if err != nil {
				return err
			}
			if r.ClosedAt == 0 || !fromUnix(r.ClosedAt).Before(cutoff) {
				continue // reopened since the index was read
			}
			if err := deleteVisit(tx, id); err != nil {
				return err
			}
			deleted = append(deleted, id)
		}
		if len(deleted) == 0 {
			return nil
		}
		return s.appendFact(tx, backend.KindVisitPurged,
			backend.VisitPurgeFact{IDs: deleted, Before: cutoff.Truncate(time.Second)})
	})
	if err != nil {
		return 0, err
	}
	s.idx.remove(deleted)
	return len(deleted), nil
}

// deleteVisit deletes a visit and its audit trail. Its request and ticket links went
// two days after it was made (pruneLinks).
func deleteVisit(tx *bolt.Tx, id string) error {
	if err := tx.Bucket(bucketVisits).Delete([]byte(id)); err != nil {
		return err
	}
	prefix := []byte(id)
	c := tx.Bucket(bucketVisitAudit).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// pruneLinks deletes request and ticket links made before the day before today: a
// kiosk retries within minutes, and only today's tickets can be tied to a visit.
func (s *VisitService) pruneLinks() error {
	before := s.db.Clock.Now().In(s.db.Location).AddDate(0, 0, -1).Format(time.DateOnly)
	return s.db.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketVisitRequests, bucketVisitTickets} {
			err := deleteWhere(tx.Bucket(name), func(_, v []byte) bool { return len(v) < 10 || string(v[:10]) < before })
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// purgeAccessLog deletes access-log entries older than cutoff: they are kept as long
// as the visits they are about may be.
func (s *VisitService) purgeAccessLog(cutoff time.Time) (int, error) {
	n := 0
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		n = 0
		c := tx.Bucket(bucketVisitAccess).Cursor()
		for k, raw := c.First(); k != nil; k, raw = c.First() {
			var e backend.AccessEntry
			if err := json.Unmarshal(raw, &e); err != nil {
				return fmt.Errorf("decode access entry: %w", err)
			}
			if !e.At.Before(cutoff) {
				return nil
			}
			if err := c.Delete(); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// RunPurge purges once at start and then every interval until ctx ends; errors are
// logged and the next run tries again.
func (s *VisitService) RunPurge(ctx context.Context, interval time.Duration) {
	runEvery(ctx, s.db, interval, "ledger retention purge", func(ctx context.Context) error {
		_, err := s.PurgeVisits(ctx)
		return err
	})
}
