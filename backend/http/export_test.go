package http_test

import (
	"bytes"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// checkWorkbook opens an exported report with excelize and checks its rows.
func checkWorkbook(t *testing.T, body []byte) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); !slices.Equal(sheets, []string{"统计", "明细"}) {
		t.Fatalf("sheets %v", sheets)
	}
	rows, err := f.GetRows("统计")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2+1+9+2+1 || rows[0][0] != "统计 2026-11-23" || rows[1][3] != "取号" {
		t.Fatalf("summary has %d rows: %v", len(rows), rows[:2])
	}
	if got := rows[2]; got[0] != "全站" || got[3] != "2" || got[5] != "1" || got[13] != "9" {
		t.Fatalf("station row %v", got)
	}
	details, _ := f.GetRows("明细")
	if len(details) != 2+2 || details[2][0] != "B001" || details[2][4] != "done" || details[2][12] != "王芳" {
		t.Fatalf("details %v", details)
	}
	for _, row := range details {
		for _, cell := range row {
			if cell == "张三的材料已收" {
				t.Fatal("an outcome note (possibly personal) is in the report")
			}
		}
	}
}

// pct returns the p-th percentile of d.
func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, len(s)*p/100)]
}
