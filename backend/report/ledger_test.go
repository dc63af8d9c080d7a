package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/report"

	"github.com/xuri/excelize/v2"
)

func ledger(lang string) *report.Ledger {
	at := time.Date(2026, 11, 23, 1, 30, 0, 0, time.UTC) // 09:30 in Shanghai
	return &report.Ledger{
		Title: "台账", About: []string{"范围：全部", "共 2 条"},
		Visits: []backend.Visit{
			{Serial: "2026-0001", CreatedAt: at, Source: "kiosk", Name: "张三", IDNumber: "110105194912310021",
				Relation: "self", Service: "B", Matter: "B1", Summary: "=HYPERLINK(\"http://x\")"},
			{Serial: "2026-0002", CreatedAt: at, Source: "staff", Name: "李四", Service: "A", Matter: "A1",
				Outcome: "answered", ClosedAt: at.Add(time.Hour)},
		},
		Services: map[string]string{"A": "政策咨询", "B": "优待证"},
		Location: shanghai, Lang: lang,
	}
}

func TestLedger_CSV(t *testing.T) {
	body, err := ledger("zh-CN").CSV()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(body), "\r\n")
	if len(lines) != 3+1+2+1 || lines[0] != "\uFEFF台账" || !strings.HasPrefix(lines[3], "登记号,登记时间,当事人姓名") {
		t.Fatalf("%q", lines)
	}
	if first := lines[4]; !strings.HasPrefix(first, "2026-0001,2026-11-23 09:30,张三,") || !strings.Contains(first, "110105194912310021") ||
		!strings.Contains(first, `"'=HYPERLINK(""http://x"")"`) || !strings.Contains(first, "优待证") || !strings.Contains(first, "自助登记") {
		t.Errorf("first row %q: want local time, the ID number, a defused formula, names", first)
	}
	if second := lines[5]; !strings.Contains(second, "2026-11-23 10:30") || !strings.Contains(second, "已解答") {
		t.Errorf("closed row %q", second)
	}
}

func TestLedger_XLSX(t *testing.T) {
	body, err := ledger("en").XLSX()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) != 1 || sheets[0] != "Ledger" {
		t.Fatalf("sheets %v", sheets)
	}
	rows, _ := f.GetRows("Ledger")
	if len(rows) != 3+1+2 || rows[0][0] != "台账" || rows[3][0] != "No." {
		t.Fatalf("rows %v", rows)
	}
	// Every cell is a string: the ID number keeps its 18 digits, a formula stays text.
	if got := rows[4]; got[5] != "110105194912310021" || got[10] != `=HYPERLINK("http://x")` {
		t.Errorf("first row %v", got)
	}
	if typ, _ := f.GetCellType("Ledger", "F5"); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
		t.Errorf("the ID number's cell is of type %v", typ)
	}
	if formula, _ := f.GetCellFormula("Ledger", "K5"); formula != "" {
		t.Errorf("a summary became the formula %q", formula)
	}
}
