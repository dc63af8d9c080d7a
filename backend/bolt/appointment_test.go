package bolt_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
	"bingzhan/backend/keys"

	bbolt "go.etcd.io/bbolt"
)

// bookings is a station with calling and bookings, its clock at 09:00 on Monday
// 2026-11-23.
type bookings struct {
	*station
	appts *bolt.AppointmentService
	keys  *keys.Keys
}

func mustBookings(tb testing.TB) *bookings {
	tb.Helper()
	return mustBookingsAt(tb, tb.TempDir(), MustKeys(tb))
}

// mustBookingsAt opens the station in dir with keys k.
func mustBookingsAt(tb testing.TB, dir string, k *keys.Keys) *bookings {
	tb.Helper()
	db, clock := MustOpenDBAt(tb, dir)
	c, err := k.Cipher()
	if err != nil {
		tb.Fatal(err)
	}
	id := backend.StationID(k.Public())
	st := &station{db: db, clock: clock, events: &eventLog{},
		tickets:  bolt.NewTicketService(db, k.Signing, k.PersonKey),
		calls:    bolt.NewCallService(db, id),
		counters: bolt.NewCounterService(db),
	}
	st.calls.Publish, st.tickets.Publish = st.events.add, st.events.add
	b := &bookings{station: st, keys: k, appts: bolt.NewAppointmentService(db, id, c, st.tickets)}
	b.appts.Publish = st.events.add
	st.calls.AfterRollover = func(ctx context.Context) error { _, err := b.appts.MarkMissed(ctx); return err }
	if err := st.calls.Init(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return b
}

// Three people with valid ID numbers.
const (
	idZhang = "11010519491231002X"
	idLi    = "440524188001010014"
	idWang  = "110105195001010012"
)

func (b *bookings) book(tb testing.TB, service, date, slot, id string) *backend.Appointment {
	tb.Helper()
	a, created, err := b.appts.Book(context.Background(), backend.AppointmentRequest{
		Service: service, Date: date, Time: slot, Name: "张建国", IDNumber: id, Phone: "13800138000"}, "王芳")
	if err != nil || !created {
		tb.Fatalf("book %s %s %s: %v", service, date, slot, err)
	}
	return a
}

func (b *bookings) checkIn(tb testing.TB, req backend.CheckInRequest) *backend.CheckedIn {
	tb.Helper()
	c, err := b.appts.CheckIn(context.Background(), req)
	if err != nil {
		tb.Fatalf("check in %+v: %v", req, err)
	}
	return c
}

func (b *bookings) at(hhmm string) {
	t, _ := time.ParseInLocation("2006-01-02 15:04", "2026-11-23 "+hhmm, shanghai)
	setTime(b.clock, t)
}

func (b *bookings) status(tb testing.TB, date, id string) backend.AppointmentStatus {
	tb.Helper()
	list, err := b.appts.Appointments(context.Background(), date)
	if err != nil {
		tb.Fatal(err)
	}
	for _, a := range list {
		if a.ID == id {
			return a.Status
		}
	}
	tb.Fatalf("booking %s not listed on %s", id, date)
	return ""
}

func TestAppointmentService_Book(t *testing.T) {
	ctx := context.Background()
	b := mustBookings(t)
	a := b.book(t, "B", "2026-11-23", "10:30", idZhang)
	if len(a.Code) != 6 || a.Status != backend.ApptBooked || a.CreatedBy != "王芳" || a.Source != backend.SourceStaff {
		t.Fatalf("booked %+v", a)
	}
	if a.IDNumber != "110105********002X" || a.Phone != "138****8000" || a.Name != "张**" || !a.Masked {
		t.Errorf("answer not masked: %+v", a)
	}
	b.book(t, "A", "2026-11-23", "09:15", idLi)
	b.book(t, "B", "2026-11-24", "09:00", idWang)
	list, err := b.appts.Appointments(ctx, "2026-11-23")
	if err != nil || len(list) != 2 || list[0].Time != "09:15" || list[1].Time != "10:30" || !list[0].Masked {
		t.Fatalf("today's list %+v %v", list, err)
	}
	if n := countKind(t, b.db, backend.KindApptBooked); n != 3 {
		t.Errorf("%d booked facts, want 3", n)
	}

	t.Run("RequestID", func(t *testing.T) {
		req := backend.AppointmentRequest{Service: "C", Date: "2026-11-23", Time: "11:00", Phone: "13900139000", RequestID: "book-0001"}
		first, created, err := b.appts.Book(ctx, req, "王芳")
		if err != nil || !created {
			t.Fatal(err)
		}
		again, created, err := b.appts.Book(ctx, req, "王芳")
		if err != nil || created || again.ID != first.ID || again.Code != first.Code {
			t.Fatalf("a retry booked again: %+v %v", again, err)
		}
		req.Time = "11:30"
		if _, _, err := b.appts.Book(ctx, req, "王芳"); backend.ErrorCode(err) != backend.EINVALID {
			t.Fatalf("the request id of another booking: %v", err)
		}
	})

	t.Run("BadInputChangesNothing", func(t *testing.T) {
		before := len(outboxKinds(t, b.db))
		for _, req := range []backend.AppointmentRequest{
			{Service: "Z", Date: "2026-11-23", Time: "10:00", IDNumber: idZhang},
			{Service: "B", Date: "2026-11-23", Time: "08:00", IDNumber: idZhang}, // past its window
			{Service: "B", Date: "2026-11-23", Time: "10:00"},
		} {
			if _, _, err := b.appts.Book(ctx, req, "王芳"); err == nil {
				t.Errorf("booked %+v", req)
			}
		}
		if after := len(outboxKinds(t, b.db)); after != before {
			t.Errorf("refused bookings wrote %d facts", after-before)
		}
	})
}

// TestAppointmentService_CheckIn: the window's edges as the kiosk meets them, and the
// queue order of what it issues.
func TestAppointmentService_CheckIn(t *testing.T) {
	ctx := context.Background()

	t.Run("Early", func(t *testing.T) {
		b := mustBookings(t)
		a := b.book(t, "B", "2026-11-23", "10:30", idZhang)
		b.at("10:14")
		before := len(outboxKinds(t, b.db))
		_, err := b.appts.CheckIn(ctx, backend.CheckInRequest{IDNumber: idZhang})
		var early *backend.TooEarly
		if !errors.As(err, &early) || backend.ErrorCode(err) != backend.ECONFLICT || early.From != "10:15" || early.Time != "10:30" {
			t.Fatalf("got %v, want too early until 10:15", err)
		}
		if got := early.Err.Message("zh-CN"); got != "您预约的是 10:30，请在 10:15 以后再来签到。" {
			t.Errorf("message %q", got)
		}
		if len(outboxKinds(t, b.db)) != before || b.status(t, "2026-11-23", a.ID) != backend.ApptBooked {
			t.Error("an early check-in changed something")
		}
		if q, _ := b.tickets.Queue(ctx); q["B"] != 0 {
			t.Errorf("an early check-in queued a ticket: %v", q)
		}
		b.at("10:15") // the window opens: on time
		c := b.checkIn(t, backend.CheckInRequest{IDNumber: idZhang})
		if c.Late || c.Issued.Ticket.Slot != "10:30" {
			t.Errorf("at the window's opening: late %v slot %q", c.Late, c.Issued.Ticket.Slot)
		}
	})

	t.Run("LaterDay", func(t *testing.T) {
		b := mustBookings(t)
		b.book(t, "B", "2026-11-25", "09:00", idZhang)
		_, err := b.appts.CheckIn(ctx, backend.CheckInRequest{IDNumber: idZhang})
		var early *backend.TooEarly
		if !errors.As(err, &early) || early.Date != "2026-11-25" || early.From != "" {
			t.Fatalf("got %v, want too early for the 25th", err)
		}
	})

	t.Run("OnTimeBeforeWalkIns", func(t *testing.T) {
		b := mustBookings(t)
		early := b.book(t, "B", "2026-11-23", "09:30", idZhang)
		later := b.book(t, "B", "2026-11-23", "09:45", idLi)
		b.at("09:31")
		walkIn := b.issue(t, "B", false)
		prio := b.issue(t, "A", true)
		// The later slot checks in first, by code; the earlier one after, by ID.
		c2 := b.checkIn(t, backend.CheckInRequest{Code: later.Code})
		c1 := b.checkIn(t, backend.CheckInRequest{IDNumber: idZhang})
		if c1.Late || c1.Issued.Ticket.Slot != "09:30" || c1.Appointment.ID != early.ID || c1.Appointment.IDNumber == idZhang {
			t.Fatalf("check-in %+v", c1.Appointment)
		}
		if c1.Issued.Ahead != 0 || c2.Issued.Ahead != 0 {
			t.Errorf("ahead: 09:30 has %d, 09:45 had %d; want 0 and 0 (nobody booked earlier when each came)", c1.Issued.Ahead, c2.Issued.Ahead)
		}
		if is, _ := b.tickets.Ticket(ctx, c2.Issued.Ticket.ID); is.Ahead != 1 {
			t.Errorf("09:45 now has %d ahead, want 1 (09:30)", is.Ahead)
		}
		// Staff see which waiting tickets are booked, and for when.
		list, err := b.calls.Waiting(ctx)
		if err != nil {
			t.Fatal(err)
		}
		slots := map[string]string{}
		for _, q := range list.Services {
			for _, w := range q.Tickets {
				if w.Booked {
					slots[w.Number] = w.Slot
				}
			}
		}
		if slots[c1.Issued.Ticket.Number] != "09:30" || slots[c2.Issued.Ticket.Number] != "09:45" || len(slots) != 2 {
			t.Errorf("the waiting list's booked tickets: %v", slots)
		}
		var order []string
		for range 4 {
			tk := b.next(t, 1)
			order = append(order, tk.Number)
			b.act(t, tk.ID, backend.Act{Action: backend.ActFinish})
		}
		want := []string{prio.Number, c1.Issued.Ticket.Number, c2.Issued.Ticket.Number, walkIn.Number}
		if fmt.Sprint(order) != fmt.Sprint(want) {
			t.Fatalf("called %v, want priority, 09:30, 09:45, walk-in: %v", order, want)
		}
		for _, a := range []*backend.Appointment{early, later} {
			if s := b.status(t, "2026-11-23", a.ID); s != backend.ApptServed {
				t.Errorf("booking %s is %s after its ticket was finished", a.Time, s)
			}
		}
		_, err = b.appts.CheckIn(ctx, backend.CheckInRequest{IDNumber: idZhang})
		if e, ok := err.(*backend.Error); !ok || e.Code != backend.ECONFLICT || e.Key != "appointment.served_today" {
			t.Errorf("checking in again after being served: %v, want told it was served", err)
		}
		if n := countKind(t, b.db, backend.KindApptServed); n != 2 {
			t.Errorf("%d served facts, want 2", n)
		}
	})

	t.Run("Late", func(t *testing.T) {
		b := mustBookings(t)
		a := b.book(t, "B", "2026-11-23", "09:30", idZhang)
		walkIn := b.issue(t, "B", false)
		b.at("10:00")
		other := b.book(t, "C", "2026-11-23", "10:00", idLi)
		b.at("10:31") // a minute past the window of 10:00
		c := b.checkIn(t, backend.CheckInRequest{Code: other.Code})
		if !c.Late || c.Issued.Ticket.Slot != "" || c.Appointment.Status != backend.ApptCheckedIn || !c.Appointment.Late {
			t.Fatalf("late check-in %+v late %v slot %q", c.Appointment, c.Late, c.Issued.Ticket.Slot)
		}
		// A late ticket queues as a walk-in: behind the one taken before it.
		b.issue(t, "B", false)
		c0 := b.checkIn(t, backend.CheckInRequest{Code: a.Code})
		if !c0.Late {
			t.Fatal("09:30 checked in at 10:31 is not late")
		}
		if got := b.next(t, 1); got.ID != walkIn.ID {
			t.Errorf("called %s first, want the walk-in %s taken before the late arrival", got.Number, walkIn.Number)
		}
	})

	t.Run("Again", func(t *testing.T) {
		b := mustBookings(t)
		a := b.book(t, "B", "2026-11-23", "09:15", idZhang)
		first := b.checkIn(t, backend.CheckInRequest{IDNumber: idZhang})
		facts := len(outboxKinds(t, b.db))
		again := b.checkIn(t, backend.CheckInRequest{Code: a.Code})
		if !again.Again || again.Issued.Ticket.ID != first.Issued.Ticket.ID {
			t.Fatalf("a second check-in issued %s, want %s again", again.Issued.Ticket.Number, first.Issued.Ticket.Number)
		}
		if len(outboxKinds(t, b.db)) != facts {
			t.Error("a second check-in wrote facts")
		}
	})

	t.Run("HeldTicketBecomesBooked", func(t *testing.T) {
		// Took a number first, then remembered the booking: the same ticket, moved
		// into slot order; not a second ticket.
		b := mustBookings(t)
		walkIn := b.issue(t, "B", false)
		is, err := b.tickets.IssueTicket(ctx, backend.IssueRequest{Service: "B", RequestID: "own-ticket-1", IDNumber: idZhang})
		if err != nil {
			t.Fatal(err)
		}
		b.book(t, "B", "2026-11-23", "09:15", idZhang)
		c := b.checkIn(t, backend.CheckInRequest{IDNumber: idZhang})
		if c.Issued.Ticket.ID != is.Ticket.ID || c.Issued.Ticket.Slot != "09:15" {
			t.Fatalf("check-in gave %s slot %q, want the person's own %s in slot order", c.Issued.Ticket.Number, c.Issued.Ticket.Slot, is.Ticket.Number)
		}
		if q, _ := b.tickets.Queue(ctx); q["B"] != 2 {
			t.Errorf("waiting %v, want 2", q)
		}
		if got := b.next(t, 1); got.ID != is.Ticket.ID {
			t.Errorf("called %s, want the booked %s before the walk-in %s", got.Number, is.Ticket.Number, walkIn.Number)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		b := mustBookings(t)
		a := b.book(t, "B", "2026-11-23", "09:15", idZhang)
		for _, req := range []backend.CheckInRequest{{IDNumber: idLi}, {Code: "000000"}} {
			if req.Code == a.Code {
				continue
			}
			if _, err := b.appts.CheckIn(ctx, req); backend.ErrorCode(err) != backend.ENOTFOUND {
				t.Errorf("%+v: %v, want ENOTFOUND", req, err)
			}
		}
		if _, err := b.appts.Cancel(ctx, a.ID, "王芳"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.appts.CheckIn(ctx, backend.CheckInRequest{Code: a.Code}); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("a cancelled booking checked in: %v", err)
		}
		_, err := b.appts.CheckIn(ctx, backend.CheckInRequest{IDNumber: idZhang})
		if e, ok := err.(*backend.Error); !ok || e.Code != backend.ECONFLICT || e.Key != "appointment.cancelled_today" {
			t.Errorf("a cancelled booking by ID number: %v, want it told it was cancelled", err)
		}
		if _, err := b.appts.Cancel(ctx, a.ID, "王芳"); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Errorf("cancelled twice: %v", err)
		}
	})
}

// TestAppointmentService_MarkMissed: at the station's midnight the bookings nobody
// checked in become no-shows, once; checked-in ones keep their state; codes are freed.
func TestAppointmentService_MarkMissed(t *testing.T) {
	ctx := context.Background()
	b := mustBookings(t)
	missed := b.book(t, "B", "2026-11-23", "11:00", idZhang)
	came := b.book(t, "B", "2026-11-23", "09:15", idLi)
	tomorrow := b.book(t, "B", "2026-11-24", "09:00", idWang)
	b.checkIn(t, backend.CheckInRequest{IDNumber: idLi})
	stop := runLoop(t, b.calls.RunRollover)
	waitTimers(t, b.clock, 1)
	setTime(b.clock, time.Date(2026, 11, 23, 23, 59, 0, 0, shanghai))
	waitTimers(t, b.clock, 1)
	if s := b.status(t, "2026-11-23", missed.ID); s != backend.ApptBooked {
		t.Fatalf("missed before midnight: %s", s)
	}
	setTime(b.clock, time.Date(2026, 11, 24, 0, 1, 0, 0, shanghai))
	waitTimers(t, b.clock, 1)
	stop()
	if s := b.status(t, "2026-11-23", missed.ID); s != backend.ApptMissed {
		t.Errorf("not missed after midnight: %s", s)
	}
	if s := b.status(t, "2026-11-23", came.ID); s != backend.ApptCheckedIn {
		t.Errorf("a checked-in booking became %s", s)
	}
	if s := b.status(t, "2026-11-24", tomorrow.ID); s != backend.ApptBooked {
		t.Errorf("tomorrow's booking became %s", s)
	}
	if n, err := b.appts.MarkMissed(ctx); err != nil || n != 0 {
		t.Errorf("marked again: %d %v", n, err)
	}
	if n := countKind(t, b.db, backend.KindApptMissed); n != 1 {
		t.Errorf("%d missed facts, want 1", n)
	}
	// The missed booking's code no longer checks anybody in.
	if _, err := b.appts.CheckIn(ctx, backend.CheckInRequest{Code: missed.Code}); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("a missed booking's code: %v", err)
	}
}

