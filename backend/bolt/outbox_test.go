package bolt_test

import (
	"context"
	"sync/atomic"
	"testing"

	"bingzhan/backend"
)

func TestOutbox(t *testing.T) {
	ctx := context.Background()
	db, _ := MustOpenDB(t)
	var nudges atomic.Int32
	db.OnOutbox = func() { nudges.Add(1) }
	facts := []any{map[string]int{"n": 1}, map[string]int{"n": 2}, map[string]int{"n": 3}, map[string]int{"n": 4}, map[string]int{"n": 5}}
	if err := db.AppendFacts(ctx, "key-1", "test.fact", facts...); err != nil {
		t.Fatal(err)
	}
	if nudges.Load() == 0 {
		t.Fatal("a commit with outbox entries did not nudge the agent")
	}

	t.Run("Batch", func(t *testing.T) {
		for _, tc := range []struct {
			name            string
			after           uint64
			entries, bytes  int
			wantFirst, want int
		}{
			{"FromStart", 0, 2, 1 << 20, 1, 2},
			{"After", 2, 10, 1 << 20, 3, 3},
			{"BytesLimitKeepsOne", 0, 10, 1, 1, 1},
			{"PastEnd", 5, 10, 1 << 20, 0, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := db.OutboxBatch(ctx, tc.after, tc.entries, tc.bytes)
				if err != nil || len(got) != tc.want || (tc.want > 0 && got[0].Seq != uint64(tc.wantFirst)) {
					t.Fatalf("got %d entries (%v), want %d from %d", len(got), err, tc.want, tc.wantFirst)
				}
			})
		}
	})

	st, err := db.OutboxStats(ctx)
	if err != nil || st.Pending != 5 || st.OldestPending == nil || st.DeadLetters != 0 {
		t.Fatalf("stats %+v %v", st, err)
	}
	out := backend.PushOutcome{Done: []uint64{1, 2, 2}, Rejected: []backend.Rejection{{Seq: 3, Code: "invalid", Message: "bad"}}, Contiguous: 2, At: db.Clock.Now()}
	if err := db.ApplyPush(ctx, out); err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyPush(ctx, out); err != nil { // the same answer again changes nothing
		t.Fatal(err)
	}
	st, _ = db.OutboxStats(ctx)
	if st.Pending != 2 || st.DeadLetters != 1 {
		t.Fatalf("after the answer: %+v", st)
	}
	state, _ := db.SyncState(ctx)
	if state.LastSuccess == nil || state.Contiguous != 2 || state.LastError != nil {
		t.Fatalf("sync state %+v", state)
	}
	if err := db.RecordSyncError(ctx, db.Clock.Now(), backend.Errorf(backend.EUNAVAILABLE, "sync.timeout")); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.SyncStatus(ctx); s.State != backend.SyncNotEnrolled || s.Last.FailingSince == nil {
		t.Fatalf("status %+v", s)
	}

	t.Run("RetryKeepsSequence", func(t *testing.T) {
		if err := db.RetryDeadLetter(ctx, 3); err != nil {
			t.Fatal(err)
		}
		got, _ := db.OutboxBatch(ctx, 0, 10, 1<<20)
		if len(got) != 3 || got[0].Seq != 3 {
			t.Fatalf("outbox after retry: %d entries from %d", len(got), got[0].Seq)
		}
		if err := db.RetryDeadLetter(ctx, 3); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Fatalf("second retry: %v", err)
		}
	})
	t.Run("CountSurvivesReopen", func(t *testing.T) {
		if err := db.AppendFacts(ctx, "key-1", "test.fact", map[string]int{"n": 6}); err != nil {
			t.Fatal(err)
		}
		st, _ := db.OutboxStats(ctx)
		all, _ := db.OutboxEntries(ctx, 0, 100)
		if st.Pending != len(all) || st.Pending != 4 {
			t.Fatalf("count %d, entries %d", st.Pending, len(all))
		}
		if all[len(all)-1].Seq != 6 {
			t.Fatalf("a new entry took sequence %d, want 6: sequences are never reused", all[len(all)-1].Seq)
		}
	})
}

func TestEnrol(t *testing.T) {
	ctx := context.Background()
	db, _ := MustOpenDB(t)
	if e, err := db.Enrolment(ctx); e != nil || err != nil {
		t.Fatalf("fresh station enrolled: %+v %v", e, err)
	}
	e := backend.Enrolment{CountyURL: "https://c:1", StationID: "st-1", Secret: "s"}
	if err := db.Enrol(ctx, e); err != nil {
		t.Fatal(err)
	}
	db.ApplyPush(ctx, backend.PushOutcome{Contiguous: 9, At: db.Clock.Now()})
	if err := db.Enrol(ctx, e); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.SyncState(ctx); st.Contiguous != 9 {
		t.Fatal("enrolling again with the same file reset the sync state")
	}
	e.StationID = "st-2"
	db.Enrol(ctx, e)
	if st, _ := db.SyncState(ctx); st.Contiguous != 0 || st.LastSuccess != nil {
		t.Fatalf("a new county registration kept the old state: %+v", st)
	}
	if got, _ := db.Enrolment(ctx); got == nil || got.StationID != "st-2" || got.EnrolledAt.IsZero() {
		t.Fatalf("enrolment %+v", got)
	}
}
