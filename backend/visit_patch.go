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
