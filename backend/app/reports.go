package app

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"bingzhan/backend/atomicfile"
	"bingzhan/backend/report"
)

// ReportsDir is the folder in the data folder where each day's figures are kept as
// files: a station with one PC has no staff PC to download them to.
const ReportsDir = "reports"

// reportDays is how far back a start looks for days without their files: a station
// switched off over a long holiday still gets the week before it.
const reportDays = 7

// runReportArchive writes the report of each finished day at start and after every
// midnight, until ctx ends.
func (st *Station) runReportArchive(ctx context.Context) {
	for {
		if err := st.ArchiveReports(ctx); err != nil {
			st.Logger.Warn("daily report files", "err", err)
		}
		now := st.Clock.Now().In(st.Location)
		// A minute past midnight, when the roll-over has closed the day.
		next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 1, 0, 0, now.Location())
		t := st.Clock.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.Chan():
		}
	}
}

// ArchiveReports writes DATA/reports/bingzhan-report-DAY.xlsx and .csv, in Chinese,
// for each of the reportDays days before today that had tickets and has no files yet.
// They hold figures, times and ticket numbers, never names or notes.
func (st *Station) ArchiveReports(ctx context.Context) error {
	dir := filepath.Join(st.Dir, ReportsDir)
	today := st.Clock.Now().In(st.Location)
	for back := reportDays; back >= 1; back-- {
		day := time.Date(today.Year(), today.Month(), today.Day()-back, 12, 0, 0, 0, today.Location()).Format(time.DateOnly)
		stats, err := st.Stats.DayStats(ctx, day)
		if err != nil {
			return err
		}
		if stats.Station.Issued == 0 {
			continue
		}
		for _, format := range []string{"xlsx", "csv"} {
			path := filepath.Join(dir, "bingzhan-report-"+day+"."+format)
			if _, err := os.Stat(path); err == nil {
				continue
			}
			body, err := report.Day(ctx, st.Stats, st.Location, day, format, "zh-CN")
			if err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			if err := atomicfile.WriteFile(path, body, 0o644); err != nil {
				return err
			}
			st.Logger.Info("daily report written", "path", path)
		}
	}
	return nil
}
