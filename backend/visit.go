package backend

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
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

// Matter is one thing a visitor can come about, within a service: the kiosk's tap
// choices. Code is the service letter and the matter's place in the seed's typical
// list (B1 首次申领, B2 挂失后补领, …); <letter>0 is "something else" (其他).
type Matter struct {
	Code    string `json:"code"`
	Service string `json:"service"`
	NameZH  string `json:"name_zh"`
	NameEN  string `json:"name_en"`
}

// Name returns the matter's name in lang.
func (m Matter) Name(lang string) string {
	if IsEnglish(lang) && m.NameEN != "" {
		return m.NameEN
	}
	return m.NameZH
}

// matters returns the matters by service letter, built once from the seed's services on
// first use (not at package init: the translations are added by init functions).
var matters = sync.OnceValue(buildMatters)

func buildMatters() map[string][]Matter {
	services, err := DefaultServices()
	if err != nil {
		panic(err) // the seed is embedded: a broken one fails every test at once
	}
	out := map[string][]Matter{}
	for _, svc := range services {
		var list []Matter
		for i, zh := range svc.TypicalZH {
			code := fmt.Sprintf("%s%d", svc.Letter, i+1)
			list = append(list, Matter{Code: code, Service: svc.Letter, NameZH: zh,
				NameEN: Translate("en", "ledger.matter."+code)})
		}
		code := svc.Letter + "0"
		list = append(list, Matter{Code: code, Service: svc.Letter,
			NameZH: Translate("zh-CN", "ledger.matter.other"), NameEN: Translate("en", "ledger.matter.other")})
		out[svc.Letter] = list
	}
	return out
}

// VisitMatters returns the matters of a service in the order the kiosk shows them,
// "something else" last; nil for an unknown service.
func VisitMatters(service string) []Matter { return slices.Clone(matters()[service]) }

// FindMatter returns the matter with code in service.
func FindMatter(service, code string) (Matter, bool) {
	i := slices.IndexFunc(matters()[service], func(m Matter) bool { return m.Code == code })
	if i < 0 {
		return Matter{}, false
	}
	return matters()[service][i], true
}

// Field limits, in characters.
const (
	maxNameLen    = 40
	maxSummaryLen = 500
	maxNoteLen    = 500
	maxReferLen   = 100
	maxCategories = 8
)

// VisitRequest registers a visit: at the kiosk (the visitor's own fields) or at the
// counter (staff may fill in the rest at once). RequestID makes it idempotent, as for
// tickets: the same id returns the same visit.
type VisitRequest struct {
	IDNumber  string `json:"id_number"`
	Phone     string `json:"phone"`
	Relation  string `json:"relation"`
	Service   string `json:"service"`
	Matter    string `json:"matter"`
	TicketID  string `json:"ticket_id,omitempty"`
	RequestID string `json:"request_id"`

	// Staff only: the rest of the ledger entry, when staff register a visit themselves.
	Name        *string  `json:"name,omitempty"`
	VisitorName *string  `json:"visitor_name,omitempty"`
	Categories  []string `json:"categories,omitempty"`
	Summary     *string  `json:"summary,omitempty"`
}

// StaffOnly reports whether the request sets fields only staff may set.
func (r *VisitRequest) StaffOnly() bool {
	return r.Name != nil || r.VisitorName != nil || r.Categories != nil || r.Summary != nil
}

// Validate normalises and checks the request: the kiosk's fields are all required
// (staff may leave the ID number and phone out, for a visitor who will not give them).
// It returns EINVALID with a message for the first problem found.
func (r *VisitRequest) Validate(today time.Time, source string) error {
	if !requestIDPattern.MatchString(r.RequestID) {
		return Errorf(EINVALID, "request_id")
	}
	r.IDNumber = NormalizeIDNumber(r.IDNumber)
	r.Phone = strings.Join(strings.Fields(r.Phone), "")
	if r.IDNumber != "" || source == SourceKiosk {
		if err := ValidateIDNumber(r.IDNumber, today); err != nil {
			return err
		}
	}
	if r.Phone != "" || source == SourceKiosk {
		if err := ValidatePhone(r.Phone); err != nil {
			return err
		}
	}
	if err := validateRelation(r.Relation); err != nil {
		return err
	}
	if err := validateMatter(r.Service, r.Matter); err != nil {
		return err
	}
	if r.TicketID != "" && !ticketIDPattern.MatchString(r.TicketID) {
		return Errorf(EINVALID, "ledger.ticket_not_found")
	}
	for _, f := range []struct {
		v   *string
		max int
		key string
	}{{r.Name, maxNameLen, "ledger.name"}, {r.VisitorName, maxNameLen, "ledger.name"}, {r.Summary, maxSummaryLen, "ledger.summary"}} {
		if f.v == nil {
			continue
		}
		*f.v = cleanText(*f.v)
		if err := checkText(*f.v, f.max, f.key); err != nil {
			return err
		}
	}
	if r.Categories != nil {
		cats, err := cleanCategories(r.Categories)
		if err != nil {
			return err
		}
		r.Categories = cats
	}
	return nil
}

