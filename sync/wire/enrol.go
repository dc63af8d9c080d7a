package wire

import (
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
type Enrolment struct {
	Format      string    `json:"format"`
	CountyURL   string    `json:"county_url"` // https://host:port (http:// only on a trusted LAN)
	StationID   string    `json:"station_id"` // the county's id for the station
	StationName string    `json:"station_name"`
	Secret      string    `json:"secret"`
	CertPin     string    `json:"cert_pin,omitempty"` // "sha256/<base64 of SHA-256 of the SPKI>"
	IssuedAt    time.Time `json:"issued_at"`
}

var (
	stationIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)
	pinRE       = regexp.MustCompile(`^sha256/[A-Za-z0-9+/]{43}=$`)
)

// ValidStationID reports whether id is a well-formed county station id.
func ValidStationID(id string) bool { return stationIDRE.MatchString(id) }

// ParseEnrolment reads and checks an enrolment file.
func ParseEnrolment(buf []byte) (*Enrolment, error) {
	var e Enrolment
	if err := json.Unmarshal(buf, &e); err != nil {
		return nil, fmt.Errorf("not an enrolment file: %w", err)
	}
	return &e, e.Validate()
}

// Validate reports the first thing that makes e unusable.
func (e *Enrolment) Validate() error {
	if e.Format != EnrolmentFormat {
		return fmt.Errorf("enrolment format %q is not %q", e.Format, EnrolmentFormat)
	}
	u, err := url.Parse(e.CountyURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("county_url %q must be https://host:port", e.CountyURL)
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
	if e.CertPin != "" && u.Scheme != "https" {
		return errors.New("cert_pin given for a county_url without https")
	}
	return nil
}

// BaseURL returns the county URL without a trailing slash.
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
