package http

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/httperr"
)

// ticketResponse is the JSON shape of a ticket with its standing; docs/api.md.
type ticketResponse struct {
	ID             string       `json:"id"`
	Number         string       `json:"number"`
	Service        string       `json:"service"`
	ServiceNameZH  string       `json:"service_name_zh"`
	ServiceNameEN  string       `json:"service_name_en"`
	Priority       bool         `json:"priority"`
	Date           string       `json:"date"`
	IssuedAt       string       `json:"issued_at"`
	Status         string       `json:"status"`
	Ahead          int          `json:"ahead"`
	EstimatedWaitS int          `json:"estimated_wait_s"`
	QRPayload      string       `json:"qr_payload"`
	QRURL          string       `json:"qr_url"`
	Existing       bool         `json:"existing"`
	Slot           string       `json:"slot,omitempty"` // the booking's time, for a ticket in slot order
	Print          *printResult `json:"print,omitempty"`
}

func (s *Server) ticketResponse(r *http.Request, is *backend.Issued) *ticketResponse {
	t := is.Ticket
	out := &ticketResponse{
		ID: t.ID, Number: t.Number, Service: t.Service, Priority: t.Priority, Date: t.Date,
		IssuedAt: t.IssuedAt.In(s.Station.Location).Format(time.RFC3339), Status: string(t.Status),
		Ahead: is.Ahead, EstimatedWaitS: int(is.EstimatedWait / time.Second),
		QRPayload: t.Proof, QRURL: "/api/v1/tickets/" + t.ID + "/qr.png", Existing: is.Existing, Slot: t.Slot,
	}
	svc := is.Service
	if svc == nil { // a ticket service that does not say
		svc, _ = s.Services.Service(r.Context(), t.Service)
	}
	if svc != nil {
		out.ServiceNameZH, out.ServiceNameEN = svc.NameZH, svc.NameEN
	}
	return out
}

// DecodeTicketRequest reads a POST /api/v1/tickets body. It checks the JSON's form only;
// IssueRequest.Validate checks its content.
func DecodeTicketRequest(r io.Reader) (backend.IssueRequest, error) {
	var req backend.IssueRequest
	err := decodeJSON(r, &req)
	return req, err
}

func (s *Server) handleIssueTicket(w http.ResponseWriter, r *http.Request) {
	req, err := DecodeTicketRequest(r.Body)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	is, err := s.Tickets.IssueTicket(r.Context(), req)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	resp := s.ticketResponse(r, is)
	// Print only what this request made or found for the person: a repeated request
	// is a double tap or a retry, and must not print a second slip.
	if is.Created || is.Existing {
		p := s.print(r.Context(), httperr.Lang(r), is)
		resp.Print = &p
	}
	status := http.StatusOK
	if is.Created {
		status = http.StatusCreated
	}
	s.JSON(w, r, status, resp)
}

func (s *Server) handleTicket(w http.ResponseWriter, r *http.Request) {
	is, err := s.Tickets.Ticket(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, s.ticketResponse(r, is))
}

// QR image sizes a client may ask for, in pixels.
const (
	minQRSize     = 128
	maxQRSize     = 1024
	defaultQRSize = 384
)

func (s *Server) handleTicketQR(w http.ResponseWriter, r *http.Request) {
	size := defaultQRSize
	if v := r.URL.Query().Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < minQRSize || n > maxQRSize {
			s.Error(w, r, backend.Errorf(backend.EINVALID, "qr.size", minQRSize, maxQRSize))
			return
		}
		size = n
	}
	is, err := s.Tickets.Ticket(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	png, err := s.QRPNG(is.Ticket.Proof, size)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Write(png)
}

func (s *Server) handlePrintTicket(w http.ResponseWriter, r *http.Request) {
	is, err := s.Tickets.Ticket(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := s.print(r.Context(), httperr.Lang(r), is)
	s.JSON(w, r, http.StatusOK, map[string]any{"print": p})
}

func (s *Server) handleVerifyTicket(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Payload string `json:"payload"`
	}
	if err := decodeAnswers(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	pt, err := backend.VerifyProof(s.Station.PublicKey, req.Payload, s.Station.Location)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, map[string]any{"valid": true, "ticket": map[string]any{
		"station_id": pt.StationID, "date": pt.Date, "number": pt.Number, "service": pt.Service,
		"priority": pt.Priority, "issued_at": pt.IssuedAt.Format(time.RFC3339),
	}})
}

// serviceQueue is a service with today's waiting count.
type serviceQueue struct {
	backend.Service
	Waiting int `json:"waiting"`
}

// serviceQueues returns every service, in display order, with its waiting count.
func (s *Server) serviceQueues(r *http.Request) ([]serviceQueue, error) {
	services, err := s.Services.Services(r.Context())
	if err != nil {
		return nil, err
	}
	waiting, err := s.Tickets.Queue(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]serviceQueue, len(services))
	for i, svc := range services {
		out[i] = serviceQueue{Service: svc, Waiting: waiting[svc.Letter]}
	}
	return out, nil
}

// handleServices lists the services the kiosk offers: the enabled ones.
func (s *Server) handleServices(w http.ResponseWriter, r *http.Request) {
	all, err := s.serviceQueues(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := []serviceQueue{}
	for _, sq := range all {
		if sq.Enabled {
			out = append(out, sq)
		}
	}
	s.JSON(w, r, http.StatusOK, out)
}

// handleUpdateService lets an admin rename a service, pause it at the kiosk, or set
// the service time assumed for wait estimates.
func (s *Server) handleUpdateService(w http.ResponseWriter, r *http.Request) {
	var u backend.ServiceUpdate
	if err := decodeJSON(r.Body, &u); err != nil {
		s.Error(w, r, err)
		return
	}
	svc, err := s.Services.UpdateService(r.Context(), r.PathValue("letter"), u)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, svc)
}

func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) {
	all, err := s.serviceQueues(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	type queueJSON struct {
		Letter  string `json:"letter"`
		Waiting int    `json:"waiting"`
	}
	out := make([]queueJSON, len(all))
	for i, sq := range all {
		out[i] = queueJSON{sq.Letter, sq.Waiting}
	}
	s.JSON(w, r, http.StatusOK, map[string]any{"date": s.now().In(s.Station.Location).Format("2006-01-02"), "services": out})
}
