package http_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"bingzhan/backend/app/apptest"
	bzhttp "bingzhan/backend/http"
)

// lanSend sends a request to the station's LAN handler as if from the LAN address
// addr, and returns the answer. An addr with "|TOKEN" after it is an enrolled kiosk
// device's.
func (st *station) lanSend(addr, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	addr, token, _ := strings.Cut(addr, "|")
	if token != "" {
		req.Header.Set(bzhttp.DeviceHeader, token)
	}
	req.RemoteAddr = addr + ":40000"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	rec := httptest.NewRecorder()
	st.Server.Handler().ServeHTTP(rec, req)
	return rec
}

// TestRateLimit_Logins: one LAN client trying PINs as fast as it can is refused after
// a few, with Retry-After and a message in words; the same client may try again after
// waiting, and another client is not held up by it.
func TestRateLimit_Logins(t *testing.T) {
	st := mustStation(t)
	body := `{"name":"` + apptest.StaffName + `","pin":"` + apptest.StaffPIN + `"}`
	refused := 0
	var last *httptest.ResponseRecorder
	for range 50 {
		rec := st.lanSend("192.0.2.7", "POST", "/api/v1/login", body)
		if rec.Code == http.StatusTooManyRequests {
			refused++
			last = rec
		}
	}
	if refused < 40 {
		t.Fatalf("%d of 50 logins in a burst refused: want all but the first few", refused)
	}
	if s, _ := strconv.Atoi(last.Header().Get("Retry-After")); s < 1 || !strings.Contains(last.Body.String(), "try again in") {
		t.Errorf("refusal: Retry-After %q, body %s", last.Header().Get("Retry-After"), last.Body)
	}
	if rec := st.lanSend("192.0.2.8", "POST", "/api/v1/login", body); rec.Code != http.StatusOK {
		t.Errorf("another LAN client: %d %s", rec.Code, rec.Body)
	}
	st.Clock.Add(time.Minute)
	if rec := st.lanSend("192.0.2.7", "POST", "/api/v1/login", body); rec.Code != http.StatusOK {
		t.Errorf("the same client a minute later: %d %s", rec.Code, rec.Body)
	}
}

// device enrols a kiosk device and returns the lanSend address of it at addr.
func (st *station) device(t *testing.T, name, addr string) string {
	t.Helper()
	_, token, err := st.Devices.AddDevice(t.Context(), name, apptest.AdminName)
	if err != nil {
		t.Fatal(err)
	}
	return addr + "|" + token
}

// TestRateLimit_KioskPace: a busy second kiosk — a ticket every five seconds all
// morning, and every person's double tap — is never refused; the station's own kiosk
// is not limited at all.
func TestRateLimit_KioskPace(t *testing.T) {
	st := mustStation(t)
	tablet := st.device(t, "大厅平板", "192.0.2.9")
	for i := range 120 {
		for tap := range 2 { // the double tap sends the same request twice
			body := fmt.Sprintf(`{"service":"A","request_id":"pace-%04d"}`, i)
			if rec := st.lanSend(tablet, "POST", "/api/v1/tickets", body); rec.Code/100 != 2 {
				t.Fatalf("person %d, tap %d: %d %s", i, tap, rec.Code, rec.Body)
			}
		}
		st.Clock.Add(5 * time.Second)
	}
	for i := range 200 {
		body := map[string]any{"service": "C", "request_id": fmt.Sprintf("kiosk-rush-%04d", i)}
		if resp := do(t, nil, "POST", st.URL+"/api/v1/tickets", "", body, nil); resp.StatusCode != http.StatusCreated {
			t.Fatalf("the kiosk's own ticket %d: %d", i, resp.StatusCode)
		}
	}
}

// TestRateLimit_LookupFailures: a device that keeps giving wrong answers is paused
// whatever numbers it tries, and says for how long; the station's kiosk is not.
func TestRateLimit_LookupFailures(t *testing.T) {
	st := openStation(t, apptest.Options{Accounts: true, Registry: 200})
	tablet := st.device(t, "大厅平板", "192.0.2.10")
	paused := false
	for i, p := range st.People[:60] {
		body := fmt.Sprintf(`{"id_number":%q,"phone_last4":"0000"}`, p.IDNumber)
		if p.PhoneLast4() == "0000" {
			continue
		}
		rec := st.lanSend(tablet, "POST", "/api/v1/lookup", body)
		if rec.Code == http.StatusTooManyRequests && strings.Contains(rec.Body.String(), `"reason":"paused"`) {
			if i < 20 {
				t.Fatalf("paused after %d wrong answers: a real kiosk sees that many", i)
			}
			paused = true
			break
		}
		st.Clock.Add(10 * time.Second) // slower than the request limit
	}
	if !paused {
		t.Fatal("60 wrong answers from one device and it was never paused")
	}
	p := st.People[100]
	body := fmt.Sprintf(`{"id_number":%q,"phone_last4":%q}`, p.IDNumber, p.PhoneLast4())
	if rec := st.lanSend(tablet, "POST", "/api/v1/lookup", body); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the paused device with a right answer: %d", rec.Code)
	}
	if resp := do(t, nil, "POST", st.URL+"/api/v1/lookup", "", map[string]string{"id_number": p.IDNumber, "phone_last4": p.PhoneLast4()}, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("the station's kiosk meanwhile: %d", resp.StatusCode)
	}
}

// TestKioskOnly: a laptop on the LAN may not take a ticket, look anyone up or
// register a visit, and is told to use the kiosk; an enrolled device may until an
// admin removes it; a logged-in staff member may; the board and the console's login
// answer anyone. An admin may open taking tickets to the whole LAN.
func TestKioskOnly(t *testing.T) {
	st := openStation(t, apptest.Options{Accounts: true, Registry: 20})
	laptop := "192.0.2.20"
	p := st.People[0]
	actions := []struct{ method, path, body string }{
		{"POST", "/api/v1/tickets", `{"service":"A","request_id":"laptop-0001"}`},
		{"POST", "/api/v1/lookup", `{"id_number":"` + p.IDNumber + `","phone_last4":"` + p.PhoneLast4() + `"}`},
		{"POST", "/api/v1/visits", `{"request_id":"laptop-visit-1","service":"A","matter":"A1"}`},
	}
	for _, a := range actions {
		rec := st.lanSend(laptop, a.method, a.path, a.body)
		var e errorJSON
		json.Unmarshal(rec.Body.Bytes(), &e)
		if rec.Code != http.StatusForbidden || e.Code != "forbidden" || !strings.Contains(e.Message, "kiosk") {
			t.Errorf("a laptop: %s %s: %d %s", a.method, a.path, rec.Code, rec.Body)
		}
	}
	for _, path := range []string{"/api/v1/board", "/api/v1/station", "/api/v1/queue"} {
		if rec := st.lanSend(laptop, "GET", path, ""); rec.Code != http.StatusOK {
			t.Errorf("a laptop: GET %s: %d", path, rec.Code)
		}
	}

	admin := st.login(t, apptest.AdminName, apptest.AdminPIN)
	var d struct{ ID, Name, Token string }
	if resp := do(t, nil, "POST", st.URL+"/api/v1/kiosk-devices", admin, map[string]string{"name": "大厅平板"}, &d); resp.StatusCode != http.StatusCreated || d.Token == "" {
		t.Fatalf("enrol a device: %d %+v", resp.StatusCode, d)
	}
	tablet := "192.0.2.21|" + d.Token
	if rec := st.lanSend(tablet, actions[1].method, actions[1].path, actions[1].body); rec.Code != http.StatusOK {
		t.Errorf("the enrolled tablet's lookup: %d %s", rec.Code, rec.Body)
	}
	var list []struct{ ID, Name string }
	do(t, nil, "GET", st.URL+"/api/v1/kiosk-devices", admin, nil, &list)
	if len(list) != 1 || list[0].Name != "大厅平板" {
		t.Errorf("devices %+v", list)
	}
	if resp := do(t, nil, "DELETE", st.URL+"/api/v1/kiosk-devices/"+d.ID, admin, nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("remove the device: %d", resp.StatusCode)
	}
	if rec := st.lanSend(tablet, actions[0].method, actions[0].path, actions[0].body); rec.Code != http.StatusForbidden {
		t.Errorf("the removed tablet's ticket: %d", rec.Code)
	}
	clerk := st.login(t, apptest.StaffName, apptest.StaffPIN)
	if resp := do(t, nil, "POST", st.URL+"/api/v1/kiosk-devices", clerk, map[string]string{"name": "x"}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a staff member enrolling a device: %d", resp.StatusCode)
	}

	if resp := do(t, nil, "PUT", st.URL+"/api/v1/lan-settings", admin, map[string]bool{"open_tickets": true}, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("open tickets to the LAN: %d", resp.StatusCode)
	}
	if rec := st.lanSend(laptop, actions[0].method, actions[0].path, actions[0].body); rec.Code != http.StatusCreated {
		t.Errorf("a laptop's ticket once the station opened tickets: %d %s", rec.Code, rec.Body)
	}
	if rec := st.lanSend(laptop, actions[1].method, actions[1].path, actions[1].body); rec.Code != http.StatusForbidden {
		t.Errorf("opening tickets opened the lookup too: %d", rec.Code)
	}
}
