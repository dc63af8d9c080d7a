package http_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/app/apptest"
	bzhttp "bingzhan/backend/http"
)

type staffRow struct {
	Name        string
	Role        string
	LastLogin   *string `json:"last_login"`
	LockedUntil *string `json:"locked_until"`
}

func listStaff(t *testing.T, st *station, token string) map[string]staffRow {
	t.Helper()
	var list []staffRow
	if resp := do(t, nil, "GET", st.URL+"/api/v1/staff", token, nil, &list); resp.StatusCode != 200 {
		t.Fatalf("list staff: %d", resp.StatusCode)
	}
	out := map[string]staffRow{}
	for _, r := range list {
		out[r.Name] = r
	}
	return out
}

// doZh is do with Accept-Language zh-CN, for the messages a Chinese screen shows.
func doZh(t *testing.T, method, url, token string) (int, errorJSON) {
	t.Helper()
	var e errorJSON
	resp, _ := apptest.Send(t, method, url, nil, &e, apptest.Req{Token: token, Lang: "zh-CN"})
	return resp.StatusCode, e
}

func TestStaffAccounts_Auth(t *testing.T) {
	st := mustStation(t)
	clerk := st.login(t, "王芳", "240816")
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/api/v1/staff", ""},
		{"POST", "/api/v1/staff", `{"name":"李强","role":"staff","pin":"135792"}`},
		{"PUT", "/api/v1/staff/站长/pin", `{"pin":"135792"}`},
		{"POST", "/api/v1/staff/站长/unlock", ""},
		{"PUT", "/api/v1/staff/站长/role", `{"role":"staff"}`},
		{"DELETE", "/api/v1/staff/站长", ""},
		{"DELETE", "/api/v1/counters/2", ""},
	} {
		for _, tc := range []struct {
			who, token, code string
			status           int
		}{{"nobody", "", "unauthorized", 401}, {"staff", clerk, "forbidden", 403}} {
			t.Run(tc.who+" "+r.method+" "+r.path, func(t *testing.T) {
				var body any
				if r.body != "" {
					body = r.body
				}
				var e errorJSON
				resp := do(t, nil, r.method, st.URL+r.path, tc.token, body, &e)
				if resp.StatusCode != tc.status || e.Code != tc.code || e.Message == "" {
					t.Fatalf("%d %+v", resp.StatusCode, e)
				}
			})
		}
	}
	// Nothing the refused requests asked for happened.
	admin := st.login(t, "站长", "975310")
	list := listStaff(t, st, admin)
	if len(list) != 2 || list["站长"].Role != "admin" {
		t.Fatalf("accounts changed by refused requests: %+v", list)
	}
	var counters []struct{ Number int }
	do(t, nil, "GET", st.URL+"/api/v1/counters", admin, nil, &counters)
	if len(counters) != 2 {
		t.Fatalf("counters changed by refused requests: %+v", counters)
	}
}

