package http_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app/apptest"
	"bingzhan/backend/demo"
	bzhttp "bingzhan/backend/http"

	"github.com/xuri/excelize/v2"
)

// ledgerStation is a station serving the ledger API on loopback: a real bbolt file, a
// demo registry, a staff member (王芳) and an admin (站长) logged in, and a log that
// tests read.
type ledgerStation struct {
	*station
	Staff string // tokens
	Admin string
}

func mustLedgerStation(tb testing.TB, dir string, registry int) *ledgerStation {
	tb.Helper()
	st := &ledgerStation{station: openStation(tb, apptest.Options{Dir: dir, Registry: registry, Accounts: true})}
	st.login(tb)
	return st
}

// login logs the staff member and the admin in (again, after the clock moved on).
func (st *ledgerStation) login(tb testing.TB) {
	tb.Helper()
	st.Staff = st.station.login(tb, "王芳", "240816")
	st.Admin = st.station.login(tb, "站长", "975310")
}

// adult returns the i-th adult of the registry: who comes to a station.
func (st *ledgerStation) adult(i int) backend.Person {
	for _, p := range st.People {
		if backend.AgeOn(p.BirthDate(), demo.Reference) >= 18 {
			if i == 0 {
				return p
			}
			i--
		}
	}
	panic("registry too small")
}

type kioskAnswer struct {
	ID           string  `json:"id"`
	Serial       string  `json:"serial"`
	IDNumber     string  `json:"id_number"`
	Phone        string  `json:"phone"`
	RelationName string  `json:"relation_name"`
	ServiceName  string  `json:"service_name"`
	MatterName   string  `json:"matter_name"`
	TicketNumber string  `json:"ticket_number"`
	Name         *string `json:"name"`
	Existing     bool    `json:"existing"`
}

func (st *ledgerStation) register(tb testing.TB, body map[string]any) (int, kioskAnswer) {
	tb.Helper()
	var out kioskAnswer
	resp := do(tb, nil, "POST", st.URL+"/api/v1/visits", "", body, &out)
	return resp.StatusCode, out
}

type visitAnswer struct {
	ID           string   `json:"id"`
	TicketNumber string   `json:"ticket_number"`
	Serial       string   `json:"serial"`
	Name         string   `json:"name"`
	VisitorName  string   `json:"visitor_name"`
	IDNumber     string   `json:"id_number"`
	Phone        string   `json:"phone"`
	Status       string   `json:"status"`
	Summary      string   `json:"summary"`
	HandledBy    string   `json:"handled_by"`
	Outcome      string   `json:"outcome"`
	ClosedAt     *string  `json:"closed_at"`
	Version      int      `json:"version"`
	Masked       bool     `json:"masked"`
	Categories   []string `json:"categories"`
	Audit        []struct {
		By      string `json:"by"`
		Action  string `json:"action"`
		Changes []struct {
			Field     string `json:"field"`
			FieldName string `json:"field_name"`
			Old       string `json:"old"`
			New       string `json:"new"`
		} `json:"changes"`
	} `json:"audit"`
}

type listAnswer struct {
	Total  int
	Visits []visitAnswer
}

