package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/backend/demo"
)

// TestLedger starts a demo station, registers a visit at the kiosk for a demo person,
// restarts the station on the same folder and finds the visit by the person's pinyin
// initials: the index is rebuilt from the encrypted records. Nothing personal is
// logged on the way.
func TestLedger(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	open := func() (*app.Station, string) {
		return mustOpenAt(t, dir, app.Options{Demo: true,
			Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	}
	var p backend.Person
	for q := range demo.People(demo.Seed, app.DemoPersons) {
		if backend.AgeOn(q.BirthDate(), demo.Reference) >= 18 {
			p = *q
			break
		}
	}

	m, base := open()
	var visit struct {
		ID, Serial string
		IDNumber   string `json:"id_number"`
	}
	status := call(t, "POST", base+"/api/v1/visits", "", map[string]any{"id_number": p.IDNumber, "phone": p.Phone,
		"relation": "self", "service": "B", "matter": "B5", "request_id": "main-ledger-test-1"}, &visit)
	if status != 201 || visit.IDNumber != backend.MaskIDNumber(p.IDNumber) {
		t.Fatalf("kiosk registration: %d %+v", status, visit)
	}
	m.Close()

	m, base = open()
	defer m.Close()
	var login struct{ Token string }
	call(t, "POST", base+"/api/v1/login", "", map[string]string{"name": app.DemoStaffName, "pin": app.DemoStaffPIN}, &login)
	var page struct {
		Total  int
		Visits []struct{ ID, Name string }
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/visits/search",
		strings.NewReader(`{"q":"`+backend.PinyinInitials(p.Name)[0]+`"}`))
	req.Header.Set("Authorization", "Bearer "+login.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range page.Visits {
		found = found || (v.ID == visit.ID && v.Name == backend.MaskName(p.Name))
	}
	if !found {
		t.Fatalf("after a restart the search by initials finds %+v", page)
	}
	for _, secret := range []string{p.IDNumber, p.Phone, p.Name} {
		if strings.Contains(log.String(), secret) {
			t.Fatalf("the station log holds %q", secret)
		}
	}

	t.Run("ErrRetention", func(t *testing.T) {
		cfg := app.DefaultConfig()
		cfg.LedgerRetentionDays = 7
		m, err := app.Open(context.Background(), t.TempDir(), app.Options{Config: &cfg})
		if err == nil || !strings.Contains(backend.ErrorMessage(err, "en"), "retention of 7 days") {
			if m != nil {
				m.Close()
			}
			t.Fatalf("a week's retention: %v", err)
		}
	})
}
