package agent_test

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/agent"
	countyhttp "bingzhan/sync/county/http"
	"bingzhan/sync/synctest"

	"github.com/jonboulle/clockwork"
)

// TestAgent_Failover: two county servers on one store (two loopback ports in front of
// one bbolt county); the one in use is killed in the middle of a backlog, and the
// station carries on at the other, every entry stored exactly once.
func TestAgent_Failover(t *testing.T) {
	c := synctest.StartCounty(t)
	fronts := []*synctest.Frontend{c.AddFrontend(t), c.AddFrontend(t)}
	synctest.CheckFailover(t, synctest.Failover{
		Store: c.Store, Clock: c.Clock, URLs: []string{fronts[0].URL, fronts[1].URL},
		Kill: func(i int) { fronts[i].Kill() },
	})
}

// TestAgent_FailoverLostAnswer: the server in use stores a batch and dies before it
// answers. The station sends the batch again to the other server, which answers
// duplicate for what the first stored: no entry twice, none lost, and the cycle does
// not fail (nothing for staff to see but the address).
func TestAgent_FailoverLostAnswer(t *testing.T) {
	c := synctest.StartCounty(t)
	a1, b1 := c.AddFrontend(t), c.AddFrontend(t)
	e := c.Enrol(t, "东风镇服务站", a1.URL, b1.URL)
	db := synctest.OpenStation(t, "")
	const n = 1000
	synctest.Backlog(t, db, "key-1", n)
	want := stationIDs(t, db)
	a, err := agent.New(synctest.FastConfig(db, e, "key-1"))
	if err != nil {
		t.Fatal(err)
	}
	a1.DieAfterPush()
	if err := a.Sync(context.Background()); err != nil {
		t.Fatalf("a cycle with a second server up failed: %v", err)
	}
	checkExactlyOnce(t, c, e.StationID, n, want)
	if held, _, _ := c.Store.EntryCount(t.Context(), e.StationID); held != n {
		t.Fatalf("county holds %d", held)
	}
	if a.County() != b1.URL {
		t.Fatalf("agent uses %s, want %s", a.County(), b1.URL)
	}
	st, err := db.SyncStatus(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.State != backend.SyncOK || st.County != b1.URL || !slices.Equal(st.Counties, []string{a1.URL, b1.URL}) || st.Last.LastError != nil {
		t.Fatalf("status: state %s county %s counties %q error %v", st.State, st.County, st.Counties, st.Last.LastError)
	}
}

// TestAgent_FailoverSticky: once at the second address the agent stays there, even
// when the first is back, until the second fails in turn; a restarted agent starts at
// the address that answered last.
func TestAgent_FailoverSticky(t *testing.T) {
	c := synctest.StartCounty(t)
	first, second := c.AddFrontend(t), c.AddFrontend(t)
	e := c.Enrol(t, "东风镇服务站", first.URL, second.URL)
	db := synctest.OpenStation(t, "")
	cfg := synctest.FastConfig(db, e, "key-1")
	a, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if a.County() != first.URL {
		t.Fatalf("a new agent starts at %s, want the first address %s", a.County(), first.URL)
	}
	sync := func(want *synctest.Frontend) {
		t.Helper()
		synctest.Backlog(t, db, "key-1", 10)
		if err := a.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		st, _ := db.SyncStatus(t.Context())
		if a.County() != want.URL || st.County != want.URL || st.Pending != 0 {
			t.Fatalf("agent at %s, status at %s with %d pending; want %s", a.County(), st.County, st.Pending, want.URL)
		}
	}
	sync(first)
	first.Kill()
	sync(second)
	first.Restart(t)
	before := first.Requests()
	sync(second)
	sync(second)
	if got := first.Requests() - before; got != 0 {
		t.Errorf("the first address got %d requests while the second answered", got)
	}
	second.Kill()
	sync(first)
	total, _, _ := c.Store.EntryCount(t.Context(), e.StationID)
	if total != 50 {
		t.Fatalf("county holds %d entries, want 50", total)
	}

	cfg.LastCounty = second.URL + "/"
	if b, _ := agent.New(cfg); b.County() != second.URL {
		t.Errorf("an agent told the last county %s starts at %s", cfg.LastCounty, b.County())
	}
	cfg.LastCounty = "http://127.0.0.1:1"
	if b, _ := agent.New(cfg); b.County() != first.URL {
		t.Errorf("an agent told an address not in its enrolment starts at %s", b.County())
	}
}

// answering starts a loopback server that answers every request with status and
// counts them: a county server in trouble (5xx) or one that refuses (4xx).
func answering(t *testing.T, status int) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ErrorLog: log.New(io.Discard, "", 0), Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, `{"code":"x","message":"as the test says"}`)
	})}
	go srv.Serve(lis)
	t.Cleanup(func() { srv.Close() })
	return "http://" + lis.Addr().String(), &n
}

