package bolt_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
)

func TestStaffService_Login(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, clock := MustOpenDB(t)
		s := bolt.NewStaffService(db)
		if _, err := s.AddStaff(ctx, " 王芳 ", backend.RoleStaff, "240816"); err != nil {
			t.Fatal(err)
		}
		se, err := s.Login(ctx, "王芳", "240816")
		if err != nil {
			t.Fatal(err)
		}
		if se.Name != "王芳" || se.Role != backend.RoleStaff || len(se.Token) < 40 || !se.ExpiresAt.Equal(clock.Now().Add(backend.SessionTTL)) {
			t.Fatalf("session %+v", se)
		}
		got, err := s.Session(ctx, se.Token)
		if err != nil || got.Name != "王芳" {
			t.Fatalf("session lookup %+v %v", got, err)
		}
		list, _ := s.ListStaff(ctx)
		if len(list) != 1 || list[0].PINHash != "" || list[0].LastLogin.IsZero() {
			t.Fatalf("list %+v", list)
		}
		if err := s.Logout(ctx, se.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, se.Token); backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("after logout: %v", err)
		}
	})

	t.Run("ErrExpired", func(t *testing.T) {
		db, clock := MustOpenDB(t)
		s := bolt.NewStaffService(db)
		s.AddStaff(ctx, "王芳", backend.RoleStaff, "240816")
		se, _ := s.Login(ctx, "王芳", "240816")
		clock.Advance(backend.SessionTTL)
		_, err := s.Session(ctx, se.Token)
		var e *backend.Error
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED || !asError(err, &e) || e.Key != "auth.expired" {
			t.Fatalf("expired session: %v", err)
		}
	})

	t.Run("ErrLocked", func(t *testing.T) {
		db, clock := MustOpenDB(t)
		s := bolt.NewStaffService(db)
		s.AddStaff(ctx, "王芳", backend.RoleStaff, "240816")
		for i := 1; i < backend.MaxPINFailures; i++ {
			if _, err := s.Login(ctx, "王芳", "000001"); backend.ErrorCode(err) != backend.EUNAUTHORIZED {
				t.Fatalf("wrong PIN %d: %v", i, err)
			}
		}
		// A right PIN resets the count; then five wrong ones lock.
		if _, err := s.Login(ctx, "王芳", "240816"); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < backend.MaxPINFailures; i++ {
			s.Login(ctx, "王芳", "000001")
		}
		_, err := s.Login(ctx, "王芳", "240816")
		if err == nil || !strings.Contains(err.Error(), "locked") {
			t.Fatalf("right PIN while locked: %v", err)
		}
		clock.Advance(backend.LockDuration)
		if _, err := s.Login(ctx, "王芳", "240816"); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
	})

	t.Run("SetPINUnlocksAndEndsSessions", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		s := bolt.NewStaffService(db)
		s.AddStaff(ctx, "王芳", backend.RoleStaff, "240816")
		se, _ := s.Login(ctx, "王芳", "240816")
		for i := 0; i < backend.MaxPINFailures; i++ {
			s.Login(ctx, "王芳", "000001")
		}
		if err := s.SetPIN(ctx, "王芳", "975310"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, se.Token); err == nil {
			t.Fatal("old session survived a PIN reset")
		}
		if _, err := s.Login(ctx, "王芳", "975310"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPIN(ctx, "nobody", "975310"); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Fatal(err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		s := bolt.NewStaffService(db)
		for _, tc := range []struct {
			name string
			role backend.Role
			pin  string
		}{
			{"", backend.RoleStaff, "240816"},
			{"王芳", "boss", "240816"},
			{"王芳", backend.RoleStaff, "1234"},
			{"王芳", backend.RoleStaff, "123456"},
		} {
			if _, err := s.AddStaff(ctx, tc.name, tc.role, tc.pin); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("%+v: %v", tc, err)
			}
		}
		s.AddStaff(ctx, "王芳", backend.RoleStaff, "240816")
		if _, err := s.AddStaff(ctx, "王芳", backend.RoleAdmin, "240816"); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Errorf("duplicate: %v", err)
		}
		if _, err := s.Login(ctx, "李强", "240816"); backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Errorf("unknown name: %v", err)
		}
	})
}

