// Package wire holds what the station agent and the county server say to each other:
// the push of outbox entries, its per-entry answer, the reference data sets that come
// down, and the enrolment file that binds a station to its county. Both sides import
// it, so the protocol is written down once (docs/sync-protocol.md explains it).
package wire

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Paths of the county's sync API. Stations authenticate with HTTP Basic (station id,
// secret from the enrolment file).
const (
	PushPath = "/api/v1/sync/push"
	// RefPath is followed by a data set name (RefCatalog, RefRegistry or RefBookings).
	RefPath = "/api/v1/sync/ref/"
)

// Reference data set names. The catalog travels as one JSON document in the station's
// catalog format (backend.CatalogFormat); the registry as JSON Lines of person records
// (backend.DecodePersons); the bookings as JSON Lines of the asking station's own
// bookings (backend.DecodeCountyBookings). The ETag is the version inside (ETag).
const (
	RefCatalog  = "catalog"
	RefRegistry = "registry"
	RefBookings = "bookings"
)

// Batch limits: a push carries at most MaxEntries entries and about MaxBatchBytes of
// them (a single larger entry still goes alone). The county refuses bodies above
// MaxBodyBytes and single entries whose data exceeds MaxDataBytes.
const (
	MaxEntries    = 200
	MaxBatchBytes = 256 << 10
	MaxBodyBytes  = 4 << 20
	MaxDataBytes  = 64 << 10
)

// KindDiscarded marks a sequence whose entry staff discarded from the dead letters. It
// takes the discarded entry's sequence, so the county's contiguous sequence moves on
// and the county still learns what was dropped and why.
const KindDiscarded = "sync.discarded"

// Entry is one outbox entry on the wire. Its JSON is the station's stored form, so
// the agent sends stored bytes as they are.
type Entry struct {
	ID        string          `json:"id"`
	Seq       uint64          `json:"seq"`
	StationID string          `json:"station_id"`
	Kind      string          `json:"kind"`
	At        time.Time       `json:"at"`
	Data      json.RawMessage `json:"data"`
}

// Discarded is the data of a KindDiscarded entry.
type Discarded struct {
	DiscardedID   string `json:"discarded_id"`
	DiscardedKind string `json:"discarded_kind"`
	Code          string `json:"code"` // the county's rejection code
	Reason        string `json:"reason"`
	By            string `json:"by"`
}

var kindRE = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

// Check reports what is wrong with e as a rejection code and message, or "" when the
// county can store it. The county stores kinds it does not know yet: a station may be
// upgraded before its county, and its facts must not bounce.
func (e *Entry) Check(station string) (code, message string) {
	switch {
	case e.Seq == 0:
		return "invalid", "seq must be at least 1"
	case e.ID == "" || len(e.ID) > 64:
		return "invalid", "id must have 1 to 64 characters"
	case e.StationID != station:
		return "invalid", "station_id differs from the push's station"
	case !kindRE.MatchString(e.Kind) || len(e.Kind) > 64:
		return "invalid", "kind must look like noun.verb"
	case len(e.Data) > MaxDataBytes:
		return "invalid", "data larger than " + strconv.Itoa(MaxDataBytes) + " bytes"
	case len(e.Data) == 0 || e.Data[0] != '{' || !json.Valid(e.Data):
		return "invalid", "data must be a JSON object"
	}
	return "", ""
}

// PushHeader is what a push says about the station besides its entries: the backlog
// as the station sees it, shown on the county's dashboard.
type PushHeader struct {
	Station       string     `json:"station"` // the station's own id (from its signing key)
	Version       string     `json:"version,omitempty"`
	Pending       int        `json:"pending"` // outbox entries before this push
	OldestPending *time.Time `json:"oldest_pending,omitempty"`
	DeadLetters   int        `json:"dead_letters"`
}

// PushRequest is the body of POST PushPath.
type PushRequest struct {
	PushHeader
	Entries []Entry `json:"entries"`
}

// EncodePush writes a push body from the header and entries already encoded as JSON,
// without decoding and re-encoding them.
func EncodePush(h PushHeader, entries []json.RawMessage) ([]byte, error) {
	head, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	n := len(head) + 16
	for _, e := range entries {
		n += len(e) + 1
	}
	var b bytes.Buffer
	b.Grow(n)
	b.Write(head[:len(head)-1]) // drop the closing brace
	b.WriteString(`,"entries":[`)
	for i, e := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e)
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

// Statuses of one entry in a push answer.
const (
	// Accepted: stored now, under its permanent key.
	Accepted = "accepted"
	// Duplicate: stored before (a retried push); nothing changed.
	Duplicate = "duplicate"
	// Rejected: not stored; Code says why. The station keeps it as a dead letter.
	Rejected = "rejected"
)

// Result is the county's answer for one entry.
type Result struct {
	Seq     uint64 `json:"seq"`
	Status  string `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// Renumber (protocol 2) comes with a conflict whose only cause is that Seq holds
	// another record (a station restored from an old backup): the county does not hold
	// this entry anywhere. A station that understands it gives the entry a new sequence
	// above PushResponse.Highest, keeping its id, and sends it again; an older station
	// keeps it as a dead letter, as it always did.
	Renumber bool `json:"renumber,omitempty"`
	// Held (protocol 2) is the sequence under which the county already holds this
	// entry's id, when a duplicate arrived under another sequence.
	Held uint64 `json:"held,omitempty"`
}

// PushResponse is the answer to a push, sent only after the county has committed.
// Contiguous is the highest sequence such that the county holds every sequence from 1
// to it; the station shows it, but deletes only entries answered one by one.
type PushResponse struct {
	Results    []Result `json:"results"`
	Contiguous uint64   `json:"contiguous"`
	// Highest (protocol 2) is the highest sequence the county holds for the station
	// after this push; 0 from a county that predates it. A station renumbers refused
	// entries only above it, so new sequences are free at the county.
	Highest    uint64    `json:"highest,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
}

// ErrorBody is every error answer of the county, as in the station's API.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ETag returns the entity tag of a reference data set's version: the version itself,
// quoted as HTTP wants it. Versions are made of letters, digits and ._+- only.
func ETag(version string) string { return `"` + version + `"` }

// VersionOf returns the version an entity tag names (the reverse of ETag).
func VersionOf(etag string) string { return strings.Trim(strings.TrimPrefix(etag, "W/"), `"`) }
