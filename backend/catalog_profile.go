package backend

import (
	"fmt"
	"slices"
	"time"
)

// Attributes a wizard can ask about, as named in requests and questions.
const (
	AttrDisabilityGrade = "disability_grade"
	AttrDisabilityCause = "disability_cause"
	AttrBirthDate       = "birth_date"
	AttrSex             = "sex"
	AttrResidence       = "residence"
	AttrRelation        = "relation"
)

// attrOrder breaks ties between questions that matter to as many entitlements: the
// ones a person answers fastest and surest come first.
var attrOrder = []string{AttrRelation, AttrDisabilityGrade, AttrDisabilityCause, AttrBirthDate, AttrSex, AttrResidence}

const (
	attrGrade uint8 = 1 << iota
	attrCause
	attrBirth
	attrSex
	attrResidence
	attrRelation
)

var attrBits = map[string]uint8{
	AttrDisabilityGrade: attrGrade, AttrDisabilityCause: attrCause, AttrBirthDate: attrBirth,
	AttrSex: attrSex, AttrResidence: attrResidence, AttrRelation: attrRelation,
}

// Birth is a birth date as precisely as it is known: a year alone is enough for most
// age rules, and is what elderly people answer fastest. Zero fields are unknown.
type Birth struct {
	Year, Month, Day int
}

// ParseBirth reads "YYYY", "YYYY-MM" or "YYYY-MM-DD" (empty is unknown). It returns
// EINVALID for anything else, including dates after today or before 1900.
func ParseBirth(s string, today time.Time) (Birth, error) {
	if s == "" {
		return Birth{}, nil
	}
	var b Birth
	var t time.Time
	var err error
	switch len(s) {
	case 4:
		t, err = time.Parse("2006", s)
		b = Birth{Year: t.Year()}
	case 7:
		t, err = time.Parse("2006-01", s)
		b = Birth{Year: t.Year(), Month: int(t.Month())}
	case 10:
		t, err = time.Parse(time.DateOnly, s)
		b = Birth{t.Year(), int(t.Month()), t.Day()}
	default:
		err = fmt.Errorf("length")
	}
	if err != nil || b.Year < 1900 {
		return Birth{}, Errorf(EINVALID, "lookup.birth_date")
	}
	y, m, d := today.Date()
	if t.After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
		return Birth{}, Errorf(EINVALID, "lookup.birth_future")
	}
	return b, nil
}

// BirthOf returns the exact Birth of a date.
func BirthOf(t time.Time) Birth { return Birth{t.Year(), int(t.Month()), t.Day()} }

// ageRange returns the least and greatest age in full years the birth allows on
// today, or -1, -1 when the year is unknown.
func (b Birth) ageRange(today time.Time) (lo, hi int) {
	if b.Year == 0 {
		return -1, -1
	}
	earliest := time.Date(b.Year, time.January, 1, 0, 0, 0, 0, time.UTC)
	latest := time.Date(b.Year, time.December, 31, 0, 0, 0, 0, time.UTC)
	if b.Month > 0 {
		earliest = time.Date(b.Year, time.Month(b.Month), 1, 0, 0, 0, 0, time.UTC)
		latest = earliest.AddDate(0, 1, -1)
		if b.Day > 0 {
			earliest = time.Date(b.Year, time.Month(b.Month), b.Day, 0, 0, 0, 0, time.UTC)
			latest = earliest
		}
	}
	return AgeOn(latest, today), AgeOn(earliest, today)
}

// AgeOn returns the age in full years on day of someone born on birth.
func AgeOn(birth, day time.Time) int {
	by, bm, bd := birth.Date()
	y, m, d := day.Date()
	age := y - by
	if m < bm || (m == bm && d < bd) {
		age--
	}
	return age
}

// Profile is what is known about a person for evaluation: from the wizard's answers,
// or from a registry record. Zero values are "not answered".
type Profile struct {
	Categories      []string
	DisabilityGrade int // 1 (most severe) … 10
	DisabilityCause string
	Birth           Birth
	Sex             string
	Residence       string
	Relation        string
}

// Validate checks the profile against the catalog and returns EINVALID with a message
// for the first problem.
func (p *Profile) Validate(c *Catalog) error {
	if len(p.Categories) == 0 {
		return Errorf(EINVALID, "lookup.no_category")
	}
	for _, code := range p.Categories {
		if c.cats[code] == nil {
			return Errorf(EINVALID, "lookup.category", code)
		}
	}
	if p.DisabilityGrade < 0 || p.DisabilityGrade > 10 {
		return Errorf(EINVALID, "lookup.grade")
	}
	for _, f := range []struct {
		v, key string
		all    []string
	}{
		{p.DisabilityCause, "lookup.cause", DisabilityCauses},
		{p.Sex, "lookup.sex", Sexes},
		{p.Residence, "lookup.residence", Residences},
		{p.Relation, "lookup.relation", Relations},
	} {
		if f.v != "" && !slices.Contains(f.all, f.v) {
			return Errorf(EINVALID, f.key)
		}
	}
	return nil
}
