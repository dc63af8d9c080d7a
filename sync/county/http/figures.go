package http

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/report"
	"bingzhan/sync/county"
)

// figuresRoutes adds the figures across stations: the page, its JSON and its
// spreadsheet, all for county staff, all with the same parameters (period, from, to).
func (s *Server) figuresRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /figures", s.pageStaff(s.handleFiguresPage))
	mux.HandleFunc("GET /api/v1/figures", s.staff(s.handleFigures))
	mux.HandleFunc("GET /api/v1/figures.xlsx", s.staff(s.handleFiguresXLSX))
}

// figuresQuery reads period, from and to from r, filling what is left out
// (FiguresQuery.Default).
func (s *Server) figuresQuery(r *http.Request) county.FiguresQuery {
	v := r.URL.Query()
	q := county.FiguresQuery{Period: county.Period(v.Get("period")), From: v.Get("from"), To: v.Get("to")}
	q.Default(county.DateOf(s.now(), s.location()))
	return q
}

// Figures works out the figures of q, which it checks first (EINVALID for bad
// parameters, read nothing). ctx is the request's.
func (s *Server) Figures(ctx context.Context, q county.FiguresQuery) (*county.Figures, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	stations, err := s.Store.Stations(ctx)
	if err != nil {
		return nil, err
	}
	b := county.NewFiguresBuilder(q)
	if err := s.Store.EachDay(ctx, q.From, q.To, b.Add); err != nil {
		return nil, err
	}
	return b.Figures(stations), nil
}

func (s *Server) handleFigures(w http.ResponseWriter, r *http.Request, _ string) {
	f, err := s.Figures(r.Context(), s.figuresQuery(r))
	if err != nil {
		s.Error(w, err)
		return
	}
	s.JSON(w, http.StatusOK, f)
}

// periodNames are the periods as the page and the sheets name them.
var periodNames = map[county.Period]string{county.PeriodDay: "按日", county.PeriodWeek: "按周", county.PeriodMonth: "按月"}

var weekdays = [...]string{"日", "一", "二", "三", "四", "五", "六"}

// spanLabel names a period for a table: 2026-11-23 周一, 2026 第48周 (11-23—11-29),
// 2026年11月; a week or month the range cuts says which of its days it covers.
func spanLabel(p county.Period, sp county.Span) string {
	from, _ := time.Parse(time.DateOnly, sp.From)
	to, _ := time.Parse(time.DateOnly, sp.To)
	switch p {
	case county.PeriodWeek:
		y, w := from.ISOWeek()
		return fmt.Sprintf("%d 第%d周（%s—%s）", y, w, from.Format("01-02"), to.Format("01-02"))
	case county.PeriodMonth:
		label := fmt.Sprintf("%d年%d月", from.Year(), from.Month())
		if from.Day() != 1 || to.AddDate(0, 0, 1).Month() == to.Month() {
			label += fmt.Sprintf("（%s—%s）", from.Format("01-02"), to.Format("01-02"))
		}
		return label
	}
	return sp.From + " 周" + weekdays[from.Weekday()]
}

// spanTick names a period under a chart, as briefly as can be read: 11-23, W48, 2026-11.
func spanTick(p county.Period, sp county.Span) string {
	from, _ := time.Parse(time.DateOnly, sp.From)
	switch p {
	case county.PeriodWeek:
		_, w := from.ISOWeek()
		return fmt.Sprintf("W%d", w)
	case county.PeriodMonth:
		return from.Format("2006-01")
	}
	return from.Format("01-02")
}

// matterCount is one matter's visits over the range, named.
type matterCount struct {
	Code, Name string
	Visits     int
}

// mattersOf returns the matters of m by visits, most first (then by code).
func mattersOf(m map[string]int, lang string) []matterCount {
	out := make([]matterCount, 0, len(m))
	for code, n := range m {
		if n > 0 {
			out = append(out, matterCount{Code: code, Name: county.MatterName(code, lang), Visits: n})
		}
	}
	slices.SortFunc(out, func(a, b matterCount) int {
		return cmp.Or(cmp.Compare(b.Visits, a.Visits), cmp.Compare(a.Code, b.Code))
	})
	return out
}

// maxChartMatters is how many matters the bar chart shows; the table lists all.
const maxChartMatters = 12

// figuresPage is what figures.html shows.
type figuresPage struct {
	User    string
	Query   county.FiguresQuery
	Periods []county.Period
	Names   map[county.Period]string
	Error   string
	F       *county.Figures
	Labels  []string // per span, for the tables
	Matters []matterCount
	// The charts as inline SVG: the trend of tickets, served and no-shows, the
	// waits, the most frequent matters.
	Trend, Waits, MatterBars template.HTML
	XLSX                     string // the download's address, for the same figures
}

