package countytest

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"bingzhan/backend/gctune"
	"bingzhan/sync/county"
)

// PutDays stores a station's day figures as they are, to give a benchmark a year of
// them without pushing it.
type PutDays func(ctx context.Context, station string, days map[string]county.DayStats) error

// yearOfDays makes a station's figures for every day of 2026: a busy township
// station's tickets, waits spread over the first hour, a few matters.
func yearOfDays(n int) map[string]county.DayStats {
	out := map[string]county.DayStats{}
	for day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() == 2026; day = day.AddDate(0, 0, 1) {
		d := county.DayStats{Tickets: 30 + n%7, Served: 28, NoShows: 2, CardTickets: 9, Visits: 12, Reported: true, DeadLetters: n % 3,
			Matters: map[string]int{"A1": 3, "B1": 2, "B5": 4, "C1": 1, "D2": 2}}
		for i := range 30 {
			d.Count(county.DayFact{Kind: county.KindTicketCalled, WaitS: (i*97 + n*13) % 2400})
		}
		out[day.Format(time.DateOnly)] = d
	}
	return out
}

// BenchFigures reads a year of 300 stations' daily figures and groups them by
// station and month, as the figures page does for a year: its p99 is the page's
// worst wait for its data (target 200 ms). It collects garbage as bingzhan-county
// does (gctune): the range read makes a hundred megabytes of it.
func BenchFigures(b *testing.B, open func(b *testing.B) (county.Store, PutDays)) {
	defer debug.SetGCPercent(debug.SetGCPercent(gctune.Percent))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(gctune.CountyLimit))
	st, put := open(b)
	ctx := b.Context()
	for i := range 300 {
		s, _, err := st.AddStation(ctx, fmt.Sprintf("第%03d服务站", i))
		if err != nil {
			b.Fatal(err)
		}
		if err := put(ctx, s.ID, yearOfDays(i)); err != nil {
			b.Fatal(err)
		}
	}
	q := county.FiguresQuery{Period: county.PeriodMonth, From: "2026-01-01", To: "2026-12-31"}
	if err := q.Check(); err != nil {
		b.Fatal(err)
	}
	var took []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		stations, err := st.Stations(ctx)
		if err != nil {
			b.Fatal(err)
		}
		fb := county.NewFiguresBuilder(q)
		if err := st.EachDay(ctx, q.From, q.To, fb.Add); err != nil {
			b.Fatal(err)
		}
		f := fb.Figures(stations)
		took = append(took, time.Since(start))
		if len(f.Stations) != 300 || len(f.Spans) != 12 || f.Total.Tickets == 0 {
			b.Fatalf("%d stations, %d months", len(f.Stations), len(f.Spans))
		}
	}
	slices.Sort(took)
	p99 := took[min(len(took)-1, len(took)*99/100)]
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
}
