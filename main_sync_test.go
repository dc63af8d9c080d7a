package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/backend/app/apptest"
	bzreport "bingzhan/backend/report"
	"bingzhan/sync/agent"
	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	countyhttp "bingzhan/sync/county/http"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"
)

// fastSync shortens the agent's waits from minutes to milliseconds.
func fastSync(c *agent.Config) {
	c.Interval, c.MinBackoff, c.MaxBackoff = 100*time.Millisecond, 50*time.Millisecond, 200*time.Millisecond
	c.RetryMax, c.RetryWaitMin, c.RetryWaitMax = 1, 10*time.Millisecond, 50*time.Millisecond
	c.AttemptTimeout, c.NudgeDelay = 2*time.Second, 10*time.Millisecond
}

// TestSync_OfflineThenCounty runs a station that works offline for a while, then the
// county appears at the enrolled address; the county's station list must show every
// ticket once.
func TestSync_OfflineThenCounty(t *testing.T) {
	ctx := context.Background()
	// The county's address is fixed by the enrolment before the county runs.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	countyDir, stationDir := t.TempDir(), t.TempDir()
	cert, err := countyhttp.LoadOrCreateCertificate(countyDir, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	store, err := countybolt.Open(countyDir, countybolt.Options{ReadSheet: bzreport.ParseSheet})
	if err != nil {
		t.Fatal(err)
	}
	e, err := county.NewEnrolment(t.Context(), store, nil, "东风镇退役军人服务站", []string{"https://" + addr}, wire.SPKIPin(cert.Leaf))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.AddUser(t.Context(), "王科长", "258013"); err != nil {
		t.Fatal(err)
	}
	store.Close()
	file := filepath.Join(t.TempDir(), "station.json")
	buf, _ := json.Marshal(e)
	os.WriteFile(file, buf, 0o600)

	t.Run("ErrBadFile", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.json")
		os.WriteFile(bad, []byte(`{"format":"x"}`), 0o600)
		if err := run(ctx, []string{"enrol", bad, "--data", stationDir}, &bytes.Buffer{}); backend.ErrorCode(err) != backend.EINVALID {
			t.Fatalf("bad enrolment file: %v", err)
		}
	})
	var out bytes.Buffer
	if err := run(ctx, []string{"enrol", file, "--data", stationDir}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "enrolled as") || !strings.Contains(out.String(), "county") {
		t.Fatalf("enrol said: %s", out.String())
	}

	m, base := mustOpen(t, stationDir, app.Options{SyncTuning: fastSync})
	waitBackup(t, m)
	if _, err := m.Accounts.AddStaff(ctx, "admin", backend.RoleAdmin, "135790"); err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	call(t, "POST", base+"/api/v1/login", "", `{"name":"admin","pin":"135790"}`, &login)
	status := func() (st struct {
		State     string                    `json:"state"`
		Pending   int                       `json:"pending"`
		LastError *struct{ Message string } `json:"last_error"`
	}) {
		req, _ := http.NewRequest("GET", base+"/api/v1/sync", nil)
		req.Header.Set("Authorization", "Bearer "+login.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		json.NewDecoder(resp.Body).Decode(&st)
		return st
	}

	const tickets = 6
	for i := range tickets {
		if code := call(t, "POST", base+"/api/v1/tickets", "", fmt.Sprintf(`{"service":"B","request_id":"e2e-ticket-%d"}`, i), nil); code != 201 {
			t.Fatalf("ticket %d offline: %d", i, code)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for st := status(); st.State != backend.SyncOffline; st = status() {
		if time.Now().After(deadline) {
			t.Fatalf("station never said it is offline: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st := status(); st.Pending < tickets || st.LastError == nil || st.LastError.Message == "" {
		t.Fatalf("offline status %+v", st)
	}

	// The county appears.
	store, err = countybolt.Open(countyDir, countybolt.Options{ReadSheet: bzreport.ParseSheet})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv := &http.Server{Handler: (&countyhttp.Server{Store: store, Backups: store, Logger: m.Logger}).Handler()}
	cl, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(tls.NewListener(cl, &tls.Config{Certificates: []tls.Certificate{cert}}))
	defer srv.Close()

	deadline = time.Now().Add(20 * time.Second)
	for st := status(); st.State != backend.SyncOK || st.Pending != 0; st = status() {
		if time.Now().After(deadline) {
			t.Fatalf("station did not catch up: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	token, err := store.Login(t.Context(), "王科长", "258013")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "https://"+addr+"/api/v1/stations", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: (&wire.Enrolment{CertPin: e.CertPin}).TLSConfig()}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var stations []struct {
		ID       string         `json:"id"`
		Name     string         `json:"name"`
		LastSeen *time.Time     `json:"last_seen"`
		Pending  int            `json:"pending"`
		Received map[string]int `json:"received"`
		Today    struct{ Tickets int }
	}
	if err := json.NewDecoder(resp.Body).Decode(&stations); err != nil || len(stations) != 1 {
		t.Fatalf("stations: %v %+v", err, stations)
	}
	s := stations[0]
	if s.ID != e.StationID || s.LastSeen == nil || s.Pending != 0 || s.Received["tickets"] != tickets || s.Today.Tickets != tickets {
		t.Fatalf("county sees %+v, want %d tickets today", s, tickets)
	}
}

func TestSync_NotEnrolledStaysQuiet(t *testing.T) {
	logs := &apptest.Buffer{}
	m, err := app.Open(context.Background(), t.TempDir(), app.Options{
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitBackup(t, m)
	if m.SyncAgent() != nil {
		t.Fatal("an unenrolled station started the sync agent")
	}
	if strings.Contains(logs.String(), "level=WARN") || strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("an unenrolled station complained:\n%s", logs.String())
	}
}

// waitBackup waits for the backup a fresh station makes at start, which would
// otherwise still be writing into the temp dir while the test removes it.
func waitBackup(t *testing.T, m *app.Station) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if files, _ := m.DB.Backups(); len(files) > 0 {
			return
		}
	}
}

// TestSync_SeveralCountyAddresses: `bingzhan enrol` with a file naming two county
// servers keeps both; with the first one down the running station syncs through the
// second, and its staff status names the address in use and both.
func TestSync_SeveralCountyAddresses(t *testing.T) {
	ctx := context.Background()
	c := synctest.StartCounty(t)
	down, up := c.AddFrontend(t), c.AddFrontend(t)
	down.Kill()
	e, err := county.NewEnrolment(t.Context(), c.Store, nil, "东风镇退役军人服务站", []string{down.URL, up.URL}, "")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "station.json")
	buf, _ := json.Marshal(e)
	os.WriteFile(file, buf, 0o600)
	stationDir := t.TempDir()
	var out bytes.Buffer
	if err := run(ctx, []string{"enrol", file, "--data", stationDir, "--check=false"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), down.URL+", "+up.URL) {
		t.Fatalf("enrol said: %s", out.String())
	}

	m, base := mustOpen(t, stationDir, app.Options{SyncTuning: fastSync})
	waitBackup(t, m)
	if _, err := m.Accounts.AddStaff(ctx, "admin", backend.RoleAdmin, "135790"); err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	call(t, "POST", base+"/api/v1/login", "", `{"name":"admin","pin":"135790"}`, &login)
	var st struct {
		State    string   `json:"state"`
		County   string   `json:"county"`
		Counties []string `json:"counties"`
	}
	synctest.WaitFor(t, "the station synced through the second address", func() bool {
		resp, _ := apptest.Send(t, "GET", base+"/api/v1/sync", nil, &st, apptest.Req{Token: login.Token})
		return resp.StatusCode == 200 && st.State == backend.SyncOK && st.County == up.URL
	})
	if strings.Join(st.Counties, " ") != down.URL+" "+up.URL {
		t.Fatalf("status names %q", st.Counties)
	}
	if m.SyncAgent().County() != up.URL {
		t.Fatalf("agent at %s", m.SyncAgent().County())
	}
	if n, _, _ := c.Store.EntryCount(t.Context(), e.StationID); n == 0 {
		t.Fatal("the county got nothing")
	}
}
