package bolt

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"sync"
	"time"

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

	keyRegActive  = []byte("active")
	keyRegVersion = []byte("version")
	keyRegCount   = []byte("count")
	keyRegHashKey = []byte("hash_key")
)

// sealField names what a sealed registry value is, for the cipher's associated data.
const sealField = "person"

// replaceBatch is how many persons one transaction of a registry replacement writes:
// big enough that a million take a few dozen commits, small enough to bound memory.
const replaceBatch = 20000

var last4Pattern = regexp.MustCompile(`^[0-9]{4}$`)

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

// keyRing is what the registry needs of a sealer holding the station's data keys
// (keys.Cipher): the id of the key that seals, whether a value is sealed under it,
// and the keyed hash of an ID number under any key it holds.
type keyRing interface {
	KeyID() string
	Current(sealed []byte) bool
	PersonKeyUnder(keyID, idNumber string) (string, bool)
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

// LookupPerson finds a person by ID number and checks the last four digits of the
// phone on record. A successful lookup with no earlier failures only reads the file.
func (s *PersonService) LookupPerson(ctx context.Context, idNumber, phoneLast4 string) (*backend.Person, error) {
	now := s.db.Now()
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

// ClearLookupLock forgets the failures of an ID number.
func (s *PersonService) ClearLookupLock(ctx context.Context, idNumber string) error {
	now := s.db.Now()
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
	today := s.db.Now().In(s.db.Location)
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
		if err := pruneFailures(tx, s.db.Now()); err != nil {
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

// pruneFailures forgets failure counts that no longer count, so unknown numbers tried
// once do not pile up; a registry replacement is a natural moment.
func pruneFailures(tx *bolt.Tx, now time.Time) error {
	return deleteWhere(tx.Bucket(bucketLookupFail), func(_, v []byte) bool {
		var f lookupFailures
		return json.Unmarshal(v, &f) != nil || f.current(now) == 0
	})
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
	today := s.db.Now().In(s.db.Location)
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
		return s.db.appendOutbox(tx, s.stationID, backend.KindRegistryUpdated,
			backend.RegistryFact{Version: string(reg.Get(keyRegVersion)), Persons: int(count)})
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

// resealBatch is how many records one transaction of a key rotation writes: a few
// hundred kilobytes, so an interruption loses little and memory stays small.
const resealBatch = 1000

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
	done := 0
	var after []byte
	for {
		if err := ctx.Err(); err != nil {
			s.dropInactive()
			return done, err
		}
		n, last, err := s.resealGeneration(name, after)
		if err != nil {
			s.dropInactive()
			return done, fmt.Errorf("reseal the registry: %w", err)
		}
		done += n
		if progress != nil && n > 0 {
			progress(done)
		}
		if last == nil {
			break
		}
		after = last
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
		k, v := c.First()
		if after != nil {
			if k, v = c.Seek(after); bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
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