func TestStaffAccounts_Admin(t *testing.T) {
	st := mustStation(t)
	admin := st.login(t, "站长", "975310")

	t.Run("AddAndLogin", func(t *testing.T) {
		resp := do(t, nil, "POST", st.URL+"/api/v1/staff", admin, map[string]string{"name": "李强", "role": "staff", "pin": "135792"}, nil)
		if resp.StatusCode != 201 {
			t.Fatalf("add: %d", resp.StatusCode)
		}
		st.login(t, "李强", "135792")
		if row := listStaff(t, st, admin)["李强"]; row.Role != "staff" || row.LastLogin == nil || row.LockedUntil != nil {
			t.Fatalf("list row %+v", row)
		}
	})

	t.Run("Unlock", func(t *testing.T) {
		for i := 0; i < backend.MaxPINFailures; i++ {
			do(t, nil, "POST", st.URL+"/api/v1/login", "", map[string]string{"name": "李强", "pin": "000001"}, nil)
		}
		if row := listStaff(t, st, admin)["李强"]; row.LockedUntil == nil {
			t.Fatalf("the list does not show the lock: %+v", row)
		}
		if resp := do(t, nil, "POST", st.URL+"/api/v1/staff/李强/unlock", admin, nil, nil); resp.StatusCode != 204 {
			t.Fatalf("unlock: %d", resp.StatusCode)
		}
		if row := listStaff(t, st, admin)["李强"]; row.LockedUntil != nil {
			t.Fatalf("still locked: %+v", row)
		}
		st.login(t, "李强", "135792")
		var e errorJSON
		if resp := do(t, nil, "POST", st.URL+"/api/v1/staff/nobody/unlock", admin, nil, &e); resp.StatusCode != 404 || !strings.Contains(e.Message, "nobody") {
			t.Fatalf("unlock unknown: %d %+v", resp.StatusCode, e)
		}
	})

	t.Run("Role", func(t *testing.T) {
		tok := st.login(t, "李强", "135792")
		if resp := do(t, nil, "GET", st.URL+"/api/v1/staff", tok, nil, nil); resp.StatusCode != 403 {
			t.Fatalf("staff listing accounts: %d", resp.StatusCode)
		}
		if resp := do(t, nil, "PUT", st.URL+"/api/v1/staff/李强/role", admin, map[string]string{"role": "admin"}, nil); resp.StatusCode != 204 {
			t.Fatalf("promote: %d", resp.StatusCode)
		}
		// The same session now may do admin things.
		if resp := do(t, nil, "GET", st.URL+"/api/v1/staff", tok, nil, nil); resp.StatusCode != 200 {
			t.Fatalf("promoted session listing accounts: %d", resp.StatusCode)
		}
		for _, tc := range []struct {
			name, path, body string
			status           int
		}{
			{"BadRole", "/api/v1/staff/李强/role", `{"role":"boss"}`, 400},
			{"BadJSON", "/api/v1/staff/李强/role", `{"role":`, 400},
			{"NotFound", "/api/v1/staff/nobody/role", `{"role":"staff"}`, 404},
			{"Self", "/api/v1/staff/站长/role", `{"role":"staff"}`, 409},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var e errorJSON
				if resp := do(t, nil, "PUT", st.URL+tc.path, admin, tc.body, &e); resp.StatusCode != tc.status || e.Message == "" {
					t.Fatalf("%d %+v", resp.StatusCode, e)
				}
			})
		}
	})

	t.Run("Remove", func(t *testing.T) {
		tok := st.login(t, "李强", "135792")
		if resp := do(t, nil, "DELETE", st.URL+"/api/v1/staff/李强", admin, nil, nil); resp.StatusCode != 204 {
			t.Fatalf("remove: %d", resp.StatusCode)
		}
		// The removed person's session ends at once, and the name cannot log in.
		if resp := do(t, nil, "GET", st.URL+"/api/v1/me", tok, nil, nil); resp.StatusCode != 401 {
			t.Fatalf("removed person's session: %d", resp.StatusCode)
		}
		if resp := do(t, nil, "POST", st.URL+"/api/v1/login", "", map[string]string{"name": "李强", "pin": "135792"}, nil); resp.StatusCode != 401 {
			t.Fatalf("removed person's login: %d", resp.StatusCode)
		}
		if _, ok := listStaff(t, st, admin)["李强"]; ok {
			t.Fatal("removed account still listed")
		}
		if resp := do(t, nil, "DELETE", st.URL+"/api/v1/staff/李强", admin, nil, nil); resp.StatusCode != 404 {
			t.Fatalf("remove twice: %d", resp.StatusCode)
		}
	})

	t.Run("ErrRemoveSelf", func(t *testing.T) {
		code, e := doZh(t, "DELETE", st.URL+"/api/v1/staff/站长", admin)
		if code != 409 || e.Code != "conflict" || !strings.Contains(e.Message, "不能删除自己") {
			t.Fatalf("remove self: %d %+v", code, e)
		}
		var en errorJSON
		do(t, nil, "DELETE", st.URL+"/api/v1/staff/站长", admin, nil, &en)
		if !strings.Contains(en.Message, "Ask another admin") {
			t.Fatalf("English message: %+v", en)
		}
		if resp := do(t, nil, "GET", st.URL+"/api/v1/me", admin, nil, nil); resp.StatusCode != 200 {
			t.Fatalf("admin's own session after a refused removal: %d", resp.StatusCode)
		}
	})

	t.Run("HistoryKeepsName", func(t *testing.T) {
		do(t, nil, "POST", st.URL+"/api/v1/staff", admin, map[string]string{"name": "赵敏", "role": "staff", "pin": "135792"}, nil)
		tok := st.login(t, "赵敏", "135792")
		id := st.issue(t, "B", false)
		var tk ticketJSON
		if resp := do(t, nil, "POST", st.URL+"/api/v1/tickets/"+id+"/call", tok, map[string]int{"counter": 1}, &tk); resp.StatusCode != 200 {
			t.Fatalf("call: %d", resp.StatusCode)
		}
		if resp := do(t, nil, "DELETE", st.URL+"/api/v1/staff/赵敏", admin, nil, nil); resp.StatusCode != 204 {
			t.Fatalf("remove: %d", resp.StatusCode)
		}
		if resp := do(t, nil, "POST", st.URL+"/api/v1/tickets/"+id+"/finish", admin, nil, &tk); resp.StatusCode != 200 {
			t.Fatalf("finish: %d", resp.StatusCode)
		}
		if len(tk.History) < 2 || tk.History[0].By != "赵敏" || tk.History[len(tk.History)-1].By != "站长" {
			t.Fatalf("history %+v", tk.History)
		}
	})
}

