// Package county is the county centre's domain: the stations it enrols, the rules by
// which it takes their facts exactly once, the day figures it keeps, its staff, the
// reference data sets it publishes, and the Store interface its storage adapters
// implement. It imports no storage or HTTP library: the bbolt store is in
// sync/county/bolt, the HTTP API and dashboard in sync/county/http, the control
// socket in sync/county/control, and sync/county/countytest holds the conformance
// suite every Store passes.
//
// Errors are *backend.Error, with the codes of the station's small set.
package county

import (
	"context"
	"errors"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/wire"
)

// Store is the county's storage: every station's facts under permanent unique keys,
// the stations, the staff and their sessions, and the data sets. Every error it
// returns is a *backend.Error with one of the codes named below, or an internal error
// (EINTERNAL) from the storage underneath.
//
// Every method takes first the caller's context, which carries its cancellation and
// deadline to the storage underneath (an HTTP request's, a command's). Once ctx is
// done a method may return the context's error (context.Canceled or
// context.DeadlineExceeded, not a *backend.Error) instead of doing its work; a method
// that changes the store then changes nothing. An implementation that cannot stop a
// read half-way may finish it.
type Store interface {
	// AddStation enrols a station called name and returns it with its secret, which
	// is shown once and kept only as a hash. Returns EINVALID for a name that is empty
	// or longer than 80 characters, ECONFLICT when a station that is not retired has
	// that name already.
	AddStation(ctx context.Context, name string) (*Station, string, error)

	// NewSecret gives the station with this id (or else this name) a new secret,
	// returned once: the old one stops working at once and the station's key binding
	// is cleared, so the next push binds it again. Returns ENOTFOUND for no such
	// station, ECONFLICT for a retired one.
	NewSecret(ctx context.Context, idOrName string) (*Station, string, error)

	// RetireStation ends the link of the station with this id (or else this name) for
	// good: its secret opens nothing and its name may be given again; what it sent
	// stays. Returns ENOTFOUND for no such station, ECONFLICT when it is retired
	// already.
	RetireStation(ctx context.Context, idOrName string) (*Station, error)

	// Stations returns every station, retired ones included, by name.
	Stations(ctx context.Context) ([]Station, error)

	// Authenticate returns the station whose id and secret these are. Returns
	// EUNAUTHORIZED for an unknown or retired station or a wrong secret.
	Authenticate(ctx context.Context, id, secret string) (*Station, error)

	// Ingest stores a push from station id under the permanent keys (station, seq)
	// and entry id and answers each entry: accepted, duplicate (a retry, or a record
	// held under another sequence), or rejected with a code (see the Reject* texts).
	// It returns only once the entries are durable. Returns EUNAUTHORIZED for an
	// unknown station, ECONFLICT when the push names another station key than the one
	// bound to this enrolment. When ctx is done before the push is stored, it stores
	// none of it and returns the context's error.
	Ingest(ctx context.Context, id string, req *Push) (*wire.PushResponse, error)

	// EachDay calls fn with each station's figures for every day from from to to
	// (YYYY-MM-DD, both included) that has any, in no set order (FiguresBuilder.Add
	// takes them so). d is fn's only until it returns (the store reads the next day
	// into it, Matters too): fn copies what it keeps. An error from fn, or the end of
	// ctx, stops the read and is returned. from after to gives none. It does not check
	// the dates (FiguresQuery.Check does, before).
	EachDay(ctx context.Context, from, to string, fn func(station, date string, d *DayStats) error) error

	// Entries returns the entries stored for station from sequence from on, in
	// sequence order, at most limit of them. An unknown station has none.
	Entries(ctx context.Context, station string, from uint64, limit int) ([]wire.Entry, error)

	// Campaigns returns every station's outreach campaign reports, of each part of
	// each campaign the latest stored (by sequence), in no set order
	// (MergeCampaigns joins the parts). Ingest keeps them: an outreach.campaign
	// entry replaces the one of the same part of a lower sequence.
	Campaigns(ctx context.Context) ([]Campaign, error)

	// Highest returns the highest sequence stored for each station that has entries,
	// by station id.
	Highest(ctx context.Context) (map[string]uint64, error)

	// EntryCount returns how many entries are stored for station and how many entry
	// ids the county holds in all: together they prove "exactly once".
	EntryCount(ctx context.Context, station string) (entries, ids int, err error)

	// AddUser creates a county staff account, or sets a new PIN for an existing one.
	// Returns EINVALID for a name that is empty or longer than 40 characters, or a PIN
	// the station's rules refuse.
	AddUser(ctx context.Context, name, pin string) error

	// Login checks name and PIN and returns a new session token. Returns
	// EUNAUTHORIZED for a wrong name or PIN, and for any PIN while the name is locked
	// after MaxPINFailures wrong ones (key "county.locked").
	Login(ctx context.Context, name, pin string) (string, error)

	// SessionUser returns the user of a session token. Returns EUNAUTHORIZED for no
	// token, an unknown one, or one whose session ended (SessionTTL, or Logout).
	SessionUser(ctx context.Context, token string) (string, error)

	// Logout ends the session of token; an unknown token is no error.
	Logout(ctx context.Context, token string) error

	// Import makes a file the next version of the named data set (see ParseDataset
	// for what each set accepts); by names who imported it. Returns ENOTFOUND for a
	// name other than catalog, registry or bookings, EINVALID for a file the
	// station's rules refuse, ECONFLICT when another import finished first or the
	// version is the current one's.
	Import(ctx context.Context, name, filename string, data []byte, by string) (*DatasetInfo, error)

	// CurrentDataset returns the ETag and content of the named data set's newest
	// version, or "" and nil when none was imported yet.
	CurrentDataset(ctx context.Context, name string) (etag string, body []byte, err error)

	// Datasets returns the current version of each data set that has one, in the
	// order of DatasetNames.
	Datasets(ctx context.Context) ([]DatasetInfo, error)
}

