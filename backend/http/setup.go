package http

import "net/http"

// A station installed from a package has no account at all, and its staff never open
// a terminal: its first admin is set up at the kiosk itself, which only someone in
// the station's lobby can touch. The routes here do nothing once any account exists.

func (s *Server) setupRoutes(rt *router) {
	if s.Staff == nil {
		return
	}
	rt.handle("GET /api/v1/setup", Public, s.handleSetup)
	rt.handle("POST /api/v1/setup/admin", KioskPC, s.handleSetupAdmin)
}

// setupJSON says what a fresh station still needs: FirstAdmin while it has no
// account, and whether this request comes from the kiosk, where it is done.
type setupJSON struct {
	FirstAdmin bool `json:"first_admin"`
	AtKiosk    bool `json:"at_kiosk"`
}

func (s *Server) handleSetup(w http.ResponseWriter, r *http.Request) {
	has, err := s.Staff.Accounts.HasStaff(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, setupJSON{FirstAdmin: !has, AtKiosk: atKiosk(r)})
}

// handleSetupAdmin makes the station's first admin and logs them in, answering as
// POST /api/v1/login does. Only the kiosk may (403 elsewhere), and only while the
// station has no account (409): afterwards accounts are an admin's to add.
func (s *Server) handleSetupAdmin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
		PIN  string `json:"pin"`
	}
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	st, err := s.Staff.Accounts.AddFirstAdmin(r.Context(), req.Name, req.PIN)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Logger.Info("first admin set up at the kiosk", "name", st.Name, "role", st.Role)
	se, err := s.Staff.Accounts.Login(r.Context(), st.Name, req.PIN)
	if err != nil {
		s.authError(w, r, err)
		return
	}
	s.answerSession(w, r, se)
}
