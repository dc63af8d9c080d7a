package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"bingzhan/backend"
	"bingzhan/backend/report"
	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	"bingzhan/sync/county/postgres"
)

// migrateBatch is how many entries migrate copies in one transaction.
const migrateBatch = 5000

// runMigrate copies a bbolt county into PostgreSQL. It may be killed and run again at
// any point: every copy is an upsert or an insert that skips what is there, so a second
// run carries on and copies nothing twice. The data folder stays as it was, and
// PostgreSQL uses its keys, so `serve --db URL --data DIR` then serves the same
// stations with the same certificate and keys.
func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("bingzhan-county migrate", flag.ContinueOnError)
	from := fl.String("from", "", "data folder of the bbolt county (its server stopped)")
	to := fl.String("to", os.Getenv(EnvDB), "PostgreSQL database to copy it into (postgres://…); default $"+EnvDB)
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" || fl.NArg() > 0 {
		return errors.New("usage: bingzhan-county migrate --from DIR --to postgres://…")
	}
	if _, err := os.Stat(filepath.Join(*from, countybolt.FileName)); err != nil {
		return fmt.Errorf("no county database in %s (%v): give the county's --data folder", *from, err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, err := countybolt.Open(*from, countybolt.Options{ReadSheet: report.ParseSheet, Logger: quiet})
	if backend.ErrorCode(err) == backend.ECONFLICT {
		return fmt.Errorf("the county database in %s is in use: stop the county server first (stations keep their records meanwhile)", *from)
	} else if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openPostgres(ctx, *from, storeOptions{DB: *to, Logger: quiet})
	if err != nil {
		return err
	}
	defer dst.Close()
	return migrateCounty(ctx, src, dst.Store.(*postgres.Store), stdout)
}

// migrateCounty copies src into dst: users, data sets, then each station and its
// entries, and checks at the end that dst holds every entry src does.
func migrateCounty(ctx context.Context, src *countybolt.Store, dst *postgres.Store, stdout io.Writer) error {
	users, err := src.Users(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if err := dst.PutUser(ctx, u); err != nil {
			return fmt.Errorf("user %s: %w", u.Name, err)
		}
	}
	sets, err := src.DatasetRecords(ctx)
	if err != nil {
		return err
	}
	for _, r := range sets {
		if err := dst.PutDataset(ctx, r); err != nil {
			return fmt.Errorf("data set %s %s: %w", r.Name, r.Version, err)
		}
	}
	fmt.Fprintf(stdout, "%d users, %d data set versions\n", len(users), len(sets))
	stations, err := src.Stations(ctx)
	if err != nil {
		return err
	}
	days, err := county.Days(ctx, src, "0000-00-00", "9999-99-99")
	if err != nil {
		return err
	}
	total := 0
	for _, st := range stations {
		n, err := migrateStation(ctx, src, dst, st, days[st.ID])
		if err != nil {
			return fmt.Errorf("station %s (%s): %w", st.ID, st.Name, err)
		}
		fmt.Fprintf(stdout, "station %s (%s): %d entries\n", st.ID, st.Name, n)
		total += n
	}
	fmt.Fprintf(stdout, "done: %d stations, %d entries, every one in PostgreSQL exactly once\n", len(stations), total)
	return nil
}

// migrateStation copies one station, then its entries and discard markers, and proves
// dst holds as many of its entries as src. It returns that number.
func migrateStation(ctx context.Context, src *countybolt.Store, dst *postgres.Store, st county.Station, days map[string]county.DayStats) (int, error) {
	if err := dst.PutStation(ctx, st); err != nil {
		return 0, err
	}
	for next := uint64(0); ; {
		batch, err := src.StoredEntries(ctx, st.ID, next, migrateBatch)
		if err != nil {
			return 0, err
		}
		if len(batch) == 0 {
			break
		}
		if _, err := dst.PutEntries(ctx, st.ID, batch); err != nil {
			return 0, err
		}
		next = batch[len(batch)-1].Seq + 1
	}
	// The figures as bbolt kept them, with the dead letters no entry carries.
	if err := dst.PutDays(ctx, st.ID, days); err != nil {
		return 0, err
	}
	markers, err := src.Discards(ctx, st.ID)
	if err != nil {
		return 0, err
	}
	if _, err := dst.PutDiscards(ctx, st.ID, markers); err != nil {
		return 0, err
	}
	want, _, err := src.EntryCount(ctx, st.ID)
	if err != nil {
		return 0, err
	}
	got, _, err := dst.EntryCount(ctx, st.ID)
	if err != nil {
		return 0, err
	}
	if got != want {
		return 0, fmt.Errorf("PostgreSQL holds %d of its entries, the bbolt county %d: run migrate again", got, want)
	}
	return got, nil
}
