package backend_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
)

// evalDay is the day the rule tests are evaluated on.
var evalDay = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// catalogFor returns the default catalog as published for a county with region code
// region ("" is the embedded default, which names no region).
func catalogFor(tb testing.TB, region string) *backend.Catalog {
	tb.Helper()
	var doc map[string]any
	if err := json.Unmarshal(backend.DefaultCatalogJSON(), &doc); err != nil {
		tb.Fatal(err)
	}
	doc["region_code"] = region
	raw, _ := json.Marshal(doc)
	c, err := backend.ParseCatalog(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func birth(y int) backend.Birth { return backend.Birth{Year: y, Month: 6, Day: 1} }

func cats(c ...string) []string { return c }

const (
	no       = backend.NotEligible
	possibly = backend.Possibly
	yes      = backend.Eligible
)

// ruleCases are the table tests of the catalog: for every entry at least one case in
// which a person is (or possibly is) entitled and one in which they are not.
// TestCatalogRules checks that no entry is left without both.
var ruleCases = []struct {
	id     string
	region string
	p      backend.Profile
	want   backend.Verdict
	docs   []string // documents that must be listed, if any
}{
	{id: "HON-001", p: backend.Profile{Categories: cats("VETERAN")}, want: yes},
	{id: "HON-001", p: backend.Profile{Categories: cats("CONSCRIPT_FAMILY")}, want: yes}, // via ACTIVE_FAMILY
	{id: "HON-001", p: backend.Profile{Categories: cats("ACTIVE_SERVICE")}, want: no},
	{id: "HON-002", p: backend.Profile{Categories: cats("MARTYR_FAMILY")}, want: yes},
	{id: "HON-002", p: backend.Profile{Categories: cats("DISABLED_MILITIA")}, want: no},
	{id: "HON-003", p: backend.Profile{Categories: cats("VETERAN")}, want: possibly},
	{id: "HON-003", p: backend.Profile{Categories: cats("ACTIVE_FAMILY")}, want: no},
	{id: "HON-004", p: backend.Profile{Categories: cats("VET_COMBAT")}, want: yes},
	{id: "HON-004", p: backend.Profile{Categories: cats("VETERAN")}, want: possibly, docs: []string{"merit_certificate"}},
	{id: "HON-004", p: backend.Profile{Categories: cats("MARTYR_FAMILY")}, want: no},
	{id: "HON-005", p: backend.Profile{Categories: cats("VETERAN")}, want: possibly},
	{id: "HON-005", p: backend.Profile{Categories: cats("MARTYR_FAMILY")}, want: no},
	{id: "HON-006", p: backend.Profile{Categories: cats("ACTIVE_FAMILY")}, want: possibly},
	{id: "HON-006", p: backend.Profile{Categories: cats("VETERAN")}, want: no},
	{id: "HON-007", p: backend.Profile{Categories: cats("VETERAN")}, want: yes, docs: []string{"id_card", "discharge_certificate"}},
	{id: "HON-007", p: backend.Profile{Categories: cats("MARTYR_CHILD_60")}, want: yes, docs: []string{"martyr_certificate"}},
	{id: "HON-007", p: backend.Profile{Categories: cats("ACTIVE_FAMILY")}, want: no},
	{id: "LIV-001", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 8, DisabilityCause: "war"}, want: yes},
	{id: "LIV-001", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 6, DisabilityCause: "illness"}, want: yes},
	{id: "LIV-001", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 7, DisabilityCause: "illness"}, want: no},
	{id: "LIV-001", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 8}, want: possibly}, // cause unanswered
	{id: "LIV-001", p: backend.Profile{Categories: cats("VETERAN")}, want: no},
	{id: "LIV-002", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 2, DisabilityCause: "war"}, want: yes},
	{id: "LIV-002", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 4, DisabilityCause: "illness"}, want: yes},
	{id: "LIV-002", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 5, DisabilityCause: "duty"}, want: possibly}, // mental disorder only
	{id: "LIV-002", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 7, DisabilityCause: "duty"}, want: no},
	{id: "LIV-003", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 10, DisabilityCause: "illness"}, want: yes},
	{id: "LIV-003", p: backend.Profile{Categories: cats("VET_COMBAT")}, want: no},
	{id: "LIV-004", p: backend.Profile{Categories: cats("MARTYR_FAMILY"), Relation: "child", Birth: birth(2012)}, want: possibly},
	{id: "LIV-004", p: backend.Profile{Categories: cats("ILLNESS_DEATH_FAMILY"), Relation: "spouse"}, want: possibly},
	{id: "LIV-004", p: backend.Profile{Categories: cats("ACTIVE_FAMILY"), Relation: "child", Birth: birth(2012)}, want: no},
	{id: "LIV-005", p: backend.Profile{Categories: cats("DEMOB_PRE1954"), Birth: birth(1930)}, want: yes},
	{id: "LIV-005", p: backend.Profile{Categories: cats("VET_COMBAT")}, want: yes},
	{id: "LIV-005", p: backend.Profile{Categories: cats("RURAL_VET_60"), Birth: birth(1955), Residence: "rural"}, want: possibly},
	{id: "LIV-005", p: backend.Profile{Categories: cats("RURAL_VET_60"), Birth: birth(1955), Residence: "urban"}, want: no},
	{id: "LIV-005", p: backend.Profile{Categories: cats("MARTYR_CHILD_60"), Birth: birth(1960), Residence: "urban_no_employer"}, want: yes},
	{id: "LIV-005", p: backend.Profile{Categories: cats("MARTYR_CHILD_60"), Birth: birth(1960), Residence: "urban"}, want: no},
	{id: "LIV-005", p: backend.Profile{Categories: cats("MARTYR_CHILD_60"), Birth: birth(1970), Residence: "rural"}, want: no}, // 56
	{id: "LIV-005", p: backend.Profile{Categories: cats("VETERAN")}, want: no},
	{id: "LIV-006", p: backend.Profile{Categories: cats("CONSCRIPT_FAMILY")}, want: yes},
	{id: "LIV-006", p: backend.Profile{Categories: cats("ACTIVE_FAMILY")}, want: possibly},
	{id: "LIV-006", p: backend.Profile{Categories: cats("VETERAN")}, want: no},
	{id: "LIV-007", p: backend.Profile{Categories: cats("DUTY_DEATH_FAMILY")}, want: possibly},
	{id: "LIV-007", p: backend.Profile{Categories: cats("VETERAN")}, want: no},
	{id: "LIV-008", p: backend.Profile{Categories: cats("RED_ARMY")}, want: yes},
	{id: "LIV-008", p: backend.Profile{Categories: cats("ACTIVE_SERVICE")}, want: no},
	{id: "LIV-009", p: backend.Profile{Categories: cats("VETERAN")}, want: possibly},
	{id: "LIV-009", p: backend.Profile{Categories: cats("ACTIVE_SERVICE")}, want: no},
	{id: "ELD-001", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 3}, want: possibly},
	{id: "ELD-001", p: backend.Profile{Categories: cats("MARTYR_FAMILY")}, want: no},
	{id: "ELD-002", p: backend.Profile{Categories: cats("ACTIVE_FAMILY")}, want: yes},
	{id: "ELD-002", p: backend.Profile{Categories: cats("DISABLED_MILITIA")}, want: no},
	{id: "ELD-003", p: backend.Profile{Categories: cats("VET_COMBAT")}, want: possibly},
	{id: "ELD-003", p: backend.Profile{Categories: cats("VETERAN")}, want: no},
	{id: "ELD-004", p: backend.Profile{Categories: cats("MARTYR_FAMILY"), Sex: "female", Birth: birth(1968)}, want: possibly},
	{id: "ELD-004", p: backend.Profile{Categories: cats("MARTYR_FAMILY"), Birth: birth(1968)}, want: possibly}, // 58: depends on sex
	{id: "ELD-004", p: backend.Profile{Categories: cats("MARTYR_FAMILY"), Sex: "male", Birth: birth(1968)}, want: no},
	{id: "ELD-004", p: backend.Profile{Categories: cats("MARTYR_FAMILY"), Birth: birth(1990)}, want: no}, // too young either way
	{id: "MED-001", p: backend.Profile{Categories: cats("MARTYR_CHILD_60")}, want: yes},
	{id: "MED-001", p: backend.Profile{Categories: cats("ACTIVE_SERVICE")}, want: no},
	{id: "MED-002", p: backend.Profile{Categories: cats("DISABLED_VET")}, want: yes},
	{id: "MED-002", p: backend.Profile{Categories: cats("VETERAN")}, want: no},
	{id: "MED-003", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 6}, want: yes},
	{id: "MED-003", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 7}, want: no},
	{id: "MED-004", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 7}, want: yes},
	{id: "MED-004", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 6}, want: no},
	{id: "MED-005", p: backend.Profile{Categories: cats("MARTYR_FAMILY")}, want: yes},
	{id: "MED-005", p: backend.Profile{Categories: cats("DUTY_DEATH_FAMILY")}, want: no},
	{id: "MED-006", region: "321302", p: backend.Profile{Categories: cats("DISABLED_VET")}, want: yes},
	{id: "MED-006", region: "", p: backend.Profile{Categories: cats("DISABLED_VET")}, want: no},       // not this county
	{id: "MED-006", region: "331002", p: backend.Profile{Categories: cats("DISABLED_VET")}, want: no}, // another county
	{id: "MED-006", region: "321302", p: backend.Profile{Categories: cats("VETERAN")}, want: no},
	{id: "HOU-001", p: backend.Profile{Categories: cats("VETERAN")}, want: possibly},
	{id: "HOU-001", p: backend.Profile{Categories: cats("ACTIVE_SERVICE")}, want: no},
	{id: "HOU-002", p: backend.Profile{Categories: cats("VETERAN"), Residence: "rural"}, want: possibly},
	{id: "HOU-002", p: backend.Profile{Categories: cats("VETERAN"), Residence: "urban"}, want: no},
	{id: "EDU-001", p: backend.Profile{Categories: cats("MARTYR_FAMILY"), Relation: "child"}, want: yes},
	{id: "EDU-001", p: backend.Profile{Categories: cats("MARTYR_FAMILY"), Relation: "spouse"}, want: no},
	{id: "EDU-002", p: backend.Profile{Categories: cats("DUTY_DEATH_FAMILY"), Relation: "child"}, want: yes},
	{id: "EDU-002", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 3}, want: yes},
	{id: "EDU-002", p: backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 5}, want: no},
	{id: "EDU-002", p: backend.Profile{Categories: cats("DUTY_DEATH_FAMILY"), Relation: "parent"}, want: no},
	{id: "EDU-003", p: backend.Profile{Categories: cats("VETERAN")}, want: yes},
	{id: "EDU-003", p: backend.Profile{Categories: cats("MARTYR_FAMILY")}, want: no},
	{id: "EDU-004", p: backend.Profile{Categories: cats("DISABLED_VET")}, want: yes},
	{id: "EDU-004", p: backend.Profile{Categories: cats("VETERAN")}, want: possibly},
	{id: "EDU-004", p: backend.Profile{Categories: cats("MARTYR_FAMILY")}, want: no},
	{id: "EDU-005", p: backend.Profile{Categories: cats("ACTIVE_FAMILY"), Relation: "child"}, want: yes},
	{id: "EDU-005", p: backend.Profile{Categories: cats("ACTIVE_FAMILY"), Relation: "parent"}, want: no},
	{id: "TRN-001", p: backend.Profile{Categories: cats("MARTYR_FAMILY")}, want: yes, docs: []string{"preferential_card"}},
	{id: "TRN-001", p: backend.Profile{Categories: cats("DISABLED_VET")}, want: yes, docs: []string{"disabled_soldier_card"}},
	{id: "TRN-001", p: backend.Profile{Categories: cats("VETERAN")}, want: no},
	{id: "TRN-002", p: backend.Profile{Categories: cats("DISABLED_VET")}, want: yes},
	{id: "TRN-002", p: backend.Profile{Categories: cats("VET_COMBAT")}, want: no},
	{id: "TRN-003", p: backend.Profile{Categories: cats("DISABLED_VET")}, want: yes},
	{id: "TRN-003", p: backend.Profile{Categories: cats("VETERAN")}, want: no},
	{id: "TRN-004", p: backend.Profile{Categories: cats("VETERAN")}, want: yes, docs: []string{"preferential_card"}},
	{id: "TRN-004", p: backend.Profile{Categories: cats("MARTYR_FAMILY")}, want: no},
	{id: "CUL-001", p: backend.Profile{Categories: cats("ACTIVE_FAMILY")}, want: yes},
	{id: "CUL-001", p: backend.Profile{Categories: cats("ACTIVE_SERVICE")}, want: no},
	{id: "CUL-002", p: backend.Profile{Categories: cats("MARTYR_FAMILY")}, want: yes},
	{id: "CUL-002", p: backend.Profile{Categories: cats("DUTY_DEATH_FAMILY")}, want: no},
	{id: "TRN-L01", region: "331002", p: backend.Profile{Categories: cats("VETERAN")}, want: possibly}, // local hukou to check
	{id: "TRN-L01", region: "", p: backend.Profile{Categories: cats("VETERAN")}, want: no},
	{id: "TRN-L01", region: "331002", p: backend.Profile{Categories: cats("MARTYR_FAMILY")}, want: no},
	{id: "TRN-L02", region: "141002", p: backend.Profile{Categories: cats("VETERAN"), Birth: birth(1970)}, want: yes},
	{id: "TRN-L02", region: "141002", p: backend.Profile{Categories: cats("VETERAN"), Birth: birth(1950)}, want: no}, // 65+: free as a senior
	{id: "TRN-L02", region: "", p: backend.Profile{Categories: cats("VETERAN"), Birth: birth(1970)}, want: no},
	{id: "EMP-001", p: backend.Profile{Categories: cats("VETERAN")}, want: yes},
	{id: "EMP-001", p: backend.Profile{Categories: cats("MARTYR_FAMILY")}, want: no},
	{id: "EMP-002", p: backend.Profile{Categories: cats("ILL_RETURNED")}, want: yes},
	{id: "EMP-002", p: backend.Profile{Categories: cats("ACTIVE_FAMILY")}, want: no},
	{id: "EMP-003", p: backend.Profile{Categories: cats("VETERAN")}, want: possibly},
	{id: "EMP-003", p: backend.Profile{Categories: cats("DUTY_DEATH_FAMILY")}, want: no},
	{id: "EMP-004", p: backend.Profile{Categories: cats("DISABLED_VET")}, want: yes},
	{id: "EMP-004", p: backend.Profile{Categories: cats("VETERAN")}, want: no},
	{id: "EMP-005", p: backend.Profile{Categories: cats("DUTY_DEATH_FAMILY")}, want: yes},
	{id: "EMP-005", p: backend.Profile{Categories: cats("ILLNESS_DEATH_FAMILY")}, want: no},
	{id: "LEG-001", p: backend.Profile{Categories: cats("VETERAN")}, want: yes},
	{id: "LEG-001", p: backend.Profile{Categories: cats("ACTIVE_SERVICE")}, want: no},
	{id: "OTH-001", p: backend.Profile{Categories: cats("ACTIVE_SERVICE")}, want: possibly},
	{id: "OTH-001", p: backend.Profile{Categories: cats("ACTIVE_FAMILY")}, want: no},
	{id: "OTH-002", p: backend.Profile{Categories: cats("VETERAN")}, want: possibly},
	{id: "OTH-002", p: backend.Profile{Categories: cats("MARTYR_FAMILY")}, want: no},
}

