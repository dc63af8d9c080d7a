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

// TestStations_Ratings: the dashboard and GET /api/v1/stations show each station's
// satisfaction of the last 30 days and its bad ratings still being followed up.
func TestStations_Ratings(t *testing.T) {
	c := synctest.StartCounty(t)
	e := c.Enrol(t, "东风镇服务站", "")
	c.Enrol(t, "西山乡服务站", "")
	today := time.Now().In(c.Server.Location).Format("2006-01-02")
	earlier := time.Now().In(c.Server.Location).AddDate(0, 0, -40).Format("2006-01-02")
	rating := func(seq uint64, date string, level int, caseID string) wire.Entry {
		return entry(seq, fmt.Sprintf("r%d", seq), "rating.given", fmt.Sprintf(`{"ticket_id":"t%d","date":%q,"level":%d,"case_id":%q}`, seq, date, level, caseID))
	}
	push(t, c, e.StationID, e.Secret, wire.PushRequest{PushHeader: wire.PushHeader{Station: "key-1"}, Entries: []wire.Entry{
		rating(1, today, 5, ""), rating(2, today, 4, ""), rating(3, today, 3, ""), rating(4, today, 2, "c4"),
		rating(5, earlier, 1, "c5"), // 40 days ago: out of the satisfaction, its case still open
		rating(6, earlier, 2, "c6"),
		entry(7, "x7", "rating_case.close", fmt.Sprintf(`{"id":"c6","date":%q,"level":2,"status":"closed"}`, earlier)),
	}})
	token := login(t, c)
	_, body := synctest.Get(t, c.URL+"/api/v1/stations", token)
	var views []struct {
		Name    string
		Ratings struct {
			Rated           int      `json:"rated"`
			SatisfactionPct *float64 `json:"satisfaction_pct"`
			OpenCases       int      `json:"open_cases"`
		}
	}
	if err := json.Unmarshal(body, &views); err != nil || len(views) != 2 {
		t.Fatalf("%s: %v", body, err)
	}
	r := views[0].Ratings
	if r.Rated != 4 || r.SatisfactionPct == nil || *r.SatisfactionPct != 75 || r.OpenCases != 2 {
		t.Errorf("东风镇 ratings %+v", r)
	}
	if views[1].Ratings.SatisfactionPct != nil || views[1].Ratings.OpenCases != 0 {
		t.Errorf("a station without ratings: %+v", views[1].Ratings)
	}
	_, page := synctest.Get(t, c.URL+"/", token)
	for _, want := range []string{`data-col="satisfaction">75.0%`, `data-col="open-cases">2<`, `id="n-open-cases" class="silent">2<`, `data-col="satisfaction">—`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
}
