package http

import (
	"net/http"
	"strconv"
	"time"

	"bingzhan/backend"
)

// LimitRatingFinds bounds looking tickets up by number for a rating: a person types
// a number or two; a client trying every number is slowed to one every three seconds.
var LimitRatingFinds = Limit{Every: 3 * time.Second, Burst: 12}

// ratingRoutes are the 好差评 routes (docs/api.md, "Ratings"): the rating screens at
// the counter and the kiosk, which need no session, and the follow-up of bad ratings
// in the console.
func (s *Server) ratingRoutes(rt *router) {
	if s.Ratings == nil {
		return
	}
	rt.handle("GET /api/v1/rating-reasons", Public, s.handleRatingReasons)
	rt.handle("GET /api/v1/counters/{n}/rating", KioskDevice, s.handlePendingRating)
	rt.handle("POST /api/v1/ratings/find", KioskDevice, s.limited(LimitRatingFinds, s.handleFindRating))
	rt.handle("POST /api/v1/tickets/{id}/rating", KioskDevice, s.handleRate)
	rt.handle("POST /api/v1/tickets/{id}/rating/skip", KioskDevice, s.handleSkipRating)
	rt.handle("GET /api/v1/rating-cases", StaffSession, s.handleRatingCases)
	rt.handle("POST /api/v1/rating-cases/{id}/appeal", StaffSession, s.handleCaseAction)
	rt.handle("POST /api/v1/rating-cases/{id}/{action}", AdminSession, s.handleCaseAction)
}

func (s *Server) handleRatingReasons(w http.ResponseWriter, r *http.Request) {
	s.JSON(w, r, http.StatusOK, s.Ratings.Reasons())
}

func (s *Server) handlePendingRating(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		s.Error(w, r, backend.Errorf(backend.EINVALID, "rating.counter", backend.MaxCounter))
		return
	}
	t, err := s.Ratings.Pending(r.Context(), n)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, map[string]any{"ticket": t})
}

// handleFindRating finds today's ticket to rate by the number a person typed, or by
// the QR payload a scanner read from the ticket (checked against the station's key).
func (s *Server) handleFindRating(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Number  string `json:"number"`
		Payload string `json:"payload"`
	}
	if err := decodeAnswers(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	number := req.Number
	if req.Payload != "" {
		pt, err := backend.VerifyProof(s.Station.PublicKey, req.Payload, s.Station.Location)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if pt.Date != s.now().In(s.Station.Location).Format(time.DateOnly) {
			s.Error(w, r, backend.Errorf(backend.ECONFLICT, "rating.past_day", pt.Number))
			return
		}
		number = pt.Number
	}
	t, err := s.Ratings.Find(r.Context(), number)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, t)
}

// ratingJSON is the answer to a rating: what was stored, and the case a bad rating
// opened.
type ratingJSON struct {
	TicketID string   `json:"ticket_id"`
	Number   string   `json:"number"`
	Level    int      `json:"level"`
	Reasons  []string `json:"reasons"`
	CaseID   string   `json:"case_id,omitempty"`
	Due      string   `json:"due,omitempty"`
}

func (s *Server) handleRate(w http.ResponseWriter, r *http.Request) {
	var req backend.RatingRequest
	if err := decodeJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	rating, c, err := s.Ratings.Rate(r.Context(), r.PathValue("id"), req)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := ratingJSON{TicketID: rating.TicketID, Number: rating.Number, Level: rating.Level, Reasons: rating.Reasons}
	if out.Reasons == nil {
		out.Reasons = []string{}
	}
	if c != nil {
		out.CaseID, out.Due = c.ID, c.Due
	}
	s.JSON(w, r, http.StatusCreated, out)
}

func (s *Server) handleSkipRating(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Via string `json:"via"`
	}
	if err := decodeOptionalJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.Ratings.Skip(r.Context(), r.PathValue("id"), req.Via); err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

// caseJSON is a case as the console shows it: with whether it is overdue today.
type caseJSON struct {
	backend.RatingCase
	Overdue bool `json:"overdue"`
}

func (s *Server) handleRatingCases(w http.ResponseWriter, r *http.Request) {
	list, err := s.Ratings.Cases(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	today := s.now().In(s.Station.Location).Format(time.DateOnly)
	out := make([]caseJSON, 0, len(list))
	for _, c := range list {
		out = append(out, caseJSON{RatingCase: c, Overdue: c.Overdue(today)})
	}
	s.JSON(w, r, http.StatusOK, out)
}

// handleCaseAction takes one step of a case: the appeal by any staff member (its own
// route), every other step by an admin.
func (s *Server) handleCaseAction(w http.ResponseWriter, r *http.Request) {
	action := backend.CaseAction(r.PathValue("action"))
	if action == "" {
		action = backend.CaseAppeal
	} else if action == backend.CaseAppeal {
		// Reached through the admin pattern only if the mux changed: keep one door.
		s.Error(w, r, backend.Errorf(backend.ENOTFOUND, "not_found"))
		return
	}
	var req struct {
		Note    string `json:"note"`
		Reached *bool  `json:"reached"`
	}
	if err := decodeOptionalJSON(r.Body, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	c, err := s.Ratings.ActOnCase(r.Context(), r.PathValue("id"),
		backend.CaseAct{Action: action, Note: req.Note, Reached: req.Reached, By: actor(r)})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Logger.Info("rating case", "case", c.ID, "action", action, "status", c.Status, "by", actor(r))
	today := s.now().In(s.Station.Location).Format(time.DateOnly)
	s.JSON(w, r, http.StatusOK, caseJSON{RatingCase: *c, Overdue: c.Overdue(today)})
}
