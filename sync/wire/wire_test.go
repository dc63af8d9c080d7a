package wire_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/wire"
)

func TestEncodePush(t *testing.T) {
	oldest := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	entries := []json.RawMessage{
		json.RawMessage(`{"id":"a","seq":1,"station_id":"k","kind":"ticket.issued","at":"2026-01-02T03:04:05Z","data":{"x":1}}`),
		json.RawMessage(`{"id":"b","seq":2,"station_id":"k","kind":"visit.created","at":"2026-01-02T03:04:05Z","data":{}}`),
	}
	body, err := wire.EncodePush(wire.PushHeader{Station: "k", Pending: 2, OldestPending: &oldest}, entries)
	if err != nil {
		t.Fatal(err)
	}
	var req wire.PushRequest
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	if req.Station != "k" || req.Pending != 2 || !req.OldestPending.Equal(oldest) || len(req.Entries) != 2 ||
		req.Entries[1].Kind != "visit.created" || string(req.Entries[0].Data) != `{"x":1}` {
		t.Fatalf("decoded %+v", req)
	}
	if body, _ := wire.EncodePush(wire.PushHeader{Station: "k"}, nil); json.Unmarshal(body, &req) != nil || len(req.Entries) != 0 {
		t.Fatalf("empty push %s", body)
	}
}

// The station writes its outbox with backend types; the wire reads them.
func TestStationFormat(t *testing.T) {
	if backend.KindSyncDiscarded != wire.KindDiscarded {
		t.Fatal("discard marker kinds differ between station and wire")
	}
	raw, _ := json.Marshal(backend.OutboxEntry{ID: "a", Seq: 3, StationID: "k", Kind: "ticket.issued", At: time.Now(), Data: json.RawMessage(`{}`)})
	var e wire.Entry
	if err := json.Unmarshal(raw, &e); err != nil || e.Seq != 3 || e.ID != "a" {
		t.Fatalf("%s → %+v %v", raw, e, err)
	}
	if code, msg := e.Check("k"); code != "" {
		t.Fatalf("a station entry fails the county's check: %s", msg)
	}
	var d wire.Discarded
	raw, _ = json.Marshal(backend.DiscardedFact{DiscardedID: "x", Reason: "r"})
	if err := json.Unmarshal(raw, &d); err != nil || d.DiscardedID != "x" || d.Reason != "r" {
		t.Fatalf("discarded fact %s", raw)
	}
}

