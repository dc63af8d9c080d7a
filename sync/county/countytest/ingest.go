package countytest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"

	"github.com/jonboulle/clockwork"
)

// wantResult fails t unless r has this status and code.
func wantResult(t *testing.T, what string, r wire.Result, status, code string) {
	t.Helper()
	if r.Status != status || r.Code != code {
		t.Errorf("%s: %+v, want %s %q", what, r, status, code)
	}
}

func testIngest(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	st, _ := mustStation(t, s, "东风镇")
	resp := push(t, s, st.ID,
		entry(1, "a", "ticket.issued", `{"id":"t1","date":"2026-11-23"}`),
		entry(2, "b", "ledger.future_thing", `{"n":1}`), // kinds the county does not know are stored
		entry(0, "z", "ticket.issued", `{}`),            // no sequence
		entry(3, "", "ticket.issued", `{}`),             // no id
		entry(3, "y", "Ticket Issued", `{}`),            // no kind
		entry(3, "x", "ticket.issued", `[1]`),           // data not an object
		wire.Entry{ID: "w", Seq: 3, StationID: "key-2", Kind: "visit.created", At: Start, Data: []byte(`{}`)},
	)
	for i, want := range []struct{ status, code string }{
		{wire.Accepted, ""}, {wire.Accepted, ""},
		{wire.Rejected, backend.EINVALID}, {wire.Rejected, backend.EINVALID}, {wire.Rejected, backend.EINVALID},
		{wire.Rejected, backend.EINVALID}, {wire.Rejected, backend.EINVALID},
	} {
		wantResult(t, fmt.Sprintf("entry %d", i), resp.Results[i], want.status, want.code)
	}
	if !resp.ReceivedAt.Equal(Start) || resp.Contiguous != 2 || resp.Highest != 2 {
		t.Errorf("answer %+v, want received at the clock's time, contiguous and highest 2", resp)
	}
	got, err := s.Entries(ctx, st.ID, 1, 10)
	if err != nil || len(got) != 2 || got[0].ID != "a" || string(got[1].Data) != `{"n":1}` || !got[0].At.Equal(Start) {
		t.Fatalf("stored %+v %v", got, err)
	}
	if n, ids, err := s.EntryCount(ctx, st.ID); err != nil || n != 2 || ids != 2 {
		t.Errorf("count %d entries %d ids %v, want 2 and 2", n, ids, err)
	}
	v := stationByID(t, s, st.ID)
	if v.Total != 2 || v.Received["ticket.issued"] != 1 || v.Received["ledger.future_thing"] != 1 || v.LastSeen == nil ||
		!v.LastSeen.Equal(Start) || v.Contiguous != 2 {
		t.Errorf("station after the push: %+v", v)
	}
	_, err = s.Ingest(ctx, "st-9999-0000", &county.Push{PushHeader: wire.PushHeader{Station: "key-1"}})
	wantCode(t, "an unknown station", err, backend.EUNAUTHORIZED)

	// A discard marker whose sequence holds another entry is kept apart, once.
	marker := entry(1, "m", wire.KindDiscarded, `{"discarded_id":"x"}`)
	wantResult(t, "discard marker", push(t, s, st.ID, marker).Results[0], wire.Accepted, "")
	wantResult(t, "discard marker again", push(t, s, st.ID, marker).Results[0], wire.Duplicate, "")
	if v := stationByID(t, s, st.ID); v.Received[wire.KindDiscarded] != 1 || v.Total != 2 {
		t.Errorf("after the marker: %+v", v)
	}
}

