package report

import (
	"bytes"
	"encoding/csv"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"bingzhan/backend"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// MaxSheetRows is the most data rows ParseSheet reads: a county registry has some tens
// of thousands of rows.
const MaxSheetRows = 500_000

// ParseSheet reads a CSV (UTF-8, with or without BOM, or GB18030 as Chinese Excel
// writes it) or XLSX file (its first sheet) into columns and rows. The first row names
// the columns; names are trimmed and lower-cased; empty rows are skipped. Every error
// is a *backend.Error with code EINVALID.
func ParseSheet(filename string, data []byte) ([]string, []map[string]string, error) {
	records, err := readRecords(filename, data)
	if err != nil {
		return nil, nil, err
	}
	if len(records) == 0 {
		return nil, nil, invalid("county.sheet_empty")
	}
	cols := make([]string, len(records[0]))
	for i, c := range records[0] {
		cols[i] = strings.ToLower(strings.TrimSpace(c))
		if cols[i] == "" {
			return nil, nil, invalid("county.sheet_column_name", i+1)
		}
		if slices.Contains(cols[:i], cols[i]) {
			return nil, nil, invalid("county.sheet_column_twice", cols[i])
		}
	}
	var rows []map[string]string
	for n, rec := range records[1:] {
		if len(rec) > len(cols) {
			return nil, nil, invalid("county.sheet_row_cells", n+2, len(rec), len(cols))
		}
		row := make(map[string]string, len(cols))
		empty := true
		for i, v := range rec {
			v = strings.TrimSpace(v)
			if v != "" {
				empty = false
				row[cols[i]] = v
			}
		}
		if !empty {
			rows = append(rows, row)
		}
	}
	return cols, rows, nil
}

// readRecords reads every row of the file, the extension choosing CSV or XLSX.
func readRecords(filename string, data []byte) ([][]string, error) {
	var records [][]string
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".csv", ".txt", "":
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(data) {
			dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
			if err != nil {
				return nil, invalid("county.sheet_encoding")
			}
			data = dec
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			} else if err != nil {
				return nil, invalid("county.sheet_csv", err)
			}
			records = append(records, rec)
			if len(records) > MaxSheetRows+1 {
				return nil, invalid("county.sheet_rows", MaxSheetRows)
			}
		}
	case ".xlsx":
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, invalid("county.sheet_xlsx", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, invalid("county.sheet_no_sheet")
		}
		if records, err = f.GetRows(sheets[0]); err != nil {
			return nil, invalid("county.sheet_xlsx_sheet", sheets[0], err)
		}
		if len(records) > MaxSheetRows+1 {
			return nil, invalid("county.sheet_rows", MaxSheetRows)
		}
	default:
		return nil, invalid("county.sheet_type", filepath.Ext(filename))
	}
	return records, nil
}

func invalid(key string, args ...any) error { return backend.Errorf(backend.EINVALID, key, args...) }
