package wire

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// EnrolmentFormat names the enrolment file's format and version.
const EnrolmentFormat = "bingzhan-enrolment/1"

// Enrolment is the file `bingzhan-county station add` writes and `bingzhan enrol`
// applies: where the county is, the station's credentials there, and the pin of the
// county's certificate. It holds a secret: hand it over like a key.
//
// A county may run several servers on one database. The file then names every
// address in CountyURLs, in the order the station tries them, and repeats the first
// in CountyURL, which is all a station program from before several addresses reads:
// such a station keeps working, on the first address alone. With one address
// CountyURLs is left out, so the file reads exactly as it always did.
type Enrolment struct {
	Format      string    `json:"format"`
	CountyURL   string    `json:"county_url"`            // https://host:port (http:// only on a trusted LAN)
	CountyURLs  []string  `json:"county_urls,omitempty"` // every address, CountyURL first; absent with one
	StationID   string    `json:"station_id"`            // the county's id for the station
	StationName string    `json:"station_name"`
	Secret      string    `json:"secret"`
	CertPin     string    `json:"cert_pin,omitempty"` // "sha256/<base64 of SHA-256 of the SPKI>"
	IssuedAt    time.Time `json:"issued_at"`
}

// MaxCountyURLs bounds the addresses of one enrolment: each is tried in turn while
// the others fail, so a long list only makes a county that is down slower to notice.
const MaxCountyURLs = 8

var (
	stationIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)
	pinRE       = regexp.MustCompile(`^sha256/[A-Za-z0-9+/]{43}=$`)
)

// ValidStationID reports whether id is a well-formed county station id.
func ValidStationID(id string) bool { return stationIDRE.MatchString(id) }

// ErrNotEnrolment is in the error of a file that is no enrolment file at all: not
// JSON, or JSON of another kind. Someone chose the wrong file.
var ErrNotEnrolment = errors.New("not an enrolment file")

// ErrNewerFormat is in the error of an enrolment file of a later format version than
// this program reads: the county runs a newer program than the station.
var ErrNewerFormat = errors.New("enrolment format newer than this program's")

// ParseEnrolment reads and checks an enrolment file. A byte-order mark in front (a
// file saved again by Windows Notepad) is not the file's fault and is skipped.
func ParseEnrolment(buf []byte) (*Enrolment, error) {
	buf = bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf"))
	var e Enrolment
	if err := json.Unmarshal(buf, &e); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotEnrolment, err)
	}
	return &e, e.Validate()
}

// Validate reports the first thing that makes e unusable.
func (e *Enrolment) Validate() error {
	if e.Format != EnrolmentFormat {
		kind := ErrNotEnrolment
		if strings.HasPrefix(e.Format, "bingzhan-enrolment/") {
			kind = ErrNewerFormat
		}
		return fmt.Errorf("%w: format %q is not %q", kind, e.Format, EnrolmentFormat)
	}
	if err := checkCountyURL("county_url", e.CountyURL); err != nil {
		return err
	}
	if len(e.CountyURLs) > MaxCountyURLs {
		return fmt.Errorf("county_urls names %d addresses; at most %d", len(e.CountyURLs), MaxCountyURLs)
	}
	seen := make(map[string]bool, len(e.CountyURLs))
	for i, u := range e.CountyURLs {
		if err := checkCountyURL(fmt.Sprintf("county_urls[%d]", i), u); err != nil {
			return err
		}
		k := urlKey(u)
		if seen[k] {
			return fmt.Errorf("county_urls names %q twice", u)
		}
		seen[k] = true
	}
	if len(e.CountyURLs) > 0 && strings.TrimSuffix(e.CountyURLs[0], "/") != strings.TrimSuffix(e.CountyURL, "/") {
		// Older stations read county_url alone: it must be where newer ones start.
		return fmt.Errorf("county_url %q must be the first of county_urls (%q)", e.CountyURL, e.CountyURLs[0])
	}
	if !ValidStationID(e.StationID) {
		return fmt.Errorf("station_id %q is not valid", e.StationID)
	}
	if len(e.Secret) < 32 || len(e.Secret) > 128 || strings.ContainsAny(e.Secret, ": \t\r\n") {
		return errors.New("secret must have 32 to 128 characters without colons or spaces")
	}
	if e.CertPin != "" && !pinRE.MatchString(e.CertPin) {
		return fmt.Errorf("cert_pin %q must be sha256/ and 44 base64 characters", e.CertPin)
	}
	if e.CertPin != "" {
		// One pin for every address (the servers share one certificate); a plain
		// address beside it would let anyone on the line take the station's pushes.
		for _, u := range e.URLs() {
			if p, _ := url.Parse(u); p.Scheme != "https" {
				return fmt.Errorf("cert_pin given with %q, which is not https", u)
			}
		}
	}
	return nil
}

// checkCountyURL reports why u, the enrolment's field, is not a county base URL.
func checkCountyURL(field, u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.User != nil ||
		(p.Path != "" && p.Path != "/") || p.RawQuery != "" || p.Fragment != "" || p.Opaque != "" {
		return fmt.Errorf("%s %q must be https://host:port", field, u)
	}
	return nil
}

// urlKey is u as compared for sameness: without a trailing slash, in lower case (a
// host name and scheme are case-blind).
func urlKey(u string) string { return strings.ToLower(strings.TrimSuffix(u, "/")) }

// SetURLs points e at urls, in the order the station should try them: CountyURL is
// the first, and CountyURLs lists them all when there is more than one.
func (e *Enrolment) SetURLs(urls []string) {
	e.CountyURL, e.CountyURLs = "", nil
	if len(urls) == 0 {
		return
	}
	e.CountyURL = strings.TrimSuffix(urls[0], "/")
	if len(urls) > 1 {
		e.CountyURLs = make([]string, len(urls))
		for i, u := range urls {
			e.CountyURLs[i] = strings.TrimSuffix(u, "/")
		}
	}
}

// URLs returns every county address of e without a trailing slash, in the order to
// try them: CountyURLs, or CountyURL alone in a file that names one.
func (e *Enrolment) URLs() []string {
	src := e.CountyURLs
	if len(src) == 0 {
		src = []string{e.CountyURL}
	}
	out := make([]string, len(src))
	for i, u := range src {
		out[i] = strings.TrimSuffix(u, "/")
	}
	return out
}

// BaseURL returns the first county URL without a trailing slash.
func (e *Enrolment) BaseURL() string { return strings.TrimSuffix(e.CountyURL, "/") }

// SPKIPin returns the pin of a certificate: SHA-256 of its SubjectPublicKeyInfo. The
// pin survives renewing a certificate on the same key.
func SPKIPin(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return "sha256/" + base64.StdEncoding.EncodeToString(sum[:])
}

// ErrPinMismatch is returned when the county presents a certificate other than the
// pinned one.
var ErrPinMismatch = errors.New("the county's certificate does not match the enrolment file's pin")

// TLSConfig returns the client TLS configuration for e. With a pin, the county's leaf
// certificate must carry the pinned key and nothing else is checked (the county makes
// its own certificate, which no public authority signed); without one, the system's
// roots verify it as usual.
func (e *Enrolment) TLSConfig() *tls.Config {
	if e.CertPin == "" {
		return &tls.Config{MinVersion: tls.VersionTLS12}
	}
	pin := e.CertPin
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// Chain and name checks are replaced by the pin check below, which is stricter:
		// it accepts exactly one key.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 || SPKIPin(cs.PeerCertificates[0]) != pin {
				return ErrPinMismatch
			}
			return nil
		},
	}
}
