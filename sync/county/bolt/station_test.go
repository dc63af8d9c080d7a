package bolt_test

import (
	"context"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/county"
	countyhttp "bingzhan/sync/county/http"
	"bingzhan/sync/synctest"
)

// TestStation_NewSecretAndRetire follows a real station agent through what a county
// operator does when an enrolment file leaks or a station closes: after a new secret
// the old file opens nothing, the station re-enrolled with the new file carries on
// with its numbering; a retired station can no longer sync, what it sent stays, the
// dashboard does not count it as behind, and its name may be given again.
func TestStation_NewSecretAndRetire(t *testing.T) {
	ctx := context.Background()
	rc := startRestartable(t)
	e := rc.enrol("西山镇退役军人服务站")
	s := newRestoreStation(t, "key-xishan", e)
	s.record(3)
	s.drained()

	ne, err := county.NewSecretEnrolment(t.Context(), rc.store, nil, "西山镇退役军人服务站", []string{rc.url}, "")
	if err != nil {
		t.Fatal(err)
	}
	if ne.StationID != e.StationID || ne.Secret == e.Secret {
		t.Fatalf("new enrolment %s/%s, want the same station %s with another secret", ne.StationID, ne.StationName, e.StationID)
	}
	if _, err := rc.store.Authenticate(t.Context(), e.StationID, e.Secret); err == nil {
		t.Fatal("the old secret still opens the county")
	}
	s.record(2)
	waitSyncError(t, s, "sync.unauthorized")
	if st := s.stats(); st.Pending != 2 {
		t.Fatalf("%d pending with the old file, want the 2 new records kept", st.Pending)
	}

	// `bingzhan enrol NEWFILE`: the same station, a new secret.
	s.halt()
	e.Secret = ne.Secret
	if err := s.db.Enrol(ctx, e); err != nil {
		t.Fatal(err)
	}
	s.cfg.Enrolment = e
	s.run()
	s.drained()
	if got := seqs(t, rc.store, e.StationID); !sameSeqs(got, span(1, 5)) {
		t.Fatalf("county holds %v, want 1…5: the station carried on", got)
	}

	s.halt()
	st, err := rc.store.RetireStation(t.Context(), e.StationID)
	if err != nil || st.RetiredAt == nil {
		t.Fatalf("retire: %+v %v", st, err)
	}
	if _, err := rc.store.RetireStation(t.Context(), e.StationID); backend.ErrorCode(err) != "conflict" {
		t.Errorf("retiring twice: %v, want a conflict", err)
	}
	if _, _, err := rc.store.NewSecret(t.Context(), e.StationID); backend.ErrorCode(err) != "conflict" {
		t.Errorf("a new secret for a retired station: %v, want a conflict", err)
	}
	s.record(1)
	s.run()
	waitSyncError(t, s, "sync.unauthorized")
	if got := seqs(t, rc.store, e.StationID); !sameSeqs(got, span(1, 5)) {
		t.Fatalf("county holds %v after retiring, want what it had", got)
	}
	views, _, err := (&countyhttp.Server{Store: rc.store, Backups: rc.store, Logger: synctest.Quiet}).StationViews(t.Context())
	if err != nil || len(views) != 1 || views[0].RetiredAt == nil || views[0].Received["events"] != 5 {
		t.Fatalf("station views %+v %v, want the retired station with its 5 records", views, err)
	}
	if _, err := county.NewEnrolment(t.Context(), rc.store, nil, "西山镇退役军人服务站", []string{rc.url}, ""); err != nil {
		t.Errorf("the retired station's name cannot be given again: %v", err)
	}
	if _, err := county.NewSecretEnrolment(t.Context(), rc.store, nil, "东山镇", []string{rc.url}, ""); backend.ErrorCode(err) != "not_found" {
		t.Errorf("a new secret for an unknown station: %v, want not found", err)
	}
}

// waitSyncError waits until the station's last sync attempt failed with the message key.
func waitSyncError(t *testing.T, s *restoreStation, key string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := s.db.SyncState(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.LastError != nil && st.LastError.Key == key && st.LastErrorAt != nil && st.LastAttempt != nil && !st.LastErrorAt.Before(*st.LastAttempt) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sync error %q in 10 s; last state %+v", key, st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
