package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"bingzhan/backend"
	"bingzhan/backend/app"

	"golang.org/x/term"
)

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
	data := fl.String("data", app.DefaultDataDir(), "data folder")
	name := fl.String("name", "", "staff member's name, as typed at login")
	role := fl.String("role", "staff", "staff or admin")
	pin := fl.String("pin", "", "PIN (6–12 digits); asked for when absent")
	if err := fl.Parse(args); err != nil {
		return err
	}
	open := func() (*app.Station, error) { return app.OpenData(*data, commandOptions()) }
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
		st, err := open()
		if err != nil {
			return err
		}
		defer st.Close()
		accounts := st.Accounts
		if sub == "add" {
			a, err := accounts.AddStaff(ctx, *name, backend.Role(*role), p)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "added %s (%s)\n", a.Name, a.Role)
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
		st, err := open()
		if err != nil {
			return err
		}
		defer st.Close()
		accounts := st.Accounts
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
		st, err := open()
		if err != nil {
			return err
		}
		defer st.Close()
		list, err := st.Accounts.ListStaff(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tLAST LOGIN\tLOCKED UNTIL")
		now := st.Clock.Now()
		for _, a := range list {
			last, locked := "-", "-"
			if !a.LastLogin.IsZero() {
				last = a.LastLogin.In(st.Location).Format("2006-01-02 15:04")
			}
			if a.Locked(now) {
				locked = a.LockedUntil.In(st.Location).Format("15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Name, a.Role, last, locked)
		}
		return tw.Flush()
	}
	return usage
}
