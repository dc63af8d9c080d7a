package county_test

import (
	"encoding/json"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"
)

var shanghai = time.FixedZone("CST", 8*3600)

func TestFactOf(t *testing.T) {
	at := time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC) // 01:00 on the 24th in Shanghai
	for _, tc := range []struct {
		name, kind, data string
		want             county.DayFact
		ok               bool
	}{
		{"issued", "ticket.issued", `{"id":"t1","date":"2026-11-23","service":"B","number":"B001"}`,
			county.DayFact{Date: "2026-11-23", Kind: county.KindTicketIssued, Service: "B"}, true},
		{"issued without a date counts on its local day", "ticket.issued", `{"id":"t1"}`,
			county.DayFact{Date: "2026-11-24", Kind: county.KindTicketIssued}, true},
		{"visit", "visit.created", `{"id":"v1","date":"2026-11-23","service":"B","matter":"B5","relation":"self"}`,
			county.DayFact{Date: "2026-11-23", Kind: county.KindVisitCreated, Service: "B", Matter: "B5"}, true},
		{"call", "ticket.call", `{"id":"t1","date":"2026-11-23","issued_at":"2026-11-23T09:00:00+08:00","called_at":"2026-11-23T09:12:30+08:00"}`,
			county.DayFact{Date: "2026-11-23", Kind: county.KindTicketCalled, Ticket: "t1", WaitS: 750}, true},
		{"call without times", "ticket.call", `{"id":"t1","date":"2026-11-23"}`, county.DayFact{}, false},
		{"finish", "ticket.finish", `{"id":"t1","date":"2026-11-23","action":"finish"}`,
			county.DayFact{Date: "2026-11-23", Kind: county.KindTicketFinished, Ticket: "t1"}, true},
		{"no-show", "ticket.no_show", `{"id":"t1","date":"2026-11-23"}`,
			county.DayFact{Date: "2026-11-23", Kind: county.KindTicketNoShow, Ticket: "t1"}, true},
		{"no-show without its ticket", "ticket.no_show", `{"date":"2026-11-23"}`, county.DayFact{}, false},
		{"data that does not decode", "visit.created", `[1]`, county.DayFact{}, false},
		{"a kind the figures do not count", "ticket.start", `{"id":"t1"}`, county.DayFact{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := county.FactOf(&wire.Entry{Kind: tc.kind, At: at, Data: json.RawMessage(tc.data)}, shanghai)
			if ok != tc.ok || got != tc.want {
				t.Errorf("got %+v %v, want %+v %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	if county.KindTicketCalled != "ticket.call" || county.KindTicketFinished != "ticket.finish" || county.KindTicketNoShow != "ticket.no_show" {
		t.Errorf("kinds %q %q %q: the station sends ticket.<action>", county.KindTicketCalled, county.KindTicketFinished, county.KindTicketNoShow)
	}
}

// TestCardService pins the 优待证 letter and matter to the station's own rules.
func TestCardService(t *testing.T) {
	if got := backend.CardReady.Service(); got != county.CardService {
		t.Errorf("a card to collect takes a %q ticket, the county counts %q", got, county.CardService)
	}
	if m, ok := backend.FindMatter(county.CardService, county.CardCollectMatter); !ok || m.NameZH != "领取" {
		t.Errorf("matter %s is %+v, want 领取", county.CardCollectMatter, m)
	}
	for code, want := range map[string]string{"B5": "领取（优待证申领）", "A1": "政策咨询", "B0": "其他事项（优待证申领）"} {
		if got := county.MatterName(code, "zh-CN"); got != want {
			t.Errorf("MatterName(%s) = %q, want %q", code, got, want)
		}
	}
	if got := county.MatterName("B5", "en"); got != "Collect my card (Preferential card)" {
		t.Errorf("MatterName(B5, en) = %q", got)
	}
	if got := county.MatterName("Z9", "zh-CN"); got != "Z9" {
		t.Errorf("an unknown matter is named %q", got)
	}
}

// TestTally: each of a ticket's facts counts once, and a no-show called back stops
// counting as one.
func TestTally(t *testing.T) {
	fact := func(kind string) county.DayFact {
		return county.DayFact{Date: "2026-11-23", Kind: kind, Ticket: "t1", WaitS: 600}
	}
	var d county.DayStats
	var marks county.TicketMarks
	step := func(kind string, counts bool) {
		t.Helper()
		f, next, ok := county.Tally(fact(kind), marks)
		if ok != counts {
			t.Fatalf("%s with marks %b: counts %v, want %v", kind, marks, ok, counts)
		}
		if ok {
			d.Count(f)
		}
		marks = next
	}
	step(county.KindTicketCalled, true)
	step(county.KindTicketCalled, false) // a recall or a second call: waited once
	step(county.KindTicketNoShow, true)
	step(county.KindTicketNoShow, false)
	if d.Called != 1 || d.WaitSumS != 600 || d.NoShows != 1 || d.WaitHist.Count() != 1 {
		t.Fatalf("after a call and a no-show: %+v", d)
	}
	step(county.KindTicketCalled, true) // the person turned up after all
	if d.Called != 1 || d.NoShows != 0 {
		t.Fatalf("after the call back: %+v", d)
	}
	step(county.KindTicketFinished, true)
	step(county.KindTicketFinished, false)
	if d.Served != 1 || d.Called != 1 || d.NoShows != 0 {
		t.Errorf("at the end: %+v", d)
	}
	if marks != county.MarkCalled|county.MarkServed {
		t.Errorf("marks %b", marks)
	}
	// Facts about no ticket pass as they are.
	if _, _, ok := county.Tally(county.DayFact{Kind: county.KindTicketIssued}, 0); !ok {
		t.Error("an issue did not pass")
	}
}

func TestDayStats_Count(t *testing.T) {
	var d county.DayStats
	d.Count(county.DayFact{Kind: county.KindTicketIssued, Service: "B"})
	d.Count(county.DayFact{Kind: county.KindTicketIssued, Service: "A"})
	d.Count(county.DayFact{Kind: county.KindVisitCreated, Service: "B", Matter: "B5"})
	d.Count(county.DayFact{Kind: county.KindVisitCreated, Service: "B", Matter: "B5"})
	d.Count(county.DayFact{Kind: county.KindVisitCreated, Service: "A"})
	if d.Tickets != 2 || d.CardTickets != 1 || d.Visits != 3 || len(d.Matters) != 1 || d.Matters["B5"] != 2 {
		t.Errorf("%+v", d)
	}
}

func TestWaitHist(t *testing.T) {
	var h county.WaitHist
	if got := h.Quantile(0.9, 0); got != 0 {
		t.Errorf("empty: %d", got)
	}
	for i := range 10 {
		h.Add(30 + 60*i) // 0:30, 1:30 … 9:30
	}
	// Nine in ten waited less than 9 minutes: the ninth wait (8:30) is in the 8–9 bucket.
	if got := h.Quantile(0.9, 570); got != 540 {
		t.Errorf("p90 of ten waits %d, want 540", got)
	}
	if got := h.Quantile(1, 570); got != 570 {
		t.Errorf("p100 %d, want the longest wait", got)
	}
	var long county.WaitHist
	long.Add(62 * 60)
	long.Add(3 * 3600)
	if got := long.Quantile(0.5, 3*3600); got != 65*60 {
		t.Errorf("a wait of 62 min is in the 60–65 min bucket: %d", got)
	}
	if got := long.Quantile(0.9, 3*3600); got != 3*3600 {
		t.Errorf("beyond two hours the longest wait is the answer: %d", got)
	}
	var small county.WaitHist
	small.Add(62 * 60)
	if got := small.Quantile(0.9, 62*60); got != 62*60 {
		t.Errorf("a bucket's end past the longest wait gives the longest: %d", got)
	}

	buf, err := json.Marshal(h)
	if err != nil || string(buf) != "[1,1,1,1,1,1,1,1,1,1]" {
		t.Errorf("JSON %s %v, want the buckets without the empty ones after", buf, err)
	}
	var back county.WaitHist
	if err := json.Unmarshal(buf, &back); err != nil || back != h {
		t.Errorf("read back %v %v", back, err)
	}
	if err := json.Unmarshal(make([]byte, 0), &back); err == nil {
		t.Error("nothing read as a histogram")
	}
	tooLong, _ := json.Marshal(make([]int, county.WaitBuckets+1))
	if err := json.Unmarshal(tooLong, &back); err == nil {
		t.Error("a histogram of too many buckets was read")
	}
}

// TestDayStats_AddThen: across stations dead letters add up, through one station's
// days the later report counts; neither changes what it adds.
func TestDayStats_AddThen(t *testing.T) {
	a := county.DayStats{Tickets: 2, Called: 1, WaitSumS: 60, WaitMaxS: 60, DeadLetters: 3, Reported: true, Matters: map[string]int{"B5": 1}}
	a.WaitHist.Add(60)
	b := county.DayStats{Tickets: 1, Called: 1, WaitSumS: 300, WaitMaxS: 300, Matters: map[string]int{"B5": 2, "A1": 1}}
	b.WaitHist.Add(300)
	c := county.DayStats{DeadLetters: 1, Reported: true}

	var across county.DayStats
	across.Add(a)
	across.Add(b)
	across.Add(c)
	if across.Tickets != 3 || across.WaitMaxS != 300 || across.DeadLetters != 4 || across.Matters["B5"] != 3 ||
		across.WaitHist.Count() != 2 || across.AvgWaitS() != 180 || across.P90WaitS() != 300 {
		t.Errorf("across stations: %+v", across)
	}
	var through county.DayStats
	through.Then(a)
	through.Then(b) // no push that day: the report of a stands
	if through.DeadLetters != 3 || !through.Reported {
		t.Errorf("a day without a report changed the level: %+v", through)
	}
	through.Then(c)
	if through.DeadLetters != 1 || through.Tickets != 3 {
		t.Errorf("through days: %+v", through)
	}
	if a.Matters["B5"] != 1 || len(b.Matters) != 2 {
		t.Errorf("adding changed what was added: %v %v", a.Matters, b.Matters)
	}

	var d county.DayStats
	if !d.ReportDeadLetters(&county.Push{PushHeader: wire.PushHeader{DeadLetters: 0}}) || !d.Reported {
		t.Error("a first report of none did not count")
	}
	if d.ReportDeadLetters(&county.Push{PushHeader: wire.PushHeader{DeadLetters: 0}}) {
		t.Error("the same report again changed the day")
	}
	if !d.ReportDeadLetters(&county.Push{PushHeader: wire.PushHeader{DeadLetters: 2}}) || d.DeadLetters != 2 {
		t.Errorf("a new count: %+v", d)
	}
}
