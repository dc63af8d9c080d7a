package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"bingzhan/sync/county"

	"github.com/jackc/pgx/v5"
)

// stationColumns are the columns scanStation reads, in its order.
const stationColumns = `id, name, secret_hash, created_at, key_id, version, retired_at, last_seen, pending,
	oldest_pending, dead_letters, contiguous, received, total`

// scanStation reads one row of stationColumns, and then into more the columns
// selected after them.
func scanStation(row pgx.Row, st *county.Station, more ...any) error {
	return row.Scan(append([]any{&st.ID, &st.Name, &st.SecretHash, &st.CreatedAt, &st.KeyID, &st.Version, &st.RetiredAt,
		&st.LastSeen, &st.Pending, &st.OldestPending, &st.DeadLetters, &st.Contiguous, &st.Received, &st.Total}, more...)...)
}

// AddStation implements county.Store.
func (s *Store) AddStation(ctx context.Context, name string) (*county.Station, string, error) {
	name, err := county.StationName(name)
	if err != nil {
		return nil, "", err
	}
	secret, hash := county.NewSecret()
	st := &county.Station{Name: name, SecretHash: hash, CreatedAt: s.now(), Received: map[string]int{}}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		// Look first, so a refused name takes no number.
		if err := s.nameTaken(ctx, tx, name); err != nil {
			return err
		}
		var n uint64
		if err := tx.QueryRow(ctx, `SELECT nextval('station_numbers')`).Scan(&n); err != nil {
			return err
		}
		st.ID = county.StationID(n)
		_, err := tx.Exec(ctx, `INSERT INTO stations (id, name, secret_hash, created_at) VALUES ($1, $2, $3, $4)`,
			st.ID, st.Name, st.SecretHash, st.CreatedAt)
		return err
	})
	if isUnique(err, "stations_name") {
		// Another server enrolled the name at the same moment.
		err = s.nameTaken(ctx, s.pool, name)
	}
	if err != nil {
		return nil, "", err
	}
	return st, secret, nil
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// nameTaken returns county.ErrStationExists when a station that is not retired is
// called name.
func (s *Store) nameTaken(ctx context.Context, q querier, name string) error {
	var other county.Station
	err := scanStation(q.QueryRow(ctx, `SELECT `+stationColumns+` FROM stations WHERE name = $1 AND retired_at IS NULL`, name), &other)
	if found, err := noRows(err); err != nil {
		return err
	} else if found {
		return county.ErrStationExists(name, &other)
	}
	return nil
}

// NewSecret implements county.Store.
func (s *Store) NewSecret(ctx context.Context, idOrName string) (*county.Station, string, error) {
	secret, hash := county.NewSecret()
	st, err := s.changeStation(ctx, idOrName, func(st *county.Station) error { return county.GiveNewSecret(st, hash) })
	if err != nil {
		return nil, "", err
	}
	return st, secret, nil
}

// RetireStation implements county.Store.
func (s *Store) RetireStation(ctx context.Context, idOrName string) (*county.Station, error) {
	now := s.now()
	return s.changeStation(ctx, idOrName, func(st *county.Station) error { return county.Retire(st, now) })
}

// changeStation applies change to the station with this id, or else the one station
// (not retired) with this name, or else the last retired one so called, in one
// transaction: bbolt's choice.
func (s *Store) changeStation(ctx context.Context, idOrName string, change func(*county.Station) error) (*county.Station, error) {
	idOrName = strings.TrimSpace(idOrName)
	var st county.Station
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		found, err := noRows(scanStation(tx.QueryRow(ctx, `SELECT `+stationColumns+` FROM stations WHERE id = $1 FOR UPDATE`, idOrName), &st))
		if err != nil {
			return err
		}
		if !found {
			found, err = noRows(scanStation(tx.QueryRow(ctx, `SELECT `+stationColumns+` FROM stations WHERE name = $1
				ORDER BY retired_at IS NULL DESC, id COLLATE "C" DESC LIMIT 1 FOR UPDATE`, idOrName), &st))
			if err != nil {
				return err
			}
		}
		if !found {
			return county.ErrStationNotFound(idOrName)
		}
		if err := change(&st); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE stations SET secret_hash = $2, key_id = $3, retired_at = $4 WHERE id = $1`,
			st.ID, st.SecretHash, st.KeyID, st.RetiredAt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// Stations implements county.Store.
func (s *Store) Stations(ctx context.Context) ([]county.Station, error) {
	rows, err := s.read.Query(ctx, `SELECT `+stationColumns+` FROM stations ORDER BY name COLLATE "C", id COLLATE "C"`)
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (county.Station, error) {
		var st county.Station
		err := scanStation(row, &st)
		return st, err
	})
	return out, ctxErr(ctx, err)
}

// Authenticate implements county.Store.
func (s *Store) Authenticate(ctx context.Context, id, secret string) (*county.Station, error) {
	var st county.Station
	found, err := noRows(scanStation(s.pool.QueryRow(ctx, `SELECT `+stationColumns+` FROM stations WHERE id = $1`, id), &st))
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	return county.CheckSecret(&st, found, secret)
}

// PutStation stores st as it is, secret hash, key binding and counters included,
// over the station with its id if there is one: how a county moves here from another
// store. The count its id carries moves the numbering on, so stations enrolled later
// get higher numbers. What the county holds of the station's entries (its highest
// sequence, and a contiguous mark above st's) stays. Returns ECONFLICT when another
// station that is not retired has st's name.
func (s *Store) PutStation(ctx context.Context, st county.Station) error {
	received, err := json.Marshal(st.Received)
	if err != nil {
		return err
	}
	if st.Received == nil {
		received = []byte("{}")
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO stations AS s (id, name, secret_hash, created_at, key_id, version, retired_at,
				last_seen, pending, oldest_pending, dead_letters, contiguous, received, total)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, secret_hash = excluded.secret_hash,
				created_at = excluded.created_at, key_id = excluded.key_id, version = excluded.version,
				retired_at = excluded.retired_at, last_seen = excluded.last_seen, pending = excluded.pending,
				oldest_pending = excluded.oldest_pending, dead_letters = excluded.dead_letters,
				contiguous = greatest(s.contiguous, excluded.contiguous), received = excluded.received, total = excluded.total`,
			st.ID, st.Name, st.SecretHash, st.CreatedAt, st.KeyID, st.Version, st.RetiredAt, st.LastSeen, st.Pending,
			st.OldestPending, st.DeadLetters, int64(st.Contiguous), received, st.Total)
		if err != nil {
			return err
		}
		var n int64
		if _, err := fmt.Sscanf(st.ID, "st-%d-", &n); err == nil && n > 0 {
			_, err = tx.Exec(ctx, `SELECT setval('station_numbers', greatest($1, (SELECT last_value FROM station_numbers)))`, n)
			return err
		}
		return nil
	})
	if isUnique(err, "stations_name") {
		return s.nameTaken(ctx, s.pool, st.Name)
	}
	return err
}
