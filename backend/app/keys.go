package app

import (
	"bingzhan/backend"
	"bingzhan/backend/bolt"
	"bingzhan/backend/keys"
	"context"
	"fmt"
	"os"
	"path/filepath"
)

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
	Bookings  int      // appointments re-sealed
	Outreach  int      // outreach entries, photos and signatures re-sealed
	Persons   int      // registry persons re-keyed and re-sealed
	Compacted bool     // the file was rewritten without its free pages
	NewBackup string   // a backup made after, under the new key ("" if none)
	Warnings  []string // what was skipped, for the operator
}

// RotateDataKey rotates the data key of the station in dir: it makes a backup, makes
// a new key, re-seals every sealed record and re-keys the registry under it in
// resumable batches, then retires the old key and rewrites the file without the old
// values left in its free pages. It refuses to run while the station runs. Interrupted
// at any moment (a power cut, ctx cancelled), the station still opens with every record
// readable, and a second call finishes the rotation. progress, when set, is told what
// is being re-sealed and how much is done (Step…); the report is returned even with
// an error.
func RotateDataKey(ctx context.Context, dir string, opts Options, progress func(step string, done int)) (*RotateReport, error) {
	if progress == nil {
		progress = func(string, int) {}
	}
	if _, err := os.Stat(filepath.Join(dir, bolt.FileName)); err != nil {
		return nil, backend.Errorf(backend.ENOTFOUND, "keys.no_station", dir)
	}
	keysDir := filepath.Join(dir, "keys")
	// Load, not create: a station without its keys cannot be rotated, only restored.
	if _, err := keys.Load(keysDir); err != nil {
		return nil, err
	}
	open := func() (*Station, error) {
		st, err := OpenData(dir, opts)
		if backend.ErrorCode(err) == backend.ECONFLICT {
			return nil, backend.Errorf(backend.ECONFLICT, "keys.station_running", dir)
		}
		return st, err
	}
	st, err := open()
	if err != nil {
		return nil, err
	}
	defer func() { st.Close() }()
	db := st.DB

	r := &RotateReport{}
	if r.Backup, err = db.Backup(ctx); err != nil {
		return r, err
	}
	// Before the new key exists: record which key the registry is keyed by, so a
	// station interrupted from here on finds its people under the right hash.
	if err := st.Persons.MarkHashKey(ctx); err != nil {
		return r, err
	}
	k, err := keys.BeginRotation(keysDir)
	if err != nil {
		return r, err
	}
	r.NewKey, r.OldKeys = k.DataKeyID(), k.DataKeyIDs()[1:]
	c, err := k.Cipher()
	if err != nil {
		return r, err
	}
	// The services over the new key; the station's own were built on the old one.
	visits := bolt.NewVisitService(db, st.ID, c, k.PersonKey)
	persons := bolt.NewPersonService(db, st.ID, c, k.PersonKey)
	bookings := bolt.NewAppointmentService(db, st.ID, c, nil)
	outreach := bolt.NewOutreachService(db, st.ID, c, persons, visits)
	if r.Visits, err = visits.Reseal(ctx, func(n int) { progress(StepLedger, n) }); err != nil {
		return r, err
	}
	if r.Bookings, err = bookings.Reseal(ctx, func(n int) { progress(StepLedger, r.Visits+n) }); err != nil {
		return r, err
	}
	if r.Outreach, err = outreach.Reseal(ctx, func(n int) { progress(StepLedger, r.Visits+r.Bookings+n) }); err != nil {
		return r, err
	}
	if r.Persons, err = persons.Reseal(ctx, func(n int) { progress(StepRegistry, n) }); err != nil {
		return r, err
	}
	left := 0
	for _, stale := range []func(context.Context) (int, error){visits.Stale, bookings.Stale, outreach.Stale, persons.Stale} {
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
	st.Close()
	if err := bolt.Compact(dir); err != nil {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the database was not rewritten (%v): free pages may still hold values sealed under the old key until they are reused", err))
	} else {
		r.Compacted = true
	}
	if st, err = open(); err != nil {
		r.Warnings = append(r.Warnings, "no backup under the new key was made: the station makes one within its backup interval")
		st = &Station{DB: bolt.NewDB(dir)} // closing it is a no-op
		return r, nil
	}
	if r.NewBackup, err = st.DB.Backup(ctx); err != nil {
		r.Warnings = append(r.Warnings, "no backup under the new key was made: "+err.Error())
	}
	return r, nil
}
