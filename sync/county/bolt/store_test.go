package bolt_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/report"
	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	"bingzhan/sync/county/countytest"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"
)

// TestStore runs the county.Store conformance suite on bbolt in a temp dir.
func TestStore(t *testing.T) {
	countytest.TestStore(t, func(t *testing.T, clock backend.Clock) county.Store {
		st, err := countybolt.Open(t.TempDir(), countybolt.Options{ReadSheet: report.ParseSheet, Clock: clock, Logger: synctest.Quiet})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}

// TestStore_BookingsSealed: the bookings hold personal data and rest sealed, as the
// registry does; the file holds no ID number.
func TestStore_BookingsSealed(t *testing.T) {
	dir := t.TempDir()
	st, err := countybolt.Open(dir, countybolt.Options{ReadSheet: report.ParseSheet, Logger: synctest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.AddStation(t.Context(), "东风镇服务站"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(t.Context(), wire.RefBookings, "预约.csv",
		[]byte("服务站,业务,日期,时间,身份证号\n东风镇服务站,A,2026-11-23,09:00,11010519491231002X\n"), "王科长"); err != nil {
		t.Fatal(err)
	}
	recs, err := st.DatasetRecords(t.Context())
	if err != nil || len(recs) != 1 || !recs[0].Sealed || bytes.Contains(recs[0].Body, []byte("11010519491231002X")) {
		t.Fatalf("stored %+v %v, want one sealed record", recs, err)
	}
	if _, body, err := st.CurrentDataset(t.Context(), wire.RefBookings); err != nil || !bytes.Contains(body, []byte("11010519491231002X")) {
		t.Fatalf("opened %s %v", body, err)
	}
	st.Close()
	raw, err := os.ReadFile(filepath.Join(dir, "county.db"))
	if err != nil || bytes.Contains(raw, []byte("11010519491231002X")) {
		t.Fatalf("the database file holds the ID number in the clear (%v)", err)
	}
}
