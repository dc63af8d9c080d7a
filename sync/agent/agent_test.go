package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
	"bingzhan/sync/agent"
	countyhttp "bingzhan/sync/county/http"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"
)

// checkExactlyOnce asserts that the county holds entries 1..n of station, each with the
// id the station gave it, and nothing else.
func checkExactlyOnce(t *testing.T, c *synctest.County, station string, n int, wantIDs map[uint64]string) {
	t.Helper()
	entries, _, err := c.Store.EntryCount(t.Context(), station)
	if err != nil {
		t.Fatal(err)
	}
	if entries != n {
		t.Fatalf("county holds %d entries of %s, want %d", entries, station, n)
	}
	got, err := c.Store.Entries(t.Context(), station, 1, n+1)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range got {
		if e.Seq != uint64(i+1) {
			t.Fatalf("entry %d has seq %d: a hole or a double", i+1, e.Seq)
		}
		if wantIDs != nil && wantIDs[e.Seq] != e.ID {
			t.Fatalf("seq %d stored with id %s, station made %s", e.Seq, e.ID, wantIDs[e.Seq])
		}
	}
	sts, _ := c.Store.Stations(t.Context())
	for _, st := range sts {
		if st.ID == station && (st.Contiguous != uint64(n) || st.Total != n) {
			t.Fatalf("station %s: contiguous %d, total %d, want %d", station, st.Contiguous, st.Total, n)
		}
	}
}

// stationIDs returns the ids of all outbox entries, by sequence.
func stationIDs(t *testing.T, db *bolt.DB) map[uint64]string {
	t.Helper()
	all, err := db.OutboxEntries(context.Background(), 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[uint64]string, len(all))
	for _, e := range all {
		out[e.Seq] = e.ID
	}
	return out
}

// TestAgent_FaultyLink: a backlog crosses a link that drops, resets, loses answers,
// throttles and stalls, into each county store, every entry exactly once.
func TestAgent_FaultyLink(t *testing.T) {
	for _, store := range synctest.CountyStores {
		t.Run(store, func(t *testing.T) { testFaultyLink(t, store) })
	}
}

