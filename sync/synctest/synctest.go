// Package synctest holds what the sync tests and benchmarks share: a real county
// server on loopback, a station store with a backlog, and a faulty proxy that loses
// requests and answers the way a rural line does. It is imported by tests only.
package synctest

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/backend/app/apptest"
	"bingzhan/backend/bolt"
	"bingzhan/backend/report"
	"bingzhan/sync/agent"
	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	countyhttp "bingzhan/sync/county/http"
	"bingzhan/sync/county/postgres"
	"bingzhan/sync/county/postgres/pgtest"
	"bingzhan/sync/wire"
)

// County is a county server running on 127.0.0.1.
type County struct {
	Dir    string       // the data folder
	Store  county.Store // bbolt, or PostgreSQL (StartCountyOn)
	Server *countyhttp.Server
	Clock  backend.Clock // the county's one clock
	URL    string
	srv    *http.Server
	cert   *tls.Certificate
	close  func() error // the store's
}

// Stores the sync tests run on: the bbolt county (a file in its folder) and the
// PostgreSQL one (a new database on the test binary's cluster: its TestMain must be
// pgtest.Main).
const (
	Bolt     = "bbolt"
	Postgres = "postgres"
)

// CountyStores are both, for a test to run on each.
var CountyStores = []string{Bolt, Postgres}

// StartCountyOn is StartCounty on the store named (Bolt or Postgres).
func StartCountyOn(tb testing.TB, store string) *County {
	tb.Helper()
	return startCountyOn(tb, store, nil, nil)
}

// openCountyStore opens a new, empty county store of the kind named in dir.
func openCountyStore(tb testing.TB, kind, dir string, clock backend.Clock) (county.Store, county.BackupService, *time.Location, func() error) {
	tb.Helper()
	switch kind {
	case Bolt:
		st, err := countybolt.Open(dir, countybolt.Options{ReadSheet: report.ParseSheet, Clock: clock, Logger: Quiet})
		if err != nil {
			tb.Fatal(err)
		}
		return st, st, st.Location(), st.Close
	case Postgres:
		url := pgtest.Shared(tb).NewDatabase(tb)
		st, err := postgres.Open(tb.Context(), url, dir, postgres.Options{ReadSheet: report.ParseSheet, Clock: clock, Logger: Quiet})
		if err != nil {
			tb.Fatal(err)
		}
		dumps := &postgres.Dumps{URL: url, Dir: filepath.Join(dir, countybolt.BackupDirName), Clock: clock, Logger: Quiet}
		return st, dumps, st.Location(), st.Close
	}
	tb.Fatalf("synctest: no county store %q", kind)
	return nil, nil, nil, nil
}

// Quiet is a logger that drops everything below errors.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// StartCounty opens a county store in a temp dir and serves it over plain HTTP.
func StartCounty(tb testing.TB) *County {
	tb.Helper()
	return startCounty(tb, nil, nil)
}

// StartCountyClock is StartCounty on clock (a clockwork fake, for a test that moves
// the county's time).
func StartCountyClock(tb testing.TB, clock backend.Clock) *County {
	tb.Helper()
	return startCounty(tb, nil, clock)
}

// StartCountyTLS is StartCounty serving HTTPS with cert, whose pin goes into new
// enrolments.
func StartCountyTLS(tb testing.TB, cert tls.Certificate) *County {
	tb.Helper()
	return startCounty(tb, &cert, nil)
}

func startCounty(tb testing.TB, cert *tls.Certificate, clock backend.Clock) *County {
	return startCountyOn(tb, Bolt, cert, clock)
}