func find(results []backend.Result, id string) *backend.Result {
	for i := range results {
		if results[i].Entitlement.ID == id {
			return &results[i]
		}
	}
	return nil
}

func TestCatalogRules(t *testing.T) {
	catalogs := map[string]*backend.Catalog{}
	covered := map[string][2]bool{} // id → {has an eligible case, has an ineligible case}
	for _, tt := range ruleCases {
		c := catalogs[tt.region]
		if c == nil {
			c = catalogFor(t, tt.region)
			catalogs[tt.region] = c
		}
		if err := tt.p.Validate(c); err != nil {
			t.Fatalf("%s: bad test profile: %v", tt.id, err)
		}
		got := no
		res := find(c.Evaluate(&tt.p, evalDay), tt.id)
		if res != nil {
			got = res.Verdict
		}
		if got != tt.want {
			t.Errorf("%s for %+v (region %q): %v, want %v", tt.id, tt.p, tt.region, got, tt.want)
		}
		for _, d := range tt.docs {
			if res == nil || !slices.Contains(res.Documents, d) {
				t.Errorf("%s for %v: documents lack %s", tt.id, tt.p.Categories, d)
			}
		}
		cov := covered[tt.id]
		if tt.want == no {
			cov[1] = true
		} else {
			cov[0] = true
		}
		covered[tt.id] = cov
	}
	for _, e := range catalogFor(t, "").Entitlements {
		if cov := covered[e.ID]; !cov[0] || !cov[1] {
			t.Errorf("%s: needs an eligible and an ineligible case in ruleCases (have %v)", e.ID, cov)
		}
	}
}

