package bolt_test

import (
	"context"
	"path/filepath"
	"testing"

	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	"bingzhan/sync/county/countytest"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"

	bbolt "go.etcd.io/bbolt"
)

// TestStore_DayJSON: figures written as JSON before the compact encoding are read as
// they were and counted on.
func TestStore_DayJSON(t *testing.T) {
	dir := t.TempDir()
	st, err := countybolt.Open(dir, countybolt.Options{Logger: synctest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	station, _, err := st.AddStation(t.Context(), "东风镇")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := bbolt.Open(filepath.Join(dir, countybolt.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("daily")).Put([]byte(station.ID+"\x002026-11-23"),
			[]byte(`{"tickets":4,"visits":1,"called":2,"wait_sum_s":600,"wait_max_s":400}`))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	st, err = countybolt.Open(dir, countybolt.Options{Logger: synctest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	day, err := county.Day(t.Context(), st, "2026-11-23")
	if d := day[station.ID]; err != nil || d.Tickets != 4 || d.Called != 2 || d.WaitSumS != 600 || d.WaitMaxS != 400 {
		t.Fatalf("old figures read as %+v %v", d, err)
	}
	_, err = st.Ingest(t.Context(), station.ID, &county.Push{PushHeader: wire.PushHeader{Station: "key-1"},
		Entries: []wire.Entry{entry(1, "a", "ticket.issued", `{"id":"t5","date":"2026-11-23","service":"B"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	day, _ = county.Day(t.Context(), st, "2026-11-23")
	if d := day[station.ID]; d.Tickets != 5 || d.CardTickets != 1 || d.Called != 2 || d.WaitSumS != 600 {
		t.Errorf("counted on: %+v", d)
	}
}

// BenchmarkFigures: a year of 300 stations' figures by station and month (target
// p99 ≤ 200 ms), as on PostgreSQL.
func BenchmarkFigures(b *testing.B) {
	countytest.BenchFigures(b, func(b *testing.B) (county.Store, countytest.PutDays) {
		st, err := countybolt.Open(b.TempDir(), countybolt.Options{Logger: synctest.Quiet})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st, func(_ context.Context, station string, days map[string]county.DayStats) error {
			return st.PutDays(station, days)
		}
	})
}