// TestAppointmentService_NoPlaintext books and checks people in, then reads the raw
// file: no ID number, phone or name in it, nor in the outbox's facts.
func TestAppointmentService_NoPlaintext(t *testing.T) {
	ctx := context.Background()
	b := mustBookings(t)
	secrets := []string{idZhang, idLi, "13800138000", "13900139000", "张建国", "欧阳修远"}
	b.book(t, "B", "2026-11-23", "09:15", idZhang)
	if _, _, err := b.appts.Book(ctx, backend.AppointmentRequest{Service: "A", Date: "2026-11-23", Time: "09:30",
		Name: "欧阳修远", IDNumber: idLi, Phone: "13900139000"}, "王芳"); err != nil {
		t.Fatal(err)
	}
	b.checkIn(t, backend.CheckInRequest{IDNumber: idZhang})
	entries, err := b.db.OutboxEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	b.db.Close()
	raw, err := os.ReadFile(b.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the database file holds %q", s)
		}
		for _, e := range entries {
			if bytes.Contains(e.Data, []byte(s)) {
				t.Errorf("the %s fact holds %q", e.Kind, s)
			}
		}
	}
}

// TestAppointmentService_Reseal: a key rotation re-seals every booking, after which
// they open under the new key alone.
func TestAppointmentService_Reseal(t *testing.T) {
	ctx := context.Background()
	kdir := t.TempDir()
	k, err := keys.LoadOrCreate(kdir)
	if err != nil {
		t.Fatal(err)
	}
	b := mustBookingsAt(t, t.TempDir(), k)
	b.book(t, "B", "2026-11-23", "10:00", idZhang)
	b.book(t, "B", "2026-11-23", "10:15", idLi)
	rotated, err := keys.BeginRotation(kdir)
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := rotated.Cipher()
	s := bolt.NewAppointmentService(b.db, "x", rc, nil)
	if n, err := s.Stale(ctx); n != 2 || err != nil {
		t.Fatalf("stale %d %v, want 2", n, err)
	}
	if n, err := s.Reseal(ctx, nil); n != 2 || err != nil {
		t.Fatalf("re-sealed %d %v, want 2", n, err)
	}
	if err := keys.FinishRotation(kdir); err != nil {
		t.Fatal(err)
	}
	after, err := keys.LoadOrCreate(kdir)
	if err != nil {
		t.Fatal(err)
	}
	nc, _ := after.Cipher()
	list, err := bolt.NewAppointmentService(b.db, "x", nc, nil).Appointments(ctx, "2026-11-23")
	if err != nil || len(list) != 2 || list[0].IDNumber != "110105********002X" {
		t.Fatalf("under the new key alone: %+v %v", list, err)
	}
}