func TestLedgerAPI_Kiosk(t *testing.T) {
	st := mustLedgerStation(t, "", 50)
	p := st.adult(0)

	t.Run("Matters", func(t *testing.T) {
		status, out := send(t, "GET", st.URL+"/api/v1/visits/matters", "", nil)
		if status != 200 || out["retention_days"] != 1095.0 {
			t.Fatalf("%d %v", status, out)
		}
		// How long, in words a visitor says: 3 years, not 1095 days; and the few short
		// lines shown first say it too.
		notice := obj(out["notice"])
		if text := notice["text"].(string); !strings.Contains(text, "保存 3 年") || strings.Contains(text, "1095") {
			t.Fatalf("the notice does not say how long data is kept in years: %s", text)
		}
		if points := list(notice["points"]); len(points) < 2 || len(points) > 3 || !strings.Contains(points[1].(string), "3 年") {
			t.Fatalf("notice points %v", points)
		}
		var b map[string]any
		for _, s := range list(out["services"]) {
			if obj(s)["letter"] == "B" {
				b = obj(s)
			}
		}
		ms := list(b["matters"])
		if len(ms) != 6 || obj(ms[0])["code"] != "B1" || obj(ms[0])["name"] != "首次申领" || obj(ms[5])["code"] != "B0" {
			t.Fatalf("B matters %v", ms)
		}
		if rel := list(out["relations"]); len(rel) != 5 || obj(rel[0])["name"] != "本人" {
			t.Fatalf("relations %v", rel)
		}
		_, en := send(t, "GET", st.URL+"/api/v1/visits/matters", "en", nil)
		if !strings.Contains(obj(en["notice"])["text"].(string), "kept for 3 years") {
			t.Fatalf("English notice %v", en["notice"])
		}
	})

	t.Run("OK", func(t *testing.T) {
		body := map[string]any{"id_number": p.IDNumber, "phone": p.Phone, "relation": "self", "service": "B",
			"matter": "B5", "request_id": "kiosk-visit-0001"}
		status, out := st.register(t, body)
		if status != 201 || out.Serial != "2026-0001" || out.IDNumber != backend.MaskIDNumber(p.IDNumber) ||
			out.Phone != backend.MaskPhone(p.Phone) || out.MatterName != "Collect my card" || out.RelationName != "Self" {
			t.Fatalf("%d %+v", status, out)
		}
		if out.Name != nil {
			t.Fatal("the kiosk is told the registry's name")
		}
		status, again := st.register(t, body)
		if status != 200 || again.ID != out.ID || !again.Existing {
			t.Fatalf("a double tap: %d %+v", status, again)
		}
	})

	t.Run("Ticket", func(t *testing.T) {
		var tk struct{ ID string }
		do(t, nil, "POST", st.URL+"/api/v1/tickets", "", map[string]any{"service": "D", "request_id": "ticket-for-visit"}, &tk)
		status, out := st.register(t, map[string]any{"id_number": p.IDNumber, "phone": p.Phone, "relation": "self",
			"service": "D", "matter": "D2", "ticket_id": tk.ID, "request_id": "kiosk-visit-0002"})
		if status != 201 || out.TicketNumber != "D001" {
			t.Fatalf("%d %+v", status, out)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		good := map[string]any{"id_number": p.IDNumber, "phone": p.Phone, "relation": "self", "service": "B",
			"matter": "B1", "request_id": "kiosk-visit-bad"}
		for _, tt := range []struct {
			name   string
			edit   map[string]any
			raw    string
			status int
			want   string
		}{
			{"ID check digit", map[string]any{"id_number": p.IDNumber[:17] + "Y"}, "", 422, "last is a digit or X"},
			{"phone", map[string]any{"phone": "12345"}, "", 422, "11 digits"},
			{"relation", map[string]any{"relation": "neighbour"}, "", 422, "related"},
			{"matter", map[string]any{"matter": "A1"}, "", 422, "matters"},
			{"service", map[string]any{"service": "Q", "matter": "Q1"}, "", 422, "no service"},
			{"ticket", map[string]any{"ticket_id": "01936b2e-0000-7000-8000-000000000000"}, "", 422, "today's tickets"},
			{"kiosk sets a name", map[string]any{"name": "张三"}, "", 401, "staff"},
			{"unknown field", nil, `{"id_number":"x","extra":1}`, 400, "not valid JSON"},
			{"not JSON", nil, `{"id_number":`, 400, "not valid JSON"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var body any = tt.raw
				if tt.raw == "" {
					m := map[string]any{}
					for k, v := range good {
						m[k] = v
					}
					for k, v := range tt.edit {
						m[k] = v
					}
					body = m
				}
				var e errorJSON
				resp := do(t, nil, "POST", st.URL+"/api/v1/visits", "", body, &e)
				if resp.StatusCode != tt.status || !strings.Contains(e.Message, tt.want) {
					t.Fatalf("%d %+v, want %d %q", resp.StatusCode, e, tt.status, tt.want)
				}
			})
		}
		var page listAnswer
		do(t, nil, "GET", st.URL+"/api/v1/visits", st.Staff, nil, &page)
		if page.Total != 2 {
			t.Fatalf("refused registrations left %d visits, want 2", page.Total)
		}
	})
}

