package backend

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// 好差评: after service the person rates it, once per ticket ("一次一评"), on five
// levels. The rating belongs to the ticket, its counter, service and the staff member
// who served it — never to the person: nothing of theirs is asked or kept.

// Rating levels, 国办发〔2019〕51号.
const (
	LevelVeryBad  = 1 // 非常不满意
	LevelBad      = 2 // 不满意
	LevelFair     = 3 // 基本满意
	LevelGood     = 4 // 满意
	LevelVeryGood = 5 // 非常满意
)

// BadLevel reports whether a rating of level opens a follow-up case (差评).
func BadLevel(level int) bool { return level == LevelVeryBad || level == LevelBad }

// RatingWindow is how long after its finish a ticket is offered for rating on the
// counter's screen; the kiosk takes a rating of any ticket finished today.
const RatingWindow = 15 * time.Minute

// Rating is one person's rating of one finished ticket, or their choice to skip it.
type Rating struct {
	TicketID string   `json:"ticket_id"`
	Date     string   `json:"date"` // the ticket's day
	Number   string   `json:"number"`
	Service  string   `json:"service"`
	Counter  int      `json:"counter,omitempty"`
	Staff    string   `json:"staff,omitempty"` // who finished the ticket
	Level    int      `json:"level"`           // 1..5; 0 for a skip
	Reasons  []string `json:"reasons,omitempty"`
	// ReasonsVersion is the version of the reason list the reasons come from.
	ReasonsVersion string    `json:"reasons_version,omitempty"`
	Skipped        bool      `json:"skipped,omitempty"`
	Via            string    `json:"via"` // "counter" (the counter's screen) or "kiosk"
	At             time.Time `json:"at"`
	// Excluded is set when an appeal against the rating was upheld: it no longer
	// counts in the figures.
	Excluded bool   `json:"excluded,omitempty"`
	CaseID   string `json:"case_id,omitempty"`
}

// Ways a rating reaches the station.
const (
	ViaCounter = "counter"
	ViaKiosk   = "kiosk"
)

// RatingRequest is what the rating screen sends.
type RatingRequest struct {
	Level   int      `json:"level"`
	Reasons []string `json:"reasons"`
	Via     string   `json:"via,omitempty"`
}

// Validate checks the level and that every reason is one the list offers for it,
// once. It returns EINVALID for the first problem and normalises Via.
func (r *RatingRequest) Validate(reasons *RatingReasons) error {
	if r.Level < LevelVeryBad || r.Level > LevelVeryGood {
		return Errorf(EINVALID, "rating.level")
	}
	switch r.Via {
	case "":
		r.Via = ViaKiosk
	case ViaKiosk, ViaCounter:
	default:
		return Errorf(EINVALID, "rating.via")
	}
	if len(r.Reasons) > 0 && !BadLevel(r.Level) {
		return Errorf(EINVALID, "rating.reasons_good")
	}
	seen := map[string]bool{}
	for _, id := range r.Reasons {
		if seen[id] || !reasons.Offers(r.Level, id) {
			return Errorf(EINVALID, "rating.reason", id)
		}
		seen[id] = true
	}
	return nil
}

// defaultReasonsJSON is the list of reasons offered after a bad rating, versioned like
// the catalog (backend/data/rating_reasons.json).
//
//go:embed data/rating_reasons.json
var defaultReasonsJSON []byte

// ReasonsFormat names the reason list's schema.
const ReasonsFormat = "bingzhan.rating-reasons/1"

// Reason is one chip the rating screen offers after a bad level.
type Reason struct {
	ID string `json:"id"`
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// RatingReasons are the reasons offered per bad level, with the list's version.
type RatingReasons struct {
	Format  string              `json:"format"`
	Version string              `json:"version"`
	Note    string              `json:"note,omitempty"`
	Levels  map[string][]Reason `json:"levels"`
}

// ParseRatingReasons reads and checks a reason list: its format, a version, and for
// each bad level (1, 2) at least one reason with an id and words, no id twice.
func ParseRatingReasons(data []byte) (*RatingReasons, error) {
	var r RatingReasons
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("rating reasons: %w", err)
	}
	if r.Format != ReasonsFormat || r.Version == "" {
		return nil, fmt.Errorf("rating reasons: format %q version %q", r.Format, r.Version)
	}
	for key, list := range r.Levels {
		level, err := strconv.Atoi(key)
		if err != nil || !BadLevel(level) || len(list) == 0 {
			return nil, fmt.Errorf("rating reasons: level %q", key)
		}
		var ids []string
		for _, x := range list {
			if x.ID == "" || x.ZH == "" || x.EN == "" || slices.Contains(ids, x.ID) {
				return nil, fmt.Errorf("rating reasons: level %s reason %q", key, x.ID)
			}
			ids = append(ids, x.ID)
		}
	}
	return &r, nil
}

