// Command bingzhan is the station program: the kiosk window by default, or
// `bingzhan serve` for staff PCs, the lobby TV and headless tests. main only wires
// packages together and picks the mode.
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // stations may run on systems without a zoneinfo database

	"bingzhan/backend"
	"bingzhan/backend/bolt"
	"bingzhan/backend/gctune"
	bzhttp "bingzhan/backend/http"
	"bingzhan/backend/keys"
	"bingzhan/backend/qr"
)

//go:embed all:frontend/dist
var embedded embed.FS

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

func main() {
	gctune.Apply()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "bingzhan:", backend.ErrorMessage(err, os.Getenv("LANG")))
			var e *backend.Error
			if !errors.As(err, &e) {
				fmt.Fprintln(os.Stderr, "  ", err)
			}
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	cmd := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "":
		return runWindow(ctx, args, stdout)
	case "serve":
		return runServe(ctx, args, stdout)
	case "printer-test":
		return runPrinterTest(ctx, args, stdout)
	case "staff":
		return runStaff(ctx, args, stdout)
	case "enrol":
		return runEnrol(ctx, args, stdout)
	case "demo":
		return runDemo(ctx, args, stdout)
	case "keys":
		return runKeys(ctx, args, stdout)
	case "version":
		fmt.Fprintln(stdout, "bingzhan", Version)
		return nil
	default:
		return fmt.Errorf("unknown command %q; commands: serve, staff, keys, demo, enrol, printer-test, version (no command opens the kiosk window)", cmd)
	}
}

// stationFlags are the flags every station mode takes.
type stationFlags struct {
	data          *string
	demo          *bool
	printer       *string
	idleWarning   *time.Duration
	idleCountdown *time.Duration
	verbose       *bool
}

func addStationFlags(fl *flag.FlagSet) stationFlags {
	return stationFlags{
		data:          fl.String("data", DefaultDataDir(), "data folder: database, keys, backups, config.json"),
		demo:          fl.Bool("demo", false, "name the station as a demo and put a few tickets in the queue"),
		printer:       fl.String("printer", "", "ticket printer: tcp://host:9100 or a device path (overrides config.json)"),
		idleWarning:   fl.Duration("idle-warning", 0, "kiosk idle time before the 'still there?' warning (overrides config.json)"),
		idleCountdown: fl.Duration("idle-countdown", 0, "time the warning waits before clearing the screen (overrides config.json)"),
		verbose:       fl.Bool("v", false, "log every API request"),
	}
}

// newMain loads the configuration for the parsed flags.
func (f stationFlags) newMain(stdout io.Writer) (*Main, error) {
	cfg, err := LoadConfig(*f.data)
	if err != nil {
		return nil, err
	}
	if *f.printer != "" {
		cfg.Printer = *f.printer
	}
	if *f.idleWarning > 0 {
		cfg.IdleWarningS = int(max(*f.idleWarning/time.Second, 1))
	}
	if *f.idleCountdown > 0 {
		cfg.IdleCountdownS = int(max(*f.idleCountdown/time.Second, 1))
	}
	level := slog.LevelInfo
	if *f.verbose {
		level = slog.LevelDebug
	}
	m := NewMain(*f.data, cfg)
	m.Demo = *f.demo
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	m.Stdout = stdout
	return m, nil
}

