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
	rt.handle("POST /api/v1/outreach/households/{household}/unmask", AdminSession, s.handleUnmaskHousehold)
	rt.handle("POST /api/v1/outreach", StaffSession, s.handleRecordOutreach)
	rt.handle("GET /api/v1/outreach", StaffSession, s.handleOutreaches)
	rt.handle("GET /api/v1/outreach/{id}", StaffSession, s.handleOutreach)
	rt.handle("PATCH /api/v1/outreach/{id}", StaffSession, s.handleUpdateOutreach)
	rt.handle("POST /api/v1/outreach/{id}/unmask", AdminSession, s.handleUnmaskOutreach)
	rt.handle("POST /api/v1/outreach/campaigns", StaffSession, s.handlePlanCampaign)
	rt.handle("GET /api/v1/outreach/campaigns", StaffSession, s.handleCampaigns)
	rt.handle("GET /api/v1/outreach/campaigns/{id}", StaffSession, s.handleCampaign)
	rt.handle("PATCH /api/v1/outreach/campaigns/{id}", StaffSession, s.handleUpdateCampaign)
	rt.handle("POST /api/v1/outreach/campaigns/{id}/sheet", AdminSession, s.handleCampaignSheet)
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

func (s *Server) handleUnmaskHousehold(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	h, err := s.Outreach.UnmaskHousehold(r.Context(), r.PathValue("household"), req.Reason, actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, h)
}

func (s *Server) handleRecordOutreach(w http.ResponseWriter, r *http.Request) {
	var req backend.OutreachRequest
	if err := decodeJSONUpTo(r.Body, &req, maxOutreachBody); err != nil {
		s.Error(w, r, err)
		return
	}
	o, created, err := s.Outreach.Record(r.Context(), req, actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	s.JSON(w, r, status, s.outreachJSON(o))
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

func (s *Server) handleUpdateOutreach(w http.ResponseWriter, r *http.Request) {
	var p backend.OutreachPatch
	if err := decodeJSON(r.Body, &p); err != nil {
		s.Error(w, r, err)
		return
	}
	o, err := s.Outreach.UpdateOutreach(r.Context(), r.PathValue("id"), p, actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, s.outreachJSON(o))
}

func (s *Server) handleUnmaskOutreach(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	o, err := s.Outreach.UnmaskOutreach(r.Context(), r.PathValue("id"), req.Reason, actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, s.outreachJSON(o))
}

func (s *Server) handlePlanCampaign(w http.ResponseWriter, r *http.Request) {
	var req backend.CampaignRequest
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	c, created, err := s.Outreach.PlanCampaign(r.Context(), req, actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	s.JSON(w, r, status, s.campaignJSON(c))
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

func (s *Server) handleUpdateCampaign(w http.ResponseWriter, r *http.Request) {
	var p backend.CampaignPatch
	if err := decodeJSON(r.Body, &p); err != nil {
		s.Error(w, r, err)
		return
	}
	c, err := s.Outreach.UpdateCampaign(r.Context(), r.PathValue("id"), p, actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, s.campaignJSON(c))
}

func (s *Server) handleCampaignSheet(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
		Team   string `json:"team"`
	}
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	c, err := s.Outreach.CampaignSheet(r.Context(), r.PathValue("id"), req.Team, req.Reason, actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, s.campaignJSON(c))
}