func (s *Server) handleFiguresPage(w http.ResponseWriter, r *http.Request, user string) {
	q := s.figuresQuery(r)
	page := &figuresPage{User: user, Query: q, Names: periodNames,
		Periods: []county.Period{county.PeriodDay, county.PeriodWeek, county.PeriodMonth}}
	f, err := s.Figures(r.Context(), q)
	if err != nil {
		var e *backend.Error
		if !errors.As(err, &e) || e.Code != backend.EINVALID {
			s.Error(w, err)
			return
		}
		// Bad parameters: the page says what is wrong, in both languages, with the
		// form to put it right.
		page.Error = e.Message("zh-CN") + " " + e.Message("en")
		s.render(w, http.StatusBadRequest, "figures.html", page)
		return
	}
	page.F = f
	ticks := make([]string, len(f.Spans))
	tickets := make([]float64, len(f.Spans))
	served := make([]float64, len(f.Spans))
	noShows := make([]float64, len(f.Spans))
	avg := make([]float64, len(f.Spans))
	p90 := make([]float64, len(f.Spans))
	for i, sp := range f.Spans {
		page.Labels = append(page.Labels, spanLabel(q.Period, sp))
		ticks[i] = spanTick(q.Period, sp)
		t := f.Totals[i]
		tickets[i], served[i], noShows[i] = float64(t.Tickets), float64(t.Served), float64(t.NoShows)
		avg[i], p90[i] = minutes(t.AvgWaitS), minutes(t.P90WaitS)
	}
	if page.Trend, err = trendChart(ticks, [][]float64{tickets, served, noShows}, 620); err == nil {
		page.Waits, err = trendChart(ticks, [][]float64{avg, p90}, 620)
	}
	page.Matters = mattersOf(f.Total.Matters, "zh-CN")
	if err == nil && len(page.Matters) > 0 {
		top := page.Matters[:min(len(page.Matters), maxChartMatters)]
		labels := make([]string, len(top))
		values := make([]float64, len(top))
		for i, m := range top {
			labels[i], values[i] = m.Name, float64(m.Visits)
		}
		page.MatterBars, err = barChart(labels, values, 1240)
	}
	if err != nil {
		s.Error(w, err)
		return
	}
	page.XLSX = "/api/v1/figures.xlsx?" + url.Values{"period": {string(q.Period)}, "from": {q.From}, "to": {q.To}}.Encode()
	s.render(w, http.StatusOK, "figures.html", page)
}

// minutes returns seconds as minutes with one decimal, as charts and sheets show waits.
func minutes(s int) float64 { return float64(s*10/60) / 10 }

// figuresSheets lays out f as three sheets of plain cells: every station by period,
// the totals by period, and the visits by matter.
func figuresSheets(f *county.Figures) []report.Table {
	title := fmt.Sprintf("各服务站业务统计 · %s · %s 至 %s", periodNames[f.Period], f.From, f.To)
	header := []string{"服务站", "服务站编号", "期间", "起", "止", "取号", "叫号", "办结", "未到", "平均等候(分)", "P90等候(分)",
		"最长等候(分)", "来访", "优待证取号", "领证登记", "未能同步", "走访慰问(户次)", "光荣牌悬挂", "喜报送达", "慰问金(元)"}
	cells := func(r county.FigureRow) []any {
		var dead any = ""
		if r.Reported {
			dead = r.DeadLetters
		}
		return []any{r.Tickets, r.Called, r.Served, r.NoShows, minutes(r.AvgWaitS), minutes(r.P90WaitS), minutes(r.WaitMaxS),
			r.Visits, r.CardTickets, r.CardCollections, dead, r.Reached, r.PlaquesHung, r.HonoursDelivered, r.Money}
	}
	var byStation, totals, matters [][]any
	for _, st := range f.Stations {
		for i, r := range st.Rows {
			sp := f.Spans[i]
			byStation = append(byStation, append([]any{st.Name, st.ID, spanLabel(f.Period, sp), sp.From, sp.To}, cells(r)...))
			for _, m := range mattersOf(r.Matters, "zh-CN") {
				matters = append(matters, []any{st.Name, spanLabel(f.Period, sp), m.Code, m.Name, m.Visits})
			}
		}
		byStation = append(byStation, append([]any{st.Name, st.ID, "合计", f.From, f.To}, cells(st.Total)...))
	}
	for i, r := range f.Totals {
		sp := f.Spans[i]
		totals = append(totals, append([]any{"全部服务站", "", spanLabel(f.Period, sp), sp.From, sp.To}, cells(r)...))
	}
	totals = append(totals, append([]any{"全部服务站", "", "合计", f.From, f.To}, cells(f.Total)...))
	for _, m := range mattersOf(f.Total.Matters, "zh-CN") {
		matters = append(matters, []any{"全部服务站", "合计", m.Code, m.Name, m.Visits})
	}
	return []report.Table{
		{Name: "按服务站", Title: title, Header: header, Rows: byStation},
		{Name: "合计", Title: title, Header: header, Rows: totals},
		{Name: "来访事项", Title: title, Header: []string{"服务站", "期间", "事项编号", "事项", "来访"}, Rows: matters},
	}
}

func (s *Server) handleFiguresXLSX(w http.ResponseWriter, r *http.Request, user string) {
	f, err := s.Figures(r.Context(), s.figuresQuery(r))
	if err != nil {
		s.Error(w, err)
		return
	}
	body, err := report.Workbook(figuresSheets(f)...)
	if err != nil {
		s.Error(w, err)
		return
	}
	s.logger().Info("figures downloaded", "period", f.Period, "from", f.From, "to", f.To, "by", user)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="figures-%s-%s-%s.xlsx"`, f.Period, f.From, f.To))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}
