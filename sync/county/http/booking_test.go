package http_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"
)

// TestRef_Bookings: one sheet of bookings at two stations, imported over the API; each
// station's GET of the bookings gives its own rows alone, and 304 for the version it
// holds; the dashboard lists the bookings and offers them in its import form.
func TestRef_Bookings(t *testing.T) {
	c := synctest.StartCounty(t)
	east := c.Enrol(t, "东风镇服务站", "")
	west := c.Enrol(t, "西河乡服务站", "")
	quiet := c.Enrol(t, "北山村服务站", "")
	token := login(t, c)
	sheet := "服务站,业务,日期,时间,姓名,身份证号,手机号\n" +
		"东风镇服务站,A,2026-11-23,09:00,张三,11010519491231002X,13812341234\n" +
		west.StationID + ",B,2026-11-23,09:30,李四,440524188001010014,\n" +
		"东风镇服务站,C,2026-11-24,10:00,,110105198001010016,\n"
	r, _ := http.NewRequest("POST", c.URL+"/api/v1/datasets/bookings?filename="+url.QueryEscape("预约.csv"), strings.NewReader(sheet))
	r.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	var info county.DatasetInfo
	json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || info.Name != wire.RefBookings || info.Items != 3 {
		t.Fatalf("import: %d %+v", resp.StatusCode, info)
	}

	get := func(e backend.Enrolment, inm string) (*http.Response, []backend.CountyBooking) {
		t.Helper()
		r, _ := http.NewRequest("GET", c.URL+wire.RefPath+wire.RefBookings, nil)
		r.SetBasicAuth(e.StationID, e.Secret)
		if inm != "" {
			r.Header.Set("If-None-Match", inm)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var out []backend.CountyBooking
		if resp.StatusCode != http.StatusOK {
			return resp, nil
		}
		for b, err := range backend.DecodeCountyBookings(bytes.NewReader(body)) {
			if err != nil {
				t.Fatalf("%s: %v in %s", e.StationName, err, body)
			}
			out = append(out, *b)
		}
		return resp, out
	}
	for _, tc := range []struct {
		e    backend.Enrolment
		want []string // ID numbers
	}{
		{east, []string{"11010519491231002X", "110105198001010016"}},
		{west, []string{"440524188001010014"}},
		{quiet, nil},
	} {
		resp, got := get(tc.e, "")
		if resp.StatusCode != 200 || resp.Header.Get("ETag") != wire.ETag(info.Version) || len(got) != len(tc.want) {
			t.Fatalf("%s: %d %s %+v", tc.e.StationName, resp.StatusCode, resp.Header.Get("ETag"), got)
		}
		for i, b := range got {
			if b.Station != tc.e.StationID || b.IDNumber != tc.want[i] {
				t.Errorf("%s received %+v", tc.e.StationName, b)
			}
		}
		if resp, _ := get(tc.e, wire.ETag(info.Version)); resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s with its version: %d, want 304", tc.e.StationName, resp.StatusCode)
		}
	}
	if resp, _ := get(backend.Enrolment{StationID: east.StationID, Secret: "wrong"}, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong secret: %d", resp.StatusCode)
	}

	_, body := synctest.Get(t, c.URL+"/", token)
	page := string(body)
	if !strings.Contains(page, `<option value="bookings">预约 bookings</option>`) || !strings.Contains(page, "<td>预约 bookings</td><td>"+info.Version) {
		t.Errorf("the dashboard neither lists nor offers the bookings:\n%s", page)
	}
}
