package county_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/keys"
	"bingzhan/backend/report"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"

	"github.com/xuri/excelize/v2"
)

var bookingNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// bookingStations are a county's stations: two working, one retired whose name a
// working one took again.
func bookingStations() []county.Station {
	retired := bookingNow.Add(-time.Hour)
	return []county.Station{
		{ID: "st-0001-3fa2", Name: "东风镇服务站"},
		{ID: "st-0002-77c1", Name: "西河乡服务站"},
		{ID: "st-0003-0b9e", Name: "东风镇服务站", RetiredAt: &retired},
		{ID: "st-0004-5d10", Name: "北山村服务站", RetiredAt: &retired},
	}
}

func bookingCipher(tb testing.TB) *keys.Cipher {
	c, err := keys.NewCipher(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func parseBookings(t *testing.T, filename string, data []byte) (*county.ParsedDataset, error) {
	return county.ParseDataset(&county.DatasetImport{Name: wire.RefBookings, Filename: filename, Data: data,
		Version: "county-20261123-1-abcdef", Now: bookingNow, Read: report.ParseSheet,
		Stations: bookingStations(), Cipher: bookingCipher(t)})
}

const bookingHeader = "服务站,业务,日期,时间,姓名,身份证号,手机号\n"

// bookingSheet has a row for each station, by name and by id, one without name or
// phone, and the forms spreadsheets write dates and times in.
const bookingSheet = bookingHeader +
	"东风镇服务站,A,2026-11-23,09:00,张三,11010519491231002X,13812341234\n" +
	"st-0002-77c1,b,2026/11/24,9:30,李四,440524188001010014,\n" +
	"东风镇服务站,C,2026年11月25日,14:00:00,,110105198001010016,\n"

func TestParseDataset_Bookings(t *testing.T) {
	t.Run("CSV", func(t *testing.T) {
		p, err := parseBookings(t, "预约.csv", []byte(bookingSheet))
		if err != nil {
			t.Fatal(err)
		}
		if p.Items != 3 || p.Version != "county-20261123-1-abcdef" {
			t.Fatalf("parsed %d items, version %s", p.Items, p.Version)
		}
		var got []backend.CountyBooking
		for b, err := range backend.DecodeCountyBookings(bytes.NewReader(p.Body)) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, *b)
		}
		want := []backend.CountyBooking{
			{Station: "st-0001-3fa2", Service: "A", Date: "2026-11-23", Time: "09:00", Name: "张三", IDNumber: "11010519491231002X", Phone: "13812341234"},
			{Station: "st-0002-77c1", Service: "B", Date: "2026-11-24", Time: "09:30", Name: "李四", IDNumber: "440524188001010014"},
			{Station: "st-0001-3fa2", Service: "C", Date: "2026-11-25", Time: "14:00", IDNumber: "110105198001010016"},
		}
		if len(got) != len(want) {
			t.Fatalf("%d bookings, want %d", len(got), len(want))
		}
		for i := range want {
			if !backend.ValidCountyBookingID(got[i].ID) {
				t.Errorf("booking %d: id %q", i, got[i].ID)
			}
			want[i].ID = got[i].ID
			if got[i] != want[i] {
				t.Errorf("booking %d:\n got %+v\nwant %+v", i, got[i], want[i])
			}
		}
		// The same sheet, again, in English headers: the same ids.
		english := strings.Replace(bookingSheet, bookingHeader, "station,service,date,time,name,id_number,phone\n", 1)
		again, err := parseBookings(t, "bookings.csv", []byte(english))
		if err != nil || !bytes.Equal(again.Body, p.Body) {
			t.Fatalf("the same rows under English headers: %v\n%s\nwant\n%s", err, again.Body, p.Body)
		}
		// Another key (another county) makes other ids.
		other, _ := keys.NewCipher(bytes.Repeat([]byte{1}, 32))
		if county.BookingID(other, &want[0]) == want[0].ID {
			t.Error("the id does not depend on the county's key")
		}
	})
	t.Run("XLSX", func(t *testing.T) {
		f := excelize.NewFile()
		f.SetSheetRow("Sheet1", "A1", &[]any{"服务站", "业务", "日期", "时间", "身份证号", "备注"})
		f.SetSheetRow("Sheet1", "A2", &[]any{"西河乡服务站", "D", "2026-11-30", "10:15", "11010519491231002X", "轮椅"})
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		p, err := parseBookings(t, "预约.xlsx", buf.Bytes())
		if err != nil || p.Items != 1 || !bytes.Contains(p.Body, []byte(`"station":"st-0002-77c1","service":"D","date":"2026-11-30","time":"10:15"`)) {
			t.Fatalf("%v %s", err, p.Body)
		}
	})
	for _, tc := range []struct{ name, data, want string }{
		{"ErrColumns", "服务站,业务,日期,时间,姓名\n东风镇服务站,A,2026-11-23,09:00,张三\n", "身份证号 id_number"},
		{"ErrColumnsSame", "服务站,station,业务,日期,时间,身份证号\n", `"服务站" and "station"`},
		{"ErrStation", bookingHeader + "南湖镇服务站,A,2026-11-23,09:00,,11010519491231002X,\n", `row 2: no station with id or name "南湖镇服务站"`},
		{"ErrStationRetired", bookingHeader + "北山村服务站,A,2026-11-23,09:00,,11010519491231002X,\n", "row 2: station 北山村服务站 (st-0004-5d10) is retired"},
		{"ErrStationRetiredID", bookingHeader + "st-0003-0b9e,A,2026-11-23,09:00,,11010519491231002X,\n", "row 2: station 东风镇服务站 (st-0003-0b9e) is retired"},
		{"ErrService", bookingHeader + "东风镇服务站,I,2026-11-23,09:00,,11010519491231002X,\n", "row 2: There is no service"},
		{"ErrDate", bookingHeader + "东风镇服务站,A,2026-11-31,09:00,,11010519491231002X,\n", `row 2: date "2026-11-31"`},
		{"ErrTime", bookingHeader + "东风镇服务站,A,2026-11-23,25:00,,11010519491231002X,\n", `row 2: time "25:00"`},
		{"ErrNoIDNumber", bookingHeader + "东风镇服务站,A,2026-11-23,09:00,张三,,13812341234\n", "row 2: the ID number is required"},
		{"ErrIDNumber", bookingHeader + "东风镇服务站,A,2026-11-23,09:00,,110105194912310021,\n", "row 2: The last character is not right"},
		{"ErrPhone", bookingHeader + "东风镇服务站,A,2026-11-23,09:00,,11010519491231002X,1381234\n", "row 2: A mobile number"},
		{"ErrName", bookingHeader + "东风镇服务站,A,2026-11-23,09:00," + strings.Repeat("张", 81) + ",11010519491231002X,\n", "row 2: A name has at most 40"},
		{"ErrDuplicate", bookingSheet + "st-0001-3fa2,a,2026-11-23,9:00,张三丰,11010519491231002x,\n", "rows 2 and 5 are the same booking"},
		{"ErrFileType", "x", ".csv or .xlsx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := "预约.csv"
			if tc.name == "ErrFileType" {
				file = "预约.pdf"
			}
			p, err := parseBookings(t, file, []byte(tc.data))
			if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v %v, want an invalid error mentioning %q", p, err, tc.want)
			}
			if msg := err.Error(); strings.Contains(msg, "11010519491231002") || strings.Contains(msg, "1381234") {
				t.Errorf("the error carries personal data: %s", msg)
			}
			var e *backend.Error
			if errors.As(err, &e) && strings.Contains(tc.want, "row 2") && !strings.HasPrefix(e.Message("zh-CN"), "第 2 行") {
				t.Errorf("in Chinese: %s", e.Message("zh-CN"))
			}
		})
	}
}

