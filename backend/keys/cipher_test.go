package keys_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"testing"

	"bingzhan/backend/keys"
)

func mustCipher(tb testing.TB, dir string) *keys.Cipher {
	tb.Helper()
	k, err := keys.LoadOrCreate(dir)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := k.Cipher()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestCipher(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	c := mustCipher(t, dir)
	secret := []byte("11010519491231002X")

	t.Run("OK", func(t *testing.T) {
		sealed, err := c.Seal("person", "rec-1", secret)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, secret) || bytes.Contains(sealed, []byte("002X")) {
			t.Fatal("sealed value contains the plaintext")
		}
		got, err := c.Open("person", "rec-1", sealed)
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("Open = %q, %v", got, err)
		}
	})

	t.Run("StableAcrossRestarts", func(t *testing.T) {
		sealed, _ := c.Seal("person", "rec-1", secret)
		got, err := mustCipher(t, dir).Open("person", "rec-1", sealed)
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("reloaded key cannot open: %q, %v", got, err)
		}
	})

	t.Run("RandomNonces", func(t *testing.T) {
		a, _ := c.Seal("person", "rec-1", secret)
		b, _ := c.Seal("person", "rec-1", secret)
		if bytes.Equal(a, b) {
			t.Fatal("sealing the same value twice gave the same bytes: equal values would be visible in the file")
		}
	})

	t.Run("ErrOpen", func(t *testing.T) {
		sealed, _ := c.Seal("person", "rec-1", secret)
		flipped := bytes.Clone(sealed)
		flipped[len(flipped)-1] ^= 1
		other := mustCipher(t, filepath.Join(t.TempDir(), "other"))
		for _, tt := range []struct {
			name          string
			c             *keys.Cipher
			field, record string
			sealed        []byte
		}{
			{"OtherField", c, "phone", "rec-1", sealed},
			{"OtherRecord", c, "person", "rec-2", sealed},
			{"FieldRecordShift", c, "personr", "ec-1", sealed},
			{"Tampered", c, "person", "rec-1", flipped},
			{"Truncated", c, "person", "rec-1", sealed[:20]},
			{"Empty", c, "person", "rec-1", nil},
			{"OtherStation", other, "person", "rec-1", sealed},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := tt.c.Open(tt.field, tt.record, tt.sealed); !errors.Is(err, keys.ErrOpen) {
					t.Fatalf("Open = %v, want ErrOpen", err)
				}
			})
		}
	})

	t.Run("KeyLength", func(t *testing.T) {
		if _, err := keys.NewCipher(make([]byte, 16)); err == nil {
			t.Fatal("accepted a 16-byte key")
		}
	})
}

func BenchmarkCipherOpen(b *testing.B) {
	c := mustCipher(b, b.TempDir())
	sealed, _ := c.Seal("person", "rec-1", bytes.Repeat([]byte("x"), 300))
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Open("person", "rec-1", sealed); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCipher_Digest(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	c, err := keys.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("st-0001-3fa2|A|2026-11-23|09:00|11010519491231002X")
	a := c.Digest("booking", data)
	again, _ := keys.NewCipher(key)
	if !bytes.Equal(again.Digest("booking", data), a) {
		t.Fatal("the same key and data gave another digest: ids would change on every start")
	}
	other, _ := keys.NewCipher(bytes.Repeat([]byte{8}, 32))
	for what, d := range map[string][]byte{
		"another field": c.Digest("person", data),
		"another key":   other.Digest("booking", data),
		"other data":    c.Digest("booking", append(bytes.Clone(data), '1')),
	} {
		if bytes.Equal(d, a) {
			t.Errorf("%s gave the same digest", what)
		}
	}
	if sum := sha256.Sum256(data); bytes.Equal(sum[:], a) {
		t.Error("the digest is the plain SHA-256: a guessed ID number could be checked against it")
	}
}
