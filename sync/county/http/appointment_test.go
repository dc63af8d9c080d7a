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

// TestStations_Appointments: the dashboard and GET /api/v1/stations show how many of
// today's booked people each station has checked in, and how many came late.
func TestStations_Appointments(t *testing.T) {
	c := synctest.StartCounty(t)
	e := c.Enrol(t, "东风镇服务站", "")
	c.Enrol(t, "西山乡服务站", "")
	today := time.Now().In(c.Server.Location).Format("2006-01-02")
	fact := func(seq uint64, kind, id, extra string) wire.Entry {
		return entry(seq, fmt.Sprintf("a%d", seq), kind, fmt.Sprintf(`{"id":%q,"date":%q%s}`, id, today, extra))
	}
	push(t, c, e.StationID, e.Secret, wire.PushRequest{PushHeader: wire.PushHeader{Station: "key-1"}, Entries: []wire.Entry{
		fact(1, "appointment.booked", "b1", ""), fact(2, "appointment.booked", "b2", ""), fact(3, "appointment.booked", "b3", ""),
		fact(4, "appointment.checked_in", "b1", ""), fact(5, "appointment.checked_in", "b2", `,"late":true`),
	}})
	token := login(t, c)
	_, body := synctest.Get(t, c.URL+"/api/v1/stations", token)
	var views []struct {
		Today struct {
			Booked       int `json:"booked"`
			CheckedIn    int `json:"checked_in"`
			LateArrivals int `json:"late_arrivals"`
		}
	}
	if err := json.Unmarshal(body, &views); err != nil || len(views) != 2 {
		t.Fatalf("%s: %v", body, err)
	}
	if d := views[0].Today; d.Booked != 3 || d.CheckedIn != 2 || d.LateArrivals != 1 {
		t.Errorf("东风镇 today %+v", d)
	}
	_, page := synctest.Get(t, c.URL+"/", token)
	for _, want := range []string{`data-col="booked">2/3<br><span class="en">迟到 1 late`, `data-col="booked">—<`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
}
