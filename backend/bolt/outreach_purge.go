package bolt

import (
	"bytes"
	"context"
	"time"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// DefaultOutreachRetentionDays is how long an outreach entry is kept: five years, the
// span a 台账 is usually asked for.
const DefaultOutreachRetentionDays = 1827

// PurgeOutreach deletes the entries dated before the retention, with their photos,
// signatures, audit trails and indexes, in batches, each with an outreach.purged
// fact. What they said of their household (a plaque hung, the last visit, a 喜报
// delivered) stays: an old plaque still hangs.
func (s *OutreachService) PurgeOutreach(ctx context.Context) (int, error) {
	days := s.RetentionDays
	if days == 0 {
		days = DefaultOutreachRetentionDays
	}
	if days < backend.MinRetentionDays || days > backend.MaxRetentionDays {
		return 0, backend.Errorf(backend.EINVALID, "ledger.retention", days, backend.MinRetentionDays, backend.MaxRetentionDays)
	}
	before := s.now().AddDate(0, 0, -days).Format(time.DateOnly)
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		var ids []string
		err := s.db.db.Update(func(tx *bolt.Tx) error {
			ids = ids[:0]
			day := tx.Bucket(bucketOutreachDay).Cursor()
			for k, _ := day.First(); k != nil && string(k[:10]) < before && len(ids) < purgeBatch; k, _ = day.Next() {
				ids = append(ids, string(k[10:]))
			}
			for _, id := range ids {
				if err := s.deleteEntry(tx, id); err != nil {
					return err
				}
			}
			if len(ids) == 0 {
				return nil
			}
			return s.db.appendOutbox(tx, s.stationID, backend.KindOutreachPurged, backend.OutreachPurgeFact{IDs: ids, Before: before})
		})
		if err != nil {
			return total, err
		}
		total += len(ids)
		if len(ids) < purgeBatch {
			break
		}
	}
	if total > 0 {
		s.db.Logger.Info("outreach retention purge", "entries", total, "dated_before", before)
	}
	return total, nil
}

// deleteEntry removes entry id and everything kept with it but its household's state.
func (s *OutreachService) deleteEntry(tx *bolt.Tx, id string) error {
	o, err := s.getRecord(tx, id)
	if err != nil {
		return err
	}
	for _, del := range []struct{ b, k []byte }{
		{bucketOutreach, []byte(id)},
		{bucketOutreachHH, hhKey(o)},
		{bucketOutreachDay, join([]byte(o.Date), []byte(id))},
		{bucketOutreachMedia, mediaKey(id, sealPhoto)},
		{bucketOutreachMedia, mediaKey(id, sealSignature)},
	} {
		if err := tx.Bucket(del.b).Delete(del.k); err != nil {
			return err
		}
	}
	audit := tx.Bucket(bucketOutreachAudit)
	var keys [][]byte
	c := audit.Cursor()
	for k, _ := c.Seek([]byte(id)); k != nil && bytes.HasPrefix(k, []byte(id)); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := audit.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// RunPurge runs PurgeOutreach at once and then every interval until ctx ends.
func (s *OutreachService) RunPurge(ctx context.Context, interval time.Duration) {
	runEvery(ctx, s.db, interval, "outreach retention purge", func(ctx context.Context) error {
		_, err := s.PurgeOutreach(ctx)
		return err
	})
}

// runEvery runs job at once and then every interval on db's clock until ctx ends,
// logging what fails as what.
func runEvery(ctx context.Context, db *DB, interval time.Duration, what string, job func(context.Context) error) {
	t := db.Clock.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.Chan():
			if err := job(ctx); err != nil && ctx.Err() == nil {
				db.Logger.Error(what+" failed", "err", err)
			}
			t.Reset(interval)
		}
	}
}
