package bolt_test

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bingzhan/backend"
	stationbolt "bingzhan/backend/bolt"
	"bingzhan/backend/report"
	"bingzhan/sync/agent"
	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	countyhttp "bingzhan/sync/county/http"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"
)

// restartableCounty is a county server on a fixed loopback address that can be
// stopped, have its database file replaced, and be started again, while stations keep
// the same URL. While stopped it answers 503, as a proxy in front of a stopped county
// would.
type restartableCounty struct {
	t       *testing.T
	dir     string
	url     string
	store   *countybolt.Store
	handler atomic.Pointer[http.Handler]
}

func startRestartable(t *testing.T) *restartableCounty {
	rc := &restartableCounty{t: t, dir: t.TempDir()}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rc.url = "http://" + lis.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := rc.handler.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, `{"code":"unavailable","message":"county stopped"}`, http.StatusServiceUnavailable)
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(lis)
	t.Cleanup(func() {
		srv.Close()
		if rc.store != nil {
			rc.store.Close()
		}
	})
	rc.start()
	return rc
}

func (rc *restartableCounty) start() {
	rc.store = openStoreNoCleanup(rc.t, rc.dir)
	var h http.Handler = (&countyhttp.Server{Store: rc.store, Backups: rc.store, Logger: synctest.Quiet, PublicURLs: []string{rc.url}}).Handler()
	rc.handler.Store(&h)
}

func (rc *restartableCounty) stop() {
	rc.handler.Store(nil)
	if err := rc.store.Close(); err != nil {
		rc.t.Fatal(err)
	}
	rc.store = nil
}

// restore does what the README tells operators: stop the county, copy the backup
// over the database file, start it.
func (rc *restartableCounty) restore(backup string) {
	rc.stop()
	copyFile(rc.t, backup, filepath.Join(rc.dir, countybolt.FileName))
	rc.start()
}

func (rc *restartableCounty) enrol(name string) backend.Enrolment {
	e, err := county.NewEnrolment(rc.t.Context(), rc.store, nil, name, []string{rc.url}, "")
	if err != nil {
		rc.t.Fatal(err)
	}
	return backend.Enrolment{CountyURL: e.CountyURL, StationID: e.StationID, StationName: e.StationName, Secret: e.Secret}
}

