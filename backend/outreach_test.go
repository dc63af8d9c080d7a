package backend_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"bingzhan/backend"
)

func TestMaskAddress(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"宁城县八里罕镇西村3组12号", "宁城县八里罕镇西村3组***"},
		{"椒江区白云街道幸福路18号院2单元301", "椒江区白云街道幸福路**********"},
		{"锡林浩特市宝力根嘎查5号", "锡林浩特市宝力根嘎查**"},
		{"西村", "西村"},         // nothing after the village: nothing to hide
		{"某某某某某某", "某某****"}, // no village or street: the first third
		{"", ""},
	} {
		if got := backend.MaskAddress(c.in); got != c.want {
			t.Errorf("MaskAddress(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestOutreachRequest_Validate(t *testing.T) {
	today := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	good := func() backend.OutreachRequest {
		return backend.OutreachRequest{Kind: "visit", Household: "H-0001", Date: "2026-11-22", Team: []string{" 王芳 "},
			Findings: []string{"request", "health", "health"}, Money: 500}
	}
	r := good()
	if err := r.Validate(today); err != nil || r.Team[0] != "王芳" || strings.Join(r.Findings, ",") != "health,request" {
		t.Fatalf("a good entry: %v %+v", err, r)
	}
	for _, c := range []struct {
		name string
		edit func(*backend.OutreachRequest)
		key  string
	}{
		{"kind", func(r *backend.OutreachRequest) { r.Kind = "party" }, "outreach.kind"},
		{"household", func(r *backend.OutreachRequest) { r.Household = "0001" }, "outreach.household_id"},
		{"tomorrow", func(r *backend.OutreachRequest) { r.Date = "2026-11-24" }, "outreach.future"},
		{"not a date", func(r *backend.OutreachRequest) { r.Date = "2026-13-01" }, "outreach.date"},
		{"follow-up the same day", func(r *backend.OutreachRequest) { r.FollowUp = r.Date }, "outreach.follow_up"},
		{"nine in the team", func(r *backend.OutreachRequest) { r.Team = strings.Split("甲乙丙丁戊己庚辛壬", "") }, "outreach.team"},
		{"a blank name", func(r *backend.OutreachRequest) { r.Team = []string{"  "} }, "outreach.team"},
		{"too much money", func(r *backend.OutreachRequest) { r.Money = backend.MaxOutreachMoney + 1 }, "outreach.money"},
		{"an unknown finding", func(r *backend.OutreachRequest) { r.Findings = []string{"rich"} }, "outreach.finding"},
		{"a delivery without its 喜报", func(r *backend.OutreachRequest) { r.Kind = "honour_delivered" }, "outreach.honour_missing"},
		{"a 喜报 on a visit", func(r *backend.OutreachRequest) { r.Honour = "XB-1" }, "outreach.honour_kind"},
		{"a photo that is text", func(r *backend.OutreachRequest) { r.Photo = []byte("not a photo") }, "outreach.photo"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := good()
			c.edit(&r)
			var e *backend.Error
			err := r.Validate(today)
			if !asError(err, &e) || e.Key != c.key || backend.ErrorMessage(err, "zh-CN") == "" {
				t.Errorf("got %v, want %s", err, c.key)
			}
		})
	}
}

func asError(err error, e **backend.Error) bool {
	x, ok := err.(*backend.Error)
	*e = x
	return ok
}

// FuzzRegistryLine: a registry line with household fields decodes and validates
// without a panic; a valid one survives a round trip, and its address masks to as
// many characters.
func FuzzRegistryLine(f *testing.F) {
	f.Add(`{"id_number":"11010519491231002X","name":"张三","phone":"13812345678","categories":["VETERAN"],"card_status":"issued","household":"H-1","address":"宁城县西村3组12号","tags":["alone"],"plaque":"2024-07-20","honours":[{"id":"XB-1","award":"third","received":"2026-11-01"}]}`)
	f.Add(`{"id_number":"11010519491231002X","name":"张三","phone":"13812345678","categories":["VETERAN"],"card_status":"issued","address":"无户号"}`)
	f.Add(`{"household":"H-\u0000","tags":["A"],"honours":[{}]}`)
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, line string) {
		for p, err := range backend.DecodePersons(strings.NewReader(line)) {
			if err != nil {
				return
			}
			if p.Validate(today) != nil {
				continue
			}
			raw, _ := json.Marshal(p)
			for q, err := range backend.DecodePersons(bytes.NewReader(raw)) {
				if err != nil || q.Household != p.Household || q.Address != p.Address || len(q.Honours) != len(p.Honours) {
					t.Fatalf("round trip of %s: %v %+v", raw, err, q)
				}
			}
			if m := backend.MaskAddress(p.Address); utf8.RuneCountInString(m) != utf8.RuneCountInString(strings.TrimSpace(p.Address)) {
				t.Fatalf("MaskAddress(%q) = %q", p.Address, m)
			}
		}
	})
}
