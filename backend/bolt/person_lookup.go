package bolt

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"time"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

var last4Pattern = regexp.MustCompile(`^[0-9]{4}$`)

// lookupFailures counts wrong answers for one ID number.
type lookupFailures struct {
	N    int       `json:"n"`
	Last time.Time `json:"last"`
}

// current returns the failures still counting at now: they expire LookupLockTime
// after the last one.
func (f lookupFailures) current(now time.Time) int {
	if f.N == 0 || now.Sub(f.Last) >= backend.LookupLockTime {
		return 0
	}
	return f.N
}

// LookupPerson finds a person by ID number and checks the last four digits of the
// phone on record. A successful lookup with no earlier failures only reads the file.
func (s *PersonService) LookupPerson(ctx context.Context, idNumber, phoneLast4 string) (*backend.Person, error) {
	now := s.db.Clock.Now()
	idNumber = backend.NormalizeIDNumber(idNumber)
	if err := backend.ValidateIDNumber(idNumber, now.In(s.db.Location)); err != nil {
		return nil, err
	}
	if !last4Pattern.MatchString(phoneLast4) {
		return nil, backend.Errorf(backend.EINVALID, "lookup.last4")
	}
	var person *backend.Person
	var failures lookupFailures
	err := s.db.db.View(func(tx *bolt.Tx) error {
		hash, err := s.hasher(tx)
		if err != nil {
			return err
		}
		key, hexKey, err := s.key(hash, idNumber)
		if err != nil {
			return err
		}
		if _, err := getJSON(tx.Bucket(bucketLookupFail), key, &failures); err != nil {
			return err
		}
		if failures.current(now) >= backend.MaxLookupFailures {
			return nil
		}
		p, err := s.get(tx, key, hexKey)
		if err != nil || p == nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(p.PhoneLast4()), []byte(phoneLast4)) == 1 {
			person = p
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if failures.current(now) >= backend.MaxLookupFailures {
		return nil, backend.Errorf(backend.EFORBIDDEN, "lookup.locked")
	}
	if person != nil && failures.N == 0 {
		return person, nil
	}

	// A failure to count, or a success that clears earlier failures: one write,
	// re-reading the count so that two kiosks failing at once both count.
	var outcome error
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		hash, err := s.hasher(tx)
		if err != nil {
			return err
		}
		key, _, err := s.key(hash, idNumber)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketLookupFail)
		var f lookupFailures
		if _, err := getJSON(b, key, &f); err != nil {
			return err
		}
		n := f.current(now)
		if n >= backend.MaxLookupFailures {
			outcome = backend.Errorf(backend.EFORBIDDEN, "lookup.locked")
			return nil
		}
		if person != nil {
			return b.Delete(key)
		}
		n++
		if err := putJSON(b, key, lookupFailures{N: n, Last: now}); err != nil {
			return err
		}
		if n < backend.MaxLookupFailures {
			outcome = backend.NoMatch(backend.MaxLookupFailures - n)
			return nil
		}
		outcome = backend.Errorf(backend.EFORBIDDEN, "lookup.locked")
		return s.db.appendOutbox(tx, s.stationID, backend.KindLookupLocked, backend.LookupLockFact{At: now})
	})
	if err != nil {
		return nil, err
	}
	if outcome != nil {
		return nil, outcome
	}
	return person, nil
}

// ClearLookupLock forgets the failures of an ID number.
func (s *PersonService) ClearLookupLock(ctx context.Context, idNumber string) error {
	now := s.db.Clock.Now()
	idNumber = backend.NormalizeIDNumber(idNumber)
	if err := backend.ValidateIDNumber(idNumber, now.In(s.db.Location)); err != nil {
		return err
	}
	return s.db.db.Update(func(tx *bolt.Tx) error {
		hash, err := s.hasher(tx)
		if err != nil {
			return err
		}
		key, _, err := s.key(hash, idNumber)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketLookupFail)
		var f lookupFailures
		if ok, err := getJSON(b, key, &f); err != nil || !ok {
			return err
		}
		if err := b.Delete(key); err != nil {
			return err
		}
		if f.current(now) < backend.MaxLookupFailures {
			return nil
		}
		return s.db.appendOutbox(tx, s.stationID, backend.KindLookupUnlocked, backend.LookupLockFact{At: now})
	})
}

// pruneFailures forgets failure counts that no longer count, so unknown numbers tried
// once do not pile up; a registry replacement is a natural moment.
func pruneFailures(tx *bolt.Tx, now time.Time) error {
	return deleteWhere(tx.Bucket(bucketLookupFail), func(_, v []byte) bool {
		var f lookupFailures
		return json.Unmarshal(v, &f) != nil || f.current(now) == 0
	})
}

// rekeyFailures moves the lookup failures to newHash when the registry is keyed under
// another data key than the one that hashes from now on (a key rotation, or a station
// whose rotation is unfinished replacing its registry): each count follows its ID
// number, found through the registry still active in tx; counts for numbers not in it
// are dropped, since their old hashes cannot be recomputed and lookups of them fail
// anyway. No hash under the old key is left behind.
func (s *PersonService) rekeyFailures(tx *bolt.Tx, newHash func(string) string) error {
	if s.hashKeyID(tx) == s.ownKeyID() {
		return nil
	}
	b := tx.Bucket(bucketLookupFail)
	type move struct{ from, to, v []byte }
	var moves []move
	err := b.ForEach(func(k, v []byte) error {
		m := move{from: bytes.Clone(k), v: bytes.Clone(v)}
		p, err := s.get(tx, k, hex.EncodeToString(k))
		if err != nil {
			return err
		}
		if p != nil {
			if m.to, _, err = s.key(newHash, p.IDNumber); err != nil {
				return err
			}
		}
		moves = append(moves, m)
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range moves {
		if err := b.Delete(m.from); err != nil {
			return err
		}
	}
	for _, m := range moves {
		if m.to == nil {
			continue
		}
		if err := b.Put(m.to, m.v); err != nil {
			return err
		}
	}
	return nil
}
