package postgres_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"bingzhan/backend/report"
	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	"bingzhan/sync/county/countytest"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"

	"github.com/jonboulle/clockwork"
)

// randomPush makes a push for station key from small pools of sequences, ids,
// tickets and days, so that retries, held records, taken sequences, ids of the other
// station, discard markers and repeats within one push all come up.
func randomPush(r *rand.Rand, key string) *county.Push {
	p := &county.Push{PushHeader: wire.PushHeader{Station: key, Pending: r.IntN(20), DeadLetters: r.IntN(3)}}
	for range 1 + r.IntN(8) {
		e := wire.Entry{ID: fmt.Sprintf("id-%d", r.IntN(100)), Seq: uint64(1 + r.IntN(40)), StationID: key,
			At: countytest.Start.Add(time.Duration(r.IntN(1e9))), Data: []byte(`{}`)}
		date := fmt.Sprintf("2026-11-%d", 23+r.IntN(2))
		ticket := fmt.Sprintf("t%d", r.IntN(6))
		switch r.IntN(5) {
		case 0:
			e.Kind, e.Data = "ticket.issued", fmt.Appendf(nil, `{"id":%q,"date":%q}`, ticket, date)
		case 1:
			e.Kind = "ticket.call"
			e.Data = fmt.Appendf(nil, `{"id":%q,"date":%q,"issued_at":"2026-11-23T08:00:00Z","called_at":"2026-11-23T08:%02d:00Z"}`,
				ticket, date, r.IntN(60))
		case 2:
			e.Kind, e.Data = "visit.created", fmt.Appendf(nil, `{"date":%q}`, date)
		case 3:
			e.Kind, e.Data = wire.KindDiscarded, []byte(`{"discarded_id":"x"}`)
		default:
			e.Kind = "ledger.other"
		}
		if r.IntN(20) == 0 {
			e.Seq = 0 // refused
		}
		p.Entries = append(p.Entries, e)
	}
	return p
}

// TestIngest_SameAsBolt sends the same random pushes to a bbolt store and this one and
// wants the same answers, and the same stations, figures and entries after.
func TestIngest_SameAsBolt(t *testing.T) {
	ctx := t.Context()
	clock := clockwork.NewFakeClockAt(countytest.Start)
	pg := mustOpen(t, clock)
	bolt, err := countybolt.Open(t.TempDir(), countybolt.Options{ReadSheet: report.ParseSheet, Clock: clock, Logger: synctest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer bolt.Close()
	stores := []county.Store{bolt, pg}
	ids := make([][]string, 2) // by store, station ids in order
	for _, name := range []string{"东风镇", "西山乡"} {
		for i, s := range stores {
			st, _, err := s.AddStation(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = append(ids[i], st.ID)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]int{} // what the answers said, to prove the pushes tried every case
	for n := range 400 {
		station := r.IntN(2)
		req := randomPush(r, fmt.Sprintf("key-%d", station))
		var answers [2]*wire.PushResponse
		for i, s := range stores {
			if answers[i], err = s.Ingest(ctx, ids[i][station], req); err != nil {
				t.Fatalf("push %d: %v", n, err)
			}
		}
		if !reflect.DeepEqual(answers[0], answers[1]) {
			t.Fatalf("push %d %+v:\nbolt     %+v\npostgres %+v", n, req.Entries, answers[0], answers[1])
		}
		for i, res := range answers[0].Results {
			switch {
			case res.Held != 0:
				seen["held"]++
			case res.Renumber:
				seen["renumber"]++
			case res.Message == county.RejectIDElsewhere:
				seen["elsewhere"]++
			case res.Status == wire.Accepted && req.Entries[i].Kind == wire.KindDiscarded:
				seen["discard"]++
			default:
				seen[res.Status]++
			}
		}
		clock.Advance(time.Second)
	}
	for _, c := range []string{wire.Accepted, wire.Duplicate, wire.Rejected, "held", "renumber", "elsewhere", "discard"} {
		if seen[c] == 0 {
			t.Errorf("no %s answer in %v: the pushes miss a case", c, seen)
		}
	}
	t.Logf("answers: %v", seen)
	boltStations, _ := bolt.Stations(ctx)
	pgStations, _ := pg.Stations(ctx)
	for i := range boltStations {
		b, p := boltStations[i], pgStations[i]
		b.ID, b.SecretHash, p.ID, p.SecretHash = "", nil, "", nil
		if !reflect.DeepEqual(b, p) {
			t.Errorf("station %d:\nbolt     %+v\npostgres %+v", i, b, p)
		}
	}
	for _, date := range []string{"2026-11-23", "2026-11-24"} {
		bd, _ := county.Day(ctx, bolt, date)
		pd, _ := county.Day(ctx, pg, date)
		for i := range 2 {
			if !reflect.DeepEqual(bd[ids[0][i]], pd[ids[1][i]]) {
				t.Errorf("%s station %d: bolt %+v, postgres %+v", date, i, bd[ids[0][i]], pd[ids[1][i]])
			}
		}
	}
	bh, _ := bolt.Highest(ctx)
	ph, _ := pg.Highest(ctx)
	for i := range 2 {
		be, _ := bolt.Entries(ctx, ids[0][i], 0, 100)
		pe, _ := pg.Entries(ctx, ids[1][i], 0, 100)
		if !reflect.DeepEqual(be, pe) || len(be) == 0 {
			t.Errorf("station %d entries:\nbolt     %+v\npostgres %+v", i, be, pe)
		}
		bn, bids, _ := bolt.EntryCount(ctx, ids[0][i])
		pn, pids, _ := pg.EntryCount(ctx, ids[1][i])
		if bn != pn || bids != pids || bh[ids[0][i]] != ph[ids[1][i]] {
			t.Errorf("station %d: bolt %d entries %d ids highest %d, postgres %d %d %d", i, bn, bids, bh[ids[0][i]], pn, pids, ph[ids[1][i]])
		}
	}
}
