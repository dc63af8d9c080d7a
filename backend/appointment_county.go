package backend

import (
	"context"
	"io"
	"iter"
	"regexp"
	"strings"
	"time"
)

// CountyBooking is one booking the county sends down with its reference data (the
// bookings data set, JSON Lines of this shape): a slot at one station for a person who
// checks in at the kiosk with their ID number, since the booking's code is made on
// the station. ID is the county's and stays the same for the same row in every import,
// so a station that holds it already makes nothing new.
type CountyBooking struct {
	ID       string `json:"id"`
	Station  string `json:"station"` // the county's id of the station
	Service  string `json:"service"`
	Date     string `json:"date"` // YYYY-MM-DD, station-local
	Time     string `json:"time"` // HH:MM
	Name     string `json:"name,omitempty"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone,omitempty"`
}

var countyBookingID = regexp.MustCompile(`^c[0-9a-f]{24}$`)

// ValidCountyBookingID reports whether id has the form of a county booking's id.
func ValidCountyBookingID(id string) bool { return countyBookingID.MatchString(id) }

// Validate normalises b (service letter upper-cased, ID number and phone as typed at
// the kiosk, the name's white space folded) and checks it with the station's rules:
// a service letter, a real date and an HH:MM slot, a valid ID number (required) and,
// when given, phone. Unlike a staff booking it is not checked against the clock
// beyond the ID number's birth date: the station skips the days that have passed.
// The id and station are the county's to check. EINVALID for the first problem found;
// its message never carries the value.
func (b *CountyBooking) Validate(today time.Time) error {
	b.Service = strings.ToUpper(strings.TrimSpace(b.Service))
	if !ValidServiceLetter(b.Service) {
		return Errorf(EINVALID, "service.unknown", b.Service)
	}
	if _, err := time.Parse(time.DateOnly, b.Date); err != nil {
		return Errorf(EINVALID, "appointment.date")
	}
	if !slotPattern.MatchString(b.Time) {
		return Errorf(EINVALID, "appointment.time")
	}
	b.IDNumber = NormalizeIDNumber(b.IDNumber)
	if err := ValidateIDNumber(b.IDNumber, today); err != nil {
		return err
	}
	b.Phone = strings.Join(strings.Fields(b.Phone), "")
	if b.Phone != "" {
		if err := ValidatePhone(b.Phone); err != nil {
			return err
		}
	}
	b.Name = cleanText(b.Name)
	return checkText(b.Name, maxNameLen, "ledger.name")
}

// DecodeCountyBookings reads the bookings data set as the county sends it: JSON
// objects of the CountyBooking shape, one after another. It yields each booking or
// the error that stops the stream; bookings are not validated here.
func DecodeCountyBookings(r io.Reader) iter.Seq2[*CountyBooking, error] {
	return decodeLines[CountyBooking](r, "appointment.county_record")
}

// CountyBookingsApplied says what applying a version of the county's bookings did.
type CountyBookingsApplied struct {
	Created   int // bookings made for rows the station did not hold
	Cancelled int // county bookings still booked whose rows the county withdrew
	Past      int // rows of days before the station's today, left out
}

// CountyBookingService takes the county's bookings into the station's.
type CountyBookingService interface {
	// CountyBookingsVersion returns the version of the county's bookings applied
	// last, "" before any.
	CountyBookingsVersion(ctx context.Context) (string, error)
	// ApplyCountyBookings makes the station's county bookings those of version: a
	// booking (source county, a fresh code, its appointment.booked fact) for each row
	// of today or later that the station does not hold yet, and the county bookings
	// still booked whose rows are gone cancelled (ended by "county"). Bookings checked
	// in or ended, and those staff made, are left alone. The same version again
	// changes nothing. EINVALID for a malformed version or row (nothing changes).
	ApplyCountyBookings(ctx context.Context, version string, bookings iter.Seq2[*CountyBooking, error]) (CountyBookingsApplied, error)
}
