package backend

import (
	"time"
	"unicode/utf8"
)

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
	// For outreach: the household unmasked, or the entry whose photo and signature
	// were seen.
	Household  string `json:"household,omitempty"`
	OutreachID string `json:"outreach_id,omitempty"`
	Reason     string `json:"reason"`
}

// Access actions.
const (
	AccessUnmask = "unmask"
	AccessExport = "export"
	// AccessUnmaskHousehold: a household's names, phones and address; AccessUnmaskOutreach:
	// an outreach entry's team, photo and signature.
	AccessUnmaskHousehold = "unmask_household"
	AccessUnmaskOutreach  = "unmask_outreach"
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
