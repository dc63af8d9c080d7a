// Package keys keeps the station's secrets in files beside, not inside, the database:
// the Ed25519 key that signs tickets and the data key that hashes and encrypts personal
// data. A stolen database file is useless without them.
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
)

// File names inside the keys folder.
const (
	SigningFile = "station-ed25519.pem"
	DataFile    = "data-key.pem"
)

// Keys are the station's secrets.
type Keys struct {
	Signing ed25519.PrivateKey
	data    []byte // 32 random bytes; subkeys are derived from it per purpose
	person  []byte
}

// LoadOrCreate reads the keys in dir, making any that do not exist yet (first start).
// Files are written 0600 in a 0700 folder, atomically, so a power cut never leaves half
// a key.
func LoadOrCreate(dir string) (*Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create keys folder: %w", err)
	}
	seed, err := loadOrCreate(filepath.Join(dir, SigningFile), "BINGZHAN ED25519 SEED")
	if err != nil {
		return nil, err
	}
	data, err := loadOrCreate(filepath.Join(dir, DataFile), "BINGZHAN DATA KEY")
	if err != nil {
		return nil, err
	}
	person, err := hkdf.Key(sha256.New, data, nil, "bingzhan person key v1", 32)
	if err != nil {
		return nil, err
	}
	return &Keys{Signing: ed25519.NewKeyFromSeed(seed), data: data, person: person}, nil
}

// Public returns the public half of the signing key.
func (k *Keys) Public() ed25519.PublicKey { return k.Signing.Public().(ed25519.PublicKey) }

// PersonKey returns the keyed hash of an ID number: the same number always gives the
// same hash on this station, and without the data key the hash reveals nothing.
func (k *Keys) PersonKey(idNumber string) string {
	m := hmac.New(sha256.New, k.person)
	m.Write([]byte(idNumber))
	return hex.EncodeToString(m.Sum(nil))
}

func loadOrCreate(path, blockType string) ([]byte, error) {
	buf, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := WriteFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: key}), 0o600); err != nil {
			return nil, fmt.Errorf("write key %s: %w", path, err)
		}
		return key, nil
	} else if err != nil {
		return nil, fmt.Errorf("read key %s: %w", path, err)
	}
	block, _ := pem.Decode(buf)
	if block == nil || block.Type != blockType || len(block.Bytes) != 32 {
		return nil, fmt.Errorf("key file %s is damaged: restore it from the backup of the keys folder", path)
	}
	return block.Bytes, nil
}

// WriteFileAtomic writes data to path through a synced temporary file and a rename,
// so a power cut leaves the old file or the new one, never half a key.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