func runServe(ctx context.Context, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("bingzhan serve", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:8080", "address to serve the UI and API on (HOST:PORT; port 0 picks one)")
	sf := addStationFlags(fl)
	if err := fl.Parse(args); err != nil {
		return err
	}
	m, err := sf.newMain(stdout)
	if err != nil {
		return err
	}
	return serveUntilDone(ctx, m, *addr)
}

// Main is the running station: open it on a data folder, serve, close. Tests start it
// on a temp folder and port 0.
type Main struct {
	DataDir string
	Config  Config
	Demo    bool
	Logger  *slog.Logger
	Stdout  io.Writer

	DB      *bolt.DB
	Keys    *keys.Keys
	Tickets *bolt.TicketService
	Server  *bzhttp.Server

	listeners []*http.Server
	cancel    context.CancelFunc
	jobs      sync.WaitGroup // background jobs (backups), waited for before the file closes
	syncDone  chan struct{}  // closed when the sync agent has stopped
}

// NewMain returns a Main for dataDir with cfg.
func NewMain(dataDir string, cfg Config) *Main {
	return &Main{DataDir: dataDir, Config: cfg, Logger: slog.Default(), Stdout: io.Discard}
}

// Open opens the database and keys, wires the services and starts background jobs.
func (m *Main) Open(ctx context.Context) error {
	loc, err := time.LoadLocation(m.Config.TimeZone)
	if err != nil {
		return err
	}
	if m.Keys, err = keys.LoadOrCreate(filepath.Join(m.DataDir, "keys")); err != nil {
		return err
	}
	if m.Keys.Rotating() {
		m.Logger.Warn("a data key rotation is unfinished; the station works on both keys until `bingzhan keys rotate` is run again")
	}
	m.DB = bolt.NewDB(m.DataDir)
	m.DB.Logger = m.Logger
	m.DB.Location = loc
	m.DB.BackupKeep = m.Config.BackupKeep
	if err := m.DB.Open(); err != nil {
		return err
	}
	m.Tickets = bolt.NewTicketService(m.DB, m.Keys.Signing, m.Keys.PersonKey)
	services := bolt.NewServiceService(m.DB)

	printer, err := openPrinter(m.Config)
	if err != nil {
		m.DB.Close()
		return err
	}
	dist, err := fs.Sub(embedded, "frontend/dist")
	if err != nil {
		m.DB.Close()
		return err
	}
	name := m.Config.StationName
	if m.Demo && name == DefaultConfig().StationName {
		name = "示范乡退役军人服务站"
	}
	m.Server = &bzhttp.Server{
		Station: bzhttp.Station{
			ID: backend.StationID(m.Keys.Public()), Name: name, PublicKey: m.Keys.Public(), Location: loc,
			IdleWarning:   time.Duration(m.Config.IdleWarningS) * time.Second,
			IdleCountdown: time.Duration(m.Config.IdleCountdownS) * time.Second,
		},
		Tickets: m.Tickets, Services: services, Printer: printer,
		QRImage: qr.Image, QRPNG: qr.PNG,
		Assets: dist, Logger: m.Logger, Version: Version,
	}
	if m.Demo {
		if err := m.seedDemo(ctx); err != nil {
			m.DB.Close()
			return err
		}
	}

	ctx, m.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := m.openStaff(ctx); err != nil {
		m.cancel()
		m.DB.Close()
		return err
	}
	if err := m.openLookup(ctx); err != nil {
		m.cancel()
		m.DB.Close()
		return err
	}
	if err := m.openLedger(ctx); err != nil {
		m.cancel()
		m.DB.Close()
		return err
	}
	m.openSync(ctx) // last: the agent reads the services wired above
	m.jobs.Go(func() { m.DB.RunBackups(ctx, time.Duration(m.Config.BackupIntervalH)*time.Hour) })
	return nil
}

// Listen serves the UI and API on addr until Close and returns the bound address.
func (m *Main) Listen(addr string) (net.Addr, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           m.Server.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	m.listeners = append(m.listeners, srv)
	go func() {
		if err := srv.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("http server stopped", "addr", lis.Addr().String(), "err", err)
		}
	}()
	fmt.Fprintf(m.Stdout, "listening on http://%s\n", lis.Addr())
	return lis.Addr(), nil
}

// Close stops the listeners and background jobs, then closes the database.
func (m *Main) Close() error {
	if m.cancel != nil {
		m.cancel()
	}
	for _, srv := range m.listeners {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		srv.Shutdown(ctx)
		cancel()
	}
	if m.syncDone != nil {
		<-m.syncDone
	}
	m.jobs.Wait()
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}

// seedDemo puts a few waiting tickets in today's queues of a demo station, so the
// kiosk shows realistic "people ahead" figures. The request ids carry the date, so a
// restart the same day adds nothing.
func (m *Main) seedDemo(ctx context.Context) error {
	day := time.Now().In(m.DB.Location).Format("20060102")
	for i, svc := range []string{"B", "B", "A", "D", "B", "C"} {
		req := backend.IssueRequest{Service: svc, Priority: i == 4, RequestID: fmt.Sprintf("demo-%s-%d", day, i)}
		if _, err := m.Tickets.IssueTicket(ctx, req); err != nil {
			return fmt.Errorf("demo tickets: %w", err)
		}
	}
	return nil
}
