package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"bingzhan/backend/app/apptest"
	bzhttp "bingzhan/backend/http"
)

// client is one kind of caller a route's rule is about.
type client struct {
	name          string
	addr          string // the network address it comes from
	device, token string // an enrolled kiosk device's token, a staff session's
}

// send sends method path to the station's LAN handler as c, with an empty JSON
// object for a body, and returns the answer's status and error code. Streams (the
// events route) are cut off after a moment.
func (c client) send(st *station, method, path string) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, method, path, strings.NewReader("{}"))
	req.RemoteAddr = c.addr + ":40000"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	if c.device != "" {
		req.Header.Set(bzhttp.DeviceHeader, c.device)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	rec := httptest.NewRecorder()
	st.Server.Handler().ServeHTTP(rec, req)
	var e errorJSON
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		json.Unmarshal(rec.Body.Bytes(), &e)
	}
	return rec.Code, e.Code
}

var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// TestRoutes_Access walks every route the station registers and calls it as each
// kind of client — a stranger on the LAN, an enrolled kiosk device, the kiosk PC,
// a staff member and an admin (both from the LAN) — and holds each answer to the
// route's rule: who is refused is refused with the right status and code, and who
// is let in gets past the guard (whatever the handler then makes of an empty body;
// public routes answer a stranger as they answer the kiosk PC).
// A route added without a rule cannot be registered at all (router.handle takes one),
// and docs/openapi_test.go holds the document's x-trust to the same rule.
func TestRoutes_Access(t *testing.T) {
	st := mustStation(t)
	_, deviceToken, err := st.Devices.AddDevice(t.Context(), "大厅平板", apptest.AdminName)
	if err != nil {
		t.Fatal(err)
	}
	stranger := client{name: "LAN stranger", addr: "192.0.2.7"}
	device := client{name: "kiosk device", addr: "192.0.2.9", device: deviceToken}
	kiosk := client{name: "kiosk PC", addr: "127.0.0.1"}
	staff := client{name: "staff", addr: "192.0.2.20", token: st.login(t, apptest.StaffName, apptest.StaffPIN)}
	admin := client{name: "admin", addr: "192.0.2.21", token: st.login(t, apptest.AdminName, apptest.AdminPIN)}

	routes := st.Server.Routes()
	if len(routes) < 60 {
		t.Fatalf("%d routes: the station has more than 60", len(routes))
	}
	refused := func(status int) bool { return status == http.StatusUnauthorized || status == http.StatusForbidden }
	for _, r := range routes {
		method, path, _ := strings.Cut(r.Pattern, " ")
		path = pathParam.ReplaceAllString(path, "x")
		t.Run(r.Pattern, func(t *testing.T) {
			expect := func(c client, status int, code string) {
				t.Helper()
				got, gotCode := c.send(st, method, path)
				if got != status || gotCode != code {
					t.Errorf("%s: %d %q, want %d %q", c.name, got, gotCode, status, code)
				}
			}
			admitted := func(cs ...client) {
				t.Helper()
				for _, c := range cs {
					if got, code := c.send(st, method, path); refused(got) {
						t.Errorf("%s: refused (%d %s), want let in", c.name, got, code)
					}
				}
			}
			switch r.Access {
			case bzhttp.Public:
				// Everyone gets what the kiosk PC gets (a login with no PIN is a 401
				// for all). Without sessions: a public route that takes one (logout)
				// would end it.
				want, wantCode := kiosk.send(st, method, path)
				expect(stranger, want, wantCode)
				expect(device, want, wantCode)
			case bzhttp.KioskPC:
				for _, c := range []client{stranger, device, staff, admin} {
					expect(c, http.StatusForbidden, "forbidden")
				}
				admitted(kiosk)
			case bzhttp.KioskDevice, bzhttp.KioskDeviceOrLAN:
				expect(stranger, http.StatusForbidden, "forbidden")
				admitted(device, kiosk, staff, admin)
			case bzhttp.StaffSession:
				for _, c := range []client{stranger, device, kiosk} {
					expect(c, http.StatusUnauthorized, "unauthorized")
				}
				admitted(staff, admin)
			case bzhttp.AdminSession:
				for _, c := range []client{stranger, device, kiosk} {
					expect(c, http.StatusUnauthorized, "unauthorized")
				}
				expect(staff, http.StatusForbidden, "forbidden")
				admitted(admin)
			default:
				t.Fatalf("access %d has no test", r.Access)
			}
		})
	}

	// The one setting that widens a rule: with taking tickets opened to the LAN, the
	// stranger may take one, and still not look anyone up.
	if err := st.Devices.SetOpenTickets(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		method, path, _ := strings.Cut(r.Pattern, " ")
		path = pathParam.ReplaceAllString(path, "x")
		got, code := stranger.send(st, method, path)
		switch r.Access {
		case bzhttp.KioskDeviceOrLAN:
			if refused(got) {
				t.Errorf("%s with tickets open to the LAN: the stranger is refused (%d %s)", r.Pattern, got, code)
			}
		case bzhttp.KioskDevice, bzhttp.KioskPC:
			if got != http.StatusForbidden {
				t.Errorf("%s with tickets open to the LAN: the stranger gets %d %s, want 403", r.Pattern, got, code)
			}
		}
	}
}
