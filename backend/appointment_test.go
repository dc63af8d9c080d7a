package backend_test

import (
	"testing"
	"time"

	"bingzhan/backend"
)

var cst = time.FixedZone("CST", 8*3600)

func TestCheckInWindow_Classify(t *testing.T) {
	slot := time.Date(2026, 12, 3, 10, 0, 0, 0, cst)
	w := backend.DefaultCheckInWindow
	for _, tc := range []struct {
		name string
		now  time.Time
		want backend.Timing
	}{
		{"an hour early", slot.Add(-time.Hour), backend.TimingEarly},
		{"a second before the window", slot.Add(-15*time.Minute - time.Second), backend.TimingEarly},
		{"the window opens", slot.Add(-15 * time.Minute), backend.TimingOnTime},
		{"at the slot", slot, backend.TimingOnTime},
		{"the window's last second", slot.Add(30 * time.Minute), backend.TimingOnTime},
		{"a second after", slot.Add(30*time.Minute + time.Second), backend.TimingLate},
		{"in the afternoon", slot.Add(5 * time.Hour), backend.TimingLate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := w.Classify(slot, tc.now); got != tc.want {
				t.Fatalf("Classify at %s = %s, want %s", tc.now.Format("15:04:05"), got, tc.want)
			}
		})
	}
	if got := w.Opens(slot).Format("15:04"); got != "09:45" {
		t.Errorf("Opens = %s, want 09:45", got)
	}
	// A window of nothing: only the slot's own instant is on time.
	zero := backend.CheckInWindow{}
	if zero.Classify(slot, slot) != backend.TimingOnTime || zero.Classify(slot, slot.Add(time.Second)) != backend.TimingLate {
		t.Error("a zero window is not the slot alone")
	}
}

const validID = "11010519491231002X"

func TestAppointmentRequest_Validate(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, cst)
	ok := func() backend.AppointmentRequest {
		return backend.AppointmentRequest{Service: "B", Date: "2026-12-03", Time: "10:30", IDNumber: validID}
	}
	for _, tc := range []struct {
		name string
		edit func(r *backend.AppointmentRequest)
		key  string // "" for valid
	}{
		{"by ID number", func(r *backend.AppointmentRequest) {}, ""},
		{"by phone alone", func(r *backend.AppointmentRequest) { r.IDNumber, r.Phone = "", "138 0013 8000" }, ""},
		{"with a name", func(r *backend.AppointmentRequest) { r.Name = "  张  建国 " }, ""},
		{"the last day ahead", func(r *backend.AppointmentRequest) { r.Date = "2027-03-03" }, ""},
		{"still inside today's window", func(r *backend.AppointmentRequest) { r.Time = "08:30" }, ""},
		{"nobody named", func(r *backend.AppointmentRequest) { r.IDNumber = "" }, "appointment.who"},
		{"a bad ID number", func(r *backend.AppointmentRequest) { r.IDNumber = "110105194912310021" }, "id.checksum"},
		{"a bad phone", func(r *backend.AppointmentRequest) { r.Phone = "12345" }, "phone.invalid"},
		{"an unknown service", func(r *backend.AppointmentRequest) { r.Service = "b" }, "service.unknown"},
		{"no date", func(r *backend.AppointmentRequest) { r.Date = "" }, "appointment.date"},
		{"a date that is not one", func(r *backend.AppointmentRequest) { r.Date = "2026-02-30" }, "appointment.date"},
		{"a time that is not one", func(r *backend.AppointmentRequest) { r.Time = "24:00" }, "appointment.time"},
		{"a time without minutes", func(r *backend.AppointmentRequest) { r.Time = "10" }, "appointment.time"},
		{"too far ahead", func(r *backend.AppointmentRequest) { r.Date = "2027-03-04" }, "appointment.too_far"},
		{"yesterday", func(r *backend.AppointmentRequest) { r.Date = "2026-12-02" }, "appointment.past"},
		{"past today's window", func(r *backend.AppointmentRequest) { r.Time = "08:29" }, "appointment.past"},
		{"a name with a control character", func(r *backend.AppointmentRequest) { r.Name = "张\u0000三" }, "ledger.name"},
		{"a malformed request id", func(r *backend.AppointmentRequest) { r.RequestID = "x" }, "request_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ok()
			tc.edit(&r)
			err := r.Validate(now, backend.DefaultCheckInWindow)
			if tc.key == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, isErr := err.(*backend.Error)
			if !isErr || e.Code != backend.EINVALID || e.Key != tc.key {
				t.Fatalf("got %v, want EINVALID %s", err, tc.key)
			}
		})
	}
	r := backend.AppointmentRequest{Service: "B", Date: "2026-12-03", Time: "10:30", Name: "  张  建国 ", Phone: "138 0013 8000"}
	if err := r.Validate(now, backend.DefaultCheckInWindow); err != nil || r.Name != "张 建国" || r.Phone != "13800138000" {
		t.Errorf("not normalised: %+v %v", r, err)
	}
}

