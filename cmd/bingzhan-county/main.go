// Command bingzhan-county is the county server: it receives every station's facts,
// publishes the catalog and registry county staff import, and shows which stations are
// behind. `bingzhan-county serve` runs it (and backs its database up daily);
// `station add` and `user add` prepare it; `backup` makes a backup now.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/gctune"
	"bingzhan/backend/report"
	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	"bingzhan/sync/county/control"
	countyhttp "bingzhan/sync/county/http"
	"bingzhan/sync/county/postgres"
	"bingzhan/sync/wire"
)

// Version and Commit are set at build time (the Makefile's VERSION and the commit
// it was built from) with -ldflags "-X main.Version=… -X main.Commit=…".
var (
	Version = "dev"
	Commit  = ""
)

func main() {
	gctune.Apply(gctune.CountyLimit)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "bingzhan-county:", err)
		}
		os.Exit(1)
	}
}

// Main is the county server as one running program: its store, HTTP server, control
// socket and backup loop, wired from one set of options. `serve` and the tests both
// use it: set the fields, then Open, Run until the context ends, and Close.
type Main struct {
	// DataDir holds the database, its backups and the county's own certificate.
	DataDir string
	// DB, when set, is the PostgreSQL database to use instead of the one in DataDir,
	// which then keeps only the county's keys, certificate and backups. DBRead is a
	// replica of it for the dashboard and figures.
	DB, DBRead string
	// Addr is where to listen (HOST:PORT; port 0 picks one).
	Addr string
	// PublicURLs are the addresses stations are told to use, in the order they try
	// them (one per county server on this database); none names the listener.
	PublicURLs []string
	// Cert is the certificate to serve; nil serves plain HTTP.
	Cert *tls.Certificate
	// BackupKeep and BackupEvery are how many backups to keep and the time between
	// them.
	BackupKeep  int
	BackupEvery time.Duration
	// Clock is the county's one clock: the store, its backup loop and the dashboard
	// all read it. nil is the machine's clock.
	Clock   backend.Clock
	Logger  *slog.Logger
	Version string

	// Set by Open.
	Store   county.Store
	Backups county.BackupService
	Server  *countyhttp.Server
	URL     string // scheme://address the server listens on

	closeStore func() error

	lis net.Listener
	hs  *http.Server
}

// NewMain returns a Main with the defaults of `serve`.
func NewMain() *Main {
	return &Main{DataDir: "county-data", Addr: "0.0.0.0:8443", BackupKeep: countybolt.DefaultBackupKeep,
		BackupEvery: 24 * time.Hour, Logger: slog.Default(), Version: Version}
}

// Open opens the store and starts listening; Run then serves.
func (m *Main) Open(ctx context.Context) error {
	m.Clock = backend.ClockOrSystem(m.Clock)
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	store, err := openStore(ctx, m.DataDir, storeOptions{DB: m.DB, DBRead: m.DBRead, Clock: m.Clock, Logger: m.Logger, BackupKeep: m.BackupKeep})
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", m.Addr)
	if err != nil {
		store.Close()
		return fmt.Errorf("listen on %s: %w", m.Addr, err)
	}
	m.Store, m.Backups, m.closeStore = store.Store, store.Backups, store.Close
	m.Server = &countyhttp.Server{Store: store, Backups: store.Backups, Clock: m.Clock, Location: store.Location,
		Logger: m.Logger, Version: m.Version, PublicURLs: m.PublicURLs, BackupEvery: m.BackupEvery}
	scheme := "http"
	if m.Cert != nil {
		scheme = "https"
		m.Server.CertPin = wire.SPKIPin(m.Cert.Leaf)
		lis = tls.NewListener(lis, &tls.Config{Certificates: []tls.Certificate{*m.Cert}, MinVersion: tls.VersionTLS12})
	}
	m.lis, m.URL = lis, scheme+"://"+lis.Addr().String()
	if len(m.Server.PublicURLs) == 0 {
		m.Server.PublicURLs = []string{scheme + "://" + defaultHost(lis.Addr())}
	}
	m.hs = &http.Server{
		Handler:           m.Server.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelDebug),
	}
	return nil
}

