package bolt

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"sync"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// The registry of persons and the lookup lockouts. Keys:
//
//	registry:    "active"  → name of the current generation bucket
//	             "version" → the registry version it holds
//	             "count"   → its number of persons (8 bytes)
//	             "hash_key" → id of the data key whose keyed hash keys the active
//	                         generation and lookup_fail (absent: the sealing key's)
//	             "revision" → how many PutPersons changed the registry in place
//	                         (8 bytes): with "active", what readers may cache by
//	             g<seq>    → generation bucket: person key (32 bytes) → sealed Person
//	lookup_fail: person key (32 bytes) → lookupFailures (JSON)
//
// The person key is the station's keyed hash (HMAC-SHA-256) of the ID number; the
// value is the whole Person record sealed with AES-256-GCM, bound to its key. So the
// file holds no ID number, name, phone, category or card status in the clear, and a
// record cannot be moved to another person's key.
//
// A key rotation (Reseal) copies the registry into a new generation keyed and sealed
// under the new data key and switches to it like a replacement; "hash_key" tells a
// station whose rotation was interrupted which of its two keys the registry is keyed
// by, so lookups work before, during and after.
//
// A registry is replaced by filling a new generation bucket in batches and then
// switching "active" in one small transaction: lookups see the old registry until the
// new one is complete, and a crash mid-way leaves the old one in place.
var (
	bucketRegistry   = newBucket("registry")
	bucketLookupFail = newBucket("lookup_fail")

	keyRegActive   = []byte("active")
	keyRegVersion  = []byte("version")
	keyRegCount    = []byte("count")
	keyRegHashKey  = []byte("hash_key")
	keyRegRevision = []byte("revision")
)

// sealField names what a sealed registry value is, for the cipher's associated data.
const sealField = "person"

// replaceBatch is how many persons one transaction of a registry replacement writes:
// big enough that a million take a few dozen commits, small enough to bound memory.
const replaceBatch = 20000

// PersonService is the station's encrypted copy of the county registry and the
// personal lookup on it.
type PersonService struct {
	db        *DB
	stationID string
	sealer    backend.Sealer
	personKey func(idNumber string) string

	mu sync.Mutex // one registry writer at a time
}

// NewPersonService returns the registry of db. sealer encrypts records (keys.Cipher);
// personKey is the keyed hash of an ID number (keys.Keys.PersonKey).
func NewPersonService(db *DB, stationID string, sealer backend.Sealer, personKey func(string) string) *PersonService {
	return &PersonService{db: db, stationID: stationID, sealer: sealer, personKey: personKey}
}

// ownKeyID returns the id of the key that seals and hashes, "" if the sealer cannot
// tell keys apart.
func (s *PersonService) ownKeyID() string {
	if r, ok := s.sealer.(keyRing); ok {
		return r.KeyID()
	}
	return ""
}

// hashKeyID returns the id of the key whose keyed hash the registry is keyed by.
func (s *PersonService) hashKeyID(tx *bolt.Tx) string {
	if id := tx.Bucket(bucketRegistry).Get(keyRegHashKey); len(id) > 0 {
		return string(id)
	}
	return s.ownKeyID()
}

// hasher returns the keyed hash the registry is keyed by: the station's own, or,
// while a key rotation is unfinished, possibly the hash under the other key it holds.
func (s *PersonService) hasher(tx *bolt.Tx) (func(string) string, error) {
	id := s.hashKeyID(tx)
	if id == s.ownKeyID() {
		return s.personKey, nil
	}
	if r, ok := s.sealer.(keyRing); ok {
		if _, ok := r.PersonKeyUnder(id, ""); ok {
			return func(n string) string { h, _ := r.PersonKeyUnder(id, n); return h }, nil
		}
	}
	return nil, fmt.Errorf("the registry is keyed under data key %s, which this station does not hold: restore the keys folder that belongs with this database", id)
}

func (s *PersonService) key(hash func(string) string, idNumber string) ([]byte, string, error) {
	h := hash(idNumber)
	k, err := hex.DecodeString(h)
	if err != nil || len(k) != 32 {
		return nil, "", fmt.Errorf("person key is not 32 bytes of hex")
	}
	return k, h, nil
}

