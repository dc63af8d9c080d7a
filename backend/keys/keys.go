// Package keys keeps the station's secrets in files beside, not inside, the database:
// the Ed25519 key that signs tickets and the data key that hashes and encrypts personal
// data. A stolen database file is useless without them.
//
// The data key can be rotated (bingzhan keys rotate). While a rotation is unfinished
// the folder holds two data keys, the current one (DataFile) and the new one
// (NextDataFile); the station then opens values sealed under either. Each data key has
// an id, derived from the key itself, that every sealed value carries, so a value
// tells which key opens it.
package keys

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"bingzhan/backend/atomicfile"
)

// File names inside the keys folder.
const (
	SigningFile = "station-ed25519.pem"
	DataFile    = "data-key.pem"
	// NextDataFile holds the new data key while a rotation is unfinished; finishing
	// the rotation renames it to DataFile, which retires the old key.
	NextDataFile = "data-key.next.pem"
)

const (
	signingBlock = "BINGZHAN ED25519 SEED"
	dataBlock    = "BINGZHAN DATA KEY"
	// keyIDHeader is the PEM header naming a data key's id, for people reading the
	// file; the id is derived from the key, so the header cannot disagree with it.
	keyIDHeader = "Key-Id"
)

// dataKey is one station data key with what is derived from it.
type dataKey struct {
	id     string // KeyID of raw
	raw    []byte // 32 random bytes
	person []byte // HMAC key of PersonKey
}

func newDataKey(raw []byte) (dataKey, error) {
	person, err := hkdf.Key(sha256.New, raw, nil, "bingzhan person key v1", 32)
	if err != nil {
		return dataKey{}, err
	}
	return dataKey{id: KeyID(raw), raw: raw, person: person}, nil
}

// KeyID returns the id of a data key: 8 hex digits derived from the key with HKDF.
// It names the key in sealed values, key files and messages without revealing it.
func KeyID(key []byte) string {
	id, err := hkdf.Key(sha256.New, key, nil, "bingzhan data key id v1", idLen)
	if err != nil {
		panic(err) // only for lengths HKDF cannot give; idLen is 4
	}
	return hex.EncodeToString(id)
}

// Keys are the station's secrets.
type Keys struct {
	Signing ed25519.PrivateKey
	// ring holds the data keys: ring[0] seals new values and hashes ID numbers, the
	// others (during an unfinished rotation) only open what they sealed.
	ring []dataKey
}

// LoadOrCreate reads the keys in dir, making any that do not exist yet (first start).
// Files are written 0600 in a 0700 folder, atomically, so a power cut never leaves half
// a key. If a rotation is unfinished, the current key keeps sealing and hashing and the
// new one is loaded to open what the rotation has already re-sealed.
func LoadOrCreate(dir string) (*Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create keys folder: %w", err)
	}
	seed, err := loadOrCreate(filepath.Join(dir, SigningFile), signingBlock)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, DataFile)); errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, NextDataFile)); err == nil {
			// A fresh key here would hide that the old one is lost mid-rotation.
			return nil, fmt.Errorf("key %s is missing while a key rotation is unfinished: restore it from the backup of the keys folder", filepath.Join(dir, DataFile))
		}
	}
	if _, err := loadOrCreate(filepath.Join(dir, DataFile), dataBlock); err != nil {
		return nil, err
	}
	return load(dir, seed, false)
}

// Load reads the keys in dir without making any: for tools that must not start a
// station's keys by accident (a wrong --data folder).
func Load(dir string) (*Keys, error) {
	seed, err := readKey(filepath.Join(dir, SigningFile), signingBlock)
	if err != nil {
		return nil, err
	}
	return load(dir, seed, false)
}

// load reads the data keys; nextFirst puts the rotation's new key first in the ring.
func load(dir string, seed []byte, nextFirst bool) (*Keys, error) {
	raw, err := readKey(filepath.Join(dir, DataFile), dataBlock)
	if err != nil {
		return nil, err
	}
	cur, err := newDataKey(raw)
	if err != nil {
		return nil, err
	}
	k := &Keys{Signing: ed25519.NewKeyFromSeed(seed), ring: []dataKey{cur}}
	nextRaw, err := readKey(filepath.Join(dir, NextDataFile), dataBlock)
	if errors.Is(err, os.ErrNotExist) {
		return k, nil
	} else if err != nil {
		return nil, err
	}
	next, err := newDataKey(nextRaw)
	if err != nil {
		return nil, err
	}
	if next.id == cur.id {
		return k, nil // the same key copied twice: one key
	}
	if nextFirst {
		k.ring = []dataKey{next, cur}
	} else {
		k.ring = append(k.ring, next)
	}
	return k, nil
}

