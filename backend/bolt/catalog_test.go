package bolt_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
)

// countyCatalog returns the default catalog re-issued by a county as version.
func countyCatalog(tb testing.TB, version, region string) []byte {
	tb.Helper()
	var doc map[string]any
	if err := json.Unmarshal(backend.DefaultCatalogJSON(), &doc); err != nil {
		tb.Fatal(err)
	}
	doc["version"], doc["region_code"] = version, region
	raw, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

func TestCatalogService(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, _ := MustOpenDBAt(t, dir)
	s := bolt.NewCatalogService(db, "station")

	t.Run("DefaultEmbedded", func(t *testing.T) {
		c, err := s.Catalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		def, _ := backend.DefaultCatalog()
		if c.Version != def.Version || len(c.Entitlements) != len(def.Entitlements) {
			t.Fatalf("fresh station has catalog %s with %d entries", c.Version, len(c.Entitlements))
		}
	})

	t.Run("Replace", func(t *testing.T) {
		if err := s.ReplaceCatalog(ctx, "2027.1", countyCatalog(t, "2027.1", "331002")); err != nil {
			t.Fatal(err)
		}
		c, _ := s.Catalog(ctx)
		if c.Version != "2027.1" || c.RegionCode != "331002" {
			t.Fatalf("current catalog %s %s", c.Version, c.RegionCode)
		}
		if kinds := outboxKinds(t, db); !slices.Equal(kinds, []string{backend.KindCatalogReplaced}) {
			t.Fatalf("outbox %v", kinds)
		}
		// The same version again (a retried download) changes nothing.
		if err := s.ReplaceCatalog(ctx, "2027.1", countyCatalog(t, "2027.1", "331002")); err != nil {
			t.Fatal(err)
		}
		if n := len(outboxKinds(t, db)); n != 1 {
			t.Fatalf("%d outbox entries after a repeat", n)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for name, tt := range map[string]struct {
			version string
			data    []byte
		}{
			"NotJSON":         {"2027.2", []byte("{")},
			"VersionMismatch": {"2027.2", countyCatalog(t, "2027.3", "")},
		} {
			if err := s.ReplaceCatalog(ctx, tt.version, tt.data); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
		if c, _ := s.Catalog(ctx); c.Version != "2027.1" {
			t.Fatalf("a refused catalog replaced the current one: %s", c.Version)
		}
	})

	t.Run("SurvivesRestart", func(t *testing.T) {
		db.Close()
		db2, _ := MustOpenDBAt(t, dir)
		c, err := bolt.NewCatalogService(db2, "station").Catalog(ctx)
		if err != nil || c.Version != "2027.1" {
			t.Fatalf("after restart: %v %v", c, err)
		}
	})
}
