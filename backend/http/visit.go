package http

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/httperr"
	"bingzhan/backend/report"
)

// Ledger serves the visitor ledger (来访登记台账): kiosk self-registration and the staff
// ledger. docs/ledger.md describes the routes.
type Ledger struct {
	Visits backend.VisitService
	// RetentionDays is how long a closed visit is kept; the kiosk's processing notice
	// says so.
	RetentionDays int
}

func (s *Server) ledgerRoutes(rt *router) {
	if s.Ledger == nil {
		return
	}
	rt.handle("GET /api/v1/visits/matters", Public, s.handleVisitMatters)
	rt.handle("POST /api/v1/visits", KioskDevice, s.limited(LimitVisits, s.handleRegisterVisit))
	rt.handle("GET /api/v1/visits", StaffSession, s.handleListVisits)
	rt.handle("POST /api/v1/visits/search", StaffSession, s.handleSearchVisits)
	rt.handle("GET /api/v1/visits/export", StaffSession, s.handleExportVisits)
	rt.handle("POST /api/v1/visits/export", StaffSession, s.handleExportVisits)
	rt.handle("GET /api/v1/visits/access-log", AdminSession, s.handleVisitAccessLog)
	rt.handle("GET /api/v1/visits/{id}", StaffSession, s.handleVisit)
	rt.handle("PATCH /api/v1/visits/{id}", StaffSession, s.handleUpdateVisit)
	rt.handle("POST /api/v1/visits/{id}/unmask", AdminSession, s.handleUnmaskVisit)
	rt.handle("POST /api/v1/visits/{id}/ticket", KioskDevice, s.handleTieVisitTicket)
}