func TestCounters_Delete(t *testing.T) {
	st := mustStation(t)
	admin := st.login(t, "站长", "975310")
	id := st.issue(t, "B", false)
	if resp := do(t, nil, "POST", st.URL+"/api/v1/tickets/"+id+"/call", admin, map[string]int{"counter": 2}, nil); resp.StatusCode != 200 {
		t.Fatalf("call: %d", resp.StatusCode)
	}
	for _, tc := range []struct {
		name, path string
		status     int
		message    string
	}{
		{"Busy", "/api/v1/counters/2", 409, "cannot be removed"},
		{"NotFound", "/api/v1/counters/7", 404, "no counter 7"},
		{"BadNumber", "/api/v1/counters/x", 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e errorJSON
			resp := do(t, nil, "DELETE", st.URL+tc.path, admin, nil, &e)
			if resp.StatusCode != tc.status || !strings.Contains(e.Message, tc.message) {
				t.Fatalf("%d %+v", resp.StatusCode, e)
			}
		})
	}
	do(t, nil, "POST", st.URL+"/api/v1/tickets/"+id+"/finish", admin, nil, nil)
	if resp := do(t, nil, "DELETE", st.URL+"/api/v1/counters/2", admin, nil, nil); resp.StatusCode != 204 {
		t.Fatalf("delete a free counter: %d", resp.StatusCode)
	}
	var e errorJSON
	if resp := do(t, nil, "DELETE", st.URL+"/api/v1/counters/1", admin, nil, &e); resp.StatusCode != 409 || !strings.Contains(e.Message, "At least one counter") {
		t.Fatalf("delete the last counter: %d %+v", resp.StatusCode, e)
	}
}

// TestStaffNames_KioskOnly: the kiosk's login lists the staff to tap, because its
// touchscreen has no keyboard — in the kiosk window and in a browser on the kiosk PC,
// never to another PC on the network, which is told in its language to type the name.
func TestStaffNames_KioskOnly(t *testing.T) {
	st := mustStation(t)
	ask := func(h http.Handler, remote string) (int, string) {
		r := httptest.NewRequest("GET", "/api/v1/kiosk/staff-names", nil)
		r.RemoteAddr = remote
		r.Header.Set("Accept-Language", "zh-CN")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	for _, tc := range []struct {
		name   string
		h      http.Handler
		remote string
		want   int
	}{
		{"the window (no network address)", bzhttp.KioskWindow(st.Server.Handler()), "", 200},
		{"a browser on the kiosk PC", st.Server.Handler(), "127.0.0.1:50123", 200},
		{"a browser on the kiosk PC over IPv6", st.Server.Handler(), "[::1]:50123", 200},
		{"a staff PC on the network", st.Server.Handler(), "192.168.1.20:50123", 403},
		{"no address at all, outside the window", st.Server.Handler(), "", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := ask(tc.h, tc.remote)
			if code != tc.want {
				t.Fatalf("%d %s, want %d", code, body, tc.want)
			}
			if code == 200 {
				var got struct{ Names []string }
				if err := json.Unmarshal([]byte(body), &got); err != nil {
					t.Fatal(err)
				}
				want := []string{"王芳", "站长"}
				slices.Sort(want)
				slices.Sort(got.Names)
				if !slices.Equal(got.Names, want) {
					t.Fatalf("names %v, want 王芳 and 站长", got.Names)
				}
				if strings.Contains(body, "pin") || strings.Contains(body, "role") {
					t.Fatalf("more than names: %s", body)
				}
			} else if !strings.Contains(body, "请输入姓名") {
				t.Fatalf("not told to type the name: %s", body)
			}
		})
	}
}
