package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/agent"
	"bingzhan/sync/wire"
)

// countyLink runs the station's one sync agent: one push in flight, ever. It starts
// with the station when the station is enrolled, and again with the new credentials
// when an admin enrols the running station; Close stops it for good.
type countyLink struct {
	mu     sync.Mutex
	ctx    context.Context // the station's background jobs; nil on a station from OpenData
	closed bool
	agent  atomic.Pointer[agent.Agent] // read without the lock: every outbox commit nudges it
	stop   context.CancelFunc
	done   chan struct{}
}

// nudge tells the running agent, if there is one, that the outbox has new entries.
func (l *countyLink) nudge() {
	if a := l.agent.Load(); a != nil {
		a.Nudge()
	}
}

// stopLocked stops the running agent and waits until it has returned, so nothing it
// was doing outlives its credentials.
func (l *countyLink) stopLocked() {
	if l.stop == nil {
		return
	}
	l.stop()
	<-l.done
	l.stop, l.done = nil, nil
	l.agent.Store(nil)
}

// close stops the agent; nothing starts it again.
func (l *countyLink) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	l.stopLocked()
}

// SyncAgent returns the agent that pushes to the county now, or nil when the
// station is not enrolled (or not open).
func (st *Station) SyncAgent() *agent.Agent { return st.link.agent.Load() }

// startSync starts the county link with the station's jobs on ctx: the agent runs
// from now on whenever the station is enrolled.
func (st *Station) startSync(ctx context.Context) {
	st.link.mu.Lock()
	defer st.link.mu.Unlock()
	st.link.ctx = ctx
	st.DB.OnOutbox = st.link.nudge
	st.startAgentLocked()
}

// startAgentLocked starts the agent that pushes the outbox to the county, from the
// enrolment stored now. A station that is not enrolled stays offline without
// complaint; a broken enrolment is logged and the station works on.
func (st *Station) startAgentLocked() {
	l := &st.link
	if l.ctx == nil || l.closed || l.ctx.Err() != nil {
		return
	}
	ctx := l.ctx
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
	actx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	l.stop, l.done = stop, done
	l.agent.Store(a)
	go func() {
		defer close(done)
		a.Run(actx)
	}()
	st.Logger.Info("county sync on", "county", a.County(), "counties", e.Counties(), "station", e.StationID)
}

// references are the county's data sets the station applies: the catalog, the
// registry and the bookings the county made here.
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
		agent.BookingsReference(st.Appointments.CountyBookingsVersion, st.Appointments.ApplyCountyBookings),
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
// and certificate pin, and an outbox fact that tells the county who joined. On a
// running station the agent stops first, so no push is in flight while the
// credentials change, and starts again on what is then stored: the new enrolment, or
// the old one if storing failed. A file that does not parse is refused with EINVALID
// and changes nothing, the running agent included. It implements
// backend.EnrolService for the console; `bingzhan enrol` calls it on a stopped
// station.
func (st *Station) Enrol(ctx context.Context, file []byte) (backend.Enrolment, error) {
	we, err := wire.ParseEnrolment(file)
	if err != nil {
		return backend.Enrolment{}, enrolError(we, err)
	}
	e := backend.Enrolment{CountyURL: we.BaseURL(), StationID: we.StationID, StationName: we.StationName,
		Secret: we.Secret, CertPin: we.CertPin}
	if urls := we.URLs(); len(urls) > 1 {
		e.CountyURLs = urls
	}
	st.link.mu.Lock()
	defer st.link.mu.Unlock()
	st.link.stopLocked()
	defer st.startAgentLocked()
	if err := st.DB.Enrol(ctx, e); err != nil {
		return e, err
	}
	fact := enrolledFact{CountyStationID: we.StationID, Version: st.opts.Version, EnrolledAt: st.Clock.Now().UTC()}
	if err := st.DB.AppendFacts(ctx, st.ID, KindStationEnrolled, fact); err != nil {
		return e, err
	}
	return e, nil
}

// enrolError says what is wrong with enrolment file we, as ParseEnrolment read it,
// in words its reader can act on: the wrong file chosen, a file from a newer county
// program, or what in it is malformed. The file's secret is never part of it.
func enrolError(we *wire.Enrolment, err error) error {
	switch {
	case errors.Is(err, wire.ErrNewerFormat) && we != nil:
		return backend.Errorf(backend.EINVALID, "sync.enrol_newer", we.Format)
	case errors.Is(err, wire.ErrNotEnrolment), errors.Is(err, wire.ErrNewerFormat):
		return backend.Errorf(backend.EINVALID, "sync.enrol_not_file")
	}
	return backend.Errorf(backend.EINVALID, "sync.enrol_file", err.Error())
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
