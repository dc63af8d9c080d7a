package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"

	"github.com/jonboulle/clockwork"
	"github.com/xuri/excelize/v2"
)

// figureStart is the county's time in the figures tests: Wednesday 2026-11-25, 17:00
// in Shanghai.
var figureStart = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// facts builds a station's entries in sequence.
type facts struct {
	prefix  string
	entries []wire.Entry
}

func (f *facts) add(kind, data string) {
	seq := uint64(len(f.entries) + 1)
	f.entries = append(f.entries, entry(seq, fmt.Sprintf("%s-%d", f.prefix, seq), kind, data))
}

// ticket sends a ticket of service issued at 9:00 on date, called waitMin later,
// then finished (or marked a no-show).
func (f *facts) ticket(id, date, service string, waitMin int, noShow bool) {
	issued, _ := time.ParseInLocation(time.DateTime, date+" 09:00:00", time.FixedZone("CST", 8*3600))
	called := issued.Add(time.Duration(waitMin) * time.Minute)
	f.add("ticket.issued", fmt.Sprintf(`{"id":%q,"date":%q,"service":%q,"issued_at":%q}`, id, date, service, issued.Format(time.RFC3339)))
	action := fmt.Sprintf(`{"id":%q,"date":%q,"service":%q,"issued_at":%q,"called_at":%q}`, id, date, service,
		issued.Format(time.RFC3339), called.Format(time.RFC3339))
	f.add("ticket.call", action)
	if noShow {
		f.add("ticket.no_show", action)
	} else {
		f.add("ticket.finish", action)
	}
}

func (f *facts) visit(date, matter string) {
	f.add("visit.created", fmt.Sprintf(`{"id":"v-%s-%d","date":%q,"service":%q,"matter":%q}`, f.prefix, len(f.entries), date, matter[:1], matter))
}

func pushFacts(t *testing.T, c *synctest.County, e backend.Enrolment, f *facts, deadLetters int) {
	t.Helper()
	for from := 0; from < len(f.entries); from += wire.MaxEntries {
		batch := f.entries[from:min(from+wire.MaxEntries, len(f.entries))]
		resp, body := push(t, c, e.StationID, e.Secret, wire.PushRequest{
			PushHeader: wire.PushHeader{Station: "key-1", DeadLetters: deadLetters}, Entries: batch})
		if resp.StatusCode != 200 {
			t.Fatalf("push: %d %s", resp.StatusCode, body)
		}
	}
}