type codeName struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func (s *Server) handleVisitMatters(w http.ResponseWriter, r *http.Request) {
	lang := httperr.Lang(r)
	services, err := s.Services.Services(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	type serviceMatters struct {
		Letter  string     `json:"letter"`
		Name    string     `json:"name"`
		Matters []codeName `json:"matters"`
	}
	out := []serviceMatters{}
	for _, svc := range services {
		if !svc.Enabled {
			continue
		}
		sm := serviceMatters{Letter: svc.Letter, Name: svc.Name(lang), Matters: []codeName{}}
		for _, m := range backend.VisitMatters(svc.Letter) {
			sm.Matters = append(sm.Matters, codeName{m.Code, m.Name(lang)})
		}
		out = append(out, sm)
	}
	relations := []codeName{}
	for _, c := range backend.VisitRelations {
		relations = append(relations, codeName{c, backend.RelationName(c, lang)})
	}
	days := s.Ledger.RetentionDays
	kept := retentionWords(lang, days)
	s.JSON(w, r, http.StatusOK, map[string]any{
		"retention_days": days,
		// points is what the kiosk shows first, two or three short lines; text is the
		// whole notice, behind 详细说明.
		"notice": map[string]any{
			"title": backend.Translate(lang, "ledger.notice.title"),
			"points": []string{
				backend.Translate(lang, "ledger.notice.what"),
				backend.Translate(lang, "ledger.notice.kept", kept),
				backend.Translate(lang, "ledger.notice.skip"),
			},
			"text": backend.Translate(lang, "ledger.notice.text", kept),
		},
		"relations": relations,
		"services":  out,
	})
}

// retentionWords says how long a visit is kept as a visitor would say it: whole years
// when the retention is whole years ("3 年", not "1095 天"), days otherwise.
func retentionWords(lang string, days int) string {
	switch {
	case days == 365:
		return backend.Translate(lang, "ledger.notice.year")
	case days > 0 && days%365 == 0:
		return backend.Translate(lang, "ledger.notice.years", days/365)
	}
	return backend.Translate(lang, "ledger.notice.days", days)
}

// DecodeVisitRequest reads a POST /api/v1/visits body. It checks the JSON's form only;
// VisitRequest.Validate checks its content.
func DecodeVisitRequest(r io.Reader) (backend.VisitRequest, error) {
	var req backend.VisitRequest
	err := decodeJSON(r, &req)
	return req, err
}

// kioskVisitJSON is what the kiosk is told of the visit it registered: masked numbers
// and the choices made, never a name (that would tell whoever types an ID number
// whether the person is in the registry).
type kioskVisitJSON struct {
	ID           string `json:"id"`
	Serial       string `json:"serial"`
	Date         string `json:"date"`
	CreatedAt    string `json:"created_at"`
	IDNumber     string `json:"id_number"`
	Phone        string `json:"phone"`
	Relation     string `json:"relation"`
	RelationName string `json:"relation_name"`
	Service      string `json:"service"`
	ServiceName  string `json:"service_name"`
	Matter       string `json:"matter"`
	MatterName   string `json:"matter_name"`
	TicketID     string `json:"ticket_id,omitempty"`
	TicketNumber string `json:"ticket_number,omitempty"`
	Existing     bool   `json:"existing"`
}

func (s *Server) handleRegisterVisit(w http.ResponseWriter, r *http.Request) {
	req, err := DecodeVisitRequest(r.Body)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	// The kiosk needs no session; a staff member registering at the counter is named.
	by := ""
	if se, err := s.session(r); err == nil {
		by = se.Name
	}
	v, created, err := s.Ledger.Visits.RegisterVisit(r.Context(), req, by)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	lang := httperr.Lang(r)
	names := s.ledgerServiceNames(r.Context(), lang)
	if by != "" {
		s.JSON(w, r, status, s.visitJSON(v, lang, names))
		return
	}
	s.JSON(w, r, status, s.kioskVisit(v, lang, names, !created))
}

// kioskVisit is v as the kiosk is told of it; existing says it was there already.
func (s *Server) kioskVisit(v *backend.Visit, lang string, names map[string]string, existing bool) kioskVisitJSON {
	m, _ := backend.FindMatter(v.Service, v.Matter)
	return kioskVisitJSON{
		ID: v.ID, Serial: v.Serial, Date: v.Date, CreatedAt: v.CreatedAt.In(s.Station.Location).Format(time.RFC3339),
		IDNumber: v.IDNumber, Phone: v.Phone, Relation: v.Relation, RelationName: backend.RelationName(v.Relation, lang),
		Service: v.Service, ServiceName: names[v.Service], Matter: v.Matter, MatterName: m.Name(lang),
		TicketID: v.TicketID, TicketNumber: v.TicketNumber, Existing: existing,
	}
}

// DecodeVisitTicketRequest reads a POST /api/v1/visits/{id}/ticket body.
func DecodeVisitTicketRequest(r io.Reader) (backend.VisitTicketRequest, error) {
	var req backend.VisitTicketRequest
	err := decodeJSON(r, &req)
	return req, err
}

// handleTieVisitTicket ties a visit the kiosk has just registered to the ticket the
// visitor took from its done screen, so staff calling the ticket find the visit. The
// kiosk has no session: the request id it registered the visit with is its proof.
// The answer is the visit as the kiosk (or, with a session, staff) see it; "existing"
// is true when it was tied to that ticket already.
func (s *Server) handleTieVisitTicket(w http.ResponseWriter, r *http.Request) {
	req, err := DecodeVisitTicketRequest(r.Body)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	by := ""
	if se, err := s.session(r); err == nil {
		by = se.Name
	}
	v, tied, err := s.Ledger.Visits.TieTicket(r.Context(), r.PathValue("id"), req, by)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lang := httperr.Lang(r)
	names := s.ledgerServiceNames(r.Context(), lang)
	if by != "" {
		s.JSON(w, r, http.StatusOK, s.visitJSON(v, lang, names))
		return
	}
	s.JSON(w, r, http.StatusOK, s.kioskVisit(v, lang, names, !tied))
}

// ledgerServiceNames maps service letters to their names in lang; an error leaves letters.
func (s *Server) ledgerServiceNames(ctx context.Context, lang string) map[string]string {
	out := map[string]string{}
	services, err := s.Services.Services(ctx)
	if err != nil {
		return out
	}
	for _, svc := range services {
		out[svc.Letter] = svc.Name(lang)
	}
	return out
}

// visitJSON is a ledger entry as staff see it: masked unless "masked" is false (an
// admin unmasked it).
type visitJSON struct {
	ID               string      `json:"id"`
	Serial           string      `json:"serial"`
	Date             string      `json:"date"`
	CreatedAt        string      `json:"created_at"`
	Source           string      `json:"source"`
	CreatedBy        string      `json:"created_by"`
	TicketID         string      `json:"ticket_id"`
	TicketNumber     string      `json:"ticket_number"`
	Relation         string      `json:"relation"`
	RelationName     string      `json:"relation_name"`
	Service          string      `json:"service"`
	ServiceName      string      `json:"service_name"`
	Matter           string      `json:"matter"`
	MatterName       string      `json:"matter_name"`
	IDNumber         string      `json:"id_number"`
	Phone            string      `json:"phone"`
	Name             string      `json:"name"`
	VisitorName      string      `json:"visitor_name"`
	NameFromRegistry bool        `json:"name_from_registry"`
	Categories       []string    `json:"categories"`
	Summary          string      `json:"summary"`
	HandledBy        string      `json:"handled_by"`
	Outcome          string      `json:"outcome"`
	OutcomeName      string      `json:"outcome_name"`
	OutcomeNote      string      `json:"outcome_note"`
	ReferredTo       string      `json:"referred_to"`
	Status           string      `json:"status"` // open | closed
	ClosedAt         *string     `json:"closed_at"`
	FollowUp         *string     `json:"follow_up"`
	FollowUpDue      bool        `json:"follow_up_due"`
	UpdatedAt        string      `json:"updated_at"`
	Version          int         `json:"version"`
	Masked           bool        `json:"masked"`
	Audit            []auditJSON `json:"audit,omitempty"`
}

type auditJSON struct {
	At         string       `json:"at"`
	By         string       `json:"by"`
	Action     string       `json:"action"`
	ActionName string       `json:"action_name"`
	Version    int          `json:"version"`
	Changes    []changeJSON `json:"changes"`
}

type changeJSON struct {
	Field     string `json:"field"`
	FieldName string `json:"field_name"`
	Old       string `json:"old,omitempty"`
	New       string `json:"new,omitempty"`
}

func (s *Server) visitJSON(v *backend.Visit, lang string, services map[string]string) visitJSON {
	loc := s.Station.Location
	m, _ := backend.FindMatter(v.Service, v.Matter)
	j := visitJSON{
		ID: v.ID, Serial: v.Serial, Date: v.Date, CreatedAt: v.CreatedAt.In(loc).Format(time.RFC3339),
		Source: v.Source, CreatedBy: v.CreatedBy, TicketID: v.TicketID, TicketNumber: v.TicketNumber,
		Relation: v.Relation, RelationName: backend.RelationName(v.Relation, lang),
		Service: v.Service, ServiceName: services[v.Service], Matter: v.Matter, MatterName: m.Name(lang),
		IDNumber: v.IDNumber, Phone: v.Phone, Name: v.Name, VisitorName: v.VisitorName,
		NameFromRegistry: v.NameFromRegistry, Categories: v.Categories, Summary: v.Summary,
		HandledBy: v.HandledBy, Outcome: v.Outcome, OutcomeName: backend.OutcomeName(v.Outcome, lang),
		OutcomeNote: v.OutcomeNote, ReferredTo: v.ReferredTo, Status: "open",
		FollowUpDue: v.FollowUpDue(s.now().In(loc).Format(time.DateOnly)),
		UpdatedAt:   v.UpdatedAt.In(loc).Format(time.RFC3339), Version: v.Version, Masked: v.Masked,
	}
	if j.Categories == nil {
		j.Categories = []string{}
	}
	if v.Closed() {
		j.Status = "closed"
		c := v.ClosedAt.In(loc).Format(time.RFC3339)
		j.ClosedAt = &c
	}
	if v.FollowUp != "" {
		j.FollowUp = &v.FollowUp
	}
	return j
}

func (s *Server) auditJSON(trail []backend.AuditEntry, lang string) []auditJSON {
	out := make([]auditJSON, 0, len(trail))
	for _, a := range trail {
		j := auditJSON{At: a.At.In(s.Station.Location).Format(time.RFC3339), By: a.By, Action: a.Action,
			ActionName: backend.Translate(lang, "ledger.audit."+a.Action), Version: a.Version, Changes: []changeJSON{}}
		for _, c := range a.Changes {
			j.Changes = append(j.Changes, changeJSON{Field: c.Field, FieldName: backend.Translate(lang, "ledger.field."+c.Field), Old: c.Old, New: c.New})
		}
		out = append(out, j)
	}
	return out
}

// visitFilterJSON is the filter of POST /api/v1/visits/search and /export; the GET
// routes take the same names as query parameters.
type visitFilterJSON struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Service     string `json:"service"`
	Status      string `json:"status"`
	FollowUpDue bool   `json:"follow_up_due"`
	Query       string `json:"q"`
	Limit       int    `json:"limit"`
	Offset      int    `json:"offset"`
	// Export only.
	Format   string `json:"format"`
	Unmasked bool   `json:"unmasked"`
	Reason   string `json:"reason"`
}

