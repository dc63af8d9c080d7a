package http_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"bingzhan/backend/app/apptest"
)

// lanSend sends a request to the station's LAN handler as if from the LAN address
// addr, and returns the answer.
func (st *station) lanSend(addr, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
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

// TestRateLimit_KioskPace: a busy real kiosk — a ticket every five seconds all
// morning, and every person's double tap — is never refused; the station's own kiosk
// is not limited at all.
func TestRateLimit_KioskPace(t *testing.T) {
	st := mustStation(t)
	for i := range 120 {
		for tap := range 2 { // the double tap sends the same request twice
			body := fmt.Sprintf(`{"service":"A","request_id":"pace-%04d"}`, i)
			if rec := st.lanSend("192.0.2.9", "POST", "/api/v1/tickets", body); rec.Code/100 != 2 {
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
	paused := false
	for i, p := range st.People[:60] {
		body := fmt.Sprintf(`{"id_number":%q,"phone_last4":"0000"}`, p.IDNumber)
		if p.PhoneLast4() == "0000" {
			continue
		}
		rec := st.lanSend("192.0.2.10", "POST", "/api/v1/lookup", body)
		if rec.Code == http.StatusTooManyRequests && strings.Contains(rec.Body.String(), "paused") {
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
	if rec := st.lanSend("192.0.2.10", "POST", "/api/v1/lookup", body); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the paused device with a right answer: %d", rec.Code)
	}
	if resp := do(t, nil, "POST", st.URL+"/api/v1/lookup", "", map[string]string{"id_number": p.IDNumber, "phone_last4": p.PhoneLast4()}, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("the station's kiosk meanwhile: %d", resp.StatusCode)
	}
}