// TestCatalogCategories derives cases from the catalog itself: each category an entry
// lists can reach it (with every question unanswered, at least "possibly"), and every
// category outside the list, with its parents, is never offered it.
func TestCatalogCategories(t *testing.T) {
	for _, region := range []string{"321302", "331002", "141002"} {
		c := catalogFor(t, region)
		for _, e := range c.Entitlements {
			if e.Scope.RegionCode != "" && !strings.HasPrefix(region, e.Scope.RegionCode) {
				continue
			}
			for _, cat := range c.Categories {
				p := backend.Profile{Categories: []string{cat.Code}}
				res := find(c.Evaluate(&p, evalDay), e.ID)
				listed := slices.ContainsFunc(e.Categories, func(l string) bool { return c.CategoryIncludes(cat.Code, l) })
				if listed && res == nil {
					t.Errorf("%s lists %s, but no rule can ever give it to them", e.ID, cat.Code)
				}
				if !listed && res != nil {
					t.Errorf("%s is offered to %s, which it does not list", e.ID, cat.Code)
				}
				if res != nil && len(res.Unknown) == 0 && res.Verdict == backend.Possibly && !res.StaffReview && len(res.Checks) == 0 {
					t.Errorf("%s for %s: possibly, but with no reason to show", e.ID, cat.Code)
				}
			}
		}
	}
}

