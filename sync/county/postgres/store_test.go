package postgres_test

import (
	"bytes"
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/report"
	"bingzhan/sync/county"
	"bingzhan/sync/county/countytest"
	"bingzhan/sync/county/postgres"
	"bingzhan/sync/county/postgres/pgtest"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"

	"github.com/jackc/pgx/v5"
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

// TestStore_BookingsSealed: the bookings hold personal data and rest sealed in the
// database, as the registry does.
func TestStore_BookingsSealed(t *testing.T) {
	ctx := t.Context()
	url := pgtest.Shared(t).NewDatabase(t)
	st := mustOpenURL(t, url, t.TempDir(), nil)
	if _, _, err := st.AddStation(ctx, "东风镇服务站"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(ctx, wire.RefBookings, "预约.csv",
		[]byte("服务站,业务,日期,时间,身份证号\n东风镇服务站,A,2026-11-23,09:00,11010519491231002X\n"), "王科长"); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var sealed bool
	var body []byte
	if err := conn.QueryRow(ctx, `SELECT sealed, body FROM datasets WHERE name = 'bookings'`).Scan(&sealed, &body); err != nil {
		t.Fatal(err)
	}
	if !sealed || bytes.Contains(body, []byte("11010519491231002X")) {
		t.Fatalf("stored sealed %v, body in the clear %v", sealed, bytes.Contains(body, []byte("11010519491231002X")))
	}
	if _, body, err := st.CurrentDataset(ctx, wire.RefBookings); err != nil || !bytes.Contains(body, []byte("11010519491231002X")) {
		t.Fatalf("opened %s %v", body, err)
	}
}
