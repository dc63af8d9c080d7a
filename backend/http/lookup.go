package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/httperr"
)

// Lookup holds what the self-service lookup API calls: the entitlement catalog and the
// registry of persons. docs/lookup.md describes the endpoints.
type Lookup struct {
	Catalog backend.CatalogService
	Persons backend.PersonService

	mu      sync.Mutex
	names   map[string]backend.Service // service letter → service, for names
	namesAt time.Time
	// shaped caches the JSON of result lists: many people share the same result, and
	// shaping and encoding it was half the time of a lookup. Cleared when the service
	// names are read again; keyed by language, catalog version and the results.
	shaped map[string]shapedResults
}

// LimitLookupFailures is a device's budget of wrong answers at the lookup, over every
// ID number: twenty, then one more every three minutes. A real kiosk sees a few an
// hour; a device walking a list of numbers is stopped after twenty.
var LimitLookupFailures = Limit{Every: 3 * time.Minute, Burst: 20}

type shapedResults struct {
	entitlements, domains json.RawMessage
}

// maxShaped bounds the cache of shaped results; when full it starts again.
const maxShaped = 4096

// serviceNamesTTL is how long the lookup reuses the service names it read: they
// change only when staff rename a service, and reading them took a third of a lookup.
const serviceNamesTTL = 10 * time.Second

// lookupRoutes adds the wizard, ID check and personal lookup endpoints.
func (s *Server) lookupRoutes(rt *router) {
	rt.handle("GET /api/v1/categories", Public, s.handleCategories)
	rt.handle("GET /api/v1/catalog", Public, s.handleCatalog)
	rt.handle("GET /api/v1/catalog/questions", Public, s.handleQuestions)
	rt.handle("POST /api/v1/eligibility", Public, s.handleEligibility)
	rt.handle("POST /api/v1/id/check", Public, s.handleIDCheck)
	rt.handle("POST /api/v1/lookup", KioskDevice, s.limited(LimitLookups, s.handleLookup))
	rt.handle("POST /api/v1/lookup/unlock", StaffSession, s.handleLookupUnlock)
}

// catalog returns the current catalog, or writes the error and returns nil.
func (s *Server) catalog(w http.ResponseWriter, r *http.Request) *backend.Catalog {
	if s.Lookup == nil || s.Lookup.Catalog == nil {
		s.Error(w, r, backend.Errorf(backend.EUNAVAILABLE, "lookup.unavailable"))
		return nil
	}
	c, err := s.Lookup.Catalog.Catalog(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return nil
	}
	return c
}

func (s *Server) today() time.Time { return s.now().In(s.Station.Location) }

type categoryJSON struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Plain     string   `json:"plain,omitempty"`
	Icon      string   `json:"icon,omitempty"`
	Group     string   `json:"group,omitempty"`
	Parent    string   `json:"parent,omitempty"`
	Relations []string `json:"relations,omitempty"`
	HasCard   bool     `json:"has_card"`
}

func categoryOut(c *backend.Category, lang string) categoryJSON {
	return categoryJSON{Code: c.Code, Name: c.Name(lang), Plain: c.Plain(lang), Icon: c.Icon, Group: c.Group,
		Parent: c.Parent, Relations: c.Relations, HasCard: c.CardKind != ""}
}

func (s *Server) handleCategories(w http.ResponseWriter, r *http.Request) {
	cat := s.catalog(w, r)
	if cat == nil {
		return
	}
	lang := httperr.Lang(r)
	out := make([]categoryJSON, 0, len(cat.Categories))
	for i := range cat.Categories {
		out = append(out, categoryOut(&cat.Categories[i], lang))
	}
	s.JSON(w, r, http.StatusOK, map[string]any{"catalog_version": cat.Version, "categories": out})
}

func (s *Server) handleQuestions(w http.ResponseWriter, r *http.Request) {
	cat := s.catalog(w, r)
	if cat == nil {
		return
	}
	var codes []string
	for _, v := range r.URL.Query()["categories"] {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.TrimSpace(c); c != "" {
				codes = append(codes, c)
			}
		}
	}
	p := backend.Profile{Categories: codes}
	if err := p.Validate(cat); err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, map[string]any{
		"catalog_version": cat.Version,
		"questions":       s.questions(cat, &p, httperr.Lang(r)),
	})
}

