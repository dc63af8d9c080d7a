package backend

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// defaultCatalogJSON is the catalog a fresh station uses until the county sends one:
// data/entitlements.json normalised into the schema below, with every id and source
// kept. docs/lookup.md describes the format.
//
//go:embed data/catalog.json
var defaultCatalogJSON []byte

// DefaultCatalogJSON returns the embedded default catalog, as the county would send it.
func DefaultCatalogJSON() []byte { return bytes.Clone(defaultCatalogJSON) }

// CatalogFormat names the catalog schema this code reads. A catalog with another
// format is refused rather than half understood.
const CatalogFormat = "bingzhan.catalog/1"

// Values of the person attributes that rules test.
const (
	CauseWar     = "war"     // 因战
	CauseDuty    = "duty"    // 因公
	CauseIllness = "illness" // 因病

	ResidenceRural           = "rural"             // 农村
	ResidenceUrbanNoEmployer = "urban_no_employer" // 城镇，无工作单位
	ResidenceUrban           = "urban"             // 城镇，有工作单位

	RelationParent  = "parent"            // 父母（抚养人）
	RelationSpouse  = "spouse"            // 配偶
	RelationChild   = "child"             // 子女
	RelationSibling = "sibling_dependent" // 由其生前供养的兄弟姐妹

	SexMale   = "male"
	SexFemale = "female"
)

// Attribute lists, in the order questions are offered when they matter equally.
var (
	DisabilityCauses = []string{CauseWar, CauseDuty, CauseIllness}
	Residences       = []string{ResidenceRural, ResidenceUrbanNoEmployer, ResidenceUrban}
	Relations        = []string{RelationParent, RelationSpouse, RelationChild, RelationSibling}
	Sexes            = []string{SexMale, SexFemale}
)

// Scope levels of an entitlement.
const (
	ScopeNational        = "national"                       // same everywhere
	ScopeNationalFrame   = "national_framework_local_rules" // national right, local details
	ScopeLocal           = "local"                          // one region only (region_code)
	maxCatalogCategories = 64                               // categories are bits of a uint64
)

// Catalog is one version of the entitlement catalog (优待目录): who the station serves,
// what they are entitled to and on which conditions. The county publishes it and
// replaces it as a whole; the station never edits it. Parse it with ParseCatalog, which
// checks it and prepares it for evaluation.
type Catalog struct {
	Format       string            `json:"format"`
	Version      string            `json:"version"`
	RegionCode   string            `json:"region_code"` // GB/T 2260 code of the county the catalog is for
	RegionName   string            `json:"region_name"`
	Note         string            `json:"note,omitempty"`
	Sources      map[string]string `json:"sources"`
	Domains      []Domain          `json:"domains"`
	Categories   []Category        `json:"categories"`
	Documents    []Document        `json:"documents"`
	Checks       []Check           `json:"checks"`
	Entitlements []Entitlement     `json:"entitlements"`

	catIndex map[string]int
	closure  []uint64 // per category: its own bit and its ancestors'
	domains  map[string]*Domain
	docs     map[string]*Document
	checks   map[string]*Check
	cats     map[string]*Category
	rules    [][]rule // compiled rules, per entitlement
	entMask  []uint64 // compiled categories, per entitlement
}

// Domain is a group of entitlements (荣誉激励, 医疗 …), shown as one section.
type Domain struct {
	Code    string `json:"code"`
	NameZH  string `json:"name_zh"`
	NameEN  string `json:"name_en"`
	Service string `json:"service"` // ticket letter for questions about the domain
}

// Name returns the domain's name in lang.
func (d *Domain) Name(lang string) string { return pick(lang, d.NameZH, d.NameEN) }

// Category is a kind of person the station serves (人员类别). A person in a category
// with a parent is in the parent too: a combat veteran is a veteran.
type Category struct {
	Code        string   `json:"code"`
	NameZH      string   `json:"name_zh"`
	NameEN      string   `json:"name_en"`
	PlainZH     string   `json:"plain_zh"` // how the kiosk asks: "我是退役军人"
	PlainEN     string   `json:"plain_en"`
	Icon        string   `json:"icon"`  // icon hint for the kiosk: medal, wheelchair, wreath …
	Group       string   `json:"group"` // veteran | family | other, for grouping on screen
	Parent      string   `json:"parent,omitempty"`
	Relations   []string `json:"relations,omitempty"`  // relations a member of this category can have to the serviceman
	Attributes  []string `json:"attributes,omitempty"` // attributes the category carries, e.g. disability_grade
	Card        string   `json:"card,omitempty"`       // the card the category receives, in words
	CardKind    string   `json:"card_kind"`            // veteran | survivor | "" (no preferential card)
	LegacyCodes []string `json:"legacy_codes,omitempty"`
}

