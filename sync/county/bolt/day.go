package bolt

import (
	"bytes"
	"context"
	"fmt"

	"bingzhan/sync/county"

	bbolt "go.etcd.io/bbolt"
)

// getDay reads the figures of station on date into d; a day without any is zero.
func getDay(tx *bbolt.Tx, station, date string, d *county.DayStats) error {
	key := join(station, date)
	v := tx.Bucket(bucketDaily).Get(key)
	if v == nil {
		*d = county.DayStats{}
		return nil
	}
	if err := county.DecodeDay(v, d, nil); err != nil {
		return fmt.Errorf("decode %q: %w", key, err)
	}
	return nil
}

// EachDay implements county.Store. The daily bucket is ordered by station and then
// date, so it reads each station's range and seeks past the rest.
func (s *Store) EachDay(ctx context.Context, from, to string, fn func(station, date string, d *county.DayStats) error) error {
	if from > to {
		return nil
	}
	// Each station id, date and matter code made a string once, and one DayStats
	// for all: a year of 300 stations is 110 000 days.
	names, dates := map[string]string{}, map[string]string{}
	var d county.DayStats
	return s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketDaily).Cursor()
		var station string
		for k, v := c.First(); k != nil; {
			i := bytes.IndexByte(k, 0)
			if i < 0 {
				k, v = c.Next()
				continue
			}
			st, rawDate := k[:i], k[i+1:]
			switch {
			case string(rawDate) < from:
				k, v = c.Seek(join(string(st), from))
				continue
			case string(rawDate) > to:
				// On to the next station: no date sorts after 0xff.
				k, v = c.Seek(append(join(string(st), ""), 0xff))
				continue
			}
			if string(st) != station {
				if err := ctx.Err(); err != nil {
					return err // a long range read stops between stations
				}
				station = string(st)
			}
			date, ok := dates[string(rawDate)]
			if !ok {
				date = string(rawDate)
				dates[date] = date
			}
			if err := county.DecodeDay(v, &d, names); err != nil {
				return fmt.Errorf("decode %q: %w", k, err)
			}
			if err := fn(station, date, &d); err != nil {
				return err
			}
			k, v = c.Next()
		}
		return nil
	})
}
