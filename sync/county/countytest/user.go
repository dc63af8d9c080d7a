package countytest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/county"

	"github.com/jonboulle/clockwork"
)

func testUsers(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	if err := s.AddUser(ctx, " 王科长 ", "258013"); err != nil {
		t.Fatal(err)
	}
	token, err := s.Login(ctx, "王科长", "258013")
	if err != nil || token == "" {
		t.Fatalf("login: %q %v", token, err)
	}
	if user, err := s.SessionUser(ctx, token); err != nil || user != "王科长" {
		t.Errorf("session user %q %v", user, err)
	}
	_, err = s.Login(ctx, "王科长", "000000")
	wantCode(t, "a wrong PIN", err, backend.EUNAUTHORIZED)
	_, err = s.Login(ctx, "李科员", "258013")
	wantCode(t, "an unknown user", err, backend.EUNAUTHORIZED)
	// Adding a user again sets a new PIN.
	if err := s.AddUser(ctx, "王科长", "369024"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Login(ctx, "王科长", "258013")
	wantCode(t, "the old PIN", err, backend.EUNAUTHORIZED)
	if _, err := s.Login(ctx, "王科长", "369024"); err != nil {
		t.Errorf("the new PIN: %v", err)
	}
	wantCode(t, "no name", s.AddUser(ctx, " ", "258013"), backend.EINVALID)
	wantCode(t, "41 characters", s.AddUser(ctx, strings.Repeat("王", 41), "258013"), backend.EINVALID)
	wantCode(t, "a PIN the station refuses", s.AddUser(ctx, "李科员", "12"), backend.EINVALID)
}

func testLoginLock(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	if err := s.AddUser(ctx, "王科长", "258013"); err != nil {
		t.Fatal(err)
	}
	for range backend.MaxPINFailures {
		if _, err := s.Login(ctx, "王科长", "999999"); err == nil {
			t.Fatal("wrong PIN accepted")
		}
	}
	_, err := s.Login(ctx, "王科长", "258013")
	var e *backend.Error
	if !errors.As(err, &e) || e.Code != backend.EUNAUTHORIZED || e.Key != "county.locked" {
		t.Fatalf("the right PIN after %d wrong ones: %v, want county.locked", backend.MaxPINFailures, err)
	}
	clock.Advance(backend.LockDuration + time.Second)
	if _, err := s.Login(ctx, "王科长", "258013"); err != nil {
		t.Errorf("after the lock: %v", err)
	}
}

func testSessions(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	if err := s.AddUser(ctx, "王科长", "258013"); err != nil {
		t.Fatal(err)
	}
	_, err := s.SessionUser(ctx, "")
	wantCode(t, "no token", err, backend.EUNAUTHORIZED)
	_, err = s.SessionUser(ctx, "not-a-token")
	wantCode(t, "an unknown token", err, backend.EUNAUTHORIZED)

	first, _ := s.Login(ctx, "王科长", "258013")
	second, _ := s.Login(ctx, "王科长", "258013")
	if first == second {
		t.Fatal("two logins share a token")
	}
	if err := s.Logout(ctx, first); err != nil {
		t.Fatal(err)
	}
	_, err = s.SessionUser(ctx, first)
	wantCode(t, "after logout", err, backend.EUNAUTHORIZED)
	if _, err := s.SessionUser(ctx, second); err != nil {
		t.Errorf("the other session ended with the first: %v", err)
	}
	if err := s.Logout(ctx, "not-a-token"); err != nil {
		t.Errorf("logout of an unknown token: %v", err)
	}
	clock.Advance(county.SessionTTL - time.Minute)
	if _, err := s.SessionUser(ctx, second); err != nil {
		t.Errorf("before its end: %v", err)
	}
	clock.Advance(2 * time.Minute)
	_, err = s.SessionUser(ctx, second)
	wantCode(t, "after SessionTTL", err, backend.EUNAUTHORIZED)
}
