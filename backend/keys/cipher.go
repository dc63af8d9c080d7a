package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// cipherLabel is the HKDF info string of the field-encryption key. It differs from the
// person-key label, so the key that hashes ID numbers never encrypts anything and a
// leak of one says nothing about the other.
const cipherLabel = "bingzhan field cipher v1"

// digestLabel is the HKDF info string of the key of Digest, derived from a field key:
// what digests is never what seals.
const digestLabel = "bingzhan digest v1"

// Sealed-value formats, told apart by the first byte.
const (
	// sealedV1 values (written before keys could rotate) carry no key id: Open tries
	// every key it holds, which AES-GCM's authentication makes safe.
	sealedV1 = 1
	// sealedV2 values carry the id of the key that sealed them.
	sealedV2 = 2
)

// idLen is the length of a key id in a sealed value.
const idLen = 4

// Cipher seals personal fields (ID numbers, phone numbers, names, whole person
// records) for storage with AES-256-GCM under a key derived from the station data key.
//
// A sealed value is: 1 version byte (2) | 4-byte key id | 12-byte random nonce |
// ciphertext | 16-byte tag; the version and key id are authenticated too. The key id names the data key (KeyID), so during a key
// rotation Open picks the right key and the rotation can tell what is left to re-seal.
// Values of version 1 lack the id and are still opened.
//
// The associated data binds a value to a field name and a record id: a value sealed as
// ("visit.phone", "01936b2e-…") cannot be opened as another field or moved to another
// record, so swapping ciphertexts in the database is detected, not silently accepted.
// Nonces are random; with 96-bit nonces one key may seal about 2^32 values, which is
// hundreds of full re-loads of a million-person registry.
//
// A Cipher is safe for concurrent use.
type Cipher struct {
	keys   []sealKey // keys[0] seals; every one opens
	person map[string][]byte
}

// sealKey is one field key with the id of the data key it comes from.
type sealKey struct {
	id     [idLen]byte
	aead   cipher.AEAD
	digest []byte // HMAC key of Digest
}

// Cipher returns the station's field cipher. It derives its keys on each call, so
// callers keep the returned value rather than calling this per field. During an
// unfinished rotation it opens values sealed under either data key.
func (k *Keys) Cipher() (*Cipher, error) {
	c := &Cipher{person: map[string][]byte{}}
	for _, d := range k.ring {
		key, err := hkdf.Key(sha256.New, d.raw, nil, cipherLabel, 32)
		if err != nil {
			return nil, fmt.Errorf("derive field key: %w", err)
		}
		sk, err := newSealKey(key, d.id)
		if err != nil {
			return nil, err
		}
		c.keys = append(c.keys, sk)
		c.person[d.id] = d.person
	}
	return c, nil
}

// NewCipher returns a Cipher for a 32-byte key. Stations get theirs from Keys.Cipher;
// this exists for tools that hold a derived key already. Its key id is KeyID(key).
func NewCipher(key []byte) (*Cipher, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("field key must be 32 bytes, not %d", len(key))
	}
	sk, err := newSealKey(key, KeyID(key))
	if err != nil {
		return nil, err
	}
	return &Cipher{keys: []sealKey{sk}}, nil
}

func newSealKey(key []byte, id string) (sealKey, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealKey{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealKey{}, err
	}
	digest, err := hkdf.Key(sha256.New, key, nil, digestLabel, 32)
	if err != nil {
		return sealKey{}, err
	}
	sk := sealKey{aead: aead, digest: digest}
	if n, err := hex.Decode(sk.id[:], []byte(id)); err != nil || n != idLen {
		return sealKey{}, fmt.Errorf("key id %q is not %d bytes of hex", id, idLen)
	}
	return sk, nil
}

// ErrOpen is returned by Open for any value it cannot authenticate: damaged, altered,
// sealed under another key, or for another field or record. It deliberately says no
// more than that.
var ErrOpen = errors.New("sealed value cannot be opened: damaged, altered, or sealed for another field, record or key")

// UnknownKeyError is returned by Open for a value sealed under a data key the Cipher
// does not hold: a database restored without the keys folder of its time, or with
// the key of before a rotation. errors.Is(err, ErrOpen) holds for it.
type UnknownKeyError struct {
	ID string // the id of the key that sealed the value
}