func TestStaffService_CheckAdminPIN(t *testing.T) {
	ctx := context.Background()
	db, clock := MustOpenDB(t)
	s := bolt.NewStaffService(db)
	s.AddStaff(ctx, "王芳", backend.RoleStaff, "240816")
	s.AddStaff(ctx, "站长", backend.RoleAdmin, "975310")
	if st, err := s.CheckAdminPIN(ctx, "975310"); err != nil || st.Name != "站长" || st.PINHash != "" {
		t.Fatalf("admin PIN: %+v %v", st, err)
	}
	if _, err := s.CheckAdminPIN(ctx, "240816"); backend.ErrorCode(err) != backend.EUNAUTHORIZED {
		t.Fatalf("a staff PIN opened the kiosk: %v", err)
	}
	for i := 1; i < backend.MaxPINFailures; i++ {
		s.CheckAdminPIN(ctx, "000001")
	}
	if _, err := s.CheckAdminPIN(ctx, "975310"); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("five wrong PINs must lock the exit: %v", err)
	}
	clock.Advance(backend.LockDuration + time.Second)
	if _, err := s.CheckAdminPIN(ctx, "975310"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}

func TestCounterService(t *testing.T) {
	ctx := context.Background()
	st := mustStation(t)

	t.Run("DefaultTwo", func(t *testing.T) {
		cs, _ := st.counters.Counters(ctx)
		if len(cs) != 2 || cs[0].Name != "1号窗口" || len(cs[1].Services) != 9 {
			t.Fatalf("%+v", cs)
		}
	})

	t.Run("Put", func(t *testing.T) {
		c, err := st.counters.PutCounter(ctx, backend.Counter{Number: 3, Name: " 综合窗口 ", Services: []string{"D", "B", "D"}})
		if err != nil || c.Name != "综合窗口" || strings.Join(c.Services, "") != "BD" {
			t.Fatalf("%+v %v", c, err)
		}
		for _, bad := range []backend.Counter{
			{Number: 0, Services: []string{"B"}},
			{Number: 100, Services: []string{"B"}},
			{Number: 4},
			{Number: 4, Services: []string{"Z"}},
			{Number: 4, Name: strings.Repeat("窗", 21), Services: []string{"B"}},
		} {
			if _, err := st.counters.PutCounter(ctx, bad); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("%+v: %v", bad, err)
			}
		}
	})

	t.Run("Delete", func(t *testing.T) {
		tk := st.issue(t, "B", false)
		st.act(t, tk.ID, backend.Act{Action: backend.ActCall, Counter: 3})
		if err := st.counters.DeleteCounter(ctx, 3); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Fatalf("delete a busy counter: %v", err)
		}
		st.act(t, tk.ID, backend.Act{Action: backend.ActFinish})
		for _, n := range []int{3, 2} {
			if err := st.counters.DeleteCounter(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.counters.DeleteCounter(ctx, 1); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Fatalf("delete the last counter: %v", err)
		}
		if err := st.counters.DeleteCounter(ctx, 9); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Fatalf("delete a missing counter: %v", err)
		}
	})
}

func TestStatsService(t *testing.T) {
	ctx := context.Background()
	st := mustStation(t)
	a := st.issue(t, "B", false)
	st.issue(t, "B", false)
	st.clock.Advance(10 * time.Minute)
	st.act(t, a.ID, backend.Act{Action: backend.ActCall, Counter: 1})
	st.act(t, a.ID, backend.Act{Action: backend.ActStart})
	st.clock.Advance(4 * time.Minute)
	st.act(t, a.ID, backend.Act{Action: backend.ActFinish})
	s := bolt.NewStatsService(st.db)
	got, err := s.DayStats(ctx, "2026-11-23")
	if err != nil {
		t.Fatal(err)
	}
	if got.Station.Issued != 2 || got.Station.Served != 1 || got.Station.AvgWaitS != 661 || got.Station.AvgServiceS != 300 {
		t.Fatalf("station %+v", got.Station)
	}
	if other, _ := s.DayStats(ctx, "2026-11-22"); other.Station.Issued != 0 {
		t.Fatalf("other day %+v", other.Station)
	}
	if _, err := s.DayStats(ctx, "23.11.2026"); backend.ErrorCode(err) != backend.EINVALID {
		t.Fatalf("bad date: %v", err)
	}
}

func asError(err error, target **backend.Error) bool {
	e, ok := err.(*backend.Error)
	if ok {
		*target = e
	}
	return ok
}