// TestCatalogKeepsSeed checks the normalised default catalog against the seed data it
// was derived from: the same ids, titles, summaries, categories and sources.
func TestCatalogKeepsSeed(t *testing.T) {
	raw, err := os.ReadFile("data/entitlements.json")
	if err != nil {
		t.Fatal(err)
	}
	var seed struct {
		Categories []struct {
			Code string `json:"code"`
		} `json:"categories"`
		Sources      map[string]string `json:"sources"`
		Entitlements []struct {
			ID         string   `json:"id"`
			Domain     string   `json:"domain"`
			TitleZH    string   `json:"title_zh"`
			SummaryZH  string   `json:"summary_zh"`
			Categories []string `json:"eligible_categories"`
			Source     string   `json:"source"`
		} `json:"entitlements"`
	}
	if err := json.Unmarshal(raw, &seed); err != nil {
		t.Fatal(err)
	}
	c := catalogFor(t, "")
	if len(c.Entitlements) != len(seed.Entitlements) {
		t.Fatalf("%d entitlements, seed has %d", len(c.Entitlements), len(seed.Entitlements))
	}
	for i, s := range seed.Entitlements {
		e := c.Entitlements[i]
		if e.ID != s.ID || e.Domain != s.Domain || e.TitleZH != s.TitleZH || e.SummaryZH != s.SummaryZH ||
			e.Source != s.Source || !slices.Equal(e.Categories, s.Categories) {
			t.Errorf("entry %d: %s differs from seed %s", i, e.ID, s.ID)
		}
		if e.SummaryEN == "" || e.TitleEN == "" {
			t.Errorf("%s: no English", e.ID)
		}
	}
	for k, v := range seed.Sources {
		if c.Sources[k] != v {
			t.Errorf("source %s differs from seed", k)
		}
	}
	for _, s := range seed.Categories {
		if c.Category(s.Code) == nil {
			t.Errorf("category %s missing", s.Code)
		}
	}
}

