package app_test

import (
	"bingzhan/backend/app"
	"bingzhan/backend/app/apptest"
	"context"
	"image/png"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// MustOpenMain starts a station as the program does, on a temp data folder with the
// default configuration and the machine's clock, served on a loopback port.
func MustOpenMain(tb testing.TB) (*app.Station, string) {
	tb.Helper()
	return mustOpenAt(tb, tb.TempDir(), app.Options{})
}

// mustOpenAt opens the station in dir with opts, served on loopback.
func mustOpenAt(tb testing.TB, dir string, opts app.Options) (*app.Station, string) {
	tb.Helper()
	return apptest.Serve(tb, dir, opts)
}

// call sends a JSON request and decodes the JSON answer into out (if not nil).
func call(tb testing.TB, method, url, lang string, body any, out any) int {
	tb.Helper()
	resp, _ := apptest.Send(tb, method, url, body, out, apptest.Req{Lang: lang})
	return resp.StatusCode
}

type ticketJSON struct {
	ID             string `json:"id"`
	Number         string `json:"number"`
	Service        string `json:"service"`
	ServiceNameZH  string `json:"service_name_zh"`
	IssuedAt       string `json:"issued_at"`
	Ahead          int    `json:"ahead"`
	EstimatedWaitS int    `json:"estimated_wait_s"`
	QRPayload      string `json:"qr_payload"`
	QRURL          string `json:"qr_url"`
	Existing       bool   `json:"existing"`
	Print          struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	} `json:"print"`
}

type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func TestAPI_Health(t *testing.T) {
	m, base := MustOpenMain(t)
	var raw map[string]any
	if code := call(t, "GET", base+"/api/v1/health", "", nil, &raw); code != 200 || raw["status"] != "ok" {
		t.Fatalf("health %d %v", code, raw)
	}
	if raw["station_id"] != m.ID {
		t.Errorf("station id %v", raw["station_id"])
	}
}

func TestAPI_Services(t *testing.T) {
	_, base := MustOpenMain(t)
	var services []struct {
		Letter  string `json:"letter"`
		NameZH  string `json:"name_zh"`
		NameEN  string `json:"name_en"`
		Waiting int    `json:"waiting"`
	}
	if code := call(t, "GET", base+"/api/v1/services", "", nil, &services); code != 200 {
		t.Fatal(code)
	}
	var letters string
	for _, s := range services {
		letters += s.Letter
		if s.NameZH == "" || s.NameEN == "" {
			t.Errorf("service %s lacks a name", s.Letter)
		}
	}
	if letters != "ABCDEFGHJ" {
		t.Errorf("letters %q", letters)
	}
}

func TestAPI_IssueTicket(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		m, base := MustOpenMain(t)
		var a, b ticketJSON
		if code := call(t, "POST", base+"/api/v1/tickets", "", map[string]any{"service": "B", "request_id": "kiosk-req-0001"}, &a); code != 201 {
			t.Fatalf("first: %d", code)
		}
		if code := call(t, "POST", base+"/api/v1/tickets", "", map[string]any{"service": "B", "request_id": "kiosk-req-0002"}, &b); code != 201 {
			t.Fatalf("second: %d", code)
		}
		if a.Number != "B001" || b.Number != "B002" || b.Ahead != 1 || b.EstimatedWaitS <= 0 {
			t.Fatalf("tickets %+v %+v", a, b)
		}
		if a.ServiceNameZH == "" || !strings.HasPrefix(a.QRPayload, "BZ1:") || a.IssuedAt == "" {
			t.Errorf("ticket fields %+v", a)
		}
		if !strings.Contains(a.IssuedAt, "+08:00") {
			t.Errorf("issued_at %q is not in the station's time zone", a.IssuedAt)
		}
		if a.Print.Status != "none" || a.Print.Message == "" {
			t.Errorf("print %+v without a printer", a.Print)
		}

		resp, err := http.Get(base + a.QRURL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		img, err := png.Decode(resp.Body)
		if err != nil || resp.Header.Get("Content-Type") != "image/png" || img.Bounds().Dx() != 384 {
			t.Fatalf("qr.png: %v %v", err, resp.Header)
		}

		var v struct {
			Valid  bool `json:"valid"`
			Ticket struct {
				Number    string `json:"number"`
				StationID string `json:"station_id"`
			} `json:"ticket"`
		}
		if code := call(t, "POST", base+"/api/v1/tickets/verify", "", map[string]string{"payload": a.QRPayload}, &v); code != 200 || !v.Valid || v.Ticket.Number != "B001" || v.Ticket.StationID != m.ID {
			t.Fatalf("verify %d %+v", code, v)
		}

		var q struct {
			Services []struct {
				Letter  string `json:"letter"`
				Waiting int    `json:"waiting"`
			} `json:"services"`
		}
		call(t, "GET", base+"/api/v1/queue", "", nil, &q)
		for _, s := range q.Services {
			if s.Letter == "B" && s.Waiting != 2 {
				t.Errorf("queue B = %d", s.Waiting)
			}
		}
	})

	t.Run("RepeatedRequest", func(t *testing.T) {
		_, base := MustOpenMain(t)
		// A double tap: the same request id twice at the same moment.
		var wg sync.WaitGroup
		got := make([]ticketJSON, 8)
		codes := make([]int, 8)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = call(t, "POST", base+"/api/v1/tickets", "", map[string]any{"service": "C", "request_id": "double-tap-7"}, &got[i])
			}()
		}
		wg.Wait()
		created := 0
		for i := range got {
			if got[i].ID != got[0].ID {
				t.Fatalf("different tickets for one request: %s %s", got[i].ID, got[0].ID)
			}
			if codes[i] == 201 {
				created++
			} else if codes[i] != 200 {
				t.Fatalf("status %d", codes[i])
			}
		}
		if created != 1 {
			t.Fatalf("%d answers said created", created)
		}
	})

	t.Run("ExistingForPerson", func(t *testing.T) {
		_, base := MustOpenMain(t)
		var a, b ticketJSON
		call(t, "POST", base+"/api/v1/tickets", "", map[string]any{"service": "B", "request_id": "person-a-001", "id_number": "11010519491231002X"}, &a)
		code := call(t, "POST", base+"/api/v1/tickets", "", map[string]any{"service": "B", "request_id": "person-a-002", "id_number": "11010519491231002X"}, &b)
		if code != 200 || !b.Existing || b.ID != a.ID {
			t.Fatalf("second ticket for the same person: %d %+v", code, b)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		m, base := MustOpenMain(t)
		for _, tt := range []struct {
			body   any
			lang   string
			status int
			want   string // part of the message
		}{
			{`{"service":"B"`, "", 400, "格式"},
			{`{"service":"B","request_id":"abcdefgh","extra":1}`, "", 400, "格式"},
			{`{"service":"B","request_id":"abcdefgh"} {}`, "", 400, "格式"},
			{`[]`, "en", 400, "JSON"},
			{map[string]any{"service": "B", "request_id": "x"}, "", 422, "请求编号"},
			{map[string]any{"service": "O", "request_id": "abcdefgh"}, "en", 422, "no service"},
			{map[string]any{"service": "B", "request_id": "abcdefgh", "id_number": "11010519491231003X"}, "", 422, "最后一位不对"},
			{map[string]any{"service": "B", "request_id": "abcdefgh", "id_number": "11010519491231003X"}, "en-US,en;q=0.9", 422, "last character is not right"},
			{map[string]any{"service": "B", "request_id": "abcdefgh", "id_number": "1101051949"}, "", 422, "18 位"},
			{map[string]any{"service": "Z", "request_id": "abcdefgh"}, "", 404, "没有代码"},
			{strings.Repeat(" ", 70<<10) + `{}`, "", 400, "过大"},
		} {
			var e errorJSON
			code := call(t, "POST", base+"/api/v1/tickets", tt.lang, tt.body, &e)
			if code != tt.status || !strings.Contains(e.Message, tt.want) || e.Code == "" {
				t.Errorf("%.60v: %d %+v, want %d and %q", tt.body, code, e, tt.status, tt.want)
			}
		}
		if n, _ := m.DB.OutboxEntries(context.Background(), 0, 100); len(n) != 0 {
			t.Fatalf("bad requests changed the store: %d outbox entries", len(n))
		}
	})
}

func TestAPI_VerifyTicket(t *testing.T) {
	_, base := MustOpenMain(t)
	_, other := MustOpenMain(t)
	var theirs ticketJSON
	call(t, "POST", other+"/api/v1/tickets", "", map[string]any{"service": "A", "request_id": "other-station"}, &theirs)
	var mine ticketJSON
	call(t, "POST", base+"/api/v1/tickets", "", map[string]any{"service": "A", "request_id": "this-station"}, &mine)
	alt := []byte(mine.QRPayload)
	alt[20] ^= 'A' ^ 'B'
	for _, p := range []string{theirs.QRPayload, string(alt), "hello", "", mine.QRPayload[:50]} {
		var e errorJSON
		if code := call(t, "POST", base+"/api/v1/tickets/verify", "", map[string]string{"payload": p}, &e); code != 422 || e.Code != "invalid" || e.Message == "" {
			t.Errorf("%q: %d %+v", p, code, e)
		}
	}
}

func TestAPI_NotFound(t *testing.T) {
	_, base := MustOpenMain(t)
	var e errorJSON
	if code := call(t, "GET", base+"/api/v1/tickets/nope", "en", nil, &e); code != 404 || e.Code != "not_found" {
		t.Errorf("%d %+v", code, e)
	}
	if code := call(t, "GET", base+"/api/v1/nothing", "", nil, &e); code != 404 || e.Code != "not_found" {
		t.Errorf("%d %+v", code, e)
	}
	if code := call(t, "GET", base+"/api/v1/tickets/x/qr.png?size=5", "", nil, &e); code != 400 {
		t.Errorf("qr size: %d %+v", code, e)
	}
}
