package backend

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

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
