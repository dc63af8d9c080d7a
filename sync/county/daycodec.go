package county

import (
	"encoding/binary"
	"encoding/json"
	"errors"
)

// dayFormat is the first byte of a day's figures as the stores write them (bbolt's
// daily bucket, PostgreSQL's daily table): a
// version, then zig-zag varints. Figures written before it are JSON (a '{').
//
//	tickets visits called wait_sum_s wait_max_s served no_shows card_tickets
//	dead_letters flags(1: reported) n hist[0..n) m (len key count)×m
//	rated level_sum satisfied unsatisfied cases_opened cases_closed   (format 2 on)
//	booked checked_in late_arrivals booked_served missed cancelled    (format 3 on)
//	reached plaques_hung honours_delivered money due_plaque due_festival
//	due_honour follow_up_overdue                                       (format 4 on)
//
// flags has 2 for outreach_reported from format 4. Format 1 is the same without the
// ratings, 2 without the bookings, 3 without the outreach; DecodeDay reads all four,
// EncodeDay writes 4.
// A year of three hundred stations is 110 000 of them: JSON took most of a second to
// read back for a figures page, this takes a few dozen milliseconds.
const dayFormat = 4

// errDayFormat is the error for stored figures this store cannot read.
var errDayFormat = errors.New("day figures in an unknown format")

// EncodeDay returns d as the stores keep it.
func EncodeDay(d *DayStats) []byte {
	buf := make([]byte, 0, 32+len(d.Matters)*6)
	buf = append(buf, dayFormat)
	for _, v := range [...]int{d.Tickets, d.Visits, d.Called, d.WaitSumS, d.WaitMaxS, d.Served, d.NoShows,
		d.CardTickets, d.DeadLetters} {
		buf = binary.AppendVarint(buf, int64(v))
	}
	var flags int64
	if d.Reported {
		flags |= 1
	}
	if d.OutreachReported {
		flags |= 2
	}
	buf = binary.AppendVarint(buf, flags)
	n := len(d.WaitHist)
	for n > 0 && d.WaitHist[n-1] == 0 {
		n--
	}
	buf = binary.AppendVarint(buf, int64(n))
	for _, c := range d.WaitHist[:n] {
		buf = binary.AppendVarint(buf, int64(c))
	}
	buf = binary.AppendVarint(buf, int64(len(d.Matters)))
	for m, c := range d.Matters {
		buf = binary.AppendVarint(buf, int64(len(m)))
		buf = append(buf, m...)
		buf = binary.AppendVarint(buf, int64(c))
	}
	for _, v := range [...]int{d.Rated, d.LevelSum, d.Satisfied, d.Unsatisfied, d.CasesOpened, d.CasesClosed,
		d.Booked, d.CheckedIn, d.LateArrivals, d.BookedServed, d.Missed, d.Cancelled,
		d.Reached, d.PlaquesHung, d.HonoursDelivered, d.Money, d.DuePlaque, d.DueFestival, d.DueHonour,
		d.FollowUpOverdue} {
		buf = binary.AppendVarint(buf, int64(v))
	}
	return buf
}

// dayReader reads the varints of an encoded day, remembering the first failure.
type dayReader struct {
	b   []byte
	err error
}

func (r *dayReader) int() int {
	// Most figures are small: one byte, zig-zag (binary.AppendVarint's form).
	if len(r.b) > 0 && r.b[0] < 0x80 {
		u := r.b[0]
		r.b = r.b[1:]
		return int(u>>1) ^ -int(u&1)
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errDayFormat
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

// DecodeDay reads a day's figures as the stores keep them, in either format, into d.
// A Matters map d has is cleared and used again: a range read decodes its days into
// one DayStats. names, when not nil, holds the matter codes read so far: a range
// read then makes each code's string once, not once a day.
func DecodeDay(v []byte, d *DayStats, names map[string]string) error {
	matters := d.Matters
	clear(matters)
	*d = DayStats{Matters: matters}
	if len(v) > 0 && v[0] == '{' {
		return json.Unmarshal(v, d)
	}
	if len(v) == 0 || v[0] < 1 || v[0] > dayFormat {
		return errDayFormat
	}
	format := v[0]
	r := &dayReader{b: v[1:]}
	for _, p := range [...]*int{&d.Tickets, &d.Visits, &d.Called, &d.WaitSumS, &d.WaitMaxS, &d.Served, &d.NoShows,
		&d.CardTickets, &d.DeadLetters} {
		*p = r.int()
	}
	flags := r.int()
	d.Reported = flags&1 != 0
	d.OutreachReported = flags&2 != 0
	n := r.int()
	if n < 0 || n > len(d.WaitHist) {
		return errDayFormat
	}
	for i := range n {
		d.WaitHist[i] = int32(r.int())
	}
	m := r.int()
	if m < 0 || m > len(r.b) {
		return errDayFormat
	}
	if m > 0 && d.Matters == nil {
		d.Matters = make(map[string]int, m)
	}
	for range m {
		l := r.int()
		if l < 0 || l > len(r.b) {
			return errDayFormat
		}
		key, ok := names[string(r.b[:l])]
		if !ok {
			key = string(r.b[:l])
			if names != nil {
				names[key] = key
			}
		}
		r.b = r.b[l:]
		d.Matters[key] = r.int()
	}
	if format >= 2 {
		for _, p := range [...]*int{&d.Rated, &d.LevelSum, &d.Satisfied, &d.Unsatisfied, &d.CasesOpened, &d.CasesClosed} {
			*p = r.int()
		}
	}
	if format >= 3 {
		for _, p := range [...]*int{&d.Booked, &d.CheckedIn, &d.LateArrivals, &d.BookedServed, &d.Missed, &d.Cancelled} {
			*p = r.int()
		}
	}
	if format >= 4 {
		for _, p := range [...]*int{&d.Reached, &d.PlaquesHung, &d.HonoursDelivered, &d.Money, &d.DuePlaque,
			&d.DueFestival, &d.DueHonour, &d.FollowUpOverdue} {
			*p = r.int()
		}
	}
	return r.err
}
