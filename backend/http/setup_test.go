package http_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"bingzhan/backend/app/apptest"
	bzhttp "bingzhan/backend/http"
)

type setupJSON struct {
	FirstAdmin bool `json:"first_admin"`
	AtKiosk    bool `json:"at_kiosk"`
}

// serve sends one request straight to h, as from remote ("" is the kiosk window's
// requests, which have no network address), in Chinese, and returns the status and
// the body.
func serve(h http.Handler, method, path, remote, body string) (int, string, http.Header) {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.RemoteAddr = remote
	r.Header.Set("Accept-Language", "zh-CN")
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String(), w.Header()
}

// TestSetup_FirstAdmin: a station installed from a package has no account. Its first
// admin is set up at the kiosk — the window, or a browser on the kiosk PC — and is
// logged in at once; a PC on the network is refused, a weak PIN stores nothing, and
// once there is an admin the way is closed.
func TestSetup_FirstAdmin(t *testing.T) {
	st := openStation(t, apptest.Options{})
	h := st.Server.Handler()
	window := bzhttp.KioskWindow(h)
	setup := func(remote string) setupJSON {
		t.Helper()
		code, body, _ := serve(h, "GET", "/api/v1/setup", remote, "")
		var s setupJSON
		if code != 200 || json.Unmarshal([]byte(body), &s) != nil {
			t.Fatalf("GET /api/v1/setup: %d %s", code, body)
		}
		return s
	}
	noAccount := func() {
		t.Helper()
		if has, err := st.Accounts.HasStaff(t.Context()); err != nil || has {
			t.Fatalf("an account was stored: %v %v", has, err)
		}
	}

	if s := setup("127.0.0.1:40000"); !s.FirstAdmin || !s.AtKiosk {
		t.Fatalf("a fresh station at its kiosk: %+v", s)
	}
	if s := setup("192.168.1.20:40000"); !s.FirstAdmin || s.AtKiosk {
		t.Fatalf("a fresh station seen from a staff PC: %+v", s)
	}

	t.Run("ErrForbidden", func(t *testing.T) {
		for _, remote := range []string{"192.168.1.20:40000", "10.0.0.7:1234", "[fe80::1]:40000", ""} {
			code, body, _ := serve(h, "POST", "/api/v1/setup/admin", remote, `{"name":"站长","pin":"975310"}`)
			if code != 403 || !strings.Contains(body, `"forbidden"`) || !strings.Contains(body, "只能在自助机上设置") {
				t.Fatalf("from %q: %d %s", remote, code, body)
			}
		}
		noAccount()
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tc := range []struct{ body, says string }{
			{`{"name":"站长","pin":"123456"}`, "太容易被猜到"},
			{`{"name":"站长","pin":"9753"}`, "6 到 12 位数字"},
			{`{"name":"","pin":"975310"}`, "姓名"},
			{`{"name":"站长","pin":"975310","role":"staff"}`, "请求格式不正确"},
			{`not json`, "请求格式不正确"},
		} {
			code, body, _ := serve(window, "POST", "/api/v1/setup/admin", "", tc.body)
			if code != 400 || !strings.Contains(body, tc.says) {
				t.Fatalf("%s: %d %s, want 400 saying %s", tc.body, code, body, tc.says)
			}
		}
		noAccount()
		if s := setup("127.0.0.1:40000"); !s.FirstAdmin {
			t.Fatalf("refused tries closed the set-up: %+v", s)
		}
	})

	t.Run("OK", func(t *testing.T) {
		code, body, hdr := serve(window, "POST", "/api/v1/setup/admin", "", `{"name":" 站长 ","pin":"975310"}`)
		var se struct{ Token, Name, Role, ExpiresAt string }
		if code != 200 || json.Unmarshal([]byte(body), &se) != nil {
			t.Fatalf("set up the first admin: %d %s", code, body)
		}
		if se.Token == "" || se.Name != "站长" || se.Role != "admin" {
			t.Fatalf("session %s", body)
		}
		if c := hdr.Get("Set-Cookie"); !strings.Contains(c, bzhttp.SessionCookie+"="+se.Token) || !strings.Contains(c, "HttpOnly") {
			t.Fatalf("no session cookie: %q", c)
		}
		// The answer is a login: the console opens with it, admin screens included.
		var me struct{ Name, Role string }
		if resp, _ := apptest.Send(t, "GET", st.URL+"/api/v1/me", nil, &me, apptest.Req{Token: se.Token}); resp.StatusCode != 200 || me.Role != "admin" {
			t.Fatalf("me: %d %+v", resp.StatusCode, me)
		}
		if list := listStaff(t, st, se.Token); len(list) != 1 || list["站长"].Role != "admin" || list["站长"].LastLogin == nil {
			t.Fatalf("accounts %+v", list)
		}
		if s := setup("127.0.0.1:40000"); s.FirstAdmin {
			t.Fatalf("set-up still offered after the first admin: %+v", s)
		}
		if !strings.Contains(st.Log.String(), "first admin set up at the kiosk") || strings.Contains(st.Log.String(), "975310") {
			t.Fatalf("the log does not record the set-up, or holds the PIN:\n%s", st.Log.String())
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		for _, name := range []string{"站长", "另一个人"} {
			code, body, _ := serve(window, "POST", "/api/v1/setup/admin", "", `{"name":"`+name+`","pin":"864213"}`)
			if code != 409 || !strings.Contains(body, "本站已有工作人员账户") {
				t.Fatalf("a second first admin %s: %d %s", name, code, body)
			}
		}
		if resp, _ := apptest.Send(t, "POST", st.URL+"/api/v1/login", map[string]string{"name": "站长", "pin": "864213"}, nil, apptest.Req{}); resp.StatusCode != 401 {
			t.Fatalf("the refused PIN logs in: %d", resp.StatusCode)
		}
		admin := st.login(t, "站长", "975310")
		if list := listStaff(t, st, admin); len(list) != 1 {
			t.Fatalf("accounts %+v", list)
		}
	})
}

// TestSetup_StationWithAccounts: a station that has accounts (made at the command
// line, or a demo) never offers the set-up, at the kiosk or anywhere.
func TestSetup_StationWithAccounts(t *testing.T) {
	st := mustStation(t)
	h := st.Server.Handler()
	code, body, _ := serve(h, "GET", "/api/v1/setup", "127.0.0.1:40000", "")
	if code != 200 || !strings.Contains(body, `"first_admin":false`) {
		t.Fatalf("setup: %d %s", code, body)
	}
	code, body, _ = serve(bzhttp.KioskWindow(h), "POST", "/api/v1/setup/admin", "", `{"name":"新站长","pin":"864213"}`)
	if code != 409 || !strings.Contains(body, `"conflict"`) {
		t.Fatalf("first admin on a station with accounts: %d %s", code, body)
	}
	if list := listStaff(t, st, st.login(t, "站长", "975310")); len(list) != 2 {
		t.Fatalf("accounts %+v", list)
	}
}
