package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"bingzhan/backend"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// MaxExportRows bounds one export: a year of a busy station fits many times over.
const MaxExportRows = 100000

// accessRecord is an access-log entry as stored: the reason is sealed, since an admin
// may name the person in it.
type accessRecord struct {
	backend.AccessEntry
	Sealed []byte `json:"p"`
}

// UnmaskVisit returns a visit in the clear and records who saw it and why, in one
// transaction with its outbox fact.
func (s *VisitService) UnmaskVisit(ctx context.Context, id, reason, by string) (*backend.Visit, error) {
	reason, err := backend.CheckReason(reason)
	if err != nil {
		return nil, err
	}
	var out *backend.Visit
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		v, err := s.get(tx, id)
		if err != nil {
			return err
		}
		out = v
		return s.logAccess(tx, backend.AccessEntry{Action: backend.AccessUnmask, VisitID: v.ID, Serial: v.Serial, By: by, Reason: reason})
	})
	if err != nil {
		return nil, err
	}
	s.db.Logger.Info("ledger entry unmasked", "visit", id, "by", by)
	return out, nil
}

// logAccess appends an access-log entry with its outbox fact inside tx. The county
// learns who looked and when, not why: the reason may name the person.
func (s *VisitService) logAccess(tx *bolt.Tx, e backend.AccessEntry) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	e.ID, e.At = id.String(), s.db.Clock.Now().Truncate(time.Second)
	sealed, err := s.sealer.Seal(sealReason, e.ID, []byte(e.Reason))
	if err != nil {
		return err
	}
	b := tx.Bucket(bucketVisitAccess)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	rec := accessRecord{AccessEntry: e, Sealed: sealed}
	rec.Reason = ""
	if err := putJSON(b, itob(seq), &rec); err != nil {
		return err
	}
	fact := e
	fact.Reason = ""
	return s.appendFact(tx, backend.KindVisitAccessed, fact)
}

// ExportVisits returns every visit matching f, oldest first: masked, or in the clear
// when reason is given, which is then recorded in the access log first.
func (s *VisitService) ExportVisits(ctx context.Context, f backend.VisitFilter, reason, by string) ([]backend.Visit, error) {
	f.Limit, f.Offset = 1, 0
	if err := f.Validate(); err != nil {
		return nil, err
	}
	unmasked := reason != ""
	if unmasked {
		var err error
		if reason, err = backend.CheckReason(reason); err != nil {
			return nil, err
		}
	}
	ids, err := s.match(f)
	if err != nil {
		return nil, err
	}
	if len(ids) > MaxExportRows {
		return nil, backend.Errorf(backend.EINVALID, "ledger.export.too_many", MaxExportRows)
	}
	slices.Reverse(ids)
	if unmasked {
		err := s.db.db.Update(func(tx *bolt.Tx) error {
			return s.logAccess(tx, backend.AccessEntry{Action: backend.AccessExport, Count: len(ids),
				Filter: f.Describe(), By: by, Reason: reason})
		})
		if err != nil {
			return nil, err
		}
		s.db.Logger.Info("ledger exported unmasked", "rows", len(ids), "by", by)
	}
	vs, err := s.load(ids)
	if err != nil {
		return nil, err
	}
	out := make([]backend.Visit, len(vs))
	for i, v := range vs {
		if !unmasked {
			v.Mask()
		}
		out[i] = *v
	}
	return out, nil
}

// AccessLog returns up to limit access-log entries, newest first, with their reasons.
func (s *VisitService) AccessLog(ctx context.Context, limit int) ([]backend.AccessEntry, error) {
	out := []backend.AccessEntry{}
	err := s.db.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketVisitAccess).Cursor()
		for k, raw := c.Last(); k != nil && len(out) < limit; k, raw = c.Prev() {
			var r accessRecord
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("decode access entry: %w", err)
			}
			reason, err := s.sealer.Open(sealReason, r.ID, r.Sealed)
			if err != nil {
				return fmt.Errorf("open access entry %s: %w", r.ID, err)
			}
			r.Reason = string(reason)
			out = append(out, r.AccessEntry)
		}
		return nil
	})
	return out, err
}
