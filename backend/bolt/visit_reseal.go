package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Reseal re-seals, for a key rotation, every visit's personal fields and every
// access-log reason not sealed under the sealer's current key (they open under either
// key while the rotation is unfinished). It works in transactions of resealBatch
// records, so an interruption keeps what is done and a second run finishes the rest;
// only the sealed part of a record changes, so versions, audit trails and the outbox
// stay as they are (the records say the same). progress, when set, is told how many
// are done. It returns the number re-sealed.
func (s *VisitService) Reseal(ctx context.Context, progress func(done int)) (int, error) {
	ring, ok := s.sealer.(keyRing)
	if !ok {
		return 0, fmt.Errorf("reseal the ledger: the sealer does not name its keys")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	done := 0
	for _, b := range []struct {
		name   []byte
		reseal func(k, v []byte) ([]byte, error)
	}{
		{bucketVisits, func(k, v []byte) ([]byte, error) {
			_, sealed, err := readRecord(string(k), v)
			if err != nil || ring.Current(sealed) {
				return nil, err
			}
			plain, err := s.sealer.Open(sealVisit, string(k), sealed)
			if err != nil {
				return nil, fmt.Errorf("open visit %s: %w", k, err)
			}
			again, err := s.sealer.Seal(sealVisit, string(k), plain)
			if err != nil {
				return nil, err
			}
			return append(bytes.Clone(v[:len(v)-len(sealed)]), again...), nil
		}},
		{bucketVisitAccess, func(k, v []byte) ([]byte, error) {
			var r accessRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return nil, fmt.Errorf("decode access entry: %w", err)
			}
			if ring.Current(r.Sealed) {
				return nil, nil
			}
			reason, err := s.sealer.Open(sealReason, r.ID, r.Sealed)
			if err != nil {
				return nil, fmt.Errorf("open access entry %s: %w", r.ID, err)
			}
			if r.Sealed, err = s.sealer.Seal(sealReason, r.ID, reason); err != nil {
				return nil, err
			}
			return json.Marshal(&r)
		}},
	} {
		var err error
		done, err = resealInBatches(ctx, "ledger", done, progress, func(after []byte) (int, []byte, error) {
			return resealRecords(s.db, b.name, after, b.reseal)
		})
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// Stale returns how many visits and access-log entries are not sealed under the
// sealer's current key: what a key rotation has left to do. Zero once it is done.
func (s *VisitService) Stale(ctx context.Context) (int, error) {
	ring, ok := s.sealer.(keyRing)
	if !ok {
		return 0, fmt.Errorf("the sealer does not name its keys")
	}
	n := 0
	err := s.db.db.View(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketVisits).ForEach(func(k, v []byte) error {
			_, sealed, err := readRecord(string(k), v)
			if err == nil && !ring.Current(sealed) {
				n++
			}
			return err
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketVisitAccess).ForEach(func(k, v []byte) error {
			var r accessRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode access entry: %w", err)
			}
			if !ring.Current(r.Sealed) {
				n++
			}
			return nil
		})
	})
	return n, err
}
