package bolt_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
)

func TestVisitService_Search(t *testing.T) {
	dir, k := t.TempDir(), MustKeys(t)
	l := mustLedgerAt(t, dir, k)
	p := registryPeople
	a := l.kiosk(t, p[0].IDNumber, "13812345678", backend.RelationSelf, "B1")             // 张三
	b := l.kiosk(t, p[1].IDNumber, "13900001111", backend.RelationSelf, "D2")             // 单伟
	c := l.kiosk(t, p[2].IDNumber, "15000005678", backend.RelationParent, "B5")           // 张思远, another phone ending 5678
	d := l.kiosk(t, p[3].IDNumber, "18600003333", backend.RelationSelf, "A1")             // 欧阳娜娜
	e := l.kiosk(t, notInRegistry, "13600004444", backend.RelationSelf, "A2")             // unnamed
	l.update(t, e.ID, backend.VisitPatch{VisitorName: ptr("Smith 约翰")}, "王芳")             // a visitor's name counts too
	l.update(t, d.ID, backend.VisitPatch{VisitorName: ptr("Alexander Montgomery")}, "王芳") // initials longer than 12 letters
	l.update(t, a.ID, backend.VisitPatch{Outcome: ptr("handled"), Close: true}, "王芳")     // closed
	l.update(t, b.ID, backend.VisitPatch{FollowUp: ptr("2026-11-20")}, "王芳")              // due
	l.update(t, c.ID, backend.VisitPatch{FollowUp: ptr("2026-12-20")}, "王芳")              // not yet
	l.Clock.Advance(48 * time.Hour)
	f := l.kiosk(t, p[0].IDNumber, "13812345678", backend.RelationSelf, "A1") // 张三 again, two days later

	cases := []struct {
		name string
		f    backend.VisitFilter
		want []string
	}{
		{"all, newest first", backend.VisitFilter{}, []string{f.Serial, e.Serial, d.Serial, c.Serial, b.Serial, a.Serial}},
		{"initials zs", backend.VisitFilter{Query: "zs"}, []string{f.Serial, c.Serial, a.Serial}},
		{"initials ZSY, upper case", backend.VisitFilter{Query: "ZSY"}, []string{c.Serial}},
		{"initials of a surname read another way: 单 shan", backend.VisitFilter{Query: "sw"}, []string{b.Serial}},
		{"and the usual reading: 单 dan", backend.VisitFilter{Query: "dw"}, []string{b.Serial}},
		{"compound surname", backend.VisitFilter{Query: "oynn"}, []string{d.Serial}},
		{"latin letters in a visitor's name", backend.VisitFilter{Query: "smithy"}, []string{e.Serial}},
		{"part of a name", backend.VisitFilter{Query: "思远"}, []string{c.Serial}},
		{"long initials", backend.VisitFilter{Query: "alexandermont"}, []string{d.Serial}},
		{"long initials, another name of the visit", backend.VisitFilter{Query: "oy"}, []string{d.Serial}},
		{"surname", backend.VisitFilter{Query: "张"}, []string{f.Serial, c.Serial, a.Serial}},
		{"last four", backend.VisitFilter{Query: "5678"}, []string{f.Serial, c.Serial, a.Serial}},
		{"whole phone", backend.VisitFilter{Query: "150 0000 5678"}, []string{c.Serial}},
		{"ID number", backend.VisitFilter{Query: "11010519491231002x"}, []string{f.Serial, a.Serial}},
		{"ID number nobody has", backend.VisitFilter{Query: "110105196001010017"}, nil},
		{"open", backend.VisitFilter{Status: "open", Query: "zs"}, []string{f.Serial, c.Serial}},
		{"closed", backend.VisitFilter{Status: "closed"}, []string{a.Serial}},
		{"follow-up due", backend.VisitFilter{FollowUpDue: true}, []string{b.Serial}},
		{"service", backend.VisitFilter{Service: "B"}, []string{c.Serial, a.Serial}},
		{"date range", backend.VisitFilter{From: "2026-11-24", To: "2026-11-30"}, []string{f.Serial}},
		{"first day only", backend.VisitFilter{To: "2026-11-23", Query: "zs"}, []string{c.Serial, a.Serial}},
		{"page", backend.VisitFilter{Limit: 2, Offset: 1}, []string{e.Serial, d.Serial}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			if got := l.search(t, tt.f); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("Total", func(t *testing.T) {
		page, err := l.Visits(context.Background(), backend.VisitFilter{Limit: 2})
		if err != nil || page.Total != 6 || len(page.Visits) != 2 || !page.Visits[0].Masked {
			t.Fatalf("page %+v %v", page, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, f := range []backend.VisitFilter{{Query: "12345"}, {From: "2026-13-01"}, {From: "2026-11-30", To: "2026-11-01"},
			{Status: "done"}, {Service: "Z"}, {Limit: 1000}, {Offset: -1}} {
			if _, err := l.Visits(context.Background(), f); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("filter %+v: %v", f, err)
			}
		}
	})
	// The index built at start (and packed: compact) finds what the one built visit by
	// visit found, and takes new and changed visits as before.
	t.Run("SameAfterRestart", func(t *testing.T) {
		l.DB.Close()
		l2 := mustLedgerAt(t, dir, k)
		setTime(l2.Clock, l.Clock.Now())
		for _, tt := range cases {
			if got := l2.search(t, tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
			}
		}
		g := l2.kiosk(t, p[1].IDNumber, "13900001111", backend.RelationSelf, "D1")
		l2.update(t, b.ID, backend.VisitPatch{Outcome: ptr("handled"), Close: true}, "王芳")
		if got, want := l2.search(t, backend.VisitFilter{Query: "sw"}), []string{g.Serial, b.Serial}; !slices.Equal(got, want) {
			t.Errorf("after a new visit: got %v, want %v", got, want)
		}
		if got, want := l2.search(t, backend.VisitFilter{Status: "closed"}), []string{b.Serial, a.Serial}; !slices.Equal(got, want) {
			t.Errorf("after closing one: got %v, want %v", got, want)
		}
	})
	t.Run("AfterRestart", func(t *testing.T) {
		dir := t.TempDir()
		k := MustKeys(t)
		l1 := mustLedgerAt(t, dir, k)
		l1.kiosk(t, p[1].IDNumber, "13900001111", backend.RelationSelf, "D2")
		l1.DB.Close()
		l2 := mustLedgerAt(t, dir, k)
		if got := l2.search(t, backend.VisitFilter{Query: "sw"}); len(got) != 1 {
			t.Fatalf("after a restart the index finds %v", got)
		}
		l2.DB.Close()
		// Another key cannot open the records: the ledger stops instead of showing less.
		db, _ := MustOpenDBAt(t, dir)
		other := MustKeys(t)
		c, _ := other.Cipher()
		s := bolt.NewVisitService(db, "x", c, other.PersonKey)
		if err := s.Init(context.Background()); err == nil {
			t.Fatal("a ledger opened with another key")
		}
	})
}