func (f *visitFilterJSON) filter() backend.VisitFilter {
	return backend.VisitFilter{From: f.From, To: f.To, Service: f.Service, Status: f.Status,
		FollowUpDue: f.FollowUpDue, Query: f.Query, Limit: f.Limit, Offset: f.Offset}
}

// queryFilter reads the filter from a GET request's query.
func queryFilter(q url.Values) (visitFilterJSON, error) {
	f := visitFilterJSON{From: q.Get("from"), To: q.Get("to"), Service: q.Get("service"), Status: q.Get("status"),
		Query: q.Get("q"), Format: q.Get("format")}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &f.Limit}, {"offset", &f.Offset}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return f, backend.Errorf(backend.EINVALID, "ledger.page", backend.MaxVisitPage)
			}
			*p.dst = n
		}
	}
	switch q.Get("follow_up_due") {
	case "", "0", "false":
	case "1", "true":
		f.FollowUpDue = true
	default:
		return f, backend.Errorf(backend.EINVALID, "bad_json")
	}
	return f, nil
}

func (s *Server) handleListVisits(w http.ResponseWriter, r *http.Request) {
	f, err := queryFilter(r.URL.Query())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.listVisits(w, r, f)
}

// handleSearchVisits is the list with its filter in the body: ID numbers and phone
// numbers stay out of URLs, browser histories and proxy logs.
func (s *Server) handleSearchVisits(w http.ResponseWriter, r *http.Request) {
	var f visitFilterJSON
	if err := decodeJSON(r.Body, &f); err != nil {
		s.Error(w, r, err)
		return
	}
	s.listVisits(w, r, f)
}

