package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"bingzhan/backend"

	"github.com/xuri/excelize/v2"
)

// Day renders the figures of date (YYYY-MM-DD), read from stats, as format "csv" (the
// summary) or "xlsx" (the summary and the day's tickets, their times in loc), in lang
// ("en" or Chinese). Neither holds names or notes, so a report can leave the station.
// EINVALID for another format or a bad date.
func Day(ctx context.Context, stats backend.StatsService, loc *time.Location, date, format, lang string) ([]byte, error) {
	if format != "csv" && format != "xlsx" {
		return nil, backend.Errorf(backend.EINVALID, "stats.format")
	}
	st, err := stats.DayStats(ctx, date)
	if err != nil {
		return nil, err
	}
	if format == "csv" {
		return DayCSV(st, lang)
	}
	tickets, err := stats.DayTickets(ctx, date)
	if err != nil {
		return nil, err
	}
	return DayXLSX(st, tickets, loc, lang)
}

// The report's columns, in both languages (index langIndex).
var (
	statsHeader = [2][]string{
		{"类别", "编号", "名称", "取号", "叫号", "办结", "过号", "过期", "未完成",
			"平均等候(分)", "P90等候(分)", "平均走到窗口(分)", "P90走到窗口(分)", "平均办理(分)", "P90办理(分)",
			"评价数", "满意(含基本满意)", "不满意", "满意率(%)", "平均评分"},
		{"Group", "Key", "Name", "Issued", "Called", "Served", "No-shows", "Expired", "Open",
			"Avg wait (min)", "P90 wait (min)", "Avg walk (min)", "P90 walk (min)", "Avg service (min)", "P90 service (min)",
			"Ratings", "Satisfied", "Dissatisfied", "Satisfaction (%)", "Mean rating"},
	}
	statsGroups  = [2][4]string{{"全站", "业务", "窗口", "工作人员"}, {"Station", "Service", "Counter", "Staff member"}}
	detailHeader = [2][]string{
		{"号码", "业务", "原业务", "优先", "状态", "窗口", "取号时间", "首次叫号", "开始办理", "结束", "等候(分)", "办理(分)", "办理人"},
		{"Number", "Service", "Issued for", "Priority", "Status", "Counter", "Issued", "First call", "Started", "Ended", "Wait (min)", "Service (min)", "Served by"},
	}
	sheetNames = [2][2]string{{"统计", "明细"}, {"Summary", "Tickets"}}
)

// langIndex picks the column of the tables above: 1 for English, 0 for Chinese.
func langIndex(lang string) int {
	if backend.IsEnglish(lang) {
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
		// Satisfaction is left blank, not 0, where nothing was rated.
		pct, avg := any(""), any("")
		if r.Rated > 0 {
			pct, avg = r.SatisfactionPct, r.AvgLevel
		}
		return []any{group, r.Key, name, r.Issued, r.Called, r.Served, r.NoShows, r.Expired, r.Open,
			mins(r.AvgWaitS), mins(r.P90WaitS), mins(r.AvgWalkS), mins(r.P90WalkS), mins(r.AvgServiceS), mins(r.P90ServiceS),
			r.Rated, r.Satisfied, r.Unsatisfied, pct, avg}
	}
	g := statsGroups[lang]
	out := [][]any{row(g[0], st.Station)}
	for _, r := range st.Services {
		out = append(out, row(g[1], r))
	}
	for _, r := range st.Counters {
		out = append(out, row(g[2], r))
	}
	for _, r := range st.Staff {
		out = append(out, row(g[3], r))
	}
	return out
}

// detailRows lists the day's tickets: numbers, services, counters and times only,
// never an outcome note, so the report can leave the station.
func detailRows(tickets []backend.Ticket, loc *time.Location) [][]any {
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

// DayCSV renders a day's summary as CSV with a UTF-8 byte-order mark and CRLF line
// ends: without the mark Excel reads UTF-8 Chinese as gibberish.
func DayCSV(st *backend.DayStats, lang string) ([]byte, error) {
	l := langIndex(lang)
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	cw.Write(statsHeader[l])
	for _, row := range statsRows(st, l) {
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
	return buf.Bytes(), cw.Error()
}

// DayXLSX renders a workbook with a day's summary and its tickets, their times in loc.
func DayXLSX(st *backend.DayStats, tickets []backend.Ticket, loc *time.Location, lang string) ([]byte, error) {
	l := langIndex(lang)
	f := excelize.NewFile()
	defer f.Close()
	names := sheetNames[l]
	if err := f.SetSheetName("Sheet1", names[0]); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(names[1]); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
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
	if err := write(names[0], statsHeader[l], statsRows(st, l)); err != nil {
		return nil, err
	}
	if err := write(names[1], detailHeader[l], detailRows(tickets, loc)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
