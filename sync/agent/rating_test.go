package agent_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/sync/agent"
	"bingzhan/sync/county"
	"bingzhan/sync/synctest"
)

// TestAgent_Ratings: a day of 好差评 — ratings, skips, bad ratings with their cases
// followed to closure or upheld on appeal — crosses the faulty link into each county
// store: every fact stored exactly once, and the county's day figures (satisfaction,
// open cases) the station's own.
func TestAgent_Ratings(t *testing.T) {
	for _, store := range synctest.CountyStores {
		t.Run(store, func(t *testing.T) { testRatings(t, store) })
	}
}

func testRatings(t *testing.T, store string) {
	ctx := context.Background()
	st, err := app.OpenData(t.TempDir(), app.Options{Logger: synctest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Calls.Init(ctx); err != nil {
		t.Fatal(err)
	}
	reached := true
	const n = 40
	for i := range n {
		is, err := st.Tickets.IssueTicket(ctx, backend.IssueRequest{Service: "A", RequestID: fmt.Sprintf("rating-%04d", i)})
		if err != nil {
			t.Fatal(err)
		}
		id := is.Ticket.ID
		if _, err := st.Calls.CallNext(ctx, 1, "王芳"); err != nil {
			t.Fatal(err)
		}
		for _, a := range []backend.Action{backend.ActStart, backend.ActFinish} {
			if _, err := st.Calls.Act(ctx, id, backend.Act{Action: a, By: "王芳"}); err != nil {
				t.Fatal(err)
			}
		}
		if i%10 == 9 {
			if err := st.Ratings.Skip(ctx, id, "counter"); err != nil {
				t.Fatal(err)
			}
			continue
		}
		level := 5 - i%5 // 5 4 3 2 1 …: two bad ones in every five
		_, c, err := st.Ratings.Rate(ctx, id, backend.RatingRequest{Level: level, Via: "counter"})
		if err != nil {
			t.Fatal(err)
		}
		if c == nil {
			continue
		}
		steps := []backend.CaseAct{{Action: backend.CaseVisit, Reached: &reached, Note: "已回访"},
			{Action: backend.CaseRectify, Note: "已整改"}, {Action: backend.CaseClose}}
		switch i % 3 {
		case 1: // appealed and upheld: the rating no longer counts
			steps = []backend.CaseAct{{Action: backend.CaseAppeal, Note: "误评"}, {Action: backend.CaseUphold}}
		case 2: // still open
			steps = steps[:1]
		}
		for _, a := range steps {
			a.By = "站长"
			if _, err := st.Ratings.ActOnCase(ctx, c.ID, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := stationIDs(t, st.DB)
	date := time.Now().In(st.Location).Format(time.DateOnly)
	figures, err := st.Stats.DayStats(ctx, date)
	if err != nil {
		t.Fatal(err)
	}
	cases, _ := st.Ratings.Cases(ctx)
	open := 0
	for _, c := range cases {
		if c.Status != backend.CaseClosed {
			open++
		}
	}

	c := synctest.StartCountyOn(t, store)
	proxy := synctest.StartProxy(t, c.URL, synctest.Faults{Drop: 0.1, Reset: 0.1, LoseAnswer: 0.15, TooMany: 0.05})
	e := c.Enrol(t, "东风镇服务站", proxy.URL)
	a, err := agent.New(synctest.FastConfig(st.DB, e, st.ID))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { a.Run(runCtx); close(done) }()
	synctest.WaitDrained(t, st.DB, time.Minute)
	cancel()
	<-done
	checkExactlyOnce(t, c, e.StationID, len(want), want)

	day, err := county.Day(ctx, c.Store, date)
	if err != nil {
		t.Fatal(err)
	}
	d := day[e.StationID]
	s := figures.Station
	if d.Rated != s.Rated || d.Satisfied != s.Satisfied || d.Unsatisfied != s.Unsatisfied || d.OpenCases() != open {
		t.Fatalf("county %+v, station rated %d satisfied %d unsatisfied %d open %d", d, s.Rated, s.Satisfied, s.Unsatisfied, open)
	}
	if pct, _ := d.SatisfactionPct(); pct != s.SatisfactionPct || open == 0 || s.Rated == 0 {
		t.Errorf("satisfaction county %v, station %v (open %d)", pct, s.SatisfactionPct, open)
	}
}
