package bolt_test

import (
	"testing"

	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	"bingzhan/sync/county/countytest"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"
)

// openBench opens a store in a new folder; bbolt has one writer, so conns is moot.
func openBench(b *testing.B, _ int32) county.Store {
	s, err := countybolt.Open(b.TempDir(), countybolt.Options{Logger: synctest.Quiet})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkBackfill: 1,000,000 entries from 4 stations' backlogs, as on PostgreSQL.
func BenchmarkBackfill(b *testing.B) {
	countytest.BenchBackfill(b, openBench, 1_000_000, 4, wire.MaxEntries)
}

// BenchmarkStations300: 300 stations pushing at once, live and backlog, as on
// PostgreSQL.
func BenchmarkStations300(b *testing.B) { countytest.BenchStations300(b, openBench) }
