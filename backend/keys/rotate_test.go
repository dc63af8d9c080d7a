package keys_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bingzhan/backend/keys"
)

func TestRotation(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	station, err := keys.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	oldID := station.DataKeyID()
	oldCipher, _ := station.Cipher()
	secret := []byte("11010519491231002X")
	oldSealed, _ := oldCipher.Seal("person", "rec-1", secret)
	if keys.SealedKeyID(oldSealed) != oldID || !oldCipher.Current(oldSealed) {
		t.Fatalf("a sealed value names key %q, want %q", keys.SealedKeyID(oldSealed), oldID)
	}

	rot, err := keys.BeginRotation(dir)
	if err != nil {
		t.Fatal(err)
	}
	newID := rot.DataKeyID()
	if newID == oldID || !rot.Rotating() || rot.DataKeyIDs()[1] != oldID {
		t.Fatalf("rotation keys %v (old %s)", rot.DataKeyIDs(), oldID)
	}
	rotCipher, _ := rot.Cipher()
	newSealed, _ := rotCipher.Seal("person", "rec-1", secret)

	t.Run("Resume", func(t *testing.T) {
		again, err := keys.BeginRotation(dir)
		if err != nil || again.DataKeyID() != newID {
			t.Fatalf("a second BeginRotation made another key: %v %v", again.DataKeyIDs(), err)
		}
	})

	t.Run("InterruptedStationOpensBoth", func(t *testing.T) {
		k, err := keys.LoadOrCreate(dir)
		if err != nil {
			t.Fatal(err)
		}
		// The station keeps sealing and hashing with the key it had.
		if k.DataKeyID() != oldID || k.PersonKey("x") != station.PersonKey("x") || !k.Rotating() {
			t.Fatalf("station keys during a rotation: %v", k.DataKeyIDs())
		}
		c, _ := k.Cipher()
		for _, s := range [][]byte{oldSealed, newSealed} {
			if got, err := c.Open("person", "rec-1", s); err != nil || !bytes.Equal(got, secret) {
				t.Fatalf("Open = %q, %v", got, err)
			}
		}
		if h, ok := c.PersonKeyUnder(newID, "x"); !ok || h != rot.PersonKey("x") || h == k.PersonKey("x") {
			t.Fatal("PersonKeyUnder the new key is not the rotation's hash")
		}
	})

	if err := keys.FinishRotation(dir); err != nil {
		t.Fatal(err)
	}
	t.Run("Finished", func(t *testing.T) {
		k, err := keys.LoadOrCreate(dir)
		if err != nil {
			t.Fatal(err)
		}
		if ids := k.DataKeyIDs(); len(ids) != 1 || ids[0] != newID || k.PersonKey("x") != rot.PersonKey("x") {
			t.Fatalf("keys after the rotation: %v", ids)
		}
		if _, err := os.Stat(filepath.Join(dir, keys.NextDataFile)); !errors.Is(err, os.ErrNotExist) {
			t.Fatal("the rotation's file is left")
		}
		c, _ := k.Cipher()
		if got, err := c.Open("person", "rec-1", newSealed); err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("Open = %q, %v", got, err)
		}
		_, err = c.Open("person", "rec-1", oldSealed)
		var unknown *keys.UnknownKeyError
		if !errors.Is(err, keys.ErrOpen) || !errors.As(err, &unknown) || unknown.ID != oldID || !strings.Contains(err.Error(), oldID) {
			t.Fatalf("a value of the retired key: %v", err)
		}
		if _, ok := c.PersonKeyUnder(oldID, "x"); ok {
			t.Fatal("the retired key still hashes")
		}
	})

	t.Run("ErrCurrentKeyLost", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "keys")
		if _, err := keys.LoadOrCreate(other); err != nil {
			t.Fatal(err)
		}
		if _, err := keys.BeginRotation(other); err != nil {
			t.Fatal(err)
		}
		os.Remove(filepath.Join(other, keys.DataFile))
		if _, err := keys.LoadOrCreate(other); err == nil || !strings.Contains(err.Error(), "rotation is unfinished") {
			t.Fatalf("start without the current key mid-rotation: %v", err)
		}
		if _, err := os.Stat(filepath.Join(other, keys.DataFile)); !errors.Is(err, os.ErrNotExist) {
			t.Fatal("a fresh key was made in place of the lost one")
		}
	})

	t.Run("ErrNoRotation", func(t *testing.T) {
		if err := keys.FinishRotation(dir); err == nil {
			t.Fatal("finished a rotation that was not begun")
		}
	})
}

