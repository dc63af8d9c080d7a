package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"bingzhan/backend/report"
	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	"bingzhan/sync/county/postgres"
	"bingzhan/sync/county/postgres/pgtest"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"

	"github.com/jonboulle/clockwork"
)

// migrateStations and migrateEntries size the bbolt county TestMigrate moves: enough
// that a kill lands in the middle.
const (
	migrateStations = 3
	migrateEntries  = 30000 // per station
)

// boltCounty fills a bbolt county in dir: a user, a registry, stations with tickets
// issued and called, and one discard marker kept apart. It returns the stations'
// secrets by id.
func boltCounty(t *testing.T, dir string) map[string]string {
	t.Helper()
	ctx := t.Context()
	// Whole seconds: PostgreSQL keeps microseconds.
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))
	s, err := countybolt.Open(dir, countybolt.Options{ReadSheet: report.ParseSheet, Logger: synctest.Quiet, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AddUser(ctx, "王科长", "135790"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, "registry", "r.csv",
		[]byte("id_number,name,phone,categories,card_status\n11010519491231002X,张三,13812341234,VETERAN,issued\n"), "王科长"); err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for n := range migrateStations {
		st, secret, err := s.AddStation(ctx, fmt.Sprintf("第%d服务站", n+1))
		if err != nil {
			t.Fatal(err)
		}
		secrets[st.ID] = secret
		key := fmt.Sprintf("key-%d", n)
		var entries []wire.Entry
		for i := range migrateEntries {
			seq := uint64(i + 1)
			e := wire.Entry{ID: fmt.Sprintf("%s-e%d", key, seq), Seq: seq, StationID: key, At: at, Kind: county.KindTicketIssued,
				Data: fmt.Appendf(nil, `{"id":"t%d","date":"2026-11-23"}`, i/2)}
			if i%2 == 1 {
				e.Kind = county.KindTicketCalled
				e.Data = fmt.Appendf(nil, `{"id":"t%d","date":"2026-11-23","issued_at":"2026-11-23T09:00:00Z","called_at":"2026-11-23T09:0%d:00Z"}`, i/2, i%7)
			}
			entries = append(entries, e)
			if len(entries) == wire.MaxEntries*4 || i == migrateEntries-1 {
				if _, err := s.Ingest(ctx, st.ID, &county.Push{PushHeader: wire.PushHeader{Station: key}, Entries: entries}); err != nil {
					t.Fatal(err)
				}
				entries = nil
			}
		}
		if n == 0 { // a station restored from a backup dropped a record whose slot is taken
			marker := wire.Entry{ID: key + "-gone", Seq: 5, StationID: key, At: at, Kind: wire.KindDiscarded, Data: []byte(`{"reason":"x"}`)}
			if _, err := s.Ingest(ctx, st.ID, &county.Push{PushHeader: wire.PushHeader{Station: key, DeadLetters: 2}, Entries: []wire.Entry{marker}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return secrets
}

// TestMigrate: a bbolt county moves into PostgreSQL with `migrate`, killed half-way
// and run again (twice): every station, credential, entry, figure, user and data set
// arrives exactly once, and `serve --db` then takes the stations' next pushes.
func TestMigrate(t *testing.T) {
	ctx := t.Context()
	dir, db := t.TempDir(), pgtest.Shared(t).NewDatabase(t)
	secrets := boltCounty(t, dir)

	dst, err := postgres.Open(ctx, db, dir, postgres.Options{Logger: synctest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	moved := func() int {
		n := 0
		for id := range secrets {
			e, _, _ := dst.EntryCount(ctx, id)
			n += e
		}
		return n
	}

	// Killed in the middle: once the first station is across and the next one partly.
	cmd := exec.Command(os.Args[0], "migrate", "--from", dir, "--to", db)
	cmd.Env = append(os.Environ(), "BINGZHAN_COUNTY_RUN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	synctest.WaitFor(t, "the migration half-way", func() bool { return moved() > migrateEntries })
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if n := moved(); n >= migrateStations*migrateEntries {
		t.Fatalf("the kill came after all %d entries were across", n)
	}

	for range 2 { // run again to the end, then once more: nothing changes the second time
		out, err := countyCmd("migrate", "--from", dir, "--to", db)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, fmt.Sprintf("done: %d stations, %d entries", migrateStations, migrateStations*migrateEntries)) {
			t.Errorf("migrate printed %q", out)
		}
	}

	src, err := countybolt.Open(dir, countybolt.Options{Logger: synctest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	same := func(what string, get func(county.Store) (any, error)) {
		t.Helper()
		a, err1 := get(src)
		b, err2 := get(dst)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("%s: bbolt %v (%v), PostgreSQL %v (%v)", what, a, err1, b, err2)
		}
	}
	same("stations", func(s county.Store) (any, error) { return s.Stations(ctx) })
	same("day figures", func(s county.Store) (any, error) { return county.Day(ctx, s, "2026-11-23") })
	same("highest", func(s county.Store) (any, error) { return s.Highest(ctx) })
	same("data sets", func(s county.Store) (any, error) { return s.Datasets(ctx) })
	same("registry", func(s county.Store) (any, error) {
		etag, body, err := s.CurrentDataset(ctx, "registry")
		return etag + string(body), err
	})
	for id := range secrets {
		same("entries of "+id, func(s county.Store) (any, error) { return s.Entries(ctx, id, 29990, 20) })
		same("entry count of "+id, func(s county.Store) (any, error) {
			e, ids, err := s.EntryCount(ctx, id)
			return [2]int{e, ids}, err
		})
	}
	if _, err := dst.Login(ctx, "王科长", "135790"); err != nil {
		t.Errorf("the user cannot log in after the move: %v", err)
	}

	// The stations notice nothing: the same server folder on the database takes their
	// secrets, a retry as a duplicate and the next entry as new.
	m := startMain(t, dir, nil, db)
	for id, secret := range secrets {
		if _, err := m.Store.Authenticate(ctx, id, secret); err != nil {
			t.Fatalf("station %s after the move: %v", id, err)
		}
		var key string
		for _, st := range mustStations(t, m.Store) {
			if st.ID == id {
				key = st.KeyID
			}
		}
		at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		resp, err := m.Store.Ingest(ctx, id, &county.Push{PushHeader: wire.PushHeader{Station: key}, Entries: []wire.Entry{
			{ID: fmt.Sprintf("%s-e%d", key, migrateEntries), Seq: migrateEntries, StationID: key, At: at, Kind: county.KindTicketCalled, Data: []byte(`{}`)},
			{ID: key + "-next", Seq: migrateEntries + 1, StationID: key, At: at, Kind: county.KindTicketIssued, Data: []byte(`{"date":"2026-11-24"}`)},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Results[0].Status != wire.Duplicate || resp.Results[1].Status != wire.Accepted || resp.Contiguous != migrateEntries+1 {
			t.Errorf("station %s pushing after the move: %+v", id, resp)
		}
	}
}

func mustStations(t *testing.T, s county.Store) []county.Station {
	t.Helper()
	sts, err := s.Stations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sts
}
