package http_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app/apptest"
	"bingzhan/backend/gctune"
	bzhttp "bingzhan/backend/http"

	"github.com/jonboulle/clockwork"
	bbolt "go.etcd.io/bbolt"
)

var shanghai = time.FixedZone("CST", 8*3600)

// clock is the station's fake clock, moved by the tests.
type clock struct{ *clockwork.FakeClock }

// Add moves the clock on by d; timers due by then fire.
func (c clock) Add(d time.Duration) { c.Advance(d) }

// Set moves the clock forward to t.
func (c clock) Set(t time.Time) {
	if d := t.Sub(c.Now()); d > 0 {
		c.Advance(d)
	}
}

// station is a real station (app.Open) behind a real loopback HTTP server, with a
// staff member (王芳) and an admin (站长).
type station struct {
	*apptest.Station
	Clock clock
}

func mustStation(tb testing.TB) *station {
	tb.Helper()
	return openStation(tb, apptest.Options{Accounts: true, Logger: slog.New(slog.DiscardHandler)})
}

// openStation opens a test station with o and wraps its clock.
func openStation(tb testing.TB, o apptest.Options) *station {
	tb.Helper()
	st := &station{Station: apptest.Open(tb, o)}
	st.Clock = clock{st.Station.Clock}
	return st
}

// do sends a request with an optional bearer token, in English, and decodes a JSON
// answer.
func do(tb testing.TB, client *http.Client, method, url, token string, body any, out any) *http.Response {
	tb.Helper()
	resp, _ := apptest.Send(tb, method, url, body, out, apptest.Req{Client: client, Token: token, Lang: "en"})
	return resp
}

func (st *station) login(tb testing.TB, name, pin string) string {
	tb.Helper()
	return login(tb, st.URL, name, pin)
}

// login logs name in at the station at base and returns the session token.
func login(tb testing.TB, base, name, pin string) string {
	tb.Helper()
	var out struct{ Token string }
	if resp := do(tb, nil, "POST", base+"/api/v1/login", "", map[string]string{"name": name, "pin": pin}, &out); resp.StatusCode != 200 {
		tb.Fatalf("login %s: %d", name, resp.StatusCode)
	}
	return out.Token
}

func (st *station) issue(tb testing.TB, service string, priority bool) string {
	tb.Helper()
	st.Clock.Add(time.Second)
	var out struct{ ID string }
	body := map[string]any{"service": service, "priority": priority, "request_id": fmt.Sprintf("req-%d", st.Clock.Now().UnixNano())}
	if resp := do(tb, nil, "POST", st.URL+"/api/v1/tickets", "", body, &out); resp.StatusCode != 201 {
		tb.Fatalf("issue: %d", resp.StatusCode)
	}
	return out.ID
}

type errorJSON struct{ Code, Message string }

type ticketJSON struct {
	ID, Number, Service, Origin, Status string
	Counter                             int
	CalledAt, StartedAt, EndedAt        *time.Time `json:",omitempty"`
	History                             []backend.Step
	Call                                *backend.Call
	Visit                               *struct{ Serial string }
}

