package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/report"
	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	"bingzhan/sync/county/control"
	countyhttp "bingzhan/sync/county/http"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"

	"github.com/jonboulle/clockwork"
	bbolt "go.etcd.io/bbolt"
)

// newCountyData makes a county data folder holding one station, the server stopped.
func newCountyData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	st, err := countybolt.Open(dir, countybolt.Options{ReadSheet: report.ParseSheet})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.AddStation(t.Context(), "东风镇退役军人服务站"); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// checkBackupFile opens a backup as an operator would restore it and says which
// stations it holds.
func checkBackupFile(t *testing.T, path string) []county.Station {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	err = db.View(func(tx *bbolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatalf("backup damaged: %v", err)
	}
	dir := t.TempDir()
	buf, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, countybolt.FileName), buf, 0o600)
	st, err := countybolt.Open(dir, countybolt.Options{ReadSheet: report.ParseSheet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sts, err := st.Stations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return sts
}

// backupCmd runs `bingzhan-county backup --data dir` and returns the path it printed.
func backupCmd(t *testing.T, dir string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), []string{"backup", "--data", dir}, strings.NewReader(""), &out)
	return strings.TrimSpace(out.String()), err
}

func TestBackupCommand(t *testing.T) {
	t.Run("OKServerStopped", func(t *testing.T) {
		dir := newCountyData(t)
		path, err := backupCmd(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(path) != filepath.Join(dir, countybolt.BackupDirName) {
			t.Errorf("printed %q, want a file in DATA/backups", path)
		}
		if sts := checkBackupFile(t, path); len(sts) != 1 || sts[0].Name != "东风镇退役军人服务站" {
			t.Errorf("backup holds %+v", sts)
		}
	})

	t.Run("OKServerRunning", func(t *testing.T) {
		dir := newCountyData(t)
		ctx, cancel := context.WithCancel(context.Background())
		out := &synctest.Buffer{}
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--no-tls", "--data", dir, "--backup-keep", "5"}, strings.NewReader(""), out)
		}()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}()
		re := regexp.MustCompile(`listening on (http://\S+)`)
		synctest.WaitFor(t, "the server to listen", func() bool { return re.MatchString(out.String()) })
		base := re.FindStringSubmatch(out.String())[1]
		// Without a recent backup the server makes one as it starts.
		backups := filepath.Join(dir, countybolt.BackupDirName)
		synctest.WaitFor(t, "a backup at start", func() bool {
			m, _ := filepath.Glob(filepath.Join(backups, "county-*.db"))
			return len(m) == 1
		})
		synctest.WaitFor(t, "the control socket", func() bool {
			_, err := os.Stat(filepath.Join(dir, control.AdminSocket))
			return err == nil
		})
		path, err := backupCmd(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(path) != backups {
			t.Errorf("printed %q, want a file in %s", path, backups)
		}
		if sts := checkBackupFile(t, path); len(sts) != 1 {
			t.Errorf("backup holds %d stations, want 1", len(sts))
		}
		if fi, err := os.Stat(filepath.Join(dir, control.AdminSocket)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("control socket %v %v: want mode 0600", fi, err)
		}
		resp, err := http.Get(base + "/api/v1/health")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("the server stopped answering after a backup: %v", err)
		}
		resp.Body.Close()
		if !strings.Contains(out.String(), "backups every 24h0m0s into "+backups+" (keeping 5)") {
			t.Errorf("serve did not say where backups go:\n%s", out.String())
		}
	})

	t.Run("OKStaleSocket", func(t *testing.T) {
		// A server killed without warning leaves its socket file behind.
		dir := newCountyData(t)
		l, err := net.Listen("unix", filepath.Join(dir, control.AdminSocket))
		if err != nil {
			t.Fatal(err)
		}
		l.(*net.UnixListener).SetUnlinkOnClose(false)
		l.Close()
		path, err := backupCmd(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		checkBackupFile(t, path)
	})

	t.Run("ErrNoDatabase", func(t *testing.T) {
		_, err := backupCmd(t, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "no county database") {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("ErrHeldWithoutSocket", func(t *testing.T) {
		// `station add` (or an older server) holds the database and has no control
		// socket: the command says so and where the daily backups are.
		dir := newCountyData(t)
		st, err := countybolt.Open(dir, countybolt.Options{ReadSheet: report.ParseSheet})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, err = backupCmd(t, dir)
		if err == nil || !strings.Contains(err.Error(), "does not answer on its control socket") ||
			!strings.Contains(err.Error(), filepath.Join(dir, countybolt.BackupDirName)) {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("ErrBadFlags", func(t *testing.T) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"serve", "--data", t.TempDir(), "--backup-keep", "0"}, strings.NewReader(""), &out)
		if err == nil || !strings.Contains(err.Error(), "--backup-keep") {
			t.Fatalf("got %v", err)
		}
	})
}

// startCounty runs the county server (the Main that `serve` runs) on dir, plain HTTP
// on 127.0.0.1, until the test ends, and returns its address once its control socket
// is up.
func startCounty(t *testing.T, dir string) string {
	t.Helper()
	return startMain(t, dir, nil).URL
}

// startMain opens and runs a Main on dir and a free loopback port, on clock (nil: the
// machine's), until the test ends. db, when given, is its PostgreSQL database.
func startMain(t *testing.T, dir string, clock backend.Clock, db ...string) *Main {
	t.Helper()
	m := NewMain()
	m.DataDir, m.Addr, m.Clock, m.Logger = dir, "127.0.0.1:0", clock, synctest.Quiet
	if len(db) > 0 {
		m.DB = db[0]
	}
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if m.DB == "" { // commands reach a bbolt county through its control socket
		synctest.WaitFor(t, "the control socket", func() bool {
			_, err := os.Stat(filepath.Join(dir, control.AdminSocket))
			return err == nil
		})
	}
	return m
}

// TestMain_BackupsOnClock: the server's one clock times its backups and names them,
// so a day between two of them passes when the test moves the clock.
func TestMain_BackupsOnClock(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC))
	m := startMain(t, newCountyData(t), clock)
	backups := func() int { f, _ := m.Backups.Backups(t.Context()); return len(f) }
	synctest.WaitFor(t, "a backup at start", func() bool { return backups() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clock.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(m.BackupEvery)
	synctest.WaitFor(t, "the next day's backup", func() bool { return backups() == 2 })
	last, err := m.Backups.LastBackup(t.Context())
	if err != nil || last == nil || !last.At.Equal(clock.Now()) {
		t.Fatalf("last backup %+v %v, want one made at %v", last, err, clock.Now())
	}
	resp, err := http.Get(m.URL + "/api/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var health struct{ Time time.Time }
	if json.NewDecoder(resp.Body).Decode(&health) != nil || !health.Time.Equal(clock.Now()) {
		t.Errorf("health says %v, want the county's clock %v", health.Time, clock.Now())
	}
}

// countyCmd runs a bingzhan-county command and returns what it printed.
func countyCmd(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out)
	return out.String(), err
}

// loginStatus tries a dashboard login on the running server and returns the status.
func loginStatus(t *testing.T, base, name, pin string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"name": name, "pin": pin})
	resp, err := http.Post(base+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestUserAddCommand(t *testing.T) {
	t.Run("OKServerStopped", func(t *testing.T) {
		dir := t.TempDir() // the first user comes before the first start
		out, err := countyCmd("user", "add", "王科长", "--pin", "135790", "--data", dir)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "user 王科长 can log in at the county dashboard") {
			t.Errorf("printed %q", out)
		}
		if base := startCounty(t, dir); loginStatus(t, base, "王科长", "135790") != http.StatusOK {
			t.Error("the user added with the server stopped cannot log in")
		}
	})

	t.Run("OKServerRunning", func(t *testing.T) {
		dir := newCountyData(t)
		base := startCounty(t, dir)
		out, err := countyCmd("user", "add", "李干事", "--pin", "246801", "--data", dir)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "user 李干事 can log in at the county dashboard") {
			t.Errorf("printed %q", out)
		}
		if got := loginStatus(t, base, "李干事", "246801"); got != http.StatusOK {
			t.Errorf("login right after user add: status %d, want 200", got)
		}
	})

	t.Run("ErrBadPINServerRunning", func(t *testing.T) {
		dir := newCountyData(t)
		base := startCounty(t, dir)
		_, err := countyCmd("user", "add", "李干事", "--pin", "12", "--data", dir)
		if err == nil || backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(err.Error(), "PIN") {
			t.Fatalf("got %v, want the server's PIN rule", err)
		}
		if got := loginStatus(t, base, "李干事", "12"); got == http.StatusOK {
			t.Error("a refused user can log in")
		}
	})
}

func TestStationAddCommand(t *testing.T) {
	t.Run("OKServerStopped", func(t *testing.T) {
		dir := newCountyData(t)
		file := filepath.Join(t.TempDir(), "xishan.json")
		out, err := countyCmd("station", "add", "西山镇退役军人服务站", "--out", file, "--url", "http://county.test:8443", "--no-tls", "--data", dir)
		if err != nil {
			t.Fatal(err)
		}
		e := readEnrolment(t, file)
		if e.StationName != "西山镇退役军人服务站" || e.CountyURL != "http://county.test:8443" || e.CertPin != "" {
			t.Errorf("enrolment %+v", e)
		}
		if !strings.Contains(out, "station "+e.StationID+" (西山镇退役军人服务站) added; enrolment file "+file) {
			t.Errorf("printed %q", out)
		}
		base := startCounty(t, dir)
		if got := refStatus(t, base, e.StationID, e.Secret); got != http.StatusNotFound {
			t.Errorf("the new station's secret: status %d, want 404 (known station, no catalog yet)", got)
		}
	})

	t.Run("OKServerRunning", func(t *testing.T) {
		dir := newCountyData(t)
		base := startCounty(t, dir)
		file := filepath.Join(t.TempDir(), "xishan.json")
		out, err := countyCmd("station", "add", "西山镇退役军人服务站", "--out", file, "--url", "https://county.test:8443", "--data", dir)
		if err != nil {
			t.Fatal(err)
		}
		e := readEnrolment(t, file)
		cert, err := countyhttp.LoadOrCreateCertificate(dir, nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if e.StationName != "西山镇退役军人服务站" || e.CountyURL != "https://county.test:8443" || e.CertPin != wire.SPKIPin(cert.Leaf) {
			t.Errorf("enrolment %+v, want the county's own pin", e)
		}
		if !strings.Contains(out, "station "+e.StationID+" (西山镇退役军人服务站) added") {
			t.Errorf("printed %q", out)
		}
		if got := refStatus(t, base, e.StationID, e.Secret); got != http.StatusNotFound {
			t.Errorf("the running server does not know the new station: status %d, want 404 (no catalog yet)", got)
		}
		if got := refStatus(t, base, e.StationID, "wrong"); got != http.StatusUnauthorized {
			t.Errorf("wrong secret: status %d, want 401", got)
		}
	})

	t.Run("ErrNameTakenServerRunning", func(t *testing.T) {
		dir := newCountyData(t)
		startCounty(t, dir)
		file := filepath.Join(t.TempDir(), "dongfeng.json")
		_, err := countyCmd("station", "add", "东风镇退役军人服务站", "--out", file, "--url", "http://county.test:8443", "--data", dir)
		if err == nil || backend.ErrorCode(err) != backend.ECONFLICT || !strings.Contains(err.Error(), "exists already") {
			t.Fatalf("got %v, want the name taken", err)
		}
		if _, err := os.Stat(file); !os.IsNotExist(err) {
			t.Errorf("a refused station left %s behind (%v)", file, err)
		}
	})

	t.Run("ErrOutFolderMissing", func(t *testing.T) {
		// The file is made first: a typo in --out must not add a station nobody can enrol.
		dir := newCountyData(t)
		startCounty(t, dir)
		file := filepath.Join(t.TempDir(), "no-such-folder", "x.json")
		if _, err := countyCmd("station", "add", "西山镇退役军人服务站", "--out", file, "--url", "http://county.test:8443", "--data", dir); err == nil {
			t.Fatal("no error for a missing folder")
		}
		if _, err := countyCmd("station", "add", "西山镇退役军人服务站", "--out", filepath.Join(t.TempDir(), "x.json"), "--url", "http://county.test:8443", "--data", dir); err != nil {
			t.Errorf("the name is taken after a failed --out: %v", err)
		}
	})
}

// readEnrolment reads an enrolment file as the station would and checks its mode.
func readEnrolment(t *testing.T, file string) *wire.Enrolment {
	t.Helper()
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600 (it holds the station's secret)", file, fi.Mode().Perm())
	}
	buf, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var e wire.Enrolment
	if err := json.Unmarshal(buf, &e); err != nil {
		t.Fatal(err)
	}
	if err := e.Validate(); err != nil {
		t.Fatalf("enrolment file invalid: %v", err)
	}
	return &e
}

// refStatus asks the running server for the catalog as station id with secret.
func refStatus(t *testing.T, base, id, secret string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+wire.RefPath+wire.RefCatalog, nil)
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestStationListCommand: the operator lists the stations whether the server runs or
// not, and a station added while it runs shows at once.
func TestStationListCommand(t *testing.T) {
	for _, running := range []bool{false, true} {
		t.Run(map[bool]string{false: "OKServerStopped", true: "OKServerRunning"}[running], func(t *testing.T) {
			dir := newCountyData(t)
			if running {
				startCounty(t, dir)
				if _, err := countyCmd("station", "add", "西山镇退役军人服务站", "--out", filepath.Join(t.TempDir(), "x.json"),
					"--url", "http://county.test:8443", "--no-tls", "--data", dir); err != nil {
					t.Fatal(err)
				}
			}
			out, err := countyCmd("station", "list", "--data", dir)
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			want := 1
			if running {
				want = 2
				if !strings.Contains(out, "西山镇退役军人服务站\tlast seen never") {
					t.Errorf("the station added while running is missing:\n%s", out)
				}
			}
			if got := strings.Count(out, "\n"); got != want || !strings.Contains(out, "东风镇退役军人服务站\tlast seen never\treceived 0\tpending 0") {
				t.Errorf("listed %d stations, want %d:\n%s", got, want, out)
			}
		})
	}
}

// TestStationAddCommand_SeveralURLs: a county that runs two servers on one database
// hands out files naming both, in the order given, with the one pin of their shared
// certificate, through the running server and without one, for a new station and a
// new secret alike.
func TestStationAddCommand_SeveralURLs(t *testing.T) {
	urls := []string{"https://county-a.test:8443", "https://county-b.test:8443"}
	for _, running := range []bool{false, true} {
		t.Run(map[bool]string{false: "OKServerStopped", true: "OKServerRunning"}[running], func(t *testing.T) {
			dir := newCountyData(t)
			if running {
				startCounty(t, dir)
			}
			cert, err := countyhttp.LoadOrCreateCertificate(dir, nil, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			for _, verb := range []string{"add", "new-secret"} {
				file := filepath.Join(t.TempDir(), verb+".json")
				out, err := countyCmd("station", verb, "西山镇退役军人服务站", "--out", file, "--url", urls[0], "--url", urls[1]+"/", "--data", dir)
				if err != nil {
					t.Fatalf("%s: %v: %s", verb, err, out)
				}
				buf, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				e, err := wire.ParseEnrolment(buf)
				if err != nil {
					t.Fatalf("%s wrote a file that does not parse: %v\n%s", verb, err, buf)
				}
				if e.CountyURL != urls[0] || !slices.Equal(e.CountyURLs, urls) || e.CertPin != wire.SPKIPin(cert.Leaf) {
					t.Errorf("%s wrote county_url %q, county_urls %q, pin %q; want %q, %q and the county's pin", verb,
						e.CountyURL, e.CountyURLs, e.CertPin, urls[0], urls)
				}
			}
		})
	}
	t.Run("ErrBadSecondURL", func(t *testing.T) {
		dir := newCountyData(t)
		file := filepath.Join(t.TempDir(), "x.json")
		_, err := countyCmd("station", "add", "西山镇退役军人服务站", "--out", file, "--url", urls[0], "--url", "county-b.test:8443", "--data", dir)
		if err == nil || !strings.Contains(err.Error(), `county_urls[1] "county-b.test:8443" must be https://host:port`) {
			t.Fatalf("got %v, want the bad address named", err)
		}
		if _, err := os.Stat(file); !os.IsNotExist(err) {
			t.Errorf("a refused address left %s behind", file)
		}
		if _, err := countyCmd("station", "add", "西山镇退役军人服务站", "--out", file, "--url", urls[0], "--data", dir); err != nil {
			t.Errorf("the refused address added the station anyway: %v", err)
		}
	})
	t.Run("ErrPlainBesidePin", func(t *testing.T) {
		dir := newCountyData(t)
		_, err := countyCmd("station", "add", "西山镇退役军人服务站", "--out", filepath.Join(t.TempDir(), "x.json"),
			"--url", urls[0], "--url", "http://county-b.test:8443", "--data", dir)
		if err == nil || !strings.Contains(err.Error(), "not https") {
			t.Fatalf("got %v, want a plain address beside the pin refused", err)
		}
	})
}

// TestServeSeveralURLs: `serve --url A --url B` tells the dashboard both addresses, so
// the enrolment file it downloads for a new station names both, in that order.
func TestServeSeveralURLs(t *testing.T) {
	dir := newCountyData(t)
	if _, err := countyCmd("user", "add", "王科长", "--pin", "258013", "--data", dir); err != nil {
		t.Fatal(err)
	}
	urls := []string{"http://county-a.test:8443", "http://county-b.test:8443"}
	m := NewMain()
	fl, _, _ := serveFlags(m)
	if err := fl.Parse([]string{"--addr", "127.0.0.1:0", "--data", dir, "--no-tls", "--url", urls[0], "--url", urls[1]}); err != nil {
		t.Fatal(err)
	}
	if err := fl.Parse([]string{"--url", " "}); err == nil {
		t.Error("an empty --url was taken")
	}
	m.Logger = synctest.Quiet
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; m.Close() })

	resp, err := http.Post(m.URL+"/api/v1/login", "application/json", strings.NewReader(`{"name":"王科长","pin":"258013"}`))
	if err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&login)
	resp.Body.Close()
	req, _ := http.NewRequest("POST", m.URL+"/stations", strings.NewReader(url.Values{"name": {"西山镇退役军人服务站"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+login.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	e, err := wire.ParseEnrolment(body)
	if err != nil {
		t.Fatalf("dashboard download %d: %v\n%s", resp.StatusCode, err, body)
	}
	if !slices.Equal(e.URLs(), urls) || e.CountyURL != urls[0] {
		t.Fatalf("dashboard file names %q (county_url %q), want %q", e.URLs(), e.CountyURL, urls)
	}
}

// TestStationNewSecretAndRetireCommands: an operator gives a station a new enrolment
// file (the old one stops working at once) and retires another, with the server
// running or not; the list says which is retired.
func TestStationNewSecretAndRetireCommands(t *testing.T) {
	for _, running := range []bool{false, true} {
		t.Run(map[bool]string{false: "OKServerStopped", true: "OKServerRunning"}[running], func(t *testing.T) {
			dir := newCountyData(t)
			first := filepath.Join(t.TempDir(), "xishan.json")
			if _, err := countyCmd("station", "add", "西山镇退役军人服务站", "--out", first, "--url", "http://county.test:8443", "--no-tls", "--data", dir); err != nil {
				t.Fatal(err)
			}
			old := readEnrolment(t, first)
			var base string
			if running {
				base = startCounty(t, dir)
			}
			second := filepath.Join(t.TempDir(), "xishan-2.json")
			out, err := countyCmd("station", "new-secret", "西山镇退役军人服务站", "--out", second, "--url", "http://county.test:8443", "--no-tls", "--data", dir)
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			e := readEnrolment(t, second)
			if e.StationID != old.StationID || e.Secret == old.Secret || !strings.Contains(out, "the old enrolment file no longer works") {
				t.Fatalf("new-secret printed %q, file %+v", out, e)
			}
			if out, err := countyCmd("station", "retire", "东风镇退役军人服务站", "--data", dir); err != nil || !strings.Contains(out, "retired") {
				t.Fatalf("retire: %v: %s", err, out)
			}
			if _, err := countyCmd("station", "retire", "北山镇", "--data", dir); err == nil || !strings.Contains(err.Error(), "no station") {
				t.Errorf("retiring an unknown station: %v", err)
			}
			if !running {
				base = startCounty(t, dir)
			}
			if got := refStatus(t, base, old.StationID, old.Secret); got != http.StatusUnauthorized {
				t.Errorf("the old file: status %d, want 401", got)
			}
			if got := refStatus(t, base, e.StationID, e.Secret); got != http.StatusNotFound {
				t.Errorf("the new file: status %d, want 404 (known station, no catalog yet)", got)
			}
			list, err := countyCmd("station", "list", "--data", dir)
			if err != nil || !strings.Contains(list, "东风镇退役军人服务站\tlast seen never\treceived 0\tpending 0\tretired ") ||
				strings.Contains(strings.SplitAfter(list, "西山镇")[1], "retired") {
				t.Errorf("list: %v\n%s", err, list)
			}
		})
	}
}
