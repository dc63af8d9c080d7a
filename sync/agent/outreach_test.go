package agent_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/backend/demo"
	"bingzhan/sync/agent"
	"bingzhan/sync/county"
	"bingzhan/sync/synctest"

	"github.com/jonboulle/clockwork"
)

// TestAgent_Outreach: a festival's outreach — visits with money, calls, plaques hung,
// 喜报 delivered, an edit of the money — crosses the faulty link into each county
// store: every fact stored exactly once, the county's figures and levels what the
// station's entries say, and no team name, note, address or photo in what it holds.
func TestAgent_Outreach(t *testing.T) {
	for _, store := range synctest.CountyStores {
		t.Run(store, func(t *testing.T) { testOutreach(t, store) })
	}
}

func testOutreach(t *testing.T, store string) {
	ctx := context.Background()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	clock := clockwork.NewFakeClockAt(time.Date(2027, 1, 20, 18, 0, 0, 0, shanghai))
	st, err := app.OpenData(t.TempDir(), app.Options{Logger: synctest.Quiet, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Persons.ReplaceRegistry(ctx, "r1", demo.Registry(demo.Seed, 400)); err != nil {
		t.Fatal(err)
	}
	plaques, err := st.Outreach.Due(ctx, backend.DueQuery{Kind: backend.DuePlaque})
	if err != nil || len(plaques) < 10 {
		t.Fatalf("%d households due a plaque: %v", len(plaques), err)
	}
	festival, _ := st.Outreach.Due(ctx, backend.DueQuery{Kind: backend.DueFestival})
	honours, _ := st.Outreach.Due(ctx, backend.DueQuery{Kind: backend.DueHonour})
	if len(festival) < 10 || len(honours) == 0 {
		t.Fatalf("%d due a festival visit, %d a 喜报", len(festival), len(honours))
	}
	const team, note = "欧阳卫国", "老人腿脚不便，希望有人定期上门"
	record := func(req backend.OutreachRequest) *backend.Outreach {
		t.Helper()
		req.Date, req.Team, req.Note = "2027-01-20", []string{team, "王芳"}, note
		o, _, err := st.Outreach.Record(ctx, req, "王芳")
		if err != nil {
			t.Fatalf("record %+v: %v", req, err)
		}
		return o
	}
	money, reached := 0, 0
	var first *backend.Outreach
	for i, h := range festival[:10] {
		kind := backend.OutreachVisit
		if i%3 == 2 {
			kind = backend.OutreachCall
		}
		o := record(backend.OutreachRequest{Kind: kind, Household: h.ID, Money: 300 * (i % 3), Findings: []string{"health"}})
		money += o.Money
		reached++
		if first == nil && o.Money > 0 {
			first = o
		}
	}
	for _, h := range plaques[:6] {
		record(backend.OutreachRequest{Kind: backend.OutreachPlaqueHung, Household: h.ID})
	}
	record(backend.OutreachRequest{Kind: backend.OutreachHonour, Household: honours[0].ID, Honour: honours[0].Honours[0].ID})
	more := first.Money + 200
	if _, err := st.Outreach.UpdateOutreach(ctx, first.ID, backend.OutreachPatch{Version: 1, Money: &more}, "李卫东"); err != nil {
		t.Fatal(err)
	}
	money += 200
	levels, err := st.Outreach.Summarize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := stationIDs(t, st.DB)

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
	checkExactlyOnce(t, c, e.StationID, len(ids), ids)

	day, err := county.Day(ctx, c.Store, "2027-01-20")
	if err != nil {
		t.Fatal(err)
	}
	d := day[e.StationID]
	if d.Reached != reached || d.PlaquesHung != 6 || d.HonoursDelivered != 1 || d.Money != money {
		t.Errorf("the county's day: reached %d plaques %d honours %d money %d, want %d 6 1 %d",
			d.Reached, d.PlaquesHung, d.HonoursDelivered, d.Money, reached, money)
	}
	if !d.OutreachReported || d.DuePlaque != levels.DuePlaque || d.DueFestival != levels.DueFestival || d.DueHonour != levels.DueHonour {
		t.Errorf("the county's levels %d/%d/%d, the station's %+v", d.DuePlaque, d.DueFestival, d.DueHonour, levels)
	}
	entries, err := c.Store.Entries(ctx, e.StationID, 1, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		for _, secret := range []string{team, note, "村", "王芳"} {
			if bytes.Contains(en.Data, []byte(secret)) {
				t.Fatalf("the county holds %q in a %s entry: %s", secret, en.Kind, en.Data)
			}
		}
	}
}