func TestCatalogQuestions(t *testing.T) {
	c := catalogFor(t, "")
	for _, tt := range []struct {
		name string
		p    backend.Profile
		want []string
	}{
		{"DisabledVeteran", backend.Profile{Categories: cats("DISABLED_VET")},
			[]string{backend.AttrDisabilityGrade, backend.AttrDisabilityCause, backend.AttrResidence}},
		{"GradeAnswered", backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 3},
			[]string{backend.AttrDisabilityCause, backend.AttrResidence}},
		{"AllAnswered", backend.Profile{Categories: cats("DISABLED_VET"), DisabilityGrade: 3, DisabilityCause: "war", Residence: "rural"},
			nil},
		{"MartyrFamily", backend.Profile{Categories: cats("MARTYR_FAMILY")},
			[]string{backend.AttrRelation, backend.AttrBirthDate, backend.AttrSex}},
		{"RuralVeteran", backend.Profile{Categories: cats("RURAL_VET_60")},
			[]string{backend.AttrResidence, backend.AttrBirthDate}},
		{"PlainVeteran", backend.Profile{Categories: cats("VETERAN")},
			[]string{backend.AttrResidence}},
		{"SexAfterAge", backend.Profile{Categories: cats("MARTYR_FAMILY"), Birth: birth(1968), Relation: "parent"},
			[]string{backend.AttrSex, backend.AttrResidence}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Questions(&tt.p, evalDay)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Questions = %v, want %v", got, tt.want)
			}
			if len(got) > backend.MaxQuestions {
				t.Errorf("%d questions", len(got))
			}
		})
	}
	t.Run("RelationOptions", func(t *testing.T) {
		q := c.Question(backend.AttrRelation, cats("ACTIVE_FAMILY"), "zh-CN", evalDay)
		var values []string
		for _, o := range q.Options {
			values = append(values, o.Value)
		}
		if !slices.Equal(values, []string{"parent", "spouse", "child"}) || q.Text == "" {
			t.Errorf("relation question for ACTIVE_FAMILY: %+v", q)
		}
	})
}