func startCountyOn(tb testing.TB, kind string, cert *tls.Certificate, clock backend.Clock) *County {
	dir := tb.TempDir()
	clock = backend.ClockOrSystem(clock)
	st, backups, loc, closeStore := openCountyStore(tb, kind, dir, clock)
	c := &County{Dir: dir, Store: st, Clock: clock, cert: cert, close: closeStore,
		Server: &countyhttp.Server{Store: st, Backups: backups, Clock: clock, Location: loc, Logger: Quiet}}
	if cert != nil {
		c.Server.CertPin = wire.SPKIPin(cert.Leaf)
	}
	c.URL, c.srv = c.listen(tb, "127.0.0.1:0")
	c.Server.PublicURLs = []string{c.URL}
	tb.Cleanup(c.Close)
	return c
}

// listen serves the county's handler on addr, with its certificate if it has one.
func (c *County) listen(tb testing.TB, addr string) (string, *http.Server) {
	tb.Helper()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	url := "http://" + lis.Addr().String()
	if c.cert != nil {
		url = "https://" + lis.Addr().String()
		lis = tls.NewListener(lis, &tls.Config{Certificates: []tls.Certificate{*c.cert}, MinVersion: tls.VersionTLS12})
	}
	srv := &http.Server{Handler: c.Server.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(lis)
	return url, srv
}

// Frontend is one more county server on the same database as a County: its own
// loopback port, the same store and certificate. To a station it is a second server
// of the county, which it may fail over to.
type Frontend struct {
	URL      string
	county   *County
	mu       sync.Mutex
	srv      *http.Server
	requests atomic.Int64
	// dieAfterPush: the next push is stored, then the frontend dies unanswered.
	dieAfterPush atomic.Bool
}

// AddFrontend starts another server of c on a new loopback port, closed with the test.
func (c *County) AddFrontend(tb testing.TB) *Frontend {
	tb.Helper()
	f := &Frontend{county: c}
	f.start(tb, "127.0.0.1:0")
	tb.Cleanup(f.Kill)
	return f
}

func (f *Frontend) start(tb testing.TB, addr string) {
	tb.Helper()
	url, srv := f.county.listen(tb, addr)
	inner := srv.Handler
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		if r.URL.Path == wire.PushPath && f.dieAfterPush.CompareAndSwap(true, false) {
			inner.ServeHTTP(httptest.NewRecorder(), r) // stored and committed, answer dropped
			hijackClose(w, true)
			f.Kill()
			return
		}
		inner.ServeHTTP(w, r)
	})
	f.mu.Lock()
	f.URL, f.srv = url, srv
	f.mu.Unlock()
}

// Requests returns how many requests the frontend has received.
func (f *Frontend) Requests() int64 { return f.requests.Load() }

// Kill stops the frontend at once, as a crashed server: its port refuses connections
// and requests in flight lose their connection. The store stays open for the others.
func (f *Frontend) Kill() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.srv != nil {
		f.srv.Close()
		f.srv = nil
	}
}

// Restart serves again on the frontend's port after Kill, as a server brought back.
func (f *Frontend) Restart(tb testing.TB) {
	tb.Helper()
	f.start(tb, strings.TrimPrefix(strings.TrimPrefix(f.URL, "https://"), "http://"))
}

// Close stops the server and closes the store.
func (c *County) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.srv.Shutdown(ctx)
	c.close()
}

// CloseStore closes the county's store (again at the end of the test), for a test
// that reads what the store left behind.
func (c *County) CloseStore() error { return c.close() }

// Enrol adds a station called name and returns its enrolment, pointing at urls in
// that order (the county's own URL alone when none or "").
func (c *County) Enrol(tb testing.TB, name string, urls ...string) backend.Enrolment {
	tb.Helper()
	if len(urls) == 0 || (len(urls) == 1 && urls[0] == "") {
		urls = []string{c.URL}
	}
	return Enrol(tb, c.Store, c.Clock, name, urls, c.Server.CertPin)
}

// EnrolmentFile adds a station called name and returns its enrolment file as
// `bingzhan-county station add` writes it, pointing at the county's own URL: for a
// test that enrols a station as a person does, with the file.
func (c *County) EnrolmentFile(tb testing.TB, name string) []byte {
	tb.Helper()
	e, err := county.NewEnrolment(tb.Context(), c.Store, c.Clock, name, []string{c.URL}, c.Server.CertPin)
	if err != nil {
		tb.Fatal(err)
	}
	buf, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	return buf
}

