package countytest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"bingzhan/sync/county"
	"bingzhan/sync/wire"

	"github.com/jonboulle/clockwork"
)

// figureEntries builds the facts a station sends, numbering them from seq on with
// ids that start with prefix (entry ids are unique across stations).
type figureEntries struct {
	prefix  string
	seq     uint64
	entries []wire.Entry
}

func (f *figureEntries) add(kind, data string) {
	f.seq++
	f.entries = append(f.entries, entry(f.seq, fmt.Sprintf("%s-%d", f.prefix, f.seq), kind, data))
}

func (f *figureEntries) issue(ticket, date, service string) {
	f.add("ticket.issued", fmt.Sprintf(`{"id":%q,"date":%q,"service":%q,"number":"%s001"}`, ticket, date, service, service))
}

// action sends ticket.<action> for a ticket issued at 09:00 on date and first called
// waitMin minutes later.
func (f *figureEntries) action(action, ticket, date string, waitMin int) {
	issued, _ := time.ParseInLocation(time.DateTime, date+" 09:00:00", time.FixedZone("CST", 8*3600))
	f.add("ticket."+action, fmt.Sprintf(`{"id":%q,"date":%q,"action":%q,"issued_at":%q,"called_at":%q}`, ticket, date, action,
		issued.Format(time.RFC3339), issued.Add(time.Duration(waitMin)*time.Minute).Format(time.RFC3339)))
}

func (f *figureEntries) visit(date, matter string) {
	f.add("visit.created", fmt.Sprintf(`{"id":"v-%s-%d","date":%q,"service":%q,"matter":%q}`, f.prefix, f.seq, date, matter[:1], matter))
}

