package bolt_test

import (
	"context"
	"encoding/json"
	"testing"

	"bingzhan/backend"
)

// TestOutboxRenumber applies answers in which the county says some sequences hold
// other records: those entries move above the county's highest sequence and the
// station's own, keeping ids and order, and new facts follow them.
func TestOutboxRenumber(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		highest uint64
		want    []uint64 // sequences of the entries first at 2, 4, 5 (and 3, left alone)
		next    uint64   // the next fact's sequence
	}{
		{"CountyAhead", 40, []uint64{41, 42, 43}, 44},
		{"StationAhead", 5, []uint64{7, 8, 9}, 10}, // 6 is a dead letter's
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := MustOpenDB(t)
			facts := make([]any, 6)
			for i := range facts {
				facts[i] = map[string]int{"n": i + 1}
			}
			if err := db.AppendFacts(ctx, "key-1", "test.fact", facts...); err != nil {
				t.Fatal(err)
			}
			before := entriesBySeq(t, db)
			err := db.ApplyPush(ctx, backend.PushOutcome{
				Done:     []uint64{1},
				Rejected: []backend.Rejection{{Seq: 6, Code: "invalid", Message: "bad"}},
				Misplaced: []backend.Misplaced{{Seq: 5, ID: before[5].ID}, {Seq: 2, ID: before[2].ID},
					{Seq: 4, ID: before[4].ID}, {Seq: 3, ID: "not-the-entry-sent"}},
				Highest: tc.highest, At: db.Clock.Now(),
			})
			if err != nil {
				t.Fatal(err)
			}
			after := entriesBySeq(t, db)
			if len(after) != 4 || after[3].ID != before[3].ID {
				t.Fatalf("outbox after renumbering: %+v", after)
			}
			for i, old := range []uint64{2, 4, 5} {
				got := after[tc.want[i]]
				if got.ID != before[old].ID || got.Seq != tc.want[i] || string(got.Data) != string(before[old].Data) || got.Kind != before[old].Kind {
					t.Fatalf("entry first at %d: at %d we find %+v", old, tc.want[i], got)
				}
			}
			st, err := db.OutboxStats(ctx)
			if err != nil || st.Pending != 4 || st.DeadLetters != 1 {
				t.Fatalf("stats %+v %v", st, err)
			}
			if err := db.AppendFacts(ctx, "key-1", "test.fact", map[string]int{"n": 7}); err != nil {
				t.Fatal(err)
			}
			if e, ok := entriesBySeq(t, db)[tc.next]; !ok || !json.Valid(e.Data) || string(e.Data) != `{"n":7}` {
				t.Fatalf("the next fact is not at %d: %+v", tc.next, entriesBySeq(t, db))
			}
			// The dead letter keeps its sequence; retrying it collides with nothing.
			if err := db.RetryDeadLetter(ctx, 6); err != nil {
				t.Fatal(err)
			}
			if n := len(entriesBySeq(t, db)); n != 6 {
				t.Fatalf("%d entries after retry, want 6", n)
			}
		})
	}
}

func entriesBySeq(t *testing.T, db interface {
	OutboxEntries(ctx context.Context, from uint64, limit int) ([]backend.OutboxEntry, error)
}) map[uint64]backend.OutboxEntry {
	t.Helper()
	all, err := db.OutboxEntries(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint64]backend.OutboxEntry{}
	for _, e := range all {
		out[e.Seq] = e
	}
	return out
}
