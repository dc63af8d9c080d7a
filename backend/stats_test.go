package backend_test

import (
	"testing"
	"time"

	"bingzhan/backend"
)

// knownDay is a small day worked out by hand; see TestComputeStats.
func knownDay() []backend.Ticket {
	at := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, time.UTC) }
	var zero time.Time
	tk := func(svc, origin string, issued, called, last, start, end time.Time, status backend.TicketStatus, counter int) backend.Ticket {
		return backend.Ticket{Date: "2026-11-23", Service: svc, Origin: origin, IssuedAt: issued, CalledAt: called,
			LastCalledAt: last, StartedAt: start, EndedAt: end, Status: status, Counter: counter}
	}
	other := tk("B", "", at(9, 0), at(9, 1), at(9, 1), at(9, 2), at(9, 3), backend.TicketDone, 1)
	other.Date = "2026-11-22"
	return []backend.Ticket{
		tk("B", "", at(9, 0), at(9, 10), at(9, 10), at(9, 11), at(9, 21), backend.TicketDone, 1),
		tk("B", "", at(9, 5), at(9, 25), at(9, 25), zero, at(9, 28), backend.TicketNoShow, 2),
		tk("A", "", at(9, 10), at(9, 30), at(9, 30), at(9, 32), at(9, 37), backend.TicketDone, 1),
		tk("D", "A", at(9, 15), at(9, 20), at(9, 40), at(9, 41), at(10, 1), backend.TicketDone, 2),
		tk("B", "", at(9, 20), zero, zero, zero, zero, backend.TicketWaiting, 0),
		other,
	}
}

func TestComputeStats(t *testing.T) {
	services := []backend.Service{{Letter: "A", NameZH: "政策咨询"}, {Letter: "B", NameZH: "优待证"}, {Letter: "D", NameZH: "抚恤"}, {Letter: "E", NameZH: "就业"}}
	counters := []backend.Counter{{Number: 1, Name: "1号窗口"}, {Number: 2, Name: "2号窗口"}, {Number: 3, Name: "3号窗口"}}
	got := backend.ComputeStats("2026-11-23", knownDay(), services, counters)
	row := func(name string, r backend.StatRow, want backend.StatRow) {
		t.Helper()
		want.Key, want.NameZH, want.NameEN = r.Key, r.NameZH, r.NameEN
		if r != want {
			t.Errorf("%s:\n got  %+v\n want %+v", name, r, want)
		}
	}
	row("station", got.Station, backend.StatRow{Issued: 5, Called: 4, Served: 3, NoShows: 1, Open: 1,
		AvgWaitS: 825, P90WaitS: 1200, AvgWalkS: 80, P90WalkS: 120, AvgServiceS: 700, P90ServiceS: 1200})
	if len(got.Services) != 4 || len(got.Counters) != 3 {
		t.Fatalf("rows: %d services, %d counters", len(got.Services), len(got.Counters))
	}
	row("A", got.Services[0], backend.StatRow{Issued: 2, Called: 1, Served: 1, AvgWaitS: 1200, P90WaitS: 1200,
		AvgWalkS: 120, P90WalkS: 120, AvgServiceS: 300, P90ServiceS: 300})
	row("B", got.Services[1], backend.StatRow{Issued: 3, Called: 2, Served: 1, NoShows: 1, Open: 1,
		AvgWaitS: 900, P90WaitS: 1200, AvgWalkS: 60, P90WalkS: 60, AvgServiceS: 600, P90ServiceS: 600})
	row("D", got.Services[2], backend.StatRow{Called: 1, Served: 1, AvgWaitS: 300, P90WaitS: 300,
		AvgWalkS: 60, P90WalkS: 60, AvgServiceS: 1200, P90ServiceS: 1200})
	row("E", got.Services[3], backend.StatRow{})
	row("counter 1", got.Counters[0], backend.StatRow{Called: 2, Served: 2, AvgWaitS: 900, P90WaitS: 1200,
		AvgWalkS: 90, P90WalkS: 120, AvgServiceS: 450, P90ServiceS: 600})
	row("counter 2", got.Counters[1], backend.StatRow{Called: 2, Served: 1, NoShows: 1, AvgWaitS: 750, P90WaitS: 1200,
		AvgWalkS: 60, P90WalkS: 60, AvgServiceS: 1200, P90ServiceS: 1200})
	if got.Counters[2].Key != "3" || got.Counters[2].Called != 0 {
		t.Errorf("idle counter %+v", got.Counters[2])
	}
}

func TestUpdateServiceTime(t *testing.T) {
	for _, tc := range []struct {
		old  int
		d    time.Duration
		want int
	}{
		{300, 10 * time.Minute, 360},
		{300, 100 * time.Second, 260},
		{300, 3 * time.Second, 300}, // a slip of the finger
		{300, 3 * time.Hour, 300},
		{0, 5 * time.Minute, 300},
	} {
		if got := backend.UpdateServiceTime(tc.old, tc.d); got != tc.want {
			t.Errorf("(%d, %v) = %d, want %d", tc.old, tc.d, got, tc.want)
		}
	}
}