func openStoreNoCleanup(t *testing.T, dir string) *countybolt.Store {
	t.Helper()
	st, err := countybolt.Open(dir, countybolt.Options{ReadSheet: report.ParseSheet, Logger: synctest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	st.Logger = synctest.Quiet
	return st
}

// restoreStation is a real station store with its real sync agent, which can be
// stopped and started.
type restoreStation struct {
	t    *testing.T
	key  string
	db   *stationbolt.DB
	cfg  agent.Config
	stop func()
}

func newRestoreStation(t *testing.T, key string, e backend.Enrolment) *restoreStation {
	s := &restoreStation{t: t, key: key, db: synctest.OpenStation(t, "")}
	s.cfg = synctest.FastConfig(s.db, e, key)
	s.run()
	t.Cleanup(func() { s.halt() })
	return s
}

func (s *restoreStation) run() {
	a, err := agent.New(s.cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { a.Run(ctx) })
	s.stop = func() { cancel(); wg.Wait() }
}

func (s *restoreStation) halt() {
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
}

func (s *restoreStation) record(n int) { synctest.Backlog(s.t, s.db, s.key, n) }

func (s *restoreStation) drained() { synctest.WaitDrained(s.t, s.db, 10*time.Second) }

func (s *restoreStation) stats() backend.OutboxStats {
	st, err := s.db.OutboxStats(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return st
}

// seqs returns the sequences the county holds for a station, in order.
func seqs(t *testing.T, st *countybolt.Store, station string) []uint64 {
	t.Helper()
	es, err := st.Entries(t.Context(), station, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]uint64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

// span returns the sequences from..to.
func span(from, to uint64) []uint64 {
	var out []uint64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func sameSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRestoreCountyFromBackup restores a real county from its own backup while real
// station agents push to it over loopback, and pins down what the stations can and
// cannot give back:
//
//   - records the county acknowledged after the backup are gone from the county for
//     good: the stations deleted them from their outboxes when the county answered;
//   - records a station had not delivered yet when the county was restored (a station
//     offline at the time) arrive in full;
//   - new records keep flowing without dead letters; the lost sequences stay a gap,
//     so the county's contiguous sequence stops before it;
//   - a station enrolled after the backup is unknown to the restored county (401)
//     until it is enrolled again, and then delivers what it still holds.
func TestRestoreCountyFromBackup(t *testing.T) {
	rc := startRestartable(t)
	eA, eB := rc.enrol("A 在线站"), rc.enrol("B 离线站")
	a := newRestoreStation(t, "key-A", eA)
	b := newRestoreStation(t, "key-B", eB)
	a.record(100)
	b.record(100)
	a.drained()
	b.drained()

	backup, err := rc.store.Backup(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	// After the backup: A delivers 50 more, B is offline and keeps 40, C is enrolled
	// and delivers 10.
	b.halt()
	a.record(50)
	b.record(40)
	eC := rc.enrol("C 新站")
	c := newRestoreStation(t, "key-C", eC)
	c.record(10)
	a.drained()
	c.drained()
	if got := seqs(t, rc.store, eA.StationID); !sameSeqs(got, span(1, 150)) {
		t.Fatalf("before the restore the county held A's %d entries, want 1..150", len(got))
	}

	rc.restore(backup.Path)
	a.record(30)
	b.run()
	c.record(5)
	a.drained()
	b.drained()

	t.Run("AcknowledgedAfterBackupLost", func(t *testing.T) {
		want := append(span(1, 100), span(151, 180)...)
		if got := seqs(t, rc.store, eA.StationID); !sameSeqs(got, want) {
			t.Fatalf("county holds A's sequences %v…, want 1..100 and 151..180 (101..150 lost)", got[:min(len(got), 5)])
		}
		if st := a.stats(); st.Pending != 0 || st.DeadLetters != 0 {
			t.Errorf("station A: %+v, want nothing pending and no dead letters", st)
		}
		sts, _ := rc.store.Stations(t.Context())
		for _, st := range sts {
			if st.ID == eA.StationID && (st.Contiguous != 100 || st.Total != 130) {
				t.Errorf("county record of A: contiguous %d total %d, want 100 and 130", st.Contiguous, st.Total)
			}
		}
		// The station keeps the highest contiguous sequence it ever heard, so its panel
		// still shows 150: after a county restore the county's dashboard is the one to
		// read (docs/sync-protocol.md says so; change it there if this changes).
		// The county shows the hole: on the API and on the dashboard, in words.
		views, _, err := (&countyhttp.Server{Store: rc.store, Backups: rc.store, Logger: synctest.Quiet}).StationViews(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range views {
			if v.ID == eA.StationID && (v.Missing != 50 || v.Highest != 180 || v.Contiguous != 100) {
				t.Errorf("GET /api/v1/stations for A: missing %d highest %d contiguous %d, want 50, 180, 100", v.Missing, v.Highest, v.Contiguous)
			}
			if v.ID == eB.StationID && v.Missing != 0 {
				t.Errorf("B shows %d missing, want 0", v.Missing)
			}
		}
		if err := rc.store.AddUser(t.Context(), "王科长", "258013"); err != nil {
			t.Fatal(err)
		}
		token, err := rc.store.Login(t.Context(), "王科长", "258013")
		if err != nil {
			t.Fatal(err)
		}
		resp, body := synctest.Get(t, rc.url+"/", token)
		if resp.StatusCode != 200 || !strings.Contains(string(body), "缺少 50 条记录（第 101 条起）") {
			t.Errorf("dashboard does not show A's lost records: %d\n%s", resp.StatusCode, body)
		}
		ss, err := a.db.SyncState(context.Background())
		// The station's panel follows the county's word: it holds 1–100 contiguously.
		if err != nil || ss.Contiguous != 100 {
			t.Errorf("station A's panel shows the county's contiguous %d (%v), want 100", ss.Contiguous, err)
		}
	})
	t.Run("UndeliveredResent", func(t *testing.T) {
		if got := seqs(t, rc.store, eB.StationID); !sameSeqs(got, span(1, 140)) {
			t.Fatalf("county holds %d of B's entries, want 1..140", len(got))
		}
		if st := b.stats(); st.DeadLetters != 0 {
			t.Errorf("station B: %d dead letters", st.DeadLetters)
		}
	})
	t.Run("EnrolledAfterBackupUnknown", func(t *testing.T) {
		synctest.WaitFor(t, "C's agent to meet the restored county", func() bool {
			ss, _ := c.db.SyncState(context.Background())
			return ss.LastError != nil
		})
		ss, _ := c.db.SyncState(context.Background())
		if ss.LastError.Code != backend.EUNAUTHORIZED {
			t.Errorf("station C's panel says %+v, want unauthorized (ask for a new enrolment file)", ss.LastError)
		}
		if st := c.stats(); st.Pending != 5 {
			t.Errorf("station C holds %d pending, want its 5 new records kept safe", st.Pending)
		}
		// Enrolled again with a new file, it delivers what it still holds, under its
		// own sequences; its first 10 are lost with the county's copy.
		c.halt()
		eC2 := rc.enrol("C 新站")
		c.cfg = synctest.FastConfig(c.db, eC2, "key-C")
		c.run()
		c.drained()
		if got := seqs(t, rc.store, eC2.StationID); !sameSeqs(got, span(11, 15)) {
			t.Errorf("county holds C's sequences %v, want 11..15", got)
		}
	})
}

// TestRestore_VersionNamesNeverRepeat: an import after a restore, on the same day as
// one the restore lost, counts the same import number again — and still gets a new
// version name, so a station that holds the lost version fetches the new one rather
// than taking it for what it has.
func TestRestore_VersionNamesNeverRepeat(t *testing.T) {
	rc := startRestartable(t)
	csv := func(phone string) []byte {
		return []byte("id_number,name,phone,categories,card_status\n11010519491231002X,张三," + phone + ",VETERAN,issued\n")
	}
	if _, err := rc.store.Import(t.Context(), wire.RefRegistry, "r.csv", csv("13812341234"), "王科长"); err != nil {
		t.Fatal(err)
	}
	backup, err := rc.store.Backup(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lost, err := rc.store.Import(t.Context(), wire.RefRegistry, "r.csv", csv("13812345678"), "王科长")
	if err != nil {
		t.Fatal(err)
	}
	rc.restore(backup.Path)
	again, err := rc.store.Import(t.Context(), wire.RefRegistry, "r.csv", csv("13900001111"), "王科长")
	if err != nil {
		t.Fatal(err)
	}
	if again.Version == lost.Version {
		t.Fatalf("the import after the restore is %s, the name of the version the restore lost", again.Version)
	}
	etag, _, err := rc.store.CurrentDataset(t.Context(), wire.RefRegistry)
	if err != nil || etag != wire.ETag(again.Version) {
		t.Fatalf("current %s %v, want %s", etag, err, again.Version)
	}
	t.Logf("lost %s, after the restore %s", lost.Version, again.Version)
}
