package postgres

import (
	"context"
	"fmt"

	"bingzhan/sync/county"
)

// EachDay implements county.Store. The figures are county.EncodeDay's bytes, read
// raw and in the table's order: a year of 300 stations is 110 000 rows, sorting them
// took as long as the scan, and a string or two a row was a good part of the read.
func (s *Store) EachDay(ctx context.Context, from, to string, fn func(station, date string, d *county.DayStats) error) error {
	rows, err := s.read.Query(ctx, `SELECT station_id, date, stats FROM daily WHERE date BETWEEN $1 AND $2`, from, to)
	if err != nil {
		return ctxErr(ctx, err)
	}
	defer rows.Close()
	names, dates := map[string]string{}, map[string]string{}
	var station string
	var d county.DayStats
	for rows.Next() {
		v := rows.RawValues()
		if string(v[0]) != station {
			station = string(v[0])
		}
		date, ok := dates[string(v[1])]
		if !ok {
			date = string(v[1])
			dates[date] = date
		}
		if err := county.DecodeDay(v[2], &d, names); err != nil {
			return fmt.Errorf("day figures %s %s: %w", station, date, err)
		}
		if err := fn(station, date, &d); err != nil {
			return err
		}
	}
	return ctxErr(ctx, rows.Err())
}
