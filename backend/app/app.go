// Package app is the station's composition root. It opens a data folder and builds
// from it every service, background job and the HTTP handler. Every mode and command of
// the station binary, and every test harness, opens a station through this package, so
// the program and its tests are wired by the same code. Nothing else builds services,
// and nothing reads a service back out of the HTTP adapter: the Station holds them.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
	"bingzhan/backend/event"
	bzhttp "bingzhan/backend/http"
	"bingzhan/backend/keys"
	"bingzhan/backend/qr"
	"bingzhan/backend/stationtls"
	"bingzhan/sync/agent"
)

// Options are what a caller chooses about a station beyond its data folder. The zero
// value runs a real station on config.json (or the defaults) and the machine's clock.
type Options struct {
	// Config replaces config.json; nil reads config.json in the data folder over the
	// defaults.
	Config *Config
	// Clock is the one clock of the station: the database, the API, every run loop and
	// the sync agent read and wait through it. Nil is the machine's clock.
	Clock backend.Clock
	// Logger receives the station's log; nil discards it.
	Logger *slog.Logger
	// Stdout receives what a person starting the station should read (demo accounts
	// and people to try, the listening address); nil discards it.
	Stdout io.Writer
	// Demo names the station as a demo and gives it tickets, a staff account and the
	// demo registry, so `make run` shows every screen at once.
	Demo bool
	// Assets are the built frontend files; nil serves the API alone.
	Assets fs.FS
	// Version is the program's version, told to clients and the county.
	Version string
	// Printer, when set, prints tickets instead of the printer named in the
	// configuration.
	Printer backend.Printer
	// SyncTuning adjusts the sync agent's configuration before it starts; tests use it
	// to point at a fault proxy or shorten retries. Nil keeps the defaults, which suit
	// a rural line.
	SyncTuning func(*agent.Config)
}

// Station is an open station: its data folder, keys, database and services. OpenData
// gives one for commands that act on a stopped station; Open also readies it, starts
// its background jobs and builds its HTTP API.
type Station struct {
	Dir      string
	Config   Config
	ID       string // the station's id: a digest of its public signing key
	Name     string // the station's name as shown to visitors
	Location *time.Location
	Clock    backend.Clock
	Logger   *slog.Logger
	Keys     *keys.Keys
	DB       *bolt.DB

	Tickets  *bolt.TicketService
	Services *bolt.ServiceService
	Calls    *bolt.CallService
	Counters *bolt.CounterService
	Accounts *bolt.StaffService
	Stats    *bolt.StatsService
	Catalog  *bolt.CatalogService
	Persons  *bolt.PersonService
	Visits   *bolt.VisitService
	Devices  *bolt.DeviceService
	Ratings  *bolt.RatingService
	// Appointments are the bookings checked in at the kiosk.
	Appointments *bolt.AppointmentService
	// Outreach is the work outside the lobby: visits, plaques, 喜报.
	Outreach *bolt.OutreachService
	Events   *event.Broker
	Printer  backend.Printer

	// Server is the HTTP API; set by Open, nil after OpenData.
	Server *bzhttp.Server

	opts      Options
	stdout    io.Writer
	link      countyLink // the sync agent; SyncAgent returns it
	cancel    context.CancelFunc
	jobs      sync.WaitGroup // background jobs, waited for before the file closes
	listeners []*http.Server
}

