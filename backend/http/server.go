// Package http is the station's HTTP API (/api/v1) and the server of the frontend's
// files. The same handler serves the kiosk window, through Wails' AssetServer, and the
// LAN listener of `bingzhan serve`.
package http

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"image"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/httperr"
	"bingzhan/backend/stationtls"
)

// Station is what the API tells clients about the station it runs on.
type Station struct {
	ID            string
	Name          string
	PublicKey     ed25519.PublicKey
	Location      *time.Location
	IdleWarning   time.Duration
	IdleCountdown time.Duration
	// Languages are what the kiosk's language switch and the board offer, Chinese
	// first (app.Languages); nil offers Chinese and English.
	Languages []string
	// CheckIn is the window around a booking's slot in which it is checked in for a
	// ticket in slot order (app.Config's appointment_window_*).
	CheckIn backend.CheckInWindow
}

// Server holds the services the API calls. Fields are set once before Handler.
type Server struct {
	Station  Station
	Tickets  backend.TicketService
	Services backend.ServiceService
	// Lookup serves the entitlement wizard and personal lookup; nil turns them off.
	Lookup *Lookup
	// Staff holds the staff console's services (auth.go, staff.go); nil turns them off.
	Staff *Staff
	// OnExit quits the kiosk window once an admin PIN is given; nil in serve mode.
	OnExit func()
	// Sync is the county link's status and dead letters (sync.go); nil turns it off.
	Sync backend.SyncService
	// Enrolment links the running station to its county from the console (sync.go);
	// nil turns it off.
	Enrolment backend.EnrolService
	// Ledger is the visitor ledger (visit.go); nil turns it off.
	Ledger *Ledger
	// Ratings are the 好差评 ratings and the follow-up of bad ones (rating.go); nil
	// turns them off.
	Ratings backend.RatingService
	// Appointments are the bookings checked in at the kiosk (appointment.go); nil
	// turns them off.
	Appointments backend.AppointmentService
	// Outreach is the work outside the lobby (outreach.go); nil turns it off.
	Outreach backend.OutreachService
	// Devices are the enrolled kiosk devices (devices.go); nil: only the kiosk itself
	// may take tickets, look up and register visits.
	Devices backend.DeviceService
	// Printer prints paper tickets; nil when the station has none.
	Printer backend.Printer
	// QRImage and QRPNG render a payload; the qr package provides them.
	QRImage func(payload string) (image.Image, error)
	QRPNG   func(payload string, size int) ([]byte, error)
	// Assets are the built frontend files (index.html at the root); nil serves API only.
	Assets  fs.FS
	Logger  *slog.Logger
	Version string
	// Clock is the station's one clock, set by whoever wires the station; nil is the
	// machine's. Access-log durations and the service-name cache stay on the machine's
	// monotonic clock: they measure this process's work, not station time.
	Clock backend.Clock
	// TLS is the station's certificate authority while the LAN listener serves
	// HTTPS (app.Station.Listen sets it, tls.go); empty otherwise.
	TLS atomic.Pointer[stationtls.Authority]

	printMu sync.Mutex // one job at a time on the one printer

	limitersMu sync.Mutex
	limiters   map[Limit]*limiter // by limit: each kind of request counts on its own
}

// Handler returns the API and, for every other path, the frontend.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", s.APIHandler())
	if s.Assets != nil {
		mux.Handle("/", s.assetHandler())
	}
	return secureHeaders(mux)
}

// APIHandler returns the /api/v1 routes alone, for Wails' AssetServer, which serves the
// frontend files itself.
func (s *Server) APIHandler() http.Handler {
	rt := &router{s: s, mux: http.NewServeMux()}
	s.register(rt)
	rt.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, backend.Errorf(backend.ENOTFOUND, "not_found"))
	})
	return s.logRequests(s.withDevice(rt.mux))
}

// register adds every route of the API to rt, each with its access rule.
func (s *Server) register(rt *router) {
	rt.handle("GET /api/v1/health", Public, s.handleHealth)
	rt.handle("GET /api/v1/station", Public, s.handleStation)
	rt.handle("GET /api/v1/services", Public, s.handleServices)
	rt.handle("PUT /api/v1/services/{letter}", AdminSession, s.handleUpdateService)
	rt.handle("GET /api/v1/queue", Public, s.handleQueue)
	rt.handle("POST /api/v1/tickets", KioskDeviceOrLAN, s.limited(LimitTickets, s.handleIssueTicket))
	rt.handle("POST /api/v1/tickets/verify", Public, s.handleVerifyTicket)
	rt.handle("GET /api/v1/tickets/{id}", Public, s.handleTicket)
	rt.handle("GET /api/v1/tickets/{id}/qr.png", Public, s.handleTicketQR)
	rt.handle("POST /api/v1/tickets/{id}/print", KioskDevice, s.handlePrintTicket)
	// Each area of the station adds its routes here, one line each, from a file of
	// its own (staff.go, setup.go, lookup.go, visit.go, sync.go, tls.go, devices.go).
	s.lookupRoutes(rt)
	s.staffRoutes(rt)
	s.setupRoutes(rt)
	s.syncRoutes(rt)
	s.ledgerRoutes(rt)
	s.tlsRoutes(rt)
	s.deviceRoutes(rt)
	s.ratingRoutes(rt)
	s.appointmentRoutes(rt)
	s.outreachRoutes(rt)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	s.JSON(w, r, http.StatusOK, map[string]any{
		"status": "ok", "version": s.Version, "station_id": s.Station.ID,
		"time": s.now().In(s.Station.Location).Format(time.RFC3339),
	})
}

// languages are the station's languages, or the kiosk's first two for a Station built
// without them (tests, tools), so the switch is never empty.
func (st Station) languages() []string {
	if len(st.Languages) == 0 {
		return []string{"zh-CN", "en"}
	}
	return st.Languages
}