func TestParseBirth(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    backend.Birth
		wantErr string
	}{
		{"", backend.Birth{}, ""},
		{"1950", backend.Birth{Year: 1950}, ""},
		{"1950-02", backend.Birth{Year: 1950, Month: 2}, ""},
		{"1950-02-28", backend.Birth{1950, 2, 28}, ""},
		{"1950-02-30", backend.Birth{}, "lookup.birth_date"},
		{"1899", backend.Birth{}, "lookup.birth_date"},
		{"2027", backend.Birth{}, "lookup.birth_future"},
		{"19500101", backend.Birth{}, "lookup.birth_date"},
		{"abcd", backend.Birth{}, "lookup.birth_date"},
	} {
		got, err := backend.ParseBirth(tt.in, evalDay)
		key := ""
		if e, ok := err.(*backend.Error); ok {
			key = e.Key
		}
		if got != tt.want || key != tt.wantErr {
			t.Errorf("ParseBirth(%q) = %+v, %q; want %+v, %q", tt.in, got, key, tt.want, tt.wantErr)
		}
	}
}

// TestCatalogYearOnly checks that a birth year alone decides an age rule except in the
// year the threshold is reached, when the kiosk must say "possibly".
func TestCatalogYearOnly(t *testing.T) {
	c := catalogFor(t, "")
	for _, tt := range []struct {
		year int
		want backend.Verdict
	}{{1960, yes}, {1966, possibly}, {1967, no}} {
		p := backend.Profile{Categories: cats("MARTYR_CHILD_60"), Birth: backend.Birth{Year: tt.year}, Residence: "rural"}
		got := no
		if r := find(c.Evaluate(&p, evalDay), "LIV-005"); r != nil {
			got = r.Verdict
		}
		if got != tt.want {
			t.Errorf("born %d: %v, want %v", tt.year, got, tt.want)
		}
	}
}