func TestCheckInRequest_Validate(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, cst)
	for _, tc := range []struct {
		name string
		req  backend.CheckInRequest
		key  string
	}{
		{"ID number", backend.CheckInRequest{IDNumber: "11010519491231002x"}, ""},
		{"code", backend.CheckInRequest{Code: " 042917 "}, ""},
		{"neither", backend.CheckInRequest{}, "appointment.check_in_by"},
		{"both", backend.CheckInRequest{IDNumber: validID, Code: "042917"}, "appointment.check_in_by"},
		{"a short code", backend.CheckInRequest{Code: "04291"}, "appointment.code"},
		{"a code with letters", backend.CheckInRequest{Code: "04291a"}, "appointment.code"},
		{"a bad ID number", backend.CheckInRequest{IDNumber: "123"}, "id.length"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.req
			err := r.Validate(now)
			if tc.key == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, isErr := err.(*backend.Error)
			if !isErr || e.Code != backend.EINVALID || e.Key != tc.key {
				t.Fatalf("got %v, want EINVALID %s", err, tc.key)
			}
		})
	}
}

// TestAppointment_States: each step from each state, by the rules: a booking is
// checked in or cancelled or missed only while booked, served only once checked in.
func TestAppointment_States(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, cst)
	ticket := &backend.Ticket{ID: "t1", Number: "B003"}
	steps := map[string]func(a *backend.Appointment) error{
		"check_in": func(a *backend.Appointment) error { return a.CheckIn(ticket, false, now) },
		"cancel":   func(a *backend.Appointment) error { return a.Cancel("王芳", now) },
		"miss":     func(a *backend.Appointment) error { return a.Miss(now) },
		"serve":    func(a *backend.Appointment) error { return a.Serve("王芳", now) },
	}
	want := map[backend.AppointmentStatus]map[string]backend.AppointmentStatus{
		backend.ApptBooked:    {"check_in": backend.ApptCheckedIn, "cancel": backend.ApptCancelled, "miss": backend.ApptMissed},
		backend.ApptCheckedIn: {"serve": backend.ApptServed},
		backend.ApptServed:    {},
		backend.ApptMissed:    {},
		backend.ApptCancelled: {},
	}
	for from, allowed := range want {
		for name, step := range steps {
			t.Run(string(from)+"/"+name, func(t *testing.T) {
				a := &backend.Appointment{ID: "a1", Time: "10:00", Status: from, Version: 1}
				err := step(a)
				to, ok := allowed[name]
				if !ok {
					if backend.ErrorCode(err) != backend.ECONFLICT || a.Status != from || a.Version != 1 {
						t.Fatalf("allowed from %s: %v, now %s v%d", from, err, a.Status, a.Version)
					}
					return
				}
				if err != nil || a.Status != to || a.Version != 2 || !a.UpdatedAt.Equal(now) {
					t.Fatalf("%v: now %s v%d", err, a.Status, a.Version)
				}
			})
		}
	}
	a := &backend.Appointment{Status: backend.ApptBooked}
	if err := a.CheckIn(ticket, true, now); err != nil || a.TicketNumber != "B003" || !a.Late || !a.CheckedInAt.Equal(now) {
		t.Errorf("check-in did not record the ticket: %+v %v", a, err)
	}
}

func TestAppointment_MaskAndFact(t *testing.T) {
	a := &backend.Appointment{ID: "a1", Code: "042917", Service: "B", Date: "2026-12-03", Time: "10:00",
		Status: backend.ApptBooked, Name: "张建国", IDNumber: validID, Phone: "13800138000", Version: 1}
	f := a.Fact()
	if f.ID != "a1" || f.Time != "10:00" || f.Status != backend.ApptBooked {
		t.Errorf("fact %+v", f)
	}
	a.Mask()
	if a.Name != "张**" || a.IDNumber != "110105********002X" || a.Phone != "138****8000" || !a.Masked {
		t.Errorf("masked %+v", a)
	}
	a.Mask() // twice changes nothing
	if a.Name != "张**" {
		t.Errorf("masked twice: %q", a.Name)
	}
}
