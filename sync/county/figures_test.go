package county_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/county"
)

func TestFiguresQuery_Check(t *testing.T) {
	for _, tc := range []struct {
		name string
		q    county.FiguresQuery
		key  string
	}{
		{"a month", county.FiguresQuery{Period: county.PeriodMonth, From: "2026-01-01", To: "2026-12-31"}, ""},
		{"one day", county.FiguresQuery{Period: county.PeriodDay, From: "2026-11-23", To: "2026-11-23"}, ""},
		{"a period of its own", county.FiguresQuery{Period: "year", From: "2026-01-01", To: "2026-12-31"}, "county.figures_period"},
		{"no period", county.FiguresQuery{From: "2026-01-01", To: "2026-12-31"}, "county.figures_period"},
		{"a date that is not one", county.FiguresQuery{Period: county.PeriodDay, From: "2026-02-30", To: "2026-03-01"}, "county.figures_date"},
		{"a date in another form", county.FiguresQuery{Period: county.PeriodDay, From: "2026-11-01", To: "23.11.2026"}, "county.figures_date"},
		{"backwards", county.FiguresQuery{Period: county.PeriodWeek, From: "2026-11-23", To: "2026-11-01"}, "county.figures_order"},
		{"too long by day", county.FiguresQuery{Period: county.PeriodDay, From: "2026-01-01", To: "2026-12-31"}, "county.figures_long"},
		{"too long at all", county.FiguresQuery{Period: county.PeriodMonth, From: "2020-01-01", To: "2026-12-31"}, "county.figures_long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.q.Check()
			if tc.key == "" {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			e, ok := err.(*backend.Error)
			if !ok || e.Code != backend.EINVALID || e.Key != tc.key {
				t.Errorf("got %v, want EINVALID %s", err, tc.key)
			}
		})
	}
}

func TestFiguresQuery_Default(t *testing.T) {
	for _, tc := range []struct {
		in   county.FiguresQuery
		want county.FiguresQuery
	}{
		{county.FiguresQuery{}, county.FiguresQuery{Period: county.PeriodDay, From: "2026-11-12", To: "2026-11-25"}},
		// Twelve whole weeks: from a Monday, the week of To the twelfth.
		{county.FiguresQuery{Period: county.PeriodWeek}, county.FiguresQuery{Period: county.PeriodWeek, From: "2026-09-07", To: "2026-11-25"}},
		{county.FiguresQuery{Period: county.PeriodMonth}, county.FiguresQuery{Period: county.PeriodMonth, From: "2025-12-01", To: "2026-11-25"}},
		{county.FiguresQuery{Period: county.PeriodMonth, To: "2026-03-31"}, county.FiguresQuery{Period: county.PeriodMonth, From: "2025-04-01", To: "2026-03-31"}},
		{county.FiguresQuery{Period: county.PeriodDay, From: "2026-11-01"}, county.FiguresQuery{Period: county.PeriodDay, From: "2026-11-01", To: "2026-11-25"}},
	} {
		got := tc.in
		got.Default("2026-11-25") // a Wednesday
		if got != tc.want {
			t.Errorf("Default(%+v) = %+v, want %+v", tc.in, got, tc.want)
		}
		if err := got.Check(); err != nil {
			t.Errorf("the default %+v is refused: %v", got, err)
		}
	}
}

// day is one station-day: tickets issued, served, waits in minutes (one call each).
func day(tickets, served int, waitsMin ...int) county.DayStats {
	d := county.DayStats{Tickets: tickets, Served: served}
	for _, m := range waitsMin {
		d.Count(county.DayFact{Kind: county.KindTicketCalled, WaitS: m * 60})
	}
	return d
}

