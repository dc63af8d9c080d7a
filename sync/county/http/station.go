package http

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"bingzhan/sync/county"
	"bingzhan/sync/wire"
)

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
	Highest  uint64          `json:"highest"`
	Missing  int             `json:"missing"`
	Received map[string]int  `json:"received"`
	Kinds    map[string]int  `json:"kinds"`
	Today    county.DayStats `json:"today"`
	Ratings  RatingView      `json:"ratings"`
	Outreach OutreachView    `json:"outreach"`
}

// OutreachView is a station's 走访慰问 as the county sees it: this year's entries
// (households reached, plaques, 喜报, money) and its levels as last reported
// (households due, follow-ups overdue); Reported is false before a station sent any.
type OutreachView struct {
	Since string `json:"since"`
	county.OutreachFigures
}

// RatingView is a station's 好差评 as the county sees it: the satisfaction of the
// last RatingDays days and the bad ratings whose follow-up is not closed, of any day
// in the last year.
type RatingView struct {
	Rated           int      `json:"rated"`
	SatisfactionPct *float64 `json:"satisfaction_pct"` // null with nothing rated
	OpenCases       int      `json:"open_cases"`
}

// RatingDays is how many days back, today included, the satisfaction shown counts.
const RatingDays = 30

// ratingViews sums the rating figures of every station up to today, and this year's
// outreach, in one pass over the last year's days.
func (s *Server) ratingViews(ctx context.Context, today string) (map[string]RatingView, map[string]OutreachView, error) {
	end, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return nil, nil, err
	}
	from := end.AddDate(-1, 0, 0).Format(time.DateOnly)
	recent := end.AddDate(0, 0, -(RatingDays - 1)).Format(time.DateOnly)
	yearStart := today[:4] + "-01-01"
	recentSums, cases := map[string]*county.DayStats{}, map[string]int{}
	outreach, levelDate := map[string]*county.OutreachFigures{}, map[string]string{}
	err = s.Store.EachDay(ctx, from, today, func(station, date string, d *county.DayStats) error {
		if date >= yearStart || d.OutreachReported {
			o := outreach[station]
			if o == nil {
				o = &county.OutreachFigures{}
				outreach[station] = o
			}
			if date >= yearStart {
				o.AddCounts(&d.OutreachFigures)
			}
			// Days come in no set order: the latest day's report stands.
			if d.OutreachReported && date > levelDate[station] {
				levelDate[station] = date
				o.SetLevels(&d.OutreachFigures)
			}
		}
		cases[station] += d.CasesOpened - d.CasesClosed
		if date >= recent {
			sum := recentSums[station]
			if sum == nil {
				sum = &county.DayStats{}
				recentSums[station] = sum
			}
			sum.Rated += d.Rated
			sum.Satisfied += d.Satisfied
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	out := map[string]RatingView{}
	for st, n := range cases {
		v := RatingView{OpenCases: max(n, 0)}
		if sum := recentSums[st]; sum != nil {
			v.Rated = sum.Rated
			if pct, ok := sum.SatisfactionPct(); ok {
				v.SatisfactionPct = &pct
			}
		}
		out[st] = v
	}
	views := map[string]OutreachView{}
	for st, o := range outreach {
		views[st] = OutreachView{Since: yearStart, OutreachFigures: *o}
	}
	return out, views, nil
}

// StationViews returns every station with today's figures, for the API and the page,
// and today's date. ctx is the request's.
func (s *Server) StationViews(ctx context.Context) ([]StationView, string, error) {
	stations, err := s.Store.Stations(ctx)
	if err != nil {
		return nil, "", err
	}
	today := s.now().In(s.location()).Format("2006-01-02")
	days, err := county.Day(ctx, s.Store, today)
	if err != nil {
		return nil, "", err
	}
	highest, err := s.Store.Highest(ctx)
	if err != nil {
		return nil, "", err
	}
	ratings, outreach, err := s.ratingViews(ctx, today)
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
			Contiguous: st.Contiguous, Kinds: kinds, Today: days[st.ID], Ratings: ratings[st.ID],
			Outreach: outreach[st.ID],
			Highest:  highest[st.ID], Missing: max(int(highest[st.ID])-st.Total, 0),
			Received: map[string]int{
				"events":    st.Total,
				"tickets":   kinds[county.KindTicketIssued],
				"calls":     kinds[county.KindTicketCalled],
				"visits":    kinds[county.KindVisitCreated],
				"discarded": kinds[wire.KindDiscarded],
			},
		})
	}
	return out, today, nil
}

