//go:build linux

package app_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bingzhan/backend/app"
	"bingzhan/backend/app/apptest"
	bzhttp "bingzhan/backend/http"
	"bingzhan/backend/stationtls"
)

// The tests here put "another PC on the station's LAN" in a network namespace of its
// own, joined to this host by a veth pair the test makes: its requests arrive at the
// station from a real LAN address over a real link, as a laptop's, a tablet's or a
// staff PC's would. The client in the namespace is this test binary run again there
// (lanClientEnv), or Chromium.

const lanClientEnv = "BINGZHAN_LAN_CLIENT"

func TestMain(m *testing.M) {
	if os.Getenv(lanClientEnv) != "" {
		os.Exit(runLANClient(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

// lan is a second host: the namespace ns, reached at PeerIP; the station's side of
// the link is HostIP.
type lan struct {
	ns, HostIP, PeerIP string
}

// newLAN makes the namespace and its link, and removes them when t ends.
func newLAN(t *testing.T) *lan {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a second host on a veth pair needs root (make test runs as root in CI)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatal("ip (iproute2) is missing: make setup installs it")
	}
	n := os.Getpid() % 100000
	l := &lan{
		ns:     fmt.Sprintf("bzlan%d", n),
		HostIP: fmt.Sprintf("10.201.%d.1", n%250),
		PeerIP: fmt.Sprintf("10.201.%d.2", n%250),
	}
	host, peer := fmt.Sprintf("bzh%d", n), fmt.Sprintf("bzp%d", n)
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("netns", "add", l.ns)
	t.Cleanup(func() {
		exec.Command("ip", "netns", "del", l.ns).Run() // takes the veth pair with it
		exec.Command("ip", "link", "del", host).Run()
	})
	run("link", "add", host, "type", "veth", "peer", "name", peer)
	run("link", "set", peer, "netns", l.ns)
	run("addr", "add", l.HostIP+"/24", "dev", host)
	run("link", "set", host, "up")
	run("netns", "exec", l.ns, "ip", "addr", "add", l.PeerIP+"/24", "dev", peer)
	run("netns", "exec", l.ns, "ip", "link", "set", peer, "up")
	run("netns", "exec", l.ns, "ip", "link", "set", "lo", "up")
	return l
}

// lanRequest is one request the other PC sends, Repeat times (request_id in Body
// may hold a %d, filled with the repetition's number).
type lanRequest struct {
	Method, URL, Body string
	Device            string // an enrolled kiosk device's token
	Repeat            int
}

// lanResult is what the other PC got for one lanRequest.
type lanResult struct {
	Statuses   map[int]int // status → how many times; 0 is no HTTP answer at all
	Code       string      // the last answer's error code
	Message    string
	RetryAfter string
	Secure     bool // the last answer set only Secure cookies (and set some)
	Err        string
}

type lanBatch struct {
	CA       string // PEM of the CA the other PC trusts
	Requests []lanRequest
}

// client runs reqs from the other PC, trusting the CA ca, and returns what it got.
func (l *lan) client(t *testing.T, ca []byte, reqs ...lanRequest) []lanResult {
	t.Helper()
	in, _ := json.Marshal(lanBatch{CA: string(ca), Requests: reqs})
	cmd := exec.Command("ip", "netns", "exec", l.ns, os.Args[0])
	cmd.Env = append(os.Environ(), lanClientEnv+"=1")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the client on the other PC: %v\n%s", err, stderr.String())
	}
	var res []lanResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("the client's answer %q: %v", out, err)
	}
	return res
}

// runLANClient is the other PC: it reads a lanBatch from in and writes the results.
func runLANClient(in io.Reader, out io.Writer) int {
	var b lanBatch
	if err := json.NewDecoder(in).Decode(&b); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(b.CA))
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	var results []lanResult
	for _, r := range b.Requests {
		res := lanResult{Statuses: map[int]int{}}
		for i := range max(r.Repeat, 1) {
			body := r.Body
			if strings.Contains(body, "%d") {
				body = fmt.Sprintf(body, i)
			}
			req, _ := http.NewRequest(r.Method, r.URL, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept-Language", "en")
			if r.Device != "" {
				req.Header.Set(bzhttp.DeviceHeader, r.Device)
			}
			resp, err := client.Do(req)
			if err != nil {
				res.Statuses[0]++
				res.Err = err.Error()
				continue
			}
			res.Statuses[resp.StatusCode]++
			var e struct{ Code, Message string }
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			json.Unmarshal(data, &e)
			res.Code, res.Message, res.RetryAfter = e.Code, e.Message, resp.Header.Get("Retry-After")
			cookies := resp.Cookies()
			res.Secure = len(cookies) > 0
			for _, c := range cookies {
				res.Secure = res.Secure && c.Secure
			}
		}
		results = append(results, res)
	}
	json.NewEncoder(out).Encode(results)
	return 0
}

// lanStation opens a station with HTTPS on the LAN side of l, and returns it with its
// base URL and CA.
func lanStation(t *testing.T, l *lan) (*apptest.Station, string, []byte) {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.TLS = true
	// The machine's clock: Chromium checks the certificate's dates against it.
	dist := filepath.Join("..", "..", "frontend", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatal("no frontend/dist: make builds the frontend before go test")
	}
	st := apptest.Open(t, apptest.Options{Config: &cfg, Accounts: true, Registry: 20, NoServer: true, RealClock: true,
		Assets: os.DirFS(dist)})
	addr, err := st.Listen(l.HostIP + ":0")
	if err != nil {
		t.Fatal(err)
	}
	ca, err := os.ReadFile(filepath.Join(st.Dir, stationtls.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	return st, "https://" + addr.String(), ca
}

// atKiosk sends a request as the kiosk PC itself does (loopback), and returns the
// status.
func atKiosk(st *apptest.Station, method, path, body string) int {
	return kioskSend(st, method, path, body).Code
}

func kioskSend(st *apptest.Station, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = "127.0.0.1:50000"
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	st.Handler().ServeHTTP(rec, req)
	return rec
}

// waiting returns how many tickets wait in all the station's queues.
func waiting(t *testing.T, st *apptest.Station) int {
	t.Helper()
	var q struct{ Services []struct{ Waiting int } }
	if err := json.Unmarshal(kioskSend(st, "GET", "/api/v1/queue", "").Body.Bytes(), &q); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range q.Services {
		n += s.Waiting
	}
	return n
}

// TestLAN_Laptop is the test as someone on the LAN would make it: a laptop
// plugged into the station's network cannot flood the queue, cannot look anyone up,
// cannot lock a veteran out and cannot read a PIN off the wire — while the board and
// a staff login work from it, over HTTPS it trusts once.
func TestLAN_Laptop(t *testing.T) {
	l := newLAN(t)
	st, base, ca := lanStation(t, l)
	p := st.People[0]
	wrong := "0000"
	if p.PhoneLast4() == wrong {
		wrong = "1111"
	}
	lookup := func(last4 string) string {
		return fmt.Sprintf(`{"id_number":%q,"phone_last4":%q}`, p.IDNumber, last4)
	}
	login := `{"name":"` + apptest.StaffName + `","pin":"` + apptest.StaffPIN + `"}`
	res := l.client(t, ca,
		lanRequest{Method: "POST", URL: base + "/api/v1/tickets", Body: `{"service":"A","request_id":"flood-%d"}`, Repeat: 300},
		lanRequest{Method: "POST", URL: base + "/api/v1/lookup", Body: lookup(p.PhoneLast4()), Repeat: 5},
		lanRequest{Method: "POST", URL: base + "/api/v1/lookup", Body: lookup(wrong), Repeat: 10},
		lanRequest{Method: "GET", URL: base + "/api/v1/board"},
		lanRequest{Method: "POST", URL: base + "/api/v1/login", Body: login},
		lanRequest{Method: "POST", URL: strings.Replace(base, "https:", "http:", 1) + "/api/v1/login", Body: login},
	)
	flood, look, guess, board, staffLogin, plain := res[0], res[1], res[2], res[3], res[4], res[5]
	if flood.Statuses[http.StatusForbidden] != 300 || !strings.Contains(flood.Message, "kiosk") {
		t.Errorf("300 tickets from the laptop: %v, last %q; want all refused with a word to use the kiosk", flood.Statuses, flood.Message)
	}
	if look.Statuses[http.StatusForbidden] != 5 || guess.Statuses[http.StatusForbidden] != 10 {
		t.Errorf("lookups from the laptop: right %v, wrong %v; want every one refused", look.Statuses, guess.Statuses)
	}
	if board.Statuses[http.StatusOK] != 1 {
		t.Errorf("the board from the laptop: %v %s", board.Statuses, board.Err)
	}
	if staffLogin.Statuses[http.StatusOK] != 1 || !staffLogin.Secure {
		t.Errorf("a staff login over HTTPS: %v, Secure cookie %v", staffLogin.Statuses, staffLogin.Secure)
	}
	if plain.Statuses[http.StatusOK] != 0 {
		t.Errorf("a PIN sent in plain HTTP was accepted: %v", plain.Statuses)
	}

	if n := waiting(t, st); n != 0 {
		t.Errorf("%d tickets in the queue after the laptop's flood, want none", n)
	}
	if code := atKiosk(st, "POST", "/api/v1/lookup", lookup(p.PhoneLast4())); code != http.StatusOK {
		t.Errorf("the veteran at the real kiosk after the laptop's wrong guesses: %d, want found", code)
	}
}

// TestLAN_KioskDevice: a tablet in the lobby, enrolled by an admin, takes tickets and
// looks people up from the LAN as the kiosk does; its own flood is cut short with
// 429 and Retry-After; three wrong answers for a veteran lock that veteran at the
// tablet only, never at the real kiosk; once removed it is a stranger again.
func TestLAN_KioskDevice(t *testing.T) {
	l := newLAN(t)
	st, base, ca := lanStation(t, l)
	d, token, err := st.Devices.AddDevice(t.Context(), "大厅平板", apptest.AdminName)
	if err != nil {
		t.Fatal(err)
	}
	p := st.People[1]
	wrong := "0000"
	if p.PhoneLast4() == wrong {
		wrong = "1111"
	}
	lookup := func(last4 string) string {
		return fmt.Sprintf(`{"id_number":%q,"phone_last4":%q}`, p.IDNumber, last4)
	}
	res := l.client(t, ca,
		lanRequest{Method: "POST", URL: base + "/api/v1/tickets", Body: `{"service":"A","request_id":"tablet-one"}`, Device: token},
		lanRequest{Method: "POST", URL: base + "/api/v1/lookup", Body: lookup(p.PhoneLast4()), Device: token},
		lanRequest{Method: "POST", URL: base + "/api/v1/lookup", Body: lookup(wrong), Device: token, Repeat: 3},
		lanRequest{Method: "POST", URL: base + "/api/v1/lookup", Body: lookup(p.PhoneLast4()), Device: token},
		lanRequest{Method: "POST", URL: base + "/api/v1/tickets", Body: `{"service":"A","request_id":"tablet-flood-%d"}`, Device: token, Repeat: 100},
	)
	one, found, guesses, locked, flood := res[0], res[1], res[2], res[3], res[4]
	if one.Statuses[http.StatusCreated] != 1 || found.Statuses[http.StatusOK] != 1 {
		t.Fatalf("the tablet's ticket %v and lookup %v: want both to work", one.Statuses, found.Statuses)
	}
	if locked.Statuses[http.StatusLocked] != 1 {
		t.Errorf("after three wrong answers at the tablet, the right one there: %v, want locked there", locked.Statuses)
	}
	if code := atKiosk(st, "POST", "/api/v1/lookup", lookup(p.PhoneLast4())); code != http.StatusOK {
		t.Errorf("the veteran at the real kiosk after the tablet's wrong answers: %d, want found", code)
	}
	taken := flood.Statuses[http.StatusCreated]
	if taken < 1 || taken > 15 || flood.Statuses[http.StatusTooManyRequests] != 100-taken || flood.RetryAfter == "" {
		t.Errorf("100 tickets at once from the tablet: %v, Retry-After %q; want a burst of about ten, then 429", flood.Statuses, flood.RetryAfter)
	}
	if n := waiting(t, st); n != 1+taken {
		t.Errorf("%d waiting, want %d", n, 1+taken)
	}
	if guesses.Statuses[http.StatusOK] != 0 || guesses.Code == "" {
		t.Errorf("three wrong answers: %v %q", guesses.Statuses, guesses.Code)
	}

	if err := st.Devices.RemoveDevice(t.Context(), d.ID); err != nil {
		t.Fatal(err)
	}
	res = l.client(t, ca, lanRequest{Method: "POST", URL: base + "/api/v1/lookup", Body: lookup(p.PhoneLast4()), Device: token})
	if res[0].Statuses[http.StatusForbidden] != 1 {
		t.Errorf("the removed tablet's lookup: %v, want refused", res[0].Statuses)
	}
}

// TestLAN_ChromiumTrustsCA: a staff PC's Chromium that was given the station's CA
// file once opens the console at https://IP:PORT/ with no warning; one that was not
// refuses the page.
func TestLAN_ChromiumTrustsCA(t *testing.T) {
	l := newLAN(t)
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Fatal("chromium is missing: make setup installs it")
	}
	if _, err := exec.LookPath("certutil"); err != nil {
		t.Fatal("certutil (libnss3-tools) is missing: make setup installs it")
	}
	st, base, _ := lanStation(t, l)
	caFile := filepath.Join(st.Dir, stationtls.CAFile)

	open := func(trust bool) (dom, log string) {
		t.Helper()
		home := t.TempDir()
		if trust { // what docs/security.md tells staff to do, as NSS's tool does it
			db := "sql:" + filepath.Join(home, ".pki", "nssdb")
			os.MkdirAll(filepath.Join(home, ".pki", "nssdb"), 0o700)
			for _, args := range [][]string{
				{"-N", "-d", db, "--empty-password"},
				{"-A", "-d", db, "-n", "Bingzhan station", "-t", "C,,", "-i", caFile},
			} {
				if out, err := exec.Command("certutil", args...).CombinedOutput(); err != nil {
					t.Fatalf("certutil %v: %v\n%s", args, err, out)
				}
			}
		}
		cmd := exec.Command("ip", "netns", "exec", l.ns, "chromium", "--headless", "--no-sandbox", "--disable-gpu",
			"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
			"--disable-sync", "--user-data-dir="+filepath.Join(home, "profile"), "--virtual-time-budget=5000",
			"--dump-dom", base+"/staff")
		cmd.Env = append(os.Environ(), "HOME="+home)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Logf("chromium: %v", err)
		}
		return string(out), stderr.String()
	}
	console := `data-test="staff"` // the console's login, drawn by the app's script
	if dom, log := open(true); !strings.Contains(dom, console) {
		t.Errorf("Chromium trusting the CA did not show the console:\n%.600s\n%s", dom, log)
	}
	if dom, log := open(false); strings.Contains(dom, console) || !strings.Contains(log, "ERR_CERT_AUTHORITY_INVALID") {
		t.Errorf("Chromium that never trusted the CA: want the page refused for the certificate\n%.600s\n%s", dom, log)
	}
}
