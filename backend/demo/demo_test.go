package demo_test

import (
	"slices"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/demo"
)

func TestPeople(t *testing.T) {
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	people := demo.List(demo.Seed, 2000)
	cat, err := backend.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Valid", func(t *testing.T) {
		ids := map[string]bool{}
		for i := range people {
			p := people[i]
			if err := p.Validate(today); err != nil {
				t.Fatalf("person %d (%s) invalid: %v", i, backend.MaskIDNumber(p.IDNumber), err)
			}
			if ids[p.IDNumber] {
				t.Fatalf("ID number of person %d repeats", i)
			}
			ids[p.IDNumber] = true
			prof := p.Profile()
			if err := prof.Validate(cat); err != nil {
				t.Fatalf("person %d: categories unknown to the catalog: %v", i, err)
			}
			if slices.Contains(p.Categories, "DISABLED_VET") && (p.DisabilityGrade < 1 || p.DisabilityCause == "") {
				t.Fatalf("disabled veteran %d without grade or cause", i)
			}
			if slices.Contains(p.Categories, "RURAL_VET_60") && backend.AgeOn(p.BirthDate(), demo.Reference) < 60 {
				t.Fatalf("rural veteran %d under 60", i)
			}
			if n := len(p.CardHistory); n > 0 && p.CardHistory[n-1].Status != p.CardStatus {
				t.Fatalf("person %d: history ends in %s, status %s", i, p.CardHistory[n-1].Status, p.CardStatus)
			}
		}
	})

	t.Run("EveryCategoryAndStatus", func(t *testing.T) {
		statuses := map[backend.CardStatus]int{}
		categories := map[string]int{}
		for _, p := range people {
			statuses[p.CardStatus]++
			for _, c := range p.Categories {
				categories[c]++
			}
		}
		for _, s := range backend.CardStatuses {
			if statuses[s] == 0 {
				t.Errorf("no one with card status %s", s)
			}
		}
		for _, c := range cat.Categories {
			if categories[c.Code] == 0 && c.Code != "ACTIVE_SERVICE" {
				t.Errorf("no one in category %s", c.Code)
			}
		}
		// The first 30 alone cover every status, for tiny demo registries.
		small := map[backend.CardStatus]bool{}
		for _, p := range demo.List(demo.Seed, 30) {
			small[p.CardStatus] = true
		}
		if len(small) != len(backend.CardStatuses) {
			t.Errorf("30 people have %d statuses", len(small))
		}
	})

	t.Run("Deterministic", func(t *testing.T) {
		again := demo.List(demo.Seed, 100)
		for i := range again {
			if again[i].IDNumber != people[i].IDNumber || again[i].Phone != people[i].Phone || again[i].Name != people[i].Name {
				t.Fatalf("person %d differs between runs", i)
			}
		}
		if other := demo.List(2, 1); other[0].IDNumber == people[0].IDNumber {
			t.Fatal("another seed gives the same people")
		}
	})
}

func TestIDNumber(t *testing.T) {
	// The generator reproduces the standard's own examples.
	for _, tt := range []struct {
		area string
		born time.Time
		seq  int
		want string
	}{
		{"110105", time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC), 2, "11010519491231002X"},
		{"440524", time.Date(1880, 1, 1, 0, 0, 0, 0, time.UTC), 1, "440524188001010014"},
	} {
		if got := demo.IDNumber(tt.area, tt.born, tt.seq); got != tt.want {
			t.Errorf("IDNumber = %s, want %s", got, tt.want)
		}
	}
}