func TestParseCatalog(t *testing.T) {
	base := string(backend.DefaultCatalogJSON())
	t.Run("OK", func(t *testing.T) {
		if _, err := backend.ParseCatalog([]byte(base)); err != nil {
			t.Fatal(err)
		}
	})
	for _, tt := range []struct{ name, old, new string }{
		{"ErrFormat", `"bingzhan.catalog/1"`, `"bingzhan.catalog/2"`},
		{"ErrMisspeltCondition", `"max_disability_grade": 6`, `"max_grade": 6`},
		{"ErrUnknownCategory", `"categories": [
    "DISABLED_VET"
   ]`, `"categories": [
    "DISABLED_VETS"
   ]`},
		{"ErrGradeRange", `"max_disability_grade": 6`, `"max_disability_grade": 11`},
		{"ErrCause", `"illness"
     ],`, `"sickness"
     ],`},
		{"ErrVersion", `"version": "2026.1-draft"`, `"version": ""`},
		{"ErrUnknownCheck", `"hukou_local"
     ]`, `"hukou"
     ]`},
		{"ErrDate", `"from": "2023-03-01"`, `"from": "2023-3-1"`},
		{"ErrNotJSON", `{`, `[`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(base, tt.old) {
				t.Fatalf("test is stale: %q not in the catalog", tt.old)
			}
			_, err := backend.ParseCatalog([]byte(strings.Replace(base, tt.old, tt.new, 1)))
			if backend.ErrorCode(err) != backend.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
			if msg := backend.ErrorMessage(err, "zh-CN"); !strings.Contains(msg, "优待目录") {
				t.Errorf("message %q does not say what is wrong", msg)
			}
		})
	}
}

func FuzzParseCatalog(f *testing.F) {
	f.Add(backend.DefaultCatalogJSON())
	f.Add([]byte(`{"format":"bingzhan.catalog/1","version":"1","categories":[{"code":"A","name_zh":"a","plain_zh":"a","card_kind":""}],` +
		`"domains":[{"code":"d","name_zh":"d"}],"entitlements":[{"id":"AAA-1","domain":"d","title_zh":"t","summary_zh":"s",` +
		`"categories":["A"],"service":"A","scope":{"level":"national"},"source":"x","rules":[{"min_age":60,"max_age":50}]}]}`))
	f.Add([]byte(`{"format":"bingzhan.catalog/1","version":"1","categories":[{"code":"A","parent":"B","name_zh":"a","plain_zh":"a"},` +
		`{"code":"B","parent":"A","name_zh":"b","plain_zh":"b"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := backend.ParseCatalog(data)
		if err != nil {
			if backend.ErrorCode(err) != backend.EINVALID {
				t.Fatalf("code %s", backend.ErrorCode(err))
			}
			return
		}
		// Whatever parses can be evaluated for anyone without a panic.
		for _, cat := range c.Categories {
			p := backend.Profile{Categories: []string{cat.Code}, DisabilityGrade: 5, Birth: backend.Birth{Year: 1960}}
			for _, r := range c.Evaluate(&p, evalDay) {
				if r.Verdict == backend.NotEligible {
					t.Fatalf("%s returned as not eligible", r.Entitlement.ID)
				}
			}
			c.Questions(&p, evalDay)
		}
	})
}

// BenchmarkEvaluate measures the evaluation of the whole catalog for one person.
// Target: ≤ 100 µs.
func BenchmarkEvaluate(b *testing.B) {
	c := catalogFor(b, "331002")
	for _, bb := range []struct {
		name string
		p    backend.Profile
	}{
		{"DisabledVeteran", backend.Profile{Categories: cats("DISABLED_VET", "VET_COMBAT"), DisabilityGrade: 3, DisabilityCause: "war", Birth: birth(1955), Sex: "male", Residence: "rural"}},
		{"Unanswered", backend.Profile{Categories: cats("MARTYR_FAMILY", "ACTIVE_FAMILY", "VETERAN")}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				n = len(c.Evaluate(&bb.p, evalDay))
			}
			b.ReportMetric(float64(n), "entitlements")
		})
	}
}