// Name returns the category's formal name in lang.
func (c *Category) Name(lang string) string { return pick(lang, c.NameZH, c.NameEN) }

// Plain returns the category in the kiosk's plain first-person words.
func (c *Category) Plain(lang string) string { return pick(lang, c.PlainZH, c.PlainEN) }

// Document is something to bring (身份证, 优待证 …).
type Document struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
}

// Name returns the document's name in lang.
func (d *Document) Name(lang string) string { return pick(lang, d.NameZH, d.NameEN) }

// Check is a condition the kiosk cannot decide (hardship, an award, living alone): an
// entitlement that depends on one is shown as "possibly — ask staff", with its text.
type Check struct {
	Code   string `json:"code"`
	TextZH string `json:"text_zh"`
	TextEN string `json:"text_en"`
}

// Text returns the check's explanation in lang.
func (c *Check) Text(lang string) string { return pick(lang, c.TextZH, c.TextEN) }

// Entitlement is one item of the catalog (优待项目). A person is eligible when one of
// their categories is in Categories and, if there are Rules, at least one rule holds.
type Entitlement struct {
	ID         string   `json:"id"`
	Domain     string   `json:"domain"`
	TitleZH    string   `json:"title_zh"`
	TitleEN    string   `json:"title_en"`
	SummaryZH  string   `json:"summary_zh"`
	SummaryEN  string   `json:"summary_en"`
	Categories []string `json:"categories"`
	Rules      []Rule   `json:"rules,omitempty"`
	// StaffReview marks items the kiosk may only call "possibly — ask staff", whatever
	// the answers: selection, discretion or means tests decide them.
	StaffReview bool     `json:"staff_review,omitempty"`
	Documents   []string `json:"documents,omitempty"`
	Service     string   `json:"service"` // ticket letter to ask about it
	WhereZH     string   `json:"where_zh,omitempty"`
	WhereEN     string   `json:"where_en,omitempty"`
	Scope       Scope    `json:"scope"`
	Source      string   `json:"source"` // keys of Catalog.Sources with articles
}

// Title returns the entitlement's title in lang.
func (e *Entitlement) Title(lang string) string { return pick(lang, e.TitleZH, e.TitleEN) }

// Summary returns the entitlement's plain summary in lang.
func (e *Entitlement) Summary(lang string) string { return pick(lang, e.SummaryZH, e.SummaryEN) }

// Where returns where to go for it in lang, or "" when the station itself is the place.
func (e *Entitlement) Where(lang string) string { return pick(lang, e.WhereZH, e.WhereEN) }

// Rule is one set of conditions; an entitlement's rules are alternatives (OR), the
// conditions inside a rule all apply (AND). A zero field sets no condition.
type Rule struct {
	Categories         []string       `json:"categories,omitempty"` // narrows the entitlement's categories
	MinDisabilityGrade int            `json:"min_disability_grade,omitempty"`
	MaxDisabilityGrade int            `json:"max_disability_grade,omitempty"`
	DisabilityCauses   []string       `json:"disability_causes,omitempty"`
	MinAge             *int           `json:"min_age,omitempty"` // full years, from the birth date
	MaxAge             *int           `json:"max_age,omitempty"`
	MinAgeBySex        map[string]int `json:"min_age_by_sex,omitempty"` // {"male":60,"female":55}
	Residence          []string       `json:"residence,omitempty"`
	Relations          []string       `json:"relations,omitempty"`
	Beneficiary        string         `json:"beneficiary,omitempty"` // the relative who enjoys it, e.g. child
	Checks             []string       `json:"checks,omitempty"`
	Documents          []string       `json:"documents,omitempty"` // added to the entitlement's
	Note               string         `json:"note,omitempty"`
}

// Scope says where and when an entitlement applies. Local items apply only when the
// catalog's region_code starts with theirs; dates are inclusive, YYYY-MM-DD.
type Scope struct {
	Level      string `json:"level"`
	RegionCode string `json:"region_code,omitempty"`
	RegionName string `json:"region_name,omitempty"`
	From       string `json:"from,omitempty"`
	Until      string `json:"until,omitempty"`
}

// ParseCatalog reads and checks a catalog. Unknown fields are refused, because a
// misspelt condition ("max_grade") would otherwise silently widen eligibility. It
// returns EINVALID with a description of the first problem.
func ParseCatalog(data []byte) (*Catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, Errorf(EINVALID, "lookup.catalog_invalid", err.Error())
	}
	if dec.More() {
		return nil, Errorf(EINVALID, "lookup.catalog_invalid", "data after the catalog object")
	}
	if err := c.compile(); err != nil {
		return nil, Errorf(EINVALID, "lookup.catalog_invalid", err.Error())
	}
	return &c, nil
}

