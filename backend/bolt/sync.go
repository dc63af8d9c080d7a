package bolt

import (
	"context"
	"slices"
	"time"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// Sync state. Keys:
//
//	sync: "enrolment" → backend.Enrolment (JSON); "state" → backend.SyncState (JSON)
var (
	bucketSync   = newBucket("sync")
	keyEnrolment = []byte("enrolment")
	keySyncState = []byte("state")
)

// Enrol stores the station's link to its county. A station moved to another county
// registration (another station id, or addresses none of which it had) starts with a
// fresh sync state; its outbox is kept and goes there. A county that gained or lost a
// server is the same county.
func (db *DB) Enrol(ctx context.Context, e backend.Enrolment) error {
	if e.EnrolledAt.IsZero() {
		e.EnrolledAt = db.Clock.Now().UTC()
	}
	return db.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSync)
		var old backend.Enrolment
		if _, err := getJSON(b, keyEnrolment, &old); err != nil {
			return err
		}
		if old.StationID != e.StationID || !slices.ContainsFunc(old.Counties(), func(u string) bool { return slices.Contains(e.Counties(), u) }) {
			if err := putJSON(b, keySyncState, &backend.SyncState{}); err != nil {
				return err
			}
		}
		return putJSON(b, keyEnrolment, &e)
	})
}

// Enrolment returns the station's enrolment, or nil when it has none.
func (db *DB) Enrolment(ctx context.Context) (*backend.Enrolment, error) {
	var e backend.Enrolment
	var ok bool
	err := db.db.View(func(tx *bolt.Tx) error {
		var err error
		ok, err = getJSON(tx.Bucket(bucketSync), keyEnrolment, &e)
		return err
	})
	if err != nil || !ok {
		return nil, err
	}
	return &e, nil
}

// SyncState returns what the agent last recorded.
func (db *DB) SyncState(ctx context.Context) (backend.SyncState, error) {
	var st backend.SyncState
	err := db.db.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx.Bucket(bucketSync), keySyncState, &st)
		return err
	})
	return st, err
}

func updateSyncState(tx *bolt.Tx, fn func(*backend.SyncState)) error {
	b := tx.Bucket(bucketSync)
	var st backend.SyncState
	if _, err := getJSON(b, keySyncState, &st); err != nil {
		return err
	}
	fn(&st)
	return putJSON(b, keySyncState, &st)
}

// RecordSyncError notes a failed sync cycle; the first failure after a success starts
// the "failing since" clock.
func (db *DB) RecordSyncError(ctx context.Context, at time.Time, e *backend.Error) error {
	return db.db.Update(func(tx *bolt.Tx) error {
		return updateSyncState(tx, func(s *backend.SyncState) {
			s.LastAttempt, s.LastErrorAt, s.LastError = &at, &at, e
			if s.FailingSince == nil {
				s.FailingSince = &at
			}
		})
	})
}

// SyncStatus returns what the staff sync panel shows.
func (db *DB) SyncStatus(ctx context.Context) (*backend.SyncStatus, error) {
	e, err := db.Enrolment(ctx)
	if err != nil {
		return nil, err
	}
	stats, err := db.OutboxStats(ctx)
	if err != nil {
		return nil, err
	}
	st, err := db.SyncState(ctx)
	if err != nil {
		return nil, err
	}
	dead, err := db.DeadLetters(ctx)
	if err != nil {
		return nil, err
	}
	out := &backend.SyncStatus{Enrolled: e != nil, Pending: stats.Pending, OldestPending: stats.OldestPending,
		DeadLetters: dead, Last: st}
	if e != nil {
		out.County, out.Counties, out.StationName = e.CountyURL, e.Counties(), e.StationName
		if slices.Contains(out.Counties, st.County) {
			out.County = st.County
		}
	}
	switch {
	case e == nil:
		out.State = backend.SyncNotEnrolled
	case len(dead) > 0:
		out.State = backend.SyncAttention
	case st.LastError != nil:
		out.State = backend.SyncOffline
	case stats.Pending > 0:
		out.State = backend.SyncBehind
	default:
		out.State = backend.SyncOK
	}
	return out, nil
}
