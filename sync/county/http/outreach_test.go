package http_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"
)

// TestStations_Outreach: the dashboard and GET /api/v1/stations show each station's
// outreach this year — households reached, plaques, 喜报, money — and what it last
// reported as still due; a station that reported nothing says so.
func TestStations_Outreach(t *testing.T) {
	c := synctest.StartCounty(t)
	e := c.Enrol(t, "东风镇服务站", "")
	c.Enrol(t, "西山乡服务站", "")
	today := time.Now().In(c.Server.Location).Format("2006-01-02")
	rec := func(seq uint64, kind string, money int) wire.Entry {
		return entry(seq, fmt.Sprintf("o%d", seq), "outreach.recorded",
			fmt.Sprintf(`{"id":"o%d","household":"H-%d","kind":%q,"date":%q,"money":%d,"version":1}`, seq, seq, kind, today, money))
	}
	push(t, c, e.StationID, e.Secret, wire.PushRequest{PushHeader: wire.PushHeader{Station: "key-1"}, Entries: []wire.Entry{
		rec(1, "visit", 500), rec(2, "visit", 800), rec(3, "call", 0), rec(4, "plaque_hung", 0), rec(5, "honour_delivered", 0),
		entry(6, "s6", "outreach.summary", fmt.Sprintf(`{"date":%q,"due_plaque":12,"due_festival":40,"due_honour":1,"follow_up_overdue":2}`, today)),
	}})
	token := login(t, c)
	_, body := synctest.Get(t, c.URL+"/api/v1/stations", token)
	var views []struct {
		Outreach struct {
			Reached          int  `json:"reached"`
			PlaquesHung      int  `json:"plaques_hung"`
			HonoursDelivered int  `json:"honours_delivered"`
			Money            int  `json:"money"`
			DueFestival      int  `json:"due_festival"`
			FollowUpOverdue  int  `json:"follow_up_overdue"`
			Reported         bool `json:"outreach_reported"`
		}
	}
	if err := json.Unmarshal(body, &views); err != nil || len(views) != 2 {
		t.Fatalf("%s: %v", body, err)
	}
	if o := views[0].Outreach; o.Reached != 3 || o.PlaquesHung != 1 || o.HonoursDelivered != 1 || o.Money != 1300 ||
		o.DueFestival != 40 || o.FollowUpOverdue != 2 || !o.Reported {
		t.Errorf("东风镇 outreach %+v", o)
	}
	if views[1].Outreach.Reported {
		t.Errorf("西山乡 reported nothing, shown as reported")
	}
	_, page := synctest.Get(t, c.URL+"/", token)
	for _, want := range []string{`data-col="reached">3<`, `data-col="money">1300<`, `data-col="due-festival">40<`,
		`data-col="overdue">2<`, `data-col="due-none">尚未报来`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
}

// TestOutreach_Campaigns: the county's campaign page and API list each station's
// campaigns with the households it has not reached, by the county's own ids.
func TestOutreach_Campaigns(t *testing.T) {
	c := synctest.StartCounty(t)
	e := c.Enrol(t, "东风镇服务站", "")
	report := `{"id":"C1","name":"2027年春节走访慰问","kind":"festival","from":"2027-01-10","to":"2027-02-10",` +
		`"households":{"H-0001":"done","H-0002":"not_reached","H-0003":"left"},` +
		`"totals":{"households":3,"done":1,"not_reached":1,"left":1,"money":500},"version":2}`
	push(t, c, e.StationID, e.Secret, wire.PushRequest{PushHeader: wire.PushHeader{Station: "key-1"},
		Entries: []wire.Entry{entry(1, "c1", "outreach.campaign", report)}})
	token := login(t, c)
	_, body := synctest.Get(t, c.URL+"/api/v1/outreach/campaigns", token)
	var views []struct {
		StationName string `json:"station_name"`
		Name        string
		Missed      []string
	}
	if err := json.Unmarshal(body, &views); err != nil || len(views) != 1 {
		t.Fatalf("%s: %v", body, err)
	}
	if v := views[0]; v.StationName != "东风镇服务站" || strings.Join(v.Missed, ",") != "H-0002,H-0003" {
		t.Errorf("campaign %+v", v)
	}
	_, page := synctest.Get(t, c.URL+"/outreach", token)
	for _, want := range []string{"2027年春节走访慰问", `data-col="done">1<`, `data-col="missed">H-0002、H-0003<`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the outreach page lacks %s", want)
		}
	}
}
