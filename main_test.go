package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/backend/app/apptest"
)

// mustServe opens a station in dir as `bingzhan serve --data DIR` does — flags,
// configuration and the embedded frontend — served on a loopback port until tb ends.
func mustServe(tb testing.TB, dir string, args ...string) (*app.Station, string) {
	tb.Helper()
	fl := flag.NewFlagSet("test", flag.ContinueOnError)
	sf := addStationFlags(fl)
	if err := fl.Parse(append([]string{"--data", dir}, args...)); err != nil {
		tb.Fatal(err)
	}
	opts, err := sf.options(io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	return mustOpen(tb, dir, opts)
}

// mustOpen opens the station in dir with opts, served on loopback.
func mustOpen(tb testing.TB, dir string, opts app.Options) (*app.Station, string) {
	tb.Helper()
	return apptest.Serve(tb, dir, opts)
}

// call sends a JSON request and decodes the JSON answer into out (if not nil).
func call(tb testing.TB, method, url, lang string, body any, out any) int {
	tb.Helper()
	resp, _ := apptest.Send(tb, method, url, body, out, apptest.Req{Lang: lang})
	return resp.StatusCode
}

func TestAPI_Frontend(t *testing.T) {
	_, base := mustServe(t, t.TempDir())
	for _, p := range []string{"/", "/kiosk/ticket", "/staff"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<div id=\"app\"")) {
			t.Errorf("%s: %d %s", p, resp.StatusCode, fmt.Sprintf("%.80s", body))
		}
	}
}

// TestDemoPeople: `bingzhan demo people` lists the asked number of people of each card
// status, to try at a demo station's kiosk.
func TestDemoPeople(t *testing.T) {
	var list bytes.Buffer
	if err := run(context.Background(), []string{"demo", "people", "--per-status", "2"}, &list); err != nil {
		t.Fatal(err)
	}
	for _, s := range backend.CardStatuses {
		if n := strings.Count(list.String(), "\n  "+string(s)+" "); n != 2 {
			t.Errorf("%d people listed for %s", n, s)
		}
	}
}
