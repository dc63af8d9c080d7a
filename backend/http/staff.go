package http

import (
	"net/http"
	"strconv"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/event"
	"bingzhan/backend/httperr"
)

// Staff holds the services of the staff console and the lobby board. docs/staff.md
// describes the routes.
type Staff struct {
	Accounts backend.StaffService
	Counters backend.CounterService
	Calls    backend.CallService
	Stats    backend.StatsService
	Events   *event.Broker
}

func (s *Server) staffRoutes(rt *router) {
	if s.Staff == nil {
		return
	}
	rt.handle("POST /api/v1/login", Public, s.limited(LimitLogins, s.handleLogin))
	rt.handle("POST /api/v1/logout", Public, s.handleLogout)
	rt.handle("GET /api/v1/me", StaffSession, s.handleMe)
	rt.handle("POST /api/v1/kiosk/exit", KioskPC, s.handleKioskExit)
	rt.handle("GET /api/v1/kiosk/staff-names", KioskPC, s.handleStaffNames)
	rt.handle("GET /api/v1/staff", AdminSession, s.handleListStaff)
	rt.handle("POST /api/v1/staff", AdminSession, s.handleAddStaff)
	rt.handle("PUT /api/v1/staff/{name}/pin", AdminSession, s.handleSetPIN)
	rt.handle("POST /api/v1/staff/{name}/unlock", AdminSession, s.handleUnlockStaff)
	rt.handle("PUT /api/v1/staff/{name}/role", AdminSession, s.handleSetRole)
	rt.handle("DELETE /api/v1/staff/{name}", AdminSession, s.handleRemoveStaff)

	rt.handle("GET /api/v1/counters", StaffSession, s.handleCounters)
	rt.handle("PUT /api/v1/counters/{n}", AdminSession, s.handlePutCounter)
	rt.handle("DELETE /api/v1/counters/{n}", AdminSession, s.handleDeleteCounter)
	rt.handle("POST /api/v1/counters/{n}/call-next", StaffSession, s.handleCallNext)
	rt.handle("POST /api/v1/tickets/{id}/{action}", StaffSession, s.handleTicketAction)
	rt.handle("GET /api/v1/waiting", StaffSession, s.handleWaiting)

	rt.handle("GET /api/v1/board", Public, s.handleBoard)
	rt.handle("GET /api/v1/events", Public, s.handleEvents)
	rt.handle("GET /api/v1/stats", StaffSession, s.handleStats)
	rt.handle("GET /api/v1/stats/export", StaffSession, s.handleStatsExport)
}

