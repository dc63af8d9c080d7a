package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app"
)

// TestLoadCalendar: without holidays.json in the data folder the built-in calendar
// counts; a newer file there replaces it; a bad one is refused with its name and the
// problem, as a bad config.json is.
func TestLoadCalendar(t *testing.T) {
	dir := t.TempDir()
	cal, err := app.LoadCalendar(dir)
	if err != nil || !cal.Covers(2026) {
		t.Fatalf("built-in: %v %v", cal, err)
	}
	// A station that received the 2028 notice adds the year.
	file := strings.Replace(string(backend.DefaultHolidaysJSON()), `"years": [`, `"years": [
    {"year": 2028, "status": "official", "source": "test", "holidays": [{"name": "元旦", "from": "2028-01-01", "to": "2028-01-03"}], "workdays": []},`, 1)
	if err := os.WriteFile(filepath.Join(dir, app.HolidaysFile), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	cal, err = app.LoadCalendar(dir)
	if err != nil || !cal.Covers(2028) {
		t.Fatalf("from the data folder: %v", err)
	}
	// Friday 31 December 2027 + 1 working day: Monday 3 January 2028 is a holiday now.
	if got := backend.AddWorkingDays(time.Date(2027, 12, 31, 10, 0, 0, 0, time.UTC), 1, cal).Format(time.DateOnly); got != "2028-01-04" {
		t.Errorf("due %s, want 2028-01-04", got)
	}
	bad := strings.Replace(file, `"2028-01-03"`, `"2028-13-03"`, 1)
	os.WriteFile(filepath.Join(dir, app.HolidaysFile), []byte(bad), 0o600)
	_, err = app.LoadCalendar(dir)
	if err == nil || !strings.Contains(err.Error(), app.HolidaysFile) || !strings.Contains(err.Error(), "2028-13-03") {
		t.Fatalf("bad file: %v", err)
	}
	if _, err := app.Open(t.Context(), dir, app.Options{}); err == nil {
		t.Fatal("a station started on a bad holiday file")
	}
}