// get reads and opens the person at key in the active generation; nil if none.
func (s *PersonService) get(tx *bolt.Tx, key []byte, hexKey string) (*backend.Person, error) {
	gen := activeGeneration(tx)
	if gen == nil {
		return nil, nil
	}
	sealed := gen.Get(key)
	if sealed == nil {
		return nil, nil
	}
	raw, err := s.sealer.Open(sealField, hexKey, sealed)
	if err != nil {
		return nil, fmt.Errorf("open registry record: %w", err)
	}
	var p backend.Person
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("decode registry record: %w", err)
	}
	return &p, nil
}

// find reads and opens the person with an ID number inside tx; nil if none.
func (s *PersonService) find(tx *bolt.Tx, idNumber string) (*backend.Person, error) {
	hash, err := s.hasher(tx)
	if err != nil {
		return nil, err
	}
	key, hexKey, err := s.key(hash, idNumber)
	if err != nil {
		return nil, err
	}
	return s.get(tx, key, hexKey)
}

func activeGeneration(tx *bolt.Tx) *bolt.Bucket {
	reg := tx.Bucket(bucketRegistry)
	name := reg.Get(keyRegActive)
	if name == nil {
		return nil
	}
	return reg.Bucket(name)
}

// Registry returns the current registry's version and size.
func (s *PersonService) Registry(ctx context.Context) (version string, count int, err error) {
	err = s.db.db.View(func(tx *bolt.Tx) error {
		reg := tx.Bucket(bucketRegistry)
		version = string(reg.Get(keyRegVersion))
		count = int(btoi(reg.Get(keyRegCount)))
		return nil
	})
	return version, count, err
}

var registryVersion = regexp.MustCompile(`^[A-Za-z0-9._+-]{1,64}$`)

// sealedPerson is one registry record ready to store.
type sealedPerson struct {
	key, value []byte
}

// seal seals p under its person key by hash.
func (s *PersonService) seal(p *backend.Person, hash func(string) string) (sealedPerson, error) {
	key, hexKey, err := s.key(hash, p.IDNumber)
	if err != nil {
		return sealedPerson{}, err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return sealedPerson{}, err
	}
	v, err := s.sealer.Seal(sealField, hexKey, raw)
	return sealedPerson{key, v}, err
}

// ReplaceRegistry makes persons the whole registry. Every record is validated and
// sealed first (a bad one changes nothing); they are then written in key order, in
// batched transactions, into a new generation that becomes current in one final
// transaction with its outbox fact. Memory use is about 0.5 KB per person.
// Replacing with the current version again is a no-op.
func (s *PersonService) ReplaceRegistry(ctx context.Context, version string, persons iter.Seq2[*backend.Person, error]) (int, error) {
	if !registryVersion.MatchString(version) {
		return 0, backend.Errorf(backend.EINVALID, "lookup.registry_version")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, _, err := s.Registry(ctx); err != nil {
		return 0, err
	} else if cur == version {
		return 0, nil
	}
	today := s.db.Clock.Now().In(s.db.Location)
	var recs []sealedPerson
	n := 0
	for p, err := range persons {
		n++
		if err != nil {
			return 0, err
		}
		if err := p.Validate(today); err != nil {
			return 0, backend.Errorf(backend.EINVALID, "lookup.registry_bad", n, backend.ErrorMessage(err, "en"))
		}
		sp, err := s.seal(p, s.personKey)
		if err != nil {
			return 0, err
		}
		recs = append(recs, sp)
		if n%replaceBatch == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
	}
	slices.SortFunc(recs, func(a, b sealedPerson) int { return bytes.Compare(a.key, b.key) })
	for i := 1; i < len(recs); i++ {
		if bytes.Equal(recs[i].key, recs[i-1].key) {
			return 0, backend.Errorf(backend.EINVALID, "lookup.registry_duplicate")
		}
	}

	var gen []byte
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		reg := tx.Bucket(bucketRegistry)
		if err := dropInactive(reg); err != nil {
			return err
		}
		seq, err := reg.NextSequence()
		if err != nil {
			return err
		}
		gen = append([]byte("g"), itob(seq)...)
		_, err = reg.CreateBucket(gen)
		return err
	})
	if err != nil {
		return 0, err
	}
	for start := 0; start < len(recs); start += replaceBatch {
		if err := ctx.Err(); err != nil {
			s.dropInactive()
			return 0, err
		}
		batch := recs[start:min(start+replaceBatch, len(recs))]
		err := s.db.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketRegistry).Bucket(gen)
			b.FillPercent = 1 // keys arrive in order: pack pages full
			for _, r := range batch {
				if err := b.Put(r.key, r.value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			s.dropInactive()
			return 0, fmt.Errorf("write registry batch: %w", err)
		}
	}
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		if err := pruneFailures(tx, s.db.Clock.Now()); err != nil {
			return err
		}
		reg := tx.Bucket(bucketRegistry)
		if err := s.rekeyFailures(tx, s.personKey); err != nil {
			return err
		}
		for _, kv := range [][2][]byte{{keyRegActive, gen}, {keyRegVersion, []byte(version)}, {keyRegCount, itob(uint64(len(recs)))}, {keyRegHashKey, []byte(s.ownKeyID())}} {
			if err := reg.Put(kv[0], kv[1]); err != nil {
				return err
			}
		}
		return s.db.appendOutbox(tx, s.stationID, backend.KindRegistryReplaced,
			backend.RegistryFact{Version: version, Persons: len(recs)})
	})
	if err != nil {
		s.dropInactive()
		return 0, err
	}
	s.dropInactive() // the old generation; a failure here is retried next time
	s.db.Logger.Info("registry replaced", "version", version, "persons", len(recs))
	return len(recs), nil
}

