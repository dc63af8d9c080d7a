package bolt_test

import (
	"context"
	"strings"
	"testing"

	"bingzhan/backend"
)

func TestVisitService_Unmask(t *testing.T) {
	ctx := context.Background()
	l := mustLedger(t)
	v := l.kiosk(t, registryPeople[0].IDNumber, "13812345678", backend.RelationSelf, "B1")
	t.Run("ErrNoReason", func(t *testing.T) {
		for _, reason := range []string{"", " ", "x"} {
			if _, err := l.UnmaskVisit(ctx, v.ID, reason, "站长"); backend.ErrorCode(err) != backend.EINVALID {
				t.Fatalf("reason %q: %v", reason, err)
			}
		}
		if log, _ := l.AccessLog(ctx, 10); len(log) != 0 {
			t.Fatalf("a refused unmask was logged: %+v", log)
		}
	})
	t.Run("OK", func(t *testing.T) {
		got, err := l.UnmaskVisit(ctx, v.ID, "本人来电核对  证件号", "站长")
		if err != nil {
			t.Fatal(err)
		}
		if got.Masked || got.IDNumber != registryPeople[0].IDNumber || got.Phone != "13812345678" || got.Name != "张三" {
			t.Fatalf("unmasked %+v", got)
		}
		log, err := l.AccessLog(ctx, 10)
		if err != nil || len(log) != 1 {
			t.Fatalf("access log %+v %v", log, err)
		}
		if e := log[0]; e.By != "站长" || e.Action != backend.AccessUnmask || e.VisitID != v.ID || e.Serial != v.Serial || e.Reason != "本人来电核对 证件号" || !e.At.Equal(l.Clock.Now()) {
			t.Fatalf("access entry %+v", e)
		}
		entries, _ := l.DB.OutboxEntries(ctx, 0, 100)
		last := entries[len(entries)-1]
		if last.Kind != backend.KindVisitAccessed || strings.Contains(string(last.Data), "核对") || !strings.Contains(string(last.Data), "站长") {
			t.Fatalf("access fact %s %s", last.Kind, last.Data)
		}
	})
	t.Run("Export", func(t *testing.T) {
		masked, err := l.ExportVisits(ctx, backend.VisitFilter{}, "", "王芳")
		if err != nil || len(masked) != 1 || masked[0].IDNumber != "110105********002X" {
			t.Fatalf("masked export %+v %v", masked, err)
		}
		if log, _ := l.AccessLog(ctx, 10); len(log) != 1 {
			t.Fatal("a masked export was logged as an access")
		}
		clear, err := l.ExportVisits(ctx, backend.VisitFilter{Service: "B", Query: "zs"}, "县局年度核查", "站长")
		if err != nil || len(clear) != 1 || clear[0].IDNumber != registryPeople[0].IDNumber || clear[0].Masked {
			t.Fatalf("unmasked export %+v %v", clear, err)
		}
		log, _ := l.AccessLog(ctx, 10)
		if len(log) != 2 || log[0].Action != backend.AccessExport || log[0].Count != 1 || log[0].Filter != "service=B search" || log[0].Reason != "县局年度核查" {
			t.Fatalf("export access entry %+v", log[0])
		}
	})
}
