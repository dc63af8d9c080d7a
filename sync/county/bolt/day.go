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
	size := county.RangeDays(from, to)
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
			if err := county.DecodeDay(v, &d, names); err != nil {
				return fmt.Errorf("decode %q: %w", k, err)
			}
			byDate[date] = d
			k, v = c.Next()
		}
		return nil
	})
	return out, err
}