// Run serves until ctx ends, with the backup loop and the control socket beside the
// HTTP server, and returns once a backup being written has ended.
func (m *Main) Run(ctx context.Context) error {
	bg, stopBG := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if m.BackupEvery > 0 {
		wg.Go(func() { county.RunBackups(bg, m.Clock, m.Backups, m.BackupEvery, m.Logger) })
	}
	// Commands reach a bbolt county through its control socket, since the file is
	// locked; on PostgreSQL they use the database, and servers sharing one folder
	// would fight over the socket.
	if m.DB == "" {
		wg.Go(func() {
			cs := &control.Server{Store: m.Store, Backups: m.Backups, Clock: m.Clock, Logger: m.Logger}
			if err := cs.Serve(bg, m.DataDir); err != nil {
				m.Logger.Warn("control socket unavailable: `bingzhan-county backup`, `user add` and `station add` cannot reach this server (stop it to run them); daily backups still run", "err", err)
			}
		})
	}
	defer wg.Wait()
	defer stopBG()
	errc := make(chan error, 1)
	go func() { errc <- m.hs.Serve(m.lis) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return m.hs.Shutdown(shut)
}

// Close closes the listener (when Run did not) and the store.
func (m *Main) Close() error {
	if m.lis != nil {
		m.lis.Close()
	}
	if m.closeStore != nil {
		return m.closeStore()
	}
	return nil
}

func runServe(ctx context.Context, args []string, stdout io.Writer) error {
	m := NewMain()
	fl, tf, verbose := serveFlags(m)
	if err := fl.Parse(args); err != nil {
		return err
	}
	if m.BackupKeep < 1 || m.BackupEvery < time.Minute && !(m.DB != "" && m.BackupEvery == 0) {
		return errors.New("--backup-keep must be at least 1 and --backup-every at least 1m (or 0 with --db: no dumps by this server)")
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cert, err := tf.certificate(m.DataDir, backend.ClockOrSystem(m.Clock).Now())
	if err != nil {
		return err
	}
	m.Cert = cert
	if m.DBRead != "" && m.DB == "" {
		return errors.New("--db-read needs --db")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	fmt.Fprintf(stdout, "listening on %s\n", m.URL)
	if cert != nil {
		fmt.Fprintf(stdout, "certificate pin %s\n", m.Server.CertPin)
	}
	if m.BackupEvery > 0 {
		fmt.Fprintf(stdout, "backups every %v into %s (keeping %d)\n", m.BackupEvery, filepath.Join(m.DataDir, countybolt.BackupDirName), m.BackupKeep)
	} else {
		fmt.Fprintln(stdout, "this server makes no backups (--backup-every 0): back the database up with pg_dump or continuous archiving")
	}
	return m.Run(ctx)
}

// serveFlags are the flags of `serve`, setting m's fields.
func serveFlags(m *Main) (fl *flag.FlagSet, tf tlsFlags, verbose *bool) {
	fl = flag.NewFlagSet("bingzhan-county serve", flag.ContinueOnError)
	fl.StringVar(&m.Addr, "addr", m.Addr, "address to listen on (HOST:PORT; port 0 picks one)")
	fl.StringVar(&m.DataDir, "data", m.DataDir, "data folder: the database (without --db), the county's keys, certificate and backups")
	fl.StringVar(&m.DB, "db", os.Getenv(EnvDB), "PostgreSQL database (postgres://…) to use instead of the database in --data; default $"+EnvDB)
	fl.StringVar(&m.DBRead, "db-read", "", "a PostgreSQL replica of --db for the dashboard and figures")
	fl.Var((*urlList)(&m.PublicURLs), "url", "address stations should use, for enrolment files made on the dashboard; "+
		"repeat it for each county server on this database, in the order stations should try them")
	verbose = fl.Bool("v", false, "log at debug level")
	fl.IntVar(&m.BackupKeep, "backup-keep", m.BackupKeep, "how many daily backups to keep in DATA/backups")
	fl.DurationVar(&m.BackupEvery, "backup-every", m.BackupEvery, "time between backups of the database")
	tf = addTLSFlags(fl)
	return fl, tf, verbose
}

// defaultHost names the listener for enrolment files: its host, or this machine's name
// when it listens on every address.
func defaultHost(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			host = h
		}
	}
	return net.JoinHostPort(host, port)
}

// openedStore is an open county store with its backups.
type openedStore struct {
	county.Store
	Backups  county.BackupService
	Location *time.Location
	Close    func() error
}

// storeOptions are how a command opens the county store.
type storeOptions struct {
	// DB is a PostgreSQL URL; "" is the bbolt database in the data folder. DBRead, when
	// set, is a replica that the dashboard and figures read from.
	DB, DBRead string
	Clock      backend.Clock
	Logger     *slog.Logger // nil: discard
	// BackupKeep is how many backups Backup keeps; 0 keeps every one (a copy made by
	// hand never deletes one the server chose to keep).
	BackupKeep int
}

// openStore opens the county database: the bbolt one in dir, or with opt.DB the
// PostgreSQL one, whose keys and backups are in dir.
func openStore(ctx context.Context, dir string, opt storeOptions) (*openedStore, error) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.DB != "" {
		return openPostgres(ctx, dir, opt)
	}
	s, err := countybolt.Open(dir, countybolt.Options{ReadSheet: report.ParseSheet, Clock: opt.Clock, Logger: opt.Logger})
	if err != nil {
		return nil, err
	}
	s.BackupKeep = opt.BackupKeep
	return &openedStore{Store: s, Backups: s, Location: s.Location(), Close: s.Close}, nil
}

// openPostgres opens the PostgreSQL county opt.DB, its schema made or brought up to date
// first.
func openPostgres(ctx context.Context, dir string, opt storeOptions) (*openedStore, error) {
	if !strings.HasPrefix(opt.DB, "postgres://") && !strings.HasPrefix(opt.DB, "postgresql://") {
		return nil, errors.New("--db must be a postgres:// URL, such as postgres://bingzhan@localhost/bingzhan_county")
	}
	s, err := postgres.Open(ctx, opt.DB, dir, postgres.Options{ReadURL: opt.DBRead, ReadSheet: report.ParseSheet, Clock: opt.Clock, Logger: opt.Logger})
	if err != nil {
		return nil, err
	}
	dumps := &postgres.Dumps{URL: opt.DB, Dir: filepath.Join(dir, countybolt.BackupDirName), Keep: opt.BackupKeep, Clock: opt.Clock, Logger: opt.Logger}
	return &openedStore{Store: s, Backups: dumps, Location: s.Location(), Close: s.Close}, nil
}
