package http_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/app/apptest"
	"bingzhan/backend/bolt"
	"bingzhan/sync/agent"
	"bingzhan/sync/synctest"
)

// syncStation opens a station with one admin and one staff account and returns its
// database and its API on loopback.
func syncStation(t *testing.T) (*bolt.DB, *httptest.Server) {
	t.Helper()
	st := openStation(t, apptest.Options{Logger: synctest.Quiet, NoServer: true})
	ctx := context.Background()
	if _, err := st.Accounts.AddStaff(ctx, "admin", backend.RoleAdmin, "135790"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Accounts.AddStaff(ctx, "clerk", backend.RoleStaff, "246813"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(st.Server.APIHandler())
	t.Cleanup(srv.Close)
	return st.DB, srv
}

func syncLogin(t *testing.T, srv *httptest.Server, name, pin string) string {
	t.Helper()
	return login(t, srv.URL, name, pin)
}

func syncCall(t *testing.T, srv *httptest.Server, method, path, token, body string, v any) int {
	t.Helper()
	var b any
	if body != "" {
		b = body
	}
	resp, _ := apptest.Send(t, method, srv.URL+path, b, v, apptest.Req{Token: token, Lang: "en"})
	return resp.StatusCode
}

type syncStatus struct {
	State             string                          `json:"state"`
	Enrolled          bool                            `json:"enrolled"`
	Pending           int                             `json:"pending"`
	OldestPendingAgeS *int                            `json:"oldest_pending_age_s"`
	LastSuccess       *string                         `json:"last_success"`
	LastError         *struct{ Code, Message string } `json:"last_error"`
	DeadLetters       []struct {
		Seq     uint64
		Kind    string
		Code    string
		Message string
	} `json:"dead_letters"`
}

func TestSyncPanel(t *testing.T) {
	ctx := context.Background()
	t.Run("NotEnrolled", func(t *testing.T) {
		_, srv := syncStation(t)
		if code := syncCall(t, srv, "GET", "/api/v1/sync", "", "", nil); code != 401 {
			t.Fatalf("without login: %d", code)
		}
		var st syncStatus
		if code := syncCall(t, srv, "GET", "/api/v1/sync", syncLogin(t, srv, "clerk", "246813"), "", &st); code != 200 ||
			st.State != backend.SyncNotEnrolled || st.Enrolled || st.LastError != nil {
			t.Fatalf("%d %+v", code, st)
		}
	})

	t.Run("Offline", func(t *testing.T) {
		db, srv := syncStation(t)
		synctest.Backlog(t, db, "key-1", 3)
		e := backend.Enrolment{CountyURL: "http://127.0.0.1:1", StationID: "st-0001-abcd", Secret: strings.Repeat("s", 43)}
		a, err := agent.New(synctest.FastConfig(db, e, "key-1"))
		if err != nil {
			t.Fatal(err)
		}
		a.Sync(ctx)
		var st syncStatus
		syncCall(t, srv, "GET", "/api/v1/sync", syncLogin(t, srv, "clerk", "246813"), "", &st)
		if st.State != backend.SyncOffline || st.Pending != 3 || st.OldestPendingAgeS == nil || st.LastError == nil ||
			!strings.Contains(st.LastError.Message, "kept safely") {
			t.Fatalf("%+v", st)
		}
	})

	t.Run("DeadLetters", func(t *testing.T) {
		c := synctest.StartCounty(t)
		e := c.Enrol(t, "station", "")
		// Records no county can store (a malformed kind) stay dead letters. (Sequences
		// taken by another file of the same station are renumbered, not refused.)
		db, srv := syncStation(t)
		if err := db.AppendFacts(ctx, "key-1", "Bad Kind", map[string]int{"n": 1}, map[string]int{"n": 2}); err != nil {
			t.Fatal(err)
		}
		b, _ := agent.New(synctest.FastConfig(db, e, "key-1"))
		if err := b.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		clerk, admin := syncLogin(t, srv, "clerk", "246813"), syncLogin(t, srv, "admin", "135790")
		var st syncStatus
		syncCall(t, srv, "GET", "/api/v1/sync", clerk, "", &st)
		if st.State != backend.SyncAttention || len(st.DeadLetters) != 2 || st.DeadLetters[0].Code != "invalid" ||
			!strings.Contains(st.DeadLetters[0].Message, "malformed") || st.LastSuccess == nil {
			t.Fatalf("%+v", st)
		}
		for _, tc := range []struct {
			name, path, token, body string
			want                    int
		}{
			{"ErrStaffCannotRetry", "/api/v1/sync/dead/1/retry", clerk, "", 403},
			{"ErrUnknownSeq", "/api/v1/sync/dead/99/retry", admin, "", 404},
			{"ErrBadSeq", "/api/v1/sync/dead/x/retry", admin, "", 404},
			{"ErrNoReason", "/api/v1/sync/dead/1/discard", admin, `{"reason":""}`, 400},
			{"Discard", "/api/v1/sync/dead/1/discard", admin, `{"reason":"test record"}`, 200},
			{"Retry", "/api/v1/sync/dead/2/retry", admin, "", 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var out map[string]string
				if code := syncCall(t, srv, "POST", tc.path, tc.token, tc.body, &out); code != tc.want {
					t.Fatalf("%d %v, want %d", code, out, tc.want)
				}
			})
		}
		syncCall(t, srv, "GET", "/api/v1/sync", clerk, "", &st)
		if st.Pending != 2 || len(st.DeadLetters) != 0 {
			t.Fatalf("after discard and retry: %+v", st)
		}
		entries, _ := db.OutboxEntries(ctx, 0, 10)
		if entries[0].Kind != backend.KindSyncDiscarded || !strings.Contains(string(entries[0].Data), `"by":"admin"`) {
			t.Fatalf("discard marker %+v", entries[0])
		}
	})
}