func testFaultyLink(t *testing.T, store string) {
	c := synctest.StartCountyOn(t, store)
	proxy := synctest.StartProxy(t, c.URL, synctest.Faults{Drop: 0.08, Reset: 0.08, LoseAnswer: 0.12, TooMany: 0.05, Stall: 0.02})
	e := c.Enrol(t, "东风镇服务站", proxy.URL)
	db := synctest.OpenStation(t, "")
	const n = 10_000
	synctest.Backlog(t, db, "key-1", n)
	want := stationIDs(t, db)

	a, err := agent.New(synctest.FastConfig(db, e, "key-1"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	synctest.WaitDrained(t, db, 3*time.Minute)
	cancel()
	<-done

	checkExactlyOnce(t, c, e.StationID, n, want)
	counts := proxy.Counts()
	t.Logf("proxy: %v", counts)
	for _, f := range synctest.FaultNames {
		if counts[f] == 0 {
			t.Errorf("the proxy never applied fault %s; the test proves less than it claims", f)
		}
	}
	st, err := db.SyncStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.State != backend.SyncOK || st.Last.LastSuccess == nil || st.Last.Contiguous != n || len(st.DeadLetters) != 0 {
		t.Fatalf("sync status after draining: %+v", st)
	}
}

func TestAgent_NudgeFromWritePath(t *testing.T) {
	c := synctest.StartCounty(t)
	e := c.Enrol(t, "station", "")
	db := synctest.OpenStation(t, "")
	cfg := synctest.FastConfig(db, e, "key-1")
	cfg.Interval = time.Hour // only the nudge can make it push
	a, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db.OnOutbox = a.Nudge
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.Run(ctx)
	time.Sleep(50 * time.Millisecond) // the first cycle finds nothing
	synctest.Backlog(t, db, "key-1", 3)
	synctest.WaitDrained(t, db, 5*time.Second)
	checkExactlyOnce(t, c, e.StationID, 3, nil)
}

func TestAgent_Credentials(t *testing.T) {
	c := synctest.StartCounty(t)
	good := c.Enrol(t, "station", "")
	for _, tc := range []struct {
		name string
		edit func(*backend.Enrolment)
		key  string
	}{
		{"ErrWrongSecret", func(e *backend.Enrolment) { e.Secret = strings.Repeat("A", 43) }, "sync.unauthorized"},
		{"ErrUnknownStation", func(e *backend.Enrolment) { e.StationID = "st-9999-abcd" }, "sync.unauthorized"},
		{"ErrUnreachable", func(e *backend.Enrolment) { e.CountyURL = "http://127.0.0.1:1" }, "sync.unreachable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := synctest.OpenStation(t, "")
			synctest.Backlog(t, db, "key-1", 5)
			e := good
			tc.edit(&e)
			a, err := agent.New(synctest.FastConfig(db, e, "key-1"))
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Sync(context.Background()); err == nil {
				t.Fatal("sync succeeded with bad credentials")
			}
			st, err := db.SyncStatus(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if st.Pending != 5 || st.State != backend.SyncOffline || st.Last.LastError == nil || st.Last.LastError.Key != tc.key {
				t.Fatalf("status %+v, last error %+v; want 5 pending and %s", st, st.Last.LastError, tc.key)
			}
			if msg := st.Last.LastError.Message("zh-CN"); msg == "" || strings.Contains(msg, "%!") {
				t.Fatalf("error in words: %q", msg)
			}
		})
	}
	t.Run("ErrSecondStationSameFile", func(t *testing.T) {
		first := synctest.OpenStation(t, "")
		synctest.Backlog(t, first, "key-A", 2)
		a, _ := agent.New(synctest.FastConfig(first, good, "key-A"))
		if err := a.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		second := synctest.OpenStation(t, "")
		synctest.Backlog(t, second, "key-B", 2)
		b, _ := agent.New(synctest.FastConfig(second, good, "key-B"))
		if err := b.Sync(context.Background()); err == nil {
			t.Fatal("a second station pushed with the first one's enrolment")
		}
		st, _ := second.SyncStatus(context.Background())
		if e := st.Last.LastError; e == nil || e.Key != "sync.enrolment_taken" || !strings.Contains(e.Message("zh-CN"), "注册文件") {
			t.Fatalf("last error %+v", e)
		}
		checkExactlyOnce(t, c, good.StationID, 2, nil)
	})
}

func TestAgent_DeadLetters(t *testing.T) {
	c := synctest.StartCounty(t)
	e := c.Enrol(t, "station", "")
	ctx := context.Background()

	// Records the county cannot store (a kind no county accepts) stay dead letters:
	// renumbering is only for sequences taken by other records.
	db := synctest.OpenStation(t, "")
	synctest.Backlog(t, db, "key-1", 2)
	if err := db.AppendFacts(ctx, "key-1", "Bad Kind", map[string]int{"n": 3}, map[string]int{"n": 4}); err != nil {
		t.Fatal(err)
	}
	synctest.Backlog(t, db, "key-1", 1)
	a, _ := agent.New(synctest.FastConfig(db, e, "key-1"))
	if err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := db.SyncStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.DeadLetters) != 2 || st.Pending != 0 || st.State != backend.SyncAttention || st.Last.Contiguous != 2 {
		t.Fatalf("want 2 dead letters, nothing pending, state attention, county at 2; got %+v", st)
	}
	dl := st.DeadLetters[0]
	if dl.Code != "invalid" || dl.Entry.Seq != 3 {
		t.Fatalf("dead letter: %+v", dl)
	}
	if zh, en := dl.Text("zh-CN"), dl.Text("en"); !strings.Contains(zh, "格式有误") || !strings.Contains(en, "malformed") || strings.Contains(zh, "%!") {
		t.Fatalf("dead letter in words: %q / %q", zh, en)
	}
	if entries, _, _ := c.Store.EntryCount(t.Context(), e.StationID); entries != 3 {
		t.Fatalf("county holds %d entries, want 3 (seq 1, 2, 5)", entries)
	}

	t.Run("Discard", func(t *testing.T) {
		if err := db.DiscardDeadLetter(ctx, 3, "  ", "admin"); backend.ErrorCode(err) != backend.EINVALID {
			t.Fatalf("discard without a reason: %v", err)
		}
		if err := db.DiscardDeadLetter(ctx, 3, "test record", "admin"); err != nil {
			t.Fatal(err)
		}
		if err := a.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		st, _ := db.SyncStatus(ctx)
		if len(st.DeadLetters) != 1 || st.Pending != 0 || st.Last.Contiguous != 3 {
			t.Fatalf("after discard: %+v", st)
		}
	})
	t.Run("RetryStaysDead", func(t *testing.T) {
		if err := db.RetryDeadLetter(ctx, 99); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Fatalf("retry of no dead letter: %v", err)
		}
		if err := db.RetryDeadLetter(ctx, 4); err != nil {
			t.Fatal(err)
		}
		if st, _ := db.SyncStatus(ctx); st.Pending != 1 || len(st.DeadLetters) != 0 {
			t.Fatalf("after retry: %+v", st)
		}
		if err := a.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		// Still malformed, so it comes back, under its own sequence: not renumbered.
		st, _ := db.SyncStatus(ctx)
		if st.Pending != 0 || len(st.DeadLetters) != 1 || st.DeadLetters[0].Entry.Seq != 4 || st.DeadLetters[0].Code != "invalid" {
			t.Fatalf("after retried push: %+v", st)
		}
	})
}

