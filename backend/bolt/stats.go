package bolt

import (
	"context"
	"time"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// StatsService works out a day's figures from its tickets (the days index).
type StatsService struct {
	db *DB
}

// NewStatsService returns a StatsService on db.
func NewStatsService(db *DB) *StatsService { return &StatsService{db: db} }

// DayStats returns the figures of date.
func (s *StatsService) DayStats(ctx context.Context, date string) (*backend.DayStats, error) {
	if _, err := time.Parse("2006-01-02", date); err != nil {
		return nil, backend.Errorf(backend.EINVALID, "stats.date")
	}
	var out *backend.DayStats
	err := s.db.db.View(func(tx *bolt.Tx) error {
		tickets, err := dayTickets(tx, date)
		if err != nil {
			return err
		}
		services, err := allServices(tx)
		if err != nil {
			return err
		}
		counters, err := allCounters(tx)
		if err != nil {
			return err
		}
		out = backend.ComputeStats(date, tickets, services, counters)
		ratings, err := dayRatings(tx, date)
		if err != nil {
			return err
		}
		out.AddRatings(ratings)
		return nil
	})
	return out, err
}

// DayTickets returns the tickets of date in issue order.
func (s *StatsService) DayTickets(ctx context.Context, date string) ([]backend.Ticket, error) {
	if _, err := time.Parse("2006-01-02", date); err != nil {
		return nil, backend.Errorf(backend.EINVALID, "stats.date")
	}
	var out []backend.Ticket
	err := s.db.db.View(func(tx *bolt.Tx) (err error) {
		out, err = dayTickets(tx, date)
		return err
	})
	return out, err
}
