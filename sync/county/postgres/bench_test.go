package postgres_test

import (
	"os"
	"strconv"
	"testing"

	"bingzhan/sync/county"
	"bingzhan/sync/county/countytest"
	"bingzhan/sync/county/postgres"
	"bingzhan/sync/county/postgres/pgtest"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"
)

// openBench opens a store on a new database of the shared cluster with conns
// connections.
func openBench(b *testing.B, conns int32) county.Store {
	s, err := postgres.Open(b.Context(), pgtest.Shared(b).NewDatabase(b), b.TempDir(), postgres.Options{Logger: synctest.Quiet, MaxConns: conns})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkBackfill: 1,000,000 entries from 4 stations' backlogs (target ≥ 100,000
// entries/s on two cores). BACKFILL_STREAMS and BACKFILL_PUSH set other numbers of
// stations and entries a push (up to county.MaxPushEntries).
func BenchmarkBackfill(b *testing.B) {
	streams, size := 4, wire.MaxEntries
	if v, err := strconv.Atoi(os.Getenv("BACKFILL_STREAMS")); err == nil {
		streams = v
	}
	if v, err := strconv.Atoi(os.Getenv("BACKFILL_PUSH")); err == nil {
		size = v
	}
	countytest.BenchBackfill(b, openBench, 1_000_000, streams, size)
}

// BenchmarkStations300: 300 stations pushing at once, live and backlog.
func BenchmarkStations300(b *testing.B) { countytest.BenchStations300(b, openBench) }

// BenchmarkFigures: a year of 300 stations' figures by station and month (target
// p99 ≤ 200 ms), as on bbolt.
func BenchmarkFigures(b *testing.B) {
	countytest.BenchFigures(b, func(b *testing.B) (county.Store, countytest.PutDays) {
		s := openBench(b, 4).(*postgres.Store)
		return s, s.PutDays
	})
}
