package backend

import (
	"context"
	"slices"
	"time"
)

// Visit is one entry of the visitor ledger (来访登记台账): who came, about whom, about
// what, who served them and what came of it.
//
// IDNumber, Phone, Name, VisitorName, Categories, Summary, OutcomeNote and ReferredTo
// are personal (or free text that may hold personal data): stores keep them sealed,
// services return them masked unless an admin unmasks them with a reason (Masked tells
// which), and logs, audit entries and the county's copy never carry them.
type Visit struct {
	ID        string    `json:"id"`
	Serial    string    `json:"serial"` // ledger number, per year: 2026-0017
	Date      string    `json:"date"`   // station-local date of registration
	CreatedAt time.Time `json:"created_at"`
	Source    string    `json:"source"`               // kiosk | staff
	CreatedBy string    `json:"created_by,omitempty"` // staff member; "" at the kiosk

	TicketID     string `json:"ticket_id,omitempty"`
	TicketNumber string `json:"ticket_number,omitempty"`

	Relation string `json:"relation"` // of the visitor to the person concerned
	Service  string `json:"service"`
	Matter   string `json:"matter"`

	// The person concerned (优抚对象) and the visitor, when someone else came.
	IDNumber         string   `json:"id_number"`
	Phone            string   `json:"phone"`
	Name             string   `json:"name"`
	VisitorName      string   `json:"visitor_name"`
	NameFromRegistry bool     `json:"name_from_registry"`
	Categories       []string `json:"categories"`
	Summary          string   `json:"summary"`

	HandledBy   string    `json:"handled_by"`
	Outcome     string    `json:"outcome"`
	OutcomeNote string    `json:"outcome_note"`
	ReferredTo  string    `json:"referred_to"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
	FollowUp    string    `json:"follow_up"` // YYYY-MM-DD, "" for none

	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"` // 1 at creation, +1 per change
	Masked    bool      `json:"masked"`
}

// Closed reports whether the visit is closed (办结).
func (v *Visit) Closed() bool { return !v.ClosedAt.IsZero() }

// FollowUpDue reports whether the visit has a follow-up on or before today
// (YYYY-MM-DD).
func (v *Visit) FollowUpDue(today string) bool { return v.FollowUp != "" && v.FollowUp <= today }

// Mask hides the identifying fields as screens and paper show them: ID 110105********002X,
// phone 138****1234, names 张*. Free text stays: staff need it to do the work, and
// staff are asked to write it without names or numbers.
func (v *Visit) Mask() {
	if v.Masked {
		return
	}
	v.IDNumber = MaskIDNumber(v.IDNumber)
	v.Phone = MaskPhone(v.Phone)
	v.Name = MaskName(v.Name)
	v.VisitorName = MaskName(v.VisitorName)
	v.Masked = true
}

// Visit sources.
const (
	SourceKiosk = "kiosk"
	SourceStaff = "staff"
)

// Relations of the visitor to the person concerned (本人/配偶/子女/父母/其他).
const (
	RelationSelf  = "self"
	RelationOther = "other"
)

// VisitRelations lists the relation codes in the order the kiosk shows them.
var VisitRelations = []string{RelationSelf, RelationSpouse, RelationChild, RelationParent, RelationOther}

// RelationName returns a visit relation as shown on screen and paper.
func RelationName(code, lang string) string {
	if !slices.Contains(VisitRelations, code) {
		return code
	}
	return Translate(lang, "ledger.relation."+code)
}

// Outcomes of a visit. They are codes so the county can count them; the note says the
// rest.
const (
	OutcomeAnswered = "answered" // 已解答: question answered, policy explained
	OutcomeHandled  = "handled"  // 已办结: done on the spot
	OutcomeAccepted = "accepted" // 已受理: application taken, waits for review above
	OutcomeReferred = "referred" // 已转介: sent to another body (ReferredTo says which)
	OutcomeDeclined = "declined" // 不予受理: not eligible or not the station's business
)

// VisitOutcomes lists the outcome codes.
var VisitOutcomes = []string{OutcomeAnswered, OutcomeHandled, OutcomeAccepted, OutcomeReferred, OutcomeDeclined}

// OutcomeName returns an outcome as shown on screen and paper; "" for none.
func OutcomeName(code, lang string) string {
	if !slices.Contains(VisitOutcomes, code) {
		return code
	}
	return Translate(lang, "ledger.outcome."+code)
}

// TieTicket ties v to ticket t, checked against today (YYYY-MM-DD), at now: the
// ledger entry then shows the number staff call. It returns the change for the audit
// trail, or nil when v is tied to t already (a retry). EINVALID for another day's
// ticket; ECONFLICT when v has another ticket (one ticket per visit). That the ticket
// has no other visit is the store's to check.
func (v *Visit) TieTicket(t *Ticket, today string, now time.Time) (*Change, error) {
	switch {
	case v.TicketID == t.ID:
		return nil, nil
	case v.TicketID != "":
		return nil, Errorf(ECONFLICT, "ledger.tie.visit_has_ticket", v.TicketNumber)
	case t.Date != today:
		return nil, Errorf(EINVALID, "ledger.tie.ticket_not_today")
	}
	v.TicketID, v.TicketNumber = t.ID, t.Number
	v.Version++
	v.UpdatedAt = now
	return &Change{Field: "ticket", New: t.Number}, nil
}

// Retention bounds, in days: a station must keep its ledger at least a month and
// need not keep it beyond thirty years.
const (
	MinRetentionDays = 30
	MaxRetentionDays = 30 * 366
)

