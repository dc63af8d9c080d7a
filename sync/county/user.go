package county

import (
	"strings"
	"sync"
	"time"

	"bingzhan/backend"
)

// User is a county staff account. The PIN is kept only as its Argon2id hash, made and
// checked by the station's own code (backend.HashPIN), with the station's PIN rules.
type User struct {
	Name      string    `json:"name"`
	PINHash   string    `json:"pin_hash"`
	CreatedAt time.Time `json:"created_at"`
}

// Session is a login; the token itself is never stored, only its hash (HashSecret).
type Session struct {
	User    string    `json:"user"`
	Expires time.Time `json:"expires"`
}

// SessionTTL is how long a login lasts, as on the station.
const SessionTTL = backend.SessionTTL

// NewUser checks name and PIN and returns the account to store, created at now.
func NewUser(name, pin string, now time.Time) (*User, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 40 {
		return nil, Errorf(backend.EINVALID, "county.user_name")
	}
	if err := backend.ValidatePIN(pin); err != nil {
		return nil, Invalid(err)
	}
	h, err := backend.HashPIN(pin)
	if err != nil {
		return nil, err
	}
	return &User{Name: name, PINHash: h, CreatedAt: now.UTC()}, nil
}

// ErrWrongPIN is the answer to a wrong name or PIN.
var ErrWrongPIN = Errorf(backend.EUNAUTHORIZED, "county.wrong_pin")

// ErrNoSession is the answer to a request without a session token.
var ErrNoSession = Errorf(backend.EUNAUTHORIZED, "county.login")

// ErrSessionEnded is the answer to an unknown or expired session token.
var ErrSessionEnded = Errorf(backend.EUNAUTHORIZED, "county.session_ended")

// LoginFailures are one user name's wrong PINs since its last right one, and the end
// of the lock they brought. The rules are here once: LoginLimiter keeps them in memory,
// a store shared by several servers keeps them in its database and applies the same
// Check and Failed.
type LoginFailures struct {
	N     int
	Until time.Time
}

// Check returns the "county.locked" EUNAUTHORIZED error while f locks its name at
// now; loc gives the time of day it says.
func (f LoginFailures) Check(now time.Time, loc *time.Location) error {
	if now.Before(f.Until) {
		return Errorf(backend.EUNAUTHORIZED, "county.locked", f.Until.In(loc).Format("15:04"))
	}
	return nil
}

// Failed returns f with one more wrong PIN at now: the backend.MaxPINFailures-th
// locks the name for backend.LockDuration and starts the count again.
func (f LoginFailures) Failed(now time.Time) LoginFailures {
	if f.N++; f.N >= backend.MaxPINFailures {
		f = LoginFailures{Until: now.Add(backend.LockDuration)}
	}
	return f
}

// LoginLimiter locks a user name for backend.LockDuration after
// backend.MaxPINFailures wrong PINs, whatever PIN comes next. It lives in memory, as
// the station's does: a restart forgives. The zero value is ready.
type LoginLimiter struct {
	mu       sync.Mutex
	failures map[string]LoginFailures // by user name
}

// Check returns the "county.locked" EUNAUTHORIZED error while name is locked at now;
// loc gives the time of day it says.
func (l *LoginLimiter) Check(name string, now time.Time, loc *time.Location) error {
	l.mu.Lock()
	f := l.failures[name]
	l.mu.Unlock()
	return f.Check(now, loc)
}

// Failed counts a wrong PIN for name at now.
func (l *LoginLimiter) Failed(name string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failures == nil {
		l.failures = map[string]LoginFailures{}
	}
	l.failures[name] = l.failures[name].Failed(now)
}

// Succeeded forgets name's wrong PINs.
func (l *LoginLimiter) Succeeded(name string) {
	l.mu.Lock()
	delete(l.failures, name)
	l.mu.Unlock()
}
