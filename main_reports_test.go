package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestArchiveReports: once a day is over, its report is in the data folder's reports/
// as Excel and CSV — the figures a station with one PC could not download — written
// once, and only for days that had tickets.
func TestArchiveReports(t *testing.T) {
	m, base := MustOpenMain(t)
	for i := range 3 {
		if code := call(t, "POST", base+"/api/v1/tickets", "", map[string]any{"service": "A", "request_id": fmt.Sprintf("report-%d", i)}, nil); code != 201 {
			t.Fatalf("issue ticket: %d", code)
		}
	}
	ctx := context.Background()
	today := m.DB.Clock.Now().In(m.DB.Location).Format(time.DateOnly)
	dir := filepath.Join(m.DataDir, ReportsDir)
	if err := m.archiveReports(ctx, m.DB.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("reports written while the day is still on: %v", err)
	}

	tomorrow := m.DB.Clock.Now().Add(24 * time.Hour)
	if err := m.archiveReports(ctx, tomorrow); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("%d files in reports/, want today's .xlsx and .csv: %v", len(entries), entries)
	}
	xlsx := filepath.Join(dir, "bingzhan-report-"+today+".xlsx")
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) != 2 || sheets[0] != "统计" || sheets[1] != "明细" {
		t.Fatalf("sheets %v, want 统计 and 明细", sheets)
	}
	rows, err := f.GetRows("明细")
	if err != nil || len(rows) != 2+3 {
		t.Fatalf("明细 has %d rows (%v), want a title, a header and the 3 tickets", len(rows), err)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "bingzhan-report-"+today+".csv"))
	if err != nil || !bytes.HasPrefix(csv, []byte("\uFEFF")) || !bytes.Contains(csv, []byte("全站")) {
		t.Fatalf("csv %v: %.200s", err, csv)
	}

	// Written once: a later start leaves the files as they are.
	before, _ := os.Stat(xlsx)
	if err := m.archiveReports(ctx, tomorrow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.Stat(xlsx); !after.ModTime().Equal(before.ModTime()) {
		t.Error("the report was written again")
	}
}
