package main

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"bingzhan/backend/atomicfile"
	bzreport "bingzhan/backend/report"
)

// ReportsDir is the folder in the data folder where each day's figures are kept as
// files: a station with one PC has no staff PC to download them to.
const ReportsDir = "reports"

// reportDays is how far back a start looks for days without their files: a station
// switched off over a long holiday still gets the week before it.
const reportDays = 7

// runReportArchive writes the report of each finished day at start and after every
// midnight, until ctx ends.
func (m *Main) runReportArchive(ctx context.Context) {
	for {
		if err := m.archiveReports(ctx, m.DB.Now()); err != nil {
			m.Logger.Warn("daily report files", "err", err)
		}
		now := m.DB.Now().In(m.DB.Location)
		// A minute past midnight, when the roll-over has closed the day.
		next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 1, 0, 0, now.Location())
		select {
		case <-ctx.Done():
			return
		case <-time.After(next.Sub(now)):
		}
	}
}

// archiveReports writes DATA/reports/bingzhan-report-DAY.xlsx and .csv, in Chinese,
// for each of the reportDays days before now's that had tickets and has no files yet.
// They hold figures, times and ticket numbers, never names or notes.
func (m *Main) archiveReports(ctx context.Context, now time.Time) error {
	dir := filepath.Join(m.DataDir, ReportsDir)
	today := now.In(m.DB.Location)
	for back := reportDays; back >= 1; back-- {
		day := time.Date(today.Year(), today.Month(), today.Day()-back, 12, 0, 0, 0, today.Location()).Format(time.DateOnly)
		st, err := m.Server.Staff.Stats.DayStats(ctx, day)
		if err != nil {
			return err
		}
		if st.Station.Issued == 0 {
			continue
		}
		for _, format := range []string{"xlsx", "csv"} {
			path := filepath.Join(dir, "bingzhan-report-"+day+"."+format)
			if _, err := os.Stat(path); err == nil {
				continue
			}
			body, err := bzreport.Day(ctx, m.Server.Staff.Stats, m.Server.Station.Location, day, format, "zh-CN")
			if err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			if err := atomicfile.WriteFile(path, body, 0o644); err != nil {
				return err
			}
			m.Logger.Info("daily report written", "path", path)
		}
	}
	return nil
}
