// Package apptest opens real stations for tests: app.Open on a temp folder, a fake
// clock that tests move, the API on a loopback server, and one helper that sends a
// request. Every station-side test harness (HTTP, sync, crash, key rotation) starts
// its stations here, so tests run the same wiring as the program.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/backend/demo"
	"bingzhan/sync/agent"

	"github.com/jonboulle/clockwork"
)

// Start is where a test station's clock stands when it opens: a Monday morning in
// the station's time zone.
var Start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// The two accounts a station gets with Options.Accounts.
const (
	StaffName = "王芳"
	StaffPIN  = "240816"
	AdminName = "站长"
	AdminPIN  = "975310"
)

// Options choose what a test station holds; the zero value is an empty station on a
// temp folder, named 测试站, with a fake clock at Start.
type Options struct {
	Dir       string      // data folder; "" is a new temp folder
	Config    *app.Config // nil: the defaults, named 测试站
	Registry  int         // demo persons to load (skipped when the registry already holds them)
	Accounts  bool        // add StaffName and AdminName (skipped when accounts exist)
	RealClock bool        // the machine's clock, for benchmarks
	Start     time.Time   // where the fake clock starts; zero is Start
	Demo      bool
	Logger    *slog.Logger // nil: a debug log the test can read in Station.Log
	Printer   backend.Printer
	Version   string
	// SyncTuning adjusts the sync agent of an enrolled station.
	SyncTuning func(*agent.Config)
	// NoServer opens the station without a loopback server.
	NoServer bool
	// Assets are the built frontend files to serve (os.DirFS of frontend/dist); nil
	// serves the API alone.
	Assets fs.FS
}

// Station is an open test station.
type Station struct {
	*app.Station
	URL    string               // the loopback server's base URL
	Clock  *clockwork.FakeClock // nil with Options.RealClock
	Log    *Buffer              // the station's log, unless Options.Logger was given
	People []backend.Person     // the demo registry's people, when one was loaded
}

// Open opens a station for tb and closes it when tb ends.
func Open(tb testing.TB, o Options) *Station {
	tb.Helper()
	if o.Dir == "" {
		o.Dir = tb.TempDir()
	}
	st := &Station{Log: &Buffer{}}
	cfg := app.DefaultConfig()
	cfg.StationName = "测试站"
	if o.Config != nil {
		cfg = *o.Config
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(st.Log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	var clock backend.Clock
	if !o.RealClock {
		start := o.Start
		if start.IsZero() {
			start = Start
		}
		st.Clock = clockwork.NewFakeClockAt(start)
		clock = st.Clock
	}
	s, err := app.Open(context.Background(), o.Dir, app.Options{
		Config: &cfg, Clock: clock, Logger: logger, Demo: o.Demo, Printer: o.Printer,
		Version: o.Version, SyncTuning: o.SyncTuning, Assets: o.Assets,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	st.Station = s
	ctx := context.Background()
	if o.Registry > 0 {
		version := fmt.Sprintf("demo-%d-%d", demo.Seed, o.Registry)
		if cur, _, _ := s.Persons.Registry(ctx); cur != version {
			start := time.Now()
			if _, err := s.Persons.ReplaceRegistry(ctx, version, demo.Registry(demo.Seed, o.Registry)); err != nil {
				tb.Fatal(err)
			}
			if o.Registry > 5000 {
				tb.Logf("registry of %d persons written in %v", o.Registry, time.Since(start).Round(time.Millisecond))
			}
			// The ledger names visitors from the registry: index it afresh.
			if err := s.Visits.Init(ctx); err != nil {
				tb.Fatal(err)
			}
		}
		if o.Registry <= 5000 {
			st.People = demo.List(demo.Seed, o.Registry)
		}
	}
	if o.Accounts {
		if list, _ := s.Accounts.ListStaff(ctx); len(list) == 0 {
			for _, a := range []struct {
				name string
				role backend.Role
				pin  string
			}{{StaffName, backend.RoleStaff, StaffPIN}, {AdminName, backend.RoleAdmin, AdminPIN}} {
				if _, err := s.Accounts.AddStaff(ctx, a.name, a.role, a.pin); err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
	if !o.NoServer {
		srv := httptest.NewServer(s.Handler())
		tb.Cleanup(srv.Close)
		st.URL = srv.URL
	}
	return st
}

// Serve opens the station in dir with opts exactly as given — the machine's clock,
// config.json or opts.Config — and serves it on a loopback port as `bingzhan serve`
// does, until tb ends (or the test closes it first). It returns the base URL.
func Serve(tb testing.TB, dir string, opts app.Options) (*app.Station, string) {
	tb.Helper()
	m, err := app.Open(context.Background(), dir, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	addr, err := m.Listen("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	return m, "http://" + addr.String()
}

// Advance moves the station's clock on by d; timers due by then fire.
func (st *Station) Advance(d time.Duration) { st.Clock.Advance(d) }

// SetTime moves the station's clock forward to t.
func (st *Station) SetTime(t time.Time) {
	if d := t.Sub(st.Clock.Now()); d > 0 {
		st.Clock.Advance(d)
	}
}

// Login logs name in and returns the session token.
func (st *Station) Login(tb testing.TB, name, pin string) string {
	tb.Helper()
	var out struct{ Token string }
	resp, body := Send(tb, "POST", st.URL+"/api/v1/login", map[string]string{"name": name, "pin": pin}, &out, Req{Lang: "en"})
	if resp.StatusCode != 200 {
		tb.Fatalf("login %s: %d %s", name, resp.StatusCode, body)
	}
	return out.Token
}

// Req is how a request is sent: by which client, with which token, language and
// headers. The zero value sends with http.DefaultClient, as an anonymous kiosk.
type Req struct {
	Client *http.Client
	Token  string // sent as a Bearer token
	Lang   string // Accept-Language
	Header http.Header
}

// Send sends a request to url and decodes a JSON answer into out (when not nil and
// the answer has a body). body is JSON-encoded, or sent as is when it is a string or
// []byte. It returns the response, whose body is already read, and the raw body.
func Send(tb testing.TB, method, url string, body, out any, r Req) (*http.Response, []byte) {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	if r.Lang != "" {
		req.Header.Set("Accept-Language", r.Lang)
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	client := r.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.Fatalf("%s %s: %d %s: %v", method, url, resp.StatusCode, raw, err)
		}
	}
	return resp, raw
}

// Buffer collects a log that tests read while the station writes it.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }
