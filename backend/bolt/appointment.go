package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"bingzhan/backend"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// Bookings (预约) and their indexes:
//
//	appointments:  id → open record (JSON, its length first) | sealed personal fields
//	appt_day:      date|HH:MM|id → nil, every booking of a day by slot
//	appt_live:     date|HH:MM|id → nil, the bookings still booked or checked in
//	appt_code:     code → id, the codes in use (released when a booking leaves live)
//	appt_requests: request id → id, so a repeated booking returns the first
var (
	bucketAppointments = newBucket("appointments")
	bucketApptDay      = newBucket("appt_day")
	bucketApptLive     = newBucket("appt_live")
	bucketApptCode     = newBucket("appt_code")
	bucketApptRequests = newBucket("appt_requests")
)

// sealAppointment names a booking's sealed fields for the cipher's associated data.
const sealAppointment = "appointment.personal"

// apptRecord is the open part of a booking as stored.
type apptRecord struct {
	Code         string                    `json:"code"`
	Service      string                    `json:"svc"`
	Date         string                    `json:"d"`
	Time         string                    `json:"t"`
	Status       backend.AppointmentStatus `json:"st"`
	Source       string                    `json:"src"`
	CreatedBy    string                    `json:"cb,omitempty"`
	CreatedAt    int64                     `json:"ca"`
	CheckedInAt  int64                     `json:"ci,omitempty"`
	Late         bool                      `json:"late,omitempty"`
	TicketID     string                    `json:"tk,omitempty"`
	TicketNumber string                    `json:"tn,omitempty"`
	EndedAt      int64                     `json:"ea,omitempty"`
	EndedBy      string                    `json:"eb,omitempty"`
	UpdatedAt    int64                     `json:"ua"`
	Version      int                       `json:"v"`
}

// apptPersonal is the sealed part of a booking.
type apptPersonal struct {
	Name     string `json:"n,omitempty"`
	IDNumber string `json:"i,omitempty"`
	Phone    string `json:"p,omitempty"`
}

// AppointmentService keeps the bookings in the database. Checking in issues the
// booking's ticket through Tickets in the same transaction, so a crash leaves either
// a checked-in booking with its ticket or neither.
type AppointmentService struct {
	apptStore
	sealer  backend.Sealer
	tickets *TicketService
	// Window is when, around its slot, a booking is checked in for a ticket in slot
	// order.
	Window backend.CheckInWindow
	// Publish, if set, is told when bookings change, for the staff console.
	Publish func(backend.Event)
}

// NewAppointmentService returns the bookings of db, sealed by sealer, checking in
// through tickets.
func NewAppointmentService(db *DB, stationID string, sealer backend.Sealer, tickets *TicketService) *AppointmentService {
	return &AppointmentService{apptStore: apptStore{db: db, stationID: stationID}, sealer: sealer,
		tickets: tickets, Window: backend.DefaultCheckInWindow}
}

// apptStore is what changes a booking's state without opening its personal fields:
// shared with the calling of tickets, which marks a booking served.
type apptStore struct {
	db        *DB
	stationID string
}

// EventAppointment tells staff screens that a booking changed (staff only).
const EventAppointment = "appointment"

func (s *AppointmentService) now() time.Time { return s.db.Clock.Now().In(s.db.Location) }

// Book records a booking with a fresh code, in one transaction with its outbox fact.
func (s *AppointmentService) Book(ctx context.Context, req backend.AppointmentRequest, by string) (*backend.Appointment, bool, error) {
	now := s.now()
	if err := req.Validate(now, s.Window); err != nil {
		return nil, false, err
	}
	var out *backend.Appointment
	created := false
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		out, created = nil, false
		if req.RequestID != "" {
			if id := tx.Bucket(bucketApptRequests).Get([]byte(req.RequestID)); id != nil {
				a, err := s.get(tx, string(id))
				if err != nil {
					return err
				}
				if a.Service != req.Service || a.Date != req.Date || a.Time != req.Time {
					return backend.Errorf(backend.EINVALID, "appointment.request_id")
				}
				out = a
				return nil
			}
		}
		svc, err := findService(tx, req.Service)
		if err != nil {
			return err
		}
		if !svc.Enabled {
			return backend.Errorf(backend.ECONFLICT, "service.disabled", svc.NameZH)
		}
		code, err := freeCode(tx)
		if err != nil {
			return err
		}
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		at := now.Truncate(time.Second)
		a := &backend.Appointment{ID: id.String(), Code: code, Service: req.Service, Date: req.Date,
			Time: req.Time, Status: backend.ApptBooked, Name: req.Name, IDNumber: req.IDNumber,
			Phone: req.Phone, Source: backend.SourceStaff, CreatedBy: by, CreatedAt: at,
			UpdatedAt: at, Version: 1}
		if err := s.insert(tx, a); err != nil {
			return err
		}
		if req.RequestID != "" {
			if err := tx.Bucket(bucketApptRequests).Put([]byte(req.RequestID), []byte(a.ID)); err != nil {
				return err
			}
		}
		out, created = a, true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if created {
		s.publish(out)
	}
	out.Mask()
	return out, created, nil
}