func TestAuth(t *testing.T) {
	st := mustStation(t)

	t.Run("ErrNoSession", func(t *testing.T) {
		for _, r := range []struct{ method, path string }{
			{"GET", "/api/v1/counters"}, {"GET", "/api/v1/waiting"}, {"GET", "/api/v1/me"},
			{"POST", "/api/v1/counters/1/call-next"}, {"POST", "/api/v1/tickets/x/start"},
			{"PUT", "/api/v1/counters/1"}, {"GET", "/api/v1/stats"}, {"GET", "/api/v1/stats/export?format=csv"},
			{"GET", "/api/v1/staff"},
		} {
			var e errorJSON
			resp := do(t, nil, r.method, st.URL+r.path, "", nil, &e)
			if resp.StatusCode != 401 || e.Code != "unauthorized" || e.Message == "" {
				t.Errorf("%s %s: %d %+v", r.method, r.path, resp.StatusCode, e)
			}
		}
		if resp := do(t, nil, "GET", st.URL+"/api/v1/counters", "forged-token", nil, nil); resp.StatusCode != 401 {
			t.Errorf("forged token: %d", resp.StatusCode)
		}
	})

	t.Run("ErrWrongRole", func(t *testing.T) {
		tok := st.login(t, "王芳", "240816")
		var e errorJSON
		resp := do(t, nil, "PUT", st.URL+"/api/v1/counters/3", tok, map[string]any{"services": []string{"B"}}, &e)
		if resp.StatusCode != 403 || e.Code != "forbidden" {
			t.Fatalf("staff configuring a counter: %d %+v", resp.StatusCode, e)
		}
		admin := st.login(t, "站长", "975310")
		if resp := do(t, nil, "PUT", st.URL+"/api/v1/counters/3", admin, map[string]any{"name": "综合", "services": []string{"B"}}, nil); resp.StatusCode != 200 {
			t.Fatalf("admin configuring a counter: %d", resp.StatusCode)
		}
	})

	t.Run("ErrWrongPIN", func(t *testing.T) {
		var e errorJSON
		resp := do(t, nil, "POST", st.URL+"/api/v1/login", "", map[string]string{"name": "王芳", "pin": "000001"}, &e)
		if resp.StatusCode != 401 || !strings.Contains(e.Message, "Wrong name or PIN") {
			t.Fatalf("%d %+v", resp.StatusCode, e)
		}
		if resp := do(t, nil, "POST", st.URL+"/api/v1/login", "", `{"name":"王芳"`, &e); resp.StatusCode != 400 {
			t.Fatalf("bad JSON: %d", resp.StatusCode)
		}
	})

	t.Run("ErrLockout", func(t *testing.T) {
		st.Accounts.AddStaff(context.Background(), "李强", backend.RoleStaff, "135792")
		for i := 0; i < backend.MaxPINFailures; i++ {
			do(t, nil, "POST", st.URL+"/api/v1/login", "", map[string]string{"name": "李强", "pin": "000001"}, nil)
		}
		var e errorJSON
		resp := do(t, nil, "POST", st.URL+"/api/v1/login", "", map[string]string{"name": "李强", "pin": "135792"}, &e)
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "900" || !strings.Contains(e.Message, "locked") {
			t.Fatalf("right PIN while locked: %d %q %+v", resp.StatusCode, resp.Header.Get("Retry-After"), e)
		}
		st.Clock.Add(backend.LockDuration)
		st.login(t, "李强", "135792")
	})

	t.Run("ErrExpired", func(t *testing.T) {
		tok := st.login(t, "王芳", "240816")
		if resp := do(t, nil, "GET", st.URL+"/api/v1/me", tok, nil, nil); resp.StatusCode != 200 {
			t.Fatalf("fresh session: %d", resp.StatusCode)
		}
		st.Clock.Add(backend.SessionTTL)
		var e errorJSON
		resp := do(t, nil, "GET", st.URL+"/api/v1/me", tok, nil, &e)
		if resp.StatusCode != 401 || !strings.Contains(e.Message, "expired") {
			t.Fatalf("expired session: %d %+v", resp.StatusCode, e)
		}
	})

	t.Run("Cookie", func(t *testing.T) {
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		var se struct {
			Token, Name, Role string
			ExpiresAt         string `json:"expires_at"`
		}
		resp := do(t, client, "POST", st.URL+"/api/v1/login", "", map[string]string{"name": "站长", "pin": "975310"}, &se)
		c := resp.Cookies()
		if len(c) != 1 || c[0].Name != bzhttp.SessionCookie || !c[0].HttpOnly || c[0].SameSite != http.SameSiteStrictMode {
			t.Fatalf("cookie %+v", c)
		}
		if se.Role != "admin" || se.Name != "站长" || se.ExpiresAt == "" {
			t.Fatalf("login answer %+v", se)
		}
		var me struct{ Name string }
		if resp := do(t, client, "GET", st.URL+"/api/v1/me", "", nil, &me); resp.StatusCode != 200 || me.Name != "站长" {
			t.Fatalf("me by cookie: %d %+v", resp.StatusCode, me)
		}
		if resp := do(t, client, "POST", st.URL+"/api/v1/logout", "", nil, nil); resp.StatusCode != 204 {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		if resp := do(t, nil, "GET", st.URL+"/api/v1/me", se.Token, nil, nil); resp.StatusCode != 401 {
			t.Fatalf("token after logout: %d", resp.StatusCode)
		}
	})

	t.Run("KioskExit", func(t *testing.T) {
		var e errorJSON
		if resp := do(t, nil, "POST", st.URL+"/api/v1/kiosk/exit", "", map[string]string{"pin": "975310"}, &e); resp.StatusCode != 409 {
			t.Fatalf("serve mode: %d %+v", resp.StatusCode, e)
		}
		exited := make(chan struct{}, 1)
		st.Server.OnExit = func() { exited <- struct{}{} }
		defer func() { st.Server.OnExit = nil }()
		if resp := do(t, nil, "POST", st.URL+"/api/v1/kiosk/exit", "", map[string]string{"pin": "240816"}, nil); resp.StatusCode != 401 {
			t.Fatalf("staff PIN: %d", resp.StatusCode)
		}
		select {
		case <-exited:
			t.Fatal("a staff PIN quit the kiosk")
		case <-time.After(50 * time.Millisecond):
		}
		if resp := do(t, nil, "POST", st.URL+"/api/v1/kiosk/exit", "", map[string]string{"pin": "975310"}, nil); resp.StatusCode != 200 {
			t.Fatalf("admin PIN: %d", resp.StatusCode)
		}
		select {
		case <-exited:
		case <-time.After(2 * time.Second):
			t.Fatal("OnExit not called")
		}
	})
}

func TestCalling(t *testing.T) {
	st := mustStation(t)
	tok := st.login(t, "王芳", "240816")
	b1 := st.issue(t, "B", false)
	st.issue(t, "D", false)
	p := st.issue(t, "A", true)

	var got ticketJSON
	if resp := do(t, nil, "POST", st.URL+"/api/v1/counters/2/call-next", tok, nil, &got); resp.StatusCode != 200 {
		t.Fatalf("call next: %d", resp.StatusCode)
	}
	if got.ID != p || got.Status != "called" || got.Counter != 2 || got.Call == nil || got.Call.TextZH != "请 A001 号到 2 号窗口办理" {
		t.Fatalf("called %+v", got)
	}
	if len(got.History) != 1 || got.History[0].By != "王芳" {
		t.Fatalf("not attributed: %+v", got.History)
	}
	var e errorJSON
	if resp := do(t, nil, "POST", st.URL+"/api/v1/counters/2/call-next", tok, nil, &e); resp.StatusCode != 409 {
		t.Fatalf("call next while busy: %d %+v", resp.StatusCode, e)
	}
	for _, step := range []struct {
		action string
		body   any
		status string
	}{
		{"recall", nil, "called"},
		{"start", "", "serving"},
		{"hold", nil, "held"},
		{"resume", map[string]int{"counter": 1}, "serving"},
		{"finish", map[string]string{"outcome": "已办结"}, "done"},
	} {
		var out ticketJSON
		resp := do(t, nil, "POST", st.URL+"/api/v1/tickets/"+p+"/"+step.action, tok, step.body, &out)
		if resp.StatusCode != 200 || out.Status != step.status {
			t.Fatalf("%s: %d %+v", step.action, resp.StatusCode, out)
		}
	}
	var out ticketJSON
	if resp := do(t, nil, "POST", st.URL+"/api/v1/tickets/"+b1+"/transfer", tok, map[string]string{"service": "D"}, &out); resp.StatusCode != 200 || out.Service != "D" || out.Origin != "B" {
		t.Fatalf("transfer: %d %+v", resp.StatusCode, out)
	}
	for _, bad := range []struct {
		path string
		body any
		code int
	}{
		{"/api/v1/tickets/" + b1 + "/call", nil, 400},                          // no counter
		{"/api/v1/tickets/" + b1 + "/call", map[string]int{"counter": 7}, 404}, // no such counter
		{"/api/v1/tickets/" + b1 + "/dance", nil, 404},
		{"/api/v1/tickets/" + b1 + "/start", `{"counter":"x"}`, 400},
		{"/api/v1/tickets/" + b1 + "/finish", nil, 409},
		{"/api/v1/tickets/nope/start", nil, 404},
		{"/api/v1/counters/0/call-next", nil, 404},
	} {
		if resp := do(t, nil, "POST", st.URL+bad.path, tok, bad.body, &e); resp.StatusCode != bad.code || e.Message == "" {
			t.Errorf("%s: %d %+v, want %d", bad.path, resp.StatusCode, e, bad.code)
		}
	}

	var wl backend.WaitingList
	do(t, nil, "GET", st.URL+"/api/v1/waiting", tok, nil, &wl)
	var d backend.ServiceQueue
	for _, q := range wl.Services {
		if q.Letter == "D" {
			d = q
		}
	}
	if len(d.Tickets) != 2 || d.Tickets[0].ID != b1 || d.Tickets[0].WaitedS <= 0 {
		t.Fatalf("D queue %+v", d)
	}

	var board backend.Board
	if resp := do(t, nil, "GET", st.URL+"/api/v1/board", "", nil, &board); resp.StatusCode != 200 || len(board.Recent) != 1 || board.Recent[0].Number != "A001" {
		t.Fatalf("board %+v", board)
	}
	var counters []struct {
		Number   int
		Services []string
	}
	if do(t, nil, "GET", st.URL+"/api/v1/counters", tok, nil, &counters); len(counters) != 2 || len(counters[0].Services) != 9 {
		t.Fatalf("counters %+v", counters)
	}
}

// sseClient reads events from /api/v1/events.
type sseClient struct {
	resp *http.Response
	rd   *bufio.Reader
}

func subscribe(tb testing.TB, url, token string) *sseClient {
	tb.Helper()
	req, _ := http.NewRequest("GET", url+"/api/v1/events", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		tb.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return &sseClient{resp: resp, rd: bufio.NewReader(resp.Body)}
}

// next returns the next event's kind and data.
func (c *sseClient) next() (string, []byte, error) {
	var kind string
	var data []byte
	for {
		line, err := c.rd.ReadString('\n')
		if err != nil {
			return "", nil, err
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && kind != "":
			return kind, data, nil
		case strings.HasPrefix(line, "event: "):
			kind = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = []byte(line[6:])
		}
	}
}

// until returns the data of the next event of kind, skipping others.
func (c *sseClient) until(tb testing.TB, kind string, seen *[]string) []byte {
	tb.Helper()
	for {
		k, data, err := c.next()
		if err != nil {
			tb.Fatalf("waiting for %s: %v", kind, err)
		}
		if seen != nil {
			*seen = append(*seen, k)
		}
		if k == kind {
			return data
		}
	}
}

func TestEvents(t *testing.T) {
	st := mustStation(t)
	tok := st.login(t, "王芳", "240816")
	board := subscribe(t, st.URL, "")
	staff := subscribe(t, st.URL, tok)
	st.issue(t, "B", false)

	var q backend.QueueCounts
	json.Unmarshal(board.until(t, "queue", nil), &q)
	if q.Waiting["B"] != 1 {
		t.Fatalf("queue event %+v", q)
	}
	do(t, nil, "POST", st.URL+"/api/v1/counters/1/call-next", tok, nil, nil)
	var seen []string
	raw := board.until(t, "call", &seen)
	var call backend.Call
	json.Unmarshal(raw, &call)
	if call.Number != "B001" || call.Counter != 1 || call.CounterName != "1号窗口" || call.TextZH != "请 B001 号到 1 号窗口办理" ||
		strings.Join(call.Clips, " ") != "/voice/chime.ogg /voice/qing.ogg /voice/B.ogg /voice/0.ogg /voice/0.ogg /voice/1.ogg /voice/hao.ogg /voice/dao.ogg /voice/1.ogg /voice/hao-chuangkou-banli.ogg" {
		t.Fatalf("call event %s", raw)
	}
	for _, k := range seen {
		if k == "ticket" {
			t.Fatal("the public stream got a staff event")
		}
	}
	var te backend.TicketEvent
	json.Unmarshal(staff.until(t, "ticket", nil), &te)
	if te.Number != "B001" || te.By != "王芳" || te.Action != backend.ActCall {
		t.Fatalf("staff ticket event %+v", te)
	}
	var bc backend.BoardCounter
	json.Unmarshal(board.until(t, "counter", nil), &bc)
	if bc.Number != 1 || bc.Current == nil || bc.Current.Number != "B001" {
		t.Fatalf("counter event %+v", bc)
	}
}

func TestStatsExport(t *testing.T) {
	st := mustStation(t)
	tok := st.login(t, "王芳", "240816")
	id := st.issue(t, "B", false)
	st.issue(t, "A", false)
	st.Clock.Add(6 * time.Minute)
	do(t, nil, "POST", st.URL+"/api/v1/tickets/"+id+"/call", tok, map[string]int{"counter": 1}, nil)
	do(t, nil, "POST", st.URL+"/api/v1/tickets/"+id+"/start", tok, nil, nil)
	st.Clock.Add(9 * time.Minute)
	do(t, nil, "POST", st.URL+"/api/v1/tickets/"+id+"/finish", tok, map[string]string{"outcome": "张三的材料已收"}, nil)

	var ds backend.DayStats
	if resp := do(t, nil, "GET", st.URL+"/api/v1/stats?date=2026-11-23", tok, nil, &ds); resp.StatusCode != 200 {
		t.Fatalf("stats: %d", resp.StatusCode)
	}
	if ds.Station.Issued != 2 || ds.Station.Served != 1 || ds.Station.AvgServiceS != 540 || ds.Station.AvgWaitS != 361 {
		t.Fatalf("station %+v", ds.Station)
	}
	if resp := do(t, nil, "GET", st.URL+"/api/v1/stats?date=yesterday", tok, nil, nil); resp.StatusCode != 400 {
		t.Fatalf("bad date: %d", resp.StatusCode)
	}

	get := func(format string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", st.URL+"/api/v1/stats/export?date=2026-11-23&format="+format, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}

	t.Run("CSV", func(t *testing.T) {
		resp, body := get("csv")
		if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF类别,编号,名称,取号")) {
			t.Fatalf("%d %q", resp.StatusCode, body[:min(len(body), 60)])
		}
		lines := strings.Split(strings.TrimSpace(string(body)), "\r\n")
		// Header, station, 9 services, 2 counters, 1 staff member; nothing rated yet.
		if len(lines) != 1+1+9+2+1 || lines[1] != "全站,,全站,2,1,1,0,0,1,6.0,6.0,0.0,0.0,9.0,9.0,0,0,0,," {
			t.Fatalf("%d lines, station row %q", len(lines), lines[1])
		}
		if !strings.Contains(resp.Header.Get("Content-Disposition"), "bingzhan-stats-2026-11-23.csv") {
			t.Fatalf("disposition %q", resp.Header.Get("Content-Disposition"))
		}
	})

	t.Run("XLSX", func(t *testing.T) {
		resp, body := get("xlsx")
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		checkWorkbook(t, body)
	})

	t.Run("ErrFormat", func(t *testing.T) {
		if resp, _ := get("pdf"); resp.StatusCode != 400 {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
}

// BenchmarkCallNext measures POST /api/v1/counters/{n}/call-next over loopback with a
// full day's queue behind it, every fourth ticket with a visit registered in the
// ledger (the answer then carries it). Target: p99 ≤ 2 ms.
//
// It runs twice: on the disk (what staff feel on this machine) and, where /dev/shm is
// a RAM file system, with the station's file there — the same commits, syncs and
// HTTP without the disk's flush, so what the code itself costs shows apart from the
// disk, which the bare Put beside each run measures.
func BenchmarkCallNext(b *testing.B) {
	gctune.Apply(gctune.StationLimit) // as the station's main does
	b.Run("disk", benchCallNext)
	b.Run("ramdisk", func(b *testing.B) {
		probe, err := os.MkdirTemp("/dev/shm", "bench")
		if err != nil {
			b.Skip("no writable /dev/shm")
		}
		os.Remove(probe)
		b.Setenv("TMPDIR", "/dev/shm")
		benchCallNext(b)
	})
}

func benchCallNext(b *testing.B) {
	if b.N == 1 {
		return // the probe run: filling the queue takes a while, so only the real run does
	}
	// The station opens the day before, so that day's tickets are still waiting.
	st := openStation(b, apptest.Options{Accounts: true, Logger: slog.New(slog.DiscardHandler),
		Start: time.Date(2026, 11, 22, 8, 0, 0, 0, shanghai)})
	waiting := fillQueue(b, st)
	tok := st.login(b, "王芳", "240816")
	tied := tieVisits(b, st, 4)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	// A bare fsync'd bbolt Put on the same disk, for scale: each call is one commit.
	raw, err := bbolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err })
	// And a commit of a call's shape without the API or any logic: one ticket rewritten,
	// one waiting key removed and one outbox entry added, in three 10,000-key buckets.
	shape := sameShapeStore(b, waiting)
	lat := make([]time.Duration, 0, b.N)
	bare := make([]time.Duration, 0, b.N)
	shaped := make([]time.Duration, 0, b.N)
	withVisit := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		t0 := time.Now()
		raw.Update(func(tx *bbolt.Tx) error { return tx.Bucket([]byte("b")).Put([]byte(fmt.Sprint(i)), make([]byte, 400)) })
		bare = append(bare, time.Since(t0))
		shaped = append(shaped, shape(i))
		b.StartTimer()
		n := 1 + i%2
		// The clock stops when the whole answer has arrived; reading it is the client's
		// business, as a browser's rendering is.
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/counters/%d/call-next", st.URL, n), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(start))
		b.StopTimer()
		var tk ticketJSON
		if err != nil || resp.StatusCode != 200 || json.Unmarshal(body, &tk) != nil {
			b.Fatalf("call next: %d %s %v", resp.StatusCode, body, err)
		}
		if tk.Visit != nil {
			withVisit++
		}
		do(b, client, "POST", st.URL+"/api/v1/tickets/"+tk.ID+"/finish", tok, nil, nil)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(ms(pct(lat, 50)), "p50-ms")
	b.ReportMetric(ms(pct(lat, 99)), "p99-ms")
	b.Logf("n=%d with %d waiting (%d with a visit; %d called): call-next p50 %v p99 %v (target p99 ≤ 2ms) | bare bbolt Put p50 %v p99 %v | same-shape bare commit p50 %v p99 %v",
		b.N, waiting, tied, withVisit, pct(lat, 50), pct(lat, 99), pct(bare, 50), pct(bare, 99), pct(shaped, 50), pct(shaped, 99))
}

// sameShapeStore makes a bbolt file with tickets, waiting and outbox buckets of n keys
// each and returns a function that commits one call's worth of change to it and says
// how long the commit took: the floor any call-next on this disk stands on.
func sameShapeStore(b *testing.B, n int) func(i int) time.Duration {
	b.Helper()
	db, err := bbolt.Open(filepath.Join(b.TempDir(), "shape.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	names := [][]byte{[]byte("tickets"), []byte("waiting"), []byte("outbox")}
	sizes := []int{600, 30, 400}
	err = db.Update(func(tx *bbolt.Tx) error {
		for j, name := range names {
			bk, err := tx.CreateBucket(name)
			if err != nil {
				return err
			}
			for k := 0; k < n; k++ {
				if err := bk.Put(binary.BigEndian.AppendUint64(nil, uint64(k)), make([]byte, sizes[j])); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return func(i int) time.Duration {
		k := binary.BigEndian.AppendUint64(nil, uint64(i%n))
		t0 := time.Now()
		db.Update(func(tx *bbolt.Tx) error {
			tx.Bucket(names[0]).Put(k, make([]byte, 650))
			tx.Bucket(names[1]).Delete(k)
			return tx.Bucket(names[2]).Put(binary.BigEndian.AppendUint64(nil, uint64(n+i)), make([]byte, 400))
		})
		return time.Since(t0)
	}
}

// tieVisits registers a visit in the ledger for every every-th of today's waiting
// tickets, as the kiosk does, and returns how many.
func tieVisits(b *testing.B, st *station, every int) int {
	b.Helper()
	ctx := context.Background()
	list, err := st.Calls.Waiting(ctx)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, q := range list.Services {
		for i, t := range q.Tickets {
			if i%every != 0 {
				continue
			}
			_, _, err := st.Visits.RegisterVisit(ctx, backend.VisitRequest{IDNumber: "11010519491231002X", Phone: "13812345678",
				Relation: backend.RelationSelf, Service: t.Service, Matter: t.Service + "1", TicketID: t.ID,
				RequestID: "bench-visit-" + t.ID}, "")
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	return n
}

// BenchmarkCallToEvent measures how long a call takes to reach a subscribed board:
// from sending call-next to reading its "call" event. Target: ≤ 100 ms.
func BenchmarkCallToEvent(b *testing.B) {
	st := mustStation(b)
	tok := st.login(b, "王芳", "240816")
	for i := 0; i < min(b.N, 999); i++ {
		st.issue(b, "B", false)
	}
	board := subscribe(b, st.URL, "")
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < min(b.N, 999); i++ {
		start := time.Now()
		var tk ticketJSON
		do(b, nil, "POST", st.URL+"/api/v1/counters/1/call-next", tok, nil, &tk)
		board.until(b, "call", nil)
		lat = append(lat, time.Since(start))
		b.StopTimer()
		do(b, nil, "POST", st.URL+"/api/v1/tickets/"+tk.ID+"/finish", tok, nil, nil)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(ms(pct(lat, 50)), "p50-ms")
	b.ReportMetric(ms(pct(lat, 99)), "p99-ms")
	b.Logf("n=%d call → board event p50 %v p99 %v (target ≤ 100ms)", len(lat), pct(lat, 50), pct(lat, 99))
}

// fillQueue issues 10,000 waiting tickets: the most one day allows (9 services ×
// 999) today, and the rest left waiting from yesterday, still in the same index.
func fillQueue(b *testing.B, st *station) int {
	b.Helper()
	var n atomic.Int64
	issueDay := func(day time.Time, count int) {
		st.Clock.Set(day)
		var wg sync.WaitGroup
		work := make(chan int)
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					body := fmt.Sprintf(`{"service":"%c","priority":%t,"request_id":"fill-%s-%06d"}`,
						"ABCDEFGHJ"[i%9], i%11 == 0, day.Format("0102"), i)
					resp, err := http.Post(st.URL+"/api/v1/tickets", "application/json", strings.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 201 {
						n.Add(1)
					}
				}
			}()
		}
		for i := 0; i < count; i++ {
			work <- i
		}
		close(work)
		wg.Wait()
	}
	issueDay(time.Date(2026, 11, 22, 9, 0, 0, 0, shanghai), 10000-9*backend.MaxDailyNumber)
	issueDay(time.Date(2026, 11, 23, 9, 0, 0, 0, shanghai), 9*backend.MaxDailyNumber)
	return int(n.Load())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// TestStaffAPI_TicketVisit: when staff call a ticket a visit was registered with, the
// answer says which ledger entry and what about — in the call-next answer, the ticket
// actions' and the waiting list's tickets at a counter — and null for a ticket
// without one; only to a staff session, and nothing personal.
func TestStaffAPI_TicketVisit(t *testing.T) {
	st := mustStation(t)
	tok := st.login(t, "王芳", "240816")
	tied := st.issue(t, "B", false)
	untied := st.issue(t, "B", false)
	const idNumber, phone = "11010519491231002X", "13812345678"
	var visit struct{ ID, Serial string }
	body := map[string]any{"id_number": idNumber, "phone": phone, "relation": "self", "service": "B", "matter": "B2",
		"ticket_id": tied, "request_id": "kiosk-visit-tied-1"}
	if resp := do(t, nil, "POST", st.URL+"/api/v1/visits", "", body, &visit); resp.StatusCode != 201 {
		t.Fatalf("register the visit: %d", resp.StatusCode)
	}
	type visitJSON struct {
		ID, Serial, Service, Matter string
		MatterName                  string `json:"matter_name"`
	}
	type staffTicket struct {
		ID    string
		Visit *visitJSON
	}
	want := visitJSON{ID: visit.ID, Serial: visit.Serial, Service: "B", Matter: "B2"}
	wantName := func(lang string) visitJSON {
		w := want
		m, _ := backend.FindMatter("B", "B2")
		w.MatterName = m.Name(lang)
		return w
	}
	decode := func(t *testing.T, raw []byte, out any) {
		t.Helper()
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
		for _, secret := range []string{idNumber, phone, "1101051949", "5678"} {
			if strings.Contains(string(raw), secret) {
				t.Fatalf("the staff ticket holds %q: %s", secret, raw)
			}
		}
	}
	post := func(t *testing.T, path, lang string, body string) []byte {
		t.Helper()
		req, _ := http.NewRequest("POST", st.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept-Language", lang)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, raw)
		}
		return raw
	}

	t.Run("OK", func(t *testing.T) {
		var got staffTicket
		decode(t, post(t, "/api/v1/counters/1/call-next", "zh-CN", ""), &got)
		if got.ID != tied || got.Visit == nil || *got.Visit != wantName("zh-CN") {
			t.Fatalf("call-next of the tied ticket: %+v %+v, want %+v", got, got.Visit, wantName("zh-CN"))
		}
		// The ticket's actions answer with it too, in the reader's language.
		decode(t, post(t, "/api/v1/tickets/"+tied+"/start", "en", ""), &got)
		if got.Visit == nil || *got.Visit != wantName("en") || got.Visit.MatterName == wantName("zh-CN").MatterName {
			t.Fatalf("start: %+v", got.Visit)
		}
		// A console that reloads finds it on the waiting list's ticket at the counter.
		var waiting struct {
			Active []struct {
				ID      string
				Counter int
				Visit   *visitJSON
			}
			Services []json.RawMessage
		}
		do(t, nil, "GET", st.URL+"/api/v1/waiting", tok, nil, &waiting)
		if len(waiting.Active) != 1 || waiting.Active[0].ID != tied || waiting.Active[0].Visit == nil ||
			*waiting.Active[0].Visit != wantName("en") || len(waiting.Services) == 0 {
			t.Fatalf("waiting list: %+v", waiting)
		}
	})

	t.Run("Untied", func(t *testing.T) {
		var got map[string]json.RawMessage
		decode(t, post(t, "/api/v1/counters/2/call-next", "zh-CN", ""), &got)
		if string(got["id"]) != `"`+untied+`"` || string(got["visit"]) != "null" {
			t.Fatalf("call-next of a ticket without a visit: id %s visit %s", got["id"], got["visit"])
		}
		var waiting struct{ Active []map[string]json.RawMessage }
		do(t, nil, "GET", st.URL+"/api/v1/waiting", tok, nil, &waiting)
		if len(waiting.Active) != 2 {
			t.Fatalf("%d tickets at counters, want 2", len(waiting.Active))
		}
		for _, a := range waiting.Active {
			if v := string(a["visit"]); (string(a["id"]) == `"`+untied+`"`) != (v == "null") {
				t.Fatalf("waiting list ticket %s: visit %s", a["id"], v)
			}
		}
	})

	t.Run("ErrNoSession", func(t *testing.T) {
		if resp := do(t, nil, "GET", st.URL+"/api/v1/waiting", "", nil, nil); resp.StatusCode != 401 {
			t.Fatalf("waiting list without a session: %d", resp.StatusCode)
		}
		// The ticket's own page and the lobby board are public: they never tell.
		for _, path := range []string{"/api/v1/tickets/" + tied, "/api/v1/board"} {
			req, _ := http.NewRequest("GET", st.URL+path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(raw), visit.Serial) || strings.Contains(string(raw), visit.ID) {
				t.Fatalf("%s tells the visit without a session: %s", path, raw)
			}
		}
		var e errorJSON
		if resp := do(t, nil, "POST", st.URL+"/api/v1/tickets/"+tied+"/finish", "", nil, &e); resp.StatusCode != 401 {
			t.Fatalf("a ticket action without a session: %d", resp.StatusCode)
		}
	})

	t.Run("LedgerOff", func(t *testing.T) {
		off := &bzhttp.Server{Station: st.Server.Station, Tickets: st.Tickets, Services: st.Server.Services,
			Staff: st.Server.Staff, Logger: st.Server.Logger, Clock: st.Clock}
		srv := httptest.NewServer(off.Handler())
		defer srv.Close()
		offTok := login(t, srv.URL, "王芳", "240816")
		var got map[string]json.RawMessage
		if resp := do(t, nil, "POST", srv.URL+"/api/v1/tickets/"+tied+"/finish", offTok, nil, &got); resp.StatusCode != 200 {
			t.Fatalf("finish: %d", resp.StatusCode)
		}
		if string(got["visit"]) != "null" {
			t.Fatalf("visit %s with the ledger off", got["visit"])
		}
	})
}