func (s *Server) questions(cat *backend.Catalog, p *backend.Profile, lang string) []backend.Question {
	today := s.today()
	out := []backend.Question{}
	for _, a := range cat.Questions(p, today) {
		out = append(out, cat.Question(a, p.Categories, lang, today))
	}
	return out
}

// EligibilityRequest is the body of POST /api/v1/eligibility: the categories chosen
// and the answers given. Unanswered fields are left out (or zero).
type EligibilityRequest struct {
	Categories      []string `json:"categories"`
	DisabilityGrade int      `json:"disability_grade,omitempty"`
	DisabilityCause string   `json:"disability_cause,omitempty"`
	BirthDate       string   `json:"birth_date,omitempty"` // YYYY, YYYY-MM or YYYY-MM-DD
	Sex             string   `json:"sex,omitempty"`
	Residence       string   `json:"residence,omitempty"`
	Relation        string   `json:"relation,omitempty"`
}

// DecodeEligibilityRequest reads an eligibility request and turns it into a profile
// checked against cat. It returns EINVALID with a message for the first problem.
func DecodeEligibilityRequest(body io.Reader, cat *backend.Catalog, today time.Time) (backend.Profile, error) {
	var req EligibilityRequest
	if err := decodeAnswers(body, &req); err != nil {
		return backend.Profile{}, err
	}
	birth, err := backend.ParseBirth(req.BirthDate, today)
	if err != nil {
		return backend.Profile{}, err
	}
	p := backend.Profile{
		Categories: req.Categories, DisabilityGrade: req.DisabilityGrade, DisabilityCause: req.DisabilityCause,
		Birth: birth, Sex: req.Sex, Residence: req.Residence, Relation: req.Relation,
	}
	return p, p.Validate(cat)
}

func (s *Server) handleEligibility(w http.ResponseWriter, r *http.Request) {
	cat := s.catalog(w, r)
	if cat == nil {
		return
	}
	p, err := DecodeEligibilityRequest(r.Body, cat, s.today())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lang := httperr.Lang(r)
	ents, domains, err := s.shapedOut(r.Context(), lang, cat, cat.Evaluate(&p, s.today()))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeWithLists(w, r, map[string]any{
		"catalog_version": cat.Version,
		"questions":       s.questions(cat, &p, lang),
	}, domains, ents)
}

// handleCatalog lists every entitlement of the current catalog, for browsing by domain
// without answering anything.
func (s *Server) handleCatalog(w http.ResponseWriter, r *http.Request) {
	cat := s.catalog(w, r)
	if cat == nil {
		return
	}
	results := make([]backend.Result, 0, len(cat.Entitlements))
	for i := range cat.Entitlements {
		e := &cat.Entitlements[i]
		v := backend.Eligible
		if e.StaffReview {
			v = backend.Possibly
		}
		results = append(results, backend.Result{Entitlement: e, Verdict: v, StaffReview: e.StaffReview, Documents: e.Documents})
	}
	ents, domains, err := s.shapedOut(r.Context(), httperr.Lang(r), cat, results)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeWithLists(w, r, map[string]any{
		"catalog_version": cat.Version, "region_code": cat.RegionCode, "region_name": cat.RegionName,
	}, domains, ents)
}

type documentJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type entitlementJSON struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Domain      string         `json:"domain"`
	Verdict     string         `json:"verdict"`      // yes | possibly
	StaffReview bool           `json:"staff_review"` // true: show as "possibly — ask staff"
	Reasons     []string       `json:"reasons,omitempty"`
	Summary     string         `json:"summary"`
	For         string         `json:"for,omitempty"` // relative who enjoys it (child …)
	ForText     string         `json:"for_text,omitempty"`
	Documents   []documentJSON `json:"documents"`
	Where       string         `json:"where"`
	Service     string         `json:"service"`
	ServiceName string         `json:"service_name"`
	Scope       string         `json:"scope"`
	Region      string         `json:"region,omitempty"`
	Source      string         `json:"source"`
}

