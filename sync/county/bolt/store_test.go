package bolt_test

import (
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/report"
	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	"bingzhan/sync/county/countytest"
	"bingzhan/sync/synctest"
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
