package report_test

import (
	"bytes"
	"strings"
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/report"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestParseSheet(t *testing.T) {
	t.Run("CSV", func(t *testing.T) {
		cols, rows, err := report.ParseSheet("a.csv", []byte("\xef\xbb\xbf ID_Number ,Name\n1, 张三 \n,\n"))
		if err != nil || len(cols) != 2 || cols[0] != "id_number" || len(rows) != 1 || rows[0]["name"] != "张三" {
			t.Fatalf("%v %v %v", cols, rows, err)
		}
	})
	t.Run("GB18030", func(t *testing.T) {
		gb, _ := simplifiedchinese.GB18030.NewEncoder().String("name\n张三\n")
		_, rows, err := report.ParseSheet("a.csv", []byte(gb))
		if err != nil || len(rows) != 1 || rows[0]["name"] != "张三" {
			t.Fatalf("%v %v", rows, err)
		}
	})
	t.Run("XLSX", func(t *testing.T) {
		f := excelize.NewFile()
		f.SetSheetRow("Sheet1", "A1", &[]any{"a", "b"})
		f.SetSheetRow("Sheet1", "A2", &[]any{"1", 2})
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		_, rows, err := report.ParseSheet("a.xlsx", buf.Bytes())
		if err != nil || len(rows) != 1 || rows[0]["b"] != "2" {
			t.Fatalf("%v %v", rows, err)
		}
	})
	for _, tc := range []struct{ name, file, data, want string }{
		{"ErrEmpty", "a.csv", "", "empty"},
		{"ErrNoColumnName", "a.csv", "a,,c\n", "column 2"},
		{"ErrColumnTwice", "a.csv", "a,A\n", "appears twice"},
		{"ErrTooManyCells", "a.csv", "a,b\n1,2,3\n", "row 2 has 3 cells"},
		{"ErrFileType", "a.pdf", "x", ".csv or .xlsx"},
		{"ErrNotXLSX", "a.xlsx", "not a zip", "XLSX"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := report.ParseSheet(tc.file, []byte(tc.data))
			if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want an invalid one mentioning %q", err, tc.want)
			}
		})
	}
}

func FuzzParseSheet(f *testing.F) {
	f.Add("a.csv", []byte("id_number,name\n1,2\n"))
	f.Add("a.csv", []byte("\xef\xbb\xbfa,a\n"))
	f.Add("a.csv", []byte("a,b\n1,2,3\n"))
	f.Add("a.xlsx", []byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		cols, rows, err := report.ParseSheet(name, data)
		if err != nil {
			return
		}
		for _, r := range rows {
			for k := range r {
				found := false
				for _, c := range cols {
					found = found || c == k
				}
				if !found {
					t.Fatalf("row has column %q not in the header %v", k, cols)
				}
			}
		}
	})
}
