package bolt

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// MarkHashKey records that the registry is keyed under the sealer's key, for a
// registry written before that was recorded. A key rotation calls it with the
// station's current keys before it makes the new one, so that a station whose
// rotation is interrupted can tell which key its registry is keyed by.
func (s *PersonService) MarkHashKey(ctx context.Context) error {
	own := s.ownKeyID()
	if own == "" {
		return nil
	}
	return s.db.db.Update(func(tx *bolt.Tx) error {
		reg := tx.Bucket(bucketRegistry)
		if len(reg.Get(keyRegHashKey)) > 0 {
			return nil
		}
		return reg.Put(keyRegHashKey, []byte(own))
	})
}

// Reseal moves the registry to the sealer's current key, for a key rotation: every
// person is opened (under either key), keyed by the keyed hash under the current key
// and sealed under it, into a new generation filled in batched transactions; one last
// transaction switches to it, moves the lookup failures to the new hashes and deletes
// the old generation. An interruption leaves the old generation active and a second
// run starts the copy again. The registry's version and the outbox do not change:
// the records say the same. progress, when set, is told how many are done. It returns
// the number of persons re-sealed.
func (s *PersonService) Reseal(ctx context.Context, progress func(done int)) (int, error) {
	ring, ok := s.sealer.(keyRing)
	if !ok {
		return 0, fmt.Errorf("reseal the registry: the sealer does not name its keys")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	stale, err := s.stale()
	if err != nil || stale == 0 {
		return 0, err
	}
	var name []byte
	noRegistry := false
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		reg := tx.Bucket(bucketRegistry)
		if err := dropInactive(reg); err != nil {
			return err
		}
		if activeGeneration(tx) == nil {
			// No registry: only lookup failures of unknown numbers to forget.
			noRegistry = true
			if err := s.rekeyFailures(tx, s.personKey); err != nil {
				return err
			}
			return reg.Put(keyRegHashKey, []byte(ring.KeyID()))
		}
		seq, err := reg.NextSequence()
		if err != nil {
			return err
		}
		name = append([]byte("g"), itob(seq)...)
		_, err = reg.CreateBucket(name)
		return err
	})
	if err != nil || noRegistry {
		return 0, err
	}
	done, err := resealInBatches(ctx, "registry", 0, progress, func(after []byte) (int, []byte, error) {
		return s.resealGeneration(name, after)
	})
	if err != nil {
		s.dropInactive()
		return done, err
	}
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		reg := tx.Bucket(bucketRegistry)
		old := reg.Get(keyRegActive)
		if n := reg.Bucket(name).Stats().KeyN; n != reg.Bucket(old).Stats().KeyN {
			return fmt.Errorf("reseal the registry: the copy holds %d persons, the registry %d", n, reg.Bucket(old).Stats().KeyN)
		}
		if err := s.rekeyFailures(tx, s.personKey); err != nil {
			return err
		}
		oldName := bytes.Clone(old)
		for _, kv := range [][2][]byte{{keyRegActive, name}, {keyRegHashKey, []byte(ring.KeyID())}} {
			if err := reg.Put(kv[0], kv[1]); err != nil {
				return err
			}
		}
		return reg.DeleteBucket(oldName)
	})
	if err != nil {
		s.dropInactive()
		return done, err
	}
	return done, nil
}

// resealGeneration copies up to resealBatch persons after key after from the active
// generation into generation name, re-keyed and re-sealed, in one transaction. It
// returns how many it copied and the last key read, nil once the end is reached.
func (s *PersonService) resealGeneration(name, after []byte) (int, []byte, error) {
	var n int
	var last []byte
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		n, last = 0, nil
		src := activeGeneration(tx)
		dst := tx.Bucket(bucketRegistry).Bucket(name)
		c := src.Cursor()
		k, v := seekAfter(c, after)
		var recs []sealedPerson
		for ; k != nil && len(recs) < resealBatch; k, v = c.Next() {
			raw, err := s.sealer.Open(sealField, hex.EncodeToString(k), v)
			if err != nil {
				return fmt.Errorf("open registry record: %w", err)
			}
			var p backend.Person
			if err := json.Unmarshal(raw, &p); err != nil {
				return fmt.Errorf("decode registry record: %w", err)
			}
			key, hexKey, err := s.key(s.personKey, p.IDNumber)
			if err != nil {
				return err
			}
			sealed, err := s.sealer.Seal(sealField, hexKey, raw)
			if err != nil {
				return err
			}
			recs = append(recs, sealedPerson{key, sealed})
			last = bytes.Clone(k)
		}
		if k == nil {
			last = nil
		}
		for _, r := range recs {
			if dst.Get(r.key) != nil {
				return backend.Errorf(backend.EINVALID, "lookup.registry_duplicate")
			}
			if err := dst.Put(r.key, r.value); err != nil {
				return err
			}
		}
		n = len(recs)
		return nil
	})
	return n, last, err
}

// Stale returns how many registry records are not keyed and sealed under the
// sealer's current key (lookup failures counted too): what a key rotation has left
// to do. Zero once it is done.
func (s *PersonService) Stale(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stale()
}

func (s *PersonService) stale() (int, error) {
	ring, ok := s.sealer.(keyRing)
	if !ok {
		return 0, fmt.Errorf("the sealer does not name its keys")
	}
	n := 0
	err := s.db.db.View(func(tx *bolt.Tx) error {
		marked := len(tx.Bucket(bucketRegistry).Get(keyRegHashKey)) > 0
		failures := tx.Bucket(bucketLookupFail).Stats().KeyN
		gen := activeGeneration(tx)
		if !marked && (gen != nil || failures > 0) {
			// Without the mark, a registry keyed under the old key would look current.
			return fmt.Errorf("the registry does not record which data key it is keyed by: run MarkHashKey with the station's keys first")
		}
		rekey := !marked || s.hashKeyID(tx) != ring.KeyID()
		if rekey {
			n += failures
		}
		if gen == nil {
			if rekey && n == 0 {
				n = 1 // only the mark to write
			}
			return nil
		}
		return gen.ForEach(func(k, v []byte) error {
			if rekey || !ring.Current(v) {
				n++
			}
			return nil
		})
	})
	return n, err
}
