package postgres

import (
	"context"

	"bingzhan/sync/county"
)

// Days exposes days to the tests until county.Store has a range method.
func (s *Store) Days(ctx context.Context, from, to string) (map[string]map[string]county.DayStats, error) {
	return s.days(ctx, from, to)
}
