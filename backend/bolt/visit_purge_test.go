package bolt_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"bingzhan/backend"

	bbolt "go.etcd.io/bbolt"
)

func TestVisitService_Purge(t *testing.T) {
	ctx := context.Background()
	l := mustLedger(t)
	l.RetentionDays = 365
	p := registryPeople
	oldClosed := l.kiosk(t, p[0].IDNumber, "13812345678", backend.RelationSelf, "B1")
	l.update(t, oldClosed.ID, closePatch(), "王芳")
	oldOpen := l.kiosk(t, p[1].IDNumber, "13900001111", backend.RelationSelf, "B1")
	if _, err := l.UnmaskVisit(ctx, oldClosed.ID, "核对信息", "站长"); err != nil {
		t.Fatal(err)
	}
	setTime(l.Clock, l.Clock.Now().AddDate(0, 6, 0))
	recent := l.kiosk(t, p[2].IDNumber, "15000002222", backend.RelationParent, "B1")
	l.update(t, recent.ID, closePatch(), "王芳")

	// A day short of a year: nothing goes.
	setTime(l.Clock, l.Clock.Now().AddDate(0, 6, -1))
	if n, err := l.PurgeVisits(ctx); err != nil || n != 0 {
		t.Fatalf("purged %d before time: %v", n, err)
	}
	setTime(l.Clock, l.Clock.Now().AddDate(0, 0, 2))
	n, err := l.PurgeVisits(ctx)
	if err != nil || n != 1 {
		t.Fatalf("purged %d, want 1: %v", n, err)
	}
	if _, _, err := l.Visit(ctx, oldClosed.ID); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Fatalf("the purged visit is still there: %v", err)
	}
	if got := l.search(t, backend.VisitFilter{Query: p[0].IDNumber}); len(got) != 0 {
		t.Fatalf("search still finds the purged visit: %v", got)
	}
	for _, id := range []string{oldOpen.ID, recent.ID} {
		if _, _, err := l.Visit(ctx, id); err != nil {
			t.Fatalf("an open or recent visit was purged: %v", err)
		}
	}
	if log, _ := l.AccessLog(ctx, 10); len(log) != 0 {
		t.Fatalf("the year-old access entry is still there: %+v", log)
	}
	entries, _ := l.DB.OutboxEntries(ctx, 0, 100)
	last := entries[len(entries)-1]
	var fact backend.VisitPurgeFact
	if last.Kind != backend.KindVisitPurged || json.Unmarshal(last.Data, &fact) != nil || !slices.Equal(fact.IDs, []string{oldClosed.ID}) {
		t.Fatalf("purge fact %s %s", last.Kind, last.Data)
	}
	// Its audit trail went with it.
	l.DB.Close()
	raw, err := bbolt.Open(l.DB.Path(), 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	raw.View(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("visit_audit")).ForEach(func(k, _ []byte) error {
			if bytes.HasPrefix(k, []byte(oldClosed.ID)) {
				t.Errorf("an audit entry of the purged visit survives")
			}
			return nil
		})
	})
	raw.Close()
	l2 := mustLedgerAt(t, filepath.Dir(l.DB.Path()), l.Keys)
	// Its request id may be used again: the mapping went too.
	if _, created, err := l2.RegisterVisit(ctx, backend.VisitRequest{IDNumber: p[0].IDNumber, Phone: "13812345678",
		Relation: backend.RelationSelf, Service: "B", Matter: "B1", RequestID: "kiosk-req-reuse"}, ""); err != nil || !created {
		t.Fatal(err)
	}
}

// TestVisitService_PruneLinks checks that request ids are remembered for a retry the
// next day and forgotten after, with the daily purge.
func TestVisitService_PruneLinks(t *testing.T) {
	ctx := context.Background()
	l := mustLedger(t)
	req := backend.VisitRequest{IDNumber: registryPeople[0].IDNumber, Phone: "13812345678",
		Relation: backend.RelationSelf, Service: "A", Matter: "A1", RequestID: "retry-later-1"}
	first, _, err := l.RegisterVisit(ctx, req, "")
	if err != nil {
		t.Fatal(err)
	}
	l.Clock.Advance(24 * time.Hour)
	if _, err := l.PurgeVisits(ctx); err != nil {
		t.Fatal(err)
	}
	if again, created, err := l.RegisterVisit(ctx, req, ""); err != nil || created || again.ID != first.ID {
		t.Fatalf("a retry the next day made a new visit: %v %v", created, err)
	}
	l.Clock.Advance(24 * time.Hour)
	if _, err := l.PurgeVisits(ctx); err != nil {
		t.Fatal(err)
	}
	if again, created, err := l.RegisterVisit(ctx, req, ""); err != nil || !created || again.ID == first.ID {
		t.Fatalf("a request id two days old still names the old visit: %v %v", created, err)
	}
}

// TestVisitService_RunPurge: the loop purges at start and then once per interval, so
// a visit goes when the clock passes its retention, without anyone asking.
func TestVisitService_RunPurge(t *testing.T) {
	ctx := context.Background()
	l := mustLedger(t)
	l.RetentionDays = 365
	v := l.kiosk(t, registryPeople[0].IDNumber, "13812345678", backend.RelationSelf, "B1")
	l.update(t, v.ID, closePatch(), "王芳")
	runLoop(t, func(ctx context.Context) { l.RunPurge(ctx, 24*time.Hour) })
	waitTimers(t, l.Clock, 1) // the purge at start is done
	if _, _, err := l.Visit(ctx, v.ID); err != nil {
		t.Fatalf("a visit closed today was purged: %v", err)
	}
	l.Clock.Advance(364 * 24 * time.Hour)
	waitTimers(t, l.Clock, 1)
	if _, _, err := l.Visit(ctx, v.ID); err != nil {
		t.Fatalf("purged before its retention: %v", err)
	}
	l.Clock.Advance(2 * 24 * time.Hour)
	waitTimers(t, l.Clock, 1)
	if _, _, err := l.Visit(ctx, v.ID); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Fatalf("still there after its retention: %v", err)
	}
}
