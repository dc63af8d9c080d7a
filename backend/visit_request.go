package backend

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

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
