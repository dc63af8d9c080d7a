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
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // stations may run on systems without a zoneinfo database

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/backend/gctune"
)

//go:embed all:frontend/dist
var embedded embed.FS

// Version and Commit are set at build time (the Makefile's VERSION and the commit
// it was built from) with -ldflags "-X main.Version=… -X main.Commit=…".
var (
	Version = "dev"
	Commit  = ""
)

func main() {
	if cmd, args := command(os.Args[1:]); cmd != "" || slices.ContainsFunc(args, isHelpFlag) {
		attachConsole()
	}
	gctune.Apply(gctune.StationLimit)
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

// command splits the command word off args; "" (args empty or starting with a flag)
// opens the kiosk window.
func command(args []string) (string, []string) {
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		return args[0], args[1:]
	}
	return "", args
}

// isHelpFlag reports whether arg asks the flag package for the usage text.
func isHelpFlag(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--h" || arg == "--help"
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	cmd, args := command(args)
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
		fmt.Fprintln(stdout, strings.TrimSpace("bingzhan "+Version+" "+Commit))
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
	tls           *bool
	boardAddr     *string
}

func addStationFlags(fl *flag.FlagSet) stationFlags {
	return stationFlags{
		data:          fl.String("data", app.DefaultDataDir(), "data folder: database, keys, backups, config.json"),
		demo:          fl.Bool("demo", false, "name the station as a demo and put a few tickets in the queue"),
		printer:       fl.String("printer", "", "ticket printer: tcp://host:9100 or a device path (overrides config.json)"),
		idleWarning:   fl.Duration("idle-warning", 0, "kiosk idle time before the 'still there?' warning (overrides config.json)"),
		idleCountdown: fl.Duration("idle-countdown", 0, "time the warning waits before clearing the screen (overrides config.json)"),
		verbose:       fl.Bool("v", false, "log every API request, and the kiosk window page's console"),
		tls:           fl.Bool("tls", false, "serve --addr over HTTPS with the station's own certificate (staff PCs trust DATA/tls/ca.pem once)"),
		boardAddr:     fl.String("board-addr", "", "also serve the lobby board alone over plain HTTP on this address, for a TV that cannot trust the certificate"),
	}
}

// options are the station's options for the parsed flags: config.json in the data
// folder with the flags over it, the embedded frontend and the program's version.
func (f stationFlags) options(stdout io.Writer) (app.Options, error) {
	cfg, err := app.LoadConfig(*f.data)
	if err != nil {
		return app.Options{}, err
	}
	if *f.printer != "" {
		cfg.Printer = *f.printer
	}
	if *f.idleWarning > 0 {
		cfg.IdleWarningS = int(max(*f.idleWarning/time.Second, 1))
	}
	if *f.tls {
		cfg.TLS = true
	}
	if *f.boardAddr != "" {
		cfg.BoardAddr = *f.boardAddr
	}
	if *f.idleCountdown > 0 {
		cfg.IdleCountdownS = int(max(*f.idleCountdown/time.Second, 1))
	}
	level := slog.LevelInfo
	if *f.verbose {
		level = slog.LevelDebug
	}
	dist, err := fs.Sub(embedded, "frontend/dist")
	if err != nil {
		return app.Options{}, err
	}
	return app.Options{
		Config: &cfg, Demo: *f.demo, Assets: dist, Version: Version, Stdout: stdout,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
	}, nil
}

// commandOptions are the options of a command that acts on a stopped station: its own
// configuration, no log but errors, the program's version.
func commandOptions() app.Options {
	return app.Options{Version: Version, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))}
}

func runServe(ctx context.Context, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("bingzhan serve", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:8080", "address to serve the UI and API on (HOST:PORT; port 0 picks one)")
	sf := addStationFlags(fl)
	if err := fl.Parse(args); err != nil {
		return err
	}
	opts, err := sf.options(stdout)
	if err != nil {
		return err
	}
	return serveUntilDone(ctx, *sf.data, opts, *addr)
}

// serveUntilDone opens the station, serves it on addr and closes it when ctx ends.
func serveUntilDone(ctx context.Context, dir string, opts app.Options, addr string) error {
	st, err := app.Open(ctx, dir, opts)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := st.Listen(addr)
	if err != nil {
		return err
	}
	if st.Config.BoardAddr != "" {
		if _, err := st.ListenBoard(st.Config.BoardAddr); err != nil {
			return err
		}
	}
	scheme := "http"
	if st.Config.TLS {
		scheme = "https"
	}
	settleMemory(opts.Logger)
	fmt.Fprintf(opts.Stdout, "Open %s://%s/ in a browser to use the kiosk. Press Ctrl+C to stop.\n", scheme, a)
	<-ctx.Done()
	return nil
}
