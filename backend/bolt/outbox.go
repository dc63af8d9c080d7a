package bolt

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"bingzhan/backend"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// The outbox (待同步) and its dead letters. Keys:
//
//	outbox:      seq (8 bytes) → backend.OutboxEntry (JSON), sent to the county in order
//	outbox_dead: seq (8 bytes) → backend.DeadLetter (JSON), refused by the county
//	sync:        "outbox_n" → number of entries in outbox (8 bytes), kept with every
//	             change so the backlog is known without walking it
var (
	bucketDead   = newBucket("outbox_dead")
	keyOutboxLen = []byte("outbox_n")
)

// appendOutbox adds an outbox entry inside the caller's transaction. The key is the
// bucket's sequence, which bbolt keeps even when entries are deleted, so sequences are
// never reused; a rolled-back transaction takes its sequence back with it, so they have
// no gaps either. After the commit, OnOutbox nudges the sync agent.
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
	err = putJSON(b, itob(seq), &backend.OutboxEntry{
		ID: id.String(), Seq: seq, StationID: stationID, Kind: kind, At: db.Clock.Now(), Data: raw,
	})
	if err != nil {
		return err
	}
	if err := addOutboxLen(tx, 1); err != nil {
		return err
	}
	db.nudgeOnCommit(tx)
	return nil
}

// nudgeOnCommit calls OnOutbox once tx has committed (never for a rolled-back one).
func (db *DB) nudgeOnCommit(tx *bolt.Tx) {
	if db.OnOutbox != nil {
		tx.OnCommit(db.OnOutbox)
	}
}

// outboxLen returns the number of outbox entries, counting them once if the count was
// never kept (a file from before the count existed).
func outboxLen(tx *bolt.Tx) (int, error) {
	if v := tx.Bucket(bucketSync).Get(keyOutboxLen); v != nil {
		return int(btoi(v)), nil
	}
	n := tx.Bucket(bucketOutbox).Stats().KeyN
	if tx.Writable() {
		return n, tx.Bucket(bucketSync).Put(keyOutboxLen, itob(uint64(n)))
	}
	return n, nil
}

func addOutboxLen(tx *bolt.Tx, delta int) error {
	n, err := outboxLen(tx)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketSync).Put(keyOutboxLen, itob(uint64(max(n+delta, 0))))
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

// OutboxBatch copies the oldest entries with a sequence above after out of one short
// read transaction: at most maxEntries, and no more than maxBytes of them unless the
// first alone is larger. A long read transaction would keep bbolt from growing the
// file while staff work.
func (db *DB) OutboxBatch(ctx context.Context, after uint64, maxEntries, maxBytes int) ([]backend.PendingEntry, error) {
	var out []backend.PendingEntry
	err := db.db.View(func(tx *bolt.Tx) error {
		size := 0
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.Seek(itob(after + 1)); k != nil && len(out) < maxEntries; k, v = c.Next() {
			if len(out) > 0 && size+len(v) > maxBytes {
				break
			}
			size += len(v)
			out = append(out, backend.PendingEntry{Seq: btoi(k), JSON: bytes.Clone(v)})
		}
		return nil
	})
	return out, err
}

// OutboxStats returns the backlog: how many entries wait, since when, and how many
// dead letters wait for staff.
func (db *DB) OutboxStats(ctx context.Context) (backend.OutboxStats, error) {
	var st backend.OutboxStats
	err := db.db.View(func(tx *bolt.Tx) error {
		var err error
		if st.Pending, err = outboxLen(tx); err != nil {
			return err
		}
		if _, v := tx.Bucket(bucketOutbox).Cursor().First(); v != nil {
			var e struct {
				At time.Time `json:"at"`
			}
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode oldest outbox entry: %w", err)
			}
			st.OldestPending = &e.At
		}
		st.DeadLetters = tx.Bucket(bucketDead).Stats().KeyN
		return nil
	})
	return st, err
}

// ApplyPush records an answered push in one transaction: entries the county holds are
// deleted, refused ones move to the dead letters, and the success is noted.
func (db *DB) ApplyPush(ctx context.Context, out backend.PushOutcome) error {
	return db.db.Update(func(tx *bolt.Tx) error {
		ob, dead := tx.Bucket(bucketOutbox), tx.Bucket(bucketDead)
		removed := 0
		for _, seq := range out.Done {
			k := itob(seq)
			if ob.Get(k) == nil {
				continue // answered twice (a retried push): gone already
			}
			if err := ob.Delete(k); err != nil {
				return err
			}
			removed++
		}
		for _, r := range out.Rejected {
			k := itob(r.Seq)
			v := ob.Get(k)
			if v == nil {
				continue
			}
			dl := backend.DeadLetter{Code: r.Code, Message: r.Message, RejectedAt: out.At}
			if err := json.Unmarshal(v, &dl.Entry); err != nil {
				return fmt.Errorf("decode outbox %d: %w", r.Seq, err)
			}
			if err := putJSON(dead, k, &dl); err != nil {
				return err
			}
			if err := ob.Delete(k); err != nil {
				return err
			}
			removed++
			db.Logger.Warn("county refused an outbox entry; kept as a dead letter",
				"seq", r.Seq, "kind", dl.Entry.Kind, "code", r.Code, "reason", r.Message)
		}
		if err := addOutboxLen(tx, -removed); err != nil {
			return err
		}
		if err := db.renumber(tx, out.Misplaced, out.Highest); err != nil {
			return err
		}
		return updateSyncState(tx, func(s *backend.SyncState) {
			at := out.At
			s.LastAttempt, s.LastSuccess = &at, &at
			s.LastError, s.LastErrorAt, s.FailingSince = nil, nil, nil
			s.Contiguous = out.Contiguous // the county's latest word, lower after it was restored from a backup
			if out.County != "" {
				s.County = out.County
			}
		})
	})
}