func TestLedgerAPI_Staff(t *testing.T) {
	st := mustLedgerStation(t, "", 50)
	p, q := st.adult(0), st.adult(1)
	_, a := st.register(t, map[string]any{"id_number": p.IDNumber, "phone": p.Phone, "relation": "self",
		"service": "B", "matter": "B1", "request_id": "staff-test-0001"})

	t.Run("ErrNoSession", func(t *testing.T) {
		for _, r := range []struct{ method, path string }{
			{"GET", "/api/v1/visits"}, {"POST", "/api/v1/visits/search"}, {"GET", "/api/v1/visits/" + a.ID},
			{"PATCH", "/api/v1/visits/" + a.ID}, {"POST", "/api/v1/visits/" + a.ID + "/unmask"},
			{"GET", "/api/v1/visits/access-log"}, {"GET", "/api/v1/visits/export?format=csv"},
		} {
			if resp := do(t, nil, r.method, st.URL+r.path, "", `{}`, nil); resp.StatusCode != 401 {
				t.Errorf("%s %s without a session: %d", r.method, r.path, resp.StatusCode)
			}
		}
	})

	t.Run("Create", func(t *testing.T) {
		var v visitAnswer
		resp := do(t, nil, "POST", st.URL+"/api/v1/visits", st.Staff, map[string]any{"id_number": q.IDNumber,
			"relation": "spouse", "service": "D", "matter": "D1", "request_id": "staff-test-0002",
			"visitor_name": "李秀英", "summary": "代配偶申请定期抚恤"}, &v)
		if resp.StatusCode != 201 || v.Name != backend.MaskName(q.Name) || v.VisitorName != "李**" || v.Summary != "代配偶申请定期抚恤" || !v.Masked {
			t.Fatalf("%d %+v", resp.StatusCode, v)
		}
	})

	t.Run("EditAndClose", func(t *testing.T) {
		var v visitAnswer
		resp := do(t, nil, "PATCH", st.URL+"/api/v1/visits/"+a.ID, st.Staff, map[string]any{"version": 1,
			"summary": "首次申领优待证，材料齐全", "outcome": "accepted", "follow_up": "2026-12-20", "close": true}, &v)
		if resp.StatusCode != 200 || v.Status != "closed" || v.HandledBy != "王芳" || v.Version != 2 || v.ClosedAt == nil {
			t.Fatalf("%d %+v", resp.StatusCode, v)
		}
		var e errorJSON
		resp = do(t, nil, "PATCH", st.URL+"/api/v1/visits/"+a.ID, st.Staff, map[string]any{"version": 1, "summary": "x"}, &e)
		if resp.StatusCode != 409 || !strings.Contains(e.Message, "Someone else") {
			t.Fatalf("a stale edit: %d %+v", resp.StatusCode, e)
		}
		resp = do(t, nil, "PATCH", st.URL+"/api/v1/visits/"+a.ID, st.Staff, map[string]any{"follow_up": "12/20"}, &e)
		if resp.StatusCode != 422 {
			t.Fatalf("a bad date: %d %+v", resp.StatusCode, e)
		}
		do(t, nil, "GET", st.URL+"/api/v1/visits/"+a.ID, st.Staff, nil, &v)
		if len(v.Audit) != 2 || v.Audit[1].By != "王芳" || v.Audit[1].Action != "closed" {
			t.Fatalf("audit %+v", v.Audit)
		}
		for _, c := range v.Audit[1].Changes {
			if c.Field == "summary" && (c.Old != "" || c.New != "") {
				t.Fatalf("the audit shows free text: %+v", c)
			}
			if c.FieldName == "" {
				t.Fatalf("change without a field name to show: %+v", c)
			}
		}
	})

	t.Run("Search", func(t *testing.T) {
		initials := backend.PinyinInitials(p.Name)[0]
		for _, f := range []struct {
			how  string
			body map[string]any
		}{
			{"initials", map[string]any{"q": initials}},
			{"last four", map[string]any{"q": p.PhoneLast4()}},
			{"ID number", map[string]any{"q": p.IDNumber}},
			{"name", map[string]any{"q": p.Name}},
		} {
			var page listAnswer
			resp := do(t, nil, "POST", st.URL+"/api/v1/visits/search", st.Staff, f.body, &page)
			if resp.StatusCode != 200 || !slices.ContainsFunc(page.Visits, func(v visitAnswer) bool { return v.ID == a.ID }) {
				t.Errorf("search by %s: %d %+v", f.how, resp.StatusCode, page)
			}
		}
		var page listAnswer
		do(t, nil, "GET", st.URL+"/api/v1/visits?status=closed&follow_up_due=0&service=B", st.Staff, nil, &page)
		if page.Total != 1 || page.Visits[0].IDNumber != backend.MaskIDNumber(p.IDNumber) {
			t.Fatalf("closed B visits %+v", page)
		}
		var e errorJSON
		if resp := do(t, nil, "GET", st.URL+"/api/v1/visits?from=yesterday", st.Staff, nil, &e); resp.StatusCode != 422 {
			t.Fatalf("a bad date: %d", resp.StatusCode)
		}
	})

	t.Run("Unmask", func(t *testing.T) {
		var e errorJSON
		if resp := do(t, nil, "POST", st.URL+"/api/v1/visits/"+a.ID+"/unmask", st.Staff, map[string]string{"reason": "核对"}, &e); resp.StatusCode != 403 {
			t.Fatalf("staff unmasking: %d", resp.StatusCode)
		}
		if resp := do(t, nil, "POST", st.URL+"/api/v1/visits/"+a.ID+"/unmask", st.Admin, map[string]string{"reason": ""}, &e); resp.StatusCode != 422 {
			t.Fatalf("admin unmasking without a reason: %d", resp.StatusCode)
		}
		var v visitAnswer
		resp := do(t, nil, "POST", st.URL+"/api/v1/visits/"+a.ID+"/unmask", st.Admin, map[string]string{"reason": "本人电话核对身份"}, &v)
		if resp.StatusCode != 200 || v.Masked || v.IDNumber != p.IDNumber || v.Phone != p.Phone || v.Name != p.Name {
			t.Fatalf("%d %+v", resp.StatusCode, v)
		}
		var log []struct {
			By      string `json:"by"`
			VisitID string `json:"visit_id"`
			Reason  string `json:"reason"`
			At      string `json:"at"`
		}
		if resp := do(t, nil, "GET", st.URL+"/api/v1/visits/access-log", st.Staff, nil, nil); resp.StatusCode != 403 {
			t.Fatalf("staff reading the access log: %d", resp.StatusCode)
		}
		do(t, nil, "GET", st.URL+"/api/v1/visits/access-log", st.Admin, nil, &log)
		if len(log) != 1 || log[0].By != "站长" || log[0].VisitID != a.ID || log[0].Reason != "本人电话核对身份" || log[0].At != "2026-11-23T09:00:00+08:00" {
			t.Fatalf("access log %+v", log)
		}
	})

	t.Run("Export", func(t *testing.T) {
		body, resp := exportBody(t, st, "GET", "/api/v1/visits/export?format=csv", st.Staff, nil)
		if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("\uFEFF")) || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("%d %q", resp.StatusCode, body[:min(len(body), 40)])
		}
		// Title, selection, time and count come first, one cell each; then the table.
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF"))))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil || len(rows) != 5+2 || rows[5][0] != "2026-0001" {
			t.Fatalf("CSV rows %v %v", rows, err)
		}
		if !strings.Contains(rows[0][0], "（已脱敏）") || rows[5][5] != backend.MaskIDNumber(p.IDNumber) || rows[5][6] != backend.MaskPhone(p.Phone) || rows[5][2] != backend.MaskName(p.Name) {
			t.Fatalf("masked export row %v", rows[5])
		}
		if bytes.Contains(body, []byte(p.IDNumber)) || bytes.Contains(body, []byte(p.Phone)) {
			t.Fatal("the masked export holds a number in full")
		}

		// Unmasked: admins only, with a reason, recorded.
		req := map[string]any{"format": "xlsx", "unmasked": true, "reason": "县中心年度核查", "service": "B"}
		if _, resp := exportBody(t, st, "POST", "/api/v1/visits/export", st.Staff, req); resp.StatusCode != 403 {
			t.Fatalf("staff exporting unmasked: %d", resp.StatusCode)
		}
		if _, resp := exportBody(t, st, "POST", "/api/v1/visits/export", st.Admin, map[string]any{"format": "xlsx", "unmasked": true}); resp.StatusCode != 422 {
			t.Fatalf("unmasked export without a reason: %d", resp.StatusCode)
		}
		body, resp = exportBody(t, st, "POST", "/api/v1/visits/export", st.Admin, req)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "unmasked.xlsx") {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		xrows, _ := f.GetRows("台账")
		if len(xrows) != 6 || xrows[5][5] != p.IDNumber || xrows[5][2] != p.Name || !strings.Contains(xrows[0][0], "县中心年度核查") {
			t.Fatalf("unmasked workbook %v", xrows)
		}
		var log []struct {
			Action string `json:"action"`
			Filter string `json:"filter"`
			Reason string `json:"reason"`
		}
		do(t, nil, "GET", st.URL+"/api/v1/visits/access-log", st.Admin, nil, &log)
		if len(log) != 2 || log[0].Action != "export" || log[0].Filter != "service=B" || log[0].Reason != "县中心年度核查" {
			t.Fatalf("access log %+v", log)
		}
	})

	t.Run("FormulaDefused", func(t *testing.T) {
		do(t, nil, "PATCH", st.URL+"/api/v1/visits/"+a.ID, st.Staff, map[string]any{"outcome_note": "=HYPERLINK(\"http://x\")"}, nil)
		body, _ := exportBody(t, st, "GET", "/api/v1/visits/export?format=csv", st.Staff, nil)
		if !strings.Contains(string(body), `'=HYPERLINK`) {
			t.Fatal("a formula typed by staff goes into the CSV as a formula")
		}
	})

	// Nothing personal in the log, whatever happened above.
	t.Run("Log", func(t *testing.T) {
		assertNoPersonalData(t, st.Log.String(), p, q)
	})
}

