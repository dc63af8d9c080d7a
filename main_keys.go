package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"bingzhan/backend/app"
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
		r, err := app.RotateDataKey(ctx, *data, commandOptions(), func(step string, done int) {
			if step == app.StepVerified {
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
		printRotateReport(stdout, r)
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

// printRotateReport tells the operator what a rotation did and what to do next.
func printRotateReport(w io.Writer, r *app.RotateReport) {
	fmt.Fprintf(w, "re-sealed %d ledger values, %d bookings, %d outreach values and %d registry persons under the new key\n", r.Visits, r.Bookings, r.Outreach, r.Persons)
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