func (e *UnknownKeyError) Error() string {
	return fmt.Sprintf("sealed value cannot be opened: it was sealed under data key %s, which this station does not hold (restore the keys folder that belongs with this database)", e.ID)
}

// Is makes UnknownKeyError an ErrOpen.
func (e *UnknownKeyError) Is(target error) bool { return target == ErrOpen }

// Seal encrypts plaintext for the given field of the given record. field names what
// the value is ("person", "visit.id_number"); record is the id of the record it lives
// in (a person key, a visit id). Both are authenticated, not secret.
func (c *Cipher) Seal(field, record string, plaintext []byte) ([]byte, error) {
	k := c.keys[0]
	ns := k.aead.NonceSize()
	head := 1 + idLen + ns
	out := make([]byte, head, head+len(plaintext)+k.aead.Overhead())
	out[0] = sealedV2
	copy(out[1:], k.id[:])
	nonce := out[1+idLen : head]
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return k.aead.Seal(out, nonce, plaintext, associatedData(out[:1+idLen], field, record)), nil
}

// Open decrypts a value made by Seal with the same field and record. It returns ErrOpen
// for anything else, and an UnknownKeyError for a value of a key it does not hold.
func (c *Cipher) Open(field, record string, sealed []byte) ([]byte, error) {
	const ns, overhead = 12, 16
	switch {
	case len(sealed) >= 1+idLen+ns+overhead && sealed[0] == sealedV2:
		id := sealed[1 : 1+idLen]
		for _, k := range c.keys {
			if string(k.id[:]) == string(id) {
				out, err := k.aead.Open(nil, sealed[1+idLen:1+idLen+ns], sealed[1+idLen+ns:], associatedData(sealed[:1+idLen], field, record))
				if err != nil {
					return nil, ErrOpen
				}
				return out, nil
			}
		}
		return nil, &UnknownKeyError{ID: hex.EncodeToString(id)}
	case len(sealed) >= 1+ns+overhead && sealed[0] == sealedV1:
		ad := associatedData(nil, field, record)
		for _, k := range c.keys {
			if out, err := k.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], ad); err == nil {
				return out, nil
			}
		}
	}
	return nil, ErrOpen
}

// Digest returns the keyed hash (HMAC-SHA256) of data for field under the key that
// seals: the same field and data give the same digest for as long as that key seals,
// and without the key a digest lets no guess of data be checked. It makes ids that
// must stay the same from one import to the next yet are derived from personal data
// (the county's bookings).
func (c *Cipher) Digest(field string, data []byte) []byte {
	m := hmac.New(sha256.New, c.keys[0].digest)
	m.Write(associatedData(nil, field, ""))
	m.Write(data)
	return m.Sum(nil)
}

// KeyID returns the id of the key that seals.
func (c *Cipher) KeyID() string { return hex.EncodeToString(c.keys[0].id[:]) }

// Current reports whether sealed was sealed under the key that seals now: a rotation
// re-seals every value for which it is false.
func (c *Cipher) Current(sealed []byte) bool {
	return SealedKeyID(sealed) == c.KeyID()
}

// SealedKeyID returns the id of the key that sealed a value, or "" for a value that
// does not name one (version 1, or not a sealed value).
func SealedKeyID(sealed []byte) string {
	if len(sealed) < 1+idLen || sealed[0] != sealedV2 {
		return ""
	}
	return hex.EncodeToString(sealed[1 : 1+idLen])
}

// PersonKeyUnder returns the keyed hash of an ID number under the data key with id
// keyID (see Keys.PersonKey), and false if the Cipher does not hold that key. During
// an unfinished rotation the registry may be keyed under either key.
func (c *Cipher) PersonKeyUnder(keyID, idNumber string) (string, bool) {
	key, ok := c.person[keyID]
	if !ok {
		return "", false
	}
	return personKey(key, idNumber), true
}

// associatedData joins the value's header (version and key id; none in version 1),
// field and record unambiguously: the length prefix keeps ("ab","c") and ("a","bc")
// apart, and the header keeps a value from being passed off as another version or key.
func associatedData(header []byte, field, record string) []byte {
	ad := make([]byte, 0, 16+len(header)+len(field)+len(record))
	ad = append(ad, header...)
	ad = append(ad, "bingzhan/v1"...)
	ad = append(ad, byte(len(field)>>8), byte(len(field)))
	ad = append(ad, field...)
	return append(ad, record...)
}