// TestAgent_FailoverOn5xx: a server that answers 503 is retried as before (its full
// RetryMax), then the station moves on; a refusal (401, 409) is the county's word,
// which its other servers would repeat, so the station stays and reports it.
func TestAgent_FailoverOn5xx(t *testing.T) {
	c := synctest.StartCounty(t)
	good := c.AddFrontend(t)
	t.Run("OK503", func(t *testing.T) {
		bad, hits := answering(t, http.StatusServiceUnavailable)
		e := c.Enrol(t, "五零三站", bad, good.URL)
		db := synctest.OpenStation(t, "")
		synctest.Backlog(t, db, "key-1", 5)
		cfg := synctest.FastConfig(db, e, "key-1")
		a, _ := agent.New(cfg)
		if err := a.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		checkExactlyOnce(t, c, e.StationID, 5, nil)
		if a.County() != good.URL {
			t.Fatalf("agent at %s", a.County())
		}
		if got := hits.Load(); got != int64(cfg.RetryMax+1) {
			t.Errorf("the failing address got %d requests, want its %d tries and no more", got, cfg.RetryMax+1)
		}
	})
	for _, status := range []int{http.StatusUnauthorized, http.StatusConflict} {
		t.Run("NoFailover"+http.StatusText(status), func(t *testing.T) {
			refusing, _ := answering(t, status)
			e := c.Enrol(t, "拒绝站"+http.StatusText(status), refusing, good.URL)
			db := synctest.OpenStation(t, "")
			synctest.Backlog(t, db, "key-1", 5)
			a, _ := agent.New(synctest.FastConfig(db, e, "key-1"))
			before := good.Requests()
			if err := a.Sync(context.Background()); err == nil {
				t.Fatal("sync succeeded")
			}
			if got := good.Requests() - before; got != 0 {
				t.Errorf("a refusal sent %d requests to the other address", got)
			}
			st, _ := db.SyncStatus(t.Context())
			if st.Pending != 5 || st.Last.LastError == nil || st.State != backend.SyncOffline {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

// TestAgent_FailoverRoundIsOneFailure: with every address down, a round over all of
// them is one failed cycle: the agent's backoff grows as it did with one address (5xx
// answered by each: the current one gets its retries, the other one attempt), so the
// county is neither hammered nor left alone longer.
func TestAgent_FailoverRoundIsOneFailure(t *testing.T) {
	c := synctest.StartCounty(t)
	first, firstHits := answering(t, http.StatusBadGateway)
	second, secondHits := answering(t, http.StatusInternalServerError)
	e := c.Enrol(t, "全断站", first, second)
	db := synctest.OpenStation(t, "")
	synctest.Backlog(t, db, "key-1", 3)
	clock := clockwork.NewFakeClock()
	cfg := synctest.FastConfig(db, e, "key-1")
	cfg.Clock, cfg.MinBackoff, cfg.MaxBackoff = clock, time.Minute, time.Hour
	a, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	per := int64(cfg.RetryMax + 1)
	rounds := func(want int64) {
		t.Helper()
		bctx, bcancel := context.WithTimeout(ctx, 10*time.Second)
		defer bcancel()
		if err := clock.BlockUntilContext(bctx, 1); err != nil {
			t.Fatalf("the agent is not backing off: %v", err)
		}
		if f, s := firstHits.Load(), secondHits.Load(); f != want*per || s != want {
			t.Fatalf("after %d rounds: %d requests to the first address, %d to the second; want %d and %d", want, f, s, want*per, want)
		}
	}
	rounds(1)
	clock.Advance(cfg.MinBackoff) // one failure: the wait is at most MinBackoff
	rounds(2)
	// Two rounds are two failures: the wait lies in [MinBackoff, 2·MinBackoff]. Had
	// each address counted, it would be at least 2·MinBackoff after four.
	clock.Advance(cfg.MinBackoff - time.Nanosecond)
	time.Sleep(50 * time.Millisecond)
	if f := firstHits.Load(); f != 2*per {
		t.Fatalf("a third round began before the backoff of two failures: %d requests", f)
	}
	clock.Advance(cfg.MinBackoff + time.Nanosecond)
	rounds(3)
	st, _ := db.SyncStatus(t.Context())
	if st.State != backend.SyncOffline || st.County != first || st.Last.LastError == nil || st.Last.LastError.Key != "sync.county_error" {
		t.Fatalf("status: state %s county %s error %+v", st.State, st.County, st.Last.LastError)
	}
}

// TestAgent_FailoverPinnedTLS: the one pin holds at every address. Two servers share
// the county's certificate; an address that shows another certificate gets nothing
// and the station moves on to one that shows the pinned key.
func TestAgent_FailoverPinnedTLS(t *testing.T) {
	cert, err := countyhttp.LoadOrCreateCertificate(t.TempDir(), nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := synctest.StartCountyTLS(t, cert)
	one, two := c.AddFrontend(t), c.AddFrontend(t)
	other, err := countyhttp.LoadOrCreateCertificate(t.TempDir(), nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	impostor := synctest.StartCountyTLS(t, other).AddFrontend(t)
	e := c.Enrol(t, "加密站", impostor.URL, one.URL, two.URL)
	db := synctest.OpenStation(t, "")
	synctest.Backlog(t, db, "key-1", 20)
	a, err := agent.New(synctest.FastConfig(db, e, "key-1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a.County() != one.URL || impostor.Requests() != 0 {
		t.Fatalf("agent at %s; the other certificate's server got %d requests", a.County(), impostor.Requests())
	}
	one.Kill()
	synctest.Backlog(t, db, "key-1", 20)
	if err := a.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a.County() != two.URL || impostor.Requests() != 0 {
		t.Fatalf("agent at %s; the other certificate's server got %d requests", a.County(), impostor.Requests())
	}
	checkExactlyOnce(t, c, e.StationID, 40, nil)

	two.Kill()
	synctest.Backlog(t, db, "key-1", 1)
	if err := a.Sync(context.Background()); err == nil {
		t.Fatal("pushed with only the other certificate's server up")
	}
	st, _ := db.SyncStatus(t.Context())
	if st.Last.LastError == nil || st.Last.LastError.Key != "sync.cert" {
		t.Fatalf("last error %+v, want the certificate named", st.Last.LastError)
	}
}