func (s *Server) handleStation(w http.ResponseWriter, r *http.Request) {
	st := s.Station
	s.JSON(w, r, http.StatusOK, map[string]any{
		"id": st.ID, "name": st.Name, "timezone": st.Location.String(),
		"date": s.now().In(st.Location).Format("2006-01-02"), "time": s.now().In(st.Location).Format(time.RFC3339),
		"printer": s.Printer != nil, "public_key": st.PublicKey,
		"idle_warning_s": int(st.IdleWarning / time.Second), "idle_countdown_s": int(st.IdleCountdown / time.Second),
		"languages": st.languages(),
	})
}

// Error answers err through httperr: its status from the one table, its message in
// the request's language, internal errors logged and never shown.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	httperr.Write(w, r, s.Logger, err)
}

// JSON writes v as the response body.
func (s *Server) JSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.Logger.Warn("write response", "path", r.URL.Path, "err", err)
	}
}

// decodeAnswers is decodeJSON for the lookup API and ticket verification, whose whole
// body is what they check (answers, an ID number, a scanned code): a body they cannot
// read is refused like a wrong one (KindRejected), so the kiosk shows one screen for
// both.
func decodeAnswers(r io.Reader, v any) error {
	err := decodeJSON(r, v)
	var e *backend.Error
	if errors.As(err, &e) {
		return e.WithKind(backend.KindRejected)
	}
	return err
}

// maxBody bounds every request body: the API's requests are a few hundred bytes.
// bodyLimits names the requests that may be larger.
const maxBody = 64 << 10

var bodyLimits = map[string]int64{"POST /api/v1/outreach": maxOutreachBody}

// decodeJSON reads exactly one JSON object with known fields into v.
func decodeJSON(r io.Reader, v any) error { return decodeJSONUpTo(r, v, maxBody) }

// decodeJSONUpTo is decodeJSON for a request of at most limit bytes (bodyLimits).
func decodeJSONUpTo(r io.Reader, v any, limit int64) error {
	dec := json.NewDecoder(io.LimitReader(r, limit+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return backend.Errorf(backend.EINVALID, "body_too_large")
		}
		return backend.Errorf(backend.EINVALID, "bad_json")
	}
	if dec.More() {
		return backend.Errorf(backend.EINVALID, "bad_json")
	}
	return nil
}

// decodeOptionalJSON is decodeJSON for requests whose body may be left out: an empty
// body leaves v as it is, as {} would.
func decodeOptionalJSON(r io.Reader, v any) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return backend.Errorf(backend.EINVALID, "body_too_large")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return decodeJSON(bytes.NewReader(body), v)
}

func (s *Server) clock() backend.Clock { return backend.ClockOrSystem(s.Clock) }

func (s *Server) now() time.Time { return s.clock().Now() }

// statusRecorder remembers the status for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Flush lets streaming responses through the recorder.
func (w *statusRecorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// logRequests writes one line per API request: method, path, status, duration. Bodies
// and query strings are never logged; they may hold personal data.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		limit, ok := bodyLimits[r.Method+" "+r.URL.Path]
		if !ok {
			limit = maxBody
		}
		r.Body = http.MaxBytesReader(rec, r.Body, limit)
		next.ServeHTTP(rec, r)
		s.Logger.Debug("http", "method", r.Method, "path", r.URL.Path, "status", rec.status, "ms", time.Since(start).Milliseconds())
	})
}

// assetHandler serves the frontend, answering index.html for the app's own routes
// (/kiosk/…, /staff, /board) so a reload or a bookmarked address works.
func (s *Server) assetHandler() http.Handler {
	files := http.FileServerFS(s.Assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if p != "" {
			if _, err := fs.Stat(s.Assets, p); err == nil {
				if strings.HasPrefix(p, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, r)
				return
			}
			if path.Ext(p) != "" {
				http.NotFound(w, r)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, s.Assets, "index.html")
	})
}

// printTimeout bounds how long a kiosk waits for the printer before showing the ticket
// on screen with a note.
const printTimeout = 8 * time.Second

// print sends a ticket to the printer and says what happened, in lang.
func (s *Server) print(ctx context.Context, lang string, is *backend.Issued) printResult {
	if s.Printer == nil {
		return printResult{Status: "none", Message: backend.Translate(lang, "printer.none")}
	}
	t := is.Ticket
	job := backend.PrintJob{
		StationName: s.Station.Name, Number: t.Number, Priority: t.Priority,
		IssuedAt: t.IssuedAt.In(s.Station.Location), Ahead: is.Ahead, EstimatedWait: is.EstimatedWait,
	}
	if svc, err := s.Services.Service(ctx, t.Service); err == nil {
		job.ServiceNameZH, job.ServiceNameEN = svc.NameZH, svc.NameEN
	}
	img, err := s.QRImage(t.Proof)
	if err != nil {
		s.Logger.Error("render qr for printing", "ticket", t.ID, "err", err)
		return printResult{Status: "failed", Message: backend.Translate(lang, "printer.error")}
	}
	job.QR = img
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), printTimeout)
	defer cancel()
	s.printMu.Lock()
	defer s.printMu.Unlock()
	if err := s.Printer.Print(ctx, job); err != nil {
		s.Logger.Warn("print failed", "ticket", t.ID, "err", err)
		msg := backend.Translate(lang, "printer.error")
		if backend.ErrorCode(err) != backend.EINTERNAL {
			msg = backend.ErrorMessage(err, lang)
		}
		return printResult{Status: "failed", Message: msg}
	}
	return printResult{Status: "printed"}
}

type printResult struct {
	Status  string `json:"status"` // printed | failed | none
	Message string `json:"message,omitempty"`
}
