package postgres

import (
	"context"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/county"

	"github.com/jackc/pgx/v5"
)

// AddUser implements county.Store.
func (s *Store) AddUser(ctx context.Context, name, pin string) error {
	u, err := county.NewUser(name, pin, s.now())
	if err != nil {
		return err
	}
	return s.PutUser(ctx, *u)
}

// PutUser stores u as it is, its PIN hash included, over the user of that name if
// there is one: how a county moves here from another store, and what AddUser does
// with a new account.
func (s *Store) PutUser(ctx context.Context, u county.User) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO users (name, pin_hash, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET pin_hash = excluded.pin_hash, created_at = excluded.created_at`,
		u.Name, u.PINHash, u.CreatedAt)
	return ctxErr(ctx, err)
}

// Login implements county.Store. Wrong PINs are counted in the database, so a name
// locked on one server is locked on all.
func (s *Store) Login(ctx context.Context, name, pin string) (string, error) {
	now := s.now()
	var f county.LoginFailures
	var until *time.Time
	err := s.pool.QueryRow(ctx, `SELECT failures, locked_until FROM login_failures WHERE name = $1`, name).Scan(&f.N, &until)
	if _, err := noRows(err); err != nil {
		return "", ctxErr(ctx, err)
	}
	if until != nil {
		f.Until = *until
	}
	if err := f.Check(now, s.location); err != nil {
		return "", err
	}
	var hash string
	found, err := noRows(s.pool.QueryRow(ctx, `SELECT pin_hash FROM users WHERE name = $1`, name).Scan(&hash))
	if err != nil {
		return "", ctxErr(ctx, err)
	}
	if !found || !backend.CheckPIN(hash, pin) {
		if err := s.loginFailed(ctx, name, now); err != nil {
			return "", err
		}
		return "", county.ErrWrongPIN
	}
	token := county.RandomToken(32)
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM login_failures WHERE name = $1`, name)
		// Drop expired sessions while here; a county has few users.
		b.Queue(`DELETE FROM sessions WHERE expires < $1`, now)
		b.Queue(`INSERT INTO sessions (token_hash, user_name, expires) VALUES ($1, $2, $3)`,
			county.HashSecret(token), name, now.Add(county.SessionTTL))
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// loginFailed counts a wrong PIN for name at now by county.LoginFailures' rule, the
// row locked so that wrong PINs typed on two servers at once both count.
func (s *Store) loginFailed(ctx context.Context, name string, now time.Time) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var f county.LoginFailures
		var until *time.Time
		err := tx.QueryRow(ctx, `INSERT INTO login_failures (name, failures) VALUES ($1, 0)
			ON CONFLICT (name) DO UPDATE SET failures = login_failures.failures
			RETURNING failures, locked_until`, name).Scan(&f.N, &until)
		if err != nil {
			return err
		}
		if until != nil {
			f.Until = *until
		}
		f = f.Failed(now)
		_, err = tx.Exec(ctx, `UPDATE login_failures SET failures = $2, locked_until = $3 WHERE name = $1`,
			name, f.N, nullTime(f.Until))
		return err
	})
}

// SessionUser implements county.Store.
func (s *Store) SessionUser(ctx context.Context, token string) (string, error) {
	if token == "" {
		return "", county.ErrNoSession
	}
	var user string
	var expires time.Time
	found, err := noRows(s.pool.QueryRow(ctx, `SELECT user_name, expires FROM sessions WHERE token_hash = $1`,
		county.HashSecret(token)).Scan(&user, &expires))
	if err != nil {
		return "", ctxErr(ctx, err)
	}
	if !found || s.now().After(expires) {
		return "", county.ErrSessionEnded
	}
	return user, nil
}

// Logout implements county.Store.
func (s *Store) Logout(ctx context.Context, token string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, county.HashSecret(token))
	return ctxErr(ctx, err)
}
