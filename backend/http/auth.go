package http

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"bingzhan/backend"
)

// Staff sessions reach the API two ways, both checked by requireRole:
//
//   - Authorization: Bearer <token>, for scripts and tests;
//   - the HttpOnly cookie SessionCookie set by POST /api/v1/login, for browsers. It is
//     SameSite=Strict, so another site cannot make a staff browser act.
//
// A route that needs a staff member says so where it is registered:
// rt.handle("GET /api/v1/x", StaffSession, s.handleX) (routes.go); inside it SessionOf(r)
// says who is acting. No session gives 401 (code unauthorized), a staff session on an
// admin route 403 (forbidden).

// SessionCookie is the name of the cookie that carries a browser's session token.
const SessionCookie = "bingzhan_session"

type sessionKey struct{}

// SessionOf returns the staff session of a request that passed requireRole (or came
// from a staff member to a kiosk route), and nil for any other request.
func SessionOf(r *http.Request) *backend.Session {
	se, _ := r.Context().Value(sessionKey{}).(*backend.Session)
	return se
}

// requestToken returns the request's session token: the Bearer token if there is
// one, else the cookie's.
func requestToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// session returns the live session of the request; EUNAUTHORIZED if there is none.
func (s *Server) session(r *http.Request) (*backend.Session, error) {
	if s.Staff == nil || s.Staff.Accounts == nil {
		return nil, backend.Errorf(backend.EUNAUTHORIZED, "auth.required")
	}
	return s.Staff.Accounts.Session(r.Context(), requestToken(r))
}

func (s *Server) requireRole(role backend.Role, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		se, err := s.session(r)
		if err != nil {
			if _, cerr := r.Cookie(SessionCookie); cerr == nil {
				clearSessionCookie(w, r)
			}
			s.Error(w, r, err)
			return
		}
		if !se.Role.Allows(role) {
			s.Error(w, r, backend.Errorf(backend.EFORBIDDEN, "auth.admin"))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, se)))
	}
}

// actor names who acts in a request for the record: the session's staff member.
func actor(r *http.Request) string {
	if se := SessionOf(r); se != nil {
		return se.Name
	}
	return ""
}

type sessionJSON struct {
	Token     string `json:"token,omitempty"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	ExpiresAt string `json:"expires_at"`
}

func (s *Server) sessionJSON(se *backend.Session) sessionJSON {
	return sessionJSON{Token: se.Token, Name: se.Name, Role: string(se.Role),
		ExpiresAt: se.ExpiresAt.In(s.Station.Location).Format(time.RFC3339)}
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
		PIN  string `json:"pin"`
	}
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	se, err := s.Staff.Accounts.Login(r.Context(), req.Name, req.PIN)
	if err != nil {
		s.authError(w, r, err)
		return
	}
	s.Logger.Info("staff logged in", "name", se.Name, "role", se.Role)
	s.answerSession(w, r, se)
}

// answerSession answers a request that opened session se: the session cookie for
// browsers, the session with its token for everyone else.
func (s *Server) answerSession(w http.ResponseWriter, r *http.Request, se *backend.Session) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: se.Token, Path: "/api/", Expires: se.ExpiresAt,
		MaxAge: int(se.ExpiresAt.Sub(s.now()) / time.Second), HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	s.JSON(w, r, http.StatusOK, s.sessionJSON(se))
}

// authError answers a failed PIN check. While the account is locked (KindTooMany:
// 429) it says with Retry-After when to try again, so a client can tell "wait" from
// "try again"; the lock's minutes are the message's one argument.
func (s *Server) authError(w http.ResponseWriter, r *http.Request, err error) {
	var e *backend.Error
	if errors.As(err, &e) && e.Kind == backend.KindTooMany && len(e.Args) == 1 {
		if min, ok := e.Args[0].(int); ok {
			w.Header().Set("Retry-After", strconv.Itoa(min*60))
		}
	}
	s.Error(w, r, err)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := s.Staff.Accounts.Logout(r.Context(), requestToken(r)); err != nil {
		s.Error(w, r, err)
		return
	}
	clearSessionCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
}

func clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/api/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	s.JSON(w, r, http.StatusOK, s.sessionJSON(SessionOf(r)))
}

// handleKioskExit lets an admin leave the kiosk window: the PIN is checked, the
// answer sent, and only then the window told to quit.
func (s *Server) handleKioskExit(w http.ResponseWriter, r *http.Request) {
	if s.OnExit == nil {
		s.Error(w, r, backend.Errorf(backend.ECONFLICT, "kiosk.not_window"))
		return
	}
	var req struct {
		PIN string `json:"pin"`
	}
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	admin, err := s.Staff.Accounts.CheckAdminPIN(r.Context(), req.PIN)
	if err != nil {
		s.authError(w, r, err)
		return
	}
	s.Logger.Info("kiosk window left by admin", "name", admin.Name)
	s.JSON(w, r, http.StatusOK, map[string]any{"ok": true, "name": admin.Name})
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	go s.OnExit()
}

type windowKey struct{}

// KioskWindow marks the requests of the station's own kiosk window (Wails' asset
// server hands them to h without a network connection), so handlers can tell them
// from the same page opened on another PC.
func KioskWindow(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), windowKey{}, true)))
	})
}

// atKiosk reports whether a request comes from the kiosk PC itself: its window, or a
// browser on the same machine (the kiosk served without a display). Staff PCs on the
// station's network are not.
func atKiosk(r *http.Request) bool {
	if v, _ := r.Context().Value(windowKey{}).(bool); v {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// handleStaffNames lists the staff accounts' names for the login at the kiosk, whose
// touchscreen has no keyboard to type a name on: staff tap theirs, then give the PIN.
// Elsewhere names are typed, and the list is not given.
func (s *Server) handleStaffNames(w http.ResponseWriter, r *http.Request) {
	list, err := s.Staff.Accounts.ListStaff(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	names := make([]string, 0, len(list))
	for _, st := range list {
		names = append(names, st.Name)
	}
	s.JSON(w, r, http.StatusOK, map[string][]string{"names": names})
}
