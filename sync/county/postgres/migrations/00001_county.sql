-- The county's schema: what the bbolt store keeps in its buckets, as tables. Servers
-- keep nothing of their own, so every rule that needs memory (the ticket counted once,
-- the login lock) has its table here.
--
-- Keys are texts that compare as bytes (COLLATE "C"), as bbolt's keys do, whatever
-- the database's locale. Times
-- that the county stamps are timestamptz (microseconds); an entry's own time and data
-- are kept exactly as the station sent them. The tables written per entry have no
-- foreign keys: every write to them holds its station's row locked, which proves the
-- station is there, and a check per row would cost ingest dearly.

-- +goose Up

-- stations: one row per enrolment, retired ones included; the backlog columns are
-- what the last push reported, contiguous and highest what the county holds.
-- received counts stored entries (and kept discard markers) by kind; total counts
-- stored entries.
CREATE SEQUENCE station_numbers;
CREATE TABLE stations (
	id             text COLLATE "C" PRIMARY KEY,
	name           text NOT NULL,
	secret_hash    bytea,
	created_at     timestamptz NOT NULL,
	key_id         text NOT NULL DEFAULT '',
	version        text NOT NULL DEFAULT '',
	retired_at     timestamptz,
	last_seen      timestamptz,
	pending        integer NOT NULL DEFAULT 0,
	oldest_pending timestamptz,
	dead_letters   integer NOT NULL DEFAULT 0,
	contiguous     bigint NOT NULL DEFAULT 0,
	highest        bigint NOT NULL DEFAULT 0,
	received       jsonb NOT NULL DEFAULT '{}',
	total          bigint NOT NULL DEFAULT 0
);
-- One station that is not retired per name.
CREATE UNIQUE INDEX stations_name ON stations (name) WHERE retired_at IS NULL;

-- entries: every stored fact under its two permanent unique keys. key_id is the
-- station key that sent it (wire station_id); at is its own time as sent (RFC 3339
-- with nanoseconds and offset; at::timestamptz reads it); data its JSON object's
-- bytes as sent (convert_from(data, 'UTF8')::jsonb reads it).
CREATE TABLE entries (
	station_id  text COLLATE "C" NOT NULL,
	seq         bigint NOT NULL,
	id          text COLLATE "C" NOT NULL,
	key_id      text NOT NULL,
	kind        text NOT NULL,
	at          text NOT NULL,
	data        bytea NOT NULL,
	received_at timestamptz NOT NULL,
	PRIMARY KEY (station_id, seq),
	UNIQUE (id)
);

-- discards: discard markers whose sequence holds another entry (a station restored
-- from a backup), kept apart, once by their own id: they take no key in entries.
CREATE TABLE discards (
	station_id  text COLLATE "C" NOT NULL,
	id          text COLLATE "C" NOT NULL,
	seq         bigint NOT NULL,
	key_id      text NOT NULL,
	kind        text NOT NULL,
	at          text NOT NULL,
	data        bytea NOT NULL,
	received_at timestamptz NOT NULL,
	PRIMARY KEY (station_id, id)
);

-- tickets: what the day figures have counted of each ticket (county.TicketMarks:
-- its first call, its finish, whether it counts as a no-show now).
CREATE TABLE tickets (
	station_id text COLLATE "C" NOT NULL,
	ticket     text COLLATE "C" NOT NULL,
	marks      smallint NOT NULL,
	PRIMARY KEY (station_id, ticket)
);

-- daily: each station's figures for a day (YYYY-MM-DD as the entries name it), the
-- domain's county.DayStats in its versioned binary form (county.EncodeDay), as bbolt
-- keeps them: new figures need no migration, and a year of 300 stations reads back
-- fast enough for the figures page.
CREATE TABLE daily (
	station_id text COLLATE "C" NOT NULL,
	date       text COLLATE "C" NOT NULL,
	stats      bytea NOT NULL,
	PRIMARY KEY (station_id, date)
);
CREATE INDEX daily_date ON daily (date);

-- users: county staff, with the Argon2id hash of their PIN.
CREATE TABLE users (
	name       text PRIMARY KEY,
	pin_hash   text NOT NULL,
	created_at timestamptz NOT NULL
);

-- login_failures: wrong PINs by user name (as typed) since the last right one, and
-- the end of the lock they brought (county.LoginFailures), shared by every server.
CREATE TABLE login_failures (
	name         text PRIMARY KEY,
	failures     integer NOT NULL,
	locked_until timestamptz
);

-- sessions: logins, by the SHA-256 of their token.
CREATE TABLE sessions (
	token_hash bytea PRIMARY KEY,
	user_name  text NOT NULL,
	expires    timestamptz NOT NULL
);

-- datasets: every imported version (county.DatasetRecord); the highest seq of a name
-- is its current one. A registry's body is sealed with the county's data key.
CREATE TABLE datasets (
	name        text NOT NULL,
	seq         integer NOT NULL,
	version     text NOT NULL,
	imported_at timestamptz NOT NULL,
	imported_by text NOT NULL,
	source      text NOT NULL,
	items       integer NOT NULL,
	sealed      boolean NOT NULL,
	body        bytea NOT NULL,
	PRIMARY KEY (name, seq)
);

-- +goose Down
DROP TABLE datasets, sessions, login_failures, users, daily, tickets, discards, entries, stations;
DROP SEQUENCE station_numbers;