// ticketIDPattern bounds what is looked up as a ticket id: ids are UUIDs, so anything
// outside the request-id alphabet cannot be one.
var ticketIDPattern = requestIDPattern

// VisitTicketRequest ties a visit just registered at the kiosk to the ticket the
// visitor took right after it (POST /api/v1/visits/{id}/ticket). RequestID is the one
// the visit was registered with: only the kiosk that registered the visit knows it,
// so the visit id alone (shown on staff screens and sent to the county) is not enough.
type VisitTicketRequest struct {
	RequestID string `json:"request_id"`
	TicketID  string `json:"ticket_id"`
}

// Validate checks the request's form: EINVALID for a malformed request id, ENOTFOUND
// for a ticket id that cannot be one.
func (r *VisitTicketRequest) Validate() error {
	if !requestIDPattern.MatchString(r.RequestID) {
		return Errorf(EINVALID, "request_id")
	}
	if !ticketIDPattern.MatchString(r.TicketID) {
		return Errorf(ENOTFOUND, "ledger.tie.ticket_not_found")
	}
	return nil
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

func validateRelation(code string) error {
	if !slices.Contains(VisitRelations, code) {
		return Errorf(EINVALID, "ledger.relation")
	}
	return nil
}

func validateMatter(service, matter string) error {
	if matters()[service] == nil {
		return Errorf(EINVALID, "service.unknown", service)
	}
	if _, ok := FindMatter(service, matter); !ok {
		return Errorf(EINVALID, "ledger.matter")
	}
	return nil
}

// cleanText trims a free-text field and folds its runs of white space (a pasted line
// break included) into one space, so one entry is one line in a spreadsheet.
func cleanText(s string) string { return strings.Join(strings.Fields(s), " ") }

// checkText checks a cleaned free-text field: valid UTF-8, printable, at most max
// characters.
func checkText(s string, max int, key string) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return Errorf(EINVALID, key, max)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return Errorf(EINVALID, key, max)
		}
	}
	return nil
}

