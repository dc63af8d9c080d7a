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
	"strings"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/backend/bolt"
	"bingzhan/backend/keys"
)

// runKeys is `bingzhan keys rotate|status --data DIR`. Rotation opens the database
// directly, so the station must not be running on the folder (the file is locked).
func runKeys(ctx context.Context, args []string, stdout io.Writer) error {
	usage := errors.New("usage: bingzhan keys rotate --data DIR\n" +
		"       bingzhan keys status --data DIR")
	if len(args) == 0 {
		return usage
	}
	sub, args := args[0], args[1:]
	fl := flag.NewFlagSet("bingzhan keys "+sub, flag.ContinueOnError)
	data := fl.String("data", app.DefaultDataDir(), "data folder")
	if err := fl.Parse(args); err != nil {
		return err
	}
	switch sub {
	case "rotate":
		fmt.Fprintln(stdout, "rotating the data key of", *data)
		r, err := RotateDataKey(ctx, *data, func(step string, done int) {
			if step == StepVerified {
				fmt.Fprintln(stdout, "  checked: every record is sealed under the new key")
				return
			}
			fmt.Fprintf(stdout, "  %s: %d re-sealed\n", step, done)
		})
		if r != nil && r.Backup != "" {
			fmt.Fprintf(stdout, "backup made first (opens with the old key %s): %s\n", strings.Join(r.OldKeys, ", "), r.Backup)
		}
		if err != nil {
			if r != nil && r.NewKey != "" {
				fmt.Fprintln(stdout, "the rotation stopped before it finished; the station still opens and reads every record. Run bingzhan keys rotate again to finish it.")
			}
			return err
		}
		r.print(stdout)
		return nil
	case "status":
		k, err := keys.Load(filepath.Join(*data, "keys"))
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "data key:", k.DataKeyID())
		if k.Rotating() {
			fmt.Fprintf(stdout, "a rotation to the key %s is unfinished: run bingzhan keys rotate --data %s to finish it\n", k.DataKeyIDs()[1], *data)
		}
		return nil
	default:
		return usage
	}
}

// Steps a rotation reports to its progress function.
const (
	StepLedger   = "ledger"   // visits and access-log reasons re-sealed so far
	StepRegistry = "registry" // registry persons copied so far
	StepVerified = "verified" // all re-sealed; the old key is retired next
)

// RotateReport tells what a rotation did.
type RotateReport struct {
	OldKeys   []string // ids of the retired data keys
	NewKey    string   // id of the data key now in use
	Backup    string   // the backup made first, sealed under the old key
	Visits    int      // visits and access-log reasons re-sealed
	Persons   int      // registry persons re-keyed and re-sealed
	Compacted bool     // the file was rewritten without its free pages
	NewBackup string   // a backup made after, under the new key ("" if none)
	Warnings  []string // what was skipped, for the operator
}

func (r *RotateReport) print(w io.Writer) {
	fmt.Fprintf(w, "re-sealed %d ledger values and %d registry persons under the new key\n", r.Visits, r.Persons)
	fmt.Fprintf(w, "the data key is now %s; the old key %s is deleted from the keys folder\n", r.NewKey, strings.Join(r.OldKeys, ", "))
	if r.Compacted {
		fmt.Fprintln(w, "database rewritten: no value sealed under the old key is left in it")
	}
	if r.NewBackup != "" {
		fmt.Fprintln(w, "backup under the new key:", r.NewBackup)
	}
	for _, s := range r.Warnings {
		fmt.Fprintln(w, "note:", s)
	}
	fmt.Fprintln(w, "Now copy the keys folder to your offline key backup (it holds the new key). Backups made before the rotation open only with the old key.")
}

