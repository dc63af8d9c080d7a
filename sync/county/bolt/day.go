package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"bingzhan/sync/county"

	bbolt "go.etcd.io/bbolt"
)

// dayFormat is the first byte of a day's figures as this store writes them: a
// version, then zig-zag varints. Figures written before it are JSON (a '{').
//
//	tickets visits called wait_sum_s wait_max_s served no_shows card_tickets
//	dead_letters flags(1: reported) n hist[0..n) m (len key count)×m
//
// A year of three hundred stations is 110 000 of them: JSON took most of a second to
// read back for a figures page, this takes a few dozen milliseconds.
const dayFormat = 1

// errDayFormat is the error for stored figures this store cannot read.
var errDayFormat = errors.New("day figures in an unknown format")

// encodeDay returns d as the daily bucket keeps it.
func encodeDay(d *county.DayStats) []byte {
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
	return buf
}

// dayReader reads the varints of an encoded day, remembering the first failure.
type dayReader struct {
	b   []byte
	err error
}

func (r *dayReader) int() int {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errDayFormat
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

// decodeDay reads a day's figures as the daily bucket keeps them, in either format.
// names, when not nil, holds the matter codes read so far: a range read then makes
// each code's string once, not once a day.
func decodeDay(v []byte, d *county.DayStats, names map[string]string) error {
	*d = county.DayStats{}
	if len(v) > 0 && v[0] == '{' {
		return json.Unmarshal(v, d)
	}
	if len(v) == 0 || v[0] != dayFormat {
		return errDayFormat
	}
	r := &dayReader{b: v[1:]}
	for _, p := range [...]*int{&d.Tickets, &d.Visits, &d.Called, &d.WaitSumS, &d.WaitMaxS, &d.Served, &d.NoShows,
		&d.CardTickets, &d.DeadLetters} {
		*p = r.int()
	}
	d.Reported = r.int()&1 != 0
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
	if m > 0 {
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
	return r.err
}

// getDay reads the figures of station on date into d; a day without any is zero.
func getDay(tx *bbolt.Tx, station, date string, d *county.DayStats) error {
	key := join(station, date)
	v := tx.Bucket(bucketDaily).Get(key)
	if v == nil {
		*d = county.DayStats{}
		return nil
	}
	if err := decodeDay(v, d, nil); err != nil {
		return fmt.Errorf("decode %q: %w", key, err)
	}
	return nil
}

// Day implements county.Store.
func (s *Store) Day(ctx context.Context, date string) (map[string]county.DayStats, error) {
	days, err := s.Days(ctx, date, date)
	out := make(map[string]county.DayStats, len(days))
	for st, byDate := range days {
		out[st] = byDate[date]
	}
	return out, err
}

// Days implements county.Store. The daily bucket is ordered by station and then
// date, so it reads each station's range and seeks past the rest.
func (s *Store) Days(ctx context.Context, from, to string) (map[string]map[string]county.DayStats, error) {
	out := map[string]map[string]county.DayStats{}
	if from > to {
		return out, nil
	}
	// Room for every day of the range in each station's map: they are mostly full.
	size := 0
	if f, err := time.Parse(time.DateOnly, from); err == nil {
		if t, err := time.Parse(time.DateOnly, to); err == nil {
			size = min(int(t.Sub(f).Hours()/24)+1, county.MaxFiguresDays)
		}
	}
	names := map[string]string{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketDaily).Cursor()
		var byDate map[string]county.DayStats
		var station []byte // the station byDate is for
		for k, v := c.First(); k != nil; {
			i := bytes.IndexByte(k, 0)
			if i < 0 {
				k, v = c.Next()
				continue
			}
			st, date := k[:i], string(k[i+1:])
			switch {
			case date < from:
				k, v = c.Seek(join(string(st), from))
				continue
			case date > to:
				// On to the next station: no date sorts after 0xff.
				k, v = c.Seek(append(join(string(st), ""), 0xff))
				continue
			}
			if !bytes.Equal(st, station) {
				if err := ctx.Err(); err != nil {
					return err // a long range read stops between stations
				}
				station = append(station[:0], st...)
				byDate = make(map[string]county.DayStats, size)
				out[string(st)] = byDate
			}
			var d county.DayStats
			if err := decodeDay(v, &d, names); err != nil {
				return fmt.Errorf("decode %q: %w", k, err)
			}
			byDate[date] = d
			k, v = c.Next()
		}
		return nil
	})
	return out, err
}
