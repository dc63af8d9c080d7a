package postgres_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/county/countytest"
	"bingzhan/sync/county/postgres/pgtest"
	"bingzhan/sync/wire"

	"github.com/jonboulle/clockwork"
)

// TestOpen_Together: servers starting at once on one empty database create its schema
// once, and all of them work.
func TestOpen_Together(t *testing.T) {
	url, dir := pgtest.Shared(t).NewDatabase(t), t.TempDir()
	clock := clockwork.NewFakeClockAt(countytest.Start)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			s := mustOpenURL(t, url, dir, clock)
			if err := s.Ping(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	s := mustOpenURL(t, url, dir, clock)
	if _, _, err := s.AddStation(t.Context(), "东风镇"); err != nil {
		t.Fatal(err)
	}
}

// TestStore_TwoServers: two servers on one database see one county: one's station
// authenticates on the other, one station's pushes through both are stored once, and
// wrong PINs typed on both lock the name on both.
func TestStore_TwoServers(t *testing.T) {
	ctx := t.Context()
	url, dir := pgtest.Shared(t).NewDatabase(t), t.TempDir()
	clock := clockwork.NewFakeClockAt(countytest.Start)
	a, b := mustOpenURL(t, url, dir, clock), mustOpenURL(t, url, dir, clock)
	st, secret, err := a.AddStation(ctx, "东风镇")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Authenticate(ctx, st.ID, secret); err != nil {
		t.Fatalf("the other server: %v", err)
	}
	var entries []wire.Entry
	for i := range 200 {
		entries = append(entries, wire.Entry{ID: fmt.Sprintf("e%d", i), Seq: uint64(i + 1), StationID: "key-1",
			Kind: "ticket.issued", At: countytest.Start, Data: fmt.Appendf(nil, `{"id":"t%d","date":"2026-11-23"}`, i)})
	}
	// The same pushes, through both servers at once, in pieces that overlap.
	var wg sync.WaitGroup
	for _, s := range []county.Store{a, b, a, b} {
		wg.Go(func() {
			for from := 0; from < len(entries); from += 30 {
				req := &county.Push{PushHeader: wire.PushHeader{Station: "key-1"}, Entries: entries[from:min(from+50, len(entries))]}
				if _, err := s.Ingest(ctx, st.ID, req); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n, ids, err := b.EntryCount(ctx, st.ID); err != nil || n != 200 || ids != 200 {
		t.Errorf("%d entries %d ids %v, want 200 once", n, ids, err)
	}
	stations, _ := a.Stations(ctx)
	if v := stations[0]; v.Total != 200 || v.Received["ticket.issued"] != 200 || v.Contiguous != 200 {
		t.Errorf("station after the pushes: %+v", v)
	}
	if day, _ := county.Day(ctx, b, "2026-11-23"); day[st.ID].Tickets != 200 {
		t.Errorf("day figures %+v, want 200 tickets", day[st.ID])
	}

	if err := a.AddUser(ctx, "王科长", "258013"); err != nil {
		t.Fatal(err)
	}
	for i := range backend.MaxPINFailures {
		if _, err := []county.Store{a, b}[i%2].Login(ctx, "王科长", "999999"); err == nil {
			t.Fatal("wrong PIN accepted")
		}
	}
	for _, s := range []county.Store{a, b} {
		if _, err := s.Login(ctx, "王科长", "258013"); backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Errorf("after %d wrong PINs on two servers: %v, want locked on both", backend.MaxPINFailures, err)
		}
	}
	clock.Advance(backend.LockDuration + time.Second)
	token, err := b.Login(ctx, "王科长", "258013")
	if err != nil {
		t.Fatal(err)
	}
	if user, err := a.SessionUser(ctx, token); err != nil || user != "王科长" {
		t.Errorf("a session of one server on the other: %q %v", user, err)
	}
	if _, err := a.Import(ctx, wire.RefRegistry, "r.csv",
		[]byte("id_number,name,phone,categories,card_status\n11010519491231002X,张三,13812341234,VETERAN,issued\n"), "王科长"); err != nil {
		t.Fatal(err)
	}
	if _, body, err := b.CurrentDataset(ctx, wire.RefRegistry); err != nil || len(body) == 0 {
		t.Errorf("the registry through the other server (sharing the key): %q %v", body, err)
	}
}

// TestStore_Put: what a county moving from another store puts in is kept as it was,
// and putting it again changes nothing.
func TestStore_Put(t *testing.T) {
	ctx := t.Context()
	clock := clockwork.NewFakeClockAt(countytest.Start)
	s := mustOpen(t, clock)
	seen := countytest.Start.Add(-time.Hour)
	st := county.Station{ID: "st-0007-abcd", Name: "东风镇", SecretHash: county.HashSecret("s3cret"), CreatedAt: countytest.Start.Add(-48 * time.Hour),
		KeyID: "key-1", Version: "1.2.3", LastSeen: &seen, Pending: 4, DeadLetters: 1, Contiguous: 3,
		Received: map[string]int{"ticket.issued": 3}, Total: 3}
	for range 2 {
		if err := s.PutStation(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Stations(ctx)
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], st) {
		t.Fatalf("stations %+v %v, want %+v", got, err, st)
	}
	if _, err := s.Authenticate(ctx, st.ID, "s3cret"); err != nil {
		t.Errorf("the secret put: %v", err)
	}
	if next, _, err := s.AddStation(ctx, "西山乡"); err != nil || next.ID[:8] != "st-0008-" {
		t.Errorf("a station enrolled after: %+v %v, want number 8", next, err)
	}
	wantConflict := s.PutStation(ctx, county.Station{ID: "st-0009-abcd", Name: "东风镇", CreatedAt: countytest.Start})
	if backend.ErrorCode(wantConflict) != backend.ECONFLICT {
		t.Errorf("a second station of one name: %v", wantConflict)
	}

	u := county.User{Name: "王科长", PINHash: mustHash(t, "258013"), CreatedAt: countytest.Start}
	for range 2 {
		if err := s.PutUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Login(ctx, "王科长", "258013"); err != nil {
		t.Errorf("login with the PIN hash put: %v", err)
	}

	rec := county.DatasetRecord{Name: wire.RefCatalog, Version: "v-old", Seq: 3, ImportedAt: countytest.Start,
		ImportedBy: "王科长", Source: "c.json", Items: 1, Body: backend.DefaultCatalogJSON()}
	for range 2 {
		if err := s.PutDataset(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if etag, body, err := s.CurrentDataset(ctx, wire.RefCatalog); err != nil || etag != wire.ETag("v-old") || len(body) == 0 {
		t.Errorf("current catalog %q %v", etag, err)
	}
	if ds, err := s.Datasets(ctx); err != nil || len(ds) != 1 || ds[0] != rec.Info() {
		t.Errorf("datasets %+v %v, want %+v", ds, err, rec.Info())
	}
	if backend.ErrorCode(s.PutDataset(ctx, county.DatasetRecord{Name: "people", Seq: 1})) != backend.ENOTFOUND {
		t.Error("a data set of another name was put")
	}
}

func mustHash(t *testing.T, pin string) string {
	t.Helper()
	h, err := backend.HashPIN(pin)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestStore_PutEntries: entries put twice are added once, and give the figures,
// entries and marks that the same entries pushed give.
func TestStore_PutEntries(t *testing.T) {
	ctx := t.Context()
	clock := clockwork.NewFakeClockAt(countytest.Start)
	pushed, put := mustOpen(t, clock), mustOpen(t, clock)
	a, _, err := pushed.AddStation(ctx, "东风镇")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := put.AddStation(ctx, "东风镇")
	if err != nil {
		t.Fatal(err)
	}
	issued, called := countytest.Start.Add(-10*time.Minute).Format(time.RFC3339), countytest.Start.Format(time.RFC3339)
	var entries []wire.Entry
	for i := range 40 {
		e := wire.Entry{ID: fmt.Sprintf("e%d", i), Seq: uint64(i + 1), StationID: "key-1", At: countytest.Start.Add(time.Duration(i) * time.Second)}
		switch i % 4 {
		case 0:
			e.Kind, e.Data = "ticket.issued", fmt.Appendf(nil, `{"id":"t%d","date":"2026-11-2%d"}`, i/4, 3+(i/4)%2)
		case 1, 2: // called twice: counted once
			e.Kind = "ticket.call"
			e.Data = fmt.Appendf(nil, `{"id":"t%d","date":"2026-11-23","issued_at":%q,"called_at":%q}`, i/4, issued, called)
		default:
			e.Kind, e.Data = "visit.created", []byte(`{"date":"2026-11-23"}`)
		}
		entries = append(entries, e)
	}
	gap := entries[:len(entries)-5] // sequences 36 to 40 come later, 35 last of all
	gap = append(gap[:34:34], entries[35:]...)
	if _, err := pushed.Ingest(ctx, a.ID, &county.Push{PushHeader: wire.PushHeader{Station: "key-1"}, Entries: gap}); err != nil {
		t.Fatal(err)
	}
	if _, err := pushed.Ingest(ctx, a.ID, &county.Push{PushHeader: wire.PushHeader{Station: "key-1"}, Entries: entries[34:35]}); err != nil {
		t.Fatal(err)
	}
	stored := func(es []wire.Entry) []county.StoredEntry {
		var out []county.StoredEntry
		for _, e := range es {
			out = append(out, county.StoredEntry{Entry: e, ReceivedAt: countytest.Start})
		}
		return out
	}
	for i, want := range []int{len(gap), 1, 0} {
		part := stored(gap)
		if i > 0 {
			part = stored(entries)
		}
		if n, err := put.PutEntries(ctx, b.ID, part); err != nil || n != want {
			t.Fatalf("put %d: %d added %v, want %d", i, n, err, want)
		}
	}
	for _, date := range []string{"2026-11-23", "2026-11-24"} {
		pd, _ := county.Day(ctx, pushed, date)
		gd, _ := county.Day(ctx, put, date)
		// A push's dead-letter report is no entry: migrate copies it with PutDays.
		want := pd[a.ID]
		want.DeadLetters, want.Reported = 0, false
		if !reflect.DeepEqual(want, gd[b.ID]) || gd[b.ID].Tickets == 0 {
			t.Errorf("%s: pushed %+v, put %+v", date, pd[a.ID], gd[b.ID])
		}
	}
	pe, _ := pushed.Entries(ctx, a.ID, 0, 100)
	ge, _ := put.Entries(ctx, b.ID, 0, 100)
	if !reflect.DeepEqual(pe, ge) || len(ge) != 40 {
		t.Errorf("entries differ: pushed %d, put %d", len(pe), len(ge))
	}
	ph, _ := pushed.Highest(ctx)
	gh, _ := put.Highest(ctx)
	sts, _ := put.Stations(ctx)
	if ph[a.ID] != 40 || gh[b.ID] != 40 || sts[0].Contiguous != 40 {
		t.Errorf("highest %d and %d, contiguous %d: want 40", ph[a.ID], gh[b.ID], sts[0].Contiguous)
	}
	if _, err := put.PutEntries(ctx, "st-9999-0000", stored(entries)); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("entries of an unknown station: %v", err)
	}
}

// TestStore_Days: the figures of a range of days, by station and date.
func TestStore_Days(t *testing.T) {
	ctx := t.Context()
	s := mustOpen(t, clockwork.NewFakeClockAt(countytest.Start))
	a, _, _ := s.AddStation(ctx, "东风镇")
	b, _, _ := s.AddStation(ctx, "西山乡")
	for i, st := range []*county.Station{a, b} {
		key := fmt.Sprintf("key-%d", i)
		var es []wire.Entry
		for d := range 3 + i {
			es = append(es, wire.Entry{ID: fmt.Sprintf("%d-%d", i, d), Seq: uint64(d + 1), StationID: key, Kind: "visit.created",
				At: countytest.Start, Data: fmt.Appendf(nil, `{"date":"2026-11-%d"}`, 22+d)})
		}
		if _, err := s.Ingest(ctx, st.ID, &county.Push{PushHeader: wire.PushHeader{Station: key}, Entries: es}); err != nil {
			t.Fatal(err)
		}
	}
	days, err := county.Days(ctx, s, "2026-11-23", "2026-11-25")
	if err != nil {
		t.Fatal(err)
	}
	if len(days[a.ID]) != 2 || len(days[b.ID]) != 3 || days[a.ID]["2026-11-24"].Visits != 1 || days[b.ID]["2026-11-25"].Visits != 1 {
		t.Errorf("days %+v", days)
	}
	if _, ok := days[a.ID]["2026-11-22"]; ok {
		t.Errorf("a day before the range: %+v", days)
	}
}
