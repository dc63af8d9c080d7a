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
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
	"bingzhan/backend/keys"
	"bingzhan/sync/agent"
	"bingzhan/sync/wire"
)

// openSync gives staff the sync panel and, on an enrolled station, starts the agent
// that pushes the outbox to the county. A station that is not enrolled stays offline
// without complaint; a broken enrolment is logged and the station works on. Call it
// last in Open: the agent reads the services wired before it.
func (m *Main) openSync(ctx context.Context) {
	m.Server.Sync = m.DB
	e, err := m.DB.Enrolment(ctx)
	if err != nil {
		m.Logger.Error("read enrolment; county sync off", "err", err)
		return
	}
	if e == nil {
		m.Logger.Debug("not enrolled with a county; sync off")
		return
	}
	cfg := agent.Config{
		Enrolment: *e, StationID: backend.StationID(m.Keys.Public()), Version: Version,
		Store: m.DB, References: m.references(), Logger: m.Logger,
	}
	syncTuning(&cfg)
	a, err := agent.New(cfg)
	if err != nil {
		m.Logger.Error("enrolment unusable; county sync off", "err", err)
		return
	}
	m.DB.OnOutbox = a.Nudge
	m.syncDone = make(chan struct{})
	go func() {
		defer close(m.syncDone)
		a.Run(ctx)
	}()
	m.Logger.Info("county sync on", "county", e.CountyURL, "station", e.StationID)
}

// syncTuning adjusts the agent's timing; tests shorten its waits from minutes to
// milliseconds. The defaults suit a rural line.
var syncTuning = func(*agent.Config) {}

// references are the county's data sets the station applies: the catalog and the
// registry, when the lookup area is wired.
func (m *Main) references() []agent.Reference {
	lk := m.Server.Lookup
	if lk == nil || lk.Catalog == nil || lk.Persons == nil {
		return nil
	}
	catalogVersion := func(ctx context.Context) (string, error) {
		c, err := lk.Catalog.Catalog(ctx)
		if err != nil {
			return "", err
		}
		return c.Version, nil
	}
	registryVersion := func(ctx context.Context) (string, error) {
		v, _, err := lk.Persons.Registry(ctx)
		return v, err
	}
	return []agent.Reference{
		agent.CatalogReference(catalogVersion, lk.Catalog.ReplaceCatalog),
		agent.RegistryReference(registryVersion, lk.Persons.ReplaceRegistry),
	}
}

// KindStationEnrolled is the outbox fact of an enrolment: the county learns which
// station key and program version joined under its station id.
const KindStationEnrolled = "station.enrolled"

type enrolledFact struct {
	CountyStationID string    `json:"county_station_id"`
	Version         string    `json:"version"`
	EnrolledAt      time.Time `json:"enrolled_at"`
}

// runEnrol applies an enrolment file: `bingzhan enrol FILE --data DIR`.
func runEnrol(ctx context.Context, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("bingzhan enrol", flag.ContinueOnError)
	data := fl.String("data", DefaultDataDir(), "data folder of the station")
	check := fl.Bool("check", true, "try the county at once and say whether it answers")
	var file string
	for {
		if err := fl.Parse(args); err != nil {
			return err
		}
		if fl.NArg() == 0 {
			break
		}
		if file != "" {
			return errors.New("usage: bingzhan enrol FILE --data DIR")
		}
		file, args = fl.Arg(0), fl.Args()[1:]
	}
	if file == "" {
		return errors.New("usage: bingzhan enrol FILE --data DIR")
	}
	buf, err := os.ReadFile(file)
	if err != nil {
		return backend.Errorf(backend.EINVALID, "sync.enrol_file", err.Error())
	}
	we, err := wire.ParseEnrolment(buf)
	if err != nil {
		return backend.Errorf(backend.EINVALID, "sync.enrol_file", err.Error())
	}
	k, err := keys.LoadOrCreate(filepath.Join(*data, "keys"))
	if err != nil {
		return err
	}
	db := bolt.NewDB(*data)
	if err := db.Open(); err != nil {
		return err
	}
	defer db.Close()
	e := backend.Enrolment{CountyURL: we.BaseURL(), StationID: we.StationID, StationName: we.StationName,
		Secret: we.Secret, CertPin: we.CertPin}
	if err := db.Enrol(ctx, e); err != nil {
		return err
	}
	stationKey := backend.StationID(k.Public())
	fact := enrolledFact{CountyStationID: we.StationID, Version: Version, EnrolledAt: db.Clock.Now().UTC()}
	if err := db.AppendFacts(ctx, stationKey, KindStationEnrolled, fact); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "enrolled as %q (%s) with the county at %s\n", we.StationName, we.StationID, e.CountyURL)
	if *check {
		a, err := agent.New(agent.Config{Enrolment: e, StationID: stationKey, Version: Version, Store: db,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), RetryMax: 1, AttemptTimeout: 10 * time.Second})
		if err != nil {
			return err
		}
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if _, err := a.PushOnce(cctx); err != nil {
			fmt.Fprintln(stdout, backend.ErrorMessage(agent.Describe(err), os.Getenv("LANG")))
		} else {
			fmt.Fprintln(stdout, "the county answered: sync works")
		}
	}
	fmt.Fprintln(stdout, "sync runs whenever bingzhan or bingzhan serve runs on this data folder")
	return nil
}
