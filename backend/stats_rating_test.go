package backend_test

import (
	"testing"

	"bingzhan/backend"
)

// TestDayStats_StaffAndRatings: the day's figures per staff member (by who served each
// ticket) and the satisfaction of each row; a skip and an upheld appeal count nowhere.
func TestDayStats_StaffAndRatings(t *testing.T) {
	day := knownDay()
	by := func(i int, name string) {
		day[i].History = []backend.Step{{Action: backend.ActCall, By: name}, {Action: backend.ActFinish, By: name}}
	}
	by(0, "王芳") // B at counter 1
	by(1, "李强") // B no-show at counter 2
	by(2, "王芳") // A at counter 1
	by(3, "李强") // D at counter 2
	day[4].History = []backend.Step{{Action: backend.ActExpire, By: "system"}}
	services := []backend.Service{{Letter: "A"}, {Letter: "B"}, {Letter: "D"}}
	counters := []backend.Counter{{Number: 1}, {Number: 2}}
	got := backend.ComputeStats("2026-11-23", day, services, counters)
	if len(got.Staff) != 2 || got.Staff[0].Key != "李强" || got.Staff[1].Key != "王芳" {
		t.Fatalf("staff rows %+v", got.Staff)
	}
	if w := got.Staff[1]; w.Called != 2 || w.Served != 2 || w.AvgWaitS != 900 || w.AvgServiceS != 450 {
		t.Errorf("王芳 %+v (the same as counter 1: she served there alone)", w)
	}
	if l := got.Staff[0]; l.Called != 2 || l.Served != 1 || l.NoShows != 1 {
		t.Errorf("李强 %+v", l)
	}
	got.AddRatings([]backend.Rating{
		{Service: "B", Counter: 1, Staff: "王芳", Level: 5},
		{Service: "A", Counter: 1, Staff: "王芳", Level: 2},
		{Service: "D", Counter: 2, Staff: "李强", Level: 3},
		{Service: "D", Counter: 2, Staff: "李强", Level: 1, Excluded: true}, // appeal upheld
		{Service: "B", Counter: 2, Staff: "李强", Skipped: true},
	})
	s := got.Station
	if s.Rated != 3 || s.Satisfied != 2 || s.Unsatisfied != 1 || s.SatisfactionPct != 66.7 || s.AvgLevel != 3.3 {
		t.Errorf("station %+v", s)
	}
	if w := got.Staff[1]; w.Rated != 2 || w.SatisfactionPct != 50 || w.AvgLevel != 3.5 {
		t.Errorf("王芳 %+v", w)
	}
	if c := got.Counters[1]; c.Rated != 1 || c.SatisfactionPct != 100 {
		t.Errorf("counter 2 %+v", c)
	}
	if a := got.Services[0]; a.Rated != 1 || a.Unsatisfied != 1 || a.SatisfactionPct != 0 {
		t.Errorf("service A %+v", a)
	}
}
