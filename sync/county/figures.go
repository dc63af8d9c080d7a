package county

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"bingzhan/backend"
)

// Period is how figures group days.
type Period string

// The periods: a day, an ISO week (Monday to Sunday, keyed 2026-W48), a month.
const (
	PeriodDay   Period = "day"
	PeriodWeek  Period = "week"
	PeriodMonth Period = "month"
)

// MaxFiguresDays is the longest range one request for figures covers, and
// MaxDailyFiguresDays the longest shown day by day: a page of 93 days per station is
// as much as a person reads.
const (
	MaxFiguresDays      = 731
	MaxDailyFiguresDays = 93
)

// FiguresQuery asks for the figures of dates From to To (YYYY-MM-DD, both included),
// grouped by Period.
type FiguresQuery struct {
	Period Period `json:"period"`
	From   string `json:"from"`
	To     string `json:"to"`
}

// Default fills what q leaves empty: by day, up to today (YYYY-MM-DD), from the
// start of a range that shows a trend (14 days, 12 weeks or 12 months back from To,
// whole weeks and months). A To that is not a date is left for Check to refuse.
func (q *FiguresQuery) Default(today string) {
	if q.Period == "" {
		q.Period = PeriodDay
	}
	if q.To == "" {
		q.To = today
	}
	if q.From != "" {
		return
	}
	to, err := time.Parse(time.DateOnly, q.To)
	if err != nil {
		return
	}
	var from time.Time
	switch q.Period {
	case PeriodWeek:
		from = to.AddDate(0, 0, -(int(to.Weekday())+6)%7-7*11)
	case PeriodMonth:
		from = time.Date(to.Year(), to.Month()-11, 1, 0, 0, 0, 0, time.UTC)
	default:
		from = to.AddDate(0, 0, -13)
	}
	q.From = from.Format(time.DateOnly)
}

// Check returns EINVALID for a period other than day, week or month, a date that is
// not YYYY-MM-DD, a From after To, or a range longer than MaxFiguresDays
// (MaxDailyFiguresDays by day).
func (q *FiguresQuery) Check() error {
	if q.Period != PeriodDay && q.Period != PeriodWeek && q.Period != PeriodMonth {
		return Errorf(backend.EINVALID, "county.figures_period", string(q.Period))
	}
	from, err := time.Parse(time.DateOnly, q.From)
	if err != nil {
		return Errorf(backend.EINVALID, "county.figures_date", q.From)
	}
	to, err := time.Parse(time.DateOnly, q.To)
	if err != nil {
		return Errorf(backend.EINVALID, "county.figures_date", q.To)
	}
	if from.After(to) {
		return Errorf(backend.EINVALID, "county.figures_order", q.From, q.To)
	}
	limit := MaxFiguresDays
	if q.Period == PeriodDay {
		limit = MaxDailyFiguresDays
	}
	if days := int(to.Sub(from).Hours()/24) + 1; days > limit {
		return Errorf(backend.EINVALID, "county.figures_long", days, limit)
	}
	return nil
}

// Span is one period of a range: its key (2026-11-23, 2026-W48 or 2026-11) and the
// dates of the range it covers, so a week or month cut by the range says so.
type Span struct {
	Key  string `json:"key"`
	From string `json:"from"`
	To   string `json:"to"`
}

// spanKey returns the key of the period of p that holds day.
func spanKey(p Period, day time.Time) string {
	switch p {
	case PeriodWeek:
		y, w := day.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case PeriodMonth:
		return day.Format("2006-01")
	}
	return day.Format(time.DateOnly)
}

// layout returns q's dates in order, the span index of each, and the spans. q must
// have passed Check.
func (q *FiguresQuery) layout() (dates []string, in []int, spans []Span) {
	from, _ := time.Parse(time.DateOnly, q.From)
	to, _ := time.Parse(time.DateOnly, q.To)
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		date, key := day.Format(time.DateOnly), spanKey(q.Period, day)
		if n := len(spans); n == 0 || spans[n-1].Key != key {
			spans = append(spans, Span{Key: key, From: date})
		}
		spans[len(spans)-1].To = date
		dates = append(dates, date)
		in = append(in, len(spans)-1)
	}
	return dates, in, spans
}

// FigureRow is the figures of one span (or of the whole range, Period ""), with the
// waits worked out from the sums: AvgWaitS over the called tickets, P90WaitS from
// the summed histogram (DayStats.P90WaitS), CardCollections the visits to collect a
// card (CardCollectMatter). DeadLetters is a level: a station's row has its last
// report in the span, a total the sum of the stations' rows.
type FigureRow struct {
	Period string `json:"period"`
	DayStats
	AvgWaitS        int `json:"avg_wait_s"`
	P90WaitS        int `json:"p90_wait_s"`
	CardCollections int `json:"card_collections"`
}

func rowOf(period string, d DayStats) FigureRow {
	return FigureRow{Period: period, DayStats: d, AvgWaitS: d.AvgWaitS(), P90WaitS: d.P90WaitS(),
		CardCollections: d.Matters[CardCollectMatter]}
}

// StationFigures is one station's figures: a row per span, and its total.
type StationFigures struct {
	ID    string      `json:"id"`
	Name  string      `json:"name"`
	Rows  []FigureRow `json:"rows"`
	Total FigureRow   `json:"total"`
}

