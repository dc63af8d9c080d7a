package http

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/httperr"

	"github.com/xuri/excelize/v2"
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

// The report's columns, in both languages.
var (
	statsHeader = [2][]string{
		{"类别", "编号", "名称", "取号", "叫号", "办结", "过号", "过期", "未完成",
			"平均等候(分)", "P90等候(分)", "平均走到窗口(分)", "P90走到窗口(分)", "平均办理(分)", "P90办理(分)"},
		{"Group", "Key", "Name", "Issued", "Called", "Served", "No-shows", "Expired", "Open",
			"Avg wait (min)", "P90 wait (min)", "Avg walk (min)", "P90 walk (min)", "Avg service (min)", "P90 service (min)"},
	}
	statsGroups  = [2][3]string{{"全站", "业务", "窗口"}, {"Station", "Service", "Counter"}}
	detailHeader = [2][]string{
		{"号码", "业务", "原业务", "优先", "状态", "窗口", "取号时间", "首次叫号", "开始办理", "结束", "等候(分)", "办理(分)", "办理人"},
		{"Number", "Service", "Issued for", "Priority", "Status", "Counter", "Issued", "First call", "Started", "Ended", "Wait (min)", "Service (min)", "Served by"},
	}
)

// langIndex picks the report's language: ?lang=en or ?lang=zh when the link asks
// (a download link cannot set Accept-Language, and the staff member's screen language
// may differ from the browser's), else the Accept-Language header.
func langIndex(r *http.Request) int {
	switch q := r.URL.Query().Get("lang"); {
	case q == "en":
		return 1
	case strings.HasPrefix(q, "zh"):
		return 0
	}
	if httperr.Lang(r) == "en" {
		return 1
	}
	return 0
}

// statsRows turns a day's figures into report rows: numbers stay numbers (minutes
// with one decimal) so a spreadsheet can sum and chart them.
func statsRows(st *backend.DayStats, lang int) [][]any {
	mins := func(sec int) float64 { return float64(sec*10/60) / 10 }
	row := func(group string, r backend.StatRow) []any {
		name := r.NameZH
		if lang == 1 {
			name = r.NameEN
		}
		return []any{group, r.Key, name, r.Issued, r.Called, r.Served, r.NoShows, r.Expired, r.Open,
			mins(r.AvgWaitS), mins(r.P90WaitS), mins(r.AvgWalkS), mins(r.P90WalkS), mins(r.AvgServiceS), mins(r.P90ServiceS)}
	}
	g := statsGroups[lang]
	out := [][]any{row(g[0], st.Station)}
	for _, r := range st.Services {
		out = append(out, row(g[1], r))
	}
	for _, r := range st.Counters {
		out = append(out, row(g[2], r))
	}
	return out
}

// detailRows lists the day's tickets: numbers, services, counters and times only,
// never an outcome note, so the report can leave the station.
func (s *Server) detailRows(tickets []backend.Ticket) [][]any {
	loc := s.Station.Location
	clock := func(t time.Time) any {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("15:04:05")
	}
	span := func(a, b time.Time) any {
		if a.IsZero() || b.IsZero() {
			return ""
		}
		return float64(int(b.Sub(a)/time.Second)*10/60) / 10
	}
	var out [][]any
	for _, t := range tickets {
		var by string
		for _, st := range t.History {
			if st.Action == backend.ActFinish || st.Action == backend.ActStart {
				by = st.By
			}
		}
		counter := any("")
		if t.Counter > 0 {
			counter = t.Counter
		}
		service := any("")
		if t.Status == backend.TicketDone {
			service = span(t.StartedAt, t.EndedAt)
		}
		out = append(out, []any{t.Number, t.Service, t.Origin, t.Priority, string(t.Status), counter,
			clock(t.IssuedAt), clock(t.CalledAt), clock(t.StartedAt), clock(t.EndedAt),
			span(t.IssuedAt, t.CalledAt), service, by})
	}
	return out
}

func (s *Server) handleStatsExport(w http.ResponseWriter, r *http.Request) {
	date, err := s.statsDate(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	body, err := s.StatsReport(r.Context(), date, format, langIndex(r))
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

// StatsReport renders the figures of date (YYYY-MM-DD) as a file: format "csv" is the
// summary, "xlsx" the summary and the day's tickets; lang 0 is Chinese, 1 English.
// Neither holds names or notes.
func (s *Server) StatsReport(ctx context.Context, date, format string, lang int) ([]byte, error) {
	if format != "csv" && format != "xlsx" {
		return nil, backend.Errorf(backend.EINVALID, "stats.format")
	}
	st, err := s.Staff.Stats.DayStats(ctx, date)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if format == "csv" {
		err = writeStatsCSV(&buf, st, lang)
	} else {
		var tickets []backend.Ticket
		if tickets, err = s.Staff.Stats.DayTickets(ctx, date); err == nil {
			err = writeStatsXLSX(&buf, st, s.detailRows(tickets), lang)
		}
	}
	return buf.Bytes(), err
}

// writeStatsCSV writes the summary as CSV with a UTF-8 byte-order mark and CRLF line
// ends: without the mark Excel reads UTF-8 Chinese as gibberish.
func writeStatsCSV(buf *bytes.Buffer, st *backend.DayStats, lang int) error {
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(buf)
	cw.UseCRLF = true
	cw.Write(statsHeader[lang])
	for _, row := range statsRows(st, lang) {
		rec := make([]string, len(row))
		for i, v := range row {
			switch v := v.(type) {
			case float64:
				rec[i] = strconv.FormatFloat(v, 'f', 1, 64)
			default:
				rec[i] = fmt.Sprint(v)
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// writeStatsXLSX writes a workbook with the summary and the day's tickets.
func writeStatsXLSX(buf *bytes.Buffer, st *backend.DayStats, details [][]any, lang int) error {
	f := excelize.NewFile()
	defer f.Close()
	names := [2][2]string{{"统计", "明细"}, {"Summary", "Tickets"}}[lang]
	if err := f.SetSheetName("Sheet1", names[0]); err != nil {
		return err
	}
	if _, err := f.NewSheet(names[1]); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	write := func(sheet string, header []string, rows [][]any) error {
		title := []any{fmt.Sprintf("%s %s", sheet, st.Date)}
		if err := f.SetSheetRow(sheet, "A1", &title); err != nil {
			return err
		}
		hdr := make([]any, len(header))
		for i, h := range header {
			hdr[i] = h
		}
		if err := f.SetSheetRow(sheet, "A2", &hdr); err != nil {
			return err
		}
		last, _ := excelize.CoordinatesToCellName(len(header), 2)
		if err := f.SetCellStyle(sheet, "A1", last, bold); err != nil {
			return err
		}
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+3)
			if err := f.SetSheetRow(sheet, cell, &row); err != nil {
				return err
			}
		}
		return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"})
	}
	if err := write(names[0], statsHeader[lang], statsRows(st, lang)); err != nil {
		return err
	}
	if err := write(names[1], detailHeader[lang], details); err != nil {
		return err
	}
	_, err = f.WriteTo(buf)
	return err
}
