package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app/apptest"
)

// serve calls the next ticket to counter 1 as 王芳, starts and finishes it.
func (st *station) serve(tb testing.TB, token string) ticketJSON {
	tb.Helper()
	st.issue(tb, "B", false)
	var tk ticketJSON
	if resp := do(tb, nil, "POST", st.URL+"/api/v1/counters/1/call-next", token, nil, &tk); resp.StatusCode != 200 {
		tb.Fatalf("call next: %d", resp.StatusCode)
	}
	for _, a := range []string{"start", "finish"} {
		st.Clock.Add(time.Minute)
		if resp := do(tb, nil, "POST", st.URL+"/api/v1/tickets/"+tk.ID+"/"+a, token, nil, &tk); resp.StatusCode != 200 {
			tb.Fatalf("%s: %d", a, resp.StatusCode)
		}
	}
	return tk
}

type pendingJSON struct {
	Ticket *backend.RatingTicket `json:"ticket"`
}

type caseJSON struct {
	backend.RatingCase
	Overdue bool `json:"overdue"`
}

func TestRating_Contract(t *testing.T) {
	st := mustStation(t)
	staff := st.login(t, apptest.StaffName, apptest.StaffPIN)
	admin := st.login(t, apptest.AdminName, apptest.AdminPIN)

	var reasons backend.RatingReasons
	if resp := do(t, nil, "GET", st.URL+"/api/v1/rating-reasons", "", nil, &reasons); resp.StatusCode != 200 || reasons.Version == "" || len(reasons.Levels["1"]) == 0 {
		t.Fatalf("reasons: %d %+v", resp.StatusCode, reasons)
	}

	good := st.serve(t, staff)
	var p pendingJSON
	do(t, nil, "GET", st.URL+"/api/v1/counters/1/rating", "", nil, &p)
	if p.Ticket == nil || p.Ticket.TicketID != good.ID || p.Ticket.ServiceZH == "" {
		t.Fatalf("the counter's screen is not asked for %s: %+v", good.Number, p.Ticket)
	}
	var rated struct {
		TicketID string `json:"ticket_id"`
		Level    int
		CaseID   string `json:"case_id"`
	}
	if resp := do(t, nil, "POST", st.URL+"/api/v1/tickets/"+good.ID+"/rating", "", map[string]any{"level": 5, "reasons": []string{}, "via": "counter"}, &rated); resp.StatusCode != 201 || rated.Level != 5 || rated.CaseID != "" {
		t.Fatalf("rate: %d %+v", resp.StatusCode, rated)
	}
	do(t, nil, "GET", st.URL+"/api/v1/counters/1/rating", "", nil, &p)
	if p.Ticket != nil {
		t.Errorf("still asked after the rating: %+v", p.Ticket)
	}

	t.Run("Refused", func(t *testing.T) {
		st.issue(t, "A", false) // A001, waiting
		var e errorJSON
		for _, tc := range []struct {
			name, path string
			body       any
			status     int
			code       string
		}{
			{"Twice", "/api/v1/tickets/" + good.ID + "/rating", map[string]any{"level": 1}, 409, "conflict"},
			{"LevelZero", "/api/v1/tickets/" + good.ID + "/rating", map[string]any{"level": 0}, 400, "invalid"},
			{"LevelSix", "/api/v1/tickets/" + good.ID + "/rating", map[string]any{"level": 6}, 400, "invalid"},
			{"UnknownField", "/api/v1/tickets/" + good.ID + "/rating", map[string]any{"level": 3, "name": "张三"}, 400, "invalid"},
			{"UnknownTicket", "/api/v1/tickets/nope/rating", map[string]any{"level": 3}, 404, "not_found"},
			{"FindNotDone", "/api/v1/ratings/find", map[string]any{"number": "A001"}, 409, "conflict"},
			{"FindRated", "/api/v1/ratings/find", map[string]any{"number": good.Number}, 409, "conflict"},
			{"FindNone", "/api/v1/ratings/find", map[string]any{"number": "B999"}, 404, "not_found"},
			{"FindMalformed", "/api/v1/ratings/find", map[string]any{"number": "乱码"}, 422, "invalid"},
			{"FindForgedQR", "/api/v1/ratings/find", map[string]any{"payload": "BZ1:AAAA"}, 422, "invalid"},
		} {
			e = errorJSON{}
			resp := do(t, nil, "POST", st.URL+tc.path, "", tc.body, &e)
			if resp.StatusCode != tc.status || e.Code != tc.code || e.Message == "" {
				t.Errorf("%s: %d %+v, want %d %s", tc.name, resp.StatusCode, e, tc.status, tc.code)
			}
		}
	})

	t.Run("FindByQR", func(t *testing.T) {
		tk := st.serve(t, staff)
		var full struct {
			QRPayload string `json:"qr_payload"`
		}
		do(t, nil, "GET", st.URL+"/api/v1/tickets/"+tk.ID, "", nil, &full)
		var found backend.RatingTicket
		if resp := do(t, nil, "POST", st.URL+"/api/v1/ratings/find", "", map[string]any{"payload": full.QRPayload}, &found); resp.StatusCode != 200 || found.TicketID != tk.ID {
			t.Fatalf("find by QR: %d %+v", resp.StatusCode, found)
		}
		if resp := do(t, nil, "POST", st.URL+"/api/v1/tickets/"+tk.ID+"/rating/skip", "", nil, nil); resp.StatusCode != 200 {
			t.Fatalf("skip: %d", resp.StatusCode)
		}
		do(t, nil, "GET", st.URL+"/api/v1/counters/1/rating", "", nil, &p)
		if p.Ticket != nil {
			t.Errorf("asked again after a skip: %+v", p.Ticket)
		}
	})

	t.Run("BadRatingToClosure", func(t *testing.T) {
		tk := st.serve(t, staff)
		var rated struct {
			CaseID string `json:"case_id"`
			Due    string
		}
		body := map[string]any{"level": 1, "reasons": []string{"not_done", "attitude"}}
		if resp := do(t, nil, "POST", st.URL+"/api/v1/tickets/"+tk.ID+"/rating", "", body, &rated); resp.StatusCode != 201 || rated.CaseID == "" || rated.Due != "2026-11-30" {
			t.Fatalf("bad rating: %d %+v", resp.StatusCode, rated)
		}
		var cases []caseJSON
		if resp := do(t, nil, "GET", st.URL+"/api/v1/rating-cases", staff, nil, &cases); resp.StatusCode != 200 || len(cases) != 1 {
			t.Fatalf("cases: %d %+v", resp.StatusCode, cases)
		}
		c := cases[0]
		if c.ID != rated.CaseID || c.TicketID != tk.ID || c.Level != 1 || c.Status != "open" || c.Due != "2026-11-30" || c.Staff != apptest.StaffName {
			t.Errorf("case %+v", c)
		}
		act := func(token, action string, body any, want int) caseJSON {
			t.Helper()
			var out caseJSON
			var e errorJSON
			resp, raw := apptest.Send(t, "POST", st.URL+"/api/v1/rating-cases/"+c.ID+"/"+action, body, nil, apptest.Req{Token: token, Lang: "zh-CN"})
			if resp.StatusCode != want {
				t.Fatalf("%s: %d %s, want %d", action, resp.StatusCode, raw, want)
			}
			if want == 200 {
				decode(t, raw, &out)
			} else {
				decode(t, raw, &e)
				out.Status = backend.CaseStatus(e.Code + ":" + e.Message)
			}
			return out
		}
		if got := act(staff, "visit", map[string]any{"reached": true, "note": "x"}, 403); !strings.HasPrefix(string(got.Status), "forbidden") {
			t.Errorf("staff visiting: %s", got.Status)
		}
		if got := act(admin, "close", nil, 409); !strings.Contains(string(got.Status), "先填写整改") {
			t.Errorf("closing an open case: %s", got.Status)
		}
		if got := act(admin, "visit", map[string]any{"note": "没接"}, 400); !strings.HasPrefix(string(got.Status), "invalid") {
			t.Errorf("visit without reached: %s", got.Status)
		}
		act(admin, "visit", map[string]any{"reached": false, "note": "电话无人接听"}, 200)
		if got := act(staff, "appeal", map[string]any{"note": "该同志事后来电说按错了"}, 200); got.Status != "appealed" {
			t.Errorf("appeal: %+v", got)
		}
		if got := act(admin, "reject", nil, 200); got.Status != "visited" {
			t.Errorf("rejected appeal goes back: %+v", got)
		}
		act(admin, "visit", map[string]any{"reached": true, "note": "联系上了，材料没带齐被退回"}, 200)
		act(admin, "rectify", map[string]any{"note": "窗口张贴材料清单"}, 200)
		got := act(admin, "close", map[string]any{}, 200)
		if got.Status != "closed" || len(got.History) != 6 || got.History[0].By != apptest.AdminName || got.History[1].By != apptest.StaffName {
			t.Errorf("closed %+v", got)
		}
	})

	t.Run("OverdueAndFigures", func(t *testing.T) {
		late := st.serve(t, staff)
		do(t, nil, "POST", st.URL+"/api/v1/tickets/"+late.ID+"/rating", "", map[string]any{"level": 2}, nil)
		st.Clock.Add(8 * 24 * time.Hour) // Tuesday 1 December: that one is late
		staff, admin := st.login(t, apptest.StaffName, apptest.StaffPIN), st.login(t, apptest.AdminName, apptest.AdminPIN)
		tk := st.serve(t, staff)
		do(t, nil, "POST", st.URL+"/api/v1/tickets/"+tk.ID+"/rating", "", map[string]any{"level": 2}, nil)
		var cases []caseJSON
		do(t, nil, "GET", st.URL+"/api/v1/rating-cases", admin, nil, &cases)
		if len(cases) != 3 || !cases[0].Overdue || cases[0].TicketID != late.ID || cases[1].Overdue || cases[2].Status != "closed" {
			t.Errorf("cases %+v", cases)
		}
		var stats backend.DayStats
		do(t, nil, "GET", st.URL+"/api/v1/stats?date="+st.Clock.Now().In(shanghai).Format(time.DateOnly), admin, nil, &stats)
		if stats.Station.Rated != 1 || stats.Station.Unsatisfied != 1 || len(stats.Staff) != 1 || stats.Staff[0].Rated != 1 {
			t.Errorf("figures %+v", stats)
		}
	})
}

func TestRating_Access(t *testing.T) {
	st := mustStation(t)
	staff := st.login(t, apptest.StaffName, apptest.StaffPIN)
	tk := st.serve(t, staff)
	// A laptop on the LAN may not rate, and so cannot fill the figures.
	rec := st.lanSend("192.0.2.50", "POST", "/api/v1/tickets/"+tk.ID+"/rating", `{"level":1}`)
	if rec.Code != http.StatusForbidden {
		t.Errorf("stranger rating: %d %s", rec.Code, rec.Body)
	}
	device := st.device(t, "窗口评价屏", "192.0.2.60")
	rec = st.lanSend(device, "GET", "/api/v1/counters/1/rating", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), tk.Number) {
		t.Fatalf("device pending: %d %s", rec.Code, rec.Body)
	}
	rec = st.lanSend(device, "POST", "/api/v1/tickets/"+tk.ID+"/rating", `{"level":4,"via":"counter"}`)
	if rec.Code != 201 {
		t.Errorf("device rating: %d %s", rec.Code, rec.Body)
	}
}

func decode(tb testing.TB, raw []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		tb.Fatalf("decode %s: %v", raw, err)
	}
}
