// Package countytest is the conformance suite for county.Store: every implementation
// runs TestStore, so what the interface promises is checked once, through the
// interface alone. It is imported by tests only.
package countytest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"

	"github.com/jonboulle/clockwork"
)

// Start is the time the suite's fake clock starts at.
var Start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// Opener opens a new, empty store on clock for one test and closes it when the test
// ends.
type Opener func(t *testing.T, clock backend.Clock) county.Store

// TestStore runs the county.Store conformance suite against the stores open makes.
// Each subtest gets a store of its own and a fake clock it moves.
func TestStore(t *testing.T, open Opener) {
	run := func(name string, f func(t *testing.T, s county.Store, clock *clockwork.FakeClock)) {
		t.Run(name, func(t *testing.T) {
			clock := clockwork.NewFakeClockAt(Start)
			f(t, open(t, clock), clock)
		})
	}
	run("AddStation", testAddStation)
	run("Authenticate", testAuthenticate)
	run("NewSecret", testNewSecret)
	run("RetireStation", testRetireStation)
	run("Ingest", testIngest)
	run("IngestRetry", testIngestRetry)
	run("IngestUniqueness", testIngestUniqueness)
	run("IngestContiguous", testIngestContiguous)
	run("IngestStationKey", testIngestStationKey)
	run("IngestBacklog", testIngestBacklog)
	run("IngestCancelled", testIngestCancelled)
	run("DayFigures", testDayFigures)
	run("RatingFigures", testRatingFigures)
	run("FiguresAcrossStations", testFiguresAcrossStations)
	run("Entries", testEntries)
	run("Users", testUsers)
	run("LoginLock", testLoginLock)
	run("Sessions", testSessions)
	run("ImportRegistry", testImportRegistry)
	run("ImportCatalog", testImportCatalog)
	run("ImportErrors", testImportErrors)
	run("ImportBookings", testImportBookings)
	run("Campaigns", testCampaigns)
}

// wantCode fails t unless err is a *backend.Error with code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var e *backend.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Errorf("%s: got %v, want a *backend.Error with code %s", what, err, code)
	}
}