// DefaultRatingReasons returns the embedded reason list (checked by the tests).
func DefaultRatingReasons() *RatingReasons {
	r, err := ParseRatingReasons(defaultReasonsJSON)
	if err != nil {
		panic(err)
	}
	return r
}

// Offers reports whether id is a reason of level.
func (r *RatingReasons) Offers(level int, id string) bool {
	if r == nil {
		return false
	}
	return slices.ContainsFunc(r.Levels[strconv.Itoa(level)], func(x Reason) bool { return x.ID == id })
}

// Rateable says whether t may be rated now: finished, of today. It returns ECONFLICT
// with a message the person can read otherwise.
func Rateable(t *Ticket, today string) error {
	if t.Date != today {
		return Errorf(ECONFLICT, "rating.past_day", t.Number)
	}
	if t.Status != TicketDone {
		return Errorf(ECONFLICT, "rating.not_done", t.Number)
	}
	return nil
}

// ServedBy returns the staff member who finished t (or last started or called it).
func ServedBy(t *Ticket) string {
	by := ""
	for _, st := range t.History {
		switch st.Action {
		case ActFinish, ActStart, ActCall, ActRecall, ActResume:
			if st.By != "" && st.By != "system" {
				by = st.By
			}
		}
	}
	return by
}

// NewRating returns the rating of t given by req at now.
func NewRating(t *Ticket, req RatingRequest, reasonsVersion string, now time.Time) *Rating {
	r := &Rating{TicketID: t.ID, Date: t.Date, Number: t.Number, Service: t.Service, Counter: t.Counter,
		Staff: ServedBy(t), Level: req.Level, Reasons: slices.Clone(req.Reasons), Via: req.Via, At: now}
	if len(r.Reasons) > 0 {
		r.ReasonsVersion = reasonsVersion
	}
	return r
}

// Outbox kinds of ratings and their cases.
const (
	KindRatingGiven   = "rating.given"
	KindRatingSkipped = "rating.skipped"
	KindCasePrefix    = "rating_case." // followed by the case action
)

// RatingFact is what the county learns of a rating: the rating itself, which names
// no person. CaseID and Due are set when it opened a case.
type RatingFact struct {
	Rating
	Due string `json:"due,omitempty"`
}

// RatingTicket is a finished ticket waiting for its rating, as a rating screen shows
// it: the number and the service, never anything of the person.
type RatingTicket struct {
	TicketID    string    `json:"ticket_id"`
	Number      string    `json:"number"`
	Service     string    `json:"service"`
	ServiceZH   string    `json:"service_name_zh"`
	ServiceEN   string    `json:"service_name_en"`
	Counter     int       `json:"counter"`
	CounterName string    `json:"counter_name"`
	EndedAt     time.Time `json:"ended_at"`
}

// RatingService records ratings and follows up the bad ones.
type RatingService interface {
	// Rate records the rating of ticket id. ENOTFOUND for an unknown ticket,
	// EINVALID for a bad level or reason, ECONFLICT for a ticket not finished, of
	// another day or rated already. A level 1 or 2 opens a case in the same
	// transaction.
	Rate(ctx context.Context, id string, req RatingRequest) (*Rating, *RatingCase, error)
	// Skip records that the person chose not to rate ticket id, so the counter's
	// screen stops asking; a rating may still follow. Errors as Rate.
	Skip(ctx context.Context, id, via string) error
	// Pending returns the ticket most recently finished at counter n within
	// RatingWindow that is neither rated nor skipped, or nil.
	Pending(ctx context.Context, n int) (*RatingTicket, error)
	// Find returns today's finished, unrated ticket with display number (B017, as
	// typed or read from the ticket's QR). EINVALID for a malformed number,
	// ENOTFOUND for no such ticket today, ECONFLICT for one not finished or rated
	// already.
	Find(ctx context.Context, number string) (*RatingTicket, error)
	// Reasons returns the reason list in use.
	Reasons() *RatingReasons
	// DayRatings returns the ratings (not skips) of tickets of date.
	DayRatings(ctx context.Context, date string) ([]Rating, error)
	// Cases lists every case, overdue first, then by due date.
	Cases(ctx context.Context) ([]RatingCase, error)
	// Case returns one case; ENOTFOUND if none.
	Case(ctx context.Context, id string) (*RatingCase, error)
	// ActOnCase applies a to case id. ENOTFOUND for an unknown case, ECONFLICT for
	// a step its state refuses, EINVALID for a missing or overlong note.
	ActOnCase(ctx context.Context, id string, a CaseAct) (*RatingCase, error)
}
