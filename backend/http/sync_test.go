package http_test

import (
	"bytes"
	"context"
	"encoding/json"
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

// TestSync_Enrol: an admin enrols the running station from the console with the file
// the county gave, and the station syncs at once, without a restart; a new file with
// a new secret, or for another county registration, takes over the same way. A wrong
// file is refused in words a person can act on and changes nothing; staff are
// refused; the secret is never answered or logged.
func TestSync_Enrol(t *testing.T) {
	ctx := context.Background()
	c := synctest.StartCounty(t)
	st := openStation(t, apptest.Options{Accounts: true})
	clerk, admin := st.login(t, apptest.StaffName, apptest.StaffPIN), st.login(t, apptest.AdminName, apptest.AdminPIN)
	enrol := func(token string, file []byte) (int, string) {
		t.Helper()
		resp, body := apptest.Send(t, "POST", st.URL+"/api/v1/sync/enrolment", file, nil, apptest.Req{Token: token, Lang: "zh-CN"})
		return resp.StatusCode, string(body)
	}
	status := func() syncStatus {
		t.Helper()
		var s syncStatus
		if resp, body := apptest.Send(t, "GET", st.URL+"/api/v1/sync", nil, &s, apptest.Req{Token: clerk}); resp.StatusCode != 200 {
			t.Fatalf("sync status: %d %s", resp.StatusCode, body)
		}
		return s
	}
	stored := func(stationID string) int {
		n, _, err := c.Store.EntryCount(ctx, stationID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	unchanged := func() {
		t.Helper()
		if s := status(); s.Enrolled || s.State != backend.SyncNotEnrolled {
			t.Fatalf("a refused enrolment changed the station: %+v", s)
		}
		if st.SyncAgent() != nil {
			t.Fatal("a refused enrolment started the agent")
		}
	}
	var secrets []string // of every file given, to look for in answers and the log
	secretOf := func(file []byte) string {
		var e struct{ Secret string }
		if err := json.Unmarshal(file, &e); err != nil || e.Secret == "" {
			t.Fatalf("enrolment file %s: %v", file, err)
		}
		secrets = append(secrets, e.Secret)
		return e.Secret
	}
	file := c.EnrolmentFile(t, "东风镇退役军人服务站")
	var e struct {
		StationID string `json:"station_id"`
	}
	json.Unmarshal(file, &e)

	t.Run("ErrForbidden", func(t *testing.T) {
		if code, body := enrol(clerk, file); code != 403 || !strings.Contains(body, "管理员") {
			t.Fatalf("staff enrolled: %d %s", code, body)
		}
		if code, _ := enrol("", file); code != 401 {
			t.Fatalf("nobody enrolled: %d", code)
		}
		unchanged()
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			file []byte
			says string
		}{
			{"NotJSON", []byte("PK\x03\x04 这是一个表格文件"), "这不是县中心的注册文件"},
			{"Empty", nil, "这不是县中心的注册文件"},
			{"OtherJSON", []byte(`{"version":"2026-11","entries":[]}`), "这不是县中心的注册文件"},
			{"Newer", bytes.Replace(file, []byte("bingzhan-enrolment/1"), []byte("bingzhan-enrolment/2"), 1), "请先升级本站的兵站程序"},
			{"BadAddress", bytes.Replace(file, []byte(`"http://`), []byte(`"ftp://`), 1), "注册文件无法使用"},
			{"TooLarge", bytes.Repeat([]byte(" "), 200<<10), "这不是县中心的注册文件"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code, body := enrol(admin, tc.file)
				if code != 400 || !strings.Contains(body, `"invalid"`) || !strings.Contains(body, tc.says) {
					t.Fatalf("%d %s, want 400 saying %s", code, body, tc.says)
				}
				if strings.Contains(body, secretOf(file)) {
					t.Fatalf("the refusal shows the secret: %s", body)
				}
			})
		}
		unchanged()
	})

	t.Run("OK", func(t *testing.T) {
		code, body := enrol(admin, file)
		var got struct {
			StationID   string   `json:"station_id"`
			StationName string   `json:"station_name"`
			County      string   `json:"county"`
			Counties    []string `json:"counties"`
		}
		if code != 200 || json.Unmarshal([]byte(body), &got) != nil {
			t.Fatalf("enrol: %d %s", code, body)
		}
		if got.StationID != e.StationID || got.StationName != "东风镇退役军人服务站" || got.County != c.URL ||
			len(got.Counties) != 1 || got.Counties[0] != c.URL {
			t.Fatalf("answer %+v", got)
		}
		if strings.Contains(body, secretOf(file)) || strings.Contains(body, "secret") {
			t.Fatalf("the answer shows the secret: %s", body)
		}
		if st.SyncAgent() == nil {
			t.Fatal("no agent after enrolling")
		}
		// The agent pushes at once: the county hears of the station joining.
		synctest.WaitFor(t, "the county stores the station's records", func() bool {
			s := status()
			return stored(e.StationID) > 0 && s.State == backend.SyncOK && s.Pending == 0
		})
	})

	t.Run("NewSecret", func(t *testing.T) {
		before, old := stored(e.StationID), st.SyncAgent()
		file2 := c.NewSecretFile(t, e.StationID)
		secretOf(file2)
		if code, body := enrol(admin, file2); code != 200 {
			t.Fatalf("enrol with a new secret: %d %s", code, body)
		}
		if st.SyncAgent() == old || st.SyncAgent() == nil {
			t.Fatal("the agent was not restarted with the new secret")
		}
		// The old secret no longer works at the county: a record stored now came with
		// the new one.
		synctest.WaitFor(t, "the station syncs with its new secret", func() bool {
			s := status()
			return stored(e.StationID) > before && s.State == backend.SyncOK && s.LastError == nil
		})
	})

	t.Run("OtherStation", func(t *testing.T) {
		file3 := c.EnrolmentFile(t, "西山镇退役军人服务站")
		secretOf(file3)
		var moved struct {
			StationID string `json:"station_id"`
		}
		json.Unmarshal(file3, &moved)
		if code, body := enrol(admin, file3); code != 200 || !strings.Contains(body, "西山镇退役军人服务站") {
			t.Fatalf("enrol as another station: %d %s", code, body)
		}
		synctest.WaitFor(t, "the station syncs under its new county id", func() bool {
			var s struct {
				State       string `json:"state"`
				StationName string `json:"station_name"`
			}
			apptest.Send(t, "GET", st.URL+"/api/v1/sync", nil, &s, apptest.Req{Token: clerk})
			return stored(moved.StationID) > 0 && s.State == backend.SyncOK && s.StationName == "西山镇退役军人服务站"
		})
	})

	for _, secret := range secrets {
		if strings.Contains(st.Log.String(), secret) {
			t.Fatalf("the station log holds a secret:\n%s", st.Log.String())
		}
	}
	if !strings.Contains(st.Log.String(), "enrolled with the county from the console") {
		t.Fatalf("the log does not record the enrolment:\n%s", st.Log.String())
	}
}
