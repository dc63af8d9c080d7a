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

// failKey is where the failures of the person at key, tried from device, are
// counted: the person's key, then the device's name. A device's wrong answers lock
// the number at that device alone (docs/security.md).
func failKey(key []byte, device string) []byte {
	return append(bytes.Clone(key), device...)
}

// LookupPerson finds a person by ID number and checks the last four digits of the
// phone on record. A successful lookup with no earlier failures only reads the file.
func (s *PersonService) LookupPerson(ctx context.Context, device, idNumber, phoneLast4 string) (*backend.Person, error) {
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
		if _, err := getJSON(tx.Bucket(bucketLookupFail), failKey(key, device), &failures); err != nil {
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
		fk := failKey(key, device)
		var f lookupFailures
		if _, err := getJSON(b, fk, &f); err != nil {
			return err
		}
		n := f.current(now)
		if n >= backend.MaxLookupFailures {
			outcome = backend.Errorf(backend.EFORBIDDEN, "lookup.locked")
			return nil
		}
		if person != nil {
			return b.Delete(fk)
		}
		n++
		if err := putJSON(b, fk, lookupFailures{N: n, Last: now}); err != nil {
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

// ClearLookupLock forgets the failures of an ID number, at every device.
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
		c := tx.Bucket(bucketLookupFail).Cursor()
		locked := false
		for k, v := c.Seek(key); k != nil && bytes.HasPrefix(k, key); k, v = c.Seek(key) {
			var f lookupFailures
			if json.Unmarshal(v, &f) == nil && f.current(now) >= backend.MaxLookupFailures {
				locked = true
			}
			if err := c.Delete(); err != nil {
				return err
			}
		}
		if !locked {
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
		if len(k) < 32 {
			return nil // not a failure count: dropped
		}
		p, err := s.get(tx, k[:32], hex.EncodeToString(k[:32]))
		if err != nil {
			return err
		}
		if p != nil {
			to, _, err := s.key(newHash, p.IDNumber)
			if err != nil {
				return err
			}
			m.to = failKey(to, string(k[32:])) // the same device's count
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
