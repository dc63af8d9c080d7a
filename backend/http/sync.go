package http

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/httperr"
)

// syncRoutes adds the staff sync panel: the backlog and the dead letters, and the
// admin's two actions on a dead letter.
func (s *Server) syncRoutes(rt *router) {
	rt.handle("GET /api/v1/sync", StaffSession, s.handleSyncStatus)
	rt.handle("POST /api/v1/sync/dead/{seq}/retry", AdminSession, s.handleDeadRetry)
	rt.handle("POST /api/v1/sync/dead/{seq}/discard", AdminSession, s.handleDeadDiscard)
	rt.handle("POST /api/v1/sync/enrolment", AdminSession, s.handleEnrol)
}

// enrolmentJSON is what the console shows of an enrolment just applied: whom the
// county knows the station as, and where it reaches the county. Never the secret.
type enrolmentJSON struct {
	StationID   string   `json:"station_id"`
	StationName string   `json:"station_name"`
	County      string   `json:"county"`
	Counties    []string `json:"counties"`
}

// handleEnrol applies the enrolment file in the body, as it came from the county
// (JSON; at most maxBody bytes, a file far larger than any enrolment is the wrong
// file). The body holds the station's secret: it is never logged or answered.
func (s *Server) handleEnrol(w http.ResponseWriter, r *http.Request) {
	if s.Enrolment == nil {
		s.Error(w, r, backend.Errorf(backend.ENOTFOUND, "not_found"))
		return
	}
	file, err := io.ReadAll(r.Body)
	if err != nil {
		s.Error(w, r, backend.Errorf(backend.EINVALID, "sync.enrol_not_file"))
		return
	}
	e, err := s.Enrolment.Enrol(r.Context(), file)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Logger.Info("enrolled with the county from the console", "station", e.StationID, "counties", e.Counties(), "by", actor(r))
	s.JSON(w, r, http.StatusOK, enrolmentJSON{StationID: e.StationID, StationName: e.StationName,
		County: e.CountyURL, Counties: e.Counties()})
}

// syncStatusJSON is the answer of GET /api/v1/sync; docs/sync-protocol.md.
type syncStatusJSON struct {
	State             string           `json:"state"`
	Enrolled          bool             `json:"enrolled"`
	County            string           `json:"county,omitempty"`
	Counties          []string         `json:"counties,omitempty"`
	StationName       string           `json:"station_name,omitempty"`
	Pending           int              `json:"pending"`
	OldestPendingAt   *string          `json:"oldest_pending_at"`
	OldestPendingAgeS int              `json:"oldest_pending_age_s"`
	LastAttempt       *string          `json:"last_attempt"`
	LastSuccess       *string          `json:"last_success"`
	FailingSince      *string          `json:"failing_since"`
	LastError         *syncErrorJSON   `json:"last_error"`
	CountyContiguous  uint64           `json:"county_contiguous"`
	DeadLetters       []deadLetterJSON `json:"dead_letters"`
}

type syncErrorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	At      string `json:"at"`
}

type deadLetterJSON struct {
	Seq        uint64 `json:"seq"`
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	At         string `json:"at"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	RejectedAt string `json:"rejected_at"`
}

func (s *Server) syncTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	v := t.In(s.Station.Location).Format(time.RFC3339)
	return &v
}

func (s *Server) handleSyncStatus(w http.ResponseWriter, r *http.Request) {
	if s.Sync == nil {
		s.Error(w, r, backend.Errorf(backend.ENOTFOUND, "not_found"))
		return
	}
	st, err := s.Sync.SyncStatus(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := syncStatusJSON{
		State: st.State, Enrolled: st.Enrolled, County: st.County, Counties: st.Counties, StationName: st.StationName,
		Pending: st.Pending, OldestPendingAt: s.syncTime(st.OldestPending),
		LastAttempt: s.syncTime(st.Last.LastAttempt), LastSuccess: s.syncTime(st.Last.LastSuccess),
		FailingSince: s.syncTime(st.Last.FailingSince), CountyContiguous: st.Last.Contiguous,
		DeadLetters: make([]deadLetterJSON, 0, len(st.DeadLetters)),
	}
	if st.OldestPending != nil {
		out.OldestPendingAgeS = max(int(s.now().Sub(*st.OldestPending)/time.Second), 0)
	}
	if e := st.Last.LastError; e != nil {
		out.LastError = &syncErrorJSON{Code: e.Code, Message: e.Message(httperr.Lang(r))}
		if at := s.syncTime(st.Last.LastErrorAt); at != nil {
			out.LastError.At = *at
		}
	}
	for _, dl := range st.DeadLetters {
		out.DeadLetters = append(out.DeadLetters, deadLetterJSON{
			Seq: dl.Entry.Seq, ID: dl.Entry.ID, Kind: dl.Entry.Kind, At: *s.syncTime(&dl.Entry.At),
			Code: dl.Code, Message: dl.Text(httperr.Lang(r)), RejectedAt: *s.syncTime(&dl.RejectedAt),
		})
	}
	s.JSON(w, r, http.StatusOK, out)
}

func deadSeq(r *http.Request) (uint64, error) {
	seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	if err != nil || seq == 0 {
		return 0, backend.Errorf(backend.ENOTFOUND, "sync.dead_not_found", r.PathValue("seq"))
	}
	return seq, nil
}

func (s *Server) handleDeadRetry(w http.ResponseWriter, r *http.Request) {
	seq, err := deadSeq(r)
	if err == nil && s.Sync == nil {
		err = backend.Errorf(backend.ENOTFOUND, "not_found")
	}
	if err == nil {
		err = s.Sync.RetryDeadLetter(r.Context(), seq)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleDeadDiscard(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	seq, err := deadSeq(r)
	if err == nil {
		err = decodeJSON(r.Body, &req)
	}
	if err == nil && s.Sync == nil {
		err = backend.Errorf(backend.ENOTFOUND, "not_found")
	}
	if err == nil {
		err = s.Sync.DiscardDeadLetter(r.Context(), seq, req.Reason, actor(r))
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
}
