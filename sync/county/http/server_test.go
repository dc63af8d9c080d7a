package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func entry(seq uint64, id, kind, data string) wire.Entry {
	return wire.Entry{ID: id, Seq: seq, StationID: "key-1", Kind: kind, At: time.Now(), Data: json.RawMessage(data)}
}

func push(t *testing.T, c *synctest.County, id, secret string, req wire.PushRequest) (*http.Response, []byte) {
	t.Helper()
	body, _ := json.Marshal(req)
	r, _ := http.NewRequest("POST", c.URL+wire.PushPath, bytes.NewReader(body))
	if id != "" {
		r.SetBasicAuth(id, secret)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

func TestIngest(t *testing.T) {
	c := synctest.StartCounty(t)
	e := c.Enrol(t, "东风镇", "")
	req := wire.PushRequest{PushHeader: wire.PushHeader{Station: "key-1", Pending: 4}, Entries: []wire.Entry{
		entry(1, "a", "ticket.issued", `{"id":"t1","date":"2026-01-01"}`),
		entry(2, "b", "ticket.issued", `{"id":"t2"}`),
		entry(4, "d", "visit.created", `{}`),
	}}
	resp, body := push(t, c, e.StationID, e.Secret, req)
	var pr wire.PushResponse
	if resp.StatusCode != 200 || json.Unmarshal(body, &pr) != nil {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if pr.Contiguous != 2 || len(pr.Results) != 3 || pr.Results[2].Status != wire.Accepted {
		t.Fatalf("first push: %s", body)
	}
	if pr.Highest != 4 {
		t.Fatalf("highest %d, want 4", pr.Highest)
	}
	for _, tc := range []struct {
		name   string
		e      wire.Entry
		status string
		code   string
	}{
		{"Duplicate", entry(1, "a", "ticket.issued", `{"id":"t1"}`), wire.Duplicate, ""},
		// Protocol 1 stations read "rejected conflict" as they always did; protocol 2
		// stations also read renumber and renumber the entry above highest.
		{"ErrSeqTaken", entry(2, "x", "ticket.issued", `{}`), wire.Rejected, "conflict"},
		// The same record under another sequence (a station restored twice) is here.
		{"HeldUnderOtherSeq", entry(3, "a", "ticket.issued", `{}`), wire.Duplicate, ""},
		{"HeldUnderOtherTakenSeq", entry(4, "a", "ticket.issued", `{}`), wire.Duplicate, ""},
		{"ErrNoSeq", entry(0, "z", "ticket.issued", `{}`), wire.Rejected, "invalid"},
		{"ErrNoID", entry(5, "", "ticket.issued", `{}`), wire.Rejected, "invalid"},
		{"ErrKind", entry(5, "z", "Ticket Issued", `{}`), wire.Rejected, "invalid"},
		{"ErrData", entry(5, "z", "ticket.issued", `[1]`), wire.Rejected, "invalid"},
		{"ErrOtherStation", wire.Entry{ID: "z", Seq: 5, StationID: "key-2", Kind: "ticket.issued", Data: json.RawMessage(`{}`)}, wire.Rejected, "invalid"},
		{"DiscardMarkerOverStored", entry(2, "m", wire.KindDiscarded, `{"discarded_id":"x"}`), wire.Accepted, ""},
		{"DiscardMarkerRepeated", entry(2, "m", wire.KindDiscarded, `{"discarded_id":"x"}`), wire.Duplicate, ""},
		{"UnknownKindStored", entry(3, "c", "ledger.future_thing", `{"n":1}`), wire.Accepted, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := push(t, c, e.StationID, e.Secret, wire.PushRequest{PushHeader: wire.PushHeader{Station: "key-1"}, Entries: []wire.Entry{tc.e}})
			var pr wire.PushResponse
			if resp.StatusCode != 200 || json.Unmarshal(body, &pr) != nil || len(pr.Results) != 1 {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			if r := pr.Results[0]; r.Status != tc.status || r.Code != tc.code {
				t.Fatalf("got %+v, want %s %s", r, tc.status, tc.code)
			}
			r := pr.Results[0]
			if wantRenumber := tc.name == "ErrSeqTaken"; r.Renumber != wantRenumber || (wantRenumber && pr.Highest < r.Seq) {
				t.Fatalf("renumber %v with highest %d, want %v", r.Renumber, pr.Highest, wantRenumber)
			}
			if wantHeld := strings.HasPrefix(tc.name, "Held"); (r.Held == 1) != wantHeld {
				t.Fatalf("held %d", r.Held)
			}
			// What a protocol-1 station reads of the answer is what it always read.
			var old struct {
				Results []struct {
					Seq                   uint64
					Status, Code, Message string
				}
				Contiguous uint64
			}
			if err := json.Unmarshal(body, &old); err != nil || old.Results[0].Status != tc.status || old.Results[0].Code != tc.code {
				t.Fatalf("old reading %+v (%v)", old, err)
			}
		})
	}
	t.Run("ErrIDOfOtherStation", func(t *testing.T) {
		other := c.Enrol(t, "西山镇", "")
		e := entry(1, "a", "ticket.issued", `{}`)
		e.StationID = "key-9"
		resp, body := push(t, c, other.StationID, other.Secret, wire.PushRequest{PushHeader: wire.PushHeader{Station: "key-9"}, Entries: []wire.Entry{e}})
		var pr wire.PushResponse
		if resp.StatusCode != 200 || json.Unmarshal(body, &pr) != nil || len(pr.Results) != 1 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		if r := pr.Results[0]; r.Status != wire.Rejected || r.Code != "conflict" || r.Renumber || r.Held != 0 || pr.Highest != 0 {
			t.Fatalf("another station's id: %+v, highest %d", r, pr.Highest)
		}
	})
	t.Run("StoredAsSent", func(t *testing.T) {
		odd := entry(5, "q\"é<\\", "ticket.issued", `{"note":"换行\n"}`)
		resp, body := push(t, c, e.StationID, e.Secret, wire.PushRequest{PushHeader: wire.PushHeader{Station: "key-1"}, Entries: []wire.Entry{odd}})
		if resp.StatusCode != 200 || !strings.Contains(string(body), "accepted") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		got, err := c.Store.Entries(t.Context(), e.StationID, 5, 1)
		if err != nil || len(got) != 1 || got[0].ID != odd.ID || got[0].Kind != odd.Kind || string(got[0].Data) != string(odd.Data) || !got[0].At.Equal(odd.At) {
			t.Fatalf("stored %+v, sent %+v (%v)", got, odd, err)
		}
	})
	n, ids, _ := c.Store.EntryCount(t.Context(), e.StationID)
	if n != 5 || ids != 5 {
		t.Fatalf("stored %d entries, %d ids; want 5 and 5", n, ids)
	}
	sts, _ := c.Store.Stations(t.Context())
	if sts[0].Contiguous != 5 || sts[0].KeyID != "key-1" || sts[0].LastSeen == nil {
		t.Fatalf("station after pushes: %+v", sts[0])
	}

	t.Run("ErrAuth", func(t *testing.T) {
		for _, creds := range [][2]string{{"", ""}, {e.StationID, "wrong-secret-wrong-secret-wrong-secret-xx"}, {"st-9999-0000", e.Secret}} {
			resp, body := push(t, c, creds[0], creds[1], req)
			var eb wire.ErrorBody
			if resp.StatusCode != 401 || json.Unmarshal(body, &eb) != nil || eb.Code != "unauthorized" {
				t.Fatalf("creds %q: %d %s", creds[0], resp.StatusCode, body)
			}
		}
	})
	t.Run("ErrOtherStationKey", func(t *testing.T) {
		other := req
		other.Station = "key-2"
		if resp, body := push(t, c, e.StationID, e.Secret, other); resp.StatusCode != 409 {
			t.Fatalf("a second station key on one enrolment: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("ErrBadBody", func(t *testing.T) {
		r, _ := http.NewRequest("POST", c.URL+wire.PushPath, strings.NewReader("{not json"))
		r.SetBasicAuth(e.StationID, e.Secret)
		resp, err := http.DefaultClient.Do(r)
		if err != nil || resp.StatusCode != 400 {
			t.Fatalf("%v %v", resp.StatusCode, err)
		}
	})
}

// login logs in as a county user made here and returns the session token.
func login(t *testing.T, c *synctest.County) string {
	t.Helper()
	if err := c.Store.AddUser(t.Context(), "王科长", "258013"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(c.URL+"/api/v1/login", "application/json", strings.NewReader(`{"name":"王科长","pin":"258013"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&out) != nil || out.Token == "" {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	return out.Token
}

func TestStationsAPIAndDashboard(t *testing.T) {
	c := synctest.StartCounty(t)
	e := c.Enrol(t, "东风镇服务站", "")
	c.Enrol(t, "西山乡服务站", "")
	today := time.Now().In(c.Server.Location).Format("2006-01-02")
	issued := time.Now().Add(-10 * time.Minute).UTC().Format(time.RFC3339)
	called := time.Now().UTC().Format(time.RFC3339)
	push(t, c, e.StationID, e.Secret, wire.PushRequest{PushHeader: wire.PushHeader{Station: "key-1", Pending: 7}, Entries: []wire.Entry{
		entry(1, "a", "ticket.issued", fmt.Sprintf(`{"id":"t1","date":%q,"issued_at":%q}`, today, issued)),
		entry(2, "b", "ticket.issued", fmt.Sprintf(`{"id":"t2","date":%q,"issued_at":%q}`, today, issued)),
		entry(3, "c", "ticket.call", fmt.Sprintf(`{"id":"t1","date":%q,"issued_at":%q,"called_at":%q}`, today, issued, called)),
		entry(4, "d", "ticket.call", fmt.Sprintf(`{"id":"t1","date":%q,"issued_at":%q,"called_at":%q}`, today, issued, called)),
		entry(5, "e", "visit.created", `{}`),
	}})

	if resp, _ := synctest.Get(t, c.URL+"/api/v1/stations", ""); resp.StatusCode != 401 {
		t.Fatalf("stations without login: %d", resp.StatusCode)
	}
	token := login(t, c)
	resp, body := synctest.Get(t, c.URL+"/api/v1/stations", token)
	var views []struct {
		ID       string
		Name     string
		LastSeen *time.Time `json:"last_seen"`
		Pending  int
		Received map[string]int
		Today    county.DayStats
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &views) != nil || len(views) != 2 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	v := views[0]
	if v.Name != "东风镇服务站" || v.LastSeen == nil || v.Pending != 2 {
		t.Fatalf("station view %+v", v)
	}
	if v.Received["tickets"] != 2 || v.Received["visits"] != 1 || v.Received["calls"] != 2 || v.Received["events"] != 5 {
		t.Fatalf("received %v", v.Received)
	}
	if v.Today.Tickets != 2 || v.Today.Visits != 1 || v.Today.Called != 1 || v.Today.WaitMaxS < 590 || v.Today.WaitMaxS > 610 {
		t.Fatalf("today %+v (a recall must not count as a second wait)", v.Today)
	}
	if views[1].LastSeen != nil || views[1].Received["events"] != 0 {
		t.Fatalf("silent station %+v", views[1])
	}

	t.Run("Dashboard", func(t *testing.T) {
		if resp, _ := synctest.Get(t, c.URL+"/", ""); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("dashboard without login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body := synctest.Get(t, c.URL+"/", token)
		page := string(body)
		if resp.StatusCode != 200 || !strings.Contains(page, "东风镇服务站") || !strings.Contains(page, "从未联系") ||
			!strings.Contains(page, `id="n-tickets">2<`) || !strings.Contains(page, "10:00") {
			t.Fatalf("dashboard %d:\n%s", resp.StatusCode, page)
		}
	})
	t.Run("LoginForm", func(t *testing.T) {
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.PostForm(c.URL+"/login", url.Values{"name": {"王科长"}, "pin": {"258013"}})
		if err != nil || resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" || len(resp.Cookies()) == 0 {
			t.Fatalf("form login: %v %v", resp.StatusCode, err)
		}
		resp, _ = client.PostForm(c.URL+"/login", url.Values{"name": {"王科长"}, "pin": {"000000"}})
		if !strings.HasPrefix(resp.Header.Get("Location"), "/login?error=") {
			t.Fatalf("wrong PIN went to %s", resp.Header.Get("Location"))
		}
	})
	t.Run("AddStationAPI", func(t *testing.T) {
		r, _ := http.NewRequest("POST", c.URL+"/api/v1/stations", strings.NewReader(`{"name":"南河镇服务站"}`))
		r.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		buf, _ := io.ReadAll(resp.Body)
		if _, err := wire.ParseEnrolment(buf); resp.StatusCode != 201 || err != nil {
			t.Fatalf("%d %s %v", resp.StatusCode, buf, err)
		}
	})
}

func TestLoginLock(t *testing.T) {
	c := synctest.StartCounty(t)
	login(t, c)
	for range 5 {
		if _, err := c.Store.Login(t.Context(), "王科长", "999999"); err == nil {
			t.Fatal("wrong PIN accepted")
		}
	}
	if _, err := c.Store.Login(t.Context(), "王科长", "258013"); err == nil || !strings.Contains(err.Error(), "too many") {
		t.Fatalf("right PIN after five wrong ones: %v", err)
	}
}

func xlsx(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImport(t *testing.T) {
	c := synctest.StartCounty(t)
	e := c.Enrol(t, "station", "")
	header := []any{"id_number", "name", "phone", "categories", "card_status", "disability_grade"}
	t.Run("RegistryXLSX", func(t *testing.T) {
		data := xlsx(t, [][]any{header,
			{"11010519491231002X", "张三", "13812341234", "退役军人", "待领取", ""},
			{"440524188001010014", "李四", "13912345678", "DISABLED_VET", "issued", 3},
		})
		info, err := c.Store.Import(t.Context(), wire.RefRegistry, "名册.xlsx", data, "王科长")
		if err != nil || info.Items != 2 {
			t.Fatalf("%+v %v", info, err)
		}
		etag, body, err := c.Store.CurrentDataset(t.Context(), wire.RefRegistry)
		if err != nil || etag != wire.ETag(info.Version) || bytes.Count(body, []byte("\n")) != 2 ||
			!bytes.Contains(body, []byte(`"categories":["VETERAN"]`)) || !bytes.Contains(body, []byte(`"card_status":"ready"`)) {
			t.Fatalf("%s %s %v", etag, body, err)
		}
	})
	t.Run("RegistryCSVGB18030", func(t *testing.T) {
		csv := "id_number,name,phone,categories,card_status\n11010519491231002X,张三,13812341234,退役军人,已发放\n"
		gb, _ := simplifiedchinese.GB18030.NewEncoder().String(csv)
		info, err := c.Store.Import(t.Context(), wire.RefRegistry, "名册.csv", []byte(gb), "王科长")
		if err != nil || info.Items != 1 {
			t.Fatalf("%+v %v", info, err)
		}
	})
	for _, tc := range []struct{ name, file, data, want string }{
		{"ErrBadID", "r.csv", "id_number,name,phone,categories,card_status\n110105194912310021,张三,13812341234,VETERAN,issued\n", "row 2"},
		{"ErrMissingColumn", "r.csv", "id_number,name\n11010519491231002X,张三\n", "phone"},
		{"ErrDuplicate", "r.csv", "id_number,name,phone,categories,card_status\n11010519491231002X,张三,13812341234,VETERAN,issued\n11010519491231002X,张三,13812341234,VETERAN,issued\n", "same ID"},
		{"ErrFileType", "r.pdf", "x", ".csv or .xlsx"},
		{"ErrNotXLSX", "r.xlsx", "not a zip", "XLSX"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Store.Import(t.Context(), wire.RefRegistry, tc.file, []byte(tc.data), "王科长")
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "11010519491231002") {
				t.Fatalf("error %v, want one mentioning %q and no ID number", err, tc.want)
			}
		})
	}
	t.Run("ETag", func(t *testing.T) {
		etag, _, _ := c.Store.CurrentDataset(t.Context(), wire.RefRegistry)
		r, _ := http.NewRequest("GET", c.URL+wire.RefPath+wire.RefRegistry, nil)
		r.SetBasicAuth(e.StationID, e.Secret)
		r.Header.Set("If-None-Match", etag)
		resp, err := http.DefaultClient.Do(r)
		if err != nil || resp.StatusCode != 304 {
			t.Fatalf("%v %v", resp.StatusCode, err)
		}
		r.Header.Set("If-None-Match", `"older"`)
		resp, err = http.DefaultClient.Do(r)
		if err != nil || resp.StatusCode != 200 || resp.Header.Get("ETag") != etag {
			t.Fatalf("%v %v", resp.StatusCode, err)
		}
	})
	t.Run("RegistrySealedAtRest", func(t *testing.T) {
		if err := c.CloseStore(); err != nil {
			t.Fatal(err)
		}
		raw := readCountyFile(t, c)
		if bytes.Contains(raw, []byte("11010519491231002X")) || bytes.Contains(raw, []byte("13812341234")) {
			t.Fatal("the county file holds a registry ID number or phone in the clear")
		}
	})
}

func readCountyFile(t *testing.T, c *synctest.County) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(c.Dir, countybolt.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestManageStations: county staff give a station a new enrolment file and retire
// another, through the API and through the dashboard's form, which asks to confirm a
// retirement and then no longer offers the retired station.
func TestManageStations(t *testing.T) {
	c := synctest.StartCounty(t)
	east := c.Enrol(t, "东风镇服务站", "")
	west := c.Enrol(t, "西山乡服务站", "")
	token := login(t, c)
	api := func(path string) (int, []byte) {
		r, _ := http.NewRequest("POST", c.URL+path, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	entries := wire.PushRequest{PushHeader: wire.PushHeader{Station: "key-east"}, Entries: []wire.Entry{entry(1, "a", "visit.created", `{}`)}}

	t.Run("NewSecretAPI", func(t *testing.T) {
		code, body := api("/api/v1/stations/" + east.StationID + "/secret")
		e, err := wire.ParseEnrolment(body)
		if code != 200 || err != nil || e.StationID != east.StationID || e.Secret == east.Secret {
			t.Fatalf("%d %s %v", code, body, err)
		}
		if resp, _ := push(t, c, east.StationID, east.Secret, entries); resp.StatusCode != 401 {
			t.Errorf("the old secret: %d, want 401", resp.StatusCode)
		}
		if resp, body := push(t, c, e.StationID, e.Secret, entries); resp.StatusCode != 200 {
			t.Errorf("the new secret: %d %s", resp.StatusCode, body)
		}
		if code, _ := api("/api/v1/stations/st-9999-0000/secret"); code != 404 {
			t.Errorf("unknown station: %d, want 404", code)
		}
	})

	t.Run("Form", func(t *testing.T) {
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if resp, err := client.PostForm(c.URL+"/login", url.Values{"name": {"王科长"}, "pin": {"258013"}}); err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("form login: %v", err)
		}
		resp, err := client.PostForm(c.URL+"/stations/secret", url.Values{"station": {"西山乡服务站"}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if e, err := wire.ParseEnrolment(body); err != nil || e.StationID != west.StationID || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("new file from the form: %v %s", err, body)
		}

		resp, _ = client.PostForm(c.URL+"/stations/retire", url.Values{"station": {west.StationID}})
		if loc := resp.Header.Get("Location"); !strings.Contains(loc, "error=") {
			t.Fatalf("retiring without the box ticked went to %q", loc)
		}
		resp, _ = client.PostForm(c.URL+"/stations/retire", url.Values{"station": {west.StationID}, "confirm": {"yes"}})
		if loc := resp.Header.Get("Location"); !strings.Contains(loc, "msg=") {
			t.Fatalf("retiring went to %q", loc)
		}
		_, page := synctest.Get(t, c.URL+"/", token)
		if !strings.Contains(string(page), "已停用") || strings.Contains(string(page), `<option value="`+west.StationID+`"`) {
			t.Errorf("the dashboard does not show the retirement, or still offers the station:\n%s", page)
		}
		if code, _ := api("/api/v1/stations/" + west.StationID + "/retire"); code != 409 {
			t.Errorf("retiring twice: %d, want 409", code)
		}
	})
}

// TestEnrolmentDownload_URLs: the files the dashboard and the API make name every
// address the server was told, or those the request names; with one address the file
// has county_url alone, as it always had.
func TestEnrolmentDownload_URLs(t *testing.T) {
	c := synctest.StartCounty(t)
	token := login(t, c)
	post := func(path, contentType, body string) []byte {
		t.Helper()
		r, _ := http.NewRequest("POST", c.URL+path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Content-Type", contentType)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		buf, _ := io.ReadAll(resp.Body)
		return buf
	}
	urls := func(buf []byte) []string {
		t.Helper()
		e, err := wire.ParseEnrolment(buf)
		if err != nil {
			t.Fatalf("%v: %s", err, buf)
		}
		return e.URLs()
	}
	form := "application/x-www-form-urlencoded"

	t.Run("OneAddress", func(t *testing.T) {
		buf := post("/stations", form, url.Values{"name": {"一址站"}}.Encode())
		if got := urls(buf); len(got) != 1 || got[0] != c.URL || strings.Contains(string(buf), "county_urls") {
			t.Fatalf("file %s", buf)
		}
	})
	two := []string{c.URL, "http://county-b.test:8443"}
	c.Server.PublicURLs = two
	t.Run("ServerAddresses", func(t *testing.T) {
		if got := urls(post("/stations", form, url.Values{"name": {"二址站"}}.Encode())); !slices.Equal(got, two) {
			t.Errorf("form download names %q, want %q", got, two)
		}
		if got := urls(post("/api/v1/stations", "application/json", `{"name":"二址站乙"}`)); !slices.Equal(got, two) {
			t.Errorf("API file names %q, want %q", got, two)
		}
		if got := urls(post("/stations/secret", form, url.Values{"station": {"二址站"}}.Encode())); !slices.Equal(got, two) {
			t.Errorf("new-secret download names %q, want %q", got, two)
		}
	})
	t.Run("RequestAddresses", func(t *testing.T) {
		want := []string{"http://x.test:1", "http://y.test:2"}
		if got := urls(post("/stations", form, url.Values{"name": {"指定站"}, "url": {"http://x.test:1, http://y.test:2"}}.Encode())); !slices.Equal(got, want) {
			t.Errorf("form with addresses names %q, want %q", got, want)
		}
		if got := urls(post("/api/v1/stations", "application/json", `{"name":"指定站乙","urls":["http://x.test:1","http://y.test:2"]}`)); !slices.Equal(got, want) {
			t.Errorf("API with urls names %q, want %q", got, want)
		}
		if got := urls(post("/api/v1/stations", "application/json", `{"name":"指定站丙","url":"http://x.test:1"}`)); !slices.Equal(got, want[:1]) {
			t.Errorf("API with url names %q, want %q", got, want[:1])
		}
	})
}
