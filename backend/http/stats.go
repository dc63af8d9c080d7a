package http

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/httperr"
	"bingzhan/backend/report"
)

// statsDate reads ?date=YYYY-MM-DD, today (station time) when absent.
func (s *Server) statsDate(r *http.Request) (string, error) {
	date := r.URL.Query().Get("date")
	if date == "" {
		return s.now().In(s.Station.Location).Format("2006-01-02"), nil
	}
	if _, err := time.Parse("2006-01-02", date); err != nil {
		return "", backend.Errorf(backend.EINVALID, "stats.date")
	}
	return date, nil
}

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	date, err := s.statsDate(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	st, err := s.Staff.Stats.DayStats(r.Context(), date)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, st)
}

// reportLang picks the report's language: ?lang=en or ?lang=zh when the link asks
// (a download link cannot set Accept-Language, and the staff member's screen language
// may differ from the browser's), else the Accept-Language header.
func reportLang(r *http.Request) string {
	switch q := r.URL.Query().Get("lang"); {
	case q == "en":
		return "en"
	case strings.HasPrefix(q, "zh"):
		return "zh-CN"
	}
	return httperr.Lang(r)
}

func (s *Server) handleStatsExport(w http.ResponseWriter, r *http.Request) {
	date, err := s.statsDate(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	body, err := report.Day(r.Context(), s.Staff.Stats, s.Station.Location, date, format, reportLang(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="bingzhan-stats-%s.%s"`, date, format))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}
