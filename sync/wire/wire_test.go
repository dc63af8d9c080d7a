package wire_test

import (
	"encoding/json"
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
	})
}
