package http

import (
	"errors"
	"net/http"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/httperr"
)

// LimitCheckIns bounds check-ins by ID number or code from one device: a person types
// theirs once or twice; a device trying numbers or codes is slowed to one every three
// seconds. The station's own kiosk is not limited (limited).
var LimitCheckIns = Limit{Every: 3 * time.Second, Burst: 12}

// appointmentRoutes are the booking routes (docs/api.md, "Appointments"): staff book,
// list and cancel in the console; the kiosk checks a booked person in.
func (s *Server) appointmentRoutes(rt *router) {
	if s.Appointments == nil {
		return
	}
	rt.handle("POST /api/v1/appointments", StaffSession, s.handleBook)
	rt.handle("GET /api/v1/appointments", StaffSession, s.handleAppointments)
	rt.handle("POST /api/v1/appointments/{id}/cancel", StaffSession, s.handleCancelAppointment)
	rt.handle("POST /api/v1/appointments/check-in", KioskDevice, s.limited(LimitCheckIns, s.handleCheckIn))
}

// appointmentJSON is a booking as the console shows it: personal fields masked, the
// code in the clear (staff read it to the person).
type appointmentJSON struct {
	ID            string `json:"id"`
	Code          string `json:"code"`
	Service       string `json:"service"`
	ServiceNameZH string `json:"service_name_zh"`
	ServiceNameEN string `json:"service_name_en"`
	Date          string `json:"date"`
	Time          string `json:"time"`
	Status        string `json:"status"`
	Name          string `json:"name"`
	IDNumber      string `json:"id_number"`
	Phone         string `json:"phone"`
	Source        string `json:"source"`
	CreatedBy     string `json:"created_by"`
	CreatedAt     string `json:"created_at"`
	CheckedInAt   string `json:"checked_in_at,omitempty"`
	Late          bool   `json:"late"`
	TicketID      string `json:"ticket_id,omitempty"`
	TicketNumber  string `json:"ticket_number,omitempty"`
	EndedAt       string `json:"ended_at,omitempty"`
	EndedBy       string `json:"ended_by,omitempty"`
}

func (s *Server) appointmentJSON(r *http.Request, a *backend.Appointment) appointmentJSON {
	a.Mask()
	out := appointmentJSON{ID: a.ID, Code: a.Code, Service: a.Service, Date: a.Date, Time: a.Time,
		Status: string(a.Status), Name: a.Name, IDNumber: a.IDNumber, Phone: a.Phone, Source: a.Source,
		CreatedBy: a.CreatedBy, CreatedAt: s.stamp(a.CreatedAt), CheckedInAt: s.stamp(a.CheckedInAt),
		Late: a.Late, TicketID: a.TicketID, TicketNumber: a.TicketNumber, EndedAt: s.stamp(a.EndedAt),
		EndedBy: a.EndedBy}
	if svc, err := s.Services.Service(r.Context(), a.Service); err == nil {
		out.ServiceNameZH, out.ServiceNameEN = svc.NameZH, svc.NameEN
	}
	return out
}

// stamp is t in station time as RFC 3339, "" for none.
func (s *Server) stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.Station.Location).Format(time.RFC3339)
}

func (s *Server) handleBook(w http.ResponseWriter, r *http.Request) {
	var req backend.AppointmentRequest
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	a, created, err := s.Appointments.Book(r.Context(), req, actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	s.JSON(w, r, status, s.appointmentJSON(r, a))
}

// appointmentDay is the console's list of one day's bookings, with the check-in
// window so it can say when each may check in.
type appointmentDay struct {
	Date         string            `json:"date"`
	BeforeMin    int               `json:"window_before_min"`
	AfterMin     int               `json:"window_after_min"`
	Appointments []appointmentJSON `json:"appointments"`
}

func (s *Server) handleAppointments(w http.ResponseWriter, r *http.Request) {
	date := r.URL.Query().Get("date")
	if date == "" {
		date = s.now().In(s.Station.Location).Format(time.DateOnly)
	}
	list, err := s.Appointments.Appointments(r.Context(), date)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := appointmentDay{Date: date, BeforeMin: int(s.Station.CheckIn.Before / time.Minute),
		AfterMin: int(s.Station.CheckIn.After / time.Minute), Appointments: []appointmentJSON{}}
	for i := range list {
		out.Appointments = append(out.Appointments, s.appointmentJSON(r, &list[i]))
	}
	s.JSON(w, r, http.StatusOK, out)
}

func (s *Server) handleCancelAppointment(w http.ResponseWriter, r *http.Request) {
	if err := decodeOptionalJSON(r.Body, &struct{}{}); err != nil {
		s.Error(w, r, err)
		return
	}
	a, err := s.Appointments.Cancel(r.Context(), r.PathValue("id"), actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, s.appointmentJSON(r, a))
}

// checkInJSON is the answer to a check-in: the ticket (printed, as at 取号), the slot,
// and whether the person came late and got a normal ticket. Nothing personal.
type checkInJSON struct {
	Ticket  *ticketResponse `json:"ticket"`
	Service string          `json:"service"`
	Date    string          `json:"date"`
	Time    string          `json:"time"`
	Late    bool            `json:"late"`
	Again   bool            `json:"again"`
}

// earlyJSON is the 409 of a check-in before its window: the error, and the booking's
// day, slot and the time check-in opens, for a kiosk that words it itself.
type earlyJSON struct {
	httperr.Body
	Early struct {
		Date string `json:"date"`
		Time string `json:"time"`
		From string `json:"from,omitempty"`
	} `json:"early"`
}

func (s *Server) handleCheckIn(w http.ResponseWriter, r *http.Request) {
	var req backend.CheckInRequest
	if err := decodeAnswers(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	c, err := s.Appointments.CheckIn(r.Context(), req)
	var early *backend.TooEarly
	if errors.As(err, &early) {
		out := earlyJSON{Body: httperr.Body{Code: backend.ECONFLICT, Message: early.Err.Message(httperr.Lang(r))}}
		out.Early.Date, out.Early.Time, out.Early.From = early.Date, early.Time, early.From
		s.JSON(w, r, http.StatusConflict, out)
		return
	}
	var e *backend.Error
	if errors.As(err, &e) && e.Code == backend.EINVALID {
		// A mistyped ID number or code: refused content, as at the lookup.
		err = e.WithKind(backend.KindRejected)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	resp := s.ticketResponse(r, c.Issued)
	if !c.Again {
		p := s.print(r.Context(), httperr.Lang(r), c.Issued)
		resp.Print = &p
	}
	a := c.Appointment
	s.JSON(w, r, http.StatusOK, checkInJSON{Ticket: resp, Service: a.Service, Date: a.Date, Time: a.Time,
		Late: c.Late, Again: c.Again})
}