type domainJSON struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// shapedOut returns the JSON of entitlementsOut for results, from the cache when the
// same results were shaped before in the same language and catalog version.
func (s *Server) shapedOut(ctx context.Context, lang string, cat *backend.Catalog, results []backend.Result) (json.RawMessage, json.RawMessage, error) {
	var key strings.Builder
	key.WriteString(lang)
	key.WriteByte(0)
	key.WriteString(cat.Version)
	for _, r := range results {
		key.WriteByte('|')
		key.WriteString(r.Entitlement.ID)
		key.WriteByte(byte('0' + r.Verdict))
		key.WriteString(r.Beneficiary)
		for _, part := range [][]string{r.Checks, r.Unknown, r.Documents} {
			key.WriteByte(';')
			for _, v := range part {
				key.WriteString(v)
				key.WriteByte(',')
			}
		}
	}
	k := key.String()
	names := s.serviceNames(ctx, lang) // first: it may clear the cache
	l := s.Lookup
	l.mu.Lock()
	hit, ok := l.shaped[k]
	l.mu.Unlock()
	if ok {
		return hit.entitlements, hit.domains, nil
	}
	ents, domains := s.entitlementsOut(lang, names, cat, results)
	var out shapedResults
	var err error
	if out.entitlements, err = json.Marshal(ents); err != nil {
		return nil, nil, err
	}
	if out.domains, err = json.Marshal(domains); err != nil {
		return nil, nil, err
	}
	l.mu.Lock()
	if l.shaped == nil || len(l.shaped) >= maxShaped {
		l.shaped = map[string]shapedResults{}
	}
	l.shaped[k] = out
	l.mu.Unlock()
	return out.entitlements, out.domains, nil
}

// entitlementsOut shapes results for the kiosk, ordered by domain (catalog order) so a
// client can group them by walking the list once, and lists the domains that occur.
func (s *Server) entitlementsOut(lang string, names map[string]string, cat *backend.Catalog, results []backend.Result) ([]entitlementJSON, []domainJSON) {
	sep := backend.Translate(lang, "lookup.list_sep")
	ents := []entitlementJSON{}
	domains := []domainJSON{}
	for _, d := range cat.Domains {
		n := 0
		for _, res := range results {
			e := res.Entitlement
			if e.Domain != d.Code {
				continue
			}
			n++
			out := entitlementJSON{
				ID: e.ID, Title: e.Title(lang), Domain: e.Domain, Verdict: res.Verdict.String(),
				StaffReview: res.Verdict == backend.Possibly, Summary: e.Summary(lang),
				Documents: []documentJSON{}, Where: e.Where(lang), Service: e.Service, ServiceName: names[e.Service],
				Scope: e.Scope.Level, Region: e.Scope.RegionName, Source: e.Source, For: res.Beneficiary,
			}
			if res.Beneficiary != "" {
				out.ForText = backend.Translate(lang, "lookup.for."+res.Beneficiary)
			}
			// Named by its service, never by a letter alone: a letter says nothing to a visitor.
			if out.Where == "" && out.ServiceName != "" {
				out.Where = backend.Translate(lang, "lookup.where_station", out.ServiceName)
			} else if out.Where == "" {
				out.Where = backend.Translate(lang, "lookup.where_here")
			}
			for _, code := range res.Documents {
				if doc := cat.Document(code); doc != nil {
					out.Documents = append(out.Documents, documentJSON{Code: code, Name: doc.Name(lang)})
				}
			}
			for _, code := range res.Checks {
				if ch := cat.Check(code); ch != nil {
					out.Reasons = append(out.Reasons, ch.Text(lang))
				}
			}
			if len(res.Unknown) > 0 {
				attrs := make([]string, len(res.Unknown))
				for i, a := range res.Unknown {
					attrs[i] = backend.Translate(lang, "lookup.attr."+a)
				}
				out.Reasons = append(out.Reasons, backend.Translate(lang, "lookup.reason.unknown", strings.Join(attrs, sep)))
			}
			if res.StaffReview {
				out.Reasons = append(out.Reasons, backend.Translate(lang, "lookup.reason.staff_review"))
			}
			ents = append(ents, out)
		}
		if n > 0 {
			domains = append(domains, domainJSON{Code: d.Code, Name: d.Name(lang), Count: n})
		}
	}
	return ents, domains
}