func (s *Server) handleStations(w http.ResponseWriter, r *http.Request, _ string) {
	views, _, err := s.StationViews(r.Context())
	if err != nil {
		s.Error(w, err)
		return
	}
	s.JSON(w, http.StatusOK, views)
}

func (s *Server) handleAddStation(w http.ResponseWriter, r *http.Request, user string) {
	var req struct {
		Name string `json:"name"`
		addressRequest
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
		s.Error(w, badRequest(`{"name"[,"url"|"urls"]}`))
		return
	}
	e, err := county.NewEnrolment(r.Context(), s.Store, s.Clock, req.Name, s.addresses(req.urls()), s.CertPin)
	if err != nil {
		s.Error(w, err)
		return
	}
	s.logger().Info("station added", "station", e.StationID, "name", e.StationName, "by", user)
	s.JSON(w, http.StatusCreated, e)
}

// addressRequest is how a request names the county addresses for an enrolment file:
// one ({"url"}) or several in order ({"urls"}); neither means the server's own.
type addressRequest struct {
	URL  string   `json:"url"`
	URLs []string `json:"urls"`
}

func (a addressRequest) urls() []string {
	if len(a.URLs) > 0 || a.URL == "" {
		return a.URLs
	}
	return []string{a.URL}
}

// addresses returns urls, or every address the server was told when there are none.
func (s *Server) addresses(urls []string) []string {
	if len(urls) == 0 {
		return s.PublicURLs
	}
	return urls
}

// handleNewSecret gives a station a new secret and answers its new enrolment file;
// the body may name the county addresses for it ({"url"} or {"urls"}), as when adding
// one.
func (s *Server) handleNewSecret(w http.ResponseWriter, r *http.Request, user string) {
	var req addressRequest
	if r.ContentLength != 0 {
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
			s.Error(w, badRequest(`{} or {"url"|"urls"}`))
			return
		}
	}
	e, err := county.NewSecretEnrolment(r.Context(), s.Store, s.Clock, r.PathValue("id"), s.addresses(req.urls()), s.CertPin)
	if err != nil {
		s.Error(w, err)
		return
	}
	s.logger().Info("station given a new secret", "station", e.StationID, "name", e.StationName, "by", user)
	s.JSON(w, http.StatusOK, e)
}

func (s *Server) handleRetire(w http.ResponseWriter, r *http.Request, user string) {
	st, err := s.Store.RetireStation(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, err)
		return
	}
	s.logger().Info("station retired", "station", st.ID, "name", st.Name, "by", user)
	s.JSON(w, http.StatusOK, map[string]any{"id": st.ID, "name": st.Name, "retired_at": st.RetiredAt})
}

func (s *Server) handleBackups(w http.ResponseWriter, r *http.Request, _ string) {
	var files []county.BackupFile
	if s.Backups != nil {
		var err error
		if files, err = s.Backups.Backups(r.Context()); err != nil {
			s.Error(w, err)
			return
		}
	}
	if files == nil {
		files = []county.BackupFile{}
	}
	s.JSON(w, http.StatusOK, files)
}

// lastBackup returns the newest backup, or nil without one or without Backups.
func (s *Server) lastBackup(ctx context.Context) (*county.BackupFile, error) {
	if s.Backups == nil {
		return nil, nil
	}
	return s.Backups.LastBackup(ctx)
}
