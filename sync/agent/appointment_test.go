package agent_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/sync/agent"
	"bingzhan/sync/county"
	"bingzhan/sync/synctest"

	"github.com/jonboulle/clockwork"
)

// TestAgent_Appointments: a day of bookings — checked in on time and served, late with
// a normal ticket, cancelled, and missed at the station's midnight — crosses the faulty
// link into each county store: every fact stored exactly once, and the county's day
// figures what the station's bookings say.
func TestAgent_Appointments(t *testing.T) {
	for _, store := range synctest.CountyStores {
		t.Run(store, func(t *testing.T) { testAppointments(t, store) })
	}
}

func testAppointments(t *testing.T, store string) {
	ctx := context.Background()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 23, 8, 0, 0, 0, shanghai))
	st, err := app.OpenData(t.TempDir(), app.Options{Logger: synctest.Quiet, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Calls.Init(ctx); err != nil {
		t.Fatal(err)
	}
	const date = "2026-11-23"
	const n = 24
	var booked []*backend.Appointment
	for i := range n {
		slot := time.Date(2026, 11, 23, 9, 0, 0, 0, shanghai).Add(time.Duration(i) * 15 * time.Minute)
		a, _, err := st.Appointments.Book(ctx, backend.AppointmentRequest{Service: "B", Date: date,
			Time: slot.Format("15:04"), Phone: fmt.Sprintf("1380000%04d", i)}, "王芳")
		if err != nil {
			t.Fatal(err)
		}
		booked = append(booked, a)
	}
	want := map[backend.AppointmentStatus]int{}
	late := 0
	for i, a := range booked {
		slot, _ := a.Slot(shanghai)
		switch i % 4 {
		case 0: // on time, served
			clock.Advance(slot.Add(-5 * time.Minute).Sub(clock.Now()))
		case 1: // late: a normal ticket, served
			clock.Advance(slot.Add(40 * time.Minute).Sub(clock.Now()))
			late++
		case 2: // cancelled by staff
			if _, err := st.Appointments.Cancel(ctx, a.ID, "王芳"); err != nil {
				t.Fatal(err)
			}
			want[backend.ApptCancelled]++
			continue
		case 3: // nobody came
			want[backend.ApptMissed]++
			continue
		}
		c, err := st.Appointments.CheckIn(ctx, backend.CheckInRequest{Code: a.Code})
		if err != nil {
			t.Fatal(err)
		}
		if c.Late != (i%4 == 1) {
			t.Fatalf("booking %s: late %v", a.Time, c.Late)
		}
		tk, err := st.Calls.CallNext(ctx, 1, "王芳")
		if err != nil || tk.ID != c.Issued.Ticket.ID {
			t.Fatalf("called %v %v, want %s", tk, err, c.Issued.Ticket.Number)
		}
		if _, err := st.Calls.Act(ctx, tk.ID, backend.Act{Action: backend.ActFinish, By: "王芳"}); err != nil {
			t.Fatal(err)
		}
		want[backend.ApptServed]++
	}
	clock.Advance(time.Date(2026, 11, 24, 0, 1, 0, 0, shanghai).Sub(clock.Now()))
	if missed, err := st.Appointments.MarkMissed(ctx); err != nil || missed != want[backend.ApptMissed] {
		t.Fatalf("marked %d missed, want %d: %v", missed, want[backend.ApptMissed], err)
	}
	list, _ := st.Appointments.Appointments(ctx, date)
	got := map[backend.AppointmentStatus]int{}
	for _, a := range list {
		got[a.Status]++
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the station's day: %v, want %v", got, want)
	}
	ids := stationIDs(t, st.DB)

	c := synctest.StartCountyOn(t, store)
	proxy := synctest.StartProxy(t, c.URL, synctest.Faults{Drop: 0.1, Reset: 0.1, LoseAnswer: 0.15, TooMany: 0.05})
	e := c.Enrol(t, "东风镇服务站", proxy.URL)
	a, err := agent.New(synctest.FastConfig(st.DB, e, st.ID))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { a.Run(runCtx); close(done) }()
	synctest.WaitDrained(t, st.DB, time.Minute)
	cancel()
	<-done
	checkExactlyOnce(t, c, e.StationID, len(ids), ids)

	day, err := county.Day(ctx, c.Store, date)
	if err != nil {
		t.Fatal(err)
	}
	d := day[e.StationID]
	if d.Booked != n || d.CheckedIn != want[backend.ApptServed] || d.LateArrivals != late ||
		d.BookedServed != want[backend.ApptServed] || d.Missed != want[backend.ApptMissed] || d.Cancelled != want[backend.ApptCancelled] {
		t.Fatalf("the county's day %+v, want booked %d served %d late %d missed %d cancelled %d",
			d, n, want[backend.ApptServed], late, want[backend.ApptMissed], want[backend.ApptCancelled])
	}
}
