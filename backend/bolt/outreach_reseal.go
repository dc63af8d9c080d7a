package bolt

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Reseal re-seals, for a key rotation, every outreach entry's personal fields, photo
// and signature not sealed under the sealer's current key, in batches as
// VisitService.Reseal does. It returns the number of values re-sealed.
func (s *OutreachService) Reseal(ctx context.Context, progress func(done int)) (int, error) {
	ring, ok := s.sealer.(keyRing)
	if !ok {
		return 0, fmt.Errorf("reseal the outreach entries: the sealer does not name its keys")
	}
	entries := func(k, v []byte) ([]byte, error) {
		_, sealed, err := readOutreach(string(k), v)
		if err != nil || ring.Current(sealed) {
			return nil, err
		}
		again, err := s.reseal(sealOutreach, string(k), sealed)
		if err != nil {
			return nil, err
		}
		return append(bytes.Clone(v[:len(v)-len(sealed)]), again...), nil
	}
	n, err := resealInBatches(ctx, "outreach entries", 0, progress, func(after []byte) (int, []byte, error) {
		return resealRecords(s.db, bucketOutreach, after, entries)
	})
	if err != nil {
		return n, err
	}
	media := func(k, v []byte) ([]byte, error) {
		if ring.Current(v) {
			return nil, nil
		}
		id, field, err := splitMediaKey(k)
		if err != nil {
			return nil, err
		}
		return s.reseal(field, id, v)
	}
	if n, err = resealInBatches(ctx, "outreach photos", n, progress, func(after []byte) (int, []byte, error) {
		return resealRecords(s.db, bucketOutreachMedia, after, media)
	}); err != nil {
		return n, err
	}
	campaigns := func(k, v []byte) ([]byte, error) {
		_, sealed, err := readCampaign(string(k), v)
		if err != nil || ring.Current(sealed) {
			return nil, err
		}
		again, err := s.reseal(sealCampaign, string(k), sealed)
		if err != nil {
			return nil, err
		}
		return append(bytes.Clone(v[:len(v)-len(sealed)]), again...), nil
	}
	return resealInBatches(ctx, "outreach campaigns", n, progress, func(after []byte) (int, []byte, error) {
		return resealRecords(s.db, bucketCampaigns, after, campaigns)
	})
}

func (s *OutreachService) reseal(field, id string, sealed []byte) ([]byte, error) {
	plain, err := s.sealer.Open(field, id, sealed)
	if err != nil {
		return nil, fmt.Errorf("open %s of outreach %s: %w", field, id, err)
	}
	return s.sealer.Seal(field, id, plain)
}

// splitMediaKey returns the entry id and sealed field name of a media key.
func splitMediaKey(k []byte) (id, field string, err error) {
	if len(k) <= uuidLen {
		return "", "", fmt.Errorf("outreach media key %q: damaged", k)
	}
	return string(k[:uuidLen]), string(k[uuidLen:]), nil
}

// Stale returns how many outreach values are not sealed under the sealer's current key.
func (s *OutreachService) Stale(ctx context.Context) (int, error) {
	ring, ok := s.sealer.(keyRing)
	if !ok {
		return 0, fmt.Errorf("the sealer does not name its keys")
	}
	n := 0
	err := s.db.db.View(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketOutreach).ForEach(func(k, v []byte) error {
			_, sealed, err := readOutreach(string(k), v)
			if err == nil && !ring.Current(sealed) {
				n++
			}
			return err
		})
		if err != nil {
			return err
		}
		err = tx.Bucket(bucketOutreachMedia).ForEach(func(_, v []byte) error {
			if !ring.Current(v) {
				n++
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketCampaigns).ForEach(func(k, v []byte) error {
			_, sealed, err := readCampaign(string(k), v)
			if err == nil && !ring.Current(sealed) {
				n++
			}
			return err
		})
	})
	return n, err
}