// staffJSON is an account as admins see it: never the PIN hash.
type staffJSON struct {
	Name        string     `json:"name"`
	Role        string     `json:"role"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLogin   *time.Time `json:"last_login"`
	LockedUntil *time.Time `json:"locked_until"`
}

func (s *Server) handleListStaff(w http.ResponseWriter, r *http.Request) {
	list, err := s.Staff.Accounts.ListStaff(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	now := s.now()
	out := []staffJSON{}
	for _, st := range list {
		j := staffJSON{Name: st.Name, Role: string(st.Role), CreatedAt: st.CreatedAt.In(s.Station.Location)}
		if !st.LastLogin.IsZero() {
			t := st.LastLogin.In(s.Station.Location)
			j.LastLogin = &t
		}
		if st.Locked(now) {
			t := st.LockedUntil.In(s.Station.Location)
			j.LockedUntil = &t
		}
		out = append(out, j)
	}
	s.JSON(w, r, http.StatusOK, out)
}

func (s *Server) handleAddStaff(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
		Role string `json:"role"`
		PIN  string `json:"pin"`
	}
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	st, err := s.Staff.Accounts.AddStaff(r.Context(), req.Name, backend.Role(req.Role), req.PIN)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Logger.Info("staff account added", "name", st.Name, "role", st.Role, "by", actor(r))
	s.JSON(w, r, http.StatusCreated, staffJSON{Name: st.Name, Role: string(st.Role), CreatedAt: st.CreatedAt.In(s.Station.Location)})
}

func (s *Server) handleSetPIN(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PIN string `json:"pin"`
	}
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	name := r.PathValue("name")
	if err := s.Staff.Accounts.SetPIN(r.Context(), name, req.PIN); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Logger.Info("staff PIN reset", "name", name, "by", actor(r))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleUnlockStaff(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := s.Staff.Accounts.UnlockStaff(r.Context(), name); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Logger.Info("staff account unlocked", "name", name, "by", actor(r))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleSetRole(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Role string `json:"role"`
	}
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	name := r.PathValue("name")
	if err := s.Staff.Accounts.SetRole(r.Context(), name, backend.Role(req.Role), actor(r)); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Logger.Info("staff role set", "name", name, "role", req.Role, "by", actor(r))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleRemoveStaff(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := s.Staff.Accounts.RemoveStaff(r.Context(), name, actor(r)); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Logger.Info("staff account removed", "name", name, "by", actor(r))
	w.WriteHeader(http.StatusNoContent)
}

// counterJSON is a counter with the ticket it calls or serves now.
type counterJSON struct {
	Number   int           `json:"number"`
	Name     string        `json:"name"`
	Services []string      `json:"services"`
	Current  *backend.Call `json:"current"`
}

func (s *Server) handleCounters(w http.ResponseWriter, r *http.Request) {
	counters, err := s.Staff.Counters.Counters(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	board, err := s.Staff.Calls.Board(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	current := map[int]*backend.Call{}
	for _, bc := range board.Counters {
		current[bc.Number] = bc.Current
	}
	out := []counterJSON{}
	for _, c := range counters {
		out = append(out, counterJSON{Number: c.Number, Name: c.Name, Services: c.Services, Current: current[c.Number]})
	}
	s.JSON(w, r, http.StatusOK, out)
}

// counterNumber reads {n} from the path; ENOTFOUND for anything but a number 1–99.
func counterNumber(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > backend.MaxCounter {
		return 0, backend.Errorf(backend.ENOTFOUND, "counter.not_found", n)
	}
	return n, nil
}

func (s *Server) handlePutCounter(w http.ResponseWriter, r *http.Request) {
	n, err := counterNumber(r)
	if err != nil {
		s.Error(w, r, backend.Errorf(backend.EINVALID, "counter.number", backend.MaxCounter))
		return
	}
	var req struct {
		Name     string   `json:"name"`
		Services []string `json:"services"`
	}
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	c, err := s.Staff.Counters.PutCounter(r.Context(), backend.Counter{Number: n, Name: req.Name, Services: req.Services})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Logger.Info("counter set", "counter", n, "services", c.Services, "by", actor(r))
	s.JSON(w, r, http.StatusOK, counterJSON{Number: c.Number, Name: c.Name, Services: c.Services})
}

func (s *Server) handleDeleteCounter(w http.ResponseWriter, r *http.Request) {
	n, err := counterNumber(r)
	if err == nil {
		err = s.Staff.Counters.DeleteCounter(r.Context(), n)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Logger.Info("counter removed", "counter", n, "by", actor(r))
	w.WriteHeader(http.StatusNoContent)
}

// stepJSON and staffTicketJSON are a ticket as the staff console sees it: its times,
// counter and history, but not the person key or the QR payload.
type staffTicketJSON struct {
	ID           string         `json:"id"`
	Number       string         `json:"number"`
	Service      string         `json:"service"`
	Origin       string         `json:"origin,omitempty"`
	Priority     bool           `json:"priority"`
	Status       string         `json:"status"`
	Counter      int            `json:"counter,omitempty"`
	Date         string         `json:"date"`
	IssuedAt     time.Time      `json:"issued_at"`
	CalledAt     *time.Time     `json:"called_at"`
	LastCalledAt *time.Time     `json:"last_called_at"`
	StartedAt    *time.Time     `json:"started_at"`
	EndedAt      *time.Time     `json:"ended_at"`
	WaitedS      int            `json:"waited_s"`
	Recalls      int            `json:"recalls"`
	Outcome      string         `json:"outcome,omitempty"`
	History      []backend.Step `json:"history"`
	Call         *backend.Call  `json:"call,omitempty"` // the announcement, when the ticket is being called
	// Visit is the ledger entry tied to the ticket (来访登记), null when there is
	// none or the ledger is off.
	Visit *ticketVisitJSON `json:"visit"`
}

// ticketVisitJSON is what the counter shows of the visit tied to a ticket: its
// ledger number and what it is about, to open it in the ledger. Nothing personal.
type ticketVisitJSON struct {
	ID         string `json:"id"`
	Serial     string `json:"serial"`
	Service    string `json:"service"`
	Matter     string `json:"matter"`
	MatterName string `json:"matter_name"`
}

// ticketVisit looks up the visit tied to ticket id, for the staff console: nil when
// there is none or the ledger is off. It runs after the action has been committed,
// outside its transaction; a failed lookup is logged and shows as none, since the
// call itself has happened and must be answered.
func (s *Server) ticketVisit(r *http.Request, id string) *ticketVisitJSON {
	if s.Ledger == nil {
		return nil
	}
	v, err := s.Ledger.Visits.VisitForTicket(r.Context(), id)
	if err != nil {
		s.Logger.Warn("look up the visit of a ticket", "ticket", id, "err", err)
		return nil
	}
	if v == nil {
		return nil
	}
	m, _ := backend.FindMatter(v.Service, v.Matter)
	return &ticketVisitJSON{ID: v.ID, Serial: v.Serial, Service: v.Service, Matter: v.Matter, MatterName: m.Name(httperr.Lang(r))}
}

func (s *Server) staffTicket(r *http.Request, t *backend.Ticket) staffTicketJSON {
	loc := s.Station.Location
	opt := func(v time.Time) *time.Time {
		if v.IsZero() {
			return nil
		}
		v = v.In(loc)
		return &v
	}
	out := staffTicketJSON{
		ID: t.ID, Number: t.Number, Service: t.Service, Origin: t.Origin, Priority: t.Priority,
		Status: string(t.Status), Counter: t.Counter, Date: t.Date, IssuedAt: t.IssuedAt.In(loc),
		CalledAt: opt(t.CalledAt), LastCalledAt: opt(t.LastCalledAt), StartedAt: opt(t.StartedAt), EndedAt: opt(t.EndedAt),
		Recalls: t.Recalls, Outcome: t.Outcome, History: t.History,
	}
	end := s.now()
	if !t.CalledAt.IsZero() {
		end = t.CalledAt
	}
	out.WaitedS = int(max(end.Sub(t.IssuedAt), 0) / time.Second)
	if out.History == nil {
		out.History = []backend.Step{}
	}
	if t.Status == backend.TicketCalled {
		c := backend.NewCall(t, "", t.Recalls > 0)
		out.Call = &c
	}
	out.Visit = s.ticketVisit(r, t.ID)
	return out
}

func (s *Server) handleCallNext(w http.ResponseWriter, r *http.Request) {
	n, err := counterNumber(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	t, err := s.Staff.Calls.CallNext(r.Context(), n, actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, s.staffTicket(r, t))
}

// actionNames maps the last path segment of POST /api/v1/tickets/{id}/{action}.
var actionNames = map[string]backend.Action{
	"call": backend.ActCall, "recall": backend.ActRecall, "start": backend.ActStart,
	"hold": backend.ActHold, "resume": backend.ActResume, "no-show": backend.ActNoShow,
	"transfer": backend.ActTransfer, "finish": backend.ActFinish,
}

func (s *Server) handleTicketAction(w http.ResponseWriter, r *http.Request) {
	action, ok := actionNames[r.PathValue("action")]
	if !ok {
		s.Error(w, r, backend.Errorf(backend.ENOTFOUND, "not_found"))
		return
	}
	var req struct {
		Counter int    `json:"counter"`
		Service string `json:"service"`
		Outcome string `json:"outcome"`
	}
	// Most actions need no body; an empty one is as good as {}.
	if err := decodeOptionalJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if action == backend.ActCall && req.Counter == 0 {
		s.Error(w, r, backend.Errorf(backend.EINVALID, "counter.number", backend.MaxCounter))
		return
	}
	t, err := s.Staff.Calls.Act(r.Context(), r.PathValue("id"), backend.Act{
		Action: action, Counter: req.Counter, Service: req.Service, Outcome: req.Outcome, By: actor(r),
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, s.staffTicket(r, t))
}

// waitingJSON is the waiting list with the visit of each ticket at a counter, so a
// console opened (or reloaded) mid-call shows it too. Active shadows the list's own.
type waitingJSON struct {
	*backend.WaitingList
	Active []activeTicketJSON `json:"active"`
}

// activeTicketJSON is a ticket called or served at a counter, with its visit.
type activeTicketJSON struct {
	backend.WaitingTicket
	Visit *ticketVisitJSON `json:"visit"`
}

func (s *Server) handleWaiting(w http.ResponseWriter, r *http.Request) {
	list, err := s.Staff.Calls.Waiting(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := waitingJSON{WaitingList: list, Active: make([]activeTicketJSON, 0, len(list.Active))}
	for _, t := range list.Active {
		out.Active = append(out.Active, activeTicketJSON{WaitingTicket: t, Visit: s.ticketVisit(r, t.ID)})
	}
	s.JSON(w, r, http.StatusOK, out)
}

func (s *Server) handleBoard(w http.ResponseWriter, r *http.Request) {
	board, err := s.Staff.Calls.Board(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, board)
}
