package http

import (
	"net/http"
	"time"

	"bingzhan/backend"
)

// maxOutreachBody bounds a new outreach entry: a photo and a signature in base64
// (4/3 of backend.MaxOutreachPhoto + MaxOutreachSignature) and the fields.
const maxOutreachBody = (backend.MaxOutreachPhoto+backend.MaxOutreachSignature)*4/3 + maxBody

// outreachRoutes are the routes of the work outside the lobby (docs/api.md,
// "Outreach"): staff see who is due, record visits, plaques and 喜报; an admin with a
// reason sees a household's address and an entry's photo and signature.
func (s *Server) outreachRoutes(rt *router) {
	if s.Outreach == nil {
		return
	}
	rt.handle("GET /api/v1/outreach/due", StaffSession, s.handleOutreachDue)
	rt.handle("GET /api/v1/outreach/households/{household}", StaffSession, s.handleHousehold)
	rt.handle("POST /api/v1/outreach/households/{household}/unmask", AdminSession, decodeThen(s, maxBody, s.unmaskHousehold))
	rt.handle("POST /api/v1/outreach", StaffSession, decodeThen(s, maxOutreachBody, s.recordOutreach))
	rt.handle("GET /api/v1/outreach", StaffSession, s.handleOutreaches)
	rt.handle("GET /api/v1/outreach/{id}", StaffSession, s.handleOutreach)
	rt.handle("PATCH /api/v1/outreach/{id}", StaffSession, decodeThen(s, maxBody, s.updateOutreach))
	rt.handle("POST /api/v1/outreach/{id}/unmask", AdminSession, decodeThen(s, maxBody, s.unmaskOutreach))
	rt.handle("POST /api/v1/outreach/campaigns", StaffSession, decodeThen(s, maxBody, s.planCampaign))
	rt.handle("GET /api/v1/outreach/campaigns", StaffSession, s.handleCampaigns)
	rt.handle("GET /api/v1/outreach/campaigns/{id}", StaffSession, s.handleCampaign)
	rt.handle("PATCH /api/v1/outreach/campaigns/{id}", StaffSession, decodeThen(s, maxBody, s.updateCampaign))
	rt.handle("POST /api/v1/outreach/campaigns/{id}/sheet", AdminSession, decodeThen(s, maxBody, s.campaignSheet))
}

// decodeThen is the shape of the outreach routes that take a body: decode it as In
// (at most limit bytes, known fields only), run do, answer its result with its status.
func decodeThen[In any](s *Server, limit int64, do func(r *http.Request, in *In) (any, int, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if err := decodeJSONUpTo(r.Body, &in, limit); err != nil {
			s.Error(w, r, err)
			return
		}
		out, status, err := do(r, &in)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		s.JSON(w, r, status, out)
	}
}

// createdStatus is 201 for a new record, 200 for one a repeated request id found.
func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// reasonRequest is the body of an unmasking: the admin's reason.
type reasonRequest struct {
	Reason string `json:"reason"`
}

// outreachJSON is an entry with its times in station time.
func (s *Server) outreachJSON(o *backend.Outreach) *backend.Outreach {
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.In(s.Station.Location), o.UpdatedAt.In(s.Station.Location)
	if o.Team == nil {
		o.Team = []string{}
	}
	if o.Findings == nil {
		o.Findings = []string{}
	}
	return o
}

// campaignJSON is a campaign with its times in station time and no nil lists.
func (s *Server) campaignJSON(c *backend.CampaignView) *backend.CampaignView {
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.In(s.Station.Location), c.UpdatedAt.In(s.Station.Location)
	if c.Rows == nil {
		c.Rows = []backend.CampaignRow{}
	}
	c.Households = nil // the rows say the same, with progress
	return c
}

func (s *Server) handleOutreachDue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, err := s.Outreach.Due(r.Context(), backend.DueQuery{Kind: q.Get("kind"), Since: q.Get("since")})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if list == nil {
		list = []backend.Household{}
	}
	s.JSON(w, r, http.StatusOK, list)
}

