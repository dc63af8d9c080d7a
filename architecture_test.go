package main

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// role is what a package is in the house (docs/architecture.md). The arrows allowed
// between roles are in TestArchitecture.
type role int

const (
	domain  role = iota // nouns, rules, errors, the interfaces adapters implement
	shared              // leaves without I/O of their own that any layer may use (the domain only where no forbidden import follows)
	adapter             // one dependency, spoken in domain terms
	root                // composition roots: build services from adapters
	harness             // test helpers that open real stations and counties
)

// roles names every package of the module. A new package fails the test until it is
// placed here and in docs/architecture.md.
var roles = map[string]role{
	"bingzhan/backend":     domain,
	"bingzhan/sync/county": domain,
	"bingzhan/sync/wire":   domain,

	"bingzhan/backend/atomicfile": shared,
	"bingzhan/backend/demo":       shared,
	"bingzhan/backend/event":      shared,
	"bingzhan/backend/gctune":     shared,
	"bingzhan/backend/httperr":    shared,
	"bingzhan/backend/keys":       shared,
	"bingzhan/backend/stationtls": shared,
	// Spreadsheets in and out, bytes to bytes: the HTTP handlers and the county
	// store call it; the domain cannot (excelize is forbidden to it).
	"bingzhan/backend/report": shared,

	"bingzhan/backend/bolt":         adapter,
	"bingzhan/backend/escpos":       adapter,
	"bingzhan/backend/http":         adapter,
	"bingzhan/backend/qr":           adapter,
	"bingzhan/sync/agent":           adapter,
	"bingzhan/sync/county/bolt":     adapter,
	"bingzhan/sync/county/control":  adapter,
	"bingzhan/sync/county/http":     adapter,
	"bingzhan/sync/county/postgres": adapter,

	"bingzhan":                     root,
	"bingzhan/backend/app":         root,
	"bingzhan/cmd/bingzhan-county": root,
	"bingzhan/cmd/voicegen":        root,

	"bingzhan/backend/app/apptest":         harness,
	"bingzhan/sync/synctest":               harness,
	"bingzhan/sync/county/countytest":      harness,
	"bingzhan/sync/county/postgres/pgtest": harness,
	"bingzhan/docs":                        harness,
	"bingzhan/packaging":                   harness,
}

// owners are the third-party (and standard) packages only some packages may import:
// each dependency has one owner, and the domain none.
var owners = map[string][]string{
	"go.etcd.io/bbolt":                      {"bingzhan/backend/bolt", "bingzhan/sync/county/bolt"},
	"github.com/xuri/excelize/v2":           {"bingzhan/backend/report"},
	"github.com/jackc/pgx/v5":               {"bingzhan/sync/county/postgres", "bingzhan/sync/county/postgres/pgtest"},
	"github.com/pressly/goose/v3":           {"bingzhan/sync/county/postgres"},
	"github.com/skip2/go-qrcode":            {"bingzhan/backend/qr"},
	"github.com/hashicorp/go-retryablehttp": {"bingzhan/sync/agent"},
	"github.com/wailsapp/wails/v2":          {"bingzhan"},
	"github.com/go-analyze/charts":          {"bingzhan/sync/county/http"},
}

// domainForbidden are imports the domain packages never have: storage, the web, the
// window, rendering.
var domainForbidden = []string{"go.etcd.io/bbolt", "net/http", "github.com/wailsapp/", "github.com/skip2/go-qrcode",
	"github.com/xuri/excelize/", "github.com/jackc/pgx/", "github.com/hashicorp/go-retryablehttp"}

// TestArchitecture reads the module's import graph with `go list` and fails on an
// arrow the house forbids: the domain importing storage, HTTP, the window or an
// adapter; an adapter importing another adapter; a dependency imported outside its
// owner; a package without a place in docs/architecture.md. Test files are not
// checked: tests may read what an adapter wrote.
func TestArchitecture(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type pkg struct {
		ImportPath    string
		Imports, Deps []string
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.ImportPath, "/node_modules/") {
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) < len(roles)/2 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		r, ok := roles[p.ImportPath]
		if !ok {
			t.Errorf("%s has no role: place it in roles (architecture_test.go) and in docs/architecture.md", p.ImportPath)
			continue
		}
		for _, imp := range p.Imports {
			ir, own := roles[imp]
			switch {
			case own && r == domain && ir != domain && ir != shared:
				t.Errorf("domain package %s imports %s", p.ImportPath, imp)
			case own && r == shared && ir != domain && ir != shared:
				t.Errorf("shared package %s imports %s", p.ImportPath, imp)
			case own && r == adapter && ir != domain && ir != shared:
				t.Errorf("adapter %s imports %s: adapters do not know each other; wire them in a composition root", p.ImportPath, imp)
			case own && r == root && ir == harness:
				t.Errorf("%s imports the test harness %s", p.ImportPath, imp)
			}
			for dep, allowed := range owners {
				if (imp == dep || strings.HasPrefix(imp, dep+"/")) && !slices.Contains(allowed, p.ImportPath) {
					t.Errorf("%s imports %s, which only %v may", p.ImportPath, imp, allowed)
				}
			}
		}
		if r == domain {
			// Transitively too: a domain package must not reach storage or HTTP
			// through a helper.
			for _, d := range p.Deps {
				for _, f := range domainForbidden {
					if d == f || strings.HasPrefix(d, f) {
						t.Errorf("domain package %s depends on %s", p.ImportPath, d)
					}
				}
			}
		}
	}
}
