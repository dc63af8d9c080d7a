// Package stationtls keeps the station's own certificate authority and the
// certificate of its LAN listener, so staff PCs and the lobby TV reach the station
// over HTTPS: a staff PC or TV trusts the CA once (the console offers its file and
// shows its fingerprint), and every certificate the station makes later is trusted
// with it. There is no public CA on a township LAN, and addresses there are
// private IPs, which no public CA would certify anyway.
package stationtls

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"bingzhan/backend/atomicfile"
)

// The files in the data folder. The CA's key stays with the station's other keys'
// kind: mode 0600, never leaving the folder.
const (
	CAFile    = "tls/ca.pem"
	caKeyFile = "tls/ca-key.pem"
	CertFile  = "tls/cert.pem"
	keyFile   = "tls/key.pem"
)

// Lifetimes. The CA outlives the PC; the certificate lasts under 398 days, what
// browsers (Apple's, for any CA) accept, and is renewed a month before it ends, at
// a start or during the TLS handshake that finds it due.
const (
	caLifetime   = 20 * 365 * 24 * time.Hour
	certLifetime = 397 * 24 * time.Hour
	renewBefore  = 30 * 24 * time.Hour
)

// Authority is the station's CA and its current server certificate.
type Authority struct {
	dir   string
	hosts []string
	now   func() time.Time

	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey

	mu   sync.Mutex
	cert *tls.Certificate
}

// Open loads the CA in dataDir, making it the first time, and a certificate for
// hosts (IP addresses and names, see Hosts), making a new one when there is none,
// when it is due for renewal or when it does not name every host. now is the
// station's clock.
func Open(dataDir string, hosts []string, now func() time.Time) (*Authority, error) {
	a := &Authority{dir: dataDir, hosts: hosts, now: now}
	if err := a.loadOrMakeCA(); err != nil {
		return nil, err
	}
	if cert, err := a.loadCert(); err == nil && a.fits(cert) {
		a.cert = cert
		return a, nil
	}
	if err := a.issue(); err != nil {
		return nil, err
	}
	return a, nil
}

// GetCertificate gives a TLS handshake the server certificate, renewing it first
// when it is due: a station that runs for a year renews without a restart.
func (a *Authority) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.now().Add(renewBefore).After(a.cert.Leaf.NotAfter) {
		if err := a.issueLocked(); err != nil {
			// The old certificate still works until it ends: keep serving it.
			return a.cert, nil
		}
	}
	return a.cert, nil
}

// TLSConfig returns a server configuration that serves the station's certificate.
func (a *Authority) TLSConfig() *tls.Config {
	return &tls.Config{GetCertificate: a.GetCertificate, MinVersion: tls.VersionTLS12}
}

// CAPEM returns the CA certificate, for staff PCs and the TV to trust.
func (a *Authority) CAPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.ca.Raw})
}

// Fingerprint returns the CA certificate's SHA-256 as pairs of hex digits, the form
// browsers and Windows show it in, so staff can compare it before trusting the file.
func (a *Authority) Fingerprint() string { return Fingerprint(a.ca) }

// Fingerprint returns c's SHA-256 as colon-separated pairs of upper-case hex digits.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// CA returns the CA certificate.
func (a *Authority) CA() *x509.Certificate { return a.ca }

// Certificate returns the current server certificate.
func (a *Authority) Certificate() *x509.Certificate {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cert.Leaf
}

// fits reports whether cert names every host and is not due for renewal.
func (a *Authority) fits(cert *tls.Certificate) bool {
	leaf := cert.Leaf
	if a.now().Add(renewBefore).After(leaf.NotAfter) || leaf.CheckSignatureFrom(a.ca) != nil {
		return false
	}
	for _, h := range a.hosts {
		if leaf.VerifyHostname(h) != nil {
			return false
		}
	}
	return true
}

func (a *Authority) loadOrMakeCA() error {
	certPEM, err := os.ReadFile(filepath.Join(a.dir, CAFile))
	if errors.Is(err, os.ErrNotExist) {
		return a.makeCA()
	}
	if err != nil {
		return err
	}
	pair, err := tls.X509KeyPair(certPEM, mustRead(filepath.Join(a.dir, caKeyFile)))
	if err != nil {
		return fmt.Errorf("the station's TLS CA in %s: %w", filepath.Join(a.dir, "tls"), err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return fmt.Errorf("the station's TLS CA key is not ECDSA")
	}
	a.ca, a.caKey = pair.Leaf, key
	return nil
}

// mustRead returns the file's bytes, or none: X509KeyPair then says what is wrong.
func mustRead(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}

func (a *Authority) makeCA() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := a.now()
	name := "Bingzhan station CA"
	if h, err := os.Hostname(); err == nil && h != "" {
		name += " (" + h + ")"
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"Bingzhan"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true, // it signs the station's certificates, no other CA
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	// The key first: a CA certificate without its key would be loaded and fail.
	if err := writeKey(filepath.Join(a.dir, caKeyFile), key); err != nil {
		return err
	}
	if err := writeCert(filepath.Join(a.dir, CAFile), der); err != nil {
		return err
	}
	a.ca, _ = x509.ParseCertificate(der)
	a.caKey = key
	return nil
}

func (a *Authority) loadCert() (*tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(filepath.Join(a.dir, CertFile), filepath.Join(a.dir, keyFile))
	if err != nil {
		return nil, err
	}
	return &cert, nil
}

func (a *Authority) issue() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.issueLocked()
}

// issueLocked makes a new server certificate for the hosts, signed by the CA, and
// writes it (key first) to the data folder.
func (a *Authority) issueLocked() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := a.now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "bingzhan", Organization: []string{"Bingzhan"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range a.hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.ca, &key.PublicKey, a.caKey)
	if err != nil {
		return err
	}
	if err := writeKey(filepath.Join(a.dir, keyFile), key); err != nil {
		return err
	}
	if err := writeCert(filepath.Join(a.dir, CertFile), der); err != nil {
		return err
	}
	leaf, _ := x509.ParseCertificate(der)
	a.cert = &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	return nil
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}

func writeCert(path string, der []byte) error {
	return atomicfile.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on the systems Go supports
	}
	return n
}

// Hosts returns what the certificate of a listener on addr (HOST:PORT) must name so
// that browsers open it by any address they may be given: the host itself, or,
// for an unspecified host (0.0.0.0, ::, empty), every address of this machine's
// interfaces; and always this machine's name, localhost and the loopback addresses.
func Hosts(addr string) []string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if name, err := os.Hostname(); err == nil && name != "" {
		hosts = append(hosts, name)
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		hosts = append(hosts, host)
	} else if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLinkLocalUnicast() {
				hosts = append(hosts, n.IP.String())
			}
		}
	}
	slices.Sort(hosts)
	return slices.Compact(hosts)
}