// DefaultCatalog returns the embedded default catalog, parsed.
func DefaultCatalog() (*Catalog, error) { return ParseCatalog(defaultCatalogJSON) }

var (
	codePattern    = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,31}$`)
	lowerPattern   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	idPattern      = regexp.MustCompile(`^[A-Z]{3}-[A-Z0-9]{1,8}$`)
	versionPattern = regexp.MustCompile(`^[A-Za-z0-9._+-]{1,64}$`)
	regionPattern  = regexp.MustCompile(`^[0-9]{0,12}$`)
)

// compile checks the catalog and builds the indexes evaluation uses.
func (c *Catalog) compile() error {
	if c.Format != CatalogFormat {
		return fmt.Errorf("format %q, want %q", c.Format, CatalogFormat)
	}
	if !versionPattern.MatchString(c.Version) {
		return fmt.Errorf("version %q: 1-64 letters, digits or ._+-", c.Version)
	}
	if !regionPattern.MatchString(c.RegionCode) {
		return fmt.Errorf("region_code %q: digits only", c.RegionCode)
	}
	if len(c.Categories) == 0 || len(c.Categories) > maxCatalogCategories {
		return fmt.Errorf("%d categories: need 1 to %d", len(c.Categories), maxCatalogCategories)
	}
	c.catIndex = map[string]int{}
	c.cats = map[string]*Category{}
	for i := range c.Categories {
		cat := &c.Categories[i]
		if !codePattern.MatchString(cat.Code) {
			return fmt.Errorf("category code %q: upper-case letters, digits, _", cat.Code)
		}
		if _, dup := c.catIndex[cat.Code]; dup {
			return fmt.Errorf("category %s defined twice", cat.Code)
		}
		if cat.NameZH == "" || cat.PlainZH == "" {
			return fmt.Errorf("category %s: name_zh and plain_zh are required", cat.Code)
		}
		if cat.CardKind != "" && cat.CardKind != "veteran" && cat.CardKind != "survivor" {
			return fmt.Errorf("category %s: card_kind %q: veteran, survivor or empty", cat.Code, cat.CardKind)
		}
		for _, r := range cat.Relations {
			if !slices.Contains(Relations, r) {
				return fmt.Errorf("category %s: relation %q", cat.Code, r)
			}
		}
		c.catIndex[cat.Code] = i
		c.cats[cat.Code] = cat
	}
	c.closure = make([]uint64, len(c.Categories))
	for i := range c.Categories {
		seen := 0
		for j := i; ; seen++ {
			if seen > len(c.Categories) {
				return fmt.Errorf("category %s: its parents form a loop", c.Categories[i].Code)
			}
			c.closure[i] |= 1 << j
			p := c.Categories[j].Parent
			if p == "" {
				break
			}
			k, ok := c.catIndex[p]
			if !ok {
				return fmt.Errorf("category %s: unknown parent %s", c.Categories[j].Code, p)
			}
			j = k
		}
	}
	c.domains = map[string]*Domain{}
	for i := range c.Domains {
		d := &c.Domains[i]
		if !lowerPattern.MatchString(d.Code) || d.NameZH == "" {
			return fmt.Errorf("domain %q: needs a lower-case code and name_zh", d.Code)
		}
		if _, dup := c.domains[d.Code]; dup {
			return fmt.Errorf("domain %s defined twice", d.Code)
		}
		if d.Service != "" && !ValidServiceLetter(d.Service) {
			return fmt.Errorf("domain %s: service %q", d.Code, d.Service)
		}
		c.domains[d.Code] = d
	}
	c.docs = map[string]*Document{}
	for i := range c.Documents {
		d := &c.Documents[i]
		if !lowerPattern.MatchString(d.Code) || d.NameZH == "" {
			return fmt.Errorf("document %q: needs a lower-case code and name_zh", d.Code)
		}
		c.docs[d.Code] = d
	}
	c.checks = map[string]*Check{}
	for i := range c.Checks {
		ch := &c.Checks[i]
		if !lowerPattern.MatchString(ch.Code) || ch.TextZH == "" {
			return fmt.Errorf("check %q: needs a lower-case code and text_zh", ch.Code)
		}
		c.checks[ch.Code] = ch
	}
	if len(c.Entitlements) == 0 {
		return fmt.Errorf("no entitlements")
	}
	ids := map[string]bool{}
	c.rules = make([][]rule, len(c.Entitlements))
	c.entMask = make([]uint64, len(c.Entitlements))
	for i := range c.Entitlements {
		e := &c.Entitlements[i]
		if err := c.compileEntitlement(i, e, ids); err != nil {
			return fmt.Errorf("entitlement %s: %w", e.ID, err)
		}
	}
	return nil
}

func (c *Catalog) compileEntitlement(i int, e *Entitlement, ids map[string]bool) error {
	if !idPattern.MatchString(e.ID) {
		return fmt.Errorf("id must look like LIV-001")
	}
	if ids[e.ID] {
		return fmt.Errorf("defined twice")
	}
	ids[e.ID] = true
	if c.domains[e.Domain] == nil {
		return fmt.Errorf("unknown domain %q", e.Domain)
	}
	if e.TitleZH == "" || e.SummaryZH == "" {
		return fmt.Errorf("title_zh and summary_zh are required")
	}
	if e.Source == "" {
		return fmt.Errorf("source is required: say which law or notice it comes from")
	}
	if !ValidServiceLetter(e.Service) {
		return fmt.Errorf("service %q: one ticket letter", e.Service)
	}
	var err error
	if c.entMask[i], err = c.categoryMask(e.Categories); err != nil {
		return err
	}
	if c.entMask[i] == 0 {
		return fmt.Errorf("no categories")
	}
	if err := c.knownDocs(e.Documents); err != nil {
		return err
	}
	switch e.Scope.Level {
	case ScopeNational, ScopeNationalFrame:
		if e.Scope.RegionCode != "" {
			return fmt.Errorf("scope %s has a region_code: use level local", e.Scope.Level)
		}
	case ScopeLocal:
		if !regionPattern.MatchString(e.Scope.RegionCode) {
			return fmt.Errorf("region_code %q: digits only", e.Scope.RegionCode)
		}
	default:
		return fmt.Errorf("scope level %q: national, %s or local", e.Scope.Level, ScopeNationalFrame)
	}
	for _, d := range []string{e.Scope.From, e.Scope.Until} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			return fmt.Errorf("scope date %q: YYYY-MM-DD", d)
		}
	}
	if e.Scope.From != "" && e.Scope.Until != "" && e.Scope.Until < e.Scope.From {
		return fmt.Errorf("scope ends before it starts")
	}
	for j := range e.Rules {
		r, err := c.compileRule(&e.Rules[j])
		if err != nil {
			return fmt.Errorf("rule %d: %w", j+1, err)
		}
		c.rules[i] = append(c.rules[i], r)
	}
	return nil
}

func (c *Catalog) categoryMask(codes []string) (uint64, error) {
	var m uint64
	for _, code := range codes {
		i, ok := c.catIndex[code]
		if !ok {
			return 0, fmt.Errorf("unknown category %q", code)
		}
		m |= 1 << i
	}
	return m, nil
}

func (c *Catalog) knownDocs(codes []string) error {
	for _, d := range codes {
		if c.docs[d] == nil {
			return fmt.Errorf("unknown document %q", d)
		}
	}
	return nil
}

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

// Category returns the category with code, or nil.
func (c *Catalog) Category(code string) *Category { return c.cats[code] }

// Domain returns the domain with code, or nil.
func (c *Catalog) Domain(code string) *Domain { return c.domains[code] }

// Document returns the document with code, or nil.
func (c *Catalog) Document(code string) *Document { return c.docs[code] }

// Check returns the check with code, or nil.
func (c *Catalog) Check(code string) *Check { return c.checks[code] }

// CategoryIncludes reports whether a person in category code is also in ancestor
// (itself or one of its parents).
func (c *Catalog) CategoryIncludes(code, ancestor string) bool {
	i, ok1 := c.catIndex[code]
	j, ok2 := c.catIndex[ancestor]
	return ok1 && ok2 && c.closure[i]&(1<<j) != 0
}

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

// CatalogService reads and replaces the station's current catalog.
type CatalogService interface {
	// Catalog returns the current catalog: the county's latest, or the embedded
	// default before the county has sent one.
	Catalog(ctx context.Context) (*Catalog, error)
	// ReplaceCatalog makes data (a whole catalog in the documented format) current,
	// if it parses and its version field equals version. Replacing with the current
	// version again changes nothing. EINVALID for a catalog that does not parse.
	ReplaceCatalog(ctx context.Context, version string, data []byte) error
}

// Outbox kinds of the lookup area. None carries personal data.
const (
	KindCatalogReplaced  = "catalog.replaced"  // CatalogFact
	KindRegistryReplaced = "registry.replaced" // RegistryFact
	KindRegistryUpdated  = "registry.updated"  // RegistryFact
	KindLookupLocked     = "lookup.locked"     // LookupLockFact
	KindLookupUnlocked   = "lookup.unlocked"   // LookupLockFact
)

// CatalogFact tells the county which catalog version a station now uses.
type CatalogFact struct {
	Version string `json:"version"`
	Entries int    `json:"entries"`
}

func pick(lang, zh, en string) string {
	if IsEnglish(lang) && en != "" {
		return en
	}
	return zh
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
