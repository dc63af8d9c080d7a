package http_test

import (
	"testing"
	"time"

	"bingzhan/backend/app/apptest"
)

type bookingJSON struct {
	ID, Code, Service, Date, Time, Status string
	Name, Phone                           string
	IDNumber                              string `json:"id_number"`
	TicketNumber                          string `json:"ticket_number"`
	Late                                  bool
}

// TestAppointment_Contract: the names other tools rely on — staff book with 201 and a
// code, the kiosk checks in with 200 and the ticket, or 409 with when to come back.
func TestAppointment_Contract(t *testing.T) {
	st := mustStation(t) // 09:00 on 2026-11-23
	staff := st.login(t, apptest.StaffName, apptest.StaffPIN)
	url := st.URL + "/api/v1/appointments"

	var a bookingJSON
	body := map[string]any{"service": "B", "date": "2026-11-23", "time": "10:00", "id_number": "11010519491231002X"}
	if resp := do(t, nil, "POST", url, staff, body, &a); resp.StatusCode != 201 || a.ID == "" || len(a.Code) != 6 || a.Status != "booked" {
		t.Fatalf("book: %d %+v", resp.StatusCode, a)
	}
	if a.IDNumber != "110105********002X" {
		t.Errorf("the answer shows the ID number as %q", a.IDNumber)
	}
	if resp := do(t, nil, "POST", url, "", body, nil); resp.StatusCode != 401 {
		t.Errorf("booked without a session: %d", resp.StatusCode)
	}
	var bad errorJSON
	if resp := do(t, nil, "POST", url, staff, map[string]any{"service": "B", "date": "2026-11-23", "time": "25:00", "phone": "13800138000"}, &bad); resp.StatusCode != 400 || bad.Message == "" {
		t.Errorf("a bad time: %d %+v", resp.StatusCode, bad)
	}

	var early struct {
		Code, Message string
		Early         struct{ Date, Time, From string }
	}
	checkIn := url + "/check-in"
	if resp := do(t, nil, "POST", checkIn, "", map[string]any{"id_number": "11010519491231002X"}, &early); resp.StatusCode != 409 || early.Early.From != "09:45" || early.Message == "" {
		t.Fatalf("early: %d %+v", resp.StatusCode, early)
	}

	st.Clock.Add(50 * time.Minute) // 09:50
	var in struct {
		Ticket struct {
			ID, Number, Slot string
			Print            *struct{ Status string }
		}
		Time  string
		Late  bool
		Again bool
	}
	if resp := do(t, nil, "POST", checkIn, "", map[string]any{"code": a.Code}, &in); resp.StatusCode != 200 || in.Ticket.Number == "" || in.Ticket.Slot != "10:00" || in.Late || in.Again {
		t.Fatalf("check in: %d %+v", resp.StatusCode, in)
	}
	if in.Ticket.Print == nil {
		t.Error("the check-in's ticket was not offered to the printer")
	}
	first := in.Ticket.ID
	in.Ticket.Print = nil
	if resp := do(t, nil, "POST", checkIn, "", map[string]any{"id_number": "11010519491231002X"}, &in); resp.StatusCode != 200 || !in.Again || in.Ticket.ID != first || in.Ticket.Print != nil {
		t.Fatalf("again: %d %+v", resp.StatusCode, in)
	}
	var none errorJSON
	if resp := do(t, nil, "POST", checkIn, "", map[string]any{"code": "000001"}, &none); resp.StatusCode != 404 || none.Message == "" {
		t.Errorf("an unknown code: %d %+v", resp.StatusCode, none)
	}
	if resp := do(t, nil, "POST", checkIn, "", map[string]any{"code": "12"}, &none); resp.StatusCode != 422 {
		t.Errorf("a malformed code: %d %+v", resp.StatusCode, none)
	}

	var day struct {
		Date         string
		BeforeMin    int `json:"window_before_min"`
		AfterMin     int `json:"window_after_min"`
		Appointments []bookingJSON
	}
	if resp := do(t, nil, "GET", url+"?date=2026-11-23", staff, nil, &day); resp.StatusCode != 200 || len(day.Appointments) != 1 ||
		day.Appointments[0].Status != "checked_in" || day.Appointments[0].TicketNumber != in.Ticket.Number || day.BeforeMin != 15 || day.AfterMin != 30 {
		t.Fatalf("the day: %d %+v", resp.StatusCode, day)
	}
	if resp := do(t, nil, "POST", url+"/"+a.ID+"/cancel", staff, nil, &none); resp.StatusCode != 409 {
		t.Errorf("cancelled a checked-in booking: %d", resp.StatusCode)
	}
	if resp := do(t, nil, "GET", url+"?date=23-11-2026", staff, nil, &none); resp.StatusCode != 400 {
		t.Errorf("a bad date: %d", resp.StatusCode)
	}
}
