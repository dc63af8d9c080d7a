package bolt

import (
	"bytes"
	"context"
	"iter"
	"time"

	"bingzhan/backend"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// The county's bookings, sent down with the reference data:
//
//	appt_county: county booking id → the station's booking id, for the county's rows
//	             the station took; "version" → the version applied last (county ids
//	             start with "c", so never that key)
//
// A row keeps its entry while the county's version has it, and after it is withdrawn
// while its booking stays checked in or ended and its day has not passed, so a row
// that comes back makes nothing new; a booking the county withdrew and this station
// cancelled loses its entry, so the same row sent again books again.
var bucketApptCounty = newBucket("appt_county")

var keyApptCountyVersion = []byte("version")

// endedByCounty is who ended a booking the county withdrew.
const endedByCounty = backend.SourceCounty

// CountyBookingsVersion implements backend.CountyBookingService.
func (s *AppointmentService) CountyBookingsVersion(ctx context.Context) (string, error) {
	var v string
	err := s.db.db.View(func(tx *bolt.Tx) error {
		v = string(tx.Bucket(bucketApptCounty).Get(keyApptCountyVersion))
		return nil
	})
	return v, err
}

// ApplyCountyBookings implements backend.CountyBookingService: every row is read and
// checked first (a bad one changes nothing), then the whole version is applied in one
// transaction with its bookings' outbox facts, so a crash leaves the version before or
// this one. A station's county bookings are some hundreds at most: one transaction
// holds them.
func (s *AppointmentService) ApplyCountyBookings(ctx context.Context, version string, bookings iter.Seq2[*backend.CountyBooking, error]) (backend.CountyBookingsApplied, error) {
	var res backend.CountyBookingsApplied
	if !registryVersion.MatchString(version) {
		return res, backend.Errorf(backend.EINVALID, "appointment.county_version")
	}
	e, err := s.db.Enrolment(ctx)
	if err != nil {
		return res, err
	}
	now := s.now()
	var rows []*backend.CountyBooking
	seen := map[string]bool{}
	n := 0
	for b, err := range bookings {
		n++
		if err != nil {
			return res, err
		}
		if !backend.ValidCountyBookingID(b.ID) || (e != nil && b.Station != e.StationID) {
			// Another station's row would be another station's person: the county
			// sends each its own alone, so this is a county gone wrong.
			return res, backend.Errorf(backend.EINVALID, "appointment.county_record", n)
		}
		if err := b.Validate(now); err != nil {
			return res, backend.Errorf(backend.EINVALID, "appointment.county_bad", n, backend.ErrorMessage(err, "en"))
		}
		if seen[b.ID] {
			return res, backend.Errorf(backend.EINVALID, "appointment.county_twice", n)
		}
		seen[b.ID] = true
		rows = append(rows, b)
	}

	today := now.Format(time.DateOnly)
	at := now.Truncate(time.Second)
	var changed []*backend.Appointment
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		res, changed = backend.CountyBookingsApplied{}, nil
		links := tx.Bucket(bucketApptCounty)
		if string(links.Get(keyApptCountyVersion)) == version {
			return nil
		}
		cancelled, drop, err := s.withdraw(tx, seen, today, at)
		if err != nil {
			return err
		}
		for _, k := range drop {
			if err := links.Delete(k); err != nil {
				return err
			}
		}
		res.Cancelled, changed = len(cancelled), cancelled
		for _, b := range rows {
			switch {
			case b.Date < today:
				res.Past++
				continue
			case links.Get([]byte(b.ID)) != nil:
				continue
			}
			a, err := s.bookForCounty(tx, b, at)
			if err != nil {
				return err
			}
			if err := links.Put([]byte(b.ID), []byte(a.ID)); err != nil {
				return err
			}
			res.Created++
			changed = append(changed, a)
		}
		return links.Put(keyApptCountyVersion, []byte(version))
	})
	if err != nil {
		return backend.CountyBookingsApplied{}, err
	}
	for _, a := range changed {
		s.publish(a)
	}
	return res, nil
}

// withdraw cancels the county bookings whose rows are not in keep and are still
// booked for today or later, and returns them with the links to drop: theirs, and
// those of rows withdrawn whose day has passed. Bookings checked in or ended are left
// as they are.
func (s *AppointmentService) withdraw(tx *bolt.Tx, keep map[string]bool, today string, at time.Time) (cancelled []*backend.Appointment, drop [][]byte, err error) {
	c := tx.Bucket(bucketApptCounty).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if bytes.Equal(k, keyApptCountyVersion) || keep[string(k)] {
			continue
		}
		a, err := s.getRecord(tx, string(v))
		if err != nil {
			return nil, nil, err
		}
		switch {
		case a.Date < today:
			// Its day passed: the midnight marks it missed if nobody came, and a row
			// of a past day books nothing, so the link has done its work.
		case a.Status != backend.ApptBooked:
			continue
		default:
			if err := a.Cancel(endedByCounty, at); err != nil {
				return nil, nil, err
			}
			if err := s.leaveLive(tx, a); err != nil {
				return nil, nil, err
			}
			if err := s.putRecord(tx, a); err != nil {
				return nil, nil, err
			}
			cancelled = append(cancelled, a)
		}
		drop = append(drop, bytes.Clone(k))
	}
	return cancelled, drop, nil
}

// bookForCounty records the county's booking b as the station's, with a fresh code
// and its appointment.booked fact, sealed as staff bookings are. Unlike staff's it is
// made whatever the slot's time: a row for today whose window has passed (the link
// was down) still lets the person check in, for a late, normal ticket.
func (s *AppointmentService) bookForCounty(tx *bolt.Tx, b *backend.CountyBooking, at time.Time) (*backend.Appointment, error) {
	code, err := freeCode(tx)
	if err != nil {
		return nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	a := &backend.Appointment{ID: id.String(), Code: code, Service: b.Service, Date: b.Date, Time: b.Time,
		Status: backend.ApptBooked, Name: b.Name, IDNumber: b.IDNumber, Phone: b.Phone,
		Source: backend.SourceCounty, CreatedAt: at, UpdatedAt: at, Version: 1}
	if err := s.insert(tx, a); err != nil {
		return nil, err
	}
	return a, nil
}