// insert stores a new booking a with its indexes and its outbox fact.
func (s *AppointmentService) insert(tx *bolt.Tx, a *backend.Appointment) error {
	k := apptKey(a)
	for _, put := range []struct{ b, k, v []byte }{
		{bucketApptDay, k, nil},
		{bucketApptLive, k, nil},
		{bucketApptCode, []byte(a.Code), []byte(a.ID)},
	} {
		if err := tx.Bucket(put.b).Put(put.k, put.v); err != nil {
			return err
		}
	}
	return s.put(tx, a)
}

// freeCode draws six-digit codes until one is not in use. With a few hundred live
// bookings nearly every draw is free; the bound only stops a full code space.
func freeCode(tx *bolt.Tx) (string, error) {
	codes := tx.Bucket(bucketApptCode)
	for range 100 {
		code, err := backend.NewAppointmentCode()
		if err != nil {
			return "", err
		}
		if codes.Get([]byte(code)) == nil {
			return code, nil
		}
	}
	return "", backend.Errorf(backend.ECONFLICT, "appointment.codes_full")
}

// apptKey is date(10)|HH:MM(5)|id: a day's bookings by slot.
func apptKey(a *backend.Appointment) []byte {
	return join([]byte(a.Date), []byte(a.Time), []byte(a.ID))
}

// CheckIn finds today's booking of the ID number or the code and checks it in: on time
// its ticket is queued by slot before walk-ins; late it is a normal ticket; early
// nothing changes and the person is told from when to come.
func (s *AppointmentService) CheckIn(ctx context.Context, req backend.CheckInRequest) (*backend.CheckedIn, error) {
	now := s.now()
	if err := req.Validate(now); err != nil {
		return nil, err
	}
	today := now.Format(time.DateOnly)
	var out *backend.CheckedIn
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		out = nil
		a, err := s.find(tx, req, today)
		if err != nil {
			return err
		}
		if a.Status == backend.ApptCheckedIn {
			// Checked in before (a retry, or the person came back to the kiosk):
			// the same ticket, nothing new.
			t, err := getTicket(tx, a.TicketID)
			if err != nil {
				return err
			}
			issued, err := s.tickets.standing(tx, t)
			out = &backend.CheckedIn{Appointment: a, Issued: issued, Late: a.Late, Again: true}
			return err
		}
		slot, ok := a.Slot(s.db.Location)
		if !ok {
			return fmt.Errorf("appointment %s: slot %q %q", a.ID, a.Date, a.Time)
		}
		timing := s.Window.Classify(slot, now)
		if timing == backend.TimingEarly {
			opens := s.Window.Opens(slot).Format("15:04")
			return &backend.TooEarly{Err: backend.Errorf(backend.ECONFLICT, "appointment.early", a.Time, opens),
				Date: a.Date, Time: a.Time, From: opens}
		}
		late := timing == backend.TimingLate
		link := &apptTicket{ID: a.ID}
		if !late {
			link.Slot = a.Time
		}
		issue := backend.IssueRequest{Service: a.Service, RequestID: "appt-" + a.ID}
		var personKey string
		if a.IDNumber != "" {
			personKey = s.tickets.PersonKey(a.IDNumber)
		}
		issued, err := s.tickets.issue(tx, issue, now, personKey, link)
		if err != nil {
			return err
		}
		if err := a.CheckIn(issued.Ticket, late, now.Truncate(time.Second)); err != nil {
			return err
		}
		if err := s.put(tx, a); err != nil {
			return err
		}
		out = &backend.CheckedIn{Appointment: a, Issued: issued, Late: late}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !out.Again {
		s.publish(out.Appointment)
		s.tickets.publishQueue(today)
	}
	out.Appointment.Mask()
	return out, nil
}

// find returns today's booking that req names: by code, the live booking with it; by
// ID number, the person's earliest booking today still booked, else one checked in. A
// booking on a later day answers that it is early; none at all, ENOTFOUND.
func (s *AppointmentService) find(tx *bolt.Tx, req backend.CheckInRequest, today string) (*backend.Appointment, error) {
	var found, later *backend.Appointment
	if req.Code != "" {
		if id := tx.Bucket(bucketApptCode).Get([]byte(req.Code)); id != nil {
			a, err := s.get(tx, string(id))
			if err != nil {
				return nil, err
			}
			switch {
			case a.Date == today:
				found = a
			case a.Date > today:
				later = a
			}
		}
	} else {
		// Only the live bookings of today and later: a few dozen to open.
		c := tx.Bucket(bucketApptLive).Cursor()
		for k, _ := c.Seek([]byte(today)); k != nil && later == nil; k, _ = c.Next() {
			if found != nil && string(k[:10]) > today {
				break
			}
			a, err := s.get(tx, string(k[15:]))
			if err != nil {
				return nil, err
			}
			switch {
			case a.IDNumber != req.IDNumber:
			case a.Date > today:
				later = a
			case a.Status == backend.ApptBooked:
				return a, nil
			case found == nil:
				found = a // checked in already: its ticket, unless a booking follows
			}
		}
	}
	switch {
	case found != nil:
		return found, nil
	case later != nil:
		return nil, &backend.TooEarly{Err: backend.Errorf(backend.ECONFLICT, "appointment.early_day", later.Date, later.Time),
			Date: later.Date, Time: later.Time}
	case req.IDNumber != "":
		// None live: say plainly (409) when today's booking was served or cancelled.
		c := tx.Bucket(bucketApptDay).Cursor()
		prefix := []byte(today)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			a, err := s.get(tx, string(k[15:]))
			if err != nil {
				return nil, err
			}
			if a.IDNumber != req.IDNumber {
				continue
			}
			switch a.Status {
			case backend.ApptServed:
				return nil, backend.Errorf(backend.ECONFLICT, "appointment.served_today", a.Time)
			case backend.ApptCancelled:
				return nil, backend.Errorf(backend.ECONFLICT, "appointment.cancelled_today", a.Time)
			}
		}
	}
	return nil, backend.Errorf(backend.ENOTFOUND, "appointment.none_today")
}

// Appointments lists the bookings of date by slot, masked.
func (s *AppointmentService) Appointments(ctx context.Context, date string) ([]backend.Appointment, error) {
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return nil, backend.Errorf(backend.EINVALID, "appointment.date")
	}
	out := []backend.Appointment{}
	err := s.db.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketApptDay).Cursor()
		prefix := []byte(date)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			a, err := s.get(tx, string(k[15:]))
			if err != nil {
				return err
			}
			a.Mask()
			out = append(out, *a)
		}
		return nil
	})
	return out, err
}

// Cancel cancels a booking not yet checked in, by staff member by.
func (s *AppointmentService) Cancel(ctx context.Context, id, by string) (*backend.Appointment, error) {
	var out *backend.Appointment
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		a, err := s.get(tx, id)
		if err != nil {
			return err
		}
		if err := a.Cancel(by, s.now().Truncate(time.Second)); err != nil {
			return err
		}
		if err := s.leaveLive(tx, a); err != nil {
			return err
		}
		out = a
		return s.put(tx, a)
	})
	if err != nil {
		return nil, err
	}
	s.publish(out)
	out.Mask()
	return out, nil
}

