package stationtls_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"bingzhan/backend/stationtls"
)

// clock is a settable station clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// server is an HTTPS server on loopback with an Authority's certificate.
type server struct{ URL string }

// serve starts one. (httptest's StartTLS would put its own certificate first.)
func serve(t *testing.T, a *stationtls.Authority) server {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		ErrorLog: log.New(io.Discard, "", 0)} // the refused client's handshake errors
	go srv.Serve(tls.NewListener(lis, a.TLSConfig()))
	t.Cleanup(func() { srv.Close() })
	return server{URL: "https://" + lis.Addr().String()}
}

// client trusts only the CA in pem, as a staff PC that imported the station's file,
// and keeps the time of c.
func client(t *testing.T, pem []byte, c *clock) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("the CA file holds no certificate")
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Time: c.now}}}
}

func get(c *http.Client, url string) error {
	resp, err := c.Get(url)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

// TestAuthority: a client that trusts the station's CA file opens the station by its
// IP address without a warning; a client that does not refuses it.
func TestAuthority(t *testing.T) {
	dir := t.TempDir()
	c := &clock{time.Now()}
	a, err := stationtls.Open(dir, stationtls.Hosts("127.0.0.1:8443"), c.now)
	if err != nil {
		t.Fatal(err)
	}
	srv := serve(t, a)
	if err := get(client(t, a.CAPEM(), c), srv.URL); err != nil {
		t.Fatalf("a client trusting the CA: %v", err)
	}
	if err := get(&http.Client{}, srv.URL); err == nil {
		t.Fatal("a client that never trusted the CA connected")
	}
	if fi, err := os.Stat(filepath.Join(dir, "tls", "ca-key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the CA's key: %v %v, want mode 0600", fi.Mode(), err)
	}
	if fp := a.Fingerprint(); len(fp) != 95 || fp[2] != ':' {
		t.Errorf("fingerprint %q: want 32 pairs of hex digits", fp)
	}
	if ca, _ := os.ReadFile(filepath.Join(dir, stationtls.CAFile)); string(ca) != string(a.CAPEM()) {
		t.Error("tls/ca.pem is not the CA served")
	}
}

// TestAuthority_Reopen: a restart keeps the CA and the certificate; a new address
// makes a new certificate from the same CA, which clients already trust.
func TestAuthority_Reopen(t *testing.T) {
	dir := t.TempDir()
	c := &clock{time.Now()}
	a, err := stationtls.Open(dir, []string{"127.0.0.1"}, c.now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := stationtls.Open(dir, []string{"127.0.0.1"}, c.now)
	if err != nil {
		t.Fatal(err)
	}
	if a.Fingerprint() != b.Fingerprint() || a.Certificate().SerialNumber.Cmp(b.Certificate().SerialNumber) != 0 {
		t.Error("a restart made a new CA or certificate")
	}
	moved, err := stationtls.Open(dir, []string{"127.0.0.1", "192.168.1.20"}, c.now)
	if err != nil {
		t.Fatal(err)
	}
	if moved.Fingerprint() != a.Fingerprint() {
		t.Error("a new address made a new CA: every staff PC would have to trust it again")
	}
	if err := moved.Certificate().VerifyHostname("192.168.1.20"); err != nil {
		t.Errorf("the certificate after a new address: %v", err)
	}
}

// TestAuthority_Renew: a month before the certificate ends, the next handshake gets a
// new one from the same CA; a client trusting the CA notices nothing.
func TestAuthority_Renew(t *testing.T) {
	c := &clock{time.Now()}
	a, err := stationtls.Open(t.TempDir(), []string{"127.0.0.1"}, c.now)
	if err != nil {
		t.Fatal(err)
	}
	first := a.Certificate()
	srv := serve(t, a)
	cl := client(t, a.CAPEM(), c)
	c.t = first.NotAfter.Add(-20 * 24 * time.Hour) // within the month before the end
	if err := get(cl, srv.URL); err != nil {
		t.Fatal(err)
	}
	if renewed := a.Certificate(); !renewed.NotAfter.After(first.NotAfter) {
		t.Errorf("certificate ends %v, as before: not renewed", renewed.NotAfter)
	}
	if d := a.Certificate().NotAfter.Sub(a.Certificate().NotBefore); d > 398*24*time.Hour {
		t.Errorf("certificate lasts %v: browsers refuse more than 398 days", d)
	}
}

func TestHosts(t *testing.T) {
	h := stationtls.Hosts("192.168.1.20:8443")
	for _, want := range []string{"192.168.1.20", "127.0.0.1", "localhost"} {
		if !contains(h, want) {
			t.Errorf("Hosts(192.168.1.20:8443) = %v: no %s", h, want)
		}
	}
	if all := stationtls.Hosts("0.0.0.0:8443"); len(all) <= 3 || contains(all, "0.0.0.0") {
		t.Errorf("Hosts(0.0.0.0:8443) = %v: want this machine's addresses", all)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
