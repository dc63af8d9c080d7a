package postgres

import (
	"context"
	"fmt"

	"bingzhan/sync/county"
)

// Day implements county.Store.
func (s *Store) Day(ctx context.Context, date string) (map[string]county.DayStats, error) {
	days, err := s.Days(ctx, date, date)
	if err != nil {
		return nil, err
	}
	out := make(map[string]county.DayStats, len(days))
	for station, byDate := range days {
		out[station] = byDate[date]
	}
	return out, nil
}

// Days implements county.Store. The figures are county.EncodeDay's bytes: a year of
// three hundred stations reads back in a fraction of what JSON took.
func (s *Store) Days(ctx context.Context, from, to string) (map[string]map[string]county.DayStats, error) {
	rows, err := s.read.Query(ctx, `SELECT station_id, date, stats FROM daily WHERE date BETWEEN $1 AND $2`, from, to)
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	// Raw values, and each station id and date made a string once: a year of 300
	// stations is 110 000 rows, and a string or two a row was a good part of the read.
	defer rows.Close()
	out := map[string]map[string]county.DayStats{}
	size := county.RangeDays(from, to) // room for every day in each station's map
	names, dates := map[string]string{}, map[string]string{}
	for rows.Next() {
		v := rows.RawValues()
		byDate, ok := out[string(v[0])]
		if !ok {
			byDate = make(map[string]county.DayStats, size)
			out[string(v[0])] = byDate
		}
		date, ok := dates[string(v[1])]
		if !ok {
			date = string(v[1])
			dates[date] = date
		}
		var d county.DayStats
		if err := county.DecodeDay(v[2], &d, names); err != nil {
			return nil, fmt.Errorf("day figures %s %s: %w", v[0], date, err)
		}
		byDate[date] = d
	}
	err = rows.Err()
	return out, ctxErr(ctx, err)
}
