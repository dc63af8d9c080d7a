package http_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
)

// TestStats_PastDay checks what the report screen relies on: yesterday's figures stay
// as they were after midnight, an empty day answers zeros with every service and
// counter listed, and each day's report downloads in the language the link asks for.
func TestStats_PastDay(t *testing.T) {
	st := mustStation(t)
	tok := st.login(t, "王芳", "240816")
	id := st.issue(t, "A", false)
	st.issue(t, "A", false)
	st.Clock.Add(4 * time.Minute)
	do(t, nil, "POST", st.URL+"/api/v1/tickets/"+id+"/call", tok, map[string]int{"counter": 1}, nil)
	do(t, nil, "POST", st.URL+"/api/v1/tickets/"+id+"/start", tok, nil, nil)
	st.Clock.Add(5 * time.Minute)
	do(t, nil, "POST", st.URL+"/api/v1/tickets/"+id+"/finish", tok, nil, nil)
	// The next morning: the other ticket expired overnight.
	st.Clock.Set(time.Date(2026, 11, 24, 8, 30, 0, 0, shanghai))
	if _, err := st.Calls.ExpireOld(context.Background()); err != nil { // as the station does at midnight
		t.Fatal(err)
	}
	st.issue(t, "C", false)
	tok = st.login(t, "王芳", "240816") // sessions last 12 hours

	stats := func(t *testing.T, query string) backend.DayStats {
		t.Helper()
		var ds backend.DayStats
		if resp := do(t, nil, "GET", st.URL+"/api/v1/stats"+query, tok, nil, &ds); resp.StatusCode != 200 {
			t.Fatalf("stats%s: %d", query, resp.StatusCode)
		}
		return ds
	}

	t.Run("OK", func(t *testing.T) {
		ds := stats(t, "?date=2026-11-23")
		if ds.Date != "2026-11-23" || ds.Station.Issued != 2 || ds.Station.Served != 1 || ds.Station.Expired != 1 || ds.Station.Open != 0 {
			t.Fatalf("yesterday %+v", ds.Station)
		}
		// issue ticks the clock a second: the first ticket waited 4 min 1 s.
		if ds.Station.AvgWaitS != 241 || ds.Station.AvgServiceS != 300 {
			t.Fatalf("yesterday's times %+v", ds.Station)
		}
		if today := stats(t, ""); today.Date != "2026-11-24" || today.Station.Issued != 1 || today.Station.Open != 1 {
			t.Fatalf("today %+v", today)
		}
	})

	t.Run("EmptyDay", func(t *testing.T) {
		ds := stats(t, "?date=2026-11-20")
		if ds.Station.Issued != 0 || ds.Station.Served != 0 || ds.Station.AvgWaitS != 0 {
			t.Fatalf("an empty day has figures: %+v", ds.Station)
		}
		today := stats(t, "")
		if len(ds.Services) == 0 || len(ds.Services) != len(today.Services) || len(ds.Counters) != len(today.Counters) {
			t.Fatalf("an empty day lists %d services, %d counters; want every one (%d, %d)",
				len(ds.Services), len(ds.Counters), len(today.Services), len(today.Counters))
		}
	})

	t.Run("ExportLanguage", func(t *testing.T) {
		for _, c := range []struct {
			query, acceptLang, header string
		}{
			{"", "", "类别,编号,名称,取号"},
			{"", "en-US,en;q=0.9", "Group,Key,Name,Issued"},
			{"&lang=en", "zh-CN,zh;q=0.9", "Group,Key,Name,Issued"},
			{"&lang=zh-CN", "en", "类别,编号,名称,取号"},
		} {
			req, _ := http.NewRequest("GET", st.URL+"/api/v1/stats/export?date=2026-11-23&format=csv"+c.query, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			if c.acceptLang != "" {
				req.Header.Set("Accept-Language", c.acceptLang)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("\uFEFF"+c.header)) {
				t.Errorf("lang %q, Accept-Language %q: %d %q", c.query, c.acceptLang, resp.StatusCode, body[:min(len(body), 40)])
			}
			if !strings.Contains(string(body), "\r\n") {
				t.Errorf("lang %q: no CRLF line ends", c.query)
			}
		}
	})

	t.Run("ErrDate", func(t *testing.T) {
		for _, d := range []string{"2026-13-01", "24.11.2026", "2026-11-24T00:00"} {
			if resp := do(t, nil, "GET", st.URL+"/api/v1/stats?date="+d, tok, nil, nil); resp.StatusCode != 400 {
				t.Errorf("date %q: %d, want 400", d, resp.StatusCode)
			}
		}
	})
}
