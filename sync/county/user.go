package county

import (
	"crypto/sha256"
	"encoding/json"
	"strings"
	"time"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// User is a county staff account. The PIN is kept only as its Argon2id hash, made and
// checked by the station's own code (backend.HashPIN), with the station's PIN rules.
type User struct {
	Name      string    `json:"name"`
	PINHash   string    `json:"pin_hash"`
	CreatedAt time.Time `json:"created_at"`
}

// session is a login; the token itself is never stored, only its SHA-256.
type session struct {
	User    string    `json:"user"`
	Expires time.Time `json:"expires"`
}

// SessionTTL is how long a login lasts, as on the station.
const SessionTTL = backend.SessionTTL

type loginFailures struct {
	n     int
	until time.Time
}

// AddUser creates a county staff account, or sets a new PIN for an existing one.
func (s *Store) AddUser(name, pin string) error {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 40 {
		return errorf("invalid", "a user needs a name of 1 to 40 characters")
	}
	if err := backend.ValidatePIN(pin); err != nil {
		return errorf("invalid", "%s", backend.ErrorMessage(err, "en"))
	}
	h, err := backend.HashPIN(pin)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketUsers), []byte(name), &User{Name: name, PINHash: h, CreatedAt: s.Now().UTC()})
	})
}

// Login checks name and PIN and returns a new session token. After maxFailures wrong
// PINs the name is locked for a few minutes, whatever PIN comes next.
func (s *Store) Login(name, pin string) (string, error) {
	now := s.Now()
	s.failMu.Lock()
	f := s.failures[name]
	s.failMu.Unlock()
	if now.Before(f.until) {
		return "", errorf("unauthorized", "too many wrong PINs: try again after %s", f.until.In(s.Location).Format("15:04"))
	}
	var u User
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketUsers), []byte(name), &u)
		return err
	})
	if err != nil {
		return "", err
	}
	if !found || !backend.CheckPIN(u.PINHash, pin) {
		s.failMu.Lock()
		f := s.failures[name]
		if f.n++; f.n >= backend.MaxPINFailures {
			f = loginFailures{until: now.Add(backend.LockDuration)}
		}
		s.failures[name] = f
		s.failMu.Unlock()
		return "", errorf("unauthorized", "wrong name or PIN")
	}
	s.failMu.Lock()
	delete(s.failures, name)
	s.failMu.Unlock()
	token := randomToken(32)
	sum := sha256.Sum256([]byte(token))
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		// Drop expired sessions while here; a county has few users.
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var old session
			if json.Unmarshal(v, &old) != nil || now.After(old.Expires) {
				if err := c.Delete(); err != nil {
					return err
				}
			}
		}
		return putJSON(b, sum[:], &session{User: name, Expires: now.Add(SessionTTL)})
	})
	return token, err
}

// SessionUser returns the user of a valid session token.
func (s *Store) SessionUser(token string) (string, error) {
	if token == "" {
		return "", errorf("unauthorized", "please log in")
	}
	sum := sha256.Sum256([]byte(token))
	var se session
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketSessions), sum[:], &se)
		return err
	})
	if err != nil {
		return "", err
	}
	if !found || s.Now().After(se.Expires) {
		return "", errorf("unauthorized", "your session has ended: please log in again")
	}
	return se.User, nil
}

// Logout ends a session.
func (s *Store) Logout(token string) error {
	sum := sha256.Sum256([]byte(token))
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSessions).Delete(sum[:]) })
}
