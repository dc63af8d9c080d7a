package bolt

import (
	"context"
	"encoding/json"

	"bingzhan/backend"
	"bingzhan/sync/county"

	bbolt "go.etcd.io/bbolt"
)

// AddUser implements county.Store.
func (s *Store) AddUser(ctx context.Context, name, pin string) error {
	u, err := county.NewUser(name, pin, s.now())
	if err != nil {
		return err
	}
	return s.update(ctx, func(tx *bbolt.Tx) error {
		return putJSON(tx.Bucket(bucketUsers), []byte(u.Name), u)
	})
}

// Login implements county.Store.
func (s *Store) Login(ctx context.Context, name, pin string) (string, error) {
	now := s.now()
	if err := s.logins.Check(name, now, s.location); err != nil {
		return "", err
	}
	var u county.User
	var found bool
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketUsers), []byte(name), &u)
		return err
	})
	if err != nil {
		return "", err
	}
	if !found || !backend.CheckPIN(u.PINHash, pin) {
		s.logins.Failed(name, now)
		return "", county.ErrWrongPIN
	}
	s.logins.Succeeded(name)
	token := county.RandomToken(32)
	err = s.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		// Drop expired sessions while here; a county has few users.
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var old county.Session
			if json.Unmarshal(v, &old) != nil || now.After(old.Expires) {
				if err := c.Delete(); err != nil {
					return err
				}
			}
		}
		return putJSON(b, county.HashSecret(token), &county.Session{User: name, Expires: now.Add(county.SessionTTL)})
	})
	return token, err
}

// SessionUser implements county.Store.
func (s *Store) SessionUser(ctx context.Context, token string) (string, error) {
	if token == "" {
		return "", county.ErrNoSession
	}
	var se county.Session
	var found bool
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketSessions), county.HashSecret(token), &se)
		return err
	})
	if err != nil {
		return "", err
	}
	if !found || s.now().After(se.Expires) {
		return "", county.ErrSessionEnded
	}
	return se.User, nil
}

// Logout implements county.Store.
func (s *Store) Logout(ctx context.Context, token string) error {
	return s.update(ctx, func(tx *bbolt.Tx) error { return tx.Bucket(bucketSessions).Delete(county.HashSecret(token)) })
}
