package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
	"bingzhan/backend/event"
	bzhttp "bingzhan/backend/http"

	"golang.org/x/term"
)

// openStaff wires the staff console and the lobby board: accounts, counters, calling,
// figures and the event broker. It readies the database (default counters, indexes,
// yesterday's open tickets expired) and runs the midnight roll-over and the daily
// report files until ctx ends.
func (m *Main) openStaff(ctx context.Context) error {
	broker := event.New()
	calls := bolt.NewCallService(m.DB, backend.StationID(m.Keys.Public()))
	calls.Publish = broker.Publish
	counters := bolt.NewCounterService(m.DB)
	counters.Publish = broker.Publish
	m.Tickets.Publish = broker.Publish
	accounts := bolt.NewStaffService(m.DB)
	if err := calls.Init(ctx); err != nil {
		return fmt.Errorf("ready counters: %w", err)
	}
	if m.Demo {
		if err := m.seedDemoStaff(ctx, accounts); err != nil {
			return err
		}
	}
	m.Server.Staff = &bzhttp.Staff{
		Accounts: accounts, Counters: counters, Calls: calls,
		Stats: bolt.NewStatsService(m.DB), Events: broker,
	}
	go calls.RunRollover(ctx)
	m.jobs.Go(func() { m.runReportArchive(ctx) })
	return nil
}

// Demo staff account, made only with --demo on a station that has no accounts, so
// `make run` can show the staff console at once. A real station never gets it.
const (
	demoStaffName = "演示"
	demoStaffPIN  = "246810"
)

func (m *Main) seedDemoStaff(ctx context.Context, accounts *bolt.StaffService) error {
	list, err := accounts.ListStaff(ctx)
	if err != nil || len(list) > 0 {
		return err
	}
	if _, err := accounts.AddStaff(ctx, demoStaffName, backend.RoleAdmin, demoStaffPIN); err != nil {
		return fmt.Errorf("demo staff: %w", err)
	}
	fmt.Fprintf(m.Stdout, "demo admin account: name %s, PIN %s\n", demoStaffName, demoStaffPIN)
	return nil
}

// readPIN asks for a PIN twice. On a terminal nothing is echoed; from a pipe (a
// script) it reads two lines.
var readPIN = func(stdout io.Writer) (string, error) {
	fd := int(os.Stdin.Fd())
	if term.IsTerminal(fd) {
		var pins [2]string
		for i, prompt := range []string{"PIN: ", "PIN again / 再输一次: "} {
			fmt.Fprint(stdout, prompt)
			b, err := term.ReadPassword(fd)
			fmt.Fprintln(stdout)
			if err != nil {
				return "", err
			}
			pins[i] = string(b)
		}
		if pins[0] != pins[1] {
			return "", backend.Errorf(backend.EINVALID, "staff.pin_twice")
		}
		return pins[0], nil
	}
	return readPINLines(os.Stdin)
}

// readPINLines reads a PIN given twice on two lines.
func readPINLines(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	var pins []string
	for len(pins) < 2 && sc.Scan() {
		pins = append(pins, strings.TrimSpace(sc.Text()))
	}
	if len(pins) < 2 || pins[0] != pins[1] {
		return "", backend.Errorf(backend.EINVALID, "staff.pin_twice")
	}
	return pins[0], nil
}

// runStaff is `bingzhan staff add|list|reset-pin|unlock|set-role|remove`. It opens the database directly,
// so the station must not be running on the same data folder (the file is locked);
// a running station takes the same changes through the admin API.
func runStaff(ctx context.Context, args []string, stdout io.Writer) error {
	usage := errors.New("usage: bingzhan staff add --data DIR --name NAME --role staff|admin [--pin PIN]\n" +
		"       bingzhan staff list --data DIR\n" +
		"       bingzhan staff reset-pin --data DIR --name NAME [--pin PIN]\n" +
		"       bingzhan staff unlock --data DIR --name NAME\n" +
		"       bingzhan staff set-role --data DIR --name NAME --role staff|admin\n" +
		"       bingzhan staff remove --data DIR --name NAME")
	if len(args) == 0 {
		return usage
	}
	sub, args := args[0], args[1:]
	fl := flag.NewFlagSet("bingzhan staff "+sub, flag.ContinueOnError)
	data := fl.String("data", DefaultDataDir(), "data folder")
	name := fl.String("name", "", "staff member's name, as typed at login")
	role := fl.String("role", "staff", "staff or admin")
	pin := fl.String("pin", "", "PIN (6–12 digits); asked for when absent")
	if err := fl.Parse(args); err != nil {
		return err
	}
	open := func() (*bolt.DB, error) {
		cfg, err := LoadConfig(*data)
		if err != nil {
			return nil, err
		}
		db := bolt.NewDB(*data)
		if db.Location, err = time.LoadLocation(cfg.TimeZone); err != nil {
			return nil, err
		}
		db.Logger = slog.New(slog.DiscardHandler)
		return db, db.Open()
	}
	askPIN := func() (string, error) {
		if *pin != "" {
			return *pin, nil
		}
		return readPIN(stdout)
	}

	switch sub {
	case "add", "reset-pin":
		if *name == "" {
			return usage
		}
		p, err := askPIN()
		if err != nil {
			return err
		}
		db, err := open()
		if err != nil {
			return err
		}
		defer db.Close()
		accounts := bolt.NewStaffService(db)
		if sub == "add" {
			st, err := accounts.AddStaff(ctx, *name, backend.Role(*role), p)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "added %s (%s)\n", st.Name, st.Role)
			return nil
		}
		if err := accounts.SetPIN(ctx, strings.TrimSpace(*name), p); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new PIN set for %s; the account is unlocked and its sessions ended\n", strings.TrimSpace(*name))
		return nil
	case "unlock", "set-role", "remove":
		n := strings.TrimSpace(*name)
		roleGiven := false
		fl.Visit(func(f *flag.Flag) { roleGiven = roleGiven || f.Name == "role" })
		if n == "" || (sub == "set-role" && !roleGiven) {
			return usage
		}
		db, err := open()
		if err != nil {
			return err
		}
		defer db.Close()
		accounts := bolt.NewStaffService(db)
		// Nobody is logged in at the command line: by is empty, so only the
		// last-admin rule can refuse.
		switch sub {
		case "unlock":
			if err := accounts.UnlockStaff(ctx, n); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s is unlocked; the PIN is unchanged\n", n)
		case "set-role":
			if err := accounts.SetRole(ctx, n, backend.Role(*role), ""); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s is now %s\n", n, *role)
		case "remove":
			if err := accounts.RemoveStaff(ctx, n, ""); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "removed %s; ticket histories keep the name\n", n)
		}
		return nil
	case "list":
		db, err := open()
		if err != nil {
			return err
		}
		defer db.Close()
		list, err := bolt.NewStaffService(db).ListStaff(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tLAST LOGIN\tLOCKED UNTIL")
		now := time.Now()
		for _, st := range list {
			last, locked := "-", "-"
			if !st.LastLogin.IsZero() {
				last = st.LastLogin.In(db.Location).Format("2006-01-02 15:04")
			}
			if st.Locked(now) {
				locked = st.LockedUntil.In(db.Location).Format("15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", st.Name, st.Role, last, locked)
		}
		return tw.Flush()
	}
	return usage
}