// renumber moves the entries the county refused only for their sequence to new
// sequences above both the county's highest and every sequence this station has made,
// in their old order, keeping their ids, and moves the outbox sequence past them, so
// new facts follow. The county holds none of them (it said so in the answer being
// applied, and no other push is out), and it holds nothing above highest, so each
// entry arrives exactly once. An entry whose id differs from the one sent (replaced
// meanwhile) is left alone. It runs inside ApplyPush's transaction.
func (db *DB) renumber(tx *bolt.Tx, misplaced []backend.Misplaced, highest uint64) error {
	if len(misplaced) == 0 {
		return nil
	}
	misplaced = slices.Clone(misplaced)
	slices.SortFunc(misplaced, func(a, b backend.Misplaced) int { return cmp.Compare(a.Seq, b.Seq) })
	ob := tx.Bucket(bucketOutbox)
	next := max(highest, ob.Sequence())
	first, moved := next+1, 0
	for _, m := range misplaced {
		k := itob(m.Seq)
		v := ob.Get(k)
		if v == nil {
			continue
		}
		var e backend.OutboxEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decode outbox %d: %w", m.Seq, err)
		}
		if e.ID != m.ID {
			continue
		}
		next++
		e.Seq = next
		if err := ob.Delete(k); err != nil {
			return err
		}
		if err := putJSON(ob, itob(next), &e); err != nil {
			return err
		}
		moved++
	}
	if moved == 0 {
		return nil
	}
	if err := ob.SetSequence(next); err != nil {
		return err
	}
	db.Logger.Warn("county holds other records under some outbox sequences (station restored from a backup?); renumbered them",
		"entries", moved, "county_highest", highest, "from", first, "to", next)
	return nil
}

// DeadLetters returns the entries the county refused, oldest first.
func (db *DB) DeadLetters(ctx context.Context) ([]backend.DeadLetter, error) {
	var out []backend.DeadLetter
	err := db.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDead).ForEach(func(k, v []byte) error {
			var dl backend.DeadLetter
			if err := json.Unmarshal(v, &dl); err != nil {
				return fmt.Errorf("decode dead letter %d: %w", btoi(k), err)
			}
			out = append(out, dl)
			return nil
		})
	})
	return out, err
}

// takeDeadLetter removes the dead letter seq inside tx and returns it.
func takeDeadLetter(tx *bolt.Tx, seq uint64) (*backend.DeadLetter, error) {
	dead := tx.Bucket(bucketDead)
	var dl backend.DeadLetter
	if ok, err := getJSON(dead, itob(seq), &dl); err != nil {
		return nil, err
	} else if !ok {
		return nil, backend.Errorf(backend.ENOTFOUND, "sync.dead_not_found", fmt.Sprint(seq))
	}
	return &dl, dead.Delete(itob(seq))
}

// RetryDeadLetter puts dead letter seq back into the outbox under its own sequence,
// for the next push.
func (db *DB) RetryDeadLetter(ctx context.Context, seq uint64) error {
	return db.db.Update(func(tx *bolt.Tx) error {
		dl, err := takeDeadLetter(tx, seq)
		if err != nil {
			return err
		}
		if err := putJSON(tx.Bucket(bucketOutbox), itob(seq), &dl.Entry); err != nil {
			return err
		}
		db.nudgeOnCommit(tx)
		return addOutboxLen(tx, 1)
	})
}

// DiscardDeadLetter drops dead letter seq. In its place the outbox gets a marker
// under the same sequence that tells the county which entry was dropped, why and by
// whom: nothing disappears silently, and the county's sequence has no hole.
func (db *DB) DiscardDeadLetter(ctx context.Context, seq uint64, reason, by string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 200 {
		return backend.Errorf(backend.EINVALID, "sync.discard_reason")
	}
	return db.db.Update(func(tx *bolt.Tx) error {
		dl, err := takeDeadLetter(tx, seq)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(backend.DiscardedFact{
			DiscardedID: dl.Entry.ID, DiscardedKind: dl.Entry.Kind, Code: dl.Code, Reason: reason, By: by,
		})
		if err != nil {
			return err
		}
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		marker := backend.OutboxEntry{ID: id.String(), Seq: seq, StationID: dl.Entry.StationID,
			Kind: backend.KindSyncDiscarded, At: db.Clock.Now(), Data: raw}
		if err := putJSON(tx.Bucket(bucketOutbox), itob(seq), &marker); err != nil {
			return err
		}
		db.Logger.Info("dead letter discarded", "seq", seq, "kind", dl.Entry.Kind, "by", by)
		db.nudgeOnCommit(tx)
		return addOutboxLen(tx, 1)
	})
}

// AppendFacts records facts that have no record of their own on the station (such as
// the station joining its county) as outbox entries of one kind, in one transaction.
func (db *DB) AppendFacts(ctx context.Context, stationID, kind string, facts ...any) error {
	return db.db.Update(func(tx *bolt.Tx) error {
		for _, f := range facts {
			if err := db.appendOutbox(tx, stationID, kind, f); err != nil {
				return err
			}
		}
		return nil
	})
}
