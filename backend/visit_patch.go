package backend

import (
	"slices"
	"strings"
	"time"
)

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
	for _, f := range patchFields {
		c, err := f.apply(p, &n, today)
		if err != nil {
			return nil, "", err
		}
		if c != nil {
			changes = append(changes, *c)
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

// patchStep is one row of patchFields: a field the patch may set, or a rule between
// fields checked at that point. apply returns the change to record, nil for none.
type patchStep interface {
	apply(p *VisitPatch, n *Visit, today time.Time) (*Change, error)
}

// patchFields are the steps of VisitPatch.Apply, in order: the first error wins, so a
// person correcting a form sees the errors in the order of its fields.
var patchFields = []patchStep{
	textField("id_number", func(p *VisitPatch, v *Visit) (*string, *string) { return p.IDNumber, &v.IDNumber },
		cleanIDNumber),
	textField("phone", func(p *VisitPatch, v *Visit) (*string, *string) { return p.Phone, &v.Phone },
		cleanPhone),
	textField("name", func(p *VisitPatch, v *Visit) (*string, *string) { return p.Name, &v.Name },
		freeText(maxNameLen, "ledger.name")),
	textField("visitor_name", func(p *VisitPatch, v *Visit) (*string, *string) { return p.VisitorName, &v.VisitorName },
		freeText(maxNameLen, "ledger.name")),
	textField("relation", func(p *VisitPatch, v *Visit) (*string, *string) { return p.Relation, &v.Relation },
		cleanRelation),
	textField("service", func(p *VisitPatch, v *Visit) (*string, *string) { return p.Service, &v.Service },
		cleanService),
	textField("matter", func(p *VisitPatch, v *Visit) (*string, *string) { return p.Matter, &v.Matter },
		asGiven),
	// A new service without a new matter would leave a matter of another service.
	patchRule(func(n *Visit) error { return validateMatter(n.Service, n.Matter) }),
	patchField[[]string]{name: "categories",
		at:    func(p *VisitPatch, v *Visit) (*[]string, *[]string) { return p.Categories, &v.Categories },
		clean: cleanPatchCategories, same: slices.Equal[[]string]},
	textField("summary", func(p *VisitPatch, v *Visit) (*string, *string) { return p.Summary, &v.Summary },
		freeText(maxSummaryLen, "ledger.summary")),
	textField("handled_by", func(p *VisitPatch, v *Visit) (*string, *string) { return p.HandledBy, &v.HandledBy },
		freeText(maxNameLen, "ledger.name")),
	textField("outcome", func(p *VisitPatch, v *Visit) (*string, *string) { return p.Outcome, &v.Outcome },
		oneOf(VisitOutcomes, "ledger.outcome")),
	textField("outcome_note", func(p *VisitPatch, v *Visit) (*string, *string) { return p.OutcomeNote, &v.OutcomeNote },
		freeText(maxNoteLen, "ledger.note")),
	textField("referred_to", func(p *VisitPatch, v *Visit) (*string, *string) { return p.ReferredTo, &v.ReferredTo },
		freeText(maxReferLen, "ledger.referred_to")),
	textField("follow_up", func(p *VisitPatch, v *Visit) (*string, *string) { return p.FollowUp, &v.FollowUp },
		cleanFollowUp),
}

// patchField is a field of a visit that a patch may set: its name in the audit trail,
// where the patch holds its new value (nil leaves the field as it is) and where the
// visit keeps it, how a new value is normalised and checked, and when two values are
// the same (no change to record). text gives the values the audit trail shows; it is
// not called for personal fields, whose values the trail never holds.
type patchField[T any] struct {
	name  string
	at    func(p *VisitPatch, v *Visit) (val, field *T)
	clean func(val T, today time.Time) (T, error)
	same  func(a, b T) bool
	text  func(T) string
}

func (f patchField[T]) apply(p *VisitPatch, n *Visit, today time.Time) (*Change, error) {
	val, dst := f.at(p, n)
	if val == nil {
		return nil, nil
	}
	nv, err := f.clean(*val, today)
	if err != nil {
		return nil, err
	}
	if f.same(nv, *dst) {
		return nil, nil
	}
	c := &Change{Field: f.name}
	if !PersonalField(f.name) {
		c.Old, c.New = f.text(*dst), f.text(nv)
	}
	*dst = nv
	return c, nil
}

// textField is the patchField of a string field of a visit.
func textField(name string, at func(*VisitPatch, *Visit) (*string, *string), clean func(string, time.Time) (string, error)) patchField[string] {
	return patchField[string]{name: name, at: at, clean: clean,
		same: func(a, b string) bool { return a == b }, text: func(s string) string { return s }}
}

// patchRule is a check between fields, run on the patched visit at its place in
// patchFields whether or not the patch set those fields.
type patchRule func(n *Visit) error

func (r patchRule) apply(_ *VisitPatch, n *Visit, _ time.Time) (*Change, error) { return nil, r(n) }

func cleanIDNumber(s string, today time.Time) (string, error) {
	s = NormalizeIDNumber(s)
	if s == "" {
		return s, nil
	}
	return s, ValidateIDNumber(s, today)
}

func cleanPhone(s string, _ time.Time) (string, error) {
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		return s, nil
	}
	return s, ValidatePhone(s)
}

// freeText cleans and checks a free-text field of at most max characters; key names
// the error.
func freeText(max int, key string) func(string, time.Time) (string, error) {
	return func(s string, _ time.Time) (string, error) {
		s = cleanText(s)
		return s, checkText(s, max, key)
	}
}

// oneOf accepts "" or one of the codes all; key names the error.
func oneOf(all []string, key string) func(string, time.Time) (string, error) {
	return func(s string, _ time.Time) (string, error) {
		if s != "" && !slices.Contains(all, s) {
			return "", Errorf(EINVALID, key)
		}
		return s, nil
	}
}

func cleanRelation(s string, _ time.Time) (string, error) { return s, validateRelation(s) }

func cleanService(s string, _ time.Time) (string, error) {
	if matters()[s] == nil {
		return "", Errorf(EINVALID, "service.unknown", s)
	}
	return s, nil
}

// asGiven takes the value as it is: the matter is checked with the service after both
// are set.
func asGiven(s string, _ time.Time) (string, error) { return s, nil }

func cleanPatchCategories(in []string, _ time.Time) ([]string, error) { return cleanCategories(in) }

func cleanFollowUp(s string, _ time.Time) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return s, nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", Errorf(EINVALID, "ledger.follow_up")
	}
	return s, nil
}
