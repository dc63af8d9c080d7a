package app_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bingzhan/backend/app"
	"bingzhan/backend/app/apptest"
	"bingzhan/backend/stationtls"
)

// TestListen_TLS: with tls on, the LAN listener speaks only HTTPS; a staff PC that
// trusts the station's CA file (from the data folder or the API) opens it by IP, logs
// in, and gets a Secure session cookie; a plain-HTTP client gets nothing.
func TestListen_TLS(t *testing.T) {
	cfg := app.DefaultConfig()
	cfg.TLS = true
	st := apptest.Open(t, apptest.Options{Config: &cfg, Accounts: true, NoServer: true})
	addr, err := st.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "https://" + addr.String()
	caPEM, err := os.ReadFile(filepath.Join(st.Dir, stationtls.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	staffPC := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	resp, err := staffPC.Get(base + "/api/v1/tls/ca.pem")
	if err != nil {
		t.Fatalf("a client trusting the CA: %v", err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(served) != string(caPEM) {
		t.Error("the CA the API offers is not the one in DATA/tls/ca.pem")
	}
	resp, err = staffPC.Post(base+"/api/v1/login", "application/json",
		strings.NewReader(`{"name":"`+apptest.AdminName+`","pin":"`+apptest.AdminPIN+`"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("login over HTTPS: %v %v", resp, err)
	}
	resp.Body.Close()
	if c := resp.Cookies(); len(c) != 1 || !c[0].Secure || !c[0].HttpOnly {
		t.Errorf("session cookie over HTTPS %+v: want Secure and HttpOnly", c)
	}
	// A staff member who types the address without https:// is sent to it; a form
	// posted in plain HTTP is refused, never handled.
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = plain.Get("http://" + addr.String() + "/staff?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusPermanentRedirect || loc != base+"/staff?x=1" {
		t.Errorf("plain HTTP GET: %s to %q, want 308 to %s/staff?x=1", resp.Status, loc, base)
	}
	resp, err = plain.Post("http://"+addr.String()+"/api/v1/login", "application/json",
		strings.NewReader(`{"name":"`+apptest.AdminName+`","pin":"`+apptest.AdminPIN+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "https://") || len(resp.Cookies()) != 0 {
		t.Errorf("plain HTTP login: %s %q %v, want 400 saying to use https://", resp.Status, body, resp.Cookies())
	}
	if _, err := (&http.Client{}).Get(base + "/api/v1/health"); err == nil {
		t.Error("a client that never trusted the CA connected")
	}
}

// TestListenBoard: the plain-HTTP board listener serves the board and nothing that
// takes a PIN or shows a person.
func TestListenBoard(t *testing.T) {
	st := apptest.Open(t, apptest.Options{Accounts: true, NoServer: true})
	addr, err := st.ListenBoard("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr.String()
	// (The board page itself is a file of the frontend, which this station has none of.)
	for _, path := range []string{"/api/v1/board", "/api/v1/station", "/api/v1/events"} {
		resp, err := http.Get(base + path)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s on the board listener: %v %v", path, resp.Status, err)
		}
		resp.Body.Close()
	}
	for _, r := range []struct{ method, path string }{{"POST", "/api/v1/login"}, {"GET", "/api/v1/queue"},
		{"POST", "/api/v1/tickets"}, {"GET", "/staff"}, {"POST", "/api/v1/lookup"}} {
		req, _ := http.NewRequest(r.method, base+r.path, strings.NewReader(`{}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s on the board listener: %s, want 403", r.method, r.path, resp.Status)
		}
	}
}
