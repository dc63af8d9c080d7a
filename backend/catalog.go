package backend

import (
	"bytes"
	"context"
	_ "embed"
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
	// Outreach says who is due a 光荣牌 and a festival visit; nil for the defaults.
	Outreach *OutreachRules `json:"outreach,omitempty"`

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