// testFiguresAcrossStations: two stations' pushes give each station-day's figures
// through EachDay, and a FiguresBuilder groups them by month; a push sent again counts nothing
// twice, and the dead letters of a day are the last push's.
func testFiguresAcrossStations(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	east, _ := mustStation(t, s, "东风镇")
	west, _ := mustStation(t, s, "西山乡")

	e := &figureEntries{prefix: "e"}
	e.issue("t1", "2026-11-23", "B")
	e.issue("t2", "2026-11-23", "A")
	e.issue("t3", "2026-11-23", "B")
	e.action("call", "t1", "2026-11-23", 5)
	e.action("finish", "t1", "2026-11-23", 5)
	e.action("call", "t2", "2026-11-23", 12)
	e.action("no_show", "t2", "2026-11-23", 12)
	e.action("call", "t2", "2026-11-23", 12) // came back after all: no no-show
	e.action("finish", "t2", "2026-11-23", 12)
	e.action("call", "t3", "2026-11-23", 30)
	e.action("recall", "t3", "2026-11-23", 30) // not a kind the figures count
	e.action("no_show", "t3", "2026-11-23", 30)
	e.visit("2026-11-23", "B5")
	e.visit("2026-11-23", "B5")
	e.visit("2026-11-23", "A1")
	eastPush := &county.Push{PushHeader: wire.PushHeader{Station: "key-1", DeadLetters: 2}, Entries: e.entries}
	if _, err := s.Ingest(ctx, east.ID, eastPush); err != nil {
		t.Fatal(err)
	}

	w := &figureEntries{prefix: "w"}
	w.issue("t1", "2026-11-23", "C") // the same ticket id as another station's: its own
	w.action("call", "t1", "2026-11-23", 2)
	w.action("finish", "t1", "2026-11-23", 2)
	w.issue("t9", "2026-12-01", "B")
	w.action("call", "t9", "2026-12-01", 8)
	w.action("finish", "t9", "2026-12-01", 8)
	w.visit("2026-12-01", "B1")
	if _, err := s.Ingest(ctx, west.ID, &county.Push{PushHeader: wire.PushHeader{Station: "key-1"}, Entries: w.entries}); err != nil {
		t.Fatal(err)
	}

	// The station's answer was lost: it sends the same push again.
	clock.Advance(time.Minute)
	if _, err := s.Ingest(ctx, east.ID, eastPush); err != nil {
		t.Fatal(err)
	}
	// The next day an empty push says one dead letter is left.
	clock.Advance(24 * time.Hour)
	push2 := &county.Push{PushHeader: wire.PushHeader{Station: "key-1", DeadLetters: 1}}
	if _, err := s.Ingest(ctx, east.ID, push2); err != nil {
		t.Fatal(err)
	}

	days, err := county.Days(ctx, s, "2026-11-01", "2026-12-31")
	if err != nil {
		t.Fatal(err)
	}
	d := days[east.ID]["2026-11-23"]
	if d.Tickets != 3 || d.CardTickets != 2 || d.Called != 3 || d.Served != 2 || d.NoShows != 1 || d.Visits != 3 ||
		d.Matters["B5"] != 2 || d.Matters["A1"] != 1 || len(d.Matters) != 2 {
		t.Errorf("东风镇 2026-11-23: %+v", d)
	}
	if d.WaitSumS != (5+12+30)*60 || d.WaitMaxS != 30*60 || d.WaitHist.Count() != 3 || d.P90WaitS() != 30*60 {
		t.Errorf("东风镇 waits: sum %d max %d p90 %d", d.WaitSumS, d.WaitMaxS, d.P90WaitS())
	}
	if d.DeadLetters != 2 || !d.Reported {
		t.Errorf("东风镇 dead letters on the 23rd: %d (reported %v), want 2", d.DeadLetters, d.Reported)
	}
	if next := days[east.ID]["2026-11-24"]; next.DeadLetters != 1 || !next.Reported || next.Tickets != 0 {
		t.Errorf("东风镇 2026-11-24: %+v", next)
	}
	if wd := days[west.ID]["2026-11-23"]; wd.Tickets != 1 || wd.Served != 1 || wd.CardTickets != 0 || wd.WaitSumS != 120 ||
		!wd.Reported || wd.DeadLetters != 0 {
		t.Errorf("西山乡 2026-11-23: %+v", wd)
	}
	if wd := days[west.ID]["2026-12-01"]; wd.Tickets != 1 || wd.CardTickets != 1 || wd.Served != 1 || wd.Matters["B1"] != 1 {
		t.Errorf("西山乡 2026-12-01: %+v", wd)
	}
	if len(days) != 2 || len(days[east.ID]) != 2 || len(days[west.ID]) != 2 {
		t.Errorf("days %+v: want two days of each station", days)
	}

	// The range is inclusive at both ends and leaves out the days beyond.
	inside, err := county.Days(ctx, s, "2026-11-24", "2026-11-30")
	if err != nil || len(inside) != 1 || len(inside[east.ID]) != 1 || inside[east.ID]["2026-11-24"].DeadLetters != 1 {
		t.Errorf("2026-11-24 to 30: %+v %v", inside, err)
	}
	if one, _ := county.Days(ctx, s, "2026-12-01", "2026-12-01"); len(one) != 1 || one[west.ID]["2026-12-01"].Tickets != 1 {
		t.Errorf("2026-12-01 alone: %+v", one)
	}
	if none, err := county.Days(ctx, s, "2026-12-31", "2026-11-01"); err != nil || len(none) != 0 {
		t.Errorf("a range backwards: %+v %v", none, err)
	}
	if day, _ := county.Day(ctx, s, "2026-11-23"); day[east.ID].Tickets != 3 || day[west.ID].Tickets != 1 {
		t.Errorf("Day agrees with Days: %+v", day)
	}

	stations, err := s.Stations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// EachDay gives each day with figures once.
	var order []string
	err = s.EachDay(ctx, "2026-11-01", "2026-12-31", func(station, date string, _ *county.DayStats) error {
		order = append(order, station+" "+date)
		return nil
	})
	slices.Sort(order)
	want := []string{east.ID + " 2026-11-23", east.ID + " 2026-11-24", west.ID + " 2026-11-23", west.ID + " 2026-12-01"}
	if slices.Sort(want); err != nil || !slices.Equal(order, want) {
		t.Errorf("EachDay gave %v %v, want %v", order, err, want)
	}
	q := county.FiguresQuery{Period: county.PeriodMonth, From: "2026-11-01", To: "2026-12-31"}
	b := county.NewFiguresBuilder(q)
	if err := s.EachDay(ctx, q.From, q.To, b.Add); err != nil {
		t.Fatal(err)
	}
	f := b.Figures(stations)
	if len(f.Spans) != 2 || len(f.Stations) != 2 || f.Stations[0].ID != east.ID {
		t.Fatalf("figures by month: %+v", f)
	}
	nov := f.Stations[0].Rows[0]
	if nov.Tickets != 3 || nov.Served != 2 || nov.NoShows != 1 || nov.AvgWaitS != (5+12+30)*60/3 || nov.P90WaitS != 30*60 ||
		nov.CardTickets != 2 || nov.CardCollections != 2 || nov.DeadLetters != 1 {
		t.Errorf("东风镇 November: %+v", nov)
	}
	if tot := f.Totals[0]; tot.Tickets != 4 || tot.Served != 3 || tot.Called != 4 || tot.NoShows != 1 || tot.DeadLetters != 1 ||
		tot.Visits != 3 || tot.WaitMaxS != 30*60 {
		t.Errorf("November over both: %+v", tot)
	}
	if dec := f.Totals[1]; dec.Tickets != 1 || dec.CardTickets != 1 || dec.AvgWaitS != 480 || dec.P90WaitS != 480 || dec.Matters["B1"] != 1 {
		t.Errorf("December over both: %+v", dec)
	}
	if f.Total.Tickets != 5 || f.Total.Served != 4 || f.Total.Visits != 4 || f.Total.DeadLetters != 1 {
		t.Errorf("total: %+v", f.Total)
	}
}