// dropInactive deletes generation buckets other than the active one: the previous
// registry, or one left half-written by a crash.
func (s *PersonService) dropInactive() {
	err := s.db.db.Update(func(tx *bolt.Tx) error { return dropInactive(tx.Bucket(bucketRegistry)) })
	if err != nil {
		s.db.Logger.Warn("drop old registry generation", "err", err)
	}
}

func dropInactive(reg *bolt.Bucket) error {
	active := reg.Get(keyRegActive)
	var stale [][]byte
	err := reg.ForEachBucket(func(name []byte) error {
		if !bytes.Equal(name, active) {
			stale = append(stale, bytes.Clone(name))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range stale {
		if err := reg.DeleteBucket(name); err != nil {
			return err
		}
	}
	return nil
}

// PutPersons adds or updates persons in the current registry in one transaction, with
// an outbox fact of the registry's new size. A station without a registry gets one,
// with an empty version.
func (s *PersonService) PutPersons(ctx context.Context, persons []backend.Person) error {
	today := s.db.Clock.Now().In(s.db.Location)
	for i := range persons {
		if err := persons[i].Validate(today); err != nil {
			return backend.Errorf(backend.EINVALID, "lookup.registry_bad", i+1, backend.ErrorMessage(err, "en"))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.db.Update(func(tx *bolt.Tx) error {
		reg := tx.Bucket(bucketRegistry)
		gen := activeGeneration(tx)
		if gen == nil {
			seq, err := reg.NextSequence()
			if err != nil {
				return err
			}
			name := append([]byte("g"), itob(seq)...)
			if gen, err = reg.CreateBucket(name); err != nil {
				return err
			}
			if err := s.rekeyFailures(tx, s.personKey); err != nil {
				return err
			}
			for _, kv := range [][2][]byte{{keyRegActive, name}, {keyRegHashKey, []byte(s.ownKeyID())}} {
				if err := reg.Put(kv[0], kv[1]); err != nil {
					return err
				}
			}
		}
		// Keyed as the generation is: during an unfinished key rotation that may be
		// the other key's hash.
		hash, err := s.hasher(tx)
		if err != nil {
			return err
		}
		recs := make([]sealedPerson, 0, len(persons))
		for i := range persons {
			sp, err := s.seal(&persons[i], hash)
			if err != nil {
				return err
			}
			recs = append(recs, sp)
		}
		count := btoi(reg.Get(keyRegCount))
		for _, r := range recs {
			if gen.Get(r.key) == nil {
				count++
			}
			if err := gen.Put(r.key, r.value); err != nil {
				return err
			}
		}
		if err := reg.Put(keyRegCount, itob(count)); err != nil {
			return err
		}
		if err := reg.Put(keyRegRevision, itob(btoi(reg.Get(keyRegRevision))+1)); err != nil {
			return err
		}
		return s.db.appendOutbox(tx, s.stationID, backend.KindRegistryUpdated,
			backend.RegistryFact{Version: string(reg.Get(keyRegVersion)), Persons: int(count)})
	})
}

// registryState names the registry's current contents inside tx: it changes whenever
// they do (a new generation, or a change in place), so a reader may cache what it
// derived from them by it.
func registryState(tx *bolt.Tx) string {
	reg := tx.Bucket(bucketRegistry)
	return string(reg.Get(keyRegActive)) + "/" + fmt.Sprint(btoi(reg.Get(keyRegRevision)))
}
