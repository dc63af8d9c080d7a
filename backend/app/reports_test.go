package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"bingzhan/backend/app"
	"bingzhan/backend/app/apptest"

	"github.com/xuri/excelize/v2"
)

// TestArchiveReports: once a day is over, its report is in the data folder's reports/
// as Excel and CSV — the figures a station with one PC could not download — written
// once, and only for days that had tickets. The station's clock is moved past
// midnight; the station's own job writes the files.
func TestArchiveReports(t *testing.T) {
	st := apptest.Open(t, apptest.Options{})
	for i := range 3 {
		if code := call(t, "POST", st.URL+"/api/v1/tickets", "", map[string]any{"service": "A", "request_id": fmt.Sprintf("report-%d", i)}, nil); code != 201 {
			t.Fatalf("issue ticket: %d", code)
		}
	}
	ctx := context.Background()
	today := st.Clock.Now().In(st.Location).Format(time.DateOnly)
	dir := filepath.Join(st.Dir, app.ReportsDir)
	if err := st.ArchiveReports(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("reports written while the day is still on: %v", err)
	}

	st.Advance(16 * time.Hour) // 01:00 the next day
	xlsx := filepath.Join(dir, "bingzhan-report-"+today+".xlsx")
	csvPath := filepath.Join(dir, "bingzhan-report-"+today+".csv")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		_, e1 := os.Stat(xlsx)
		_, e2 := os.Stat(csvPath)
		if e1 == nil && e2 == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no report files after midnight: %v %v", e1, e2)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("%d files in reports/, want today's .xlsx and .csv: %v", len(entries), entries)
	}
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
	csv, err := os.ReadFile(csvPath)
	if err != nil || !bytes.HasPrefix(csv, []byte("\uFEFF")) || !bytes.Contains(csv, []byte("全站")) {
		t.Fatalf("csv %v: %.200s", err, csv)
	}

	// Written once: a later run leaves the files as they are.
	before, _ := os.Stat(xlsx)
	st.Advance(time.Hour)
	if err := st.ArchiveReports(ctx); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.Stat(xlsx); !after.ModTime().Equal(before.ModTime()) {
		t.Error("the report was written again")
	}
}
