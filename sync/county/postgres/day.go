package postgres

import (
	"context"

	"bingzhan/sync/county"

	"github.com/jackc/pgx/v5"
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

// days returns every station's figures for the dates from through to (YYYY-MM-DD,
// both included), by station id and date: what a range of days reads at once.
func (s *Store) Days(ctx context.Context, from, to string) (map[string]map[string]county.DayStats, error) {
	rows, err := s.read.Query(ctx, `SELECT station_id, date, stats FROM daily WHERE date BETWEEN $1 AND $2`, from, to)
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	out := map[string]map[string]county.DayStats{}
	var station, date string
	var d county.DayStats
	_, err = pgx.ForEachRow(rows, []any{&station, &date, &d}, func() error {
		if out[station] == nil {
			out[station] = map[string]county.DayStats{}
		}
		out[station][date] = d
		d = county.DayStats{}
		return nil
	})
	return out, ctxErr(ctx, err)
}
