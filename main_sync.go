package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/sync/agent"
)

// runEnrol applies an enrolment file: `bingzhan enrol FILE --data DIR`.
func runEnrol(ctx context.Context, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("bingzhan enrol", flag.ContinueOnError)
	data := fl.String("data", app.DefaultDataDir(), "data folder of the station")
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
	st, err := app.OpenData(*data, commandOptions())
	if err != nil {
		return err
	}
	defer st.Close()
	e, err := st.Enrol(ctx, buf)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "enrolled as %q (%s) with the county at %s\n", e.StationName, e.StationID, strings.Join(e.Counties(), ", "))
	if *check {
		if err := st.CheckCounty(ctx, e); err != nil {
			fmt.Fprintln(stdout, backend.ErrorMessage(agent.Describe(err), os.Getenv("LANG")))
		} else {
			fmt.Fprintln(stdout, "the county answered: sync works")
		}
	}
	fmt.Fprintln(stdout, "sync runs whenever bingzhan or bingzhan serve runs on this data folder")
	return nil
}
