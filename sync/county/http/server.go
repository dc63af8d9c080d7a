// Package http is the county's HTTP API (/api/v1: station pushes and reference data,
// staff login and station management) and its dashboard pages, on a county.Store.
package http

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/httperr"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"
)

// SessionCookie is the cookie that carries a county staff session (as on the station,
// the same token also works as a Bearer token).
const SessionCookie = "bingzhan_session"

// Server is the county's HTTP API and dashboard.
type Server struct {
	Store county.Store
	// Backups lists the store's backups for staff; nil shows none.
	Backups county.BackupService
	// Clock is the county's one clock (nil: the machine's); Location its time zone
	// (nil: county.DefaultLocation()). "Today" on the dashboard follows both.
	Clock    backend.Clock
	Location *time.Location
	Logger   *slog.Logger
	// PublicURLs are the addresses stations are told to use in new enrolment files, in
	// the order they try them: one per county server sharing this database.
	PublicURLs []string
	// CertPin is the pin of the certificate the server presents ("" without TLS).
	CertPin string
	Version string
	// BackupEvery is the time between the store's scheduled backups; the dashboard
	// warns when two of them passed without one. 0 means a day.
	BackupEvery time.Duration
}

func (s *Server) now() time.Time { return backend.ClockOrSystem(s.Clock).Now() }

func (s *Server) location() *time.Location {
	if s.Location == nil {
		return county.DefaultLocation()
	}
	return s.Location
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// Handler returns every route of the county server.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/health", func(w http.ResponseWriter, r *http.Request) {
		s.JSON(w, http.StatusOK, map[string]any{"status": "ok", "version": s.Version, "time": s.now().UTC()})
	})
	mux.HandleFunc("POST "+wire.PushPath, s.station(s.handlePush))
	mux.HandleFunc("GET "+wire.RefPath+"{name}", s.station(s.handleRef))
	mux.HandleFunc("POST /api/v1/login", s.handleLogin)
	mux.HandleFunc("POST /api/v1/logout", s.handleLogout)
	mux.HandleFunc("GET /api/v1/stations", s.staff(s.handleStations))
	mux.HandleFunc("POST /api/v1/stations", s.staff(s.handleAddStation))
	mux.HandleFunc("POST /api/v1/stations/{id}/secret", s.staff(s.handleNewSecret))
	mux.HandleFunc("POST /api/v1/stations/{id}/retire", s.staff(s.handleRetire))
	mux.HandleFunc("GET /api/v1/datasets", s.staff(s.handleDatasets))
	mux.HandleFunc("GET /api/v1/backups", s.staff(s.handleBackups))
	mux.HandleFunc("POST /api/v1/datasets/{name}", s.staff(s.handleImport))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, county.Errorf(backend.ENOTFOUND, "county.no_api_path"))
	})
	s.figuresRoutes(mux)
	s.outreachRoutes(mux)
	s.pageRoutes(mux)
	return mux
}

// Error writes err as {"code","message"} with its status from the one table
// (httperr); internal errors are logged and shown only as "internal error". A request
// whose client went away before its write is not an error of the county: the station
// retries it, so it is logged at debug level only.
func (s *Server) Error(w http.ResponseWriter, err error) {
	code := backend.ErrorCode(err)
	msg := "internal error: see the county server's log"
	var e *backend.Error
	if errors.As(err, &e) {
		msg = e.Message("en")
	} else if errors.Is(err, context.Canceled) {
		s.logger().Debug("request abandoned by its client", "err", err)
	} else {
		s.logger().Error("request failed", "err", err)
	}
	s.JSON(w, httperr.Status(err), wire.ErrorBody{Code: code, Message: msg})
}

// JSON writes v as the response body.
func (s *Server) JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

type stationHandler func(w http.ResponseWriter, r *http.Request, st *county.Station)

// station authenticates a station by HTTP Basic (id, secret).
func (s *Server) station(next stationHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="bingzhan-county"`)
			s.Error(w, county.Errorf(backend.EUNAUTHORIZED, "county.station_credentials"))
			return
		}
		st, err := s.Store.Authenticate(r.Context(), id, secret)
		if err != nil {
			s.Error(w, err)
			return
		}
		next(w, r, st)
	}
}

type staffHandler func(w http.ResponseWriter, r *http.Request, user string)

// sessionToken returns the Bearer token or the session cookie of r.
func sessionToken(r *http.Request) string {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return t
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// staff lets only logged-in county staff through.
func (s *Server) staff(next staffHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, err := s.Store.SessionUser(r.Context(), sessionToken(r))
		if err != nil {
			s.Error(w, err)
			return
		}
		next(w, r, user)
	}
}

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request, st *county.Station) {
	req, err := county.DecodePush(http.MaxBytesReader(w, r.Body, wire.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.Error(w, county.Errorf(backend.EINVALID, "county.push_too_large", wire.MaxBodyBytes))
			return
		}
		s.Error(w, county.Errorf(backend.EINVALID, "county.push_json", err))
		return
	}
	if err := county.CheckPush(req); err != nil {
		s.Error(w, err)
		return
	}
	resp, err := s.Store.Ingest(r.Context(), st.ID, req)
	if err != nil {
		s.Error(w, err)
		return
	}
	s.JSON(w, http.StatusOK, resp)
}

func (s *Server) handleRef(w http.ResponseWriter, r *http.Request, st *county.Station) {
	name := r.PathValue("name")
	if !county.ValidDataset(name) {
		s.Error(w, county.Errorf(backend.ENOTFOUND, "county.dataset_not_found", name))
		return
	}
	etag, body, err := s.Store.CurrentDataset(r.Context(), name)
	if err != nil {
		s.Error(w, err)
		return
	}
	if etag == "" {
		s.Error(w, county.Errorf(backend.ENOTFOUND, "county.dataset_none", name))
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if name == wire.RefBookings {
		// Each station gets its own rows alone; the version's body for one station is
		// always the same, so the version stays its ETag.
		if body, err = county.StationBookings(body, st.ID); err != nil {
			s.Error(w, err)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(body)
}

// etagMatch reports whether an If-None-Match header names etag (or is "*").
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// badRequest is the error for a body that is not the JSON a route takes.
func badRequest(shape string) error {
	return county.Errorf(backend.EINVALID, "county.bad_request", shape)
}

type loginRequest struct {
	Name string `json:"name"`
	PIN  string `json:"pin"`
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
		s.Error(w, badRequest(`{"name","pin"}`))
		return
	}
	token, err := s.Store.Login(r.Context(), req.Name, req.PIN)
	if err != nil {
		s.Error(w, err)
		return
	}
	s.setSession(w, r, token)
	s.JSON(w, http.StatusOK, map[string]string{"token": token})
}

func (s *Server) setSession(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode, MaxAge: int(county.SessionTTL / time.Second),
	})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if t := sessionToken(r); t != "" {
		if err := s.Store.Logout(r.Context(), t); err != nil {
			s.Error(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1})
	s.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