func exportBody(t *testing.T, st *ledgerStation, method, path, token string, body any) ([]byte, *http.Response) {
	t.Helper()
	resp, raw := apptest.Send(t, method, st.URL+path, body, nil, apptest.Req{Token: token})
	return raw, resp
}

// assertNoPersonalData fails if the log holds any of the people's ID number (or its
// first 17 digits), phone or name.
func assertNoPersonalData(t *testing.T, log string, people ...backend.Person) {
	t.Helper()
	if log == "" {
		t.Fatal("the station logged nothing: the capture is not wired")
	}
	for _, p := range people {
		for _, secret := range []string{p.IDNumber, p.IDNumber[:17], p.Phone, p.Name} {
			if strings.Contains(log, secret) {
				t.Errorf("the log holds %q", secret)
			}
		}
	}
}

// TestLedgerAPI_TieTicket ties a visit registered at the kiosk to the ticket taken
// from its done screen, as the kiosk does: no session, the registration's request id
// as proof; staff then see the ticket number on the entry.
func TestLedgerAPI_TieTicket(t *testing.T) {
	st := mustLedgerStation(t, "", 50)
	p, q := st.adult(0), st.adult(1)
	ticket := func(service, rid string) ticketJSON {
		t.Helper()
		var tk ticketJSON
		if resp := do(t, nil, "POST", st.URL+"/api/v1/tickets", "", map[string]any{"service": service, "request_id": rid}, &tk); resp.StatusCode != 201 {
			t.Fatalf("ticket: %d", resp.StatusCode)
		}
		return tk
	}
	register := func(person backend.Person, rid, ticketID string) kioskAnswer {
		t.Helper()
		body := map[string]any{"id_number": person.IDNumber, "phone": person.Phone, "relation": "self",
			"service": "B", "matter": "B5", "request_id": rid}
		if ticketID != "" {
			body["ticket_id"] = ticketID
		}
		status, out := st.register(t, body)
		if status != 201 {
			t.Fatalf("register: %d", status)
		}
		return out
	}
	tie := func(visitID, rid, ticketID, token string, out any) int {
		t.Helper()
		return do(t, nil, "POST", st.URL+"/api/v1/visits/"+visitID+"/ticket", token,
			map[string]any{"request_id": rid, "ticket_id": ticketID}, out).StatusCode
	}
	old := ticket("B", "tie-ticket-old")
	st.Clock.Add(24 * time.Hour)
	st.login(t) // yesterday's sessions have ended
	t1, t2, t3 := ticket("B", "tie-ticket-001"), ticket("B", "tie-ticket-002"), ticket("A", "tie-ticket-003")
	a := register(p, "tie-visit-a-01", "")
	b := register(q, "tie-visit-b-01", t2.ID)

	t.Run("OK", func(t *testing.T) {
		var out kioskAnswer
		if status := tie(a.ID, "tie-visit-a-01", t1.ID, "", &out); status != 200 || out.ID != a.ID ||
			out.TicketNumber != t1.Number || out.Existing || out.Name != nil || out.IDNumber != backend.MaskIDNumber(p.IDNumber) {
			t.Fatalf("%d %+v", status, out)
		}
		// A retry after a lost answer: the same visit, nothing new.
		var again kioskAnswer
		if status := tie(a.ID, "tie-visit-a-01", t1.ID, "", &again); status != 200 || !again.Existing || again.TicketNumber != t1.Number {
			t.Fatalf("a retry: %d %+v", status, again)
		}
		// Staff see the ticket number on the entry and the kiosk in its trail.
		var v visitAnswer
		do(t, nil, "GET", st.URL+"/api/v1/visits/"+a.ID, st.Staff, nil, &v)
		if v.TicketNumber != t1.Number || v.Version != 2 || len(v.Audit) != 2 {
			t.Fatalf("the ledger entry %+v", v)
		}
		last := v.Audit[1]
		if last.By != "kiosk" || last.Action != "updated" || len(last.Changes) != 1 || last.Changes[0].Field != "ticket" ||
			last.Changes[0].FieldName != "Ticket" || last.Changes[0].New != t1.Number {
			t.Fatalf("audit entry %+v", last)
		}
		var page listAnswer
		do(t, nil, "POST", st.URL+"/api/v1/visits/search", st.Staff, map[string]any{"limit": 10}, &page)
		for _, w := range page.Visits {
			if w.ID == a.ID && w.TicketNumber != t1.Number {
				t.Fatalf("the list shows ticket %q", w.TicketNumber)
			}
		}
	})

	t.Run("Err", func(t *testing.T) {
		version := func(id string) string {
			var v visitAnswer
			do(t, nil, "GET", st.URL+"/api/v1/visits/"+id, st.Staff, nil, &v)
			return fmt.Sprintf("%d:%s", v.Version, v.TicketNumber)
		}
		before := version(a.ID) + version(b.ID)
		for _, tt := range []struct {
			name            string
			id, rid, ticket string
			raw             string
			status          int
			want            string
		}{
			{"no request id", b.ID, "", t3.ID, "", 422, "request"},
			{"the visit id alone", b.ID, "guessed-request", t3.ID, "", 404, "registered no such visit"},
			{"another visit's request id", b.ID, "tie-visit-a-01", t3.ID, "", 404, "registered no such visit"},
			{"unknown ticket", a.ID, "tie-visit-a-01", "01936b2e-0000-7000-8000-000000000000", "", 404, "no such ticket"},
			{"visit registered with a ticket", b.ID, "tie-visit-b-01", old.ID, "", 409, "already tied to ticket " + t2.Number},
			{"ticket of another visit", a.ID, "tie-visit-a-01", t2.ID, "", 409, "already tied to ticket " + t1.Number},
			{"visit tied already", a.ID, "tie-visit-a-01", t3.ID, "", 409, "already tied to ticket " + t1.Number},
			{"unknown field", a.ID, "", "", `{"request_id":"tie-visit-a-01","ticket_id":"x","visit":1}`, 400, "not valid JSON"},
			{"not JSON", a.ID, "", "", `{"request_id":`, 400, "not valid JSON"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var body any = map[string]any{"request_id": tt.rid, "ticket_id": tt.ticket}
				if tt.raw != "" {
					body = tt.raw
				}
				var e errorJSON
				resp := do(t, nil, "POST", st.URL+"/api/v1/visits/"+tt.id+"/ticket", "", body, &e)
				if resp.StatusCode != tt.status || !strings.Contains(e.Message, tt.want) {
					t.Fatalf("%d %+v, want %d %q", resp.StatusCode, e, tt.status, tt.want)
				}
			})
		}
		if after := version(a.ID) + version(b.ID); after != before {
			t.Fatalf("refused ties changed the ledger: %s → %s", before, after)
		}
	})

	t.Run("ErrDay", func(t *testing.T) {
		c := register(q, "tie-visit-c-01", "")
		var e errorJSON
		if status := tie(c.ID, "tie-visit-c-01", old.ID, "", &e); status != 422 || !strings.Contains(e.Message, "not today's") {
			t.Fatalf("yesterday's ticket: %d %+v", status, e)
		}
		if status := tie(c.ID, "tie-visit-c-01", t2.ID, "", &e); status != 409 || !strings.Contains(e.Message, "already registered with this ticket") {
			t.Fatalf("a ticket with a visit: %d %+v", status, e)
		}
		// Registered today, tied tomorrow: the request id no longer counts.
		st.Clock.Add(24 * time.Hour)
		st.login(t)
		t4 := ticket("C", "tie-ticket-004")
		if status := tie(c.ID, "tie-visit-c-01", t4.ID, "", &e); status != 404 || !strings.Contains(e.Message, "registered no such visit") {
			t.Fatalf("yesterday's registration: %d %+v", status, e)
		}
		var zh map[string]any
		_, zh = send(t, "POST", st.URL+"/api/v1/visits/"+c.ID+"/ticket", "zh-CN", map[string]any{"request_id": "tie-visit-c-01", "ticket_id": t4.ID})
		if msg, _ := zh["message"].(string); !strings.Contains(msg, "请把排队号告诉工作人员") {
			t.Fatalf("Chinese message %q", msg)
		}
	})
	assertNoPersonalData(t, st.Log.String(), p, q)
}

