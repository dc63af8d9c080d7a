package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/backend/bolt"
)

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
	app.PrintDemoPeople(stdout, max(*per, 1))
	return nil
}

// checkDemoRegistry warns when the station at dir holds another registry than the
// demo one. A running station holds the file; then there is nothing to check.
func checkDemoRegistry(dir string, stdout io.Writer) error {
	if _, err := os.Stat(filepath.Join(dir, bolt.FileName)); err != nil {
		return fmt.Errorf("no station data in %s: %w", dir, err)
	}
	st, err := app.OpenData(dir, commandOptions())
	if err != nil {
		if backend.ErrorCode(err) == backend.ECONFLICT {
			return nil // the station is running; it printed its examples at start
		}
		return err
	}
	defer st.Close()
	version, n, err := st.Persons.Registry(context.Background())
	if err != nil {
		return err
	}
	if version != app.DemoRegistryVersion {
		if version == "" {
			return errors.New("this station has no registry yet: start it once with --demo")
		}
		fmt.Fprintf(stdout, "note: this station holds registry %q (%d persons), not the demo registry; the people below will not be found\n", version, n)
	}
	return nil
}
