package backend

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// rule is a Rule compiled to masks and ranges; -1 means "no limit".
type rule struct {
	src                  *Rule
	cats                 uint64
	gradeLo, gradeHi     int
	causes               uint8
	ageLo, ageHi         int
	ageMale, ageFemale   int
	residence, relations uint8
}

func (c *Catalog) compileRule(r *Rule) (rule, error) {
	out := rule{src: r, gradeLo: -1, gradeHi: -1, ageLo: -1, ageHi: -1, ageMale: -1, ageFemale: -1}
	var err error
	if out.cats, err = c.categoryMask(r.Categories); err != nil {
		return out, err
	}
	for _, g := range []int{r.MinDisabilityGrade, r.MaxDisabilityGrade} {
		if g < 0 || g > 10 {
			return out, fmt.Errorf("disability grade %d: 1 to 10", g)
		}
	}
	if r.MinDisabilityGrade > 0 || r.MaxDisabilityGrade > 0 {
		out.gradeLo, out.gradeHi = max(r.MinDisabilityGrade, 1), r.MaxDisabilityGrade
		if out.gradeHi == 0 {
			out.gradeHi = 10
		}
		if out.gradeLo > out.gradeHi {
			return out, fmt.Errorf("min_disability_grade above max_disability_grade")
		}
	}
	if out.causes, err = bits(DisabilityCauses, r.DisabilityCauses, "disability cause"); err != nil {
		return out, err
	}
	if out.residence, err = bits(Residences, r.Residence, "residence"); err != nil {
		return out, err
	}
	if out.relations, err = bits(Relations, r.Relations, "relation"); err != nil {
		return out, err
	}
	if r.MinAge != nil {
		out.ageLo = *r.MinAge
	}
	if r.MaxAge != nil {
		out.ageHi = *r.MaxAge
	}
	for k, v := range r.MinAgeBySex {
		switch k {
		case SexMale:
			out.ageMale = v
		case SexFemale:
			out.ageFemale = v
		default:
			return out, fmt.Errorf("min_age_by_sex key %q: male or female", k)
		}
	}
	if len(r.MinAgeBySex) > 0 && (out.ageMale < 0 || out.ageFemale < 0) {
		return out, fmt.Errorf("min_age_by_sex needs both male and female")
	}
	for _, a := range []int{out.ageLo, out.ageHi, out.ageMale, out.ageFemale} {
		if a > 150 {
			return out, fmt.Errorf("age %d is not a human age", a)
		}
	}
	if out.ageLo >= 0 && out.ageHi >= 0 && out.ageLo > out.ageHi {
		return out, fmt.Errorf("min_age above max_age")
	}
	if r.Beneficiary != "" && !slices.Contains(Relations, r.Beneficiary) {
		return out, fmt.Errorf("beneficiary %q", r.Beneficiary)
	}
	for _, ch := range r.Checks {
		if c.checks[ch] == nil {
			return out, fmt.Errorf("unknown check %q", ch)
		}
	}
	return out, c.knownDocs(r.Documents)
}

func bits(all, values []string, what string) (uint8, error) {
	var m uint8
	for _, v := range values {
		i := slices.Index(all, v)
		if i < 0 {
			return 0, fmt.Errorf("%s %q: one of %s", what, v, strings.Join(all, ", "))
		}
		m |= 1 << i
	}
	return m, nil
}

type tri int8

const (
	triNo tri = iota
	triUnknown
	triYes
)

// evalProfile is a Profile compiled once per evaluation.
type evalProfile struct {
	cats           uint64
	grade          int
	cause          uint8
	ageLo, ageHi   int
	sex            string
	residence, rel uint8
}

func (c *Catalog) compileProfile(p *Profile, today time.Time) evalProfile {
	ep := evalProfile{grade: p.DisabilityGrade, sex: p.Sex}
	for _, code := range p.Categories {
		if i, ok := c.catIndex[code]; ok {
			ep.cats |= c.closure[i]
		}
	}
	ep.cause, _ = bits(DisabilityCauses, nonEmpty(p.DisabilityCause), "")
	ep.residence, _ = bits(Residences, nonEmpty(p.Residence), "")
	ep.rel, _ = bits(Relations, nonEmpty(p.Relation), "")
	ep.ageLo, ep.ageHi = p.Birth.ageRange(today)
	return ep
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// and combines two condition outcomes.
func and(a, b tri) tri { return min(a, b) }

// inRange compares a known-or-unknown interval [lo,hi] (lo<0: unknown) with the
// limits [min,max] (-1: none).
func inRange(lo, hi, minV, maxV int) tri {
	if minV < 0 && maxV < 0 {
		return triYes
	}
	if lo < 0 {
		return triUnknown
	}
	if (minV >= 0 && hi < minV) || (maxV >= 0 && lo > maxV) {
		return triNo
	}
	if (minV < 0 || lo >= minV) && (maxV < 0 || hi <= maxV) {
		return triYes
	}
	return triUnknown
}

func maskCond(have, want uint8) tri {
	switch {
	case want == 0:
		return triYes
	case have == 0:
		return triUnknown
	case have&want != 0:
		return triYes
	}
	return triNo
}

// eval decides one rule: its outcome and the unanswered attributes it waits on.
func (r *rule) eval(p *evalProfile) (tri, uint8) {
	if r.cats != 0 && p.cats&r.cats == 0 {
		return triNo, 0
	}
	t, unknown := triYes, uint8(0)
	note := func(x tri, attr uint8) {
		t = and(t, x)
		if x == triUnknown {
			unknown |= attr
		}
	}
	if r.gradeLo >= 0 {
		lo := p.grade
		if lo == 0 {
			lo = -1
		}
		note(inRange(lo, lo, r.gradeLo, r.gradeHi), attrGrade)
	}
	note(maskCond(p.cause, r.causes), attrCause)
	note(maskCond(p.residence, r.residence), attrResidence)
	note(maskCond(p.rel, r.relations), attrRelation)
	note(inRange(p.ageLo, p.ageHi, r.ageLo, r.ageHi), attrBirth)
	if r.ageMale >= 0 {
		switch p.sex {
		case SexMale:
			note(inRange(p.ageLo, p.ageHi, r.ageMale, -1), attrBirth)
		case SexFemale:
			note(inRange(p.ageLo, p.ageHi, r.ageFemale, -1), attrBirth)
		default:
			// Without the sex, only an age that meets both or neither threshold decides.
			both := inRange(p.ageLo, p.ageHi, max(r.ageMale, r.ageFemale), -1)
			either := inRange(p.ageLo, p.ageHi, min(r.ageMale, r.ageFemale), -1)
			switch {
			case both == triYes:
				note(triYes, 0)
			case either == triNo:
				note(triNo, 0)
			default:
				note(triUnknown, attrSex|attrBirth&^known(p.ageLo))
			}
		}
	}
	if t == triNo {
		return triNo, 0
	}
	return t, unknown
}

// known returns attrBirth when the age is known, for masking it out of "unknown".
func known(ageLo int) uint8 {
	if ageLo >= 0 {
		return attrBirth
	}
	return 0
}