// Public returns the public half of the signing key.
func (k *Keys) Public() ed25519.PublicKey { return k.Signing.Public().(ed25519.PublicKey) }

// PersonKey returns the keyed hash of an ID number: the same number always gives the
// same hash on this station under one data key, and without the data key the hash
// reveals nothing. A rotation gives every number a new hash.
func (k *Keys) PersonKey(idNumber string) string {
	return personKey(k.ring[0].person, idNumber)
}

func personKey(key []byte, idNumber string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(idNumber))
	return hex.EncodeToString(m.Sum(nil))
}

// DataKeyID returns the id of the data key that seals new values and hashes ID numbers.
func (k *Keys) DataKeyID() string { return k.ring[0].id }

// DataKeyIDs returns the ids of every data key loaded, the sealing one first. More than
// one means a rotation is unfinished.
func (k *Keys) DataKeyIDs() []string {
	out := make([]string, len(k.ring))
	for i, d := range k.ring {
		out[i] = d.id
	}
	return out
}

// Rotating reports whether a rotation of the data key is unfinished.
func (k *Keys) Rotating() bool { return len(k.ring) > 1 }

// BeginRotation starts or resumes a rotation of the data key in dir: it makes the new
// key (NextDataFile) unless an interrupted rotation left one, and returns the keys
// with the new key sealing and hashing and the current one kept to open the values
// not yet re-sealed. The station must not be running (the caller holds the database).
func BeginRotation(dir string) (*Keys, error) {
	seed, err := readKey(filepath.Join(dir, SigningFile), signingBlock)
	if err != nil {
		return nil, err
	}
	cur, err := readKey(filepath.Join(dir, DataFile), dataBlock)
	if err != nil {
		return nil, err
	}
	nextPath := filepath.Join(dir, NextDataFile)
	if _, err := os.Stat(nextPath); errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		for {
			if _, err := rand.Read(key); err != nil {
				return nil, err
			}
			if KeyID(key) != KeyID(cur) { // 1 in 4 billion: ids must tell keys apart
				break
			}
		}
		if err := writeKey(nextPath, dataBlock, key); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("read key %s: %w", nextPath, err)
	}
	return load(dir, seed, true)
}

// FinishRotation makes the rotation's new key the station's data key: one atomic
// rename of NextDataFile over DataFile, which deletes the old key. Call it only once
// nothing sealed or hashed under the old key is left.
func FinishRotation(dir string) error {
	next := filepath.Join(dir, NextDataFile)
	if _, err := readKey(next, dataBlock); err != nil {
		return err
	}
	if err := os.Rename(next, filepath.Join(dir, DataFile)); err != nil {
		return fmt.Errorf("make the new data key current: %w", err)
	}
	atomicfile.SyncDir(dir)
	return nil
}

func loadOrCreate(path, blockType string) ([]byte, error) {
	key, err := readKey(path, blockType)
	if !errors.Is(err, os.ErrNotExist) {
		return key, err
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return key, writeKey(path, blockType, key)
}

// readKey reads a 32-byte key; the error wraps os.ErrNotExist if there is no file.
func readKey(path, blockType string) ([]byte, error) {
	buf, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("key %s: %w", path, err)
	} else if err != nil {
		return nil, fmt.Errorf("read key %s: %w", path, err)
	}
	block, _ := pem.Decode(buf)
	if block == nil || block.Type != blockType || len(block.Bytes) != 32 {
		return nil, fmt.Errorf("key file %s is damaged: restore it from the backup of the keys folder", path)
	}
	if id, ok := block.Headers[keyIDHeader]; ok && id != KeyID(block.Bytes) {
		return nil, fmt.Errorf("key file %s is damaged (its key does not match its Key-Id): restore it from the backup of the keys folder", path)
	}
	return block.Bytes, nil
}

func writeKey(path, blockType string, key []byte) error {
	block := &pem.Block{Type: blockType, Bytes: key}
	if blockType == dataBlock {
		block.Headers = map[string]string{keyIDHeader: KeyID(key)}
	}
	if err := atomicfile.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return fmt.Errorf("write key %s: %w", path, err)
	}
	return nil
}
