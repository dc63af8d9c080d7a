package county

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"bingzhan/sync/wire"
)

// SessionCookie is the cookie that carries a county staff session (as on the station,
// the same token also works as a Bearer token).
const SessionCookie = "bingzhan_session"

// Server is the county's HTTP API and dashboard.
type Server struct {
	Store  *Store
	Logger *slog.Logger
	// PublicURL is the address stations are told to use in new enrolment files.
	PublicURL string
	// CertPin is the pin of the certificate the server presents ("" without TLS).
	CertPin string
	Version string
	// BackupEvery is the time between the store's scheduled backups (RunBackups); the
	// dashboard warns when two of them passed without one. 0 means a day.
	BackupEvery time.Duration
}

// Handler returns every route of the county server.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/health", func(w http.ResponseWriter, r *http.Request) {
		s.JSON(w, http.StatusOK, map[string]any{"status": "ok", "version": s.Version, "time": s.Store.Now().UTC()})
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
		s.Error(w, errorf("not_found", "no such API path"))
	})
	s.pageRoutes(mux)
	return mux
}

var codeStatus = map[string]int{
	"invalid":      http.StatusBadRequest,
	"not_found":    http.StatusNotFound,
	"conflict":     http.StatusConflict,
	"unauthorized": http.StatusUnauthorized,
	"forbidden":    http.StatusForbidden,
	"unavailable":  http.StatusServiceUnavailable,
	"internal":     http.StatusInternalServerError,
}

// Error writes err as {"code","message"}; internal errors are logged and shown only
// as "internal error".
func (s *Server) Error(w http.ResponseWriter, err error) {
	code := ErrorCode(err)
	msg := "internal error: see the county server's log"
	var e *Error
	if errors.As(err, &e) {
		msg = e.Message
	} else {
		s.Logger.Error("request failed", "err", err)
	}
	s.JSON(w, codeStatus[code], wire.ErrorBody{Code: code, Message: msg})
}

// JSON writes v as the response body.
func (s *Server) JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

type stationHandler func(w http.ResponseWriter, r *http.Request, st *Station)

