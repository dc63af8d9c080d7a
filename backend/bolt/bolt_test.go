package bolt_test

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"bingzhan/backend/bolt"
	"bingzhan/backend/keys"

	"github.com/jonboulle/clockwork"
)

var shanghai = time.FixedZone("CST", 8*3600)

// MustOpenDB opens a database in a fresh temp dir with a clock at 09:00 station time.
func MustOpenDB(tb testing.TB) (*bolt.DB, *clockwork.FakeClock) {
	tb.Helper()
	return MustOpenDBAt(tb, tb.TempDir())
}

// MustOpenDBAt opens the database in dir.
func MustOpenDBAt(tb testing.TB, dir string) (*bolt.DB, *clockwork.FakeClock) {
	tb.Helper()
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 23, 9, 0, 0, 0, shanghai))
	db := bolt.NewDB(dir)
	db.Clock = clock
	db.Location = shanghai
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, clock
}

// setTime moves clock to t, forward or back, firing the timers it passes.
func setTime(clock *clockwork.FakeClock, t time.Time) { clock.Advance(t.Sub(clock.Now())) }

// runLoop runs a store's run loop until the test ends, or until the returned stop
// is called (which waits for it to return).
func runLoop(tb testing.TB, loop func(ctx context.Context)) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); loop(ctx) }()
	stop = func() { cancel(); <-done }
	tb.Cleanup(stop)
	return stop
}

// waitTimers waits until n timers wait on clock: a run loop that sets its next timer
// after its work has done that work, so a test may look, then Advance. Without it an
// Advance could come before the loop's timer exists and move nothing.
func waitTimers(tb testing.TB, clock *clockwork.FakeClock, n int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clock.BlockUntilContext(ctx, n); err != nil {
		tb.Fatalf("waiting for %d timers: %v", n, err)
	}
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
