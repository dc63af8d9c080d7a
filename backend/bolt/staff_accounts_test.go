package bolt_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/bolt"

	"github.com/jonboulle/clockwork"
)

// mustAccounts opens a station with an admin 站长 (975310), a second admin 副站长
// (864200) and a staff member 王芳 (240816).
func mustAccounts(t *testing.T) (*bolt.StaffService, *clockwork.FakeClock) {
	t.Helper()
	db, clock := MustOpenDB(t)
	s := bolt.NewStaffService(db)
	for _, a := range []struct {
		name string
		role backend.Role
		pin  string
	}{{"站长", backend.RoleAdmin, "975310"}, {"副站长", backend.RoleAdmin, "864200"}, {"王芳", backend.RoleStaff, "240816"}} {
		if _, err := s.AddStaff(context.Background(), a.name, a.role, a.pin); err != nil {
			t.Fatal(err)
		}
	}
	return s, clock
}

func errKey(err error) string {
	var e *backend.Error
	if asError(err, &e) {
		return e.Key
	}
	return ""
}

func TestStaffService_UnlockStaff(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		s, _ := mustAccounts(t)
		for i := 0; i < backend.MaxPINFailures; i++ {
			s.Login(ctx, "王芳", "000001")
		}
		if _, err := s.Login(ctx, "王芳", "240816"); errKey(err) != "staff.locked" {
			t.Fatalf("not locked: %v", err)
		}
		if err := s.UnlockStaff(ctx, "王芳"); err != nil {
			t.Fatal(err)
		}
		list, _ := s.ListStaff(ctx)
		for _, st := range list {
			if !st.LockedUntil.IsZero() || st.Failed != 0 {
				t.Fatalf("still locked after unlock: %+v", st)
			}
		}
		// The old PIN works again: unlocking is not a PIN reset.
		if _, err := s.Login(ctx, "王芳", "240816"); err != nil {
			t.Fatalf("login after unlock: %v", err)
		}
	})

	t.Run("ClearsWrongTries", func(t *testing.T) {
		s, _ := mustAccounts(t)
		for i := 1; i < backend.MaxPINFailures; i++ {
			s.Login(ctx, "王芳", "000001")
		}
		s.UnlockStaff(ctx, "王芳")
		// Four more wrong tries after the unlock do not lock: the count started again.
		for i := 1; i < backend.MaxPINFailures; i++ {
			s.Login(ctx, "王芳", "000001")
		}
		if _, err := s.Login(ctx, "王芳", "240816"); err != nil {
			t.Fatalf("locked although the count was cleared: %v", err)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		s, _ := mustAccounts(t)
		if err := s.UnlockStaff(ctx, "nobody"); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Fatal(err)
		}
	})
}

