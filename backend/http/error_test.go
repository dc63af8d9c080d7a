package http_test

import (
	"testing"
)

// TestServer_ErrorStatus pins the statuses that the error's kind, not its code alone,
// decides, where one message or one kind of body answers differently by endpoint: the
// answers the API gave before the status moved onto the error.
func TestServer_ErrorStatus(t *testing.T) {
	st := mustStation(t)
	tok := st.login(t, "王芳", "240816")
	admin := st.login(t, "站长", "975310")
	id := st.issue(t, "B", false)
	for _, tt := range []struct {
		name, method, path, token string
		body                      any
		want                      int
	}{
		// An unknown service is refused content where a visitor chose it, and a
		// plain invalid request in the console's settings and actions.
		{"TicketUnknownService", "POST", "/api/v1/tickets", "", map[string]string{"service": "1", "request_id": "abcdefgh"}, 422},
		{"CounterUnknownService", "PUT", "/api/v1/counters/3", admin, map[string]any{"services": []string{"Q"}}, 400},
		{"TransferUnknownService", "POST", "/api/v1/tickets/" + id + "/transfer", tok, map[string]string{"service": "1"}, 400},
		// A body the verification cannot read is refused like a wrong code; the
		// ticket API reads its body before it checks it.
		{"VerifyBadJSON", "POST", "/api/v1/tickets/verify", "", `{"payload":`, 422},
		{"VerifyWrongCode", "POST", "/api/v1/tickets/verify", "", map[string]string{"payload": "nope"}, 422},
		{"TicketBadJSON", "POST", "/api/v1/tickets", "", `{"service":`, 400},
		// The list refuses a bad page number; the export, which pages nothing, calls
		// it a plain invalid request.
		{"ListBadPage", "GET", "/api/v1/visits?limit=x", tok, nil, 422},
		{"ExportBadPage", "GET", "/api/v1/visits/export?format=csv&limit=x", tok, nil, 400},
		{"ExportBadFormat", "GET", "/api/v1/visits/export?format=pdf", tok, nil, 422},
		{"StatsBadFormat", "GET", "/api/v1/stats/export?format=pdf", tok, nil, 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var e errorJSON
			if resp := do(t, nil, tt.method, st.URL+tt.path, tt.token, tt.body, &e); resp.StatusCode != tt.want || e.Code != "invalid" {
				t.Errorf("%d %q, want %d invalid", resp.StatusCode, e.Code, tt.want)
			}
		})
	}
}
