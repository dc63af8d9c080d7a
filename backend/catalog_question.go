package backend

import (
	"fmt"
	"slices"
	"time"
)

// MaxQuestions is how many follow-up questions the wizard asks at most.
const MaxQuestions = 3

// Questions returns the unanswered attributes, most useful first and at most
// MaxQuestions, whose answers would change the verdict of at least one entitlement for
// p. An attribute no rule of the person's categories tests is never asked.
func (c *Catalog) Questions(p *Profile, today time.Time) []string {
	count := map[string]int{}
	for _, r := range c.Evaluate(p, today) {
		for _, a := range r.Unknown {
			count[a]++
		}
	}
	var out []string
	for _, a := range attrOrder {
		if count[a] > 0 {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return count[b] - count[a] })
	if len(out) > MaxQuestions {
		out = out[:MaxQuestions]
	}
	return out
}

// RelationsFor returns the relations the categories allow, in the standard order:
// the options of the relation question.
func (c *Catalog) RelationsFor(categories []string) []string {
	allowed := func(rel string) bool {
		for _, code := range categories {
			for i := range c.Categories {
				if c.CategoryIncludes(code, c.Categories[i].Code) && slices.Contains(c.Categories[i].Relations, rel) {
					return true
				}
			}
		}
		return false
	}
	var out []string
	for _, r := range Relations {
		if allowed(r) {
			out = append(out, r)
		}
	}
	return out
}

// Question is a follow-up question of the wizard, ready to show.
type Question struct {
	Key     string   `json:"key"`  // the request field it answers: disability_grade, birth_date …
	Kind    string   `json:"kind"` // "choice": one of Options; "year": a year between Min and Max
	Text    string   `json:"text"`
	Options []Option `json:"options,omitempty"`
	Min     int      `json:"min,omitempty"`
	Max     int      `json:"max,omitempty"`
}

// Option is one answer of a choice question.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Question returns the question for attr in lang; relation options are limited to
// those the categories allow.
func (c *Catalog) Question(attr string, categories []string, lang string, today time.Time) Question {
	q := Question{Key: attr, Kind: "choice", Text: Translate(lang, "lookup.q."+attr)}
	add := func(prefix string, values []string) {
		for _, v := range values {
			q.Options = append(q.Options, Option{Value: v, Label: Translate(lang, prefix+v)})
		}
	}
	switch attr {
	case AttrDisabilityGrade:
		for g := 1; g <= 10; g++ {
			v := fmt.Sprint(g)
			q.Options = append(q.Options, Option{Value: v, Label: Translate(lang, "lookup.grade."+v)})
		}
	case AttrDisabilityCause:
		add("lookup.cause.", DisabilityCauses)
	case AttrSex:
		add("lookup.sex.", Sexes)
	case AttrResidence:
		add("lookup.residence.", Residences)
	case AttrRelation:
		add("lookup.relation.", c.RelationsFor(categories))
	case AttrBirthDate:
		q.Kind, q.Min, q.Max = "year", 1900, today.Year()
	}
	return q
}
