package backend_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
)

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, s, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAddWorkingDays(t *testing.T) {
	cal := backend.DefaultCalendar()
	for _, tc := range []struct {
		name, from string
		n          int
		want       string
	}{
		{"WithinAWeek", "2026-11-02", 5, "2026-11-09"},             // Monday → next Monday
		{"OverAWeekend", "2026-11-05", 5, "2026-11-12"},            // Thursday
		{"FromSaturday", "2026-11-07", 1, "2026-11-09"},            // a rating on a day off
		{"FridayOne", "2026-11-06", 1, "2026-11-09"},               // the day itself never counts
		{"NoneIsOne", "2026-11-06", 0, "2026-11-09"},               // n < 1 is one
		{"SpringFestival", "2026-02-12", 5, "2026-02-26"},          // Thu 12: 13, 14 (make-up Sat), then 15–23 off: 24, 25, 26
		{"MakeUpSaturday", "2026-02-26", 2, "2026-02-28"},          // Sat 28 February is a working day
		{"NationalDay", "2026-09-29", 5, "2026-10-12"},             // 30, then 1–7 off, 8, 9, 10 (Sat, make-up), 12
		{"MakeUpSunday", "2026-09-18", 1, "2026-09-20"},            // Sun 20 September is a working day
		{"MidAutumn", "2026-09-24", 1, "2026-09-28"},               // 25–27 off
		{"NewYear", "2025-12-31", 1, "2026-01-04"},                 // 1–3 off, Sun 4 a working day
		{"LabourDay", "2026-04-30", 3, "2026-05-08"},               // 1–5 off: 6, 7, 8
		{"Draft2027SpringFestival", "2027-02-04", 1, "2027-02-09"}, // statutory 5–8 off
		{"Uncovered2028", "2028-01-28", 1, "2028-01-31"},           // weekends only
		{"Fifteen", "2026-12-01", 15, "2026-12-22"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := backend.AddWorkingDays(date(t, tc.from), tc.n, cal).Format(time.DateOnly)
			if got != tc.want {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
			}
		})
	}
}

func TestCalendar_WorkingDay(t *testing.T) {
	cal := backend.DefaultCalendar()
	for d, want := range map[string]bool{
		"2026-02-14": true, "2026-02-15": false, "2026-02-23": false, "2026-02-24": true,
		"2026-10-10": true, "2026-10-11": false, "2026-10-07": false, "2026-12-05": false, "2026-12-07": true,
	} {
		if got := cal.WorkingDay(date(t, d)); got != want {
			t.Errorf("WorkingDay(%s) = %v, want %v", d, got, want)
		}
	}
	if !cal.Covers(2026) || !cal.Covers(2027) || cal.Covers(2028) {
		t.Errorf("covers %v, want 2026 and 2027", cal.Years)
	}
	var none *backend.Calendar // no file at all: weekends only
	if none.WorkingDay(date(t, "2026-10-01")) != true {
		t.Error("a nil calendar knows no holidays")
	}
}

func TestParseCalendar(t *testing.T) {
	good := string(backend.DefaultHolidaysJSON())
	for _, tc := range []struct {
		name, from, to, key string
	}{
		{"Format", `"bingzhan.holidays/1"`, `"bingzhan.holidays/9"`, "holidays.format"},
		{"DateOutsideYear", `"2026-01-04"`, `"2027-01-04"`, "holidays.date"},
		{"NotADate", `"2026-10-07"`, `"2026-10-32"`, "holidays.date"},
		{"BackwardsRange", `"from": "2026-06-19", "to": "2026-06-21"`, `"from": "2026-06-21", "to": "2026-06-19"`, "holidays.range"},
		{"WorkdayOnAWeekday", `"date": "2026-05-09"`, `"date": "2026-05-11"`, "holidays.workday_weekday"},
		{"WorkdayOnAHoliday", `"date": "2026-02-14"`, `"date": "2026-02-15"`, "holidays.workday_off"},
		{"YearTwice", `"year": 2027`, `"year": 2026`, "holidays.year"},
		{"UnknownField", `"note":`, `"notes":`, "holidays.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(good, tc.from, tc.to, 1)
			if bad == good {
				t.Fatalf("%s not in the file", tc.from)
			}
			_, err := backend.ParseCalendar([]byte(bad))
			var e *backend.Error
			if !errors.As(err, &e) || e.Code != backend.EINVALID || e.Key != tc.key {
				t.Fatalf("err = %v, want %s", err, tc.key)
			}
			if msg := backend.ErrorMessage(err, "zh-CN"); !strings.Contains(msg, "节假日文件") {
				t.Errorf("message %q does not name the file", msg)
			}
		})
	}
}