func (s *Server) handleHousehold(w http.ResponseWriter, r *http.Request) {
	h, err := s.Outreach.Household(r.Context(), r.PathValue("household"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, h)
}

func (s *Server) unmaskHousehold(r *http.Request, in *reasonRequest) (any, int, error) {
	h, err := s.Outreach.UnmaskHousehold(r.Context(), r.PathValue("household"), in.Reason, actor(r))
	return h, http.StatusOK, err
}

func (s *Server) recordOutreach(r *http.Request, in *backend.OutreachRequest) (any, int, error) {
	o, created, err := s.Outreach.Record(r.Context(), *in, actor(r))
	if err != nil {
		return nil, 0, err
	}
	return s.outreachJSON(o), createdStatus(created), nil
}

func (s *Server) handleOutreaches(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := backend.OutreachFilter{Household: q.Get("household"), From: q.Get("from"), To: q.Get("to"), Kind: q.Get("kind")}
	for _, d := range []string{f.From, f.To} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			s.Error(w, r, backend.Errorf(backend.EINVALID, "outreach.date"))
			return
		}
	}
	list, err := s.Outreach.Outreaches(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := make([]*backend.Outreach, len(list))
	for i := range list {
		out[i] = s.outreachJSON(&list[i])
	}
	s.JSON(w, r, http.StatusOK, out)
}

func (s *Server) handleOutreach(w http.ResponseWriter, r *http.Request) {
	o, trail, err := s.Outreach.Outreach(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if trail == nil {
		trail = []backend.AuditEntry{}
	}
	s.JSON(w, r, http.StatusOK, map[string]any{"outreach": s.outreachJSON(o), "audit": trail})
}

func (s *Server) updateOutreach(r *http.Request, in *backend.OutreachPatch) (any, int, error) {
	o, err := s.Outreach.UpdateOutreach(r.Context(), r.PathValue("id"), *in, actor(r))
	if err != nil {
		return nil, 0, err
	}
	return s.outreachJSON(o), http.StatusOK, nil
}

func (s *Server) unmaskOutreach(r *http.Request, in *reasonRequest) (any, int, error) {
	o, err := s.Outreach.UnmaskOutreach(r.Context(), r.PathValue("id"), in.Reason, actor(r))
	if err != nil {
		return nil, 0, err
	}
	return s.outreachJSON(o), http.StatusOK, nil
}

func (s *Server) planCampaign(r *http.Request, in *backend.CampaignRequest) (any, int, error) {
	c, created, err := s.Outreach.PlanCampaign(r.Context(), *in, actor(r))
	if err != nil {
		return nil, 0, err
	}
	return s.campaignJSON(c), createdStatus(created), nil
}

func (s *Server) handleCampaigns(w http.ResponseWriter, r *http.Request) {
	list, err := s.Outreach.Campaigns(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := make([]*backend.CampaignView, len(list))
	for i := range list {
		out[i] = s.campaignJSON(&list[i])
	}
	s.JSON(w, r, http.StatusOK, out)
}

func (s *Server) handleCampaign(w http.ResponseWriter, r *http.Request) {
	c, err := s.Outreach.Campaign(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, s.campaignJSON(c))
}

func (s *Server) updateCampaign(r *http.Request, in *backend.CampaignPatch) (any, int, error) {
	c, err := s.Outreach.UpdateCampaign(r.Context(), r.PathValue("id"), *in, actor(r))
	if err != nil {
		return nil, 0, err
	}
	return s.campaignJSON(c), http.StatusOK, nil
}

// sheetRequest asks for a campaign's visit sheet: the reason, and one team or all.
type sheetRequest struct {
	Reason string `json:"reason"`
	Team   string `json:"team"`
}

func (s *Server) campaignSheet(r *http.Request, in *sheetRequest) (any, int, error) {
	c, err := s.Outreach.CampaignSheet(r.Context(), r.PathValue("id"), in.Team, in.Reason, actor(r))
	if err != nil {
		return nil, 0, err
	}
	return s.campaignJSON(c), http.StatusOK, nil
}
