package backend

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"
)

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
	return c.compileRules()
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
