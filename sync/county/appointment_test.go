package county_test

import (
	"encoding/json"
	"testing"
	"time"

	"bingzhan/sync/county"
	"bingzhan/sync/wire"
)

// TestAppointmentFigures: a day of bookings as the county counts them from the
// station's facts, on the slot's day whenever the fact was made, and kept through the
// stores' encoding; figures kept in format 2, before bookings, still read.
func TestAppointmentFigures(t *testing.T) {
	booked := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC) // three days before the slots
	var d county.DayStats
	for _, e := range []struct{ kind, data string }{
		{"appointment.booked", `{"id":"a1","date":"2026-11-23","time":"09:30","status":"booked"}`},
		{"appointment.booked", `{"id":"a2","date":"2026-11-23","time":"10:00","status":"booked"}`},
		{"appointment.booked", `{"id":"a3","date":"2026-11-23","time":"10:30","status":"booked"}`},
		{"appointment.booked", `{"id":"a4","date":"2026-11-23","time":"11:00","status":"booked"}`},
		{"appointment.checked_in", `{"id":"a1","date":"2026-11-23","status":"checked_in"}`},
		{"appointment.checked_in", `{"id":"a2","date":"2026-11-23","status":"checked_in","late":true}`},
		{"appointment.served", `{"id":"a1","date":"2026-11-23","status":"served"}`},
		{"appointment.cancelled", `{"id":"a3","date":"2026-11-23","status":"cancelled"}`},
		{"appointment.missed", `{"id":"a4","date":"2026-11-23","status":"missed"}`},
	} {
		f, ok := county.FactOf(&wire.Entry{Kind: e.kind, At: booked, Data: json.RawMessage(e.data)}, shanghai)
		if !ok || f.Date != "2026-11-23" {
			t.Fatalf("%s %s: counted %v on %q", e.kind, e.data, ok, f.Date)
		}
		d.Count(f)
	}
	want := county.DayStats{Booked: 4, CheckedIn: 2, LateArrivals: 1, BookedServed: 1, Cancelled: 1, Missed: 1}
	if d.Booked != want.Booked || d.CheckedIn != want.CheckedIn || d.LateArrivals != want.LateArrivals ||
		d.BookedServed != want.BookedServed || d.Cancelled != want.Cancelled || d.Missed != want.Missed {
		t.Fatalf("figures %+v, want %+v", d, want)
	}
	if _, ok := county.FactOf(&wire.Entry{Kind: "appointment.booked", At: booked, Data: json.RawMessage(`{"date":"2026-11-23"}`)}, shanghai); ok {
		t.Error("a booking without its id counted")
	}

	var back county.DayStats
	if err := county.DecodeDay(county.EncodeDay(&d), &back, nil); err != nil || back.Booked != 4 || back.LateArrivals != 1 || back.Missed != 1 || back.Cancelled != 1 {
		t.Errorf("round trip %+v %v", back, err)
	}
	// Format 2: the same layout as 4 without the six booking and eight outreach figures.
	v2 := county.EncodeDay(&county.DayStats{Tickets: 5, Rated: 2, CasesClosed: 1})
	v2 = v2[:len(v2)-14]
	v2[0] = 2
	if err := county.DecodeDay(v2, &back, nil); err != nil || back.Tickets != 5 || back.Rated != 2 || back.CasesClosed != 1 || back.Booked != 0 {
		t.Errorf("format 2 day: %+v %v", back, err)
	}
	var sum county.DayStats
	sum.Add(d)
	sum.Then(d)
	if sum.Booked != 8 || sum.Missed != 2 {
		t.Errorf("sum %+v", sum)
	}
}
