package bolt_test

import (
	"crypto/ed25519"
	"testing"
	"time"

	"bingzhan/backend/bolt"
	"bingzhan/backend/keys"
)

var shanghai = time.FixedZone("CST", 8*3600)

// Clock is a settable clock for tests.
type Clock struct{ T time.Time }

func (c *Clock) Now() time.Time { return c.T }

// MustOpenDB opens a database in a fresh temp dir with a clock at 09:00 station time.
func MustOpenDB(tb testing.TB) (*bolt.DB, *Clock) {
	tb.Helper()
	return MustOpenDBAt(tb, tb.TempDir())
}

// MustOpenDBAt opens the database in dir.
func MustOpenDBAt(tb testing.TB, dir string) (*bolt.DB, *Clock) {
	tb.Helper()
	clock := &Clock{T: time.Date(2026, 11, 23, 9, 0, 0, 0, shanghai)}
	db := bolt.NewDB(dir)
	db.Now = clock.Now
	db.Location = shanghai
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, clock
}

// MustKeys makes station keys in a temp dir.
func MustKeys(tb testing.TB) *keys.Keys {
	tb.Helper()
	k, err := keys.LoadOrCreate(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func pub(k *keys.Keys) ed25519.PublicKey { return k.Public() }
