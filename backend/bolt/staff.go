package bolt

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"sync"
	"time"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// Staff accounts and sessions:
//
//	staff:    name → Staff (JSON, with the PIN's Argon2id hash)
//	sessions: SHA-256 of the token → Session (JSON); the token itself is never stored
//	authlock: "kiosk-exit" → lock (JSON), wrong admin PINs at the kiosk's exit
var (
	bucketStaff    = newBucket("staff")
	bucketSessions = newBucket("sessions")
	bucketAuthLock = newBucket("authlock")
)

var keyKioskExit = []byte("kiosk-exit")

// lock counts wrong PINs where there is no account to count them on.
type lock struct {
	Failed      int       `json:"failed"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
}

// StaffService keeps staff accounts and sessions. PINs are checked outside any
// transaction: a hash takes tens of milliseconds and must not hold up calling.
type StaffService struct {
	db *DB
	// TTL is how long a session lasts; backend.SessionTTL unless a test shortens it.
	TTL time.Duration
}

// NewStaffService returns a StaffService on db.
func NewStaffService(db *DB) *StaffService { return &StaffService{db: db, TTL: backend.SessionTTL} }

// AddStaff creates an account.
func (s *StaffService) AddStaff(ctx context.Context, name string, role backend.Role, pin string) (*backend.Staff, error) {
	return s.add(name, role, pin, false)
}

// AddFirstAdmin creates the station's first account, an admin, in one transaction
// that finds no account at all: of two tries at once, one makes the admin and the
// other is refused. A station with an account refuses before the PIN is even hashed.
func (s *StaffService) AddFirstAdmin(ctx context.Context, name, pin string) (*backend.Staff, error) {
	if has, err := s.HasStaff(ctx); err != nil {
		return nil, err
	} else if has {
		return nil, backend.Errorf(backend.ECONFLICT, "setup.done")
	}
	return s.add(name, backend.RoleAdmin, pin, true)
}

// add checks and hashes, then stores the account; first refuses it unless the
// station has no account yet.
func (s *StaffService) add(name string, role backend.Role, pin string, first bool) (*backend.Staff, error) {
	name, err := backend.ValidateStaffName(name)
	if err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, backend.Errorf(backend.EINVALID, "staff.role")
	}
	if err := backend.ValidatePIN(pin); err != nil {
		return nil, err
	}
	hash, err := backend.HashPIN(pin)
	if err != nil {
		return nil, err
	}
	st := &backend.Staff{Name: name, Role: role, PINHash: hash, CreatedAt: s.db.Clock.Now()}
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStaff)
		if first {
			if k, _ := b.Cursor().First(); k != nil {
				return backend.Errorf(backend.ECONFLICT, "setup.done")
			}
		}
		if b.Get([]byte(name)) != nil {
			return backend.Errorf(backend.ECONFLICT, "staff.exists", name)
		}
		return putJSON(b, []byte(name), st)
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// HasStaff reports whether the station has any account.
func (s *StaffService) HasStaff(ctx context.Context) (bool, error) {
	var has bool
	err := s.db.db.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketStaff).Cursor().First()
		has = k != nil
		return nil
	})
	return has, err
}

// ListStaff returns every account by name, without PIN hashes.
func (s *StaffService) ListStaff(ctx context.Context) ([]backend.Staff, error) {
	out := []backend.Staff{}
	err := s.db.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketStaff).ForEach(func(k, v []byte) error {
			var st backend.Staff
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			st.PINHash = ""
			out = append(out, st)
			return nil
		})
	})
	return out, err
}

// SetPIN gives an account a new PIN, unlocks it and ends its sessions, so a PIN
// reset after a leak shuts out whoever knew the old one.
func (s *StaffService) SetPIN(ctx context.Context, name, pin string) error {
	if err := backend.ValidatePIN(pin); err != nil {
		return err
	}
	hash, err := backend.HashPIN(pin)
	if err != nil {
		return err
	}
	return s.db.db.Update(func(tx *bolt.Tx) error {
		st, err := getStaff(tx, name)
		if err != nil {
			return err
		}
		st.PINHash, st.Failed, st.LockedUntil = hash, 0, time.Time{}
		if err := putJSON(tx.Bucket(bucketStaff), []byte(st.Name), st); err != nil {
			return err
		}
		return deleteSessions(tx, func(se *backend.Session) bool { return se.Name == st.Name })
	})
}

// UnlockStaff lifts an account's lock and clears its count of wrong PINs.
func (s *StaffService) UnlockStaff(ctx context.Context, name string) error {
	return s.db.db.Update(func(tx *bolt.Tx) error {
		st, err := getStaff(tx, name)
		if err != nil {
			return err
		}
		st.Failed, st.LockedUntil = 0, time.Time{}
		return putJSON(tx.Bucket(bucketStaff), []byte(st.Name), st)
	})
}

// SetRole makes an account staff or admin. Its sessions are rewritten with the new
// role in the same transaction: a demoted admin loses the admin screens at their next
// request, and a promoted one need not log in again.
func (s *StaffService) SetRole(ctx context.Context, name string, role backend.Role, by string) error {
	if !role.Valid() {
		return backend.Errorf(backend.EINVALID, "staff.role")
	}
	return s.db.db.Update(func(tx *bolt.Tx) error {
		st, err := getStaff(tx, name)
		if err != nil {
			return err
		}
		if st.Role == role {
			return nil
		}
		if st.Name == by {
			return backend.Errorf(backend.ECONFLICT, "staff.role_self")
		}
		if err := keepAnAdmin(tx, st); err != nil {
			return err
		}
		st.Role = role
		if err := putJSON(tx.Bucket(bucketStaff), []byte(st.Name), st); err != nil {
			return err
		}
		return updateSessions(tx, st.Name, func(se *backend.Session) { se.Role = role })
	})
}

// RemoveStaff deletes an account and its sessions in one transaction, so the
// removed person's next request is refused.
func (s *StaffService) RemoveStaff(ctx context.Context, name, by string) error {
	return s.db.db.Update(func(tx *bolt.Tx) error {
		st, err := getStaff(tx, name)
		if err != nil {
			return err
		}
		if st.Name == by {
			return backend.Errorf(backend.ECONFLICT, "staff.remove_self")
		}
		if err := keepAnAdmin(tx, st); err != nil {
			return err
		}
		if err := tx.Bucket(bucketStaff).Delete([]byte(st.Name)); err != nil {
			return err
		}
		return deleteSessions(tx, func(se *backend.Session) bool { return se.Name == st.Name })
	})
}

// keepAnAdmin refuses to let st stop being an admin when it is the only one: a
// station without an admin could not add accounts, set counters or leave the kiosk
// window until someone with the command line came.
func keepAnAdmin(tx *bolt.Tx, st *backend.Staff) error {
	if st.Role != backend.RoleAdmin {
		return nil
	}
	admins := 0
	err := tx.Bucket(bucketStaff).ForEach(func(k, v []byte) error {
		var other backend.Staff
		if err := json.Unmarshal(v, &other); err != nil {
			return err
		}
		if other.Role == backend.RoleAdmin {
			admins++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if admins <= 1 {
		return backend.Errorf(backend.ECONFLICT, "staff.last_admin", st.Name)
	}
	return nil
}

// dummyHash is checked against when a name is unknown, so a wrong name takes as long
// as a wrong PIN and does not reveal which names exist.
var dummyHash = sync.OnceValue(func() string {
	h, _ := backend.HashPIN("000000")
	return h
})

// Login checks a name and PIN and opens a session.
func (s *StaffService) Login(ctx context.Context, name, pin string) (*backend.Session, error) {
	wrong := backend.Errorf(backend.EUNAUTHORIZED, "staff.wrong_pin", backend.MaxPINFailures, int(backend.LockDuration/time.Minute))
	var st *backend.Staff
	err := s.db.db.View(func(tx *bolt.Tx) (err error) {
		st, err = getStaff(tx, name)
		return err
	})
	if backend.ErrorCode(err) == backend.ENOTFOUND {
		backend.CheckPIN(dummyHash(), pin)
		return nil, wrong
	} else if err != nil {
		return nil, err
	}
	now := s.db.Clock.Now()
	if st.Locked(now) {
		return nil, lockedError(st.LockedUntil.Sub(now))
	}
	ok := backend.CheckPIN(st.PINHash, pin)

	var se *backend.Session
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		st, err := getStaff(tx, st.Name)
		if err != nil {
			return err
		}
		now := s.db.Clock.Now()
		if st.Locked(now) { // another wrong try locked it while this PIN was checked
			return lockedError(st.LockedUntil.Sub(now))
		}
		if !ok {
			st.Failed++
			if st.Failed >= backend.MaxPINFailures {
				st.Failed, st.LockedUntil = 0, now.Add(backend.LockDuration)
				s.db.Logger.Warn("staff account locked after wrong PINs", "name", st.Name)
			}
			return putJSON(tx.Bucket(bucketStaff), []byte(st.Name), st)
		}
		st.Failed, st.LastLogin = 0, now
		if err := putJSON(tx.Bucket(bucketStaff), []byte(st.Name), st); err != nil {
			return err
		}
		if err := deleteSessions(tx, func(old *backend.Session) bool { return !now.Before(old.ExpiresAt) }); err != nil {
			return err
		}
		token, err := newToken()
		if err != nil {
			return err
		}
		se = &backend.Session{Token: token, Name: st.Name, Role: st.Role, CreatedAt: now, ExpiresAt: now.Add(s.TTL)}
		return putJSON(tx.Bucket(bucketSessions), tokenKey(token), se)
	})
	if err != nil {
		return nil, err
	}
	if se == nil {
		// The wrong try was recorded (committed) before it is reported.
		return nil, wrong
	}
	return se, nil
}

// Logout ends the session of token.
func (s *StaffService) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.db.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Delete(tokenKey(token))
	})
}

// Session returns the live session of token.
func (s *StaffService) Session(ctx context.Context, token string) (*backend.Session, error) {
	if token == "" {
		return nil, backend.Errorf(backend.EUNAUTHORIZED, "auth.required")
	}
	var se backend.Session
	var found bool
	err := s.db.db.View(func(tx *bolt.Tx) (err error) {
		found, err = getJSON(tx.Bucket(bucketSessions), tokenKey(token), &se)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, backend.Errorf(backend.EUNAUTHORIZED, "auth.required")
	}
	if !s.db.Clock.Now().Before(se.ExpiresAt) {
		return nil, backend.Errorf(backend.EUNAUTHORIZED, "auth.expired")
	}
	return &se, nil
}

// CheckAdminPIN returns the admin whose PIN is pin. Wrong PINs are counted for the
// kiosk as a whole: the exit has no name to lock, and five wrong tries lock it.
func (s *StaffService) CheckAdminPIN(ctx context.Context, pin string) (*backend.Staff, error) {
	var l lock
	var admins []backend.Staff
	err := s.db.db.View(func(tx *bolt.Tx) error {
		if _, err := getJSON(tx.Bucket(bucketAuthLock), keyKioskExit, &l); err != nil {
			return err
		}
		return tx.Bucket(bucketStaff).ForEach(func(k, v []byte) error {
			var st backend.Staff
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			if st.Role == backend.RoleAdmin {
				admins = append(admins, st)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	now := s.db.Clock.Now()
	if now.Before(l.LockedUntil) {
		return nil, lockedError(l.LockedUntil.Sub(now))
	}
	var match *backend.Staff
	for i := range admins {
		if backend.CheckPIN(admins[i].PINHash, pin) {
			match = &admins[i]
			break
		}
	}
	if len(admins) == 0 {
		backend.CheckPIN(dummyHash(), pin)
	}
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		var l lock
		if _, err := getJSON(tx.Bucket(bucketAuthLock), keyKioskExit, &l); err != nil {
			return err
		}
		if match != nil {
			return tx.Bucket(bucketAuthLock).Delete(keyKioskExit)
		}
		if l.Failed++; l.Failed >= backend.MaxPINFailures {
			l.Failed, l.LockedUntil = 0, now.Add(backend.LockDuration)
			s.db.Logger.Warn("kiosk exit locked after wrong admin PINs")
		}
		return putJSON(tx.Bucket(bucketAuthLock), keyKioskExit, &l)
	})
	if err != nil {
		return nil, err
	}
	if match == nil {
		return nil, backend.Errorf(backend.EUNAUTHORIZED, "staff.wrong_pin", backend.MaxPINFailures, int(backend.LockDuration/time.Minute))
	}
	match.PINHash = ""
	return match, nil
}

// lockedError says how many whole minutes (at least one) a lock has left.
func lockedError(left time.Duration) error {
	return backend.Errorf(backend.EUNAUTHORIZED, "staff.locked", int((left+time.Minute-1)/time.Minute))
}

func getStaff(tx *bolt.Tx, name string) (*backend.Staff, error) {
	var st backend.Staff
	if ok, err := getJSON(tx.Bucket(bucketStaff), []byte(name), &st); err != nil {
		return nil, err
	} else if !ok {
		return nil, backend.Errorf(backend.ENOTFOUND, "staff.not_found", name)
	}
	return &st, nil
}

// deleteSessions removes the sessions for which match is true.
func deleteSessions(tx *bolt.Tx, match func(*backend.Session) bool) error {
	return deleteWhere(tx.Bucket(bucketSessions), func(_, v []byte) bool {
		var se backend.Session
		return json.Unmarshal(v, &se) != nil || match(&se)
	})
}

// updateSessions changes every session of the named account with change.
func updateSessions(tx *bolt.Tx, name string, change func(*backend.Session)) error {
	b := tx.Bucket(bucketSessions)
	changed := map[string]*backend.Session{}
	err := b.ForEach(func(k, v []byte) error {
		var se backend.Session
		if json.Unmarshal(v, &se) == nil && se.Name == name {
			change(&se)
			changed[string(k)] = &se
		}
		return nil
	})
	if err != nil {
		return err
	}
	for k, se := range changed {
		if err := putJSON(b, []byte(k), se); err != nil {
			return err
		}
	}
	return nil
}

// newToken returns 32 random bytes, URL-safe base64: unguessable and cookie-safe.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func tokenKey(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
