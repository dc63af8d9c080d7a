package agent_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/sync/agent"
	"bingzhan/sync/county"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"

	"github.com/jonboulle/clockwork"
)

// TestAgent_Bookings: the county books people at a station with a sheet; the
// station's own agent, across the faulty link, takes its rows alone (a neighbour's
// never reach it); a person checks in at the kiosk with the ID number; the county's
// next sheet withdraws a booking, which the station cancels; the same sheet a third
// time makes nothing new; and the station's facts of it all reach each county store
// exactly once.
func TestAgent_Bookings(t *testing.T) {
	for _, store := range synctest.CountyStores {
		t.Run(store, func(t *testing.T) { testBookings(t, store) })
	}
}

// sentIDs wraps the station's store as the agent uses it and records the id of every
// entry the agent reads for a push, by sequence: once the outbox is drained, every
// entry the station made.
type sentIDs struct {
	agent.Store
	mu  sync.Mutex
	ids map[uint64]string
}

func (s *sentIDs) OutboxBatch(ctx context.Context, after uint64, maxEntries, maxBytes int) ([]backend.PendingEntry, error) {
	batch, err := s.Store.OutboxBatch(ctx, after, maxEntries, maxBytes)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range batch {
		var head struct{ ID string }
		json.Unmarshal(e.JSON, &head)
		s.ids[e.Seq] = head.ID
	}
	return batch, err
}

func (s *sentIDs) all() map[uint64]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[uint64]string, len(s.ids))
	for k, v := range s.ids {
		out[k] = v
	}
	return out
}

func testBookings(t *testing.T, store string) {
	ctx := context.Background()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 23, 8, 0, 0, 0, shanghai))
	c := synctest.StartCountyOn(t, store)
	proxy := synctest.StartProxy(t, c.URL, synctest.Faults{Drop: 0.1, Reset: 0.1, LoseAnswer: 0.15, TooMany: 0.05})
	enrolment, err := county.NewEnrolment(ctx, c.Store, c.Clock, "东风镇服务站", []string{proxy.URL}, c.Server.CertPin)
	if err != nil {
		t.Fatal(err)
	}
	file, _ := json.Marshal(enrolment)
	west := c.Enrol(t, "西河乡服务站", "")

	sent := &sentIDs{ids: map[uint64]string{}}
	st, err := app.Open(ctx, t.TempDir(), app.Options{Logger: synctest.Quiet, Clock: clock, SyncTuning: func(cfg *agent.Config) {
		// The agent waits in real time, test-sized, while the station's clock stays
		// where the test puts it, so slots are deterministic.
		cfg.Clock = nil
		cfg.Interval, cfg.MinBackoff, cfg.MaxBackoff, cfg.NudgeDelay = 20*time.Millisecond, 5*time.Millisecond, 50*time.Millisecond, time.Millisecond
		cfg.AttemptTimeout, cfg.RetryMax, cfg.RetryWaitMin, cfg.RetryWaitMax = time.Second, 4, 2*time.Millisecond, 20*time.Millisecond
		sent.Store = cfg.Store
		cfg.Store = sent
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	staff, _, err := st.Appointments.Book(ctx, backend.AppointmentRequest{Service: "B", Date: "2026-11-24", Time: "09:00",
		Phone: "13800138000"}, "王芳")
	if err != nil {
		t.Fatal(err)
	}

	const header = "服务站,业务,日期,时间,姓名,身份证号,手机号\n"
	const (
		today    = "东风镇服务站,A,2026-11-23,09:00,张三,11010519491231002X,13812341234\n"
		tomorrow = "东风镇服务站,C,2026-11-24,10:00,李四,440524188001010014,\n"
		past     = "东风镇服务站,B,2026-11-22,10:00,,110105198001010016,\n"
		later    = "东风镇服务站,D,2026-11-25,14:00,,110105197506150028,\n"
	)
	neighbour := west.StationID + ",A,2026-11-23,09:30,王五,440524196003030035,\n"
	imported := func(sheet string) string {
		t.Helper()
		info, err := c.Store.Import(ctx, wire.RefBookings, "预约.csv", []byte(header+sheet), "王科长")
		if err != nil {
			t.Fatal(err)
		}
		return info.Version
	}
	applied := func(version string) {
		t.Helper()
		synctest.WaitFor(t, "the station applies "+version, func() bool {
			v, err := st.Appointments.CountyBookingsVersion(ctx)
			return err == nil && v == version
		})
	}
	list := func(date string) (county, staff []backend.Appointment) {
		t.Helper()
		all, err := st.Appointments.Appointments(ctx, date)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range all {
			if a.Source == backend.SourceCounty {
				county = append(county, a)
			} else {
				staff = append(staff, a)
			}
		}
		return county, staff
	}
	total := func() int {
		n := 0
		for _, d := range []string{"2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"} {
			all, _ := st.Appointments.Appointments(ctx, d)
			n += len(all)
		}
		return n
	}

	v1 := imported(today + neighbour + tomorrow + past + later)
	e, err := st.Enrol(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	applied(v1)
	mine, _ := list("2026-11-23")
	if len(mine) != 1 || mine[0].Time != "09:00" || mine[0].Service != "A" || mine[0].CreatedBy != "" ||
		!mine[0].Masked || mine[0].IDNumber == "11010519491231002X" || mine[0].Status != backend.ApptBooked {
		t.Fatalf("today's county bookings %+v: want 张三's alone (the neighbour's 09:30 is not this station's), masked", mine)
	}
	if got, _ := list("2026-11-22"); len(got) != 0 {
		t.Errorf("yesterday's row was booked: %+v", got)
	}
	if n := total(); n != 4 {
		t.Fatalf("%d bookings on the station, want the staff one and three of the county's", n)
	}

	// 张三 comes in time and checks in with the ID number.
	clock.Advance(50 * time.Minute)
	in, err := st.Appointments.CheckIn(ctx, backend.CheckInRequest{IDNumber: "11010519491231002X"})
	if err != nil || in.Late || in.Issued == nil || in.Appointment.Source != backend.SourceCounty {
		t.Fatalf("check-in %+v %v", in, err)
	}

	// The county withdraws tomorrow's booking (and leaves 张三's, checked in, out too).
	v2 := imported(neighbour + past + later)
	applied(v2)
	withdrawn, kept := list("2026-11-24")
	if len(withdrawn) != 1 || withdrawn[0].Status != backend.ApptCancelled || withdrawn[0].EndedBy != "county" {
		t.Fatalf("tomorrow's county booking after it was withdrawn: %+v", withdrawn)
	}
	if len(kept) != 1 || kept[0].ID != staff.ID || kept[0].Status != backend.ApptBooked {
		t.Fatalf("the staff booking: %+v", kept)
	}
	if mine, _ := list("2026-11-23"); len(mine) != 1 || mine[0].Status != backend.ApptCheckedIn {
		t.Fatalf("张三's booking after the county left it out: %+v", mine)
	}

	// The same rows a third time: a new version, nothing new.
	v3 := imported(neighbour + past + later)
	applied(v3)
	if n := total(); n != 4 {
		t.Fatalf("%d bookings after the same sheet again, want 4", n)
	}

	synctest.WaitDrained(t, st.DB, time.Minute)
	t.Logf("through the proxy: %v", proxy.Counts())
	ids := sent.all()
	checkExactlyOnce(t, c, e.StationID, len(ids), ids)
	for date, want := range map[string]county.DayStats{
		"2026-11-23": {Booked: 1, CheckedIn: 1},
		"2026-11-24": {Booked: 2, Cancelled: 1},
		"2026-11-25": {Booked: 1},
	} {
		day, err := county.Day(ctx, c.Store, date)
		if err != nil {
			t.Fatal(err)
		}
		d := day[e.StationID]
		if d.Booked != want.Booked || d.CheckedIn != want.CheckedIn || d.Cancelled != want.Cancelled {
			t.Errorf("the county's %s: booked %d checked in %d cancelled %d, want %+v", date, d.Booked, d.CheckedIn, d.Cancelled, want)
		}
		if w := day[west.StationID]; w.Booked != 0 {
			t.Errorf("the neighbour, which never synced, has %d booked on %s", w.Booked, date)
		}
	}
}
