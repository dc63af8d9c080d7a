package backend

import (
	"strings"
	"time"
	"unicode/utf8"
)

// CaseStatus is where the follow-up of a bad rating stands.
type CaseStatus string

// Case states:
//
//	open → visited → rectified → closed
//	open | visited → appealed → closed (excluded)   the appeal upheld
//	                          → open | visited      the appeal rejected: back where it was
const (
	CaseOpen      CaseStatus = "open"      // waiting for the call-back (回访)
	CaseVisited   CaseStatus = "visited"   // called back; the cause to be corrected (整改)
	CaseRectified CaseStatus = "rectified" // corrected; to be closed
	CaseAppealed  CaseStatus = "appealed"  // staff appealed; an admin decides
	CaseClosed    CaseStatus = "closed"
)

// CaseAction is one step of a case.
type CaseAction string

// Case actions; CaseTransition says from which states each may happen.
const (
	CaseVisit   CaseAction = "visit"   // 回访: reached or not, what was said
	CaseRectify CaseAction = "rectify" // 整改: what was corrected
	CaseClose   CaseAction = "close"   // closure, after the correction
	CaseAppeal  CaseAction = "appeal"  // staff: the rating was a mistake or malicious
	CaseUphold  CaseAction = "uphold"  // admin: the appeal stands; the rating is excluded
	CaseReject  CaseAction = "reject"  // admin: the appeal fails; the case goes on
)

// CaseActions are the actions a client may ask for, in the order of a case's life.
var CaseActions = []CaseAction{CaseVisit, CaseRectify, CaseClose, CaseAppeal, CaseUphold, CaseReject}

// AdminAction reports whether only an admin may take a: every step but the appeal,
// which any staff member may make.
func AdminAction(a CaseAction) bool { return a != CaseAppeal }

// DefaultCaseDays is the follow-up deadline in working days when the station's
// configuration names none (德州's rule; others allow up to 15).
const DefaultCaseDays = 5

// MaxCaseNote is the longest note of a case step, in characters.
const MaxCaseNote = 500

// RatingCase is the follow-up of one bad rating.
type RatingCase struct {
	ID       string     `json:"id"`
	TicketID string     `json:"ticket_id"`
	Number   string     `json:"number"`
	Date     string     `json:"date"` // the rating's day
	Service  string     `json:"service"`
	Counter  int        `json:"counter,omitempty"`
	Staff    string     `json:"staff,omitempty"`
	Level    int        `json:"level"`
	Reasons  []string   `json:"reasons,omitempty"`
	Status   CaseStatus `json:"status"`
	// Due is the last working day of the deadline (YYYY-MM-DD).
	Due       string    `json:"due"`
	OpenedAt  time.Time `json:"opened_at"`
	ClosedAt  time.Time `json:"closed_at,omitzero"`
	Excluded  bool      `json:"excluded,omitempty"` // closed by an upheld appeal
	Reached   *bool     `json:"reached,omitempty"`  // the latest call-back reached the person
	VisitNote string    `json:"visit_note,omitempty"`
	FixNote   string    `json:"rectify_note,omitempty"`
	Appeal    string    `json:"appeal_reason,omitempty"`
	// AppealFrom is the state the case was appealed from, to go back to on rejection.
	AppealFrom CaseStatus `json:"appeal_from,omitempty"`
	History    []CaseStep `json:"history"`
}

// CaseStep is one audited step of a case: what, who, when, and what was noted.
type CaseStep struct {
	Action  CaseAction `json:"action"`
	At      time.Time  `json:"at"`
	By      string     `json:"by"`
	Note    string     `json:"note,omitempty"`
	Reached *bool      `json:"reached,omitempty"`
}

// CaseAct asks for one step of a case.
type CaseAct struct {
	Action  CaseAction `json:"action"`
	Note    string     `json:"note"`
	Reached *bool      `json:"reached,omitempty"` // visit: whether the person was reached
	By      string     `json:"-"`
	At      time.Time  `json:"-"`
}

// CaseTransition returns the state a case in from goes to by a, and whether a is
// allowed there at all. appealFrom is where an appealed case came from.
func CaseTransition(from CaseStatus, a CaseAction, appealFrom CaseStatus) (CaseStatus, bool) {
	switch a {
	case CaseVisit: // a call-back that did not reach the person may be tried again
		if from == CaseOpen || from == CaseVisited {
			return CaseVisited, true
		}
	case CaseRectify:
		if from == CaseVisited {
			return CaseRectified, true
		}
	case CaseClose:
		if from == CaseRectified {
			return CaseClosed, true
		}
	case CaseAppeal:
		if from == CaseOpen || from == CaseVisited {
			return CaseAppealed, true
		}
	case CaseUphold:
		if from == CaseAppealed {
			return CaseClosed, true
		}
	case CaseReject:
		if from == CaseAppealed && (appealFrom == CaseOpen || appealFrom == CaseVisited) {
			return appealFrom, true
		}
	}
	return from, false
}

