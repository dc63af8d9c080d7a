package postgres_test

import (
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/report"
	"bingzhan/sync/county"
	"bingzhan/sync/county/countytest"
	"bingzhan/sync/county/postgres"
	"bingzhan/sync/county/postgres/pgtest"
	"bingzhan/sync/synctest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// mustOpen opens a store on a new database of the shared cluster, its data key in a
// temp folder, and closes it when tb ends.
func mustOpen(tb testing.TB, clock backend.Clock) *postgres.Store {
	tb.Helper()
	return mustOpenURL(tb, pgtest.Shared(tb).NewDatabase(tb), tb.TempDir(), clock)
}

func mustOpenURL(tb testing.TB, url, dir string, clock backend.Clock) *postgres.Store {
	tb.Helper()
	st, err := postgres.Open(tb.Context(), url, dir, postgres.Options{ReadSheet: report.ParseSheet, Clock: clock, Logger: synctest.Quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// TestStore runs the county.Store conformance suite on a new database per subtest.
func TestStore(t *testing.T) {
	countytest.TestStore(t, func(t *testing.T, clock backend.Clock) county.Store { return mustOpen(t, clock) })
}