// serviceNames returns the station's service names by letter, in lang; empty if they
// cannot be read (the answer is still useful without them).
func (s *Server) serviceNames(ctx context.Context, lang string) map[string]string {
	names := map[string]string{}
	if s.Services == nil || s.Lookup == nil {
		return names
	}
	l := s.Lookup
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.names == nil || time.Since(l.namesAt) > serviceNamesTTL {
		svcs, err := s.Services.Services(ctx)
		if err != nil {
			s.Logger.Warn("read services for lookup", "err", err)
			return names
		}
		l.names, l.namesAt, l.shaped = map[string]backend.Service{}, time.Now(), nil
		for _, svc := range svcs {
			l.names[svc.Letter] = svc
		}
	}
	for letter, svc := range l.names {
		names[letter] = svc.Name(lang)
	}
	return names
}

func (s *Server) handleIDCheck(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IDNumber string `json:"id_number"`
	}
	if err := decodeAnswers(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	id := backend.NormalizeIDNumber(req.IDNumber)
	if err := backend.ValidateIDNumber(id, s.today()); err != nil {
		var e *backend.Error
		reason := ""
		if errors.As(err, &e) {
			reason = strings.TrimPrefix(e.Key, "id.")
		}
		s.JSON(w, r, httperr.Status(err), map[string]string{
			"code": backend.ErrorCode(err), "message": backend.ErrorMessage(err, httperr.Lang(r)), "reason": reason,
		})
		return
	}
	s.JSON(w, r, http.StatusOK, map[string]any{"valid": true, "masked": backend.MaskIDNumber(id)})
}

type cardEventJSON struct {
	Status string `json:"status"`
	Name   string `json:"name"`
	Date   string `json:"date"`
}

type cardJSON struct {
	Status      string          `json:"status"`
	Name        string          `json:"name"`
	NextStep    string          `json:"next_step"`
	Service     string          `json:"service,omitempty"` // ticket letter for the next step
	ServiceName string          `json:"service_name,omitempty"`
	History     []cardEventJSON `json:"history"`
}

// lookupResponse is the answer to a personal lookup: masked, never the plain number.
type lookupResponse struct {
	Name                string         `json:"name"`      // 张*
	IDNumber            string         `json:"id_number"` // 110105********002X
	Categories          []categoryJSON `json:"categories"`
	DisabilityGrade     int            `json:"disability_grade,omitempty"`
	DisabilityGradeName string         `json:"disability_grade_name,omitempty"`
	DisabilityCause     string         `json:"disability_cause,omitempty"`
	DisabilityCauseName string         `json:"disability_cause_name,omitempty"`
	Card                cardJSON       `json:"card"`
	CollectTicket       bool           `json:"collect_ticket"` // card 待领取: offer the B ticket
	CatalogVersion      string         `json:"catalog_version"`
	// followed by "domains" and "entitlements", spliced in by writeWithLists
}