// NewSecretFile gives the station idOrName a new secret and returns its new
// enrolment file, as `bingzhan-county station new-secret` writes it; the old secret
// stops working at once.
func (c *County) NewSecretFile(tb testing.TB, idOrName string) []byte {
	tb.Helper()
	e, err := county.NewSecretEnrolment(tb.Context(), c.Store, c.Clock, idOrName, []string{c.URL}, c.Server.CertPin)
	if err != nil {
		tb.Fatal(err)
	}
	buf, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	return buf
}

// Enrol adds a station called name to store (any county.Store: bbolt, PostgreSQL) and
// returns its enrolment at urls with certificate pin pin, as `bingzhan enrol` stores it.
func Enrol(tb testing.TB, store county.Store, clock backend.Clock, name string, urls []string, pin string) backend.Enrolment {
	tb.Helper()
	e, err := county.NewEnrolment(tb.Context(), store, clock, name, urls, pin)
	if err != nil {
		tb.Fatal(err)
	}
	be := backend.Enrolment{CountyURL: e.CountyURL, StationID: e.StationID, StationName: e.StationName,
		Secret: e.Secret, CertPin: e.CertPin}
	if urls := e.URLs(); len(urls) > 1 {
		be.CountyURLs = urls
	}
	return be
}

// OpenStation opens the station in dir (a temp dir when "") as the program opens it
// for a command — configuration, keys, database and services, no jobs — and returns
// its store, which the agent under test syncs.
func OpenStation(tb testing.TB, dir string) *bolt.DB {
	tb.Helper()
	if dir == "" {
		dir = tb.TempDir()
	}
	st, err := app.OpenData(dir, app.Options{Logger: Quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st.DB
}

// TicketFact is a ticket.issued fact as the tests record them.
type TicketFact struct {
	ID       string    `json:"id"`
	Date     string    `json:"date"`
	Service  string    `json:"service"`
	Number   string    `json:"number"`
	IssuedAt time.Time `json:"issued_at"`
	Status   string    `json:"status"`
}

// Backlog appends n ticket.issued facts for station key stationKey, 1,000 per
// transaction.
func Backlog(tb testing.TB, db *bolt.DB, stationKey string, n int) {
	tb.Helper()
	now := time.Now()
	for done := 0; done < n; {
		k := min(1000, n-done)
		facts := make([]any, k)
		for i := range facts {
			facts[i] = TicketFact{ID: fmt.Sprintf("t-%s-%d", stationKey, done+i), Date: now.Format("2006-01-02"),
				Service: "B", Number: fmt.Sprintf("B%03d", (done+i)%999+1), IssuedAt: now, Status: "waiting"}
		}
		if err := db.AppendFacts(context.Background(), stationKey, backend.KindTicketIssued, facts...); err != nil {
			tb.Fatal(err)
		}
		done += k
	}
}

// FastConfig enrols db with e and returns an agent configuration with test-sized waits.
func FastConfig(db *bolt.DB, e backend.Enrolment, stationKey string) agent.Config {
	if err := db.Enrol(context.Background(), e); err != nil {
		panic(err)
	}
	return agent.Config{
		Enrolment: e, StationID: stationKey, Store: db, Logger: Quiet,
		Interval: 50 * time.Millisecond, MinBackoff: 5 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		NudgeDelay: time.Millisecond, AttemptTimeout: 500 * time.Millisecond, RefTimeout: 5 * time.Second,
		RetryMax: 4, RetryWaitMin: 2 * time.Millisecond, RetryWaitMax: 40 * time.Millisecond,
	}
}

// WaitDrained waits until db's outbox is empty, failing after timeout.
func WaitDrained(tb testing.TB, db *bolt.DB, timeout time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st, err := db.OutboxStats(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		if st.Pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("outbox not drained after %v: %d pending", timeout, st.Pending)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Faults are the chances, per request, of each way the proxy fails it. What is left
// over passes through untouched.
type Faults struct {
	Drop       float64 // close the connection without forwarding
	Reset      float64 // reset the connection (RST) without forwarding
	LoseAnswer float64 // forward, let the county commit, then reset instead of answering
	TooMany    float64 // answer 429 with a Retry-After of a thousand days
	Stall      float64 // hold the request until the client gives up
}

// Proxy is an HTTP proxy on 127.0.0.1 in front of a county, failing requests as told.
type Proxy struct {
	URL    string
	faults Faults
	target string
	client *http.Client
	srv    *http.Server
	mu     sync.Mutex
	rnd    *rand.Rand
	counts [6]atomic.Int64 // by fault, pass last
	stop   chan struct{}
}

// Fault names, in the order of Proxy.Counts.
var FaultNames = []string{"drop", "reset", "lose_answer", "429", "stall", "pass"}

// StartProxy starts a faulty proxy in front of target (a base URL).
func StartProxy(tb testing.TB, target string, f Faults) *Proxy {
	tb.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{URL: "http://" + lis.Addr().String(), faults: f, target: target,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		rnd:    rand.New(rand.NewPCG(1, 2)), stop: make(chan struct{})}
	p.srv = &http.Server{Handler: p}
	go p.srv.Serve(lis)
	tb.Cleanup(func() {
		close(p.stop)
		p.srv.Close()
	})
	return p
}

// Counts returns how many requests met each fault, by FaultNames.
func (p *Proxy) Counts() map[string]int64 {
	out := map[string]int64{}
	for i, n := range FaultNames {
		out[n] = p.counts[i].Load()
	}
	return out
}

func (p *Proxy) pick() int {
	p.mu.Lock()
	x := p.rnd.Float64()
	p.mu.Unlock()
	for i, f := range []float64{p.faults.Drop, p.faults.Reset, p.faults.LoseAnswer, p.faults.TooMany, p.faults.Stall} {
		if x < f {
			return i
		}
		x -= f
	}
	return 5
}

// ServeHTTP fails or forwards one request.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fault := p.pick()
	p.counts[fault].Add(1)
	switch FaultNames[fault] {
	case "drop":
		hijackClose(w, false)
	case "reset":
		hijackClose(w, true)
	case "429":
		w.Header().Set("Retry-After", "86400000")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"code":"unavailable","message":"slow down"}`)
	case "stall":
		select {
		case <-r.Context().Done():
		case <-p.stop:
		case <-time.After(time.Minute):
		}
		hijackClose(w, true)
	case "lose_answer":
		p.forward(r) // the county has answered, so it has committed: now lose the answer
		hijackClose(w, true)
	default:
		resp, body, err := p.forward(r)
		if err != nil {
			hijackClose(w, true)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(body)
	}
}

func (p *Proxy) forward(r *http.Request) (*http.Response, []byte, error) {
	in, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(in))
	if err != nil {
		return nil, nil, err
	}
	req.Header = r.Header.Clone()
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// hijackClose ends the connection without an answer; with reset, by an RST.
func hijackClose(w http.ResponseWriter, reset bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return // cannot happen with HTTP/1.1 on net/http's server
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		tc.SetLinger(0)
	}
	conn.Close()
}

// StartProtocol1 starts a proxy in front of target (a county's base URL) that answers
// pushes as a protocol-1 county did, before stations could renumber: the fields
// protocol 2 added (highest, renumber, held) are taken out of each push answer, and a
// duplicate held under another sequence comes back as the conflict it then was. It
// returns the proxy's base URL.
func StartProtocol1(tb testing.TB, target string) string {
	tb.Helper()
	u, err := url.Parse(target)
	if err != nil {
		tb.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != wire.PushPath || resp.StatusCode != http.StatusOK {
			return nil
		}
		var pr wire.PushResponse
		if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil {
			return err
		}
		resp.Body.Close()
		pr.Highest = 0
		for i := range pr.Results {
			r := &pr.Results[i]
			if r.Held != 0 {
				r.Status, r.Code, r.Message = wire.Rejected, "conflict", "entry id stored already under another sequence"
			}
			r.Renumber, r.Held = false, 0
		}
		body, err := json.Marshal(pr)
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: rp, ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(lis)
	tb.Cleanup(func() { srv.Close() })
	return "http://" + lis.Addr().String()
}

// Buffer is a log that a server goroutine may write while the test reads it.
type Buffer = apptest.Buffer

// Get fetches u from a county server as staff with token ("" for none), without
// following redirects, and returns the answer with its body read.
func Get(tb testing.TB, u, token string) (*http.Response, []byte) {
	tb.Helper()
	r, _ := http.NewRequest("GET", u, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(r)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// WaitFor polls cond until it holds; after 10 s it fails the test, saying what it
// waited for.
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// DieAfterPush makes the frontend take its next push (the county stores it), then
// die before answering: the station never learns the outcome and must send the
// batch again, to another server.
func (f *Frontend) DieAfterPush() { f.dieAfterPush.Store(true) }

// Failover is a county reachable at several addresses, as CheckFailover drives it:
// its store, to count what it holds, the clock and pin for enrolments, its addresses
// and how to stop the server behind one of them at once.
type Failover struct {
	Store   county.Store
	Clock   backend.Clock
	CertPin string
	URLs    []string
	Kill    func(i int) // stop the server at URLs[i], as a crash or a pulled cable does
}

// CheckFailover proves a station's failover on f, whatever runs the county (servers
// in one process on one bbolt store, or processes on one PostgreSQL database): an
// agent pushes a backlog, the server at the address in use is killed once a part of it
// is up, and the agent moves to another address and drains the outbox there; the
// county then holds every entry exactly once, and the staff status names the new
// address.
func CheckFailover(t *testing.T, f Failover) {
	t.Helper()
	const n = 20_000
	e := Enrol(t, f.Store, f.Clock, "换址测试站", f.URLs, f.CertPin)
	db := OpenStation(t, "")
	Backlog(t, db, "key-fo", n)
	want, err := db.OutboxEntries(t.Context(), 0, n+1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(FastConfig(db, e, "key-fo"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	defer func() { cancel(); <-done }()

	held := func() int {
		got, _, err := f.Store.EntryCount(context.Background(), e.StationID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	WaitFor(t, "a quarter of the backlog at the county", func() bool { return held() >= n/4 })
	killed := a.County()
	f.Kill(slices.Index(f.URLs, killed))
	if got := held(); got >= n {
		t.Fatalf("the whole backlog (%d) was up before the kill: the test proves nothing; make it larger", got)
	}
	WaitDrained(t, db, 2*time.Minute)

	if a.County() == killed {
		t.Fatalf("the agent still uses %s, which was killed", killed)
	}
	if got, _, err := f.Store.EntryCount(t.Context(), e.StationID); err != nil || got != n {
		t.Fatalf("county holds %d entries (%v), want %d exactly once", got, err, n)
	}
	stored, err := f.Store.Entries(t.Context(), e.StationID, 1, n+1)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range stored {
		if s.Seq != uint64(i+1) || s.ID != want[i].ID {
			t.Fatalf("entry %d stored as seq %d id %s, station made seq %d id %s", i+1, s.Seq, s.ID, want[i].Seq, want[i].ID)
		}
	}
	st, err := db.SyncStatus(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.State != backend.SyncOK || st.County != a.County() || !slices.Equal(st.Counties, e.Counties()) {
		t.Fatalf("status: state %s, county %s, counties %q; want ok at %s of %q", st.State, st.County, st.Counties, a.County(), e.Counties())
	}
}
