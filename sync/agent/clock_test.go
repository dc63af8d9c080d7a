package agent_test

import (
	"context"
	"testing"
	"time"

	"bingzhan/sync/agent"
	"bingzhan/sync/synctest"

	"github.com/jonboulle/clockwork"
)

// TestAgent_RunFollowsTheClock: between cycles the agent waits on the station's clock,
// not on the machine's — an hour's interval passes when the clock is moved an hour,
// and a nudge's gathering delay likewise.
func TestAgent_RunFollowsTheClock(t *testing.T) {
	c := synctest.StartCounty(t)
	e := c.Enrol(t, "东风镇服务站", "")
	db := synctest.OpenStation(t, "")
	clock := clockwork.NewFakeClock()
	cfg := synctest.FastConfig(db, e, "key-1")
	cfg.Clock, cfg.Interval, cfg.NudgeDelay = clock, time.Hour, 5*time.Second
	a, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	pending := func() int {
		st, err := db.OutboxStats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return st.Pending
	}
	waitTimer := func() {
		t.Helper()
		bctx, bcancel := context.WithTimeout(ctx, 10*time.Second)
		defer bcancel()
		if err := clock.BlockUntilContext(bctx, 1); err != nil {
			t.Fatalf("the agent is not waiting on the clock: %v", err)
		}
	}

	waitTimer() // the first cycle found nothing to send
	synctest.Backlog(t, db, "key-1", 5)
	time.Sleep(300 * time.Millisecond) // many real intervals of FastConfig, none of the clock's
	if n := pending(); n != 5 {
		t.Fatalf("%d pending before the clock moved, want 5: the agent did not wait for its interval", n)
	}
	clock.Advance(76 * time.Minute) // past the longest jittered interval (1h + 25 %)
	synctest.WaitDrained(t, db, 10*time.Second)

	// A nudge sends within its gathering delay, long before the next interval (at least
	// 45 minutes away): move the clock a second at a time and see it go out.
	waitTimer()
	synctest.Backlog(t, db, "key-1", 3)
	a.Nudge()
	for moved := time.Duration(0); pending() > 0; moved += time.Second {
		if moved > time.Minute {
			t.Fatalf("a nudge was not served in a minute of the clock: %d pending", pending())
		}
		time.Sleep(20 * time.Millisecond)
		clock.Advance(time.Second)
	}
}
