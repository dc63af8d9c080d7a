package app

import (
	"context"
	"io"
	"log/slog"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/agent"
	"bingzhan/sync/wire"
)

// startSync starts the agent that pushes the outbox to the county, on an enrolled
// station. A station that is not enrolled stays offline without complaint; a broken
// enrolment is logged and the station works on.
func (st *Station) startSync(ctx context.Context) {
	e, err := st.DB.Enrolment(ctx)
	if err != nil {
		st.Logger.Error("read enrolment; county sync off", "err", err)
		return
	}
	if e == nil {
		st.Logger.Debug("not enrolled with a county; sync off")
		return
	}
	state, err := st.DB.SyncState(ctx)
	if err != nil {
		st.Logger.Error("read sync state; county sync starts at the first address", "err", err)
	}
	cfg := agent.Config{
		Enrolment: *e, LastCounty: state.County, StationID: st.ID, Version: st.opts.Version,
		Store: st.DB, References: st.references(), Logger: st.Logger, Clock: st.Clock,
	}
	if st.opts.SyncTuning != nil {
		st.opts.SyncTuning(&cfg)
	}
	a, err := agent.New(cfg)
	if err != nil {
		st.Logger.Error("enrolment unusable; county sync off", "err", err)
		return
	}
	st.Agent = a
	st.DB.OnOutbox = a.Nudge
	st.jobs.Go(func() { a.Run(ctx) })
	st.Logger.Info("county sync on", "county", a.County(), "counties", e.Counties(), "station", e.StationID)
}

// references are the county's data sets the station applies: the catalog and the
// registry.
func (st *Station) references() []agent.Reference {
	catalogVersion := func(ctx context.Context) (string, error) {
		c, err := st.Catalog.Catalog(ctx)
		if err != nil {
			return "", err
		}
		return c.Version, nil
	}
	registryVersion := func(ctx context.Context) (string, error) {
		v, _, err := st.Persons.Registry(ctx)
		return v, err
	}
	return []agent.Reference{
		agent.CatalogReference(catalogVersion, st.Catalog.ReplaceCatalog),
		agent.RegistryReference(registryVersion, st.Persons.ReplaceRegistry),
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

// Enrol applies an enrolment file's contents to the station: its county, credentials
// and certificate pin, and an outbox fact that tells the county who joined. A file
// that does not parse is refused with EINVALID and changes nothing.
func (st *Station) Enrol(ctx context.Context, file []byte) (backend.Enrolment, error) {
	we, err := wire.ParseEnrolment(file)
	if err != nil {
		return backend.Enrolment{}, backend.Errorf(backend.EINVALID, "sync.enrol_file", err.Error())
	}
	e := backend.Enrolment{CountyURL: we.BaseURL(), StationID: we.StationID, StationName: we.StationName,
		Secret: we.Secret, CertPin: we.CertPin}
	if urls := we.URLs(); len(urls) > 1 {
		e.CountyURLs = urls
	}
	if err := st.DB.Enrol(ctx, e); err != nil {
		return e, err
	}
	fact := enrolledFact{CountyStationID: we.StationID, Version: st.opts.Version, EnrolledAt: st.Clock.Now().UTC()}
	if err := st.DB.AppendFacts(ctx, st.ID, KindStationEnrolled, fact); err != nil {
		return e, err
	}
	return e, nil
}

// CheckCounty pushes once to the county of enrolment e and says whether
// it answered: for `bingzhan enrol`, so the person enrolling learns at once.
func (st *Station) CheckCounty(ctx context.Context, e backend.Enrolment) error {
	a, err := agent.New(agent.Config{Enrolment: e, StationID: st.ID, Version: st.opts.Version, Store: st.DB,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), RetryMax: 1, AttemptTimeout: 10 * time.Second,
		Clock: st.Clock})
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	_, err = a.PushOnce(cctx)
	return err
}
