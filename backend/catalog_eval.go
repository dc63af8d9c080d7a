package backend

import (
	"slices"
	"strings"
	"time"
)

// Verdict is the outcome of evaluating one entitlement for one profile.
type Verdict int8

// Verdicts, in increasing order of certainty that the person is entitled.
const (
	NotEligible Verdict = iota
	// Possibly: the kiosk may only say "possibly — ask staff": the item needs staff
	// review, depends on something the kiosk cannot check, or on an unanswered question.
	Possibly
	Eligible
)

// String returns "no", "possibly" or "yes".
func (v Verdict) String() string {
	return [...]string{"no", "possibly", "yes"}[v]
}

// Result is the evaluation of one entitlement.
type Result struct {
	Entitlement *Entitlement
	Verdict     Verdict
	// Checks are the codes of the conditions staff must confirm (Possibly only).
	Checks []string
	// StaffReview is true when the item is always decided by staff.
	StaffReview bool
	// Unknown lists the unanswered attributes that would settle the verdict.
	Unknown []string
	// Documents are what to bring: the entitlement's and the holding rules'.
	Documents []string
	// Beneficiary is the relative who enjoys the item, when not the person
	// themselves (e.g. "child").
	Beneficiary string
}

// Evaluate decides every entitlement for p on today and returns those the person is
// or possibly is entitled to, in catalog order. It is pure: same catalog, profile and
// day, same answer.
func (c *Catalog) Evaluate(p *Profile, today time.Time) []Result {
	ep := c.compileProfile(p, today)
	day := today.Format(time.DateOnly)
	var out []Result
	for i := range c.Entitlements {
		if ep.cats&c.entMask[i] == 0 {
			continue
		}
		e := &c.Entitlements[i]
		if !c.inScope(e, day) {
			continue
		}
		res, ok := c.evalEntitlement(i, e, &ep)
		if ok {
			out = append(out, res)
		}
	}
	return out
}

func (c *Catalog) inScope(e *Entitlement, day string) bool {
	if e.Scope.RegionCode != "" && !strings.HasPrefix(c.RegionCode, e.Scope.RegionCode) {
		return false
	}
	if e.Scope.From != "" && day < e.Scope.From {
		return false
	}
	return e.Scope.Until == "" || day <= e.Scope.Until
}

func (c *Catalog) evalEntitlement(i int, e *Entitlement, ep *evalProfile) (Result, bool) {
	res := Result{Entitlement: e, Verdict: Eligible, StaffReview: e.StaffReview, Documents: e.Documents}
	if rules := c.rules[i]; len(rules) > 0 {
		// A rule that holds outright settles the item; otherwise every rule that might
		// hold contributes its checks and open questions.
		var sure, maybe []*Rule
		var unknown uint8
		for j := range rules {
			r := &rules[j]
			t, u := r.eval(ep)
			switch {
			case t == triNo:
			case t == triYes && len(r.src.Checks) == 0:
				sure = append(sure, r.src)
			default:
				maybe = append(maybe, r.src)
				unknown |= u
			}
		}
		holding := sure
		if len(sure) == 0 {
			if len(maybe) == 0 {
				return res, false
			}
			holding = maybe
			res.Verdict = Possibly
			for _, r := range maybe {
				for _, ch := range r.Checks {
					if !slices.Contains(res.Checks, ch) {
						res.Checks = append(res.Checks, ch)
					}
				}
			}
			for _, a := range attrOrder {
				if unknown&attrBits[a] != 0 {
					res.Unknown = append(res.Unknown, a)
				}
			}
		}
		for _, r := range holding {
			if res.Beneficiary == "" {
				res.Beneficiary = r.Beneficiary
			}
			for _, d := range r.Documents {
				if !slices.Contains(res.Documents, d) {
					res.Documents = append(slices.Clip(res.Documents), d)
				}
			}
		}
	}
	if e.StaffReview {
		res.Verdict = Possibly
	}
	return res, true
}