func TestLedgerAPI_Purge(t *testing.T) {
	st := mustLedgerStation(t, "", 20)
	p := st.adult(0)
	_, a := st.register(t, map[string]any{"id_number": p.IDNumber, "phone": p.Phone, "relation": "self",
		"service": "A", "matter": "A1", "request_id": "purge-test-0001"})
	do(t, nil, "PATCH", st.URL+"/api/v1/visits/"+a.ID, st.Staff, map[string]any{"outcome": "answered", "close": true}, nil)
	// Three years and a day on, the station's daily purge job removes it by itself.
	st.Clock.Set(st.Clock.Now().AddDate(3, 0, 1))
	st.login(t) // yesterday's sessions have ended
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var e errorJSON
		if resp := do(t, nil, "GET", st.URL+"/api/v1/visits/"+a.ID, st.Staff, nil, &e); resp.StatusCode == 404 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("a visit past its retention: %d", resp.StatusCode)
		}
	}
	if n, err := st.Visits.PurgeVisits(context.Background()); err != nil || n != 0 {
		t.Fatalf("purged %d more: %v", n, err)
	}
	assertNoPersonalData(t, st.Log.String(), p)
}

// FuzzDecodeVisitRequest feeds the registration decoder and validation arbitrary
// bodies: no panic, and a request that passes holds only valid values.
func FuzzDecodeVisitRequest(f *testing.F) {
	f.Add(`{"id_number":"11010519491231002X","phone":"13812345678","relation":"self","service":"B","matter":"B1","request_id":"abcdefgh"}`)
	f.Add(`{"id_number":"11010519491231002x ","phone":" 138 1234 5678","relation":"child","service":"D","matter":"D0","ticket_id":"01936b2e-0000-7000-8000-000000000000","request_id":"abcdefgh"}`)
	f.Add(`{"name":"张三","summary":"\u0000","categories":["VETERAN",""],"request_id":"x"}`)
	f.Add(`{"id_number":18,"phone":null}`)
	f.Add(`[]`)
	f.Add(`{"relation":"self"}{"relation":"self"}`)
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		req, err := bzhttp.DecodeVisitRequest(strings.NewReader(body))
		if err != nil {
			if backend.ErrorCode(err) != backend.EINVALID {
				t.Fatalf("decode error %v is not invalid", err)
			}
			return
		}
		for _, source := range []string{backend.SourceKiosk, backend.SourceStaff} {
			r := req
			if err := r.Validate(today, source); err != nil {
				if backend.ErrorCode(err) != backend.EINVALID {
					t.Fatalf("validate error %v is not invalid", err)
				}
				continue
			}
			if _, ok := backend.FindMatter(r.Service, r.Matter); !ok || !slices.Contains(backend.VisitRelations, r.Relation) {
				t.Fatalf("accepted %+v", r)
			}
			if source == backend.SourceKiosk && (backend.ValidateIDNumber(r.IDNumber, today) != nil || backend.ValidatePhone(r.Phone) != nil) {
				t.Fatalf("kiosk request accepted without a valid ID and phone: %+v", r)
			}
		}
	})
}