// MarkMissed ends the bookings of the days before today: those nobody checked in
// become missed, one outbox fact each; checked-in ones keep their state. Either way
// they leave the live index and free their code.
func (s *AppointmentService) MarkMissed(ctx context.Context) (int, error) {
	now := s.now()
	today := []byte(now.Format(time.DateOnly))
	n := 0
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		n = 0
		var ids []string
		c := tx.Bucket(bucketApptLive).Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k[:10], today) < 0; k, _ = c.Next() {
			ids = append(ids, string(k[15:]))
		}
		for _, id := range ids {
			a, err := s.getRecord(tx, id)
			if err != nil {
				return err
			}
			if err := s.leaveLive(tx, a); err != nil {
				return err
			}
			if a.Status != backend.ApptBooked {
				continue
			}
			if err := a.Miss(now.Truncate(time.Second)); err != nil {
				return err
			}
			if err := s.putRecord(tx, a); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// served marks the booking of ticket t served by by at at, when t was finished: inside
// the transaction that finished it (CallService.apply).
func served(tx *bolt.Tx, st apptStore, t *backend.Ticket, by string, at time.Time) error {
	a, err := st.getRecord(tx, t.Appointment)
	if err != nil || a.Status != backend.ApptCheckedIn || a.TicketID != t.ID {
		return err // served already, or checked in with another ticket: nothing to do
	}
	if err := a.Serve(by, at); err != nil {
		return err
	}
	if err := st.leaveLive(tx, a); err != nil {
		return err
	}
	return st.putRecord(tx, a)
}

// leaveLive takes a out of the live index and frees its code.
func (s apptStore) leaveLive(tx *bolt.Tx, a *backend.Appointment) error {
	if err := tx.Bucket(bucketApptLive).Delete(apptKey(a)); err != nil {
		return err
	}
	codes := tx.Bucket(bucketApptCode)
	if string(codes.Get([]byte(a.Code))) == a.ID {
		return codes.Delete([]byte(a.Code))
	}
	return nil
}

func (s *AppointmentService) publish(a *backend.Appointment) {
	if s.Publish != nil {
		s.Publish(backend.Event{Kind: EventAppointment, Staff: true, Data: map[string]any{
			"id": a.ID, "date": a.Date, "status": a.Status}})
	}
}

// get reads and opens booking id.
func (s *AppointmentService) get(tx *bolt.Tx, id string) (*backend.Appointment, error) {
	raw := tx.Bucket(bucketAppointments).Get([]byte(id))
	if raw == nil {
		return nil, backend.Errorf(backend.ENOTFOUND, "appointment.not_found")
	}
	r, sealed, err := readApptRecord(id, raw)
	if err != nil {
		return nil, err
	}
	plain, err := s.sealer.Open(sealAppointment, id, sealed)
	if err != nil {
		return nil, fmt.Errorf("open appointment %s: %w", id, err)
	}
	var p apptPersonal
	if json.Unmarshal(plain, &p) != nil {
		return nil, fmt.Errorf("appointment %s: personal fields do not decode", id)
	}
	a := r.appointment(id)
	a.Name, a.IDNumber, a.Phone = p.Name, p.IDNumber, p.Phone
	return a, nil
}

// getRecord reads booking id without opening its personal fields (they stay empty):
// for steps that change only its state.
func (s apptStore) getRecord(tx *bolt.Tx, id string) (*backend.Appointment, error) {
	raw := tx.Bucket(bucketAppointments).Get([]byte(id))
	if raw == nil {
		return nil, backend.Errorf(backend.ENOTFOUND, "appointment.not_found")
	}
	r, _, err := readApptRecord(id, raw)
	if err != nil {
		return nil, err
	}
	return r.appointment(id), nil
}

// put seals a's personal fields and stores it with its outbox fact.
func (s *AppointmentService) put(tx *bolt.Tx, a *backend.Appointment) error {
	plain, err := json.Marshal(apptPersonal{Name: a.Name, IDNumber: a.IDNumber, Phone: a.Phone})
	if err != nil {
		return err
	}
	sealed, err := s.sealer.Seal(sealAppointment, a.ID, plain)
	if err != nil {
		return err
	}
	return s.store(tx, a, sealed)
}

// putRecord stores a's open record over the sealed part already stored, and its fact.
func (s apptStore) putRecord(tx *bolt.Tx, a *backend.Appointment) error {
	raw := tx.Bucket(bucketAppointments).Get([]byte(a.ID))
	_, sealed, err := readApptRecord(a.ID, raw)
	if err != nil {
		return err
	}
	return s.store(tx, a, bytes.Clone(sealed))
}

func (s apptStore) store(tx *bolt.Tx, a *backend.Appointment, sealed []byte) error {
	open, err := json.Marshal(apptRecord{Code: a.Code, Service: a.Service, Date: a.Date, Time: a.Time,
		Status: a.Status, Source: a.Source, CreatedBy: a.CreatedBy, CreatedAt: unix(a.CreatedAt),
		CheckedInAt: unix(a.CheckedInAt), Late: a.Late, TicketID: a.TicketID, TicketNumber: a.TicketNumber,
		EndedAt: unix(a.EndedAt), EndedBy: a.EndedBy, UpdatedAt: unix(a.UpdatedAt), Version: a.Version})
	if err != nil {
		return err
	}
	rec := binary.AppendUvarint(make([]byte, 0, 2+len(open)+len(sealed)), uint64(len(open)))
	rec = append(append(rec, open...), sealed...)
	if err := tx.Bucket(bucketAppointments).Put([]byte(a.ID), rec); err != nil {
		return err
	}
	return s.db.appendOutbox(tx, s.stationID, backend.AppointmentKind(a.Status), a.Fact())
}

// readApptRecord splits a stored booking into its open record and its sealed part.
func readApptRecord(id string, raw []byte) (*apptRecord, []byte, error) {
	n, k := binary.Uvarint(raw)
	if k <= 0 || n > uint64(len(raw)-k) {
		return nil, nil, fmt.Errorf("appointment %s: damaged record", id)
	}
	var r apptRecord
	if err := json.Unmarshal(raw[k:k+int(n)], &r); err != nil {
		return nil, nil, fmt.Errorf("decode appointment %s: %w", id, err)
	}
	return &r, raw[k+int(n):], nil
}

func (r *apptRecord) appointment(id string) *backend.Appointment {
	return &backend.Appointment{ID: id, Code: r.Code, Service: r.Service, Date: r.Date, Time: r.Time,
		Status: r.Status, Source: r.Source, CreatedBy: r.CreatedBy, CreatedAt: fromUnix(r.CreatedAt),
		CheckedInAt: fromUnix(r.CheckedInAt), Late: r.Late, TicketID: r.TicketID, TicketNumber: r.TicketNumber,
		EndedAt: fromUnix(r.EndedAt), EndedBy: r.EndedBy, UpdatedAt: fromUnix(r.UpdatedAt), Version: r.Version}
}

// Reseal re-seals, for a key rotation, every booking's personal fields not sealed
// under the sealer's current key, in batches as VisitService.Reseal does. It returns
// the number re-sealed.
func (s *AppointmentService) Reseal(ctx context.Context, progress func(done int)) (int, error) {
	ring, ok := s.sealer.(keyRing)
	if !ok {
		return 0, fmt.Errorf("reseal the bookings: the sealer does not name its keys")
	}
	reseal := func(k, v []byte) ([]byte, error) {
		_, sealed, err := readApptRecord(string(k), v)
		if err != nil || ring.Current(sealed) {
			return nil, err
		}
		plain, err := s.sealer.Open(sealAppointment, string(k), sealed)
		if err != nil {
			return nil, fmt.Errorf("open appointment %s: %w", k, err)
		}
		again, err := s.sealer.Seal(sealAppointment, string(k), plain)
		if err != nil {
			return nil, err
		}
		return append(bytes.Clone(v[:len(v)-len(sealed)]), again...), nil
	}
	return resealInBatches(ctx, "bookings", 0, progress, func(after []byte) (int, []byte, error) {
		return resealRecords(s.db, bucketAppointments, after, reseal)
	})
}

// Stale returns how many bookings are not sealed under the sealer's current key.
func (s *AppointmentService) Stale(ctx context.Context) (int, error) {
	ring, ok := s.sealer.(keyRing)
	if !ok {
		return 0, fmt.Errorf("the sealer does not name its keys")
	}
	n := 0
	err := s.db.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAppointments).ForEach(func(k, v []byte) error {
			_, sealed, err := readApptRecord(string(k), v)
			if err == nil && !ring.Current(sealed) {
				n++
			}
			return err
		})
	})
	return n, err
}