func TestEnrolment(t *testing.T) {
	good := `{"format":"bingzhan-enrolment/1","county_url":"https://county.example:8443","station_id":"st-0001-abcd",
		"secret":"xAf-2JOZ2YaGvf-vDGpzUss34exq2W63pZTD6pvTo9M","cert_pin":"sha256/xQjNdkSuVH/9Y3Te3YulZzEmXncBPEvUjJUexIsJukM="}`
	if _, err := wire.ParseEnrolment([]byte(good)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, from, to string }{
		{"ErrFormat", "bingzhan-enrolment/1", "other/1"},
		{"ErrScheme", "https://county", "ftp://county"},
		{"ErrPath", ":8443", ":8443/x"},
		{"ErrStation", "st-0001-abcd", "ST 1"},
		{"ErrSecretShort", "xAf-2JOZ2YaGvf-vDGpzUss34exq2W63pZTD6pvTo9M", "short"},
		{"ErrPin", "sha256/xQj", "md5/xQj"},
		{"ErrPinWithoutTLS", "https://", "http://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := wire.ParseEnrolment([]byte(strings.Replace(good, tc.from, tc.to, 1))); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// TestEnrolment_WrongFile: a file that is no enrolment file, or one of a newer
// format, says so (the console tells a person which), and a byte-order mark in front
// of a good file is no fault of the file.
func TestEnrolment_WrongFile(t *testing.T) {
	good := `{"format":"bingzhan-enrolment/1","county_url":"https://county.example:8443","station_id":"st-0001-abcd",
		"secret":"xAf-2JOZ2YaGvf-vDGpzUss34exq2W63pZTD6pvTo9M"}`
	if _, err := wire.ParseEnrolment([]byte("\xef\xbb\xbf" + good)); err != nil {
		t.Fatalf("a file with a byte-order mark: %v", err)
	}
	for _, tc := range []struct {
		name, file string
		want       error
	}{
		{"Empty", "", wire.ErrNotEnrolment},
		{"NotJSON", "PK\x03\x04 a spreadsheet", wire.ErrNotEnrolment},
		{"OtherJSON", `{"version":"2026-11","entries":[]}`, wire.ErrNotEnrolment},
		{"Null", "null", wire.ErrNotEnrolment},
		{"Newer", strings.Replace(good, "/1", "/2", 1), wire.ErrNewerFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := wire.ParseEnrolment([]byte(tc.file)); !errors.Is(err, tc.want) {
				t.Fatalf("%v, want %v", err, tc.want)
			}
		})
	}
	if _, err := wire.ParseEnrolment([]byte(strings.Replace(good, "st-0001-abcd", "ST 1", 1))); err == nil ||
		errors.Is(err, wire.ErrNotEnrolment) || errors.Is(err, wire.ErrNewerFormat) {
		t.Fatalf("a bad station id: %v", err)
	}
}

// TestEnrolment_URLs reads files naming one county address (as every file did before
// counties ran several servers) and several, and refuses a list no station could use,
// each with an error naming the address at fault.
func TestEnrolment_URLs(t *testing.T) {
	const rest = `"station_id":"st-0001-abcd","secret":"xAf-2JOZ2YaGvf-vDGpzUss34exq2W63pZTD6pvTo9M",
		"cert_pin":"sha256/xQjNdkSuVH/9Y3Te3YulZzEmXncBPEvUjJUexIsJukM="}`
	file := func(urls string) []byte { return []byte(`{"format":"bingzhan-enrolment/1",` + urls + `,` + rest) }
	t.Run("OneAddress", func(t *testing.T) {
		e, err := wire.ParseEnrolment(file(`"county_url":"https://a.example:8443/"`))
		if err != nil {
			t.Fatal(err)
		}
		if got := e.URLs(); len(got) != 1 || got[0] != "https://a.example:8443" || e.BaseURL() != got[0] {
			t.Fatalf("URLs %q, BaseURL %q", got, e.BaseURL())
		}
	})
	t.Run("SeveralAddresses", func(t *testing.T) {
		e, err := wire.ParseEnrolment(file(`"county_url":"https://a.example:8443",
			"county_urls":["https://a.example:8443","https://b.example:8443/","https://10.0.0.7:8443"]`))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"https://a.example:8443", "https://b.example:8443", "https://10.0.0.7:8443"}
		if got := e.URLs(); strings.Join(got, " ") != strings.Join(want, " ") || e.BaseURL() != want[0] {
			t.Fatalf("URLs %q, BaseURL %q; want %q", got, e.BaseURL(), want)
		}
	})
	t.Run("OldReaderSeesFirst", func(t *testing.T) {
		// A station program from before county_urls decodes the file into the fields it
		// knows and finds a usable county_url: the first address.
		var e wire.Enrolment
		e.Format, e.StationID, e.Secret = wire.EnrolmentFormat, "st-0001-abcd", strings.Repeat("s", 43)
		e.SetURLs([]string{"https://a.example:8443/", "https://b.example:8443"})
		buf, _ := json.Marshal(&e)
		var old struct {
			CountyURL string `json:"county_url"`
		}
		if err := json.Unmarshal(buf, &old); err != nil || old.CountyURL != "https://a.example:8443" {
			t.Fatalf("old reader gets %q from %s", old.CountyURL, buf)
		}
		if _, err := wire.ParseEnrolment(buf); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("OneAddressWrittenAsBefore", func(t *testing.T) {
		var e wire.Enrolment
		e.SetURLs([]string{"https://a.example:8443/"})
		buf, _ := json.Marshal(&e)
		if strings.Contains(string(buf), "county_urls") || e.CountyURL != "https://a.example:8443" {
			t.Fatalf("one address written as %s", buf)
		}
	})
	for _, tc := range []struct{ name, urls, says string }{
		{"ErrSecondScheme", `"county_url":"https://a:1","county_urls":["https://a:1","ftp://b:1"]`, `county_urls[1] "ftp://b:1" must be https://host:port`},
		{"ErrSecondPath", `"county_url":"https://a:1","county_urls":["https://a:1","https://b:1/api"]`, `county_urls[1]`},
		{"ErrSecondEmpty", `"county_url":"https://a:1","county_urls":["https://a:1",""]`, `county_urls[1] ""`},
		{"ErrSecondUser", `"county_url":"https://a:1","county_urls":["https://a:1","https://u:p@b:1"]`, `county_urls[1]`},
		{"ErrTwice", `"county_url":"https://a:1","county_urls":["https://a:1","https://A:1/"]`, `names "https://A:1/" twice`},
		{"ErrFirstDiffers", `"county_url":"https://a:1","county_urls":["https://b:1","https://a:1"]`, `must be the first of county_urls`},
		{"ErrNoCountyURL", `"county_urls":["https://a:1","https://b:1"]`, `county_url "" must be https://host:port`},
		{"ErrPinWithPlainSecond", `"county_url":"https://a:1","county_urls":["https://a:1","http://b:1"]`, `"http://b:1", which is not https`},
		{"ErrTooMany", `"county_url":"https://a:1","county_urls":["https://a:1","https://b:1","https://c:1","https://d:1",
			"https://e:1","https://f:1","https://g:1","https://h:1","https://i:1"]`, `at most 8`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := wire.ParseEnrolment(file(tc.urls))
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error %v, want one saying %s", err, tc.says)
			}
		})
	}
}

func TestETag(t *testing.T) {
	if v := wire.VersionOf(wire.ETag("county-20260101-3")); v != "county-20260101-3" {
		t.Fatal(v)
	}
	if v := wire.VersionOf(`W/"x"`); v != "x" {
		t.Fatal(v)
	}
}

func FuzzParseEnrolment(f *testing.F) {
	f.Add([]byte(`{"format":"bingzhan-enrolment/1","county_url":"https://c:1","station_id":"st-1","secret":"0123456789012345678901234567890123"}`))
	f.Add([]byte(`{"format":"bingzhan-enrolment/1","county_url":"https://c:1","county_urls":["https://c:1","https://d:2/"],` +
		`"station_id":"st-1","secret":"0123456789012345678901234567890123","cert_pin":"sha256/xQjNdkSuVH/9Y3Te3YulZzEmXncBPEvUjJUexIsJukM="}`))
	f.Add([]byte(`{"format":"bingzhan-enrolment/1","county_url":"http://c:1","county_urls":["http://c:1","http://c:1"],` +
		`"station_id":"st-1","secret":"0123456789012345678901234567890123"}`))
	f.Add([]byte(`{"format":"bingzhan-enrolment/1","county_urls":["https://c:1"],"station_id":"st-1","secret":"0123456789012345678901234567890123"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := wire.ParseEnrolment(data)
		if err != nil {
			return
		}
		if e.TLSConfig() == nil || e.BaseURL() == "" || strings.HasSuffix(e.BaseURL(), "/") {
			t.Fatalf("accepted an unusable enrolment %+v", e)
		}
		urls := e.URLs()
		if len(urls) == 0 || len(urls) > wire.MaxCountyURLs || urls[0] != e.BaseURL() {
			t.Fatalf("accepted addresses %q with base %q", urls, e.BaseURL())
		}
		for _, u := range urls {
			if u == "" || strings.HasSuffix(u, "/") || (e.CertPin != "" && !strings.HasPrefix(strings.ToLower(u), "https://")) {
				t.Fatalf("accepted an unusable address %q in %+v", u, e)
			}
		}
	})
}
