package backend_test

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
)

// seededKey returns a deterministic key so fuzz corpora stay meaningful across runs.
func seededKey(b byte) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = b
	}
	return ed25519.NewKeyFromSeed(seed)
}

var shanghai = time.FixedZone("CST", 8*3600)

func sampleTicket(key ed25519.PrivateKey) *backend.Ticket {
	return &backend.Ticket{
		StationID: backend.StationID(key.Public().(ed25519.PublicKey)),
		Date:      "2026-11-23", Service: "B", Seq: 17, Priority: true,
		IssuedAt: time.Date(2026, 11, 23, 9, 14, 3, 0, shanghai),
	}
}

func TestProof(t *testing.T) {
	key := seededKey(1)
	pub := key.Public().(ed25519.PublicKey)
	payload, err := backend.SignProof(key, sampleTicket(key))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		got, err := backend.VerifyProof(pub, payload, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		want := backend.ProofTicket{StationID: backend.StationID(pub), Date: "2026-11-23", Number: "B017",
			Service: "B", Priority: true, IssuedAt: time.Date(2026, 11, 23, 9, 14, 3, 0, shanghai)}
		if *got != want {
			t.Errorf("got %+v\nwant %+v", *got, want)
		}
	})

	t.Run("SmallAndAlphanumeric", func(t *testing.T) {
		// QR alphanumeric mode holds 154 characters at version 7, level M: a size a
		// 203 dpi printer renders with comfortable 6-dot modules.
		if len(payload) > 154 {
			t.Errorf("payload is %d characters", len(payload))
		}
		for _, c := range payload {
			if !strings.ContainsRune("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", c) {
				t.Fatalf("payload has %q, outside the QR alphanumeric set", c)
			}
		}
	})

	t.Run("ErrAltered", func(t *testing.T) {
		// Change each character of the encoded body in turn: every change must fail.
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
		for i := len("BZ1:"); i < len(payload); i++ {
			c := alphabet[(strings.IndexByte(alphabet, payload[i])+1)%len(alphabet)]
			altered := payload[:i] + string(c) + payload[i+1:]
			if _, err := backend.VerifyProof(pub, altered, shanghai); backend.ErrorCode(err) != backend.EINVALID {
				t.Fatalf("altered at %d: err = %v", i, err)
			}
		}
	})

	t.Run("ErrOtherStation", func(t *testing.T) {
		_, err := backend.VerifyProof(seededKey(2).Public().(ed25519.PublicKey), payload, shanghai)
		if e, ok := err.(*backend.Error); !ok || e.Key != "qr.other_station" {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("ErrForged", func(t *testing.T) {
		// A forger who copies the station id but signs with their own key.
		forger := seededKey(3)
		tk := sampleTicket(key)
		forged, err := backend.SignProof(forger, tk)
		if err != nil {
			t.Fatal(err)
		}
		_, err = backend.VerifyProof(pub, forged, shanghai)
		if e, ok := err.(*backend.Error); !ok || e.Key != "qr.bad_signature" {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("ErrMalformed", func(t *testing.T) {
		for _, p := range []string{"", "BZ1:", "BZ1:!!!", "hello", payload[:len(payload)-4], "BZ1:AE", "BZ2:" + payload[4:]} {
			if _, err := backend.VerifyProof(pub, p, shanghai); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("%q: err = %v", p, err)
			}
		}
	})
}

func FuzzVerifyProof(f *testing.F) {
	key := seededKey(1)
	pub := key.Public().(ed25519.PublicKey)
	good, _ := backend.SignProof(key, sampleTicket(key))
	for _, s := range []string{good, "", "BZ1:", "BZ1:AAAA", good[:40], strings.ToLower(good)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := backend.VerifyProof(pub, s, shanghai)
		if err != nil {
			if backend.ErrorCode(err) != backend.EINVALID {
				t.Fatalf("code %s for %q", backend.ErrorCode(err), s)
			}
			return
		}
		// Only a payload the station signed can verify; its fields must be sane.
		if !backend.ValidServiceLetter(got.Service) || len(got.Number) != 4 {
			t.Fatalf("verified nonsense %+v from %q", got, s)
		}
	})
}
