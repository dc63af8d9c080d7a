package backend

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Action is something staff (or the day's end) does to a ticket.
type Action string

// Ticket actions. Each has one rule in Apply saying from which states it may happen.
const (
	ActCall     Action = "call"     // waiting or no-show → called to a counter
	ActRecall   Action = "recall"   // called → called again (announced again)
	ActStart    Action = "start"    // called → serving
	ActHold     Action = "hold"     // called or serving → held; the counter is free
	ActResume   Action = "resume"   // held → the state it was held in, at a counter
	ActNoShow   Action = "no_show"  // called → no-show (did not come)
	ActTransfer Action = "transfer" // open → waiting in another service, same place by arrival
	ActFinish   Action = "finish"   // serving (or called) → done, with an outcome note
	ActExpire   Action = "expire"   // open at the end of its day → expired
)

// ValidAction reports whether a is an action staff may ask for by name (expire is the
// station's own).
func ValidAction(a Action) bool {
	switch a {
	case ActCall, ActRecall, ActStart, ActHold, ActResume, ActNoShow, ActTransfer, ActFinish:
		return true
	}
	return false
}

// MaxOutcome is the longest outcome note, in characters.
const MaxOutcome = 500

// Act asks for one action on a ticket. By names the staff member doing it; every
// action is attributed in the ticket's history and in the outbox.
type Act struct {
	Action  Action
	Counter int    // call, resume: the counter the person is called to
	Service string // transfer: the new service letter
	Outcome string // finish: what was done
	By      string
	At      time.Time
}

// Step is one entry of a ticket's history: what happened, when, by whom, where.
type Step struct {
	Action  Action    `json:"action"`
	At      time.Time `json:"at"`
	By      string    `json:"by,omitempty"`
	Counter int       `json:"counter,omitempty"`
	Service string    `json:"service,omitempty"` // the service transferred to
}

// Apply carries out a on t by the state rules, recording times, counter and history.
// It returns ECONFLICT when the ticket's state does not allow the action, or EINVALID
// for a bad argument, and then leaves t unchanged. Apply knows nothing of other
// tickets: that the counter is free is the caller's check.
func (t *Ticket) Apply(a Act) error {
	prev := t.Status
	switch a.Action {
	case ActCall:
		if prev != TicketWaiting && prev != TicketNoShow {
			return Errorf(ECONFLICT, "call.cannot_call", t.Number)
		}
		if a.Counter < 1 || a.Counter > MaxCounter {
			return Errorf(EINVALID, "counter.number", MaxCounter)
		}
		t.Status, t.Counter, t.EndedAt = TicketCalled, a.Counter, time.Time{}
		if t.CalledAt.IsZero() {
			t.CalledAt = a.At
		}
		t.LastCalledAt = a.At
	case ActRecall:
		if prev != TicketCalled {
			return Errorf(ECONFLICT, "call.cannot_recall", t.Number)
		}
		t.LastCalledAt = a.At
		t.Recalls++
	case ActStart:
		if prev != TicketCalled {
			return Errorf(ECONFLICT, "call.cannot_start", t.Number)
		}
		t.Status, t.StartedAt = TicketServing, a.At
	case ActHold:
		if prev != TicketCalled && prev != TicketServing {
			return Errorf(ECONFLICT, "call.cannot_hold", t.Number)
		}
		t.Status, t.HeldFrom = TicketHeld, prev
	case ActResume:
		if prev != TicketHeld {
			return Errorf(ECONFLICT, "call.cannot_resume", t.Number)
		}
		n := a.Counter
		if n == 0 {
			n = t.Counter
		}
		if n < 1 || n > MaxCounter {
			return Errorf(EINVALID, "counter.number", MaxCounter)
		}
		t.Status, t.Counter, t.HeldFrom = t.HeldFrom, n, ""
		if t.Status != TicketServing {
			t.Status, t.LastCalledAt = TicketCalled, a.At
		}
	case ActNoShow:
		if prev != TicketCalled {
			return Errorf(ECONFLICT, "call.cannot_no_show", t.Number)
		}
		t.Status, t.EndedAt = TicketNoShow, a.At
	case ActTransfer:
		if !prev.Open() {
			return Errorf(ECONFLICT, "call.cannot_transfer", t.Number)
		}
		if !ValidServiceLetter(a.Service) {
			// The call console answers every mistake in an action as a plain
			// invalid request, not as refused content.
			return Errorf(EINVALID, "service.unknown", a.Service).WithKind("")
		}
		if a.Service == t.Service {
			return Errorf(EINVALID, "call.same_service", t.Number)
		}
		if t.Origin == "" {
			t.Origin = t.Service
		}
		t.Status, t.Service, t.Counter, t.HeldFrom = TicketWaiting, a.Service, 0, ""
	case ActFinish:
		if prev != TicketServing && prev != TicketCalled {
			return Errorf(ECONFLICT, "call.cannot_finish", t.Number)
		}
		outcome := strings.TrimSpace(a.Outcome)
		if utf8.RuneCountInString(outcome) > MaxOutcome {
			return Errorf(EINVALID, "call.outcome_long", MaxOutcome)
		}
		// Finished without a start: the person was served, but how long it took is
		// not known, so StartedAt stays empty and the figures leave it out.
		t.Status, t.EndedAt, t.Outcome = TicketDone, a.At, outcome
	case ActExpire:
		if !prev.Open() {
			return Errorf(ECONFLICT, "call.cannot_expire", t.Number)
		}
		t.Status, t.EndedAt, t.HeldFrom = TicketExpired, a.At, ""
	default:
		return Errorf(EINVALID, "call.action", string(a.Action))
	}
	step := Step{Action: a.Action, At: a.At, By: a.By, Counter: t.Counter}
	if a.Action == ActTransfer {
		step.Service = a.Service
	}
	t.History = append(t.History, step)
	return nil
}

// AtCounter reports whether the ticket occupies its counter: called there or being
// served there. Held tickets leave the counter free for the next person.
func (t *Ticket) AtCounter() bool {
	return t.Counter > 0 && (t.Status == TicketCalled || t.Status == TicketServing)
}

// QueueHead is the first ticket of one service's queue, as far as ordering goes: its
// rank (0 priority, 1 booked, 2 walk-in) and its order within the rank.
type QueueHead struct {
	Service string
	Rank    int
	Order   uint64
}

// NextInLine returns the index of the head a counter serving all these queues calls
// next, or -1 if there is none: priority tickets (军人依法优先) first, then booked
// tickets by slot, then the one that arrived first, whatever its service, so nobody
// waits longer because the counter serves several services.
func NextInLine(heads []QueueHead) int {
	best := -1
	for i, h := range heads {
		if best < 0 || before(h, heads[best]) {
			best = i
		}
	}
	return best
}

func before(a, b QueueHead) bool {
	if a.Rank != b.Rank {
		return a.Rank < b.Rank
	}
	if a.Order != b.Order {
		return a.Order < b.Order
	}
	return a.Service < b.Service
}

// Outbox kinds of ticket actions: "ticket." followed by the action.
const (
	KindTicketPrefix = "ticket."
)

// ActionFact is what the county learns of one action on a ticket: the ticket's fact,
// what was done, by whom, at which counter, and the ticket's times so far. The outcome
// note stays on the station: staff type it freely, so it may name people.
type ActionFact struct {
	TicketFact
	Action    Action    `json:"action"`
	By        string    `json:"by"`
	Counter   int       `json:"counter,omitempty"`
	Origin    string    `json:"origin,omitempty"`
	At        time.Time `json:"at"`
	CalledAt  time.Time `json:"called_at,omitzero"`
	StartedAt time.Time `json:"started_at,omitzero"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
}

// ActionFact returns the outbox record of a, just applied to t.
func (t *Ticket) ActionFact(a Act) ActionFact {
	return ActionFact{TicketFact: t.Fact(), Action: a.Action, By: a.By, Counter: t.Counter,
		Origin: t.Origin, At: a.At, CalledAt: t.CalledAt, StartedAt: t.StartedAt, EndedAt: t.EndedAt}
}

// Call is one call of a ticket to a counter, as the board shows and speaks it. It
// carries the display number only: nothing about the person.
type Call struct {
	Number      string    `json:"number"`
	Service     string    `json:"service"`
	Counter     int       `json:"counter"`
	CounterName string    `json:"counter_name"`
	Status      string    `json:"status"`
	At          time.Time `json:"at"`
	Recall      bool      `json:"recall,omitempty"`
	TextZH      string    `json:"text_zh"`
	TextEN      string    `json:"text_en"`
	Clips       []string  `json:"clips"` // URLs of the voice clips, in the order spoken
}

// NewCall returns the call of t at its counter, with its announcement.
func NewCall(t *Ticket, counterName string, recall bool) Call {
	return Call{
		Number: t.Number, Service: t.Service, Counter: t.Counter, CounterName: counterName,
		Status: string(t.Status), At: t.LastCalledAt, Recall: recall,
		TextZH: AnnouncementText(t.Number, t.Counter), TextEN: AnnouncementTextEN(t.Number, t.Counter),
		Clips: ClipURLs(Announcement(t.Number, t.Counter)),
	}
}

// BoardCounter is one counter on the lobby board, with the ticket it calls or serves.
type BoardCounter struct {
	Number  int    `json:"number"`
	Name    string `json:"name"`
	Current *Call  `json:"current"`
}

// ServiceWaiting is how many wait for one service.
type ServiceWaiting struct {
	Letter  string `json:"letter"`
	NameZH  string `json:"name_zh"`
	NameEN  string `json:"name_en"`
	Waiting int    `json:"waiting"`
}

// Board is what the lobby board shows: public, with no personal data.
type Board struct {
	Date     string           `json:"date"`
	Counters []BoardCounter   `json:"counters"`
	Recent   []Call           `json:"recent"` // newest first
	Waiting  []ServiceWaiting `json:"waiting"`
}

// RecentCalls is how many past calls the board lists.
const RecentCalls = 8

// WaitingTicket is one ticket in the staff's waiting list.
type WaitingTicket struct {
	ID       string       `json:"id"`
	Number   string       `json:"number"`
	Service  string       `json:"service"`
	Origin   string       `json:"origin,omitempty"`
	Priority bool         `json:"priority"`
	Status   TicketStatus `json:"status"`
	Counter  int          `json:"counter,omitempty"`
	IssuedAt time.Time    `json:"issued_at"`
	WaitedS  int          `json:"waited_s"` // since issue
	// Booked marks a ticket issued at a booking's check-in; Slot is the booking's time
	// when it came on time (queued in slot order), "" when late (a normal ticket).
	Booked bool   `json:"booked,omitempty"`
	Slot   string `json:"slot,omitempty"`
}

// ServiceQueue is one service's waiting tickets in calling order.
type ServiceQueue struct {
	Letter  string          `json:"letter"`
	NameZH  string          `json:"name_zh"`
	NameEN  string          `json:"name_en"`
	Tickets []WaitingTicket `json:"tickets"`
}

// WaitingList is the staff's view of today's open tickets.
type WaitingList struct {
	Date     string          `json:"date"`
	Services []ServiceQueue  `json:"services"`
	Active   []WaitingTicket `json:"active"`   // called or serving at a counter
	Held     []WaitingTicket `json:"held"`     // set aside, to resume
	NoShows  []WaitingTicket `json:"no_shows"` // today's, to call again if they turn up
}

// CallService calls and serves tickets at counters.
type CallService interface {
	// CallNext calls the next ticket for counter n across the services it serves.
	// ENOTFOUND if the counter does not exist or nobody waits (key "call.empty"),
	// ECONFLICT while the counter still has a ticket.
	CallNext(ctx context.Context, n int, by string) (*Ticket, error)
	// Act does one action on ticket id. ENOTFOUND for an unknown ticket or counter,
	// ECONFLICT when its state (or the counter's) does not allow it or it is from an
	// earlier day, EINVALID for a bad argument.
	Act(ctx context.Context, id string, a Act) (*Ticket, error)
	// Waiting returns today's open tickets for staff.
	Waiting(ctx context.Context) (*WaitingList, error)
	// Board returns what the lobby board shows now.
	Board(ctx context.Context) (*Board, error)
	// ExpireOld closes every ticket left open from an earlier day and returns how many.
	ExpireOld(ctx context.Context) (int, error)
}

// Event tells the screens that follow the station (the board, staff views) that
// something changed. Staff events are sent only to clients with a staff session.
type Event struct {
	Kind  string
	Staff bool
	Data  any
}

// Event kinds.
const (
	EventCall    = "call"    // Call: a ticket was called (or recalled) to a counter
	EventCounter = "counter" // BoardCounter: what a counter shows changed
	EventQueue   = "queue"   // QueueCounts: waiting counts changed
	EventTicket  = "ticket"  // TicketEvent (staff): an action on a ticket
	EventReset   = "reset"   // nil: reload everything (new day, counters reconfigured)
)

// QueueCounts is the data of a queue event.
type QueueCounts struct {
	Date    string         `json:"date"`
	Waiting map[string]int `json:"waiting"`
}

// TicketEvent is the data of a staff ticket event.
type TicketEvent struct {
	ID      string       `json:"id"`
	Number  string       `json:"number"`
	Service string       `json:"service"`
	Status  TicketStatus `json:"status"`
	Counter int          `json:"counter,omitempty"`
	Action  Action       `json:"action"`
	By      string       `json:"by"`
	At      time.Time    `json:"at"`
}
