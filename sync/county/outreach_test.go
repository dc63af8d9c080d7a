package county_test

import (
	"encoding/json"
	"testing"
	"time"

	"bingzhan/sync/county"
	"bingzhan/sync/wire"
)

// TestOutreachFigures: the county counts a station's outreach entries on their dates
// (visits and calls reached, plaques, 喜报, money, an edit's change of money) and
// keeps its levels (households due, follow-ups overdue) as the last summary of the
// day gave them; figures kept in format 3, before outreach, still read.
func TestOutreachFigures(t *testing.T) {
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	var d county.DayStats
	for _, e := range []struct{ kind, data string }{
		{"outreach.recorded", `{"id":"o1","household":"H-1","kind":"visit","date":"2026-11-23","money":500,"version":1}`},
		{"outreach.recorded", `{"id":"o2","household":"H-2","kind":"call","date":"2026-11-23","money":0,"version":1}`},
		{"outreach.recorded", `{"id":"o3","household":"H-3","kind":"plaque_hung","date":"2026-11-23","money":0,"version":1}`},
		{"outreach.recorded", `{"id":"o4","household":"H-4","kind":"honour_delivered","date":"2026-11-23","honour":"XB-1","version":1}`},
		{"outreach.recorded", `{"id":"o5","household":"H-4","kind":"follow_up","date":"2026-11-23","version":1}`},
		{"outreach.updated", `{"id":"o1","household":"H-1","kind":"visit","date":"2026-11-23","money":800,"prev_money":500,"version":2}`},
		{"outreach.summary", `{"date":"2026-11-23","due_plaque":9,"due_festival":30,"due_honour":2,"follow_up_overdue":4}`},
		{"outreach.summary", `{"date":"2026-11-23","due_plaque":8,"due_festival":29,"due_honour":1,"follow_up_overdue":3}`},
	} {
		f, ok := county.FactOf(&wire.Entry{Kind: e.kind, At: at, Data: json.RawMessage(e.data)}, shanghai)
		if !ok || f.Date != "2026-11-23" {
			t.Fatalf("%s %s: counted %v on %q", e.kind, e.data, ok, f.Date)
		}
		d.Count(f)
	}
	want := county.OutreachFigures{Reached: 2, PlaquesHung: 1, HonoursDelivered: 1, Money: 800,
		DuePlaque: 8, DueFestival: 29, DueHonour: 1, FollowUpOverdue: 3, OutreachReported: true}
	if d.OutreachFigures != want {
		t.Fatalf("figures %+v, want %+v", d, want)
	}
	for _, bad := range []struct{ kind, data string }{
		{"outreach.recorded", `{"household":"H-1","kind":"visit","date":"2026-11-23"}`},
		{"outreach.recorded", `{"id":"o9","kind":"visit","date":"2026-11-23","money":-5}`},
		{"outreach.summary", `{"due_plaque":1}`},
	} {
		if _, ok := county.FactOf(&wire.Entry{Kind: bad.kind, At: at, Data: json.RawMessage(bad.data)}, shanghai); ok {
			t.Errorf("%s %s counted", bad.kind, bad.data)
		}
	}

	var back county.DayStats
	if err := county.DecodeDay(county.EncodeDay(&d), &back, nil); err != nil || back.OutreachFigures != want {
		t.Errorf("round trip %+v %v", back, err)
	}
	v3 := county.EncodeDay(&county.DayStats{Tickets: 5, Booked: 2, Cancelled: 1})
	v3 = v3[:len(v3)-8]
	v3[0] = 3
	if err := county.DecodeDay(v3, &back, nil); err != nil || back.Tickets != 5 || back.Booked != 2 || back.Cancelled != 1 || back.Reached != 0 {
		t.Errorf("format 3 day: %+v %v", back, err)
	}

	// Over days the counts add up and the levels are the latest reported; across
	// stations both add up.
	later := county.DayStats{OutreachFigures: county.OutreachFigures{Reached: 1, Money: 100}}
	through := d
	through.Then(later)
	if through.Reached != 3 || through.Money != 900 || through.DuePlaque != 8 {
		t.Errorf("a day without a summary: %+v", through)
	}
	through.Then(county.DayStats{OutreachFigures: county.OutreachFigures{DuePlaque: 2, OutreachReported: true}})
	if through.DuePlaque != 2 || through.DueFestival != 0 {
		t.Errorf("a later summary: %+v", through)
	}
	var across county.DayStats
	across.Add(d)
	across.Add(d)
	if across.DuePlaque != 16 || across.Money != 1600 {
		t.Errorf("across stations: %+v", across)
	}
}
