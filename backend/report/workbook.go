package report

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Table is one sheet of a workbook in plain cells, so any layer can hand one over
// without this package knowing its types: the county's figures across stations are
// one (sync/county/http builds them).
type Table struct {
	// Name is the sheet's tab (at most 31 characters, without : \ / ? * [ ]).
	Name string
	// Title is the first line, above the header: what the sheet holds, for whom.
	Title string
	// Header names the columns; Rows are the lines under it. A cell is a string, an
	// int or a float64 (numbers stay numbers, so a spreadsheet sums and charts them);
	// strings are written as text, never run as a formula.
	Header []string
	Rows   [][]any
}

// Workbook renders tables as one XLSX, a sheet each in order: the title and header
// in bold, the header frozen, columns wide enough for their longest text.
func Workbook(tables ...Table) ([]byte, error) {
	if len(tables) == 0 {
		return nil, fmt.Errorf("a workbook needs a sheet")
	}
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	for i, t := range tables {
		if i == 0 {
			err = f.SetSheetName("Sheet1", t.Name)
		} else {
			_, err = f.NewSheet(t.Name)
		}
		if err != nil {
			return nil, fmt.Errorf("sheet %q: %w", t.Name, err)
		}
		if err := writeTable(f, t, bold); err != nil {
			return nil, fmt.Errorf("sheet %q: %w", t.Name, err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeTable(f *excelize.File, t Table, bold int) error {
	sheet := t.Name
	if err := f.SetCellStr(sheet, "A1", t.Title); err != nil {
		return err
	}
	hdr := make([]any, len(t.Header))
	widths := make([]int, len(t.Header))
	for i, h := range t.Header {
		hdr[i] = h
		widths[i] = textWidth(h)
	}
	if err := f.SetSheetRow(sheet, "A2", &hdr); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, "A1", "A1", bold); err != nil {
		return err
	}
	if len(t.Header) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(t.Header), 2)
		if err := f.SetCellStyle(sheet, "A2", last, bold); err != nil {
			return err
		}
	}
	for r, row := range t.Rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+3)
			var err error
			switch v := v.(type) {
			case string:
				err = f.SetCellStr(sheet, cell, v)
				if c < len(widths) {
					widths[c] = max(widths[c], textWidth(v))
				}
			default:
				err = f.SetCellValue(sheet, cell, v)
			}
			if err != nil {
				return err
			}
		}
	}
	for c, w := range widths {
		col, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColWidth(sheet, col, col, float64(min(max(w, 6), 40))+2); err != nil {
			return err
		}
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"})
}

// textWidth is s's width in spreadsheet columns: a Chinese character takes two.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		if utf8.RuneLen(r) > 1 {
			w += 2
		} else {
			w++
		}
	}
	return w
}