func TestStaffService_RemoveStaff(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		s, _ := mustAccounts(t)
		se, err := s.Login(ctx, "王芳", "240816")
		if err != nil {
			t.Fatal(err)
		}
		other, _ := s.Login(ctx, "副站长", "864200")
		if err := s.RemoveStaff(ctx, "王芳", "站长"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, se.Token); backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("the removed person's session survived: %v", err)
		}
		if _, err := s.Session(ctx, other.Token); err != nil {
			t.Fatalf("someone else's session ended: %v", err)
		}
		if _, err := s.Login(ctx, "王芳", "240816"); backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("a removed account logged in: %v", err)
		}
		list, _ := s.ListStaff(ctx)
		if len(list) != 2 {
			t.Fatalf("list after removal: %+v", list)
		}
		// The name is free again.
		if _, err := s.AddStaff(ctx, "王芳", backend.RoleStaff, "135792"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Err", func(t *testing.T) {
		for _, tc := range []struct {
			name       string
			remove, by string
			code, key  string
		}{
			{"Self", "站长", "站长", backend.ECONFLICT, "staff.remove_self"},
			{"NotFound", "nobody", "站长", backend.ENOTFOUND, "staff.not_found"},
			{"Empty", "", "站长", backend.ENOTFOUND, "staff.not_found"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s, _ := mustAccounts(t)
				err := s.RemoveStaff(ctx, tc.remove, tc.by)
				if backend.ErrorCode(err) != tc.code || errKey(err) != tc.key {
					t.Fatalf("got %v, want %s %s", err, tc.code, tc.key)
				}
				if list, _ := s.ListStaff(ctx); len(list) != 3 {
					t.Fatalf("a refused removal changed the accounts: %+v", list)
				}
			})
		}
	})

	t.Run("ErrLastAdmin", func(t *testing.T) {
		s, _ := mustAccounts(t)
		if err := s.RemoveStaff(ctx, "副站长", "站长"); err != nil {
			t.Fatal(err)
		}
		// From the command line (no one acting) the last admin still stays.
		err := s.RemoveStaff(ctx, "站长", "")
		if backend.ErrorCode(err) != backend.ECONFLICT || errKey(err) != "staff.last_admin" {
			t.Fatalf("removed the last admin: %v", err)
		}
		if _, err := s.Login(ctx, "站长", "975310"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestStaffService_SetRole(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		s, _ := mustAccounts(t)
		se, _ := s.Login(ctx, "王芳", "240816")
		if err := s.SetRole(ctx, "王芳", backend.RoleAdmin, "站长"); err != nil {
			t.Fatal(err)
		}
		// The open session has the new role: no need to log in again.
		if got, err := s.Session(ctx, se.Token); err != nil || got.Role != backend.RoleAdmin {
			t.Fatalf("session after promotion: %+v %v", got, err)
		}
		if err := s.SetRole(ctx, "王芳", backend.RoleStaff, "站长"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Session(ctx, se.Token); got.Role != backend.RoleStaff {
			t.Fatalf("session after demotion: %+v", got)
		}
		// Setting the role an account already has changes nothing, even for oneself.
		if err := s.SetRole(ctx, "站长", backend.RoleAdmin, "站长"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Err", func(t *testing.T) {
		for _, tc := range []struct {
			name      string
			who       string
			role      backend.Role
			by        string
			code, key string
		}{
			{"BadRole", "王芳", "boss", "站长", backend.EINVALID, "staff.role"},
			{"NotFound", "nobody", backend.RoleAdmin, "站长", backend.ENOTFOUND, "staff.not_found"},
			{"Self", "站长", backend.RoleStaff, "站长", backend.ECONFLICT, "staff.role_self"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s, _ := mustAccounts(t)
				err := s.SetRole(ctx, tc.who, tc.role, tc.by)
				if backend.ErrorCode(err) != tc.code || errKey(err) != tc.key {
					t.Fatalf("got %v, want %s %s", err, tc.code, tc.key)
				}
			})
		}
	})

	t.Run("ErrLastAdmin", func(t *testing.T) {
		s, _ := mustAccounts(t)
		if err := s.SetRole(ctx, "副站长", backend.RoleStaff, "站长"); err != nil {
			t.Fatal(err)
		}
		err := s.SetRole(ctx, "站长", backend.RoleStaff, "")
		if backend.ErrorCode(err) != backend.ECONFLICT || errKey(err) != "staff.last_admin" {
			t.Fatalf("demoted the last admin: %v", err)
		}
	})
}

// TestStaffService_AddFirstAdmin: a fresh station gets its first admin once. Two tries
// at once (two taps, two screens) make one admin; after it, every try is refused and
// changes nothing; a refused PIN stores nothing.
func TestStaffService_AddFirstAdmin(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		s := bolt.NewStaffService(db)
		if has, err := s.HasStaff(ctx); err != nil || has {
			t.Fatalf("fresh station has staff: %v %v", has, err)
		}
		a, err := s.AddFirstAdmin(ctx, " 站长 ", "975310")
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != "站长" || a.Role != backend.RoleAdmin {
			t.Fatalf("first admin %+v", a)
		}
		if has, _ := s.HasStaff(ctx); !has {
			t.Fatal("HasStaff after the first admin")
		}
		if _, err := s.Login(ctx, "站长", "975310"); err != nil {
			t.Fatalf("the first admin cannot log in: %v", err)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		s, _ := mustAccounts(t)
		for _, name := range []string{"站长", "新站长"} {
			if _, err := s.AddFirstAdmin(ctx, name, "135792"); backend.ErrorCode(err) != backend.ECONFLICT || errKey(err) != "setup.done" {
				t.Fatalf("first admin %s on a station with accounts: %v", name, err)
			}
		}
		if list, _ := s.ListStaff(ctx); len(list) != 3 {
			t.Fatalf("accounts changed: %+v", list)
		}
		if _, err := s.Login(ctx, "站长", "975310"); err != nil {
			t.Fatalf("the admin's PIN changed: %v", err)
		}
	})

	t.Run("AtOnce", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		s := bolt.NewStaffService(db)
		const tries = 6
		errs := make(chan error, tries)
		var start sync.WaitGroup
		start.Add(1)
		for i := range tries {
			go func() {
				start.Wait()
				_, err := s.AddFirstAdmin(ctx, fmt.Sprintf("站长%d", i), "975310")
				errs <- err
			}()
		}
		start.Done()
		made := 0
		for range tries {
			switch err := <-errs; backend.ErrorCode(err) {
			case "":
				made++
			case backend.ECONFLICT:
			default:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		list, _ := s.ListStaff(ctx)
		if made != 1 || len(list) != 1 || list[0].Role != backend.RoleAdmin {
			t.Fatalf("%d tries at once made %d admins: %+v", tries, made, list)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		s := bolt.NewStaffService(db)
		for _, tc := range []struct{ name, pin, key string }{
			{"站长", "12345", "staff.pin_length"},
			{"站长", "123456", "staff.pin_weak"},
			{"站长", "12ab56", "staff.pin_length"},
			{"  ", "975310", "staff.name"},
		} {
			if _, err := s.AddFirstAdmin(ctx, tc.name, tc.pin); backend.ErrorCode(err) != backend.EINVALID || errKey(err) != tc.key {
				t.Fatalf("%q %q: %v, want %s", tc.name, tc.pin, err, tc.key)
			}
		}
		if has, _ := s.HasStaff(ctx); has {
			t.Fatal("a refused first admin was stored")
		}
		// Refusals leave the way open: the next good try makes the admin.
		if _, err := s.AddFirstAdmin(ctx, "站长", "975310"); err != nil {
			t.Fatal(err)
		}
	})
}