func cleanCategories(in []string) ([]string, error) {
	out := []string{}
	for _, c := range in {
		c = strings.TrimSpace(c)
		if !categoryCode.MatchString(c) {
			return nil, Errorf(EINVALID, "lookup.category", c)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(out) > maxCategories {
		return nil, Errorf(EINVALID, "ledger.categories", maxCategories)
	}
	return out, nil
}

// VisitPatch changes a visit: only the fields that are set change. An empty string
// clears a text field or the follow-up. Close closes the visit now (or at ClosedAt,
// for entries copied from the paper book); Reopen opens a closed one again. Version,
// when set, must be the visit's current version: two people editing the same entry
// do not overwrite each other unknowingly.
type VisitPatch struct {
	Version     *int      `json:"version,omitempty"`
	IDNumber    *string   `json:"id_number,omitempty"`
	Phone       *string   `json:"phone,omitempty"`
	Name        *string   `json:"name,omitempty"`
	VisitorName *string   `json:"visitor_name,omitempty"`
	Relation    *string   `json:"relation,omitempty"`
	Service     *string   `json:"service,omitempty"`
	Matter      *string   `json:"matter,omitempty"`
	Categories  *[]string `json:"categories,omitempty"`
	Summary     *string   `json:"summary,omitempty"`
	HandledBy   *string   `json:"handled_by,omitempty"`
	Outcome     *string   `json:"outcome,omitempty"`
	OutcomeNote *string   `json:"outcome_note,omitempty"`
	ReferredTo  *string   `json:"referred_to,omitempty"`
	FollowUp    *string   `json:"follow_up,omitempty"`
	Close       bool      `json:"close,omitempty"`
	ClosedAt    *string   `json:"closed_at,omitempty"` // RFC 3339; with Close
	Reopen      bool      `json:"reopen,omitempty"`
}

// Field names of a visit as the audit trail records them. The personal ones are
// recorded by name only (PersonalField).
var personalFields = []string{"id_number", "phone", "name", "visitor_name", "categories",
	"summary", "outcome_note", "referred_to"}

// PersonalField reports whether field holds personal data or free text: the audit
// trail then records that it changed, never its values.
func PersonalField(field string) bool { return slices.Contains(personalFields, field) }

// Change is one field changed by an edit. Old and New are set only for fields that
// are not personal (codes, dates, staff names).
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// AuditEntry is one change of a visit in its audit trail: who, when, what.
type AuditEntry struct {
	At      time.Time `json:"at"`
	By      string    `json:"by"`     // staff member; "kiosk" for a kiosk registration
	Action  string    `json:"action"` // created | updated | closed | reopened
	Version int       `json:"version"`
	Changes []Change  `json:"changes,omitempty"`
}

// Audit actions.
const (
	AuditCreated  = "created"
	AuditUpdated  = "updated"
	AuditClosed   = "closed"
	AuditReopened = "reopened"
)

// Apply applies p to v at now, by staff member by, and returns the changes for the
// audit trail and its action. It checks every field first and changes nothing on
// error (EINVALID, or ECONFLICT for a stale Version). loc is the station's time zone,
// for dates and ClosedAt.
func (p *VisitPatch) Apply(v *Visit, now time.Time, loc *time.Location, by string) ([]Change, string, error) {
	if p.Version != nil && *p.Version != v.Version {
		return nil, "", Errorf(ECONFLICT, "ledger.changed")
	}
	if p.Close && p.Reopen {
		return nil, "", Errorf(EINVALID, "ledger.close_reopen")
	}
	n := *v // work on a copy: v changes only if all is well
	n.Categories = slices.Clone(v.Categories)
	today := now.In(loc)
	var changes []Change
	set := func(field string, dst *string, val *string, check func(string) (string, error)) error {
		if val == nil {
			return nil
		}
		nv, err := check(*val)
		if err != nil {
			return err
		}
		if nv == *dst {
			return nil
		}
		c := Change{Field: field}
		if !PersonalField(field) {
			c.Old, c.New = *dst, nv
		}
		changes = append(changes, c)
		*dst = nv
		return nil
	}
	text := func(max int, key string) func(string) (string, error) {
		return func(s string) (string, error) {
			s = cleanText(s)
			return s, checkText(s, max, key)
		}
	}
	code := func(all []string, key string) func(string) (string, error) {
		return func(s string) (string, error) {
			if s != "" && !slices.Contains(all, s) {
				return "", Errorf(EINVALID, key)
			}
			return s, nil
		}
	}
	steps := []func() error{
		func() error {
			return set("id_number", &n.IDNumber, p.IDNumber, func(s string) (string, error) {
				s = NormalizeIDNumber(s)
				if s == "" {
					return s, nil
				}
				return s, ValidateIDNumber(s, today)
			})
		},
		func() error {
			return set("phone", &n.Phone, p.Phone, func(s string) (string, error) {
				s = strings.Join(strings.Fields(s), "")
				if s == "" {
					return s, nil
				}
				return s, ValidatePhone(s)
			})
		},
		func() error { return set("name", &n.Name, p.Name, text(maxNameLen, "ledger.name")) },
		func() error {
			return set("visitor_name", &n.VisitorName, p.VisitorName, text(maxNameLen, "ledger.name"))
		},
		func() error {
			return set("relation", &n.Relation, p.Relation, func(s string) (string, error) { return s, validateRelation(s) })
		},
		func() error {
			return set("service", &n.Service, p.Service, func(s string) (string, error) {
				if matters()[s] == nil {
					return "", Errorf(EINVALID, "service.unknown", s)
				}
				return s, nil
			})
		},
		func() error {
			return set("matter", &n.Matter, p.Matter, func(s string) (string, error) { return s, nil })
		},
		func() error {
			// A new service without a new matter would leave a matter of another service.
			return validateMatter(n.Service, n.Matter)
		},
		func() error {
			if p.Categories == nil {
				return nil
			}
			cats, err := cleanCategories(*p.Categories)
			if err != nil {
				return err
			}
			if !slices.Equal(cats, n.Categories) && (len(cats) > 0 || len(n.Categories) > 0) {
				changes = append(changes, Change{Field: "categories"})
				n.Categories = cats
			}
			return nil
		},
		func() error { return set("summary", &n.Summary, p.Summary, text(maxSummaryLen, "ledger.summary")) },
		func() error {
			return set("handled_by", &n.HandledBy, p.HandledBy, text(maxNameLen, "ledger.name"))
		},
		func() error {
			return set("outcome", &n.Outcome, p.Outcome, code(VisitOutcomes, "ledger.outcome"))
		},
		func() error {
			return set("outcome_note", &n.OutcomeNote, p.OutcomeNote, text(maxNoteLen, "ledger.note"))
		},
		func() error {
			return set("referred_to", &n.ReferredTo, p.ReferredTo, text(maxReferLen, "ledger.referred_to"))
		},
		func() error {
			return set("follow_up", &n.FollowUp, p.FollowUp, func(s string) (string, error) {
				s = strings.TrimSpace(s)
				if s == "" {
					return s, nil
				}
				if _, err := time.Parse(time.DateOnly, s); err != nil {
					return "", Errorf(EINVALID, "ledger.follow_up")
				}
				return s, nil
			})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, "", err
		}
	}

	action := AuditUpdated
	switch {
	case p.Close && !n.Closed():
		at := now
		if p.ClosedAt != nil && *p.ClosedAt != "" {
			t, err := time.Parse(time.RFC3339, *p.ClosedAt)
			if err != nil || t.After(now) || t.Before(n.CreatedAt.Add(-24*time.Hour)) {
				return nil, "", Errorf(EINVALID, "ledger.closed_at")
			}
			at = t
		}
		if n.HandledBy == "" {
			n.HandledBy = by
			changes = append(changes, Change{Field: "handled_by", New: by})
		}
		if err := n.readyToClose(); err != nil {
			return nil, "", err
		}
		n.ClosedAt = at.Truncate(time.Second)
		changes = append(changes, Change{Field: "closed_at", New: n.ClosedAt.In(loc).Format(time.RFC3339)})
		action = AuditClosed
	case p.Reopen && n.Closed():
		changes = append(changes, Change{Field: "closed_at", Old: n.ClosedAt.In(loc).Format(time.RFC3339)})
		n.ClosedAt = time.Time{}
		action = AuditReopened
	case n.Closed():
		// An edit of a closed entry must keep it complete.
		if err := n.readyToClose(); err != nil {
			return nil, "", err
		}
	}
	if len(changes) == 0 {
		return nil, "", nil
	}
	n.Version++
	n.UpdatedAt = now
	*v = n
	return changes, action, nil
}

// readyToClose checks what a closed ledger entry must hold: the name of the person
// concerned, an outcome, who handled it, and where it was referred to if it was.
func (v *Visit) readyToClose() error {
	switch {
	case v.Name == "":
		return Errorf(EINVALID, "ledger.close_needs_name")
	case v.Outcome == "":
		return Errorf(EINVALID, "ledger.close_needs_outcome")
	case v.HandledBy == "":
		return Errorf(EINVALID, "ledger.close_needs_handler")
	case v.Outcome == OutcomeReferred && v.ReferredTo == "":
		return Errorf(EINVALID, "ledger.close_needs_referral")
	}
	return nil
}

// VisitFilter selects visits for the ledger list and the exports. Zero values select
// everything. Query finds visits by name (any part of it), pinyin initials ("zs" for
// 张三, as a prefix), the last four phone digits, a whole phone number, or an exact ID
// number; ParseQuery says which.
type VisitFilter struct {
	From, To    string // YYYY-MM-DD, inclusive
	Service     string
	Status      string // "" | open | closed
	FollowUpDue bool
	Query       string
	Limit       int // 1–MaxVisitPage; 0 means DefaultVisitPage
	Offset      int
}

// Describe says what f selects, for the access log: dates, service, status and
// whether a search was used — never the search text, which may be a name or a number.
func (f *VisitFilter) Describe() string {
	var parts []string
	if f.From != "" || f.To != "" {
		parts = append(parts, f.From+".."+f.To)
	}
	if f.Service != "" {
		parts = append(parts, "service="+f.Service)
	}
	if f.Status != "" {
		parts = append(parts, "status="+f.Status)
	}
	if f.FollowUpDue {
		parts = append(parts, "follow_up_due")
	}
	if f.Query != "" {
		parts = append(parts, "search")
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, " ")
}

// Page sizes of the ledger list.
const (
	DefaultVisitPage = 50
	MaxVisitPage     = 200
)

// Query kinds, as ParseQuery tells them apart.
const (
	QueryNone     = ""
	QueryIDNumber = "id_number"
	QueryPhone    = "phone"
	QueryLast4    = "last4"
	QueryInitials = "initials"
	QueryName     = "name"
)

// ParseQuery tells what a search box holds and returns it normalised: 18 characters
// of digits (and X) are an ID number, 11 digits a phone, 4 digits the last four of
// one, Latin letters pinyin initials (lower case), anything else part of a name.
func ParseQuery(q string) (kind, value string, err error) {
	q = strings.Join(strings.Fields(q), "")
	if q == "" {
		return QueryNone, "", nil
	}
	if utf8.RuneCountInString(q) > maxNameLen {
		return "", "", Errorf(EINVALID, "ledger.query")
	}
	digits := strings.TrimRight(strings.ToUpper(q), "X")
	allDigits := digits != "" && strings.Trim(digits, "0123456789") == ""
	switch {
	case allDigits && len(q) == 18:
		return QueryIDNumber, NormalizeIDNumber(q), nil
	case allDigits && len(q) == 11 && digits == q:
		return QueryPhone, q, nil
	case allDigits && len(q) == 4 && digits == q:
		return QueryLast4, q, nil
	case allDigits:
		return "", "", Errorf(EINVALID, "ledger.query")
	}
	if strings.Trim(strings.ToLower(q), "abcdefghijklmnopqrstuvwxyz") == "" {
		return QueryInitials, strings.ToLower(q), nil
	}
	return QueryName, q, nil
}

// Validate checks the filter and fills in the page size.
func (f *VisitFilter) Validate() error {
	for _, d := range []string{f.From, f.To} {
		if d == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return Errorf(EINVALID, "ledger.date")
		}
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return Errorf(EINVALID, "ledger.date")
	}
	if f.Service != "" && matters()[f.Service] == nil {
		return Errorf(EINVALID, "service.unknown", f.Service)
	}
	if f.Status != "" && f.Status != "open" && f.Status != "closed" {
		return Errorf(EINVALID, "ledger.status")
	}
	if f.Limit == 0 {
		f.Limit = DefaultVisitPage
	}
	if f.Limit < 1 || f.Limit > MaxVisitPage || f.Offset < 0 {
		return Errorf(EINVALID, "ledger.page", MaxVisitPage)
	}
	_, _, err := ParseQuery(f.Query)
	return err
}

// VisitPage is one page of the ledger list, newest first.
type VisitPage struct {
	Total  int     `json:"total"` // visits matching the filter, on all pages
	Visits []Visit `json:"visits"`
}

// AccessEntry records that an admin saw personal data in the clear: unmasked one
// visit, or exported the ledger unmasked. Reason is the admin's own words.
type AccessEntry struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	Action  string    `json:"action"`             // unmask | export
	VisitID string    `json:"visit_id,omitempty"` // for unmask
	Serial  string    `json:"serial,omitempty"`
	Count   int       `json:"count,omitempty"`  // for export: rows in the file
	Filter  string    `json:"filter,omitempty"` // for export: what was exported (no query text)
	Reason  string    `json:"reason"`
}

