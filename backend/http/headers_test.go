package http_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestSecureHeaders: every answer of the LAN listener, page or API, error or not,
// tells the browser to run only the station's scripts, never to frame it, never to
// guess a type, and to send no referrer.
func TestSecureHeaders(t *testing.T) {
	st := mustStation(t)
	for _, path := range []string{"/api/v1/health", "/api/v1/queue", "/api/v1/no-such-route", "/api/v1/counters"} {
		resp, err := http.Get(st.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-eval") ||
			strings.Contains(strings.SplitN(strings.SplitAfter(csp, "script-src")[1], ";", 2)[0], "unsafe-inline") ||
			!strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s (%s): headers %v", path, resp.Status, h)
		}
	}
}