// testIngestRetry: a push sent again (its answer lost) changes nothing.
func testIngestRetry(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	st, _ := mustStation(t, s, "东风镇")
	entries := []wire.Entry{
		entry(1, "a", "ticket.issued", `{"id":"t1","date":"2026-11-23"}`),
		entry(2, "b", "visit.created", `{"date":"2026-11-23"}`),
	}
	first := push(t, s, st.ID, entries...)
	clock.Advance(time.Minute)
	again := push(t, s, st.ID, entries...)
	for i := range entries {
		wantResult(t, "first", first.Results[i], wire.Accepted, "")
		wantResult(t, "again", again.Results[i], wire.Duplicate, "")
	}
	if again.Contiguous != 2 || again.Highest != 2 {
		t.Errorf("retry answer %+v", again)
	}
	if n, ids, _ := s.EntryCount(ctx, st.ID); n != 2 || ids != 2 {
		t.Errorf("%d entries %d ids after a retry, want 2 and 2", n, ids)
	}
	v := stationByID(t, s, st.ID)
	if v.Total != 2 || v.Received["ticket.issued"] != 1 {
		t.Errorf("counted twice: %+v", v)
	}
	day, err := county.Day(ctx, s, "2026-11-23")
	if err != nil || day[st.ID].Tickets != 1 || day[st.ID].Visits != 1 {
		t.Errorf("day figures after a retry: %+v %v", day, err)
	}
	got, _ := s.Entries(ctx, st.ID, 1, 10)
	if len(got) != 2 || got[0].ID != "a" {
		t.Errorf("entries %+v", got)
	}
}

// testIngestUniqueness: (station, seq) and entry id are both permanent unique keys.
func testIngestUniqueness(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	st, _ := mustStation(t, s, "东风镇")
	push(t, s, st.ID, entry(1, "a", "ticket.issued", `{}`), entry(2, "b", "ticket.issued", `{}`))

	taken := push(t, s, st.ID, entry(2, "x", "ticket.issued", `{}`)).Results[0]
	wantResult(t, "a sequence holding another entry", taken, wire.Rejected, backend.ECONFLICT)
	if !taken.Renumber || taken.Message == "" {
		t.Errorf("a taken sequence must ask a protocol-2 station to renumber: %+v", taken)
	}
	held := push(t, s, st.ID, entry(5, "a", "ticket.issued", `{}`)).Results[0]
	wantResult(t, "a record held under another sequence", held, wire.Duplicate, "")
	if held.Held != 1 {
		t.Errorf("held at %d, want 1", held.Held)
	}
	heldTaken := push(t, s, st.ID, entry(2, "a", "ticket.issued", `{}`)).Results[0]
	wantResult(t, "a held record under a taken sequence", heldTaken, wire.Duplicate, "")
	if heldTaken.Held != 1 {
		t.Errorf("held at %d, want 1", heldTaken.Held)
	}

	other, _ := mustStation(t, s, "西山乡")
	e := entry(1, "a", "ticket.issued", `{}`)
	e.StationID = "key-9"
	resp, err := s.Ingest(ctx, other.ID, &county.Push{PushHeader: wire.PushHeader{Station: "key-9"}, Entries: []wire.Entry{e}})
	if err != nil {
		t.Fatal(err)
	}
	r := resp.Results[0]
	wantResult(t, "another station's entry id", r, wire.Rejected, backend.ECONFLICT)
	if r.Renumber || r.Held != 0 || resp.Highest != 0 {
		t.Errorf("another station's id: %+v, highest %d", r, resp.Highest)
	}
	if n, ids, _ := s.EntryCount(ctx, other.ID); n != 0 || ids != 2 {
		t.Errorf("%d entries for the other station, %d ids in all; want 0 and 2", n, ids)
	}
}

// testIngestContiguous: Contiguous is the highest sequence below which none is missing.
func testIngestContiguous(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	st, _ := mustStation(t, s, "东风镇")
	resp := push(t, s, st.ID, entry(1, "a", "visit.created", `{}`), entry(2, "b", "visit.created", `{}`),
		entry(4, "d", "visit.created", `{}`))
	if resp.Contiguous != 2 || resp.Highest != 4 {
		t.Fatalf("contiguous %d highest %d, want 2 and 4", resp.Contiguous, resp.Highest)
	}
	if h, err := s.Highest(ctx); err != nil || h[st.ID] != 4 || len(h) != 1 {
		t.Errorf("highest %v %v", h, err)
	}
	resp = push(t, s, st.ID, entry(3, "c", "visit.created", `{}`))
	if resp.Contiguous != 4 || resp.Highest != 4 {
		t.Errorf("after the gap is filled: contiguous %d highest %d, want 4 and 4", resp.Contiguous, resp.Highest)
	}
	if v := stationByID(t, s, st.ID); v.Contiguous != 4 {
		t.Errorf("station contiguous %d", v.Contiguous)
	}
	empty, _ := mustStation(t, s, "西山乡")
	if h, _ := s.Highest(ctx); h[empty.ID] != 0 {
		t.Errorf("a station without entries has highest %d", h[empty.ID])
	}
}