// FuzzDecodeVisitTicketRequest feeds the tie decoder and validation arbitrary bodies:
// no panic, refusals are "invalid" or "not found", and what passes is safe to use as
// a bbolt key.
func FuzzDecodeVisitTicketRequest(f *testing.F) {
	f.Add(`{"request_id":"k-7f3a9c1e","ticket_id":"01936b2e-0000-7000-8000-000000000000"}`)
	f.Add(`{"request_id":"short","ticket_id":"../../x"}`)
	f.Add(`{"request_id":null,"ticket_id":7}`)
	f.Add(`{"request_id":"abcdefgh"}{"ticket_id":"abcdefgh"}`)
	f.Fuzz(func(t *testing.T, body string) {
		req, err := bzhttp.DecodeVisitTicketRequest(strings.NewReader(body))
		if err != nil {
			if backend.ErrorCode(err) != backend.EINVALID {
				t.Fatalf("decode error %v is not invalid", err)
			}
			return
		}
		if err := req.Validate(); err != nil {
			if c := backend.ErrorCode(err); c != backend.EINVALID && c != backend.ENOTFOUND {
				t.Fatalf("validate error %v", err)
			}
			return
		}
		for _, id := range []string{req.RequestID, req.TicketID} {
			if len(id) < 8 || len(id) > 64 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
				t.Fatalf("accepted %+v", req)
			}
		}
	})
}

