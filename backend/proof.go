package backend

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
)

// A ticket proof is what the QR code holds: a compact, versioned, signed statement of
// station, date, number, service, priority and issue time — and nothing about the
// person. It is base32 so the QR can use its dense alphanumeric mode.
const (
	proofPrefix   = "BZ1:"
	proofVersion  = 1
	proofBodyLen  = 1 + 8 + 2 + 1 + 2 + 1 + 4
	proofLen      = proofBodyLen + ed25519.SignatureSize
	proofPriority = 1 << 0
)

// proofEpoch is day 0 of the proof's date field.
var proofEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

var proofEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// StationID returns the station's id: the hex of the first 8 bytes of the SHA-256 of
// its public key. It needs no county to assign it and names the key that signs tickets.
func StationID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// ProofTicket is what a verified proof says about a ticket.
type ProofTicket struct {
	StationID string    `json:"station_id"`
	Date      string    `json:"date"`
	Number    string    `json:"number"`
	Service   string    `json:"service"`
	Priority  bool      `json:"priority"`
	IssuedAt  time.Time `json:"issued_at"`
}

// SignProof returns the QR payload for t, signed with key.
func SignProof(key ed25519.PrivateKey, t *Ticket) (string, error) {
	day, err := time.Parse("2006-01-02", t.Date)
	if err != nil {
		return "", Errorf(EINVALID, "qr.malformed")
	}
	station, err := hex.DecodeString(t.StationID)
	if err != nil || len(station) != 8 || !ValidServiceLetter(t.Service) || t.Seq < 1 || t.Seq > 0xFFFF {
		return "", Errorf(EINVALID, "qr.malformed")
	}
	b := make([]byte, proofBodyLen, proofLen)
	b[0] = proofVersion
	copy(b[1:9], station)
	binary.BigEndian.PutUint16(b[9:11], uint16(day.Sub(proofEpoch)/(24*time.Hour)))
	b[11] = t.Service[0]
	binary.BigEndian.PutUint16(b[12:14], uint16(t.Seq))
	if t.Priority {
		b[14] |= proofPriority
	}
	binary.BigEndian.PutUint32(b[15:19], uint32(t.IssuedAt.Unix()))
	b = append(b, ed25519.Sign(key, b)...)
	return proofPrefix + proofEncoding.EncodeToString(b), nil
}

// VerifyProof checks a QR payload against the station's public key and returns what it
// says, with IssuedAt in loc. Anything forged, altered, truncated or from another
// station is EINVALID with a message saying which.
func VerifyProof(pub ed25519.PublicKey, payload string, loc *time.Location) (*ProofTicket, error) {
	payload = strings.TrimSpace(payload)
	if !strings.HasPrefix(payload, proofPrefix) {
		return nil, Errorf(EINVALID, "qr.malformed")
	}
	body := payload[len(proofPrefix):]
	b, err := proofEncoding.DecodeString(body)
	// Base32 ignores the unused low bits of the last character; insist on the one
	// canonical spelling so that every payload names exactly one byte string.
	if err != nil || len(b) == 0 || proofEncoding.EncodeToString(b) != body {
		return nil, Errorf(EINVALID, "qr.malformed")
	}
	if b[0] != proofVersion {
		return nil, Errorf(EINVALID, "qr.version", int(b[0]))
	}
	if len(b) != proofLen {
		return nil, Errorf(EINVALID, "qr.malformed")
	}
	station := hex.EncodeToString(b[1:9])
	if station != StationID(pub) {
		return nil, Errorf(EINVALID, "qr.other_station")
	}
	if !ed25519.Verify(pub, b[:proofBodyLen], b[proofBodyLen:]) {
		return nil, Errorf(EINVALID, "qr.bad_signature")
	}
	// A valid signature over nonsense is still nonsense: check the fields too, so a
	// signing bug can never pass as a good ticket.
	letter := string(b[11:12])
	seq := int(binary.BigEndian.Uint16(b[12:14]))
	if !ValidServiceLetter(letter) || seq < 1 || seq > MaxDailyNumber || b[14]&^proofPriority != 0 {
		return nil, Errorf(EINVALID, "qr.malformed")
	}
	day := proofEpoch.AddDate(0, 0, int(binary.BigEndian.Uint16(b[9:11])))
	return &ProofTicket{
		StationID: station,
		Date:      day.Format("2006-01-02"),
		Number:    FormatNumber(letter, seq),
		Service:   letter,
		Priority:  b[14]&proofPriority != 0,
		IssuedAt:  time.Unix(int64(binary.BigEndian.Uint32(b[15:19])), 0).In(loc),
	}, nil
}