// testIngestStationKey: the first push binds the enrolment to a station key.
func testIngestStationKey(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	st, _ := mustStation(t, s, "东风镇")
	push(t, s, st.ID, entry(1, "a", "visit.created", `{}`))
	e := entry(2, "b", "visit.created", `{}`)
	e.StationID = "key-2"
	_, err := s.Ingest(ctx, st.ID, &county.Push{PushHeader: wire.PushHeader{Station: "key-2"}, Entries: []wire.Entry{e}})
	wantCode(t, "a second station key on one enrolment", err, backend.ECONFLICT)
	if n, _, _ := s.EntryCount(ctx, st.ID); n != 1 {
		t.Errorf("%d entries stored, want the refused push to store none", n)
	}
}

// testIngestBacklog: the station's backlog is what it reported less what it delivered.
func testIngestBacklog(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	st, _ := mustStation(t, s, "东风镇")
	oldest := Start.Add(-time.Hour)
	req := &county.Push{PushHeader: wire.PushHeader{Station: "key-1", Pending: 5, OldestPending: &oldest, DeadLetters: 1,
		Version: "1.2.3"}, Entries: []wire.Entry{entry(1, "a", "visit.created", `{}`), entry(2, "b", "visit.created", `{}`)}}
	if _, err := s.Ingest(ctx, st.ID, req); err != nil {
		t.Fatal(err)
	}
	v := stationByID(t, s, st.ID)
	if v.Pending != 3 || v.OldestPending == nil || !v.OldestPending.Equal(oldest) || v.DeadLetters != 1 || v.Version != "1.2.3" {
		t.Errorf("backlog %+v, want 3 pending since %v, 1 dead letter", v, oldest)
	}
	req.Pending, req.Entries = 2, []wire.Entry{entry(3, "c", "visit.created", `{}`), entry(4, "d", "visit.created", `{}`)}
	if _, err := s.Ingest(ctx, st.ID, req); err != nil {
		t.Fatal(err)
	}
	if v := stationByID(t, s, st.ID); v.Pending != 0 || v.OldestPending != nil {
		t.Errorf("all delivered, yet %+v", v)
	}
}

// testIngestCancelled: a push whose caller gave up (a station that hung up, a
// deadline passed) fails with the context's error and stores none of it: no entry, no
// id, no figure, no key binding, no last-seen time. The same push sent again is taken
// as new.
func testIngestCancelled(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	st, _ := mustStation(t, s, "东风镇")
	entries := []wire.Entry{
		entry(1, "a", "ticket.issued", `{"id":"t1","date":"2026-11-23"}`),
		entry(2, "b", "visit.created", `{"date":"2026-11-23"}`),
	}
	req := &county.Push{PushHeader: wire.PushHeader{Station: "key-1", Pending: 2}, Entries: entries}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	resp, err := s.Ingest(cancelled, st.ID, req)
	if err == nil || !errors.Is(err, context.Canceled) || resp != nil {
		t.Fatalf("a push with a cancelled context: %+v %v, want no answer and context.Canceled", resp, err)
	}
	ctx := t.Context()
	if n, ids, err := s.EntryCount(ctx, st.ID); err != nil || n != 0 || ids != 0 {
		t.Errorf("%d entries %d ids %v after a cancelled push, want none", n, ids, err)
	}
	if got, err := s.Entries(ctx, st.ID, 0, 10); err != nil || len(got) != 0 {
		t.Errorf("entries %+v %v after a cancelled push, want none", got, err)
	}
	if hi, err := s.Highest(ctx); err != nil || hi[st.ID] != 0 {
		t.Errorf("highest %+v %v after a cancelled push, want none for the station", hi, err)
	}
	if day, err := county.Day(ctx, s, "2026-11-23"); err != nil || len(day) != 0 {
		t.Errorf("day figures %+v %v after a cancelled push, want none", day, err)
	}
	if v := stationByID(t, s, st.ID); v.Total != 0 || len(v.Received) != 0 || v.KeyID != "" || v.LastSeen != nil || v.Pending != 0 {
		t.Errorf("station after a cancelled push: %+v, want it as enrolled", v)
	}
	again := push(t, s, st.ID, entries...)
	for i := range entries {
		wantResult(t, fmt.Sprintf("entry %d sent again", i), again.Results[i], wire.Accepted, "")
	}
}