// TestMigrateWaitingRanks: a schema-1 file's waiting walk-ins (rank 1) are called
// after a booked ticket once the file is opened by this code.
func TestMigrateWaitingRanks(t *testing.T) {
	dir, k := t.TempDir(), MustKeys(t)
	b := mustBookingsAt(t, dir, k)
	walkIn := b.issue(t, "B", false)
	b.db.Close()
	// Make the file what schema 1 wrote: walk-ins at rank 1, schema 1.
	raw, err := bbolt.Open(b.db.Path(), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bbolt.Tx) error {
		w := tx.Bucket([]byte("waiting"))
		var keys [][2][]byte
		w.ForEach(func(k, v []byte) error { keys = append(keys, [2][]byte{bytes.Clone(k), bytes.Clone(v)}); return nil })
		for _, kv := range keys {
			if kv[0][11] != 2 {
				return fmt.Errorf("walk-in at rank %d", kv[0][11])
			}
			w.Delete(kv[0])
			kv[0][11] = 1
			w.Put(kv[0], kv[1])
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte{0, 0, 0, 0, 0, 0, 0, 1})
	})
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	b = mustBookingsAt(t, dir, k)
	b.book(t, "B", "2026-11-23", "09:15", idZhang)
	booked := b.checkIn(t, backend.CheckInRequest{IDNumber: idZhang})
	if got := b.next(t, 1); got.ID != booked.Issued.Ticket.ID {
		t.Fatalf("called %s, want the booked %s before the migrated walk-in %s", got.Number, booked.Issued.Ticket.Number, walkIn.Number)
	}
	if got := b.next(t, 2); got.ID != walkIn.ID {
		t.Fatalf("the migrated walk-in is not in its queue: called %s", got.Number)
	}
}
