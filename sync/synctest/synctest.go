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
	"net/http/httputil"
	"net/url"
	"strconv"
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
	"bingzhan/sync/wire"
)

// County is a county server running on 127.0.0.1.
type County struct {
	Dir    string // the data folder
	Store  *countybolt.Store
	Server *countyhttp.Server
	Clock  backend.Clock // the county's one clock
	URL    string
	srv    *http.Server
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
	dir := tb.TempDir()
	clock = backend.ClockOrSystem(clock)
	st, err := countybolt.Open(dir, countybolt.Options{ReadSheet: report.ParseSheet, Clock: clock, Logger: Quiet})
	if err != nil {
		tb.Fatal(err)
	}
	c := &County{Dir: dir, Store: st, Clock: clock,
		Server: &countyhttp.Server{Store: st, Backups: st, Clock: clock, Location: st.Location(), Logger: Quiet}}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	c.URL = "http://" + lis.Addr().String()
	if cert != nil {
		c.URL = "https://" + lis.Addr().String()
		c.Server.CertPin = wire.SPKIPin(cert.Leaf)
		lis = tls.NewListener(lis, &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12})
	}
	c.Server.PublicURLs = []string{c.URL}
	c.srv = &http.Server{Handler: c.Server.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)}
	go c.srv.Serve(lis)
	tb.Cleanup(c.Close)
	return c
}

// Close stops the server and closes the store.
func (c *County) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.srv.Shutdown(ctx)
	c.Store.Close()
}

// Enrol adds a station called name and returns its enrolment, pointing at url (the
// county's own URL when "").
func (c *County) Enrol(tb testing.TB, name, url string) backend.Enrolment {
	tb.Helper()
	if url == "" {
		url = c.URL
	}
	e, err := county.NewEnrolment(tb.Context(), c.Store, c.Clock, name, []string{url}, c.Server.CertPin)
	if err != nil {
		tb.Fatal(err)
	}
	return backend.Enrolment{CountyURL: e.CountyURL, StationID: e.StationID, StationName: e.StationName,
		Secret: e.Secret, CertPin: e.CertPin}
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