// OpenData opens the station in dir (keys, database, configuration) and builds its
// services, without readying the queue, starting jobs or serving anything: for
// commands such as `bingzhan staff add` that act on a station that is not running.
// A station running on dir holds the file: then it fails with ECONFLICT.
func OpenData(dir string, opts Options) (*Station, error) {
	st := &Station{Dir: dir, opts: opts, Clock: backend.ClockOrSystem(opts.Clock),
		Logger: opts.Logger, stdout: opts.Stdout}
	if st.Logger == nil {
		st.Logger = slog.New(slog.DiscardHandler)
	}
	if st.stdout == nil {
		st.stdout = io.Discard
	}
	if opts.Config != nil {
		st.Config = *opts.Config
		if err := st.Config.Validate(); err != nil {
			return nil, err
		}
	} else {
		cfg, err := LoadConfig(dir)
		if err != nil {
			return nil, err
		}
		st.Config = cfg
	}
	loc, err := time.LoadLocation(st.Config.TimeZone)
	if err != nil {
		return nil, err
	}
	st.Location = loc
	if st.Keys, err = keys.LoadOrCreate(filepath.Join(dir, "keys")); err != nil {
		return nil, err
	}
	cipher, err := st.Keys.Cipher()
	if err != nil {
		return nil, err
	}
	st.DB = bolt.NewDB(dir)
	st.DB.Logger, st.DB.Location, st.DB.BackupKeep = st.Logger, loc, st.Config.BackupKeep
	st.DB.Clock = st.Clock
	if err := st.DB.Open(); err != nil {
		return nil, err
	}
	st.ID = backend.StationID(st.Keys.Public())
	st.Name = st.Config.StationName
	if opts.Demo && st.Name == DefaultConfig().StationName {
		st.Name = "示范乡退役军人服务站"
	}

	st.Events = event.New()
	st.Tickets = bolt.NewTicketService(st.DB, st.Keys.Signing, st.Keys.PersonKey)
	st.Tickets.Publish = st.Events.Publish
	st.Services = bolt.NewServiceService(st.DB)
	st.Calls = bolt.NewCallService(st.DB, st.ID)
	st.Calls.Publish = st.Events.Publish
	st.Counters = bolt.NewCounterService(st.DB)
	st.Counters.Publish = st.Events.Publish
	st.Accounts = bolt.NewStaffService(st.DB)
	st.Stats = bolt.NewStatsService(st.DB)
	st.Catalog = bolt.NewCatalogService(st.DB, st.ID)
	st.Persons = bolt.NewPersonService(st.DB, st.ID, cipher, st.Keys.PersonKey)
	st.Visits = bolt.NewVisitService(st.DB, st.ID, cipher, st.Keys.PersonKey)
	st.Devices = bolt.NewDeviceService(st.DB)
	st.Ratings = bolt.NewRatingService(st.DB, st.ID)
	st.Ratings.Publish = st.Events.Publish
	st.Ratings.CaseDays = st.Config.RatingCaseDays
	if st.Ratings.Calendar, err = LoadCalendar(dir); err != nil {
		st.DB.Close()
		return nil, err
	}
	st.Appointments = bolt.NewAppointmentService(st.DB, st.ID, cipher, st.Tickets)
	st.Appointments.Publish = st.Events.Publish
	st.Appointments.Window = st.Config.CheckInWindow()
	st.Calls.AfterRollover = func(ctx context.Context) error {
		if _, err := st.Appointments.MarkMissed(ctx); err != nil {
			return err
		}
		// The county's outreach levels (households due, follow-ups overdue) move
		// with the day.
		_, err := st.Outreach.Summarize(ctx)
		return err
	}
	st.Visits.Persons = st.Persons
	st.Outreach = bolt.NewOutreachService(st.DB, st.ID, cipher, st.Persons, st.Visits)
	st.Outreach.Rules = st.outreachRules
	st.Outreach.RetentionDays = st.Config.OutreachRetentionDays
	st.Visits.RetentionDays = st.Config.LedgerRetentionDays
	if st.Printer = opts.Printer; st.Printer == nil {
		if st.Printer, err = OpenPrinter(st.Config); err != nil {
			st.DB.Close()
			return nil, err
		}
	}
	return st, nil
}

// Open opens the station in dir and makes it ready to serve: the queue readied
// (counters, yesterday's open tickets expired), the ledger's index built, the demo
// seeded when asked, the HTTP API built, and the background jobs started — backups,
// the midnight roll-over, the daily report files, the ledger's purge and, on an
// enrolled station, the county sync. Close stops them all.
func Open(ctx context.Context, dir string, opts Options) (*Station, error) {
	st, err := OpenData(dir, opts)
	if err != nil {
		return nil, err
	}
	if err := st.ready(ctx); err != nil {
		st.DB.Close()
		return nil, err
	}
	st.Server = &bzhttp.Server{
		Station: bzhttp.Station{
			ID: st.ID, Name: st.Name, PublicKey: st.Keys.Public(), Location: st.Location,
			IdleWarning:   time.Duration(st.Config.IdleWarningS) * time.Second,
			IdleCountdown: time.Duration(st.Config.IdleCountdownS) * time.Second,
			Languages:     st.Config.Languages,
			CheckIn:       st.Config.CheckInWindow(),
		},
		Tickets: st.Tickets, Services: st.Services, Printer: st.Printer,
		Lookup: &bzhttp.Lookup{Catalog: st.Catalog, Persons: st.Persons},
		Staff: &bzhttp.Staff{Accounts: st.Accounts, Counters: st.Counters, Calls: st.Calls,
			Stats: st.Stats, Events: st.Events},
		Ledger: &bzhttp.Ledger{Visits: st.Visits, RetentionDays: st.Config.LedgerRetentionDays},
		Sync:   st.DB, Enrolment: st, Devices: st.Devices, Ratings: st.Ratings, Appointments: st.Appointments, Outreach: st.Outreach, QRImage: qr.Image, QRPNG: qr.PNG,
		Assets: opts.Assets, Logger: st.Logger, Version: opts.Version, Clock: st.Clock,
	}
	ctx, st.cancel = context.WithCancel(context.WithoutCancel(ctx))
	st.startJobs(ctx)
	return st, nil
}