// Access actions.
const (
	AccessUnmask = "unmask"
	AccessExport = "export"
)

// maxReasonLen bounds an unmask reason.
const maxReasonLen = 200

// CheckReason normalises and checks the reason an admin gives to see personal data.
func CheckReason(reason string) (string, error) {
	reason = cleanText(reason)
	if utf8.RuneCountInString(reason) < 2 {
		return "", Errorf(EINVALID, "ledger.reason")
	}
	return reason, checkText(reason, maxReasonLen, "ledger.reason")
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

// maxInitialsVariants bounds the readings kept for one name: a name of four
// characters that each have two readings already gives 16.
const maxInitialsVariants = 16

// pinyinArgs asks go-pinyin for every reading's first letter: 单 is "dan" as a word
// and "shan" as a surname, 曾 "ceng" and "zeng", so both initials must find the name.
var pinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.FirstLetter
	a.Heteronym = true
	return a
}()

// PinyinInitials returns the pinyin initials of a name in lower case, one string per
// combination of readings (张三 → ["zs"]; 单伟 → ["dw", "sw"] …), at most
// maxInitialsVariants. Latin letters count as themselves; anything else (the · of
// 买买提·艾力) is skipped.
func PinyinInitials(name string) []string {
	out := []string{""}
	for _, r := range name {
		var letters []string
		switch {
		case r < utf8.RuneSelf && unicode.IsLetter(r):
			letters = []string{string(unicode.ToLower(r))}
		case unicode.Is(unicode.Han, r):
			for _, p := range pinyin.SinglePinyin(r, pinyinArgs) {
				if p != "" && !slices.Contains(letters, p[:1]) {
					letters = append(letters, p[:1])
				}
			}
		}
		if len(letters) == 0 {
			continue
		}
		next := make([]string, 0, len(out)*len(letters))
		for _, prefix := range out {
			for _, l := range letters {
				if len(next) < maxInitialsVariants {
					next = append(next, prefix+l)
				}
			}
		}
		out = next
	}
	if len(out) == 1 && out[0] == "" {
		return nil
	}
	return out
}
