package http

import (
	"context"
	"net/http"

	"bingzhan/backend"
)

// Access is who may use a route. Every route of the API names one when it is
// registered (router.handle); there is no other way to add a route, and
// routes_test.go walks the table to hold each to its rule. docs/security.md says
// who is who.
type Access int

const (
	// Public: anyone who can reach the station: the board, the catalogue, the login.
	Public Access = iota + 1
	// KioskPC: the kiosk PC itself, its window or a browser on that machine; any
	// other client gets 403. Setting up the first admin, leaving the window.
	KioskPC
	// KioskDevice: the kiosk PC, an enrolled kiosk device, or a logged-in staff
	// member (who serves people at the counter); any other client gets 403 with a
	// word to use the kiosk. Personal lookup, visit registration, printing.
	KioskDevice
	// KioskDeviceOrLAN is KioskDevice, or anyone at all while the station's admin has
	// opened taking tickets to the whole LAN (PUT /api/v1/lan-settings).
	KioskDeviceOrLAN
	// StaffSession: a live staff or admin session, else 401.
	StaffSession
	// AdminSession: a live admin session; 401 without a session, 403 for a staff
	// session.
	AdminSession
)

// Trust is the access's name in the OpenAPI document's x-trust.
func (a Access) Trust() string {
	switch a {
	case Public:
		return "public"
	case KioskPC:
		return "kiosk"
	case KioskDevice, KioskDeviceOrLAN:
		return "kiosk-device"
	case StaffSession:
		return "staff"
	case AdminSession:
		return "admin"
	}
	return ""
}

// Route is one registered route and its rule.
type Route struct {
	Pattern string // "METHOD /api/v1/path", as http.ServeMux takes it
	Access  Access
}

// router registers routes on a mux, each behind the guard of its access, and keeps
// the table of them.
type router struct {
	s      *Server
	mux    *http.ServeMux
	routes []Route
}

// handle registers h for pattern, reachable only as access allows.
func (rt *router) handle(pattern string, access Access, h http.HandlerFunc) {
	rt.routes = append(rt.routes, Route{Pattern: pattern, Access: access})
	rt.mux.HandleFunc(pattern, rt.s.guard(pattern, access, h))
}

// kioskPCRefusals are the words for a client that is not the kiosk PC, where the
// route has better ones than device.kiosk_pc: what to do instead.
var kioskPCRefusals = map[string]string{
	"GET /api/v1/kiosk/staff-names": "staff.names_kiosk",
	"POST /api/v1/setup/admin":      "setup.kiosk_only",
}

// Routes returns every route of the API with its access, in registration order.
func (s *Server) Routes() []Route {
	rt := &router{s: s, mux: http.NewServeMux()}
	s.register(rt)
	return rt.routes
}

// guard wraps the handler h of pattern in the check its access asks for.
func (s *Server) guard(pattern string, access Access, h http.HandlerFunc) http.HandlerFunc {
	switch access {
	case Public:
		return h
	case KioskPC:
		refusal := kioskPCRefusals[pattern]
		if refusal == "" {
			refusal = "device.kiosk_pc"
		}
		return func(w http.ResponseWriter, r *http.Request) {
			if !atKiosk(r) {
				s.Error(w, r, backend.Errorf(backend.EFORBIDDEN, refusal))
				return
			}
			h(w, r)
		}
	case KioskDevice:
		return s.kioskOnly(false, h)
	case KioskDeviceOrLAN:
		return s.kioskOnly(true, h)
	case StaffSession:
		return s.requireRole(backend.RoleStaff, h)
	case AdminSession:
		return s.requireRole(backend.RoleAdmin, h)
	}
	panic("http: a route without an access rule") // caught by every test that builds a Server
}

// kioskOnly runs h for the station's own kiosk, an enrolled kiosk device or a
// logged-in staff member, and refuses any other client on the LAN with 403 and a
// word to use the kiosk: a laptop plugged into the station's network may not take
// tickets, look people up or register visits. open, when true, lets anyone take
// tickets while the station's setting says so.
func (s *Server) kioskOnly(open bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if atKiosk(r) || deviceOf(r) != nil {
			h(w, r)
			return
		}
		if se, err := s.session(r); err == nil {
			h(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, se)))
			return
		}
		if open && s.Devices != nil {
			if ok, err := s.Devices.OpenTickets(r.Context()); err == nil && ok {
				h(w, r)
				return
			}
		}
		s.Error(w, r, backend.Errorf(backend.EFORBIDDEN, "device.kiosk_only"))
	}
}