// RetentionCutoff returns the time before which a closed visit is deleted: only closed
// visits expire, days days after they were closed.
func RetentionCutoff(now time.Time, days int) time.Time {
	return now.AddDate(0, 0, -days)
}

// TicketVisit is what the counter screen shows of the visit tied to the ticket it
// calls: the ledger number and what the visit is about — nothing personal, since
// the counter screen may be seen by the next person in line.
type TicketVisit struct {
	ID      string
	Serial  string
	Service string
	Matter  string
}

// VisitService keeps the visitor ledger.
type VisitService interface {
	// RegisterVisit records a visit; by is the staff member, "" at the kiosk. A
	// repeated RequestID returns the first visit with created false. EINVALID for
	// a malformed request, a service that does not exist or a ticket that is not
	// today's; ECONFLICT when the ticket already has a visit.
	RegisterVisit(ctx context.Context, req VisitRequest, by string) (v *Visit, created bool, err error)
	// TieTicket ties visit id, registered today with req.RequestID, to req.TicketID,
	// a ticket taken today, by staff member by ("" for the kiosk), and returns the
	// visit, masked; tied is false when it was tied to that ticket already (a retry).
	// ENOTFOUND when no visit was registered today with that request id under that
	// id, or for no such ticket; EINVALID for another day's ticket; ECONFLICT when the
	// visit has another ticket or the ticket another visit.
	TieTicket(ctx context.Context, id string, req VisitTicketRequest, by string) (v *Visit, tied bool, err error)
	// Visit returns a visit, masked, with its audit trail; ENOTFOUND if none.
	Visit(ctx context.Context, id string) (*Visit, []AuditEntry, error)
	// VisitForTicket returns what the counter shows of the visit tied to ticket
	// ticketID, or nil when none is. It reads without writing and opens no personal
	// field, so a counter may ask on every call.
	VisitForTicket(ctx context.Context, ticketID string) (*TicketVisit, error)
	// UpdateVisit applies a patch by staff member by and returns the visit, masked.
	// EINVALID for a bad field, ECONFLICT for a stale version, ENOTFOUND.
	UpdateVisit(ctx context.Context, id string, p VisitPatch, by string) (*Visit, error)
	// Visits lists visits matching f, masked, newest first.
	Visits(ctx context.Context, f VisitFilter) (*VisitPage, error)
	// UnmaskVisit returns a visit in the clear and records the access; EINVALID
	// without a reason, ENOTFOUND.
	UnmaskVisit(ctx context.Context, id, reason, by string) (*Visit, error)
	// ExportVisits returns every visit matching f (Limit and Offset ignored), oldest
	// first, masked unless reason is given, in which case the access is recorded.
	ExportVisits(ctx context.Context, f VisitFilter, reason, by string) ([]Visit, error)
	// AccessLog returns the record of unmasking, newest first.
	AccessLog(ctx context.Context, limit int) ([]AccessEntry, error)
	// PurgeVisits deletes the visits whose retention has passed, with their audit
	// trails, and returns how many.
	PurgeVisits(ctx context.Context) (int, error)
}

// Outbox kinds of the ledger.
const (
	KindVisitCreated = "visit.created" // VisitFact
	KindVisitUpdated = "visit.updated" // VisitFact
	KindVisitPurged  = "visit.purged"  // VisitPurgeFact
	// KindVisitAccessed reports an unmasking or unmasked export (AccessEntry without
	// its reason), so the county can see how often stations look at personal data.
	KindVisitAccessed = "visit.accessed"
)

// VisitFact is what the county learns of a visit: what it was about and what came of
// it, for its statistics and its copy of the ledger. It carries no ID number, phone,
// name, category or free text, masked or not: the county is a separate authority and
// asks the station for a person's file through its own channels when it must.
type VisitFact struct {
	ID         string    `json:"id"`
	Serial     string    `json:"serial"`
	Date       string    `json:"date"`
	CreatedAt  time.Time `json:"created_at"`
	Source     string    `json:"source"`
	TicketID   string    `json:"ticket_id,omitempty"`
	Relation   string    `json:"relation"`
	Service    string    `json:"service"`
	Matter     string    `json:"matter"`
	InRegistry bool      `json:"in_registry"`
	HandledBy  string    `json:"handled_by,omitempty"`
	Outcome    string    `json:"outcome,omitempty"`
	ClosedAt   time.Time `json:"closed_at,omitzero"`
	FollowUp   string    `json:"follow_up,omitempty"`
	Version    int       `json:"version"`
	UpdatedAt  time.Time `json:"updated_at"`
	Changed    []string  `json:"changed,omitempty"` // field names, for visit.updated
}

// Fact returns the part of v reported to the county.
func (v *Visit) Fact(changed []Change) VisitFact {
	f := VisitFact{ID: v.ID, Serial: v.Serial, Date: v.Date, CreatedAt: v.CreatedAt, Source: v.Source,
		TicketID: v.TicketID, Relation: v.Relation, Service: v.Service, Matter: v.Matter,
		InRegistry: v.NameFromRegistry, HandledBy: v.HandledBy, Outcome: v.Outcome, ClosedAt: v.ClosedAt,
		FollowUp: v.FollowUp, Version: v.Version}
	if v.Version > 1 {
		f.UpdatedAt = v.UpdatedAt
	}
	for _, c := range changed {
		f.Changed = append(f.Changed, c.Field)
	}
	return f
}

// VisitPurgeFact tells the county which visits the station deleted at the end of their
// retention, so its copy can follow.
type VisitPurgeFact struct {
	IDs    []string  `json:"ids"`
	Before time.Time `json:"closed_before"`
}
