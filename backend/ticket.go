package backend

import (
	"context"
	"fmt"
	"regexp"
	"time"
)

// TicketStatus is where a ticket is in its life.
type TicketStatus string

// Ticket states. A ticket is open while waiting, called, serving or held.
const (
	TicketWaiting TicketStatus = "waiting"
	TicketCalled  TicketStatus = "called"
	TicketServing TicketStatus = "serving"
	TicketHeld    TicketStatus = "held"
	TicketDone    TicketStatus = "done"
	TicketNoShow  TicketStatus = "no_show"
	TicketExpired TicketStatus = "expired" // left open at the end of its day
)

// Open reports whether the ticket still holds a place in a queue.
func (s TicketStatus) Open() bool {
	return s == TicketWaiting || s == TicketCalled || s == TicketServing || s == TicketHeld
}

// MaxDailyNumber is the highest number a service gives out in one day (B999).
const MaxDailyNumber = 999

// Ticket is one place in one service's queue on one day. Its identity is ID, made on
// the station; Number (B017) is only what people read and restarts every day.
type Ticket struct {
	ID        string       `json:"id"`
	StationID string       `json:"station_id"`
	Date      string       `json:"date"` // station-local date, YYYY-MM-DD
	Service   string       `json:"service"`
	Seq       int          `json:"seq"`    // daily number within the service
	Number    string       `json:"number"` // display number, e.g. "B017"
	Priority  bool         `json:"priority"`
	IssuedAt  time.Time    `json:"issued_at"`
	Arrival   uint64       `json:"arrival"` // station-wide issue order, for fair ordering across services
	Status    TicketStatus `json:"status"`
	Proof     string       `json:"proof"` // signed QR payload
	// PersonKey is the keyed hash of the ID number given at issue, if any. It lets the
	// station keep one open ticket per person and service without keeping the number.
	PersonKey string `json:"person_key,omitempty"`
	// Appointment is the booking the ticket was issued for at its check-in; Slot its
	// time (HH:MM) when the person came inside the check-in window, which queues the
	// ticket in slot order before walk-ins. A late arrival's ticket has no Slot.
	Appointment string `json:"appointment_id,omitempty"`
	Slot        string `json:"slot,omitempty"`

	// What happened at the counters (call.go). Origin is the service the ticket was
	// issued for, once it has been transferred; Counter the counter it was last called
	// to; CalledAt the first call (waiting time ends there), LastCalledAt the latest
	// (walk time starts there).
	Origin       string       `json:"origin,omitempty"`
	Counter      int          `json:"counter,omitempty"`
	CalledAt     time.Time    `json:"called_at,omitzero"`
	LastCalledAt time.Time    `json:"last_called_at,omitzero"`
	StartedAt    time.Time    `json:"started_at,omitzero"`
	EndedAt      time.Time    `json:"ended_at,omitzero"`
	Recalls      int          `json:"recalls,omitempty"`
	HeldFrom     TicketStatus `json:"held_from,omitempty"`
	Outcome      string       `json:"outcome,omitempty"`
	History      []Step       `json:"history,omitempty"`
}

// FormatNumber returns the display number for a service letter and daily sequence.
func FormatNumber(letter string, seq int) string {
	return fmt.Sprintf("%s%03d", letter, seq)
}

// requestIDPattern is what a kiosk may use as an idempotency key: long enough to be
// unique, short enough to index, and safe in logs.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

// IssueRequest asks for a ticket. RequestID is made once per intended ticket by the
// kiosk, so a double tap or a retry gets the same ticket back.
type IssueRequest struct {
	Service   string `json:"service"`
	Priority  bool   `json:"priority"`
	RequestID string `json:"request_id"`
	IDNumber  string `json:"id_number,omitempty"`
}

// Validate checks the request's form and normalises its ID number. It changes nothing
// else and returns EINVALID with a message for the first problem found.
func (r *IssueRequest) Validate(today time.Time) error {
	if !requestIDPattern.MatchString(r.RequestID) {
		return Errorf(EINVALID, "request_id")
	}
	if !ValidServiceLetter(r.Service) {
		return Errorf(EINVALID, "service.unknown", r.Service)
	}
	if r.IDNumber != "" {
		r.IDNumber = NormalizeIDNumber(r.IDNumber)
		if err := ValidateIDNumber(r.IDNumber, today); err != nil {
			return err
		}
	}
	return nil
}

// Issued is the answer to an issue request: the ticket and where it stands.
type Issued struct {
	Ticket        *Ticket
	Ahead         int           // people before this ticket in its queue
	EstimatedWait time.Duration // rough, from recent service times
	Created       bool          // false when an earlier ticket was returned
	Existing      bool          // the person already had an open ticket for the service
	Service       *Service      // the ticket's service, for its names; nil if it is gone
}

// TicketService issues and reads tickets.
type TicketService interface {
	// IssueTicket issues a ticket, or returns the one already issued for the same
	// request id or, when an ID number is given, the person's open ticket for the same
	// service today. EINVALID for a malformed request, ENOTFOUND for an unknown
	// service, ECONFLICT for a disabled service or a full day.
	IssueTicket(ctx context.Context, req IssueRequest) (*Issued, error)
	// Ticket returns a ticket with its current place in the queue; ENOTFOUND if none.
	Ticket(ctx context.Context, id string) (*Issued, error)
	// Queue returns the number of open waiting tickets per service letter today.
	Queue(ctx context.Context) (map[string]int, error)
}

// EstimateWait guesses how long someone with ahead people before them waits, given
// the recent average service time and the number of counters serving the queue.
func EstimateWait(ahead int, avg time.Duration, counters int) time.Duration {
	if counters < 1 {
		counters = 1
	}
	if avg <= 0 {
		avg = DefaultServiceTime
	}
	return time.Duration(ahead) * avg / time.Duration(counters)
}