func TestNewFigures(t *testing.T) {
	retired := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	stations := []county.Station{
		{ID: "st-2", Name: "东风镇服务站"},
		{ID: "st-3", Name: "旧站", RetiredAt: &retired}, // no figures in range: left out
		{ID: "st-1", Name: "西山乡服务站"},
		{ID: "st-4", Name: "新站"}, // no figures yet: shown, all zero
	}
	east1 := day(3, 2, 5, 15)
	east1.Matters = map[string]int{"B5": 2, "A1": 1}
	east1.Visits, east1.NoShows, east1.CardTickets = 3, 1, 2
	east1.DeadLetters, east1.Reported = 4, true
	east2 := day(1, 1, 25)
	east2.DeadLetters, east2.Reported = 1, true
	days := map[string]map[string]county.DayStats{
		"st-2": {"2026-11-23": east1, "2026-11-30": east2, "2026-12-01": day(2, 2, 1, 1)},
		"st-1": {"2026-11-24": day(5, 4, 2, 2, 2, 2, 40)},
		"st-9": {"2026-12-02": day(1, 0)}, // a station the list does not hold
	}

	t.Run("Month", func(t *testing.T) {
		q := county.FiguresQuery{Period: county.PeriodMonth, From: "2026-11-20", To: "2026-12-05"}
		f := figuresOf(q, stations, days)
		if keys := spanKeys(f.Spans); !slices.Equal(keys, []string{"2026-11", "2026-12"}) ||
			f.Spans[0].From != "2026-11-20" || f.Spans[1].To != "2026-12-05" {
			t.Fatalf("spans %+v", f.Spans)
		}
		var names []string
		for _, s := range f.Stations {
			names = append(names, s.Name)
		}
		if !slices.Equal(names, []string{"东风镇服务站", "西山乡服务站", "新站", "st-9"}) {
			t.Fatalf("stations %v", names)
		}
		east := f.Stations[0]
		nov := east.Rows[0]
		if nov.Period != "2026-11" || nov.Tickets != 4 || nov.Served != 3 || nov.Called != 3 || nov.NoShows != 1 ||
			nov.Visits != 3 || nov.CardTickets != 2 || nov.CardCollections != 2 || nov.Matters["A1"] != 1 {
			t.Errorf("东风镇 November %+v", nov)
		}
		// Waits 5, 15 and 25 min: the mean 15:00, nine in ten under 26 min.
		if nov.AvgWaitS != 900 || nov.P90WaitS != 25*60 || nov.WaitMaxS != 25*60 {
			t.Errorf("东风镇 November waits avg %d p90 %d max %d", nov.AvgWaitS, nov.P90WaitS, nov.WaitMaxS)
		}
		if nov.DeadLetters != 1 || !nov.Reported {
			t.Errorf("dead letters %d: want the last report of the month", nov.DeadLetters)
		}
		if dec := east.Rows[1]; dec.Tickets != 2 || dec.DeadLetters != 0 || dec.Reported {
			t.Errorf("东风镇 December %+v", dec)
		}
		if east.Total.Tickets != 6 || east.Total.DeadLetters != 1 || east.Total.Called != 5 {
			t.Errorf("东风镇 total %+v", east.Total)
		}
		if s := f.Stations[2]; s.Total.Tickets != 0 || len(s.Rows) != 2 {
			t.Errorf("a station without figures %+v", s)
		}
		// November over all: waits 2, 2, 2, 2, 5, 15, 25 and 40 min. The nearest rank
		// of 90 % of eight is the eighth, the longest: 40 min (its bucket ends later).
		tn := f.Totals[0]
		if tn.Tickets != 9 || tn.Served != 7 || tn.Called != 8 || tn.P90WaitS != 40*60 || tn.DeadLetters != 1 {
			t.Errorf("November's total %+v", tn)
		}
		if f.Total.Tickets != 12 || f.Total.Served != 9 || f.Total.WaitMaxS != 40*60 || f.Total.Matters["B5"] != 2 {
			t.Errorf("total %+v", f.Total)
		}
	})
	t.Run("Week", func(t *testing.T) {
		q := county.FiguresQuery{Period: county.PeriodWeek, From: "2026-11-23", To: "2026-12-06"}
		f := figuresOf(q, stations, days)
		if keys := spanKeys(f.Spans); !slices.Equal(keys, []string{"2026-W48", "2026-W49"}) {
			t.Fatalf("spans %v", keys)
		}
		// 2026-11-30 is the Monday of week 49.
		if e := f.Stations[0]; e.Rows[0].Tickets != 3 || e.Rows[1].Tickets != 3 || e.Rows[1].DeadLetters != 1 {
			t.Errorf("东风镇 by week %+v", e.Rows)
		}
	})
	t.Run("Day", func(t *testing.T) {
		q := county.FiguresQuery{Period: county.PeriodDay, From: "2026-11-23", To: "2026-11-24"}
		f := figuresOf(q, stations, days)
		if len(f.Spans) != 2 || f.Totals[0].Tickets != 3 || f.Totals[1].Tickets != 5 || f.Total.Tickets != 8 {
			t.Errorf("by day %+v %+v", f.Spans, f.Totals)
		}
		if len(f.Stations) != 3 {
			t.Errorf("%d stations: st-9, not listed, has no figures in the range", len(f.Stations))
		}
	})
}

// figuresOf builds the figures of q from days as a store's EachDay may give them:
// stations mixed, the latest day first, into one DayStats the builder must not keep.
func figuresOf(q county.FiguresQuery, stations []county.Station, days map[string]map[string]county.DayStats) *county.Figures {
	b := county.NewFiguresBuilder(q)
	var d county.DayStats
	type day struct{ station, date string }
	var all []day
	for station, byDate := range days {
		for date := range byDate {
			all = append(all, day{station, date})
		}
	}
	slices.SortFunc(all, func(a, b day) int { return strings.Compare(b.date, a.date) })
	for _, k := range all {
		d = days[k.station][k.date]
		d.Matters = maps.Clone(d.Matters)
		b.Add(k.station, k.date, &d)
		clear(d.Matters) // what a store does with the next day
	}
	return b.Figures(stations)
}

func spanKeys(spans []county.Span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Key)
	}
	return out
}