// mustStation adds a station called name and returns it with its secret.
func mustStation(t *testing.T, s county.Store, name string) (*county.Station, string) {
	t.Helper()
	st, secret, err := s.AddStation(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return st, secret
}

// entry is a fact from station key "key-1".
func entry(seq uint64, id, kind, data string) wire.Entry {
	return wire.Entry{ID: id, Seq: seq, StationID: "key-1", Kind: kind, At: Start, Data: json.RawMessage(data)}
}

// push sends entries as station key "key-1" and returns the answer.
func push(t *testing.T, s county.Store, station string, entries ...wire.Entry) *wire.PushResponse {
	t.Helper()
	resp, err := s.Ingest(t.Context(), station, &county.Push{PushHeader: wire.PushHeader{Station: "key-1"}, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Results) != len(entries) {
		t.Fatalf("%d results for %d entries", len(resp.Results), len(entries))
	}
	return resp
}

func stationByID(t *testing.T, s county.Store, id string) county.Station {
	t.Helper()
	sts, err := s.Stations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		if st.ID == id {
			return st
		}
	}
	t.Fatalf("station %s not listed", id)
	return county.Station{}
}

func testAddStation(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	st, secret := mustStation(t, s, "  西山乡服务站 ")
	if !strings.HasPrefix(st.ID, "st-0001-") || st.Name != "西山乡服务站" || len(secret) < 40 || !st.CreatedAt.Equal(Start) {
		t.Errorf("station %+v, secret %q", st, secret)
	}
	mustStation(t, s, "东风镇服务站")
	sts, err := s.Stations(ctx)
	if err != nil || len(sts) != 2 || sts[0].Name != "东风镇服务站" || sts[1].ID != st.ID {
		t.Errorf("stations %+v %v, want both by name", sts, err)
	}
	_, _, err = s.AddStation(ctx, "西山乡服务站")
	wantCode(t, "the same name twice", err, backend.ECONFLICT)
	_, _, err = s.AddStation(ctx, " ")
	wantCode(t, "no name", err, backend.EINVALID)
	_, _, err = s.AddStation(ctx, strings.Repeat("站", 81))
	wantCode(t, "81 characters", err, backend.EINVALID)
	if _, _, err := s.AddStation(ctx, strings.Repeat("站", 80)); err != nil {
		t.Errorf("80 characters: %v", err)
	}
}

func testAuthenticate(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	st, secret := mustStation(t, s, "东风镇")
	got, err := s.Authenticate(ctx, st.ID, secret)
	if err != nil || got.ID != st.ID || got.Name != "东风镇" {
		t.Fatalf("%+v %v", got, err)
	}
	_, err = s.Authenticate(ctx, st.ID, secret+"x")
	wantCode(t, "wrong secret", err, backend.EUNAUTHORIZED)
	_, err = s.Authenticate(ctx, "st-9999-0000", secret)
	wantCode(t, "unknown station", err, backend.EUNAUTHORIZED)
	_, err = s.Authenticate(ctx, st.ID, "")
	wantCode(t, "no secret", err, backend.EUNAUTHORIZED)
}

func testNewSecret(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	st, old := mustStation(t, s, "东风镇")
	push(t, s, st.ID, entry(1, "a", "visit.created", `{}`))
	if got := stationByID(t, s, st.ID); got.KeyID != "key-1" {
		t.Fatalf("key not bound by the first push: %+v", got)
	}
	ns, secret, err := s.NewSecret(ctx, "东风镇") // by name
	if err != nil || ns.ID != st.ID || secret == old || ns.KeyID != "" {
		t.Fatalf("new secret %+v %q %v", ns, secret, err)
	}
	_, err = s.Authenticate(ctx, st.ID, old)
	wantCode(t, "the old secret", err, backend.EUNAUTHORIZED)
	if _, err := s.Authenticate(ctx, st.ID, secret); err != nil {
		t.Errorf("the new secret: %v", err)
	}
	// The binding is cleared: the replacement PC (another key) may push, and is bound.
	if _, err := s.Ingest(ctx, st.ID, &county.Push{PushHeader: wire.PushHeader{Station: "key-2"}}); err != nil {
		t.Errorf("a push from the re-enrolled station: %v", err)
	}
	if _, _, err := s.NewSecret(ctx, st.ID); err != nil { // by id
		t.Errorf("by id: %v", err)
	}
	_, _, err = s.NewSecret(ctx, "南河镇")
	wantCode(t, "no such station", err, backend.ENOTFOUND)
	if _, err := s.RetireStation(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.NewSecret(ctx, st.ID)
	wantCode(t, "a retired station", err, backend.ECONFLICT)
}

func testRetireStation(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	st, secret := mustStation(t, s, "东风镇")
	push(t, s, st.ID, entry(1, "a", "visit.created", `{}`))
	clock.Advance(time.Hour)
	got, err := s.RetireStation(ctx, "东风镇")
	if err != nil || got.RetiredAt == nil || !got.RetiredAt.Equal(Start.Add(time.Hour)) || got.SecretHash != nil {
		t.Fatalf("retire: %+v %v", got, err)
	}
	_, err = s.Authenticate(ctx, st.ID, secret)
	wantCode(t, "a retired station's secret", err, backend.EUNAUTHORIZED)
	_, err = s.RetireStation(ctx, st.ID)
	wantCode(t, "retired twice", err, backend.ECONFLICT)
	_, err = s.RetireStation(ctx, "南河镇")
	wantCode(t, "no such station", err, backend.ENOTFOUND)
	if n, _, err := s.EntryCount(ctx, st.ID); err != nil || n != 1 {
		t.Errorf("what it sent: %d entries %v, want it kept", n, err)
	}
	again, _ := mustStation(t, s, "东风镇") // the name is free again
	if again.ID == st.ID {
		t.Fatal("the new station has the retired one's id")
	}
	// Its name now means the new station, not the retired one.
	if ns, _, err := s.NewSecret(ctx, "东风镇"); err != nil || ns.ID != again.ID {
		t.Errorf("new secret by the name: %+v %v, want the new station", ns, err)
	}
}
