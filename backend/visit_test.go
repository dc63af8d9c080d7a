package backend_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"bingzhan/backend"
)

func TestParseQuery(t *testing.T) {
	for _, tt := range []struct {
		q, kind, value string
		err            bool
	}{
		{"", backend.QueryNone, "", false},
		{" 11010519491231002x ", backend.QueryIDNumber, "11010519491231002X", false},
		{"138 1234 5678", backend.QueryPhone, "13812345678", false},
		{"5678", backend.QueryLast4, "5678", false},
		{"ZS", backend.QueryInitials, "zs", false},
		{"张 三", backend.QueryName, "张三", false},
		{"Smith", backend.QueryInitials, "smith", false},
		{"张s", backend.QueryName, "张s", false},
		{"12345", "", "", true},
		{"567X", "", "", true},
		{"1381234567X", "", "", true},
		{"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一", "", "", true},
	} {
		kind, value, err := backend.ParseQuery(tt.q)
		if (err != nil) != tt.err || kind != tt.kind || value != tt.value {
			t.Errorf("ParseQuery(%q) = %q, %q, %v; want %q, %q, error %v", tt.q, kind, value, err, tt.kind, tt.value, tt.err)
		}
	}
}

func TestPinyinInitials(t *testing.T) {
	for _, tt := range []struct {
		name string
		want []string // each must be among the readings
	}{
		{"张三", []string{"zs"}},
		{"单伟", []string{"dw", "sw"}},
		{"曾国藩", []string{"zgf", "cgf"}},
		{"欧阳娜娜", []string{"oynn"}},
		{"买买提·艾力", []string{"mmtal"}},
		{"Smith 约翰", []string{"smithyh"}},
	} {
		got := backend.PinyinInitials(tt.name)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("PinyinInitials(%q) = %v, lacks %q", tt.name, got, w)
			}
		}
	}
	if got := backend.PinyinInitials(""); got != nil {
		t.Errorf("no name gives %v", got)
	}
	if got := backend.PinyinInitials("长长长长长长"); len(got) > 16 {
		t.Errorf("%d readings kept for one name", len(got))
	}
}

func TestVisitMatters(t *testing.T) {
	services, err := backend.DefaultServices()
	if err != nil {
		t.Fatal(err)
	}
	internal := backend.Translate("en", "internal")
	for _, svc := range services {
		ms := backend.VisitMatters(svc.Letter)
		if len(ms) != len(svc.TypicalZH)+1 || ms[len(ms)-1].Code != svc.Letter+"0" {
			t.Fatalf("service %s: matters %v", svc.Letter, ms)
		}
		for i, m := range ms[:len(ms)-1] {
			if m.NameZH != svc.TypicalZH[i] {
				t.Errorf("%s is %q, the seed says %q", m.Code, m.NameZH, svc.TypicalZH[i])
			}
			if m.NameEN == "" || m.NameEN == internal {
				t.Errorf("%s has no English name: add ledger.matter.%s to messages_ledger.go", m.Code, m.Code)
			}
		}
	}
	if _, ok := backend.FindMatter("B", "A1"); ok {
		t.Error("a matter of another service was found")
	}
}

func TestVisit_Mask(t *testing.T) {
	v := backend.Visit{IDNumber: "11010519491231002X", Phone: "13812345678", Name: "欧阳娜娜", VisitorName: "张三", Summary: "摘要"}
	v.Mask()
	v.Mask() // twice changes nothing more
	if v.IDNumber != "110105********002X" || v.Phone != "138****5678" || v.Name != "欧***" || v.VisitorName != "张*" || v.Summary != "摘要" || !v.Masked {
		t.Fatalf("masked %+v", v)
	}
}

func TestVisitPatch_Apply(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	created := time.Date(2026, 11, 23, 9, 0, 0, 0, loc)
	now := created.Add(time.Hour)
	base := backend.Visit{ID: "v", CreatedAt: created, Relation: "self", Service: "B", Matter: "B1", Version: 1}
	s := func(v string) *string { return &v }
	for _, tt := range []struct {
		name string
		p    backend.VisitPatch
		key  string // error key, "" for success
	}{
		{"OK", backend.VisitPatch{Name: s("张三"), Outcome: s("handled"), Close: true}, ""},
		{"ErrMatterOfOldService", backend.VisitPatch{Service: s("D")}, "ledger.matter"},
		{"OKNewServiceAndMatter", backend.VisitPatch{Service: s("D"), Matter: s("D2")}, ""},
		{"ErrOutcome", backend.VisitPatch{Outcome: s("won")}, "ledger.outcome"},
		{"ErrFollowUp", backend.VisitPatch{FollowUp: s("2026-02-30")}, "ledger.follow_up"},
		{"ErrPhone", backend.VisitPatch{Phone: s("1381234567")}, "phone.invalid"},
		{"ErrID", backend.VisitPatch{IDNumber: s("110105194912310021")}, "id.checksum"},
		{"ErrCloseNoName", backend.VisitPatch{Outcome: s("handled"), Close: true}, "ledger.close_needs_name"},
		{"ErrClosedAtFuture", backend.VisitPatch{Name: s("张三"), Outcome: s("handled"), Close: true, ClosedAt: s(now.Add(time.Minute).Format(time.RFC3339))}, "ledger.closed_at"},
		{"ErrCloseAndReopen", backend.VisitPatch{Close: true, Reopen: true}, "ledger.close_reopen"},
		{"ErrStale", backend.VisitPatch{Version: new(int), Summary: s("x")}, "ledger.changed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := base
			changes, _, err := tt.p.Apply(&v, now, loc, "王芳")
			if tt.key == "" {
				if err != nil || len(changes) == 0 || v.Version != 2 {
					t.Fatalf("%v %+v %+v", err, changes, v)
				}
				return
			}
			var e *backend.Error
			if !errors.As(err, &e) || e.Key != tt.key {
				t.Fatalf("got %v, want %s", err, tt.key)
			}
			if v.Version != 1 || v.Service != "B" || v.Name != "" {
				t.Fatalf("a refused patch changed the visit: %+v", v)
			}
		})
	}
}