// station authenticates a station by HTTP Basic (id, secret).
func (s *Server) station(next stationHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="bingzhan-county"`)
			s.Error(w, errorf("unauthorized", "station credentials missing: enrol the station with `bingzhan enrol`"))
			return
		}
		st, err := s.Store.Authenticate(id, secret)
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
		user, err := s.Store.SessionUser(sessionToken(r))
		if err != nil {
			s.Error(w, err)
			return
		}
		next(w, r, user)
	}
}

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request, st *Station) {
	req, err := DecodePush(http.MaxBytesReader(w, r.Body, wire.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.Error(w, errorf("invalid", "push larger than %d bytes", wire.MaxBodyBytes))
			return
		}
		s.Error(w, errorf("invalid", "push is not valid JSON: %v", err))
		return
	}
	if req.Station == "" || len(req.Entries) > 5*wire.MaxEntries {
		s.Error(w, errorf("invalid", "a push names its station and carries at most %d entries", 5*wire.MaxEntries))
		return
	}
	resp, err := s.Store.Ingest(st.ID, req)
	if err != nil {
		s.Error(w, err)
		return
	}
	s.JSON(w, http.StatusOK, resp)
}

func (s *Server) handleRef(w http.ResponseWriter, r *http.Request, st *Station) {
	name := r.PathValue("name")
	if !validDataset(name) {
		s.Error(w, errorf("not_found", "no data set %q", name))
		return
	}
	etag, body, err := s.Store.CurrentDataset(name)
	if err != nil {
		s.Error(w, err)
		return
	}
	if etag == "" {
		s.Error(w, errorf("not_found", "the county has not published a %s yet", name))
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
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

type loginRequest struct {
	Name string `json:"name"`
	PIN  string `json:"pin"`
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
		s.Error(w, errorf("invalid", "send {\"name\",\"pin\"}"))
		return
	}
	token, err := s.Store.Login(req.Name, req.PIN)
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
		SameSite: http.SameSiteStrictMode, MaxAge: int(SessionTTL / time.Second),
	})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if t := sessionToken(r); t != "" {
		if err := s.Store.Logout(t); err != nil {
			s.Error(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1})
	s.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// StationView is a station in GET /api/v1/stations.
type StationView struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	KeyID         string     `json:"key_id,omitempty"`
	Version       string     `json:"version,omitempty"`
	RetiredAt     *time.Time `json:"retired_at,omitempty"`
	LastSeen      *time.Time `json:"last_seen"`
	Pending       int        `json:"pending"`
	OldestPending *time.Time `json:"oldest_pending,omitempty"`
	DeadLetters   int        `json:"dead_letters"`
	Contiguous    uint64     `json:"contiguous"`
	// Highest is the highest sequence the county holds; Missing counts the sequences
	// below it the county does not hold: refused records waiting as dead letters, or
	// records lost when the county was restored from a backup.
	Highest  uint64         `json:"highest"`
	Missing  int            `json:"missing"`
	Received map[string]int `json:"received"`
	Kinds    map[string]int `json:"kinds"`
	Today    DayStats       `json:"today"`
}

// StationViews returns every station with today's figures, for the API and the page.
func (s *Server) StationViews() ([]StationView, string, error) {
	stations, err := s.Store.Stations()
	if err != nil {
		return nil, "", err
	}
	today := s.Store.Now().In(s.Store.Location).Format("2006-01-02")
	days, err := s.Store.Day(today)
	if err != nil {
		return nil, "", err
	}
	highest, err := s.Store.Highest()
	if err != nil {
		return nil, "", err
	}
	out := make([]StationView, 0, len(stations))
	for _, st := range stations {
		kinds := st.Received
		if kinds == nil {
			kinds = map[string]int{}
		}
		out = append(out, StationView{
			ID: st.ID, Name: st.Name, KeyID: st.KeyID, Version: st.Version, RetiredAt: st.RetiredAt, LastSeen: st.LastSeen,
			Pending: st.Pending, OldestPending: st.OldestPending, DeadLetters: st.DeadLetters,
			Contiguous: st.Contiguous, Kinds: kinds, Today: days[st.ID],
			Highest: highest[st.ID], Missing: max(int(highest[st.ID])-st.Total, 0),
			Received: map[string]int{
				"events":    st.Total,
				"tickets":   kinds[kindTicketIssued],
				"calls":     kinds[kindTicketCalled],
				"visits":    kinds[kindVisitCreated],
				"discarded": kinds[wire.KindDiscarded],
			},
		})
	}
	return out, today, nil
}

func (s *Server) handleStations(w http.ResponseWriter, r *http.Request, _ string) {
	views, _, err := s.StationViews()
	if err != nil {
		s.Error(w, err)
		return
	}
	s.JSON(w, http.StatusOK, views)
}

// NewEnrolment creates a station and returns its enrolment file's content. url ""
// uses the server's PublicURL.
func NewEnrolment(store *Store, name, url, pin string) (*wire.Enrolment, error) {
	return enrolment(store, url, pin, func() (*Station, string, error) { return store.AddStation(name) })
}

// NewSecretEnrolment gives an existing station (id or name) a new secret and returns
// its new enrolment file, for a file that leaked or a station PC replaced: the old
// file stops working at once, and `bingzhan enrol` with the new one carries on with
// the same station, its numbering and its history.
func NewSecretEnrolment(store *Store, idOrName, url, pin string) (*wire.Enrolment, error) {
	return enrolment(store, url, pin, func() (*Station, string, error) { return store.NewSecret(idOrName) })
}

// enrolment checks url and pin, then lets give make or change the station and builds
// its file; a typo in url leaves the station as it was.
func enrolment(store *Store, url, pin string, give func() (*Station, string, error)) (*wire.Enrolment, error) {
	if !strings.HasPrefix(url, "https://") {
		pin = ""
	}
	e := &wire.Enrolment{
		Format: wire.EnrolmentFormat, CountyURL: strings.TrimSuffix(url, "/"), StationID: "st-check",
		Secret: strings.Repeat("x", 43), CertPin: pin,
	}
	if err := e.Validate(); err != nil {
		return nil, errorf("invalid", "%v", err)
	}
	st, secret, err := give()
	if err != nil {
		return nil, err
	}
	e.StationID, e.StationName, e.Secret, e.IssuedAt = st.ID, st.Name, secret, store.Now().UTC()
	return e, nil
}

func (s *Server) handleAddStation(w http.ResponseWriter, r *http.Request, user string) {
	var req struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
		s.Error(w, errorf("invalid", "send {\"name\"[,\"url\"]}"))
		return
	}
	if req.URL == "" {
		req.URL = s.PublicURL
	}
	e, err := NewEnrolment(s.Store, req.Name, req.URL, s.CertPin)
	if err != nil {
		s.Error(w, err)
		return
	}
	s.Logger.Info("station added", "station", e.StationID, "name", e.StationName, "by", user)
	s.JSON(w, http.StatusCreated, e)
}

// handleNewSecret gives a station a new secret and answers its new enrolment file;
// the body may name the county address for it ({"url"}), as when adding one.
func (s *Server) handleNewSecret(w http.ResponseWriter, r *http.Request, user string) {
	var req struct {
		URL string `json:"url"`
	}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
			s.Error(w, errorf("invalid", "send {} or {\"url\"}"))
			return
		}
	}
	if req.URL == "" {
		req.URL = s.PublicURL
	}
	e, err := NewSecretEnrolment(s.Store, r.PathValue("id"), req.URL, s.CertPin)
	if err != nil {
		s.Error(w, err)
		return
	}
	s.Logger.Info("station given a new secret", "station", e.StationID, "name", e.StationName, "by", user)
	s.JSON(w, http.StatusOK, e)
}

func (s *Server) handleRetire(w http.ResponseWriter, r *http.Request, user string) {
	st, err := s.Store.RetireStation(r.PathValue("id"))
	if err != nil {
		s.Error(w, err)
		return
	}
	s.Logger.Info("station retired", "station", st.ID, "name", st.Name, "by", user)
	s.JSON(w, http.StatusOK, map[string]any{"id": st.ID, "name": st.Name, "retired_at": st.RetiredAt})
}

func (s *Server) handleBackups(w http.ResponseWriter, r *http.Request, _ string) {
	files, err := s.Store.Backups()
	if err != nil {
		s.Error(w, err)
		return
	}
	if files == nil {
		files = []BackupFile{}
	}
	s.JSON(w, http.StatusOK, files)
}