func (s *Server) handleLookup(w http.ResponseWriter, r *http.Request) {
	cat := s.catalog(w, r)
	if cat == nil {
		return
	}
	if s.Lookup.Persons == nil {
		s.Error(w, r, backend.Errorf(backend.EUNAVAILABLE, "lookup.unavailable"))
		return
	}
	var req struct {
		IDNumber   string `json:"id_number"`
		PhoneLast4 string `json:"phone_last4"`
	}
	if err := decodeAnswers(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	lang := httperr.Lang(r)
	device := clientKey(r)
	// Each device's budget of wrong answers over all numbers: a device trying many
	// numbers is paused, whichever numbers they are.
	failures := s.limiter(LimitLookupFailures)
	if wait := failures.wait(device); wait > 0 {
		mins := int(math.Ceil(wait.Minutes()))
		w.Header().Set("Retry-After", strconv.Itoa(mins*60))
		err := backend.Errorf(backend.EUNAVAILABLE, "lookup.paused", mins)
		// reason tells the kiosk to send the person to the counter, not to wait.
		s.JSON(w, r, httperr.Status(err), map[string]any{
			"code": backend.ErrorCode(err), "message": backend.ErrorMessage(err, lang), "reason": "paused",
		})
		return
	}
	p, err := s.Lookup.Persons.LookupPerson(r.Context(), device, req.IDNumber, strings.TrimSpace(req.PhoneLast4))
	if err != nil {
		// A miss says how many tries are left, so the kiosk can warn before the lock.
		if backend.ErrorCode(err) == backend.ENOTFOUND {
			failures.allow(device)
			left, _ := backend.AttemptsLeft(err)
			s.JSON(w, r, httperr.Status(err), map[string]any{
				"code": backend.ENOTFOUND, "message": backend.ErrorMessage(err, lang), "attempts_left": left,
			})
			return
		}
		s.Error(w, r, err)
		return
	}

	names := s.serviceNames(r.Context(), lang)
	card := cardJSON{Status: string(p.CardStatus), Name: p.CardStatus.Name(lang), NextStep: p.CardStatus.NextStep(lang),
		Service: p.CardStatus.Service(), History: []cardEventJSON{}}
	hasCard := false
	cats := make([]categoryJSON, 0, len(p.Categories))
	for _, code := range p.Categories {
		if c := cat.Category(code); c != nil {
			cats = append(cats, categoryOut(c, lang))
			hasCard = hasCard || c.CardKind != ""
		}
	}
	if !hasCard && (p.CardStatus == backend.CardNone || p.CardStatus == backend.CardRegistered) {
		card.NextStep, card.Service = backend.Translate(lang, "lookup.card.no_card"), "A"
	}
	card.ServiceName = names[card.Service]
	for _, ev := range p.CardHistory {
		card.History = append(card.History, cardEventJSON{Status: string(ev.Status), Name: ev.Status.Name(lang), Date: ev.Date})
	}
	profile := p.Profile()
	ents, domains, err := s.shapedOut(r.Context(), lang, cat, cat.Evaluate(&profile, s.today()))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := lookupResponse{
		Name: backend.MaskName(p.Name), IDNumber: backend.MaskIDNumber(p.IDNumber), Categories: cats,
		Card: card, CollectTicket: p.CardStatus.Collect(), CatalogVersion: cat.Version,
	}
	if p.DisabilityGrade > 0 {
		out.DisabilityGrade = p.DisabilityGrade
		out.DisabilityGradeName = backend.Translate(lang, "lookup.grade."+strconv.Itoa(p.DisabilityGrade))
	}
	if p.DisabilityCause != "" {
		out.DisabilityCause = p.DisabilityCause
		out.DisabilityCauseName = backend.Translate(lang, "lookup.cause."+p.DisabilityCause)
	}
	s.writeWithLists(w, r, out, domains, ents)
}

// writeWithLists writes head, a JSON object, with the already encoded "domains" and
// "entitlements" added to it. They are most of the answer; encoding them through
// json.RawMessage would validate and compact them again on every request.
func (s *Server) writeWithLists(w http.ResponseWriter, r *http.Request, head any, domains, ents json.RawMessage) {
	buf, err := json.Marshal(head)
	if err != nil || len(buf) < 2 {
		s.Error(w, r, fmt.Errorf("encode answer: %w", err))
		return
	}
	if len(buf) > 2 {
		buf[len(buf)-1] = ','
	} else {
		buf = buf[:1]
	}
	buf = append(buf, `"domains":`...)
	buf = append(buf, domains...)
	buf = append(buf, `,"entitlements":`...)
	buf = append(buf, ents...)
	buf = append(buf, "}\n"...)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(http.StatusOK)
	w.Write(buf)
}

// handleLookupUnlock lets a person look themselves up again at once, after staff have
// checked their identity at the counter.
func (s *Server) handleLookupUnlock(w http.ResponseWriter, r *http.Request) {
	if s.Lookup == nil || s.Lookup.Persons == nil {
		s.Error(w, r, backend.Errorf(backend.EUNAVAILABLE, "lookup.unavailable"))
		return
	}
	var req struct {
		IDNumber string `json:"id_number"`
	}
	if err := decodeAnswers(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.Lookup.Persons.ClearLookupLock(r.Context(), req.IDNumber); err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, map[string]any{"cleared": true})
}
