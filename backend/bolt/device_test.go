package bolt_test

import (
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
)

// TestDeviceService: an enrolled device proves itself with its token until an admin
// removes it; the station keeps no token, only names and when each was last used.
func TestDeviceService(t *testing.T) {
	ctx := t.Context()
	db, clock := MustOpenDB(t)
	s := bolt.NewDeviceService(db)

	tablet, token, err := s.AddDevice(ctx, " 大厅平板 ", "站长")
	if err != nil {
		t.Fatal(err)
	}
	if tablet.Name != "大厅平板" || tablet.CreatedBy != "站长" || len(token) < 40 {
		t.Fatalf("device %+v, token %q", tablet, token)
	}
	if _, _, err := s.AddDevice(ctx, "大厅平板", "站长"); backend.ErrorCode(err) != backend.ECONFLICT {
		t.Errorf("a second device of that name: %v", err)
	}
	if _, _, err := s.AddDevice(ctx, "", "站长"); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("a device without a name: %v", err)
	}
	screen, _, _ := s.AddDevice(ctx, "二楼触摸屏", "站长")

	clock.Advance(5 * time.Minute)
	got, err := s.CheckDevice(ctx, token)
	if err != nil || got.ID != tablet.ID {
		t.Fatalf("the tablet's token: %+v %v", got, err)
	}
	for _, bad := range []string{"", "forged", token + "x"} {
		if _, err := s.CheckDevice(ctx, bad); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	list, _ := s.Devices(ctx)
	if len(list) != 2 || list[0].Name != "二楼触摸屏" || list[1].ID != tablet.ID || !list[1].LastUsedAt.Equal(clock.Now().Truncate(time.Minute)) {
		t.Fatalf("devices %+v", list)
	}

	if err := s.RemoveDevice(ctx, tablet.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckDevice(ctx, token); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("a removed device's token: %v", err)
	}
	if err := s.RemoveDevice(ctx, tablet.ID); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("removing it again: %v", err)
	}
	if list, _ := s.Devices(ctx); len(list) != 1 || list[0].ID != screen.ID {
		t.Errorf("devices after removal %+v", list)
	}

	if open, _ := s.OpenTickets(ctx); open {
		t.Error("tickets open to the LAN by default")
	}
	s.SetOpenTickets(ctx, true)
	if open, _ := s.OpenTickets(ctx); !open {
		t.Error("opening tickets to the LAN did not hold")
	}
}
