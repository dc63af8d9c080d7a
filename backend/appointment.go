package backend

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"
)

// 预约: staff (or the county) book a person for a service at a time slot; at the kiosk
// the person checks in with their ID number or the booking's code. Inside the check-in
// window they get a ticket called before walk-ins, in slot order (after 军人依法优先);
// too early they are told when to come back; late they get a normal ticket. Bookings
// nobody checked in become no-shows at the station's midnight.

// AppointmentStatus is where a booking is in its life.
type AppointmentStatus string

// Appointment states: booked → checked_in → served; booked → missed (midnight) or
// cancelled (staff).
const (
	ApptBooked    AppointmentStatus = "booked"
	ApptCheckedIn AppointmentStatus = "checked_in"
	ApptServed    AppointmentStatus = "served"
	ApptMissed    AppointmentStatus = "missed"
	ApptCancelled AppointmentStatus = "cancelled"
)

// Appointment is one booking. Name, IDNumber and Phone are personal: stores keep them
// sealed, services return them masked (Masked says so), and the county's copy and the
// logs never carry them.
type Appointment struct {
	ID      string            `json:"id"`
	Code    string            `json:"code"` // six digits, what the person is told on the phone
	Service string            `json:"service"`
	Date    string            `json:"date"` // YYYY-MM-DD, station-local
	Time    string            `json:"time"` // HH:MM, the slot
	Status  AppointmentStatus `json:"status"`

	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`

	Source    string    `json:"source"`               // staff | county
	CreatedBy string    `json:"created_by,omitempty"` // staff member; "" from the county
	CreatedAt time.Time `json:"created_at"`

	CheckedInAt  time.Time `json:"checked_in_at,omitzero"`
	Late         bool      `json:"late,omitempty"` // checked in after the window: a normal ticket
	TicketID     string    `json:"ticket_id,omitempty"`
	TicketNumber string    `json:"ticket_number,omitempty"`
	EndedAt      time.Time `json:"ended_at,omitzero"` // served, missed or cancelled
	EndedBy      string    `json:"ended_by,omitempty"`

	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
	Masked    bool      `json:"masked"`
}

// SourceCounty marks a booking the county sent down with the reference data.
const SourceCounty = "county"

// Mask hides the identifying fields as the console shows them.
func (a *Appointment) Mask() {
	if a.Masked {
		return
	}
	a.IDNumber, a.Phone, a.Name = MaskIDNumber(a.IDNumber), MaskPhone(a.Phone), MaskName(a.Name)
	a.Masked = true
}

// Slot returns the booking's slot as a time in loc; ok is false for a malformed one.
func (a *Appointment) Slot(loc *time.Location) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02 15:04", a.Date+" "+a.Time, loc)
	return t, err == nil
}

// CheckInWindow is when, around its slot, a booking may be checked in for a ticket
// called in slot order.
type CheckInWindow struct {
	Before time.Duration
	After  time.Duration
}

// DefaultCheckInWindow is 15 minutes before to 30 minutes after the slot.
var DefaultCheckInWindow = CheckInWindow{Before: 15 * time.Minute, After: 30 * time.Minute}

// Timing is how a check-in stands to its window.
type Timing string

// Timings of a check-in. Both edges of the window are on time.
const (
	TimingEarly  Timing = "early"
	TimingOnTime Timing = "on_time"
	TimingLate   Timing = "late"
)

// Classify says whether now is early, on time or late for slot.
func (w CheckInWindow) Classify(slot, now time.Time) Timing {
	switch {
	case now.Before(slot.Add(-w.Before)):
		return TimingEarly
	case now.After(slot.Add(w.After)):
		return TimingLate
	}
	return TimingOnTime
}

// Opens returns the earliest time slot may be checked in.
func (w CheckInWindow) Opens(slot time.Time) time.Time { return slot.Add(-w.Before) }

// MaxBookingDays is how far ahead a booking may be made.
const MaxBookingDays = 90

var (
	slotPattern     = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	apptCodePattern = regexp.MustCompile(`^[0-9]{6}$`)
)

// AppointmentRequest books a person. The ID number or the phone is required (the
// kiosk checks in by ID number or the code); the name is optional. RequestID, when
// given, makes booking idempotent as for tickets.
type AppointmentRequest struct {
	Service   string `json:"service"`
	Date      string `json:"date"`
	Time      string `json:"time"`
	Name      string `json:"name"`
	IDNumber  string `json:"id_number"`
	Phone     string `json:"phone"`
	RequestID string `json:"request_id,omitempty"`
}

// Validate normalises and checks the request against now (station-local) and the
// check-in window: the slot must still be open for check-in. EINVALID with a message
// for the first problem found.
func (r *AppointmentRequest) Validate(now time.Time, w CheckInWindow) error {
	if r.RequestID != "" && !requestIDPattern.MatchString(r.RequestID) {
		return Errorf(EINVALID, "request_id")
	}
	if !ValidServiceLetter(r.Service) {
		return Errorf(EINVALID, "service.unknown", r.Service)
	}
	day, err := time.ParseInLocation(time.DateOnly, r.Date, now.Location())
	if err != nil {
		return Errorf(EINVALID, "appointment.date")
	}
	if !slotPattern.MatchString(r.Time) {
		return Errorf(EINVALID, "appointment.time")
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	if day.After(today.AddDate(0, 0, MaxBookingDays)) {
		return Errorf(EINVALID, "appointment.too_far", MaxBookingDays)
	}
	slot, _ := time.ParseInLocation("2006-01-02 15:04", r.Date+" "+r.Time, now.Location())
	if w.Classify(slot, now) == TimingLate {
		return Errorf(EINVALID, "appointment.past")
	}
	r.IDNumber = NormalizeIDNumber(r.IDNumber)
	r.Phone = strings.Join(strings.Fields(r.Phone), "")
	if r.IDNumber == "" && r.Phone == "" {
		return Errorf(EINVALID, "appointment.who")
	}
	if r.IDNumber != "" {
		if err := ValidateIDNumber(r.IDNumber, now); err != nil {
			return err
		}
	}
	if r.Phone != "" {
		if err := ValidatePhone(r.Phone); err != nil {
			return err
		}
	}
	r.Name = cleanText(r.Name)
	return checkText(r.Name, maxNameLen, "ledger.name")
}

// CheckInRequest is what the kiosk sends: the ID number typed on the keypad, or the
// booking's code. RequestID, when given, makes a retried check-in return the same
// ticket (a check-in is idempotent anyway: a booking checked in returns its ticket).
type CheckInRequest struct {
	IDNumber  string `json:"id_number"`
	Code      string `json:"code"`
	RequestID string `json:"request_id,omitempty"`
}

// Validate checks that exactly one of the ID number and the code is given, well formed.
func (r *CheckInRequest) Validate(today time.Time) error {
	r.IDNumber = NormalizeIDNumber(r.IDNumber)
	r.Code = strings.TrimSpace(r.Code)
	switch {
	case r.IDNumber != "" && r.Code != "", r.IDNumber == "" && r.Code == "":
		return Errorf(EINVALID, "appointment.check_in_by")
	case r.Code != "" && !apptCodePattern.MatchString(r.Code):
		return Errorf(EINVALID, "appointment.code")
	case r.IDNumber != "":
		return ValidateIDNumber(r.IDNumber, today)
	}
	return nil
}

// NewAppointmentCode returns a random six-digit code. Stores make it unique among the
// bookings not yet ended.
func NewAppointmentCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// Cancel ends a booking that was not checked in, by staff member by, at now.
func (a *Appointment) Cancel(by string, now time.Time) error {
	if a.Status != ApptBooked {
		return Errorf(ECONFLICT, "appointment.cannot_cancel", a.Time)
	}
	a.Status, a.EndedAt, a.EndedBy = ApptCancelled, now, by
	a.touch(now)
	return nil
}

// Miss marks a booking nobody checked in by the end of its day.
func (a *Appointment) Miss(now time.Time) error {
	if a.Status != ApptBooked {
		return Errorf(ECONFLICT, "appointment.cannot_miss", a.Time)
	}
	a.Status, a.EndedAt, a.EndedBy = ApptMissed, now, "system"
	a.touch(now)
	return nil
}

// CheckIn ties the booking to ticket t; late when the check-in was after the window.
func (a *Appointment) CheckIn(t *Ticket, late bool, now time.Time) error {
	if a.Status != ApptBooked {
		return Errorf(ECONFLICT, "appointment.cannot_check_in", a.Time)
	}
	a.Status, a.CheckedInAt, a.Late = ApptCheckedIn, now, late
	a.TicketID, a.TicketNumber = t.ID, t.Number
	a.touch(now)
	return nil
}

// Serve marks a checked-in booking served: its ticket was finished, by staff member by.
func (a *Appointment) Serve(by string, now time.Time) error {
	if a.Status != ApptCheckedIn {
		return Errorf(ECONFLICT, "appointment.cannot_serve", a.Time)
	}
	a.Status, a.EndedAt, a.EndedBy = ApptServed, now, by
	a.touch(now)
	return nil
}

func (a *Appointment) touch(now time.Time) {
	a.Version++
	a.UpdatedAt = now
}

// Outbox kinds of appointments: "appointment." followed by the step.
const (
	KindApptBooked    = "appointment.booked"
	KindApptCheckedIn = "appointment.checked_in"
	KindApptServed    = "appointment.served"
	KindApptMissed    = "appointment.missed"
	KindApptCancelled = "appointment.cancelled"
)

// AppointmentKind returns the outbox kind of a booking's status.
func AppointmentKind(s AppointmentStatus) string { return "appointment." + string(s) }

// AppointmentFact is what the county learns of a booking: when, for what, what became
// of it and the ticket it led to — never who.
type AppointmentFact struct {
	ID           string            `json:"id"`
	Service      string            `json:"service"`
	Date         string            `json:"date"`
	Time         string            `json:"time"`
	Status       AppointmentStatus `json:"status"`
	Source       string            `json:"source"`
	CreatedBy    string            `json:"created_by,omitempty"`
	CreatedAt    time.Time         `json:"created_at"`
	CheckedInAt  time.Time         `json:"checked_in_at,omitzero"`
	Late         bool              `json:"late,omitempty"`
	TicketID     string            `json:"ticket_id,omitempty"`
	TicketNumber string            `json:"ticket_number,omitempty"`
	EndedAt      time.Time         `json:"ended_at,omitzero"`
	EndedBy      string            `json:"ended_by,omitempty"`
	Version      int               `json:"version"`
}

// Fact returns the part of a reported to the county.
func (a *Appointment) Fact() AppointmentFact {
	return AppointmentFact{ID: a.ID, Service: a.Service, Date: a.Date, Time: a.Time, Status: a.Status,
		Source: a.Source, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt, CheckedInAt: a.CheckedInAt,
		Late: a.Late, TicketID: a.TicketID, TicketNumber: a.TicketNumber, EndedAt: a.EndedAt,
		EndedBy: a.EndedBy, Version: a.Version}
}

// TooEarly is the answer to a check-in before its window opens (ECONFLICT): the
// message, and the booking's day and slot with the time the window opens (From, ""
// for a booking on a later day), so a kiosk can say in its own words when to come.
type TooEarly struct {
	Err  *Error
	Date string
	Time string
	From string
}

func (e *TooEarly) Error() string { return e.Err.Error() }
func (e *TooEarly) Unwrap() error { return e.Err }

// CheckedIn is the answer to a check-in: the booking (masked), its ticket with its
// place in the queue, and whether the person came late (a normal ticket).
type CheckedIn struct {
	Appointment *Appointment
	Issued      *Issued
	Late        bool
	Again       bool // the booking was checked in before: its ticket is returned
}

// AppointmentService keeps bookings and checks them in.
type AppointmentService interface {
	// Book records a booking by staff member by. EINVALID for a malformed request or
	// an unknown service, ECONFLICT for a disabled one. A repeated RequestID returns
	// the first booking with created false.
	Book(ctx context.Context, req AppointmentRequest, by string) (a *Appointment, created bool, err error)
	// CheckIn checks in today's booking of the ID number or code and issues its
	// ticket. ENOTFOUND when there is no booking today; ECONFLICT (key
	// "appointment.early") when it is too early, saying from when.
	CheckIn(ctx context.Context, req CheckInRequest) (*CheckedIn, error)
	// Appointments lists the bookings of date, masked, by slot.
	Appointments(ctx context.Context, date string) ([]Appointment, error)
	// Cancel cancels a booking not checked in yet. ENOTFOUND, ECONFLICT.
	Cancel(ctx context.Context, id, by string) (*Appointment, error)
	// MarkMissed marks every booking of a day before today that nobody checked in as
	// missed, and returns how many.
	MarkMissed(ctx context.Context) (int, error)
}