// TestCipher_Version1 opens a value in the format stations wrote before keys could
// rotate (no key id), made here by hand from the key file, and checks a rotation
// would re-seal it.
func TestCipher_Version1(t *testing.T) {
	dir := t.TempDir()
	k, err := keys.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	buf, _ := os.ReadFile(filepath.Join(dir, keys.DataFile))
	block, _ := pem.Decode(buf)
	if block.Headers["Key-Id"] != k.DataKeyID() {
		t.Fatalf("key file names id %q, the key's is %q", block.Headers["Key-Id"], k.DataKeyID())
	}
	fieldKey, _ := hkdf.Key(sha256.New, block.Bytes, nil, "bingzhan field cipher v1", 32)
	b, _ := aes.NewCipher(fieldKey)
	aead, _ := cipher.NewGCM(b)
	nonce := make([]byte, 12)
	rand.Read(nonce)
	ad := append([]byte("bingzhan/v1"), 0, byte(len("visit.personal")))
	ad = append(append(ad, "visit.personal"...), "v-1"...)
	v1 := aead.Seal(append([]byte{1}, nonce...), nonce, []byte("张三"), ad)

	c, _ := k.Cipher()
	if got, err := c.Open("visit.personal", "v-1", v1); err != nil || string(got) != "张三" {
		t.Fatalf("Open(version 1) = %q, %v", got, err)
	}
	if c.Current(v1) || keys.SealedKeyID(v1) != "" {
		t.Fatal("a version-1 value counts as current: a rotation would leave it")
	}
	if _, err := c.Open("visit.personal", "v-2", v1); !errors.Is(err, keys.ErrOpen) {
		t.Fatalf("version 1 for another record: %v", err)
	}
}

func TestLoad(t *testing.T) {
	t.Run("ErrMissing", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := keys.Load(dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("Load of an empty folder: %v", err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Fatal("Load made files")
		}
	})
	t.Run("ErrKeyIDMismatch", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := keys.LoadOrCreate(dir); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, keys.DataFile)
		buf, _ := os.ReadFile(path)
		block, _ := pem.Decode(buf)
		block.Bytes[0] ^= 1
		os.WriteFile(path, pem.EncodeToMemory(block), 0o600)
		if _, err := keys.Load(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
			t.Fatalf("a key that does not match its id: %v", err)
		}
	})
}

// FuzzCipherOpen feeds Open arbitrary bytes: it never panics, and nothing but a
// value sealed for the field and record opens.
func FuzzCipherOpen(f *testing.F) {
	k, err := keys.LoadOrCreate(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	c, _ := k.Cipher()
	good, _ := c.Seal("person", "rec-1", []byte("x"))
	f.Add(good)
	f.Add([]byte{1})
	f.Add([]byte{2, 0, 0, 0, 0})
	f.Add(append([]byte{1}, good[5:]...))
	f.Fuzz(func(t *testing.T, sealed []byte) {
		got, err := c.Open("person", "rec-1", sealed)
		if err == nil && (!bytes.Equal(sealed, good) || string(got) != "x") {
			t.Fatalf("Open accepted %x", sealed)
		}
		if err != nil && !errors.Is(err, keys.ErrOpen) {
			t.Fatalf("Open error %v is not ErrOpen", err)
		}
	})
}