func TestAgent_ManyStations(t *testing.T) {
	c := synctest.StartCounty(t)
	const stations, each = 20, 500
	var wg sync.WaitGroup
	errs := make(chan error, stations)
	ids := make([]string, stations)
	for i := range stations {
		e := c.Enrol(t, fmt.Sprintf("站 %02d", i), "")
		ids[i] = e.StationID
		db := synctest.OpenStation(t, "")
		key := fmt.Sprintf("key-%d", i)
		synctest.Backlog(t, db, key, each)
		a, err := agent.New(synctest.FastConfig(db, e, key))
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- a.Sync(context.Background())
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		checkExactlyOnce(t, c, id, each, nil)
	}
}

func TestAgent_References(t *testing.T) {
	c := synctest.StartCounty(t)
	e := c.Enrol(t, "station", "")
	db := synctest.OpenStation(t, "")
	ctx := context.Background()
	catalog := bolt.NewCatalogService(db, "key-1")
	applied := 0
	ref := agent.CatalogReference(
		func(ctx context.Context) (string, error) {
			cur, err := catalog.Catalog(ctx)
			if err != nil {
				return "", err
			}
			return cur.Version, nil
		},
		func(ctx context.Context, version string, data []byte) error {
			applied++
			return catalog.ReplaceCatalog(ctx, version, data)
		})
	cfg := synctest.FastConfig(db, e, "key-1")
	cfg.References = []agent.Reference{ref}
	a, _ := agent.New(cfg)

	if err := a.Sync(ctx); err != nil || applied != 0 {
		t.Fatalf("nothing published yet: err %v, applied %d", err, applied)
	}
	sheet := "id,domain,title_zh,summary_zh,categories,service,source\nHON-001,honor,悬挂光荣牌,门口挂牌,VETERAN MARTYR_FAMILY,H,L2 Art.59\n"
	info, err := c.Store.Import(t.Context(), wire.RefCatalog, "catalog.csv", []byte(sheet), "county-admin")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := a.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if applied != 1 {
		t.Fatalf("applied %d times, want once (the second fetch must be 304)", applied)
	}
	cur, err := catalog.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Version != info.Version || len(cur.Entitlements) != 1 || cur.Entitlements[0].TitleZH != "悬挂光荣牌" {
		t.Fatalf("station catalog %s with %d entitlements, want %s with 1", cur.Version, len(cur.Entitlements), info.Version)
	}
	if _, err := c.Store.Import(t.Context(), wire.RefCatalog, "catalog.csv", []byte(sheet+"HON-002,honor,走访慰问,节日走访,VETERAN,H,L1\n"), "county-admin"); err != nil {
		t.Fatal(err)
	}
	if err := a.Sync(ctx); err != nil || applied != 2 {
		t.Fatalf("new version: err %v, applied %d", err, applied)
	}
	if cur, _ := catalog.Catalog(ctx); len(cur.Entitlements) != 2 {
		t.Fatalf("station has %d entitlements after the second import", len(cur.Entitlements))
	}
}

func TestAgent_PinnedTLS(t *testing.T) {
	dir := t.TempDir()
	cert, err := countyhttp.LoadOrCreateCertificate(dir, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := synctest.StartCountyTLS(t, cert)
	db := synctest.OpenStation(t, "")
	synctest.Backlog(t, db, "key-1", 10)
	t.Run("OK", func(t *testing.T) {
		e := c.Enrol(t, "pinned", "")
		a, err := agent.New(synctest.FastConfig(db, e, "key-1"))
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		checkExactlyOnce(t, c, e.StationID, 10, nil)
	})
	t.Run("ErrOtherCertificate", func(t *testing.T) {
		other, err := countyhttp.LoadOrCreateCertificate(t.TempDir(), nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		e := c.Enrol(t, "wrong pin", "")
		e.CertPin = wire.SPKIPin(other.Leaf)
		other2 := synctest.OpenStation(t, "")
		synctest.Backlog(t, other2, "key-2", 1)
		a, _ := agent.New(synctest.FastConfig(other2, e, "key-2"))
		start := time.Now()
		if err := a.Sync(context.Background()); err == nil {
			t.Fatal("pushed to a county whose certificate does not match the pin")
		}
		st, _ := other2.SyncStatus(context.Background())
		if st.Last.LastError == nil || st.Last.LastError.Key != "sync.cert" || st.Pending != 1 {
			t.Fatalf("status %+v", st)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("a pin mismatch was retried (%v)", d)
		}
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	buf, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, buf, 0o600); err != nil {
		t.Fatal(err)
	}
}

// countyLogin logs in as the county user admin/258013 at addr (HOST:PORT, plain HTTP).
func countyLogin(tb testing.TB, addr string) string {
	tb.Helper()
	resp, err := http.Post("http://"+addr+"/api/v1/login", "application/json", strings.NewReader(`{"name":"admin","pin":"258013"}`))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		tb.Fatalf("county login: %d", resp.StatusCode)
	}
	return out.Token
}
