package backend

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// defaultHolidaysJSON is the national holiday calendar the station ships with: the
// State Council's notice for 2026 and the statutory days of 2027. A station replaces
// it by putting a newer file in its data folder (app.LoadCalendar).
//
//go:embed data/holidays.json
var defaultHolidaysJSON []byte

// DefaultHolidaysJSON returns the embedded holiday calendar file.
func DefaultHolidaysJSON() []byte { return bytes.Clone(defaultHolidaysJSON) }

// HolidaysFormat names the holiday file's schema.
const HolidaysFormat = "bingzhan.holidays/1"

// Calendar tells working days from days off: Saturdays and Sundays are off, except
// the make-up working days (调休上班) of the year's notice, and the public holidays
// (放假) are off whatever weekday they fall on. A year the calendar does not cover
// counts weekends only.
type Calendar struct {
	Version  string
	Years    []int // the years the file covers, ascending
	off      map[string]string
	workdays map[string]string
}

// holidayFile is the JSON form of the calendar (backend/data/holidays.json).
type holidayFile struct {
	Format  string `json:"format"`
	Version string `json:"version"`
	Note    string `json:"note,omitempty"`
	Years   []struct {
		Year     int    `json:"year"`
		Status   string `json:"status"` // official | draft
		Source   string `json:"source"`
		Holidays []struct {
			Name string `json:"name"`
			From string `json:"from"`
			To   string `json:"to"`
		} `json:"holidays"`
		Workdays []struct {
			Name string `json:"name"`
			Date string `json:"date"`
		} `json:"workdays"`
	} `json:"years"`
}

// ParseCalendar reads and checks a holiday file. EINVALID, naming the first problem:
// another format, a date that is not a date or lies outside its year, a range that
// ends before it starts, a year given twice, or a make-up working day that is not a
// Saturday or Sunday or falls on a holiday.
func ParseCalendar(data []byte) (*Calendar, error) {
	var f holidayFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, Errorf(EINVALID, "holidays.json", err.Error())
	}
	if f.Format != HolidaysFormat {
		return nil, Errorf(EINVALID, "holidays.format", f.Format, HolidaysFormat)
	}
	if f.Version == "" || len(f.Years) == 0 {
		return nil, Errorf(EINVALID, "holidays.empty")
	}
	c := &Calendar{Version: f.Version, off: map[string]string{}, workdays: map[string]string{}}
	day := func(year int, s string) (time.Time, error) {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil || d.Year() != year {
			return d, Errorf(EINVALID, "holidays.date", s, year)
		}
		return d, nil
	}
	for _, y := range f.Years {
		if y.Year < 2000 || y.Year > 2100 || slices.Contains(c.Years, y.Year) {
			return nil, Errorf(EINVALID, "holidays.year", y.Year)
		}
		c.Years = append(c.Years, y.Year)
		for _, h := range y.Holidays {
			from, err := day(y.Year, h.From)
			if err != nil {
				return nil, err
			}
			to, err := day(y.Year, h.To)
			if err != nil {
				return nil, err
			}
			if to.Before(from) || h.Name == "" {
				return nil, Errorf(EINVALID, "holidays.range", h.Name, h.From, h.To)
			}
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				c.off[d.Format(time.DateOnly)] = h.Name
			}
		}
		for _, w := range y.Workdays {
			d, err := day(y.Year, w.Date)
			if err != nil {
				return nil, err
			}
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				return nil, Errorf(EINVALID, "holidays.workday_weekday", w.Date)
			}
			if _, clash := c.off[w.Date]; clash {
				return nil, Errorf(EINVALID, "holidays.workday_off", w.Date)
			}
			c.workdays[w.Date] = w.Name
		}
	}
	slices.Sort(c.Years)
	return c, nil
}

// DefaultCalendar returns the embedded calendar; it is checked by the tests, so a
// failure here is a programming error.
func DefaultCalendar() *Calendar {
	c, err := ParseCalendar(defaultHolidaysJSON)
	if err != nil {
		panic(fmt.Sprintf("embedded holidays.json: %v", err))
	}
	return c
}

// WorkingDay reports whether the station's staff work on the date of d (its year,
// month and day; the time and zone are ignored).
func (c *Calendar) WorkingDay(d time.Time) bool {
	key := d.Format(time.DateOnly)
	if c != nil {
		if _, ok := c.workdays[key]; ok {
			return true
		}
		if _, ok := c.off[key]; ok {
			return false
		}
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Covers reports whether the calendar has the holidays of year; outside it only
// weekends are known.
func (c *Calendar) Covers(year int) bool {
	return c != nil && slices.Contains(c.Years, year)
}

// AddWorkingDays returns the date n working days after the date of from: the day
// itself does not count (a bad rating given on Friday afternoon with n = 1 is due on
// Monday), and the result is always a working day. n < 1 is treated as 1.
func AddWorkingDays(from time.Time, n int, cal *Calendar) time.Time {
	d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	for n = max(n, 1); n > 0; {
		d = d.AddDate(0, 0, 1)
		if cal.WorkingDay(d) {
			n--
		}
	}
	return d
}
