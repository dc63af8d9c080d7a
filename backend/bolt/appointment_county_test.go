package bolt_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"bingzhan/backend"
)

// countyRows yields bookings as the county's data set does.
func countyRows(bs ...backend.CountyBooking) func(yield func(*backend.CountyBooking, error) bool) {
	return func(yield func(*backend.CountyBooking, error) bool) {
		for i := range bs {
			b := bs[i]
			if !yield(&b, nil) {
				return
			}
		}
	}
}

func countyRow(n int, service, date, slot, id string) backend.CountyBooking {
	return backend.CountyBooking{ID: fmt.Sprintf("c%024x", n), Station: "st-0001-3fa2", Service: service,
		Date: date, Time: slot, Name: "张建国", IDNumber: id, Phone: "13800138000"}
}

func (b *bookings) apply(tb testing.TB, version string, rows ...backend.CountyBooking) backend.CountyBookingsApplied {
	tb.Helper()
	res, err := b.appts.ApplyCountyBookings(context.Background(), version, countyRows(rows...))
	if err != nil {
		tb.Fatalf("apply %s: %v", version, err)
	}
	if v, err := b.appts.CountyBookingsVersion(context.Background()); err != nil || v != version {
		tb.Fatalf("version after applying %s: %q %v", version, v, err)
	}
	return res
}

// county returns the county bookings of date by slot.
func (b *bookings) county(tb testing.TB, date string) []backend.Appointment {
	tb.Helper()
	list, err := b.appts.Appointments(context.Background(), date)
	if err != nil {
		tb.Fatal(err)
	}
	return slices.DeleteFunc(list, func(a backend.Appointment) bool { return a.Source != backend.SourceCounty })
}

func TestAppointmentService_ApplyCountyBookings(t *testing.T) {
	ctx := context.Background()
	b := mustBookings(t) // 09:00 on 2026-11-23
	staff := b.book(t, "B", "2026-11-24", "09:00", idWang)
	early := countyRow(1, "A", "2026-11-23", "07:00", idZhang) // today, its window gone
	later := countyRow(2, "C", "2026-11-23", "10:00", idLi)
	tomorrow := countyRow(3, "A", "2026-11-24", "10:00", idWang)
	past := countyRow(4, "A", "2026-11-22", "10:00", idLi)
	facts := countKind(t, b.db, backend.KindApptBooked)

	if v, err := b.appts.CountyBookingsVersion(ctx); err != nil || v != "" {
		t.Fatalf("before any: %q %v", v, err)
	}
	if res := b.apply(t, "county-20261123-1-aaaaaa", early, later, tomorrow, past); res != (backend.CountyBookingsApplied{Created: 3, Past: 1}) {
		t.Fatalf("first version: %+v", res)
	}
	today := b.county(t, "2026-11-23")
	if len(today) != 2 || today[0].Time != "07:00" || today[1].Time != "10:00" {
		t.Fatalf("today's county bookings %+v", today)
	}
	for _, a := range today {
		if a.Status != backend.ApptBooked || a.CreatedBy != "" || !a.Masked || a.IDNumber == idZhang || len(a.Code) != 6 {
			t.Errorf("county booking %+v", a)
		}
	}
	if got := b.county(t, "2026-11-22"); len(got) != 0 {
		t.Errorf("a row of yesterday was booked: %+v", got)
	}
	if n := countKind(t, b.db, backend.KindApptBooked); n != facts+3 {
		t.Errorf("%d booked facts, want %d", n, facts+3)
	}
	if res := b.apply(t, "county-20261123-1-aaaaaa", early); res != (backend.CountyBookingsApplied{}) {
		t.Errorf("the same version again: %+v", res)
	}

	// The person of the row whose window passed checks in with the ID number: a late,
	// normal ticket.
	c := b.checkIn(t, backend.CheckInRequest{IDNumber: idZhang})
	if !c.Late || c.Appointment.Source != backend.SourceCounty || c.Issued.Ticket == nil {
		t.Fatalf("check-in %+v", c)
	}

	// The county withdraws tomorrow's row and the checked-in one: tomorrow's is
	// cancelled, the checked-in one left alone, the staff booking untouched.
	if res := b.apply(t, "county-20261123-2-bbbbbb", later, past); res != (backend.CountyBookingsApplied{Cancelled: 1, Past: 1}) {
		t.Fatalf("second version: %+v", res)
	}
	if got := b.county(t, "2026-11-24"); len(got) != 1 || got[0].Status != backend.ApptCancelled || got[0].EndedBy != "county" {
		t.Fatalf("tomorrow's %+v", got)
	}
	if s := b.status(t, "2026-11-23", c.Appointment.ID); s != backend.ApptCheckedIn {
		t.Errorf("the checked-in booking is %s", s)
	}
	if s := b.status(t, "2026-11-24", staff.ID); s != backend.ApptBooked {
		t.Errorf("the staff booking is %s", s)
	}
	if n := countKind(t, b.db, backend.KindApptCancelled); n != 1 {
		t.Errorf("%d cancelled facts, want 1", n)
	}

	// The same rows in a new version make nothing new; the checked-in row sent again
	// books nothing either (its day is today and its booking was checked in).
	if res := b.apply(t, "county-20261123-3-cccccc", later, past, early); res != (backend.CountyBookingsApplied{Past: 1}) {
		t.Errorf("third version: %+v", res)
	}
	// The withdrawn row sent again is booked again.
	if res := b.apply(t, "county-20261123-4-dddddd", later, tomorrow); res != (backend.CountyBookingsApplied{Created: 1}) {
		t.Errorf("fourth version: %+v", res)
	}
	if got := b.county(t, "2026-11-24"); len(got) != 2 || got[0].Status == got[1].Status {
		t.Errorf("tomorrow's after the row came back: %+v", got)
	}

	t.Run("BadInputChangesNothing", func(t *testing.T) {
		before := len(outboxKinds(t, b.db))
		bad := countyRow(9, "A", "2026-11-25", "10:00", "110105194912310021")
		other := countyRow(10, "A", "2026-11-25", "10:00", idLi)
		other.ID = "not-an-id"
		for _, rows := range [][]backend.CountyBooking{{later, bad}, {other}, {later, later}} {
			_, err := b.appts.ApplyCountyBookings(ctx, "county-20261123-5-eeeeee", countyRows(rows...))
			if backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("%+v: %v", rows, err)
			}
		}
		if _, err := b.appts.ApplyCountyBookings(ctx, "bad version!", countyRows(later)); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("a malformed version: %v", err)
		}
		if v, _ := b.appts.CountyBookingsVersion(ctx); v != "county-20261123-4-dddddd" || len(outboxKinds(t, b.db)) != before {
			t.Errorf("a refused version changed something: version %s", v)
		}
	})

	t.Run("ErrOtherStation", func(t *testing.T) {
		if err := b.db.Enrol(ctx, backend.Enrolment{CountyURL: "https://county.example:8443", StationID: "st-0002-77c1", Secret: "s"}); err != nil {
			t.Fatal(err)
		}
		_, err := b.appts.ApplyCountyBookings(ctx, "county-20261123-6-ffffff", countyRows(later))
		if backend.ErrorCode(err) != backend.EINVALID {
			t.Fatalf("another station's row: %v", err)
		}
	})
}
