package report_test

import (
	"bytes"
	"slices"
	"testing"

	"bingzhan/backend/report"

	"github.com/xuri/excelize/v2"
)

func TestWorkbook(t *testing.T) {
	body, err := report.Workbook(
		report.Table{Name: "按服务站", Title: "各服务站业务统计 2026-11", Header: []string{"服务站", "取号", "平均等候(分)"},
			Rows: [][]any{{"东风镇服务站", 12, 4.5}, {"=1+1", 0, 0.0}}},
		report.Table{Name: "合计", Title: "合计", Header: []string{"期间", "取号"}, Rows: [][]any{{"2026-11", 12}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); !slices.Equal(sheets, []string{"按服务站", "合计"}) {
		t.Fatalf("sheets %v", sheets)
	}
	rows, _ := f.GetRows("按服务站")
	if len(rows) != 4 || rows[0][0] != "各服务站业务统计 2026-11" || rows[1][2] != "平均等候(分)" || rows[2][0] != "东风镇服务站" ||
		rows[2][1] != "12" || rows[2][2] != "4.5" {
		t.Fatalf("rows %q", rows)
	}
	if formula, _ := f.GetCellFormula("按服务站", "A4"); formula != "" || rows[3][0] != "=1+1" {
		t.Errorf("a station named like a formula became one: %q %q", formula, rows[3][0])
	}
	if typ, _ := f.GetCellType("按服务站", "B3"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("a count is stored as %v, want a number", typ)
	}
	if _, err := report.Workbook(); err == nil {
		t.Error("a workbook without sheets")
	}
}