// Apply carries out a on c by the state rules and records it in the history. It
// returns ECONFLICT (a translated message naming the step and the state) when the
// state refuses it or the case was appealed once already, EINVALID for a missing or
// overlong note, and then leaves c unchanged.
func (c *RatingCase) Apply(a CaseAct) error {
	valid := false
	for _, x := range CaseActions {
		valid = valid || x == a.Action
	}
	if !valid {
		return Errorf(EINVALID, "case.action", string(a.Action))
	}
	next, ok := CaseTransition(c.Status, a.Action, c.AppealFrom)
	if !ok {
		if c.Status == CaseClosed {
			return Errorf(ECONFLICT, "case.closed", c.Number)
		}
		return Errorf(ECONFLICT, "case.cannot_"+string(a.Action), c.Number)
	}
	if a.Action == CaseAppeal && c.Appeal != "" {
		return Errorf(ECONFLICT, "case.appealed_before")
	}
	note := strings.TrimSpace(a.Note)
	if utf8.RuneCountInString(note) > MaxCaseNote {
		return Errorf(EINVALID, "case.note_long", MaxCaseNote)
	}
	// The call-back, the correction and the appeal are what the county and a
	// review read: each needs its words. A visit says whether the person was reached.
	switch a.Action {
	case CaseVisit:
		if a.Reached == nil {
			return Errorf(EINVALID, "case.reached")
		}
		if note == "" {
			return Errorf(EINVALID, "case.note_visit")
		}
		r := *a.Reached
		c.Reached, c.VisitNote = &r, note
	case CaseRectify:
		if note == "" {
			return Errorf(EINVALID, "case.note_rectify")
		}
		c.FixNote = note
	case CaseAppeal:
		if note == "" {
			return Errorf(EINVALID, "case.note_appeal")
		}
		c.Appeal, c.AppealFrom = note, c.Status
	case CaseReject:
		c.AppealFrom = ""
	case CaseUphold:
		c.Excluded, c.AppealFrom = true, ""
	}
	c.Status = next
	if next == CaseClosed {
		c.ClosedAt = a.At
	}
	step := CaseStep{Action: a.Action, At: a.At, By: a.By, Note: note}
	if a.Action == CaseVisit {
		r := *a.Reached
		step.Reached = &r
	}
	c.History = append(c.History, step)
	return nil
}

// Overdue reports whether c is still open after its due day, as of today (YYYY-MM-DD).
func (c *RatingCase) Overdue(today string) bool {
	return c.Status != CaseClosed && c.Due != "" && today > c.Due
}

// NewRatingCase opens the case of the bad rating r, due days working days after it.
func NewRatingCase(id string, r *Rating, days int, cal *Calendar, loc *time.Location) *RatingCase {
	at := r.At.In(loc)
	day := r.Date
	if day == "" {
		day = at.Format(time.DateOnly)
	}
	return &RatingCase{
		ID: id, TicketID: r.TicketID, Number: r.Number, Date: day, Service: r.Service,
		Counter: r.Counter, Staff: r.Staff, Level: r.Level, Reasons: r.Reasons, Status: CaseOpen,
		Due: AddWorkingDays(at, days, cal).Format(time.DateOnly), OpenedAt: r.At, History: []CaseStep{},
	}
}

// CaseFact is what the county learns of one case step: the case's state after it,
// who and when, and whether the call-back reached the person. The notes stay on the
// station: staff type them freely, so they may name people.
type CaseFact struct {
	ID       string     `json:"id"`
	TicketID string     `json:"ticket_id"`
	Date     string     `json:"date"`
	Service  string     `json:"service"`
	Counter  int        `json:"counter,omitempty"`
	Staff    string     `json:"staff,omitempty"`
	Level    int        `json:"level"`
	Action   CaseAction `json:"action"`
	Status   CaseStatus `json:"status"`
	Due      string     `json:"due"`
	Excluded bool       `json:"excluded,omitempty"`
	Reached  *bool      `json:"reached,omitempty"`
	By       string     `json:"by"`
	At       time.Time  `json:"at"`
}

// Fact returns the outbox record of the step a just applied to c.
func (c *RatingCase) Fact(a CaseAct) CaseFact {
	f := CaseFact{ID: c.ID, TicketID: c.TicketID, Date: c.Date, Service: c.Service, Counter: c.Counter,
		Staff: c.Staff, Level: c.Level, Action: a.Action, Status: c.Status, Due: c.Due,
		Excluded: c.Excluded, By: a.By, At: a.At}
	if a.Action == CaseVisit {
		f.Reached = a.Reached
	}
	return f
}