// Figures are the figures across stations of one FiguresQuery: per station and span,
// per station, per span over all stations (Totals), and over all (Total).
type Figures struct {
	FiguresQuery
	Spans    []Span           `json:"spans"`
	Stations []StationFigures `json:"stations"`
	Totals   []FigureRow      `json:"totals"`
	Total    FigureRow        `json:"total"`
}

// A FiguresBuilder works out the figures of one FiguresQuery from the days
// Store.EachDay reads, one at a time and in any order: a year of 300 stations is
// 110 000 days, and summing them as they come keeps none of them.
type FiguresBuilder struct {
	q     FiguresQuery
	spans []Span
	in    map[string]int           // date → its span
	rows  map[string]*stationSpans // by station
	// last is the station of the day before: a store's days mostly come station by
	// station.
	last     string
	lastRows *stationSpans
}

// stationSpans is one station's figures in each span of a FiguresBuilder, and the
// date of the dead-letter report each holds: dead letters are a level, and the
// latest report in a span stands.
type stationSpans struct {
	rows       []DayStats
	reportedOn []string
}

// NewFiguresBuilder returns a builder for q, which must have passed Check.
func NewFiguresBuilder(q FiguresQuery) *FiguresBuilder {
	dates, in, spans := q.layout()
	b := &FiguresBuilder{q: q, spans: spans, in: make(map[string]int, len(dates)), rows: map[string]*stationSpans{}}
	for i, date := range dates {
		b.in[date] = in[i]
	}
	return b
}

// Add adds station's figures for date to its span; it has the form of EachDay's fn
// and keeps nothing of d. A day outside the query's range counts nowhere.
func (b *FiguresBuilder) Add(station, date string, d *DayStats) error {
	i, ok := b.in[date]
	if !ok {
		return nil
	}
	if b.lastRows == nil || station != b.last {
		b.last, b.lastRows = station, b.rows[station]
		if b.lastRows == nil {
			b.lastRows = &stationSpans{rows: make([]DayStats, len(b.spans)), reportedOn: make([]string, len(b.spans))}
			b.rows[station] = b.lastRows
		}
	}
	row := &b.lastRows.rows[i]
	row.add(d)
	if d.Reported && date >= b.lastRows.reportedOn[i] {
		row.DeadLetters, row.Reported = d.DeadLetters, true
		b.lastRows.reportedOn[i] = date
	}
	return nil
}

// Figures returns the figures of the days added. Stations come in the order of
// stations (as Store.Stations gives them, by name); a retired station shows only when
// it has figures in the range, and one with figures but not among stations shows
// under its id, after the others.
func (b *FiguresBuilder) Figures(stations []Station) *Figures {
	spans := b.spans
	f := &Figures{FiguresQuery: b.q, Spans: spans, Totals: make([]FigureRow, len(spans))}
	sums := make([]DayStats, len(spans))
	var total DayStats
	add := func(id, name string) {
		rows := make([]DayStats, len(spans))
		if got := b.rows[id]; got != nil {
			rows = got.rows
		}
		// The spans follow each other, so their sum in order is the range's.
		var all DayStats
		for i := range rows {
			all.then(&rows[i])
		}
		sf := StationFigures{ID: id, Name: name, Rows: make([]FigureRow, len(spans)), Total: rowOf("", all)}
		for i := range rows {
			sf.Rows[i] = rowOf(spans[i].Key, rows[i])
			sums[i].Add(rows[i])
		}
		total.Add(all)
		f.Stations = append(f.Stations, sf)
	}
	listed := make(map[string]bool, len(stations))
	for _, st := range stations {
		listed[st.ID] = true
		if st.RetiredAt == nil || b.rows[st.ID] != nil {
			add(st.ID, st.Name)
		}
	}
	var unlisted []string
	for id := range b.rows {
		if !listed[id] {
			unlisted = append(unlisted, id)
		}
	}
	slices.Sort(unlisted)
	for _, id := range unlisted {
		add(id, id)
	}
	for i, s := range sums {
		f.Totals[i] = rowOf(spans[i].Key, s)
	}
	f.Total = rowOf("", total)
	return f
}

// serviceNames are the seed's service names by letter, in both languages.
var serviceNames = sync.OnceValue(func() map[string][2]string {
	out := map[string][2]string{}
	if services, err := backend.DefaultServices(); err == nil {
		for _, s := range services {
			out[s.Letter] = [2]string{s.NameZH, s.NameEN}
		}
	}
	return out
})

// MatterName returns a visit matter's name in lang ("en" or Chinese) with the short
// name of its service after it, as county staff read it in a list of all matters:
// 领取（优待证申领）. A code the station's seed does not know is its own name.
func MatterName(code, lang string) string {
	if code == "" {
		return code
	}
	service := code[:1]
	m, ok := backend.FindMatter(service, code)
	if !ok {
		return code
	}
	names := serviceNames()[service]
	name := m.Name(lang)
	if backend.IsEnglish(lang) {
		svc, _, _ := strings.Cut(names[1], ":")
		if svc == "" || svc == name {
			return name
		}
		return name + " (" + svc + ")"
	}
	svc, _, _ := strings.Cut(names[0], "/")
	if svc == "" || svc == name {
		return name
	}
	return name + "（" + svc + "）"
}

// RangeDays returns how many days from through to (YYYY-MM-DD) holds, at most
// MaxFiguresDays, or 0 for dates that do not parse: how much room a store makes for a
// station's days when it reads a range.
func RangeDays(from, to string) int {
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || t.Before(f) {
		return 0
	}
	return min(int(t.Sub(f).Hours()/24)+1, MaxFiguresDays)
}
