package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// cipherLabel is the HKDF info string of the field-encryption key. It differs from the
// person-key label, so the key that hashes ID numbers never encrypts anything and a
// leak of one says nothing about the other.
const cipherLabel = "bingzhan field cipher v1"

// sealedVersion is the first byte of every sealed value; a later format (another
// algorithm or key) gets a new byte and Open can tell them apart.
const sealedVersion = 1

// Cipher seals personal fields (ID numbers, phone numbers, names, whole person
// records) for storage with AES-256-GCM under a key derived from the station data key.
//
// A sealed value is: 1 version byte (1) | 12-byte random nonce | ciphertext | 16-byte tag.
// The associated data binds it to a field name and a record id: a value sealed as
// ("visit.phone", "01936b2e-…") cannot be opened as another field or moved to another
// record, so swapping ciphertexts in the database is detected, not silently accepted.
// Nonces are random; with 96-bit nonces one key may seal about 2^32 values, which is
// hundreds of full re-loads of a million-person registry.
//
// A Cipher is safe for concurrent use.
type Cipher struct {
	aead cipher.AEAD
}

// Cipher returns the station's field cipher. It derives its key on each call, so
// callers keep the returned value rather than calling this per field.
func (k *Keys) Cipher() (*Cipher, error) {
	key, err := hkdf.Key(sha256.New, k.data, nil, cipherLabel, 32)
	if err != nil {
		return nil, fmt.Errorf("derive field key: %w", err)
	}
	return NewCipher(key)
}

// NewCipher returns a Cipher for a 32-byte key. Stations get theirs from Keys.Cipher;
// this exists for tools that hold a derived key already.
func NewCipher(key []byte) (*Cipher, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("field key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Cipher{aead: aead}, nil
}

// ErrOpen is returned by Open for any value it cannot authenticate: damaged, altered,
// sealed under another key, or for another field or record. It deliberately says no
// more than that.
var ErrOpen = errors.New("sealed value cannot be opened: damaged, altered, or sealed for another field, record or key")

// Seal encrypts plaintext for the given field of the given record. field names what
// the value is ("person", "visit.id_number"); record is the id of the record it lives
// in (a person key, a visit id). Both are authenticated, not secret.
func (c *Cipher) Seal(field, record string, plaintext []byte) ([]byte, error) {
	ns := c.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plaintext)+c.aead.Overhead())
	out[0] = sealedVersion
	if _, err := rand.Read(out[1 : 1+ns]); err != nil {
		return nil, err
	}
	return c.aead.Seal(out, out[1:1+ns], plaintext, associatedData(field, record)), nil
}

// Open decrypts a value made by Seal with the same field and record. It returns ErrOpen
// for anything else.
func (c *Cipher) Open(field, record string, sealed []byte) ([]byte, error) {
	ns := c.aead.NonceSize()
	if len(sealed) < 1+ns+c.aead.Overhead() || sealed[0] != sealedVersion {
		return nil, ErrOpen
	}
	out, err := c.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], associatedData(field, record))
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

// associatedData joins field and record unambiguously: the length prefix keeps
// ("ab","c") and ("a","bc") apart.
func associatedData(field, record string) []byte {
	ad := make([]byte, 0, 16+len(field)+len(record))
	ad = append(ad, "bingzhan/v1"...)
	ad = append(ad, byte(len(field)>>8), byte(len(field)))
	ad = append(ad, field...)
	return append(ad, record...)
}