func TestStationBookings(t *testing.T) {
	p, err := parseBookings(t, "预约.csv", []byte(bookingSheet))
	if err != nil {
		t.Fatal(err)
	}
	for station, n := range map[string]int{"st-0001-3fa2": 2, "st-0002-77c1": 1, "st-0009-ffff": 0} {
		body, err := county.StationBookings(p.Body, station)
		if err != nil || bytes.Count(body, []byte("\n")) != n || body == nil {
			t.Fatalf("%s: %v\n%s", station, err, body)
		}
		for b, err := range backend.DecodeCountyBookings(bytes.NewReader(body)) {
			if err != nil || b.Station != station {
				t.Fatalf("%s received %+v %v", station, b, err)
			}
		}
	}
}

// FuzzParseDataset_Bookings: whatever the sheet, a bookings import refuses it or gives
// rows a station takes: each valid, at a working station, with a well-formed id.
func FuzzParseDataset_Bookings(f *testing.F) {
	f.Add([]byte(bookingSheet))
	f.Add([]byte("station,service,date,time,id_number\nst-0003-0b9e,A,2026-11-23,09:00,11010519491231002X\n"))
	f.Add([]byte(bookingHeader + "东风镇服务站,a,2026.1.2,9:5,\t张 三\t, 11010519491231002x ,138 1234 1234\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseBookings(t, "预约.csv", data)
		if err != nil {
			if backend.ErrorCode(err) != backend.EINVALID {
				t.Fatalf("refused with %v, want EINVALID", err)
			}
			return
		}
		working := map[string]bool{"st-0001-3fa2": true, "st-0002-77c1": true}
		n := 0
		for b, err := range backend.DecodeCountyBookings(bytes.NewReader(p.Body)) {
			if err != nil {
				t.Fatalf("line %d does not decode: %v", n+1, err)
			}
			n++
			before := *b
			if err := b.Validate(bookingNow); err != nil || *b != before {
				t.Fatalf("booking %+v: %v, or not normalised", before, err)
			}
			if !working[b.Station] || !backend.ValidCountyBookingID(b.ID) {
				t.Fatalf("booking %+v", b)
			}
		}
		if n != p.Items {
			t.Fatalf("%d lines, %d items", n, p.Items)
		}
	})
}
