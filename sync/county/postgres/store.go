// Package postgres is the county's Store on PostgreSQL (pgx, natively), for a county
// that runs several servers on one database, or wants its figures in SQL. It behaves
// as the bbolt store in sync/county/bolt does, answer for answer: both pass
// sync/county/countytest.
//
// Servers keep nothing of their own: stations, entries under their permanent keys,
// the tickets whose first call was counted, day figures, users, sessions, wrong-PIN
// counts and data sets are all rows (migrations/00001_county.sql describes each
// table). Open applies the schema's migrations (goose, embedded in the binary) under
// a PostgreSQL advisory lock, so servers starting together on an empty database
// create it once. The county's folder holds only the data key that seals the registry and bookings
// (county.DataKeyFile), the same file the bbolt store keeps: servers sharing a
// database share it, or copies of it.
//
// A push is one transaction that locks its station's row first, so two servers taking
// pushes of one station take them one after the other; all its entries go in with
// one INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING, and those it did not
// insert are then told apart as bbolt tells them.
//
// It is the only county package that imports pgx and goose.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/keys"
	"bingzhan/sync/county"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options are what a county process sets once for its store.
type Options struct {
	// Clock stamps receive times, logins and imports; nil is the machine's clock.
	Clock backend.Clock
	// Logger gets the store's log; nil is slog.Default().
	Logger *slog.Logger
	// Location is the county's time zone; nil is county.DefaultLocation().
	Location *time.Location
	// ReadSheet reads imported CSV and XLSX files (backend/report.ParseSheet); nil
	// refuses sheets and takes only a catalog as JSON.
	ReadSheet county.SheetReader
	// ReadURL, when set, is a streaming replica of the database: the dashboard's reads
	// (Stations, Day, Days) go there, so a month's report does not slow the stations
	// down. They then see what the replica has replayed so far.
	ReadURL string
	// MaxConns is the most connections the store opens; 0 is pgxpool's default (4, or
	// the number of CPUs if more).
	MaxConns int32
}

// Store is the county database on PostgreSQL: a county.Store. It is safe for
// concurrent use, by one server and by several on one database.
type Store struct {
	pool      *pgxpool.Pool
	read      *pgxpool.Pool // Options.ReadURL's, or pool
	clock     backend.Clock
	location  *time.Location
	readSheet county.SheetReader
	logger    *slog.Logger
	// cipher seals the registry and the bookings at rest with the county's data key.
	cipher *keys.Cipher
}

var _ county.Store = (*Store)(nil)

// migrationLockID names the advisory lock servers take while they migrate: goose's
// own id, so that a goose command run by hand waits for them too.
const migrationLockID = lock.DefaultLockID

// Open connects to the database at url (a postgres:// URL or key=value string, as
// pgx takes), creates or updates its schema, and opens the county's data key in dir,
// making it the first time. The database must exist; an empty one is made a county's.
func Open(ctx context.Context, url, dir string, opt Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create county folder: %w", err)
	}
	cipher, err := county.OpenDataKey(dir)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("county database URL: %w", err)
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		// Times come back in UTC, as the bbolt store gives them.
		conn.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	}
	s := &Store{clock: backend.ClockOrSystem(opt.Clock), location: opt.Location, readSheet: opt.ReadSheet,
		logger: opt.Logger, cipher: cipher}
	if s.location == nil {
		s.location = county.DefaultLocation()
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if err := migrate(ctx, cfg.ConnConfig.Copy(), s.logger); err != nil {
		return nil, err
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("connect to the county database: %w", err)
	}
	s.read = s.pool
	if opt.ReadURL != "" {
		rcfg, err := pgxpool.ParseConfig(opt.ReadURL)
		if err != nil {
			s.pool.Close()
			return nil, fmt.Errorf("county replica URL: %w", err)
		}
		rcfg.MaxConns, rcfg.AfterConnect = cfg.MaxConns, cfg.AfterConnect
		if s.read, err = pgxpool.NewWithConfig(ctx, rcfg); err != nil {
			s.pool.Close()
			return nil, fmt.Errorf("connect to the county replica: %w", err)
		}
	}
	return s, nil
}

// migrate brings the schema up to date over a database/sql connection of its own,
// which goose needs, holding goose's session lock so that one server migrates while
// the others wait.
func migrate(ctx context.Context, cfg *pgx.ConnConfig, logger *slog.Logger) error {
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	files, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	// Retry every second for up to 5 minutes: a server waits for another's migration.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID), lock.WithLockTimeout(1, 300))
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true), goose.WithSlog(logger))
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("migrate the county database: %w", err)
	}
	return nil
}

// Location returns the county's time zone.
func (s *Store) Location() *time.Location { return s.location }

// Ping checks that the database answers, for a health check. It returns the
// context's error when ctx ends first.
func (s *Store) Ping(ctx context.Context) error {
	return ctxErr(ctx, s.pool.Ping(ctx))
}

// Close closes the store's connections, waiting for those in use.
func (s *Store) Close() error {
	if s.read != s.pool {
		s.read.Close()
	}
	s.pool.Close()
	return nil
}

// now returns the clock's time in UTC to the microsecond, which is what the database
// keeps: what a method answers is what a later read gives.
func (s *Store) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// inTx runs fn in one transaction unless ctx is done already, committing when fn
// returns nil: a caller that gave up changes nothing.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return ctxErr(ctx, pgx.BeginFunc(ctx, s.pool, fn))
}

// ctxErr returns ctx's error in place of err once ctx is done, as county.Store
// promises; err otherwise.
func ctxErr(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		var e *backend.Error
		if !errors.As(err, &e) {
			return ctx.Err()
		}
	}
	return err
}

// isUnique reports whether err is a unique violation of constraint (any, for "").
func isUnique(err error, constraint string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && (constraint == "" || pe.ConstraintName == constraint)
}

// nullTime is t for a nullable column: NULL for the zero time.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// noRows turns pgx.ErrNoRows into found false.
func noRows(err error) (found bool, _ error) {
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
