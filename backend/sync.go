package backend

import (
	"context"
	"encoding/json"
	"time"
)

// PendingEntry is an outbox entry as stored, so the sync agent can send the stored
// bytes without decoding and encoding them again.
type PendingEntry struct {
	Seq  uint64
	JSON json.RawMessage
}

// Rejection is the county's refusal of one entry, which makes it a dead letter.
type Rejection struct {
	Seq     uint64 `json:"seq"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Misplaced is an entry the county refused only because its sequence holds another
// record (a station restored from an old backup). The county does not hold the entry,
// so the station gives it a new sequence, keeping its id, and sends it again.
type Misplaced struct {
	Seq uint64
	ID  string // the entry's id as sent, checked before it is moved
}

// PushOutcome is what the station learns from one answered push: the entries the
// county now holds, those it refused, those to renumber above Highest (the county's
// highest sequence for this station), and its contiguous sequence, from the county
// address that answered.
type PushOutcome struct {
	Done       []uint64
	Rejected   []Rejection
	Misplaced  []Misplaced
	Highest    uint64
	Contiguous uint64
	At         time.Time
	County     string
}

// DeadLetter is an outbox entry the county refused. It waits for staff: retry it (after
// the county fixed its side) or discard it with a reason, which the county is told.
type DeadLetter struct {
	Entry      OutboxEntry `json:"entry"`
	Code       string      `json:"code"`
	Message    string      `json:"message"` // the county's words, in English, for support
	RejectedAt time.Time   `json:"rejected_at"`
}

// Text returns what staff read about the dead letter in lang: why the county refused
// it and what to do, chosen by the county's code. The county's own English words
// follow only where they name the technical fault for support.
func (d *DeadLetter) Text(lang string) string {
	switch d.Code {
	case EINVALID:
		return Translate(lang, "sync.dead_invalid", d.Message)
	case ECONFLICT:
		return Translate(lang, "sync.dead_conflict")
	default:
		return Translate(lang, "sync.dead_other", d.Code)
	}
}

// OutboxStats is the backlog at a glance.
type OutboxStats struct {
	Pending       int
	OldestPending *time.Time // station clock of the oldest pending entry
	DeadLetters   int
}

// Enrolment is this station's link to its county, from the enrolment file. A county
// that runs several servers on one database has several addresses: CountyURLs lists
// them in the order to try them, and CountyURL is the first (and the only one of an
// enrolment stored before there could be several).
type Enrolment struct {
	CountyURL   string    `json:"county_url"`
	CountyURLs  []string  `json:"county_urls,omitempty"`
	StationID   string    `json:"station_id"` // the county's id for this station
	StationName string    `json:"station_name"`
	Secret      string    `json:"secret"`
	CertPin     string    `json:"cert_pin,omitempty"`
	EnrolledAt  time.Time `json:"enrolled_at"`
}

// Counties returns every county address of e, in the order to try them.
func (e *Enrolment) Counties() []string {
	if len(e.CountyURLs) > 0 {
		return e.CountyURLs
	}
	return []string{e.CountyURL}
}

// SyncState is what the agent remembers between runs. LastError is kept as a message
// key and arguments so staff read it in their language.
type SyncState struct {
	LastAttempt  *time.Time `json:"last_attempt,omitempty"`
	LastSuccess  *time.Time `json:"last_success,omitempty"`
	LastError    *Error     `json:"last_error,omitempty"`
	LastErrorAt  *time.Time `json:"last_error_at,omitempty"`
	Contiguous   uint64     `json:"contiguous"` // the county's, at the last success
	FailingSince *time.Time `json:"failing_since,omitempty"`
	// County is the county address that answered the last push: the one the agent
	// keeps using while it answers.
	County string `json:"county,omitempty"`
}

// SyncStatus is what the staff sync panel shows.
type SyncStatus struct {
	// State sums it up for the status mark: not_enrolled, ok, behind (entries wait but
	// the county answers), offline (the county cannot be reached), or attention (dead
	// letters wait for staff).
	State    string
	Enrolled bool
	// County is the county address in use: the one that answered last, or the
	// enrolment's first before any answered. Counties are all of the enrolment's.
	County        string
	Counties      []string
	StationName   string
	Pending       int
	OldestPending *time.Time
	DeadLetters   []DeadLetter
	Last          SyncState
}

// Sync states for the status mark.
const (
	SyncNotEnrolled = "not_enrolled"
	SyncOK          = "ok"
	SyncBehind      = "behind"
	SyncOffline     = "offline"
	SyncAttention   = "attention"
)

// SyncService is what the staff sync panel calls.
type SyncService interface {
	// SyncStatus returns the backlog, the last success and error, and the dead letters.
	SyncStatus(ctx context.Context) (*SyncStatus, error)
	// RetryDeadLetter puts a dead letter back in the outbox. ENOTFOUND if there is none
	// with that sequence.
	RetryDeadLetter(ctx context.Context, seq uint64) error
	// DiscardDeadLetter drops a dead letter, keeping a marker that tells the county
	// what was dropped, why, and by whom. EINVALID without a reason; ENOTFOUND if
	// there is no dead letter with that sequence.
	DiscardDeadLetter(ctx context.Context, seq uint64, reason, by string) error
}

// EnrolService links the running station to its county from the enrolment file the
// county gave, as `bingzhan enrol` does on a stopped one.
type EnrolService interface {
	// Enrol checks the file and applies it at once: the station stores the county,
	// its credentials and certificate pin, and syncs with them from then on, without
	// a restart. A file for another county registration (another station id, or none
	// of the addresses it had) starts a fresh sync state; the outbox is kept and goes
	// there. EINVALID for a file that cannot be used, which changes nothing.
	Enrol(ctx context.Context, file []byte) (Enrolment, error)
}

// KindSyncDiscarded is the outbox kind of the marker left by a discarded dead letter.
const KindSyncDiscarded = "sync.discarded"

// DiscardedFact is what the county learns of a discarded dead letter: which entry, the
// county's own refusal code, and the reason staff gave (which should name no one).
type DiscardedFact struct {
	DiscardedID   string `json:"discarded_id"`
	DiscardedKind string `json:"discarded_kind"`
	Code          string `json:"code"`
	Reason        string `json:"reason"`
	By            string `json:"by"`
}
