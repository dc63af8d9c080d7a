package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
	"bingzhan/backend/demo"
	bzhttp "bingzhan/backend/http"
)

// demoPersons is the size of the registry a demo station starts with.
const demoPersons = 2000

// demoRegistryVersion names the demo registry, so a station can tell it from the
// county's and never overwrite a real one with it.
var demoRegistryVersion = fmt.Sprintf("demo-%d-%d", demo.Seed, demoPersons)

// openLookup wires the entitlement catalog and the registry into the API. The sync
// agent reaches both through m.Server.Lookup (one instance each per station). A demo
// station with no registry gets the demo registry, and prints people to try.
func (m *Main) openLookup(ctx context.Context) error {
	cipher, err := m.Keys.Cipher()
	if err != nil {
		return err
	}
	stationID := backend.StationID(m.Keys.Public())
	catalog := bolt.NewCatalogService(m.DB, stationID)
	persons := bolt.NewPersonService(m.DB, stationID, cipher, m.Keys.PersonKey)
	m.Server.Lookup = &bzhttp.Lookup{Catalog: catalog, Persons: persons}
	// A catalog that no longer parses stops the lookup, not the station: tickets
	// still work, and the error is logged for staff.
	if _, err := catalog.Catalog(ctx); err != nil {
		m.Logger.Error("entitlement catalog unusable; lookups will answer 'ask at the counter'", "err", err)
	}
	if !m.Demo {
		return nil
	}
	version, _, err := persons.Registry(ctx)
	if err != nil {
		return err
	}
	if version == "" {
		if _, err := persons.ReplaceRegistry(ctx, demoRegistryVersion, demo.Registry(demo.Seed, demoPersons)); err != nil {
			return fmt.Errorf("demo registry: %w", err)
		}
		version = demoRegistryVersion
	}
	if version == demoRegistryVersion {
		fmt.Fprintln(m.Stdout, "demo registry: people to try at the kiosk's personal lookup (more: bingzhan demo people)")
		printDemoPeople(m.Stdout, 1)
	}
	return nil
}

// runDemo is `bingzhan demo people`: it lists demo people by card status, with the ID
// number and phone digits to type. They are synthetic, the same on every demo station.
func runDemo(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "people" {
		return fmt.Errorf("usage: bingzhan demo people [--data DIR] [--per-status N]")
	}
	fl := flag.NewFlagSet("bingzhan demo people", flag.ContinueOnError)
	data := fl.String("data", "", "data folder of the station, to check that it holds the demo registry")
	per := fl.Int("per-status", 3, "people to list for each card status")
	if err := fl.Parse(args[1:]); err != nil {
		return err
	}
	if *data != "" {
		if err := checkDemoRegistry(*data, stdout); err != nil {
			return err
		}
	}
	printDemoPeople(stdout, max(*per, 1))
	return nil
}

// checkDemoRegistry warns when the station at dir holds another registry than the
// demo one. A running station holds the file; then there is nothing to check.
func checkDemoRegistry(dir string, stdout io.Writer) error {
	if _, err := os.Stat(filepath.Join(dir, bolt.FileName)); err != nil {
		return fmt.Errorf("no station data in %s: %w", dir, err)
	}
	db := bolt.NewDB(dir)
	if err := db.Open(); err != nil {
		if backend.ErrorCode(err) == backend.ECONFLICT {
			return nil // the station is running; it printed its examples at start
		}
		return err
	}
	defer db.Close()
	s := bolt.NewPersonService(db, "", nil, nil)
	version, n, err := s.Registry(context.Background())
	if err != nil {
		return err
	}
	if version != demoRegistryVersion {
		if version == "" {
			return errors.New("this station has no registry yet: start it once with --demo")
		}
		fmt.Fprintf(stdout, "note: this station holds registry %q (%d persons), not the demo registry; the people below will not be found\n", version, n)
	}
	return nil
}

// printDemoPeople lists per people of each card status from the demo registry.
func printDemoPeople(w io.Writer, per int) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  status\tID number\tphone last 4\tcategories\t状态")
	found := map[backend.CardStatus]int{}
	for p := range demo.People(demo.Seed, demoPersons) {
		// Adults only: they are who a tester pretends to be.
		if found[p.CardStatus] >= per || backend.AgeOn(p.BirthDate(), demo.Reference) < 18 {
			continue
		}
		found[p.CardStatus]++
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", p.CardStatus, p.IDNumber, p.PhoneLast4(), strings.Join(p.Categories, ","), p.CardStatus.Name("zh-CN"))
	}
	tw.Flush()
}
