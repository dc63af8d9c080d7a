package app_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app"

	"github.com/jonboulle/clockwork"
)

// TestDemoLookup starts a demo station as `make run` does and looks up one of the
// people it prints.
func TestDemoLookup(t *testing.T) {
	var out bytes.Buffer
	m, base := mustOpenAt(t, t.TempDir(), app.Options{Demo: true, Stdout: &out})
	if v, n, _ := m.Persons.Registry(context.Background()); v != app.DemoRegistryVersion || n != app.DemoPersons {
		t.Fatalf("registry %q with %d persons", v, n)
	}

	// The line for 待领取: "  ready  <ID>  <last4>  <categories>  待领取".
	var id, last4 string
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) >= 4 && f[0] == string(backend.CardReady) {
			id, last4 = f[1], f[2]
		}
	}
	if id == "" {
		t.Fatalf("no example for 待领取 in:\n%s", out.String())
	}
	var got struct {
		CollectTicket bool `json:"collect_ticket"`
	}
	if status := call(t, http.MethodPost, base+"/api/v1/lookup", "", map[string]string{"id_number": id, "phone_last4": last4}, &got); status != 200 || !got.CollectTicket {
		t.Fatalf("lookup of the printed example: %d %+v", status, got)
	}

	t.Run("RestartKeepsRegistry", func(t *testing.T) {
		// A second start neither reloads nor duplicates the registry. Let the start-up
		// backup finish first, so no backup runs while the folder is removed.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if files, _ := m.DB.Backups(); len(files) > 0 {
				break
			}
		}
		m.Close()
		m2, err := app.Open(context.Background(), m.Dir, app.Options{Demo: true})
		if err != nil {
			t.Fatal(err)
		}
		defer m2.Close()
		if _, n, _ := m2.Persons.Registry(context.Background()); n != app.DemoPersons {
			t.Fatalf("%d persons after restart", n)
		}
	})
}

// TestDemoAppointments: a demo station books three people for today's coming
// half-hours and prints them; one of them checks in at the kiosk with the printed ID
// number; a restart the same day books nobody twice.
func TestDemoAppointments(t *testing.T) {
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 23, 9, 50, 0, 0, time.FixedZone("CST", 8*3600)))
	dir := t.TempDir()
	var out bytes.Buffer
	m, base := mustOpenAt(t, dir, app.Options{Demo: true, Stdout: &out, Clock: clock})
	list, err := m.Appointments.Appointments(ctx, "2026-11-23")
	if err != nil || len(list) != 3 || list[0].Time != "10:00" || list[2].Time != "11:00" {
		t.Fatalf("demo bookings %+v %v", list, err)
	}
	// "  10:00  B  <ID>  <code>"
	var id string
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) == 4 && f[0] == "10:00" {
			id = f[2]
		}
	}
	if id == "" {
		t.Fatalf("the 10:00 booking is not printed:\n%s", out.String())
	}
	var in struct{ Time string }
	if status := call(t, http.MethodPost, base+"/api/v1/appointments/check-in", "", map[string]string{"id_number": id}, &in); status != 200 || in.Time != "10:00" {
		t.Fatalf("check-in with the printed ID number: %d %+v", status, in)
	}
	m.Close()
	// Restarted later the same day: the slots have moved on, the demo books no more.
	clock.Advance(2 * time.Hour)
	m2, err := app.Open(ctx, dir, app.Options{Demo: true, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if again, _ := m2.Appointments.Appointments(ctx, "2026-11-23"); len(again) != 3 {
		t.Errorf("%d bookings after a restart, want 3", len(again))
	}
}