func testDayFigures(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	st, _ := mustStation(t, s, "东风镇")
	issued := Start.Add(-10 * time.Minute).Format(time.RFC3339)
	called := Start.Format(time.RFC3339)
	call := func(seq uint64, id, ticket string) wire.Entry {
		return entry(seq, id, "ticket.call", fmt.Sprintf(`{"id":%q,"date":"2026-11-23","issued_at":%q,"called_at":%q}`, ticket, issued, called))
	}
	push(t, s, st.ID,
		entry(1, "a", "ticket.issued", `{"id":"t1","date":"2026-11-23"}`),
		entry(2, "b", "ticket.issued", `{"id":"t2","date":"2026-11-23"}`),
		call(3, "c", "t1"),
		call(4, "d", "t1"), // called again after a no-show: waited once
		entry(5, "e", "visit.created", `{"date":"2026-11-23"}`),
		entry(6, "f", "ticket.issued", `{"id":"t3","date":"2026-11-24"}`),
		entry(7, "g", "ticket.call", `{"id":"t2"}`), // no times: counted by kind only
	)
	day, err := county.Day(ctx, s, "2026-11-23")
	if err != nil {
		t.Fatal(err)
	}
	d := day[st.ID]
	if d.Tickets != 2 || d.Visits != 1 || d.Called != 1 || d.WaitSumS != 600 || d.WaitMaxS != 600 {
		t.Errorf("2026-11-23: %+v", d)
	}
	if next, _ := county.Day(ctx, s, "2026-11-24"); next[st.ID].Tickets != 1 || len(next) != 1 {
		t.Errorf("2026-11-24: %+v", next)
	}
	if none, _ := county.Day(ctx, s, "2026-11-25"); len(none) != 0 {
		t.Errorf("a day without figures: %+v", none)
	}
	// A second push adds to the same day.
	push(t, s, st.ID, call(8, "h", "t2"))
	if day, _ := county.Day(ctx, s, "2026-11-23"); day[st.ID].Called != 2 || day[st.ID].WaitSumS != 1200 {
		t.Errorf("after another call: %+v", day[st.ID])
	}
}

func testEntries(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	st, _ := mustStation(t, s, "东风镇")
	var es []wire.Entry
	for i := uint64(1); i <= 5; i++ {
		es = append(es, entry(i, fmt.Sprintf("e%d", i), "visit.created", `{}`))
	}
	odd := entry(6, "q\"é<\\", "ticket.issued", `{"note":"换行\n"}`)
	push(t, s, st.ID, append(es, odd)...)
	got, err := s.Entries(ctx, st.ID, 2, 3)
	if err != nil || len(got) != 3 || got[0].Seq != 2 || got[2].Seq != 4 {
		t.Fatalf("from 2, 3 of them: %+v %v", got, err)
	}
	got, _ = s.Entries(ctx, st.ID, 6, 10)
	if len(got) != 1 || got[0].ID != odd.ID || string(got[0].Data) != string(odd.Data) || got[0].StationID != "key-1" {
		t.Errorf("stored as sent: %+v, sent %+v", got, odd)
	}
	if got, err := s.Entries(ctx, "st-9999-0000", 0, 10); err != nil || len(got) != 0 {
		t.Errorf("an unknown station: %+v %v", got, err)
	}
}