// benchVisits is the ledger size of BenchmarkLedgerSearch; BINGZHAN_BENCH_VISITS
// overrides it for a quick run.
func benchVisits() int {
	if n, err := strconv.Atoi(os.Getenv("BINGZHAN_BENCH_VISITS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// BenchmarkLedgerSearch measures POST /api/v1/visits/search over loopback on a ledger
// of 100,000 visits (made once through RegisterVisit and kept in the temp folder
// between runs), by pinyin initials, last four phone digits and ID number, and
// reports the data folder's size per visit, outbox included (nothing delivered).
func BenchmarkLedgerSearch(b *testing.B) {
	n := benchVisits()
	const persons = 5000
	// v2: sealed values carry their key id since the data key can be rotated.
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("bingzhan-bench-ledger-v2-%d", n))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	st := mustLedgerStation(b, dir, persons)
	ctx := context.Background()
	base, err := fileSize(st.DB.Path())
	if err != nil {
		b.Fatal(err)
	}
	page, err := st.Visits.Visits(ctx, backend.VisitFilter{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	if have := page.Total; have < n {
		// A station's life, sped up: a visit a minute, the daily purge at each new day
		// (which drops the request links a kiosk no longer needs).
		start := time.Now()
		matters := backend.VisitMatters("B")
		day := ""
		for i := have; i < n; i++ {
			st.Clock.Add(time.Minute)
			if today := st.Clock.Now().In(shanghai).Format(time.DateOnly); today != day {
				if _, err := st.Visits.PurgeVisits(ctx); err != nil {
					b.Fatal(err)
				}
				day = today
			}
			p := st.People[(i*7919)%persons]
			req := backend.VisitRequest{IDNumber: p.IDNumber, Phone: p.Phone, Relation: backend.RelationSelf,
				Service: "B", Matter: matters[i%len(matters)].Code, RequestID: fmt.Sprintf("bench-visit-%08d", i)}
			if _, _, err := st.Visits.RegisterVisit(ctx, req, ""); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("%d visits registered in %v (%v each, one transaction with its outbox entry each)",
			n-have, time.Since(start).Round(time.Second), (time.Since(start) / time.Duration(n-have)).Round(time.Microsecond))
		if have == 0 {
			after, _ := fileSize(st.DB.Path())
			b.Logf("database grew %d bytes for %d visits: %.0f bytes per visit (record, outbox entry undelivered, indexes)",
				after-base, n, float64(after-base)/float64(n))
			b.ReportMetric(float64(after-base)/float64(n), "B/visit")
		}
		st.login(b)
	}
	total, err := dirSize(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("data folder %d bytes for %d visits and a registry of %d: %.0f bytes per visit, registry included",
		total, n, persons, float64(total)/float64(n))

	// Queries: initials, last four and ID numbers of people who came.
	type query struct{ kind, body string }
	var queries []query
	for i := range 300 {
		p := st.People[(i*7919)%persons]
		ini := backend.PinyinInitials(p.Name)[0]
		for _, q := range []query{{"initials", ini}, {"last4", p.PhoneLast4()}, {"id", p.IDNumber}} {
			buf, _ := json.Marshal(map[string]any{"q": q.body})
			queries = append(queries, query{q.kind, string(buf)})
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	times := map[string][]time.Duration{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		req, _ := http.NewRequest("POST", st.URL+"/api/v1/visits/search", strings.NewReader(q.body))
		req.Header.Set("Authorization", "Bearer "+st.Staff)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("search answered %d", resp.StatusCode)
		}
		times[q.kind] = append(times[q.kind], time.Since(start))
	}
	b.StopTimer()
	for _, kind := range []string{"initials", "last4", "id"} {
		d := times[kind]
		if len(d) == 0 {
			continue
		}
		b.ReportMetric(float64(lookupPct(d, 99).Microseconds()), kind+"-p99-µs")
		b.Logf("%d visits, search by %-8s n=%d p50 %v p99 %v (target p99 ≤ 50ms)", n, kind, len(d), lookupPct(d, 50), lookupPct(d, 99))
	}
}

func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// dirSize adds up the files in dir that belong to the station: the database and the
// keys (the benchmark's own caches are not there).
func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			total += fi.Size()
		}
		return err
	})
	return total, err
}