func (s *Server) listVisits(w http.ResponseWriter, r *http.Request, f visitFilterJSON) {
	page, err := s.Ledger.Visits.Visits(r.Context(), f.filter())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lang := httperr.Lang(r)
	names := s.ledgerServiceNames(r.Context(), lang)
	out := make([]visitJSON, 0, len(page.Visits))
	for i := range page.Visits {
		out = append(out, s.visitJSON(&page.Visits[i], lang, names))
	}
	s.JSON(w, r, http.StatusOK, map[string]any{"total": page.Total, "visits": out})
}

func (s *Server) handleVisit(w http.ResponseWriter, r *http.Request) {
	v, trail, err := s.Ledger.Visits.Visit(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lang := httperr.Lang(r)
	j := s.visitJSON(v, lang, s.ledgerServiceNames(r.Context(), lang))
	j.Audit = s.auditJSON(trail, lang)
	s.JSON(w, r, http.StatusOK, j)
}

// DecodeVisitPatch reads a PATCH /api/v1/visits/{id} body.
func DecodeVisitPatch(r io.Reader) (backend.VisitPatch, error) {
	var p backend.VisitPatch
	err := decodeJSON(r, &p)
	return p, err
}

func (s *Server) handleUpdateVisit(w http.ResponseWriter, r *http.Request) {
	p, err := DecodeVisitPatch(r.Body)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v, err := s.Ledger.Visits.UpdateVisit(r.Context(), r.PathValue("id"), p, actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lang := httperr.Lang(r)
	s.JSON(w, r, http.StatusOK, s.visitJSON(v, lang, s.ledgerServiceNames(r.Context(), lang)))
}

func (s *Server) handleUnmaskVisit(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	v, err := s.Ledger.Visits.UnmaskVisit(r.Context(), r.PathValue("id"), req.Reason, actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lang := httperr.Lang(r)
	s.JSON(w, r, http.StatusOK, s.visitJSON(v, lang, s.ledgerServiceNames(r.Context(), lang)))
}

func (s *Server) handleVisitAccessLog(w http.ResponseWriter, r *http.Request) {
	limit := 200
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.Error(w, r, backend.Errorf(backend.EINVALID, "ledger.page", 1000))
			return
		}
		limit = n
	}
	log, err := s.Ledger.Visits.AccessLog(r.Context(), limit)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lang := httperr.Lang(r)
	type accessJSON struct {
		backend.AccessEntry
		At         string `json:"at"`
		ActionName string `json:"action_name"`
	}
	out := make([]accessJSON, 0, len(log))
	for _, e := range log {
		out = append(out, accessJSON{AccessEntry: e, At: e.At.In(s.Station.Location).Format(time.RFC3339),
			ActionName: backend.Translate(lang, "ledger.access."+e.Action)})
	}
	s.JSON(w, r, http.StatusOK, out)
}

// handleExportVisits writes the ledger as CSV or XLSX: masked for any staff member
// (GET, or POST without "unmasked"); in the clear for an admin who gives a reason
// (POST {"unmasked":true,"reason":…}), which the access log records first.
func (s *Server) handleExportVisits(w http.ResponseWriter, r *http.Request) {
	var f visitFilterJSON
	var err error
	if r.Method == http.MethodPost {
		err = decodeJSON(r.Body, &f)
	} else if f, err = queryFilter(r.URL.Query()); err != nil {
		// The export pages nothing and has always answered a bad page number in
		// its query as a plain invalid request, unlike the list it shares it with.
		var e *backend.Error
		if errors.As(err, &e) {
			err = e.WithKind("")
		}
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if f.Format != "csv" && f.Format != "xlsx" {
		s.Error(w, r, backend.Errorf(backend.EINVALID, "ledger.format"))
		return
	}
	reason := ""
	if f.Unmasked {
		if SessionOf(r).Role != backend.RoleAdmin {
			s.Error(w, r, backend.Errorf(backend.EFORBIDDEN, "ledger.unmask_admin"))
			return
		}
		if reason = strings.TrimSpace(f.Reason); reason == "" {
			s.Error(w, r, backend.Errorf(backend.EINVALID, "ledger.reason"))
			return
		}
	}
	filter := f.filter()
	visits, err := s.Ledger.Visits.ExportVisits(r.Context(), filter, reason, actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lang := httperr.Lang(r)
	now := s.now().In(s.Station.Location)
	note := backend.Translate(lang, "ledger.export.masked_note")
	if f.Unmasked {
		clean, _ := backend.CheckReason(reason) // checked by ExportVisits already
		note = backend.Translate(lang, "ledger.export.unmasked_note", actor(r), clean)
	}
	ex := report.Ledger{
		Title: backend.Translate(lang, "ledger.export.title") + " " + note,
		About: []string{
			backend.Translate(lang, "ledger.export.filter", filter.Describe()),
			backend.Translate(lang, "ledger.export.generated", now.Format("2006-01-02 15:04"), actor(r)),
			backend.Translate(lang, "ledger.export.rows", len(visits)),
		},
		Visits: visits, Services: s.ledgerServiceNames(r.Context(), lang), Location: s.Station.Location, Lang: lang,
	}
	var body []byte
	ctype := "text/csv; charset=utf-8"
	if f.Format == "csv" {
		body, err = ex.CSV()
	} else {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		body, err = ex.XLSX()
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	name := "bingzhan-ledger-" + now.Format("20060102-1504")
	if f.Unmasked {
		name += "-unmasked"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, f.Format))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}
