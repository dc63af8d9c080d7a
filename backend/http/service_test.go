package http_test

import (
	"net/http"
	"testing"
)

func TestUpdateService(t *testing.T) {
	st := mustStation(t)
	admin := st.login(t, "站长", "975310")
	clerk := st.login(t, "王芳", "240816")
	update := map[string]any{"name_zh": "优待证办理", "name_en": "Preferential card", "enabled": false, "avg_service_s": 600}

	t.Run("OK", func(t *testing.T) {
		var got struct {
			Letter      string `json:"letter"`
			NameZH      string `json:"name_zh"`
			Enabled     bool   `json:"enabled"`
			AvgServiceS int    `json:"avg_service_s"`
		}
		if resp := do(t, nil, "PUT", st.URL+"/api/v1/services/B", admin, update, &got); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if got.Letter != "B" || got.NameZH != "优待证办理" || got.Enabled || got.AvgServiceS != 600 {
			t.Fatalf("updated %+v", got)
		}
		// The kiosk no longer offers a paused service, and refuses a ticket for it.
		var services []struct{ Letter string }
		do(t, nil, "GET", st.URL+"/api/v1/services", "", nil, &services)
		for _, s := range services {
			if s.Letter == "B" {
				t.Fatal("paused service still offered at the kiosk")
			}
		}
		var e struct{ Code, Message string }
		resp := do(t, nil, "POST", st.URL+"/api/v1/tickets", "", map[string]any{"service": "B", "request_id": "paused-0001"}, &e)
		if resp.StatusCode != http.StatusConflict || e.Message == "" {
			t.Fatalf("ticket for a paused service: %d %+v", resp.StatusCode, e)
		}
	})

	t.Run("ErrNotAdmin", func(t *testing.T) {
		if resp := do(t, nil, "PUT", st.URL+"/api/v1/services/A", clerk, update, nil); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("staff: %d", resp.StatusCode)
		}
		if resp := do(t, nil, "PUT", st.URL+"/api/v1/services/A", "", update, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("kiosk: %d", resp.StatusCode)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, body := range []map[string]any{
			{"name_zh": "", "enabled": true, "avg_service_s": 300},
			{"name_zh": "咨询", "enabled": true, "avg_service_s": 5},
			{"name_zh": "咨询", "enabled": true, "avg_service_s": 300, "letter": "Z"},
		} {
			var e struct{ Code, Message string }
			if resp := do(t, nil, "PUT", st.URL+"/api/v1/services/A", admin, body, &e); resp.StatusCode != 400 || e.Message == "" {
				t.Errorf("%v: %d %+v", body, resp.StatusCode, e)
			}
		}
		if resp := do(t, nil, "PUT", st.URL+"/api/v1/services/Z", admin, update, nil); resp.StatusCode != 404 {
			t.Errorf("unknown letter: %d", resp.StatusCode)
		}
		var a struct {
			NameZH string `json:"name_zh"`
		}
		for _, s := range getServices(t, st.URL) {
			if s.Letter == "A" {
				a.NameZH = s.NameZH
			}
		}
		if a.NameZH != "政策咨询/优待查询" {
			t.Errorf("a refused update changed the service: %q", a.NameZH)
		}
	})
}

type serviceJSON struct {
	Letter string `json:"letter"`
	NameZH string `json:"name_zh"`
}

func getServices(t *testing.T, base string) []serviceJSON {
	var out []serviceJSON
	do(t, nil, "GET", base+"/api/v1/services", "", nil, &out)
	return out
}
