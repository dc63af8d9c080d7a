package http

import (
	"cmp"
	"context"
	"net/http"
	"slices"

	"bingzhan/sync/county"
)

// outreachRoutes add the stations' outreach campaigns for county staff: which
// households each station reached and which it missed.
func (s *Server) outreachRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /outreach", s.pageStaff(s.handleOutreachPage))
	mux.HandleFunc("GET /api/v1/outreach/campaigns", s.staff(s.handleCampaigns))
}

// CampaignView is a station's campaign as county staff see it: the station's name,
// the totals, and the households not reached (left or not reached), by id.
type CampaignView struct {
	county.Campaign
	StationName string   `json:"station_name"`
	Missed      []string `json:"missed"`
}

// CampaignViews returns every station's campaigns, the latest first (by start, then
// station name).
func (s *Server) CampaignViews(ctx context.Context) ([]CampaignView, error) {
	parts, err := s.Store.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	list := county.MergeCampaigns(parts)
	stations, err := s.Store.Stations(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, st := range stations {
		names[st.ID] = st.Name
	}
	out := make([]CampaignView, len(list))
	for i, c := range list {
		missed := c.Missed()
		slices.Sort(missed)
		if missed == nil {
			missed = []string{}
		}
		out[i] = CampaignView{Campaign: c, StationName: names[c.Station], Missed: missed}
	}
	slices.SortFunc(out, func(a, b CampaignView) int {
		return cmp.Or(cmp.Compare(b.From, a.From), cmp.Compare(a.StationName, b.StationName), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (s *Server) handleCampaigns(w http.ResponseWriter, r *http.Request, _ string) {
	views, err := s.CampaignViews(r.Context())
	if err != nil {
		s.Error(w, err)
		return
	}
	s.JSON(w, http.StatusOK, views)
}

func (s *Server) handleOutreachPage(w http.ResponseWriter, r *http.Request, user string) {
	views, err := s.CampaignViews(r.Context())
	if err != nil {
		s.Error(w, err)
		return
	}
	s.render(w, http.StatusOK, "outreach.html", map[string]any{"User": user, "Campaigns": views})
}