// TestFigures works the figures as a county staffer meets them: the page with its
// stations, numbers and charts, the same figures as JSON and as a spreadsheet, and
// nothing for a visitor without a session or for parameters that are wrong.
func TestFigures(t *testing.T) {
	clock := clockwork.NewFakeClockAt(figureStart)
	c := synctest.StartCountyClock(t, clock)
	east := c.Enrol(t, "东风镇服务站", "")
	west := c.Enrol(t, "西山乡服务站", "")

	ef := &facts{prefix: "e"}
	ef.ticket("t1", "2026-11-23", "B", 6, false)
	ef.ticket("t2", "2026-11-23", "A", 14, false)
	ef.ticket("t3", "2026-11-24", "B", 30, true)
	ef.visit("2026-11-23", "B5")
	ef.visit("2026-11-24", "B5")
	ef.visit("2026-11-24", "A1")
	ef.ticket("t4", "2026-10-15", "C", 3, false)
	pushFacts(t, c, east, ef, 2)
	pushFacts(t, c, east, ef, 2) // the answer was lost: sent again, counted once

	wf := &facts{prefix: "w"}
	wf.ticket("t1", "2026-11-24", "D", 9, false)
	wf.visit("2026-11-24", "D2")
	pushFacts(t, c, west, wf, 0)

	token := login(t, c)
	q := "?period=month&from=2026-10-01&to=2026-11-30"

	t.Run("Refused", func(t *testing.T) {
		for _, path := range []string{"/api/v1/figures" + q, "/api/v1/figures.xlsx" + q} {
			if resp, body := synctest.Get(t, c.URL+path, ""); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), `"unauthorized"`) {
				t.Errorf("%s without a session: %d %s", path, resp.StatusCode, body)
			}
			if resp, _ := synctest.Get(t, c.URL+path, "not-a-session"); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s with a made-up token: %d", path, resp.StatusCode)
			}
		}
		if resp, body := synctest.Get(t, c.URL+"/figures"+q, ""); resp.StatusCode != http.StatusSeeOther ||
			resp.Header.Get("Location") != "/login" || bytes.Contains(body, []byte("东风镇")) {
			t.Errorf("the page without a session: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("Page", func(t *testing.T) {
		resp, body := synctest.Get(t, c.URL+"/figures"+q, token)
		page := string(body)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
		for _, want := range []string{
			"各服务站业务统计", "东风镇服务站", "西山乡服务站", "2026年10月", "2026年11月",
			// 东风镇 in November: 3 tickets, 2 served, 1 no-show, waits 6, 14, 30 min.
			`<th scope="rowgroup" rowspan="3">东风镇服务站</th><td>2026年10月</td>`,
			`<tr data-station="` + east.StationID + `" data-period="2026-11"><td>2026年11月</td>` +
				`<td class="num" data-col="tickets">3</td><td class="num" data-col="served">2</td><td class="num" data-col="no_shows">1</td>` +
				`<td class="num" data-col="avg_wait">16:40</td><td class="num" data-col="p90_wait">30:00</td>`,
			`<td class="num" data-col="card_tickets">2</td><td class="num" data-col="card_collections">2</td><td class="num" data-col="dead_letters">2</td>`,
			// All stations, whole range: 5 tickets.
			`<b data-col="tickets">5</b>`, `<b data-col="served">4</b>`, `<b data-col="no_shows">1</b>`, `<b data-col="visits">4</b>`,
			`<b data-col="dead_letters">2</b>`,
			// The matters, named.
			`<tr data-matter="B5"><td>领取（优待证申领）</td><td>B5</td><td class="num">2</td></tr>`, "年度确认（抚恤补助）",
			`action="/figures"`, `id="xlsx" href="/api/v1/figures.xlsx?from=2026-10-01&amp;period=month&amp;to=2026-11-30"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		// The charts are SVG in the page, their labels text: the periods under the
		// trend, the matters beside their bars.
		for _, id := range []string{"chart-trend", "chart-waits", "chart-matters"} {
			i := strings.Index(page, `id="`+id+`"`)
			end := strings.Index(page[max(i, 0):], "</figure>")
			if i < 0 || end < 0 || !strings.Contains(page[i:i+end], "<svg") {
				t.Fatalf("no chart %s", id)
			}
			chart := page[i : i+end]
			want := []string{">2026-10</text>", ">2026-11</text>"}
			if id == "chart-matters" {
				want = []string{">领取（优待证申领）", ">年度确认（抚恤补助）", ">政策咨询"}
			}
			for _, w := range want {
				if !strings.Contains(chart, w) {
					t.Errorf("chart %s lacks the label %q", id, w)
				}
			}
		}
		if strings.Contains(page, "<script") {
			t.Error("the page runs a script")
		}
		if resp, body := synctest.Get(t, c.URL+"/", token); !bytes.Contains(body, []byte(`<a href="/figures" id="figures-link">`)) {
			t.Errorf("the dashboard does not link the figures: %d", resp.StatusCode)
		}
	})

	t.Run("JSON", func(t *testing.T) {
		resp, body := synctest.Get(t, c.URL+"/api/v1/figures?period=day&from=2026-11-23&to=2026-11-24", token)
		var f county.Figures
		if resp.StatusCode != 200 || json.Unmarshal(body, &f) != nil {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		if len(f.Spans) != 2 || len(f.Stations) != 2 || f.Stations[0].Name != "东风镇服务站" {
			t.Fatalf("figures %s", body)
		}
		d23, d24 := f.Stations[0].Rows[0], f.Stations[0].Rows[1]
		if d23.Tickets != 2 || d23.Served != 2 || d23.AvgWaitS != 600 || d24.NoShows != 1 || d24.Matters["A1"] != 1 || d24.Reported {
			t.Errorf("东风镇 by day %+v %+v", d23, d24)
		}
		if d23.DeadLetters != 0 || f.Stations[0].Rows[0].Reported {
			t.Errorf("dead letters count on the day of the push (the 25th): %+v", d23)
		}
		if f.Totals[1].Tickets != 2 || f.Total.Tickets != 4 || f.Total.Visits != 4 {
			t.Errorf("totals %+v %+v", f.Totals, f.Total)
		}
		// No range given: the last 14 days up to today.
		resp, body = synctest.Get(t, c.URL+"/api/v1/figures", token)
		if resp.StatusCode != 200 || json.Unmarshal(body, &f) != nil || f.Period != county.PeriodDay || f.From != "2026-11-12" ||
			f.To != "2026-11-25" || f.Total.DeadLetters != 2 {
			t.Errorf("the default: %d %+v", resp.StatusCode, f.FiguresQuery)
		}
	})

	t.Run("XLSX", func(t *testing.T) {
		resp, body := synctest.Get(t, c.URL+"/api/v1/figures.xlsx"+q, token)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "figures-month-2026-10-01-2026-11-30.xlsx") {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("the download does not open: %v", err)
		}
		defer f.Close()
		if got := f.GetSheetList(); len(got) != 3 || got[0] != "按服务站" || got[1] != "合计" || got[2] != "来访事项" {
			t.Fatalf("sheets %v", got)
		}
		rows, _ := f.GetRows("按服务站")
		if rows[0][0] != "各服务站业务统计 · 按月 · 2026-10-01 至 2026-11-30" || rows[1][5] != "取号" || rows[1][10] != "P90等候(分)" {
			t.Fatalf("head %q", rows[:2])
		}
		want := map[string][]string{
			// The last four: outreach (reached, plaques, 喜报, money), none here.
			"东风镇服务站 2026年10月": {"1", "1", "1", "0", "3", "3", "3", "0", "0", "0", "", "0", "0", "0", "0"}, // no push in October
			"东风镇服务站 2026年11月": {"3", "3", "2", "1", "16.6", "30", "30", "3", "2", "2", "2", "0", "0", "0", "0"},
			"东风镇服务站 合计":       {"4", "4", "3", "1", "13.2", "30", "30", "3", "2", "2", "2", "0", "0", "0", "0"},
			"西山乡服务站 2026年10月": {"0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "", "0", "0", "0", "0"},
			"西山乡服务站 2026年11月": {"1", "1", "1", "0", "9", "9", "9", "1", "0", "0", "0", "0", "0", "0", "0"},
		}
		for _, r := range rows[2:] {
			if w, ok := want[r[0]+" "+r[2]]; ok {
				if got := r[5:]; strings.Join(got, ",") != strings.Join(w, ",") {
					t.Errorf("%s %s: %q, want %q", r[0], r[2], got, w)
				}
				delete(want, r[0]+" "+r[2])
			}
		}
		if len(want) != 0 {
			t.Errorf("rows missing: %v", want)
		}
		totals, _ := f.GetRows("合计")
		if last := totals[len(totals)-1]; last[0] != "全部服务站" || last[2] != "合计" || last[5] != "5" || last[7] != "4" {
			t.Errorf("total row %q", last)
		}
		matters, _ := f.GetRows("来访事项")
		if !strings.Contains(fmt.Sprint(matters), "[东风镇服务站 2026年11月 B5 领取（优待证申领） 2]") {
			t.Errorf("matters %q", matters)
		}
	})

	t.Run("BadParameters", func(t *testing.T) {
		for _, tc := range []struct{ query, words string }{
			{"?period=year", "period must be day, week or month"},
			{"?period=day&from=2026-11-31", `date "2026-11-31" is not a date`},
			{"?period=week&from=2026-11-30&to=2026-11-01", "from 2026-11-30 is after to 2026-11-01"},
			{"?period=day&from=2026-01-01&to=2026-11-30", "at most 93"},
		} {
			for _, path := range []string{"/api/v1/figures", "/api/v1/figures.xlsx"} {
				resp, body := synctest.Get(t, c.URL+path+tc.query, token)
				var e wire.ErrorBody
				if resp.StatusCode != 400 || json.Unmarshal(body, &e) != nil || e.Code != "invalid" || !strings.Contains(e.Message, tc.words) {
					t.Errorf("%s%s: %d %s", path, tc.query, resp.StatusCode, body)
				}
			}
			resp, body := synctest.Get(t, c.URL+"/figures"+tc.query, token)
			if resp.StatusCode != 400 || !bytes.Contains(body, []byte(`id="figures-error"`)) || !bytes.Contains(body, []byte(template.HTMLEscapeString(tc.words))) ||
				bytes.Contains(body, []byte("<svg")) || !bytes.Contains(body, []byte(`id="figures-query"`)) {
				t.Errorf("the page for %s: %d", tc.query, resp.StatusCode)
			}
		}
		if n, _, _ := c.Store.EntryCount(t.Context(), east.StationID); n != len(ef.entries) {
			t.Errorf("%d entries after the bad requests, want %d", n, len(ef.entries))
		}
	})
}

// TestFigures_Screenshot takes a picture of the figures page of three stations over
// twelve weeks with headless Chromium, into test-artifacts/screenshots (or
// SCREENSHOT_DIR): the page's look is checked by eye. Without Chromium it skips.
func TestFigures_Screenshot(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("no Chromium at " + chromium)
	}
	c := synctest.StartCountyClock(t, clockwork.NewFakeClockAt(figureStart))
	services := []string{"A", "B", "B", "C", "D", "E", "B", "G"}
	matters := []string{"A1", "B5", "B1", "B5", "C1", "D2", "B2", "A2", "G1", "B5", "E1", "H1"}
	for i, name := range []string{"东风镇服务站", "西山乡服务站", "南河镇服务站"} {
		e := c.Enrol(t, name, "")
		f := &facts{prefix: fmt.Sprintf("s%d", i)}
		n := 0
		for day := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC); day.Before(figureStart); day = day.AddDate(0, 0, 1) {
			if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
				continue
			}
			date := day.Format(time.DateOnly)
			tickets := 4 + (day.YearDay()*7+i*5)%9 - i
			for k := range tickets {
				n++
				f.ticket(fmt.Sprintf("t%d", n), date, services[(n+k)%len(services)], 2+(n*37+i*11)%(14+int(day.Month())*2), n%11 == 0)
				if k%2 == 0 {
					f.visit(date, matters[(n+i)%len(matters)])
				}
			}
		}
		pushFacts(t, c, e, f, i%2)
	}
	token := login(t, c)
	// Chromium carries no session: a loopback proxy adds the staffer's token.
	target, _ := url.Parse(c.URL)
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Header.Set("Authorization", "Bearer "+token)
	}})
	defer proxy.Close()

	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "test-artifacts", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, shot := range []struct{ name, query string }{
		{"county-figures-week.png", "?period=week"},
		{"county-figures-month.png", "?period=month&from=2026-09-01&to=2026-11-30"},
	} {
		out, _ := filepath.Abs(filepath.Join(dir, shot.name))
		cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
			"--screenshot="+out, "--window-size=1366,2400", proxy.URL+"/figures"+shot.query)
		cmd.Dir = t.TempDir()
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("chromium: %v\n%s", err, b)
		}
		if st, err := os.Stat(out); err != nil || st.Size() < 10000 {
			t.Fatalf("no screenshot at %s: %v", out, err)
		}
		t.Logf("screenshot %s", out)
	}
}