// BackupService makes and lists consistent copies of a county's database. It is apart
// from Store because how a copy is made belongs to the storage: the bbolt store copies
// its file. Its methods take the caller's context first, as Store's do.
type BackupService interface {
	// Backup makes a backup now and returns it, pruning old ones. Returns the
	// context's error when ctx ended first.
	Backup(ctx context.Context) (*BackupFile, error)

	// Backups returns the complete backups, newest first.
	Backups(ctx context.Context) ([]BackupFile, error)

	// LastBackup returns the newest backup, or nil when there is none.
	LastBackup(ctx context.Context) (*BackupFile, error)
}

// BackupFile is one backup of the county database.
type BackupFile struct {
	Path string    `json:"path"`
	At   time.Time `json:"at"`
	Size int64     `json:"size"`
}

// DefaultLocation is the county's time zone unless told otherwise: "today" on the
// dashboard follows it.
func DefaultLocation() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*60*60)
	}
	return loc
}

// Errorf returns a county error: a *backend.Error with code and message key.
func Errorf(code, key string, args ...any) error { return backend.Errorf(code, key, args...) }

// Invalid returns err as an EINVALID error with the same message: a station rule's
// refusal (a PIN, a catalog, a person) is the county's invalid input whatever its
// own code.
func Invalid(err error) error {
	var e *backend.Error
	if errors.As(err, &e) {
		return &backend.Error{Code: backend.EINVALID, Key: e.Key, Args: e.Args}
	}
	return Errorf(backend.EINVALID, "county.text", err.Error())
}

// Message returns err's English message, which the county's API, control socket and
// logs give: its users are staff at a desk who read the English of the original.
// Errors that are not *backend.Error give their own text.
func Message(err error) string {
	var e *backend.Error
	if errors.As(err, &e) {
		return e.Message("en")
	}
	return err.Error()
}