// ready brings the stored data up to what serving needs. It runs once per start,
// before the API exists.
func (st *Station) ready(ctx context.Context) error {
	if st.opts.Demo {
		if err := st.seedDemoTickets(ctx); err != nil {
			return err
		}
	}
	if err := st.Calls.Init(ctx); err != nil {
		return fmt.Errorf("ready counters: %w", err)
	}
	if st.opts.Demo {
		if err := st.seedDemoStaff(ctx); err != nil {
			return err
		}
		if err := st.seedDemoAppointments(ctx); err != nil {
			return err
		}
	}
	// A catalog that no longer parses stops the lookup, not the station: tickets still
	// work, and the error is logged for staff.
	if _, err := st.Catalog.Catalog(ctx); err != nil {
		st.Logger.Error("entitlement catalog unusable; lookups will answer 'ask at the counter'", "err", err)
	}
	if st.opts.Demo {
		if err := st.seedDemoRegistry(ctx); err != nil {
			return err
		}
	}
	if st.opts.Demo {
		// The demo registry came after the start's summary.
		if _, err := st.Outreach.Summarize(ctx); err != nil {
			return err
		}
	}
	start := st.Clock.Now()
	if err := st.Visits.Init(ctx); err != nil {
		return err
	}
	st.Logger.Debug("ledger index built", "ms", st.Clock.Since(start).Milliseconds())
	// The integrity check and the index read every page of the file; serving reads a
	// few at a time.
	st.DB.ReleaseMapped()
	return nil
}

// purgeInterval is how often the ledger's retention purge runs; it also runs at start,
// so a station switched off at night still purges once a day.
const purgeInterval = 24 * time.Hour

// startJobs starts the station's background jobs; each runs until ctx ends.
func (st *Station) startJobs(ctx context.Context) {
	st.jobs.Go(func() { st.Calls.RunRollover(ctx) })
	st.jobs.Go(func() { st.runReportArchive(ctx) })
	st.jobs.Go(func() { st.Visits.RunPurge(ctx, purgeInterval) })
	st.jobs.Go(func() { st.Outreach.RunPurge(ctx, purgeInterval) })
	st.startSync(ctx) // after the services it reads: catalog, registry, outbox
	st.jobs.Go(func() { st.DB.RunBackups(ctx, time.Duration(st.Config.BackupIntervalH)*time.Hour) })
}

// Handler returns the station's API and frontend, as served on the LAN.
func (st *Station) Handler() http.Handler { return st.Server.Handler() }

// Listen serves the UI and API on addr until Close and returns the bound address:
// over HTTPS with the station's own certificate when the configuration says tls, so
// PINs and sessions do not cross the LAN in plain text; a browser that comes to the
// same port in plain HTTP is sent to HTTPS.
func (st *Station) Listen(addr string) (net.Addr, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	scheme := "http"
	if st.Config.TLS {
		a, err := stationtls.Open(st.Dir, stationtls.Hosts(lis.Addr().String()), st.Clock.Now)
		if err != nil {
			lis.Close()
			return nil, fmt.Errorf("the station's certificate: %w", err)
		}
		st.Server.TLS.Store(a)
		lis = stationtls.Listen(lis, a.TLSConfig())
		scheme = "https"
		fmt.Fprintf(st.stdout, "HTTPS with the station's own certificate authority, %s (fingerprint %s):\n"+
			"  staff PCs and the TV trust it once; the staff console offers it (站务设置 → 安全)\n",
			filepath.Join(st.Dir, stationtls.CAFile), a.Fingerprint())
	}
	st.serve(lis, st.Handler())
	fmt.Fprintf(st.stdout, "listening on %s://%s\n", scheme, lis.Addr())
	return lis.Addr(), nil
}

// ListenBoard serves the lobby board alone on addr over plain HTTP, for a TV that
// cannot trust the station's CA; nothing else answers there.
func (st *Station) ListenBoard(addr string) (net.Addr, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	st.serve(lis, st.Server.BoardHandler())
	fmt.Fprintf(st.stdout, "lobby board only on http://%s/board\n", lis.Addr())
	return lis.Addr(), nil
}

// serve serves h on lis until Close.
func (st *Station) serve(lis net.Listener, h http.Handler) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(st.Logger.Handler(), slog.LevelDebug), // browsers that do not trust the CA yet
	}
	st.listeners = append(st.listeners, srv)
	go func() {
		if err := srv.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			st.Logger.Error("http server stopped", "addr", lis.Addr().String(), "err", err)
		}
	}()
}

// Close stops the listeners and background jobs, then closes the database. It may be
// called on a station from OpenData too.
func (st *Station) Close() error {
	if st.cancel != nil {
		st.cancel()
	}
	for _, srv := range st.listeners {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		srv.Shutdown(ctx)
		cancel()
	}
	st.link.close()
	st.jobs.Wait()
	return st.DB.Close()
}

// outreachRules are the current catalog's outreach rules, with the catalog's
// category tree (a household of a VET_COMBAT veteran is a VETERAN's too); the
// defaults when the catalog cannot be read.
func (st *Station) outreachRules(ctx context.Context) (backend.OutreachRules, func(code, group string) bool) {
	c, err := st.Catalog.Catalog(ctx)
	if err != nil {
		st.Logger.Warn("outreach rules: catalog not readable, using the defaults", "err", err)
		return backend.DefaultOutreachRules, func(string, string) bool { return false }
	}
	return c.Rules(), c.CategoryIncludes
}