// RotateDataKey rotates the data key of the station in dir: it makes a backup, makes
// a new key, re-seals every sealed record and re-keys the registry under it in
// resumable batches, then retires the old key and rewrites the file without the old
// values left in its free pages. It refuses to run while the station runs. Interrupted
// at any moment (a power cut, ctx cancelled), the station still opens with every record
// readable, and a second call finishes the rotation. progress, when set, is told what
// is being re-sealed and how much is done (Step…); the report is returned even with
// an error.
func RotateDataKey(ctx context.Context, dir string, progress func(step string, done int)) (*RotateReport, error) {
	if progress == nil {
		progress = func(string, int) {}
	}
	if _, err := os.Stat(filepath.Join(dir, bolt.FileName)); err != nil {
		return nil, backend.Errorf(backend.ENOTFOUND, "keys.no_station", dir)
	}
	keysDir := filepath.Join(dir, "keys")
	cur, err := keys.Load(keysDir)
	if err != nil {
		return nil, err
	}
	cfg, err := app.LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	open := func() (*bolt.DB, error) {
		db := bolt.NewDB(dir)
		db.Logger = slog.New(slog.DiscardHandler)
		db.BackupKeep = cfg.BackupKeep
		loc, err := time.LoadLocation(cfg.TimeZone)
		if err != nil {
			return nil, err
		}
		db.Location = loc
		if err := db.Open(); err != nil {
			if backend.ErrorCode(err) == backend.ECONFLICT {
				return nil, backend.Errorf(backend.ECONFLICT, "keys.station_running", dir)
			}
			return nil, err
		}
		return db, nil
	}
	db, err := open()
	if err != nil {
		return nil, err
	}
	defer func() { db.Close() }()

	r := &RotateReport{}
	if r.Backup, err = db.Backup(ctx); err != nil {
		return r, err
	}
	stationID := backend.StationID(cur.Public())
	c, err := cur.Cipher()
	if err != nil {
		return r, err
	}
	// Before the new key exists: record which key the registry is keyed by, so a
	// station interrupted from here on finds its people under the right hash.
	if err := bolt.NewPersonService(db, stationID, c, cur.PersonKey).MarkHashKey(ctx); err != nil {
		return r, err
	}
	k, err := keys.BeginRotation(keysDir)
	if err != nil {
		return r, err
	}
	r.NewKey, r.OldKeys = k.DataKeyID(), k.DataKeyIDs()[1:]
	if c, err = k.Cipher(); err != nil {
		return r, err
	}
	visits := bolt.NewVisitService(db, stationID, c, k.PersonKey)
	persons := bolt.NewPersonService(db, stationID, c, k.PersonKey)
	if r.Visits, err = visits.Reseal(ctx, func(n int) { progress(StepLedger, n) }); err != nil {
		return r, err
	}
	if r.Persons, err = persons.Reseal(ctx, func(n int) { progress(StepRegistry, n) }); err != nil {
		return r, err
	}
	left := 0
	for _, stale := range []func(context.Context) (int, error){visits.Stale, persons.Stale} {
		n, err := stale(ctx)
		if err != nil {
			return r, err
		}
		left += n
	}
	if left > 0 {
		return r, backend.Errorf(backend.ECONFLICT, "keys.unfinished", left)
	}
	progress(StepVerified, 0)
	if err := ctx.Err(); err != nil {
		return r, err
	}
	// The point of no return: the old key is deleted with this rename.
	if err := keys.FinishRotation(keysDir); err != nil {
		return r, err
	}

	// Old values may linger in the file's free pages: rewrite it with live data only.
	// The station may start between the close and the rewrite; then it is skipped.
	db.Close()
	if err := bolt.Compact(dir); err != nil {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the database was not rewritten (%v): free pages may still hold values sealed under the old key until they are reused", err))
	} else {
		r.Compacted = true
	}
	if db, err = open(); err != nil {
		r.Warnings = append(r.Warnings, "no backup under the new key was made: the station makes one within its backup interval")
		db = bolt.NewDB(dir) // closing it is a no-op
		return r, nil
	}
	if r.NewBackup, err = db.Backup(ctx); err != nil {
		r.Warnings = append(r.Warnings, "no backup under the new key was made: "+err.Error())
	}
	return r, nil
}
