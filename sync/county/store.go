// Package county is the county server: it stores every station's facts exactly once,
// publishes the reference data sets county staff import, and shows a dashboard of the
// stations. It keeps everything in one bbolt file of its own.
package county

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"bingzhan/backend/atomicfile"
	"bingzhan/backend/keys"
	"bingzhan/sync/wire"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// FileName is the county database's name inside the data folder.
const FileName = "county.db"

// Buckets. Keys:
//
//	stations:  station id → Station (JSON)
//	entries:   one nested bucket per station id; in it seq (8 bytes) → storedEntry (JSON)
//	ids:       entry id → station id | 0 | seq (8 bytes): the second permanent unique key
//	tickets:   station id | 0 | ticket id → 1 once the ticket's first call is counted
//	daily:     station id | 0 | date → DayStats (JSON)
//	users:     name → User (JSON)
//	sessions:  SHA-256 of token → session (JSON)
//	datasets:  name | 0 | import number (8 bytes) → datasetRecord (JSON); name → current number
var (
	bucketStations = []byte("stations")
	bucketEntries  = []byte("entries")
	bucketIDs      = []byte("ids")
	// bucketDiscards keeps discard markers whose sequence slot holds another entry
	// (a station restored from a backup): station\0marker id → the marker as stored.
	bucketDiscards = []byte("discards")
	bucketTickets  = []byte("tickets")
	bucketDaily    = []byte("daily")
	bucketUsers    = []byte("users")
	bucketSessions = []byte("sessions")
	bucketDatasets = []byte("datasets")
	allBuckets     = [][]byte{bucketStations, bucketEntries, bucketIDs, bucketDiscards, bucketTickets, bucketDaily,
		bucketUsers, bucketSessions, bucketDatasets}
)

// Error is a county error with a code from the station's small set (invalid,
// not_found, conflict, unauthorized, forbidden, unavailable, internal) and an English
// message for operators; the county's users are staff at a desk, not the public.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns err's code, or "internal" for errors that are not *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "internal"
}

// Store is the county database.
type Store struct {
	db     *bolt.DB
	path   string
	Logger *slog.Logger
	// Now is the clock that stamps receive times; tests replace it.
	Now func() time.Time
	// Location is the county's time zone: "today" on the dashboard follows it.
	Location *time.Location
	// BackupDir holds the consistent copies Backup makes (DATA/backups); BackupKeep is
	// how many of them are kept (0 or less: all).
	BackupDir  string
	BackupKeep int
	backupMu   sync.Mutex // one backup at a time

	// cipher seals the registry at rest with the county's data key.
	cipher *keys.Cipher

	ingesting atomic.Int32 // pushes being stored now

	failMu   sync.Mutex
	failures map[string]loginFailures // by user name
}

// DataKeyFile holds the county's data key, beside the database and never inside it.
const DataKeyFile = "keys/county-data.key"

// loadOrCreateDataKey returns the county's cipher, making its key the first time.
func loadOrCreateDataKey(dir string) (*keys.Cipher, error) {
	path := filepath.Join(dir, DataKeyFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key = make([]byte, 32)
		rand.Read(key)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := atomicfile.WriteFile(path, key, 0o600); err != nil {
			return nil, fmt.Errorf("write data key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read data key: %w", err)
	}
	return keys.NewCipher(key)
}

// Open opens (creating if needed) the county database in dir.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	path := filepath.Join(dir, FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, errorf("conflict", "%s is in use by another bingzhan-county program (is the server running? stop it first)", path)
	} else if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Pushes from many stations arrive together; Batch folds them into one commit.
	// A short delay keeps a lone push fast.
	db.MaxBatchDelay = 2 * time.Millisecond
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("create buckets in %s: %w", path, err)
	}
	cipher, err := loadOrCreateDataKey(dir)
	if err != nil {
		db.Close()
		return nil, err
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return &Store{db: db, path: path, Logger: slog.Default(), Now: time.Now, Location: loc,
		BackupDir: filepath.Join(dir, BackupDirName), BackupKeep: DefaultBackupKeep,
		cipher: cipher, failures: map[string]loginFailures{}}, nil
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Station is one enrolled station as the county knows it.
type Station struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	SecretHash []byte    `json:"secret_hash"`
	CreatedAt  time.Time `json:"created_at"`
	// KeyID is the station's own id (from its signing key), bound at the first push so
	// a copied enrolment file cannot feed a second station's sequences into this one.
	KeyID   string `json:"key_id,omitempty"`
	Version string `json:"version,omitempty"`
	// RetiredAt is when the station was retired: it can no longer sync; what it sent
	// stays in the county's figures.
	RetiredAt *time.Time `json:"retired_at,omitempty"`
	LastSeen  *time.Time `json:"last_seen,omitempty"`
	// Pending, OldestPending and DeadLetters are the backlog as the station last
	// reported it, less what that push delivered.
	Pending       int            `json:"pending"`
	OldestPending *time.Time     `json:"oldest_pending,omitempty"`
	DeadLetters   int            `json:"dead_letters"`
	Contiguous    uint64         `json:"contiguous"`
	Received      map[string]int `json:"received"` // entries by kind
	Total         int            `json:"total"`
}

// DayStats are one station's figures for one day.
type DayStats struct {
	Tickets  int `json:"tickets"`
	Visits   int `json:"visits"`
	Called   int `json:"called"`
	WaitSumS int `json:"wait_sum_s"`
	WaitMaxS int `json:"wait_max_s"`
}

// Push is a decoded push body.
type Push = wire.PushRequest

// DecodePush reads a push body.
func DecodePush(r io.Reader) (*Push, error) {
	var p Push
	if err := json.NewDecoder(r).Decode(&p); err != nil {
		return nil, err
	}
	return &p, nil
}

// appendStored appends e as the county stores it, with its receive time first. It
// writes the JSON by hand: at tens of thousands of entries a second, reflection-based
// encoding was a third of the county's work.
func appendStored(buf []byte, e *wire.Entry, receivedAt string) []byte {
	buf = append(buf, `{"received_at":"`...)
	buf = append(buf, receivedAt...)
	buf = append(buf, `","id":`...)
	buf = appendString(buf, e.ID)
	buf = append(buf, `,"seq":`...)
	buf = strconv.AppendUint(buf, e.Seq, 10)
	buf = append(buf, `,"station_id":`...)
	buf = appendString(buf, e.StationID)
	buf = append(buf, `,"kind":`...)
	buf = appendString(buf, e.Kind)
	buf = append(buf, `,"at":"`...)
	buf = e.At.AppendFormat(buf, time.RFC3339Nano)
	buf = append(buf, `","data":`...)
	buf = append(buf, e.Data...)
	return append(buf, '}')
}

// appendString appends s as a JSON string: as it is when it needs no escaping (ids and
// kinds), through encoding/json otherwise.
func appendString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(buf, q...)
		}
	}
	return append(append(append(buf, '"'), s...), '"')
}

// storedEntry is an entry as the county keeps it, with its receive time.
type storedEntry struct {
	wire.Entry
	ReceivedAt time.Time `json:"received_at"`
}

// Kinds the dashboard counts. Other kinds are stored and counted by name only.
const (
	kindTicketIssued = "ticket.issued"
	kindTicketCalled = "ticket.call"
	kindVisitCreated = "visit.created"
)

// AddStation creates a station and returns it with its secret, which is shown once and
// kept only as a hash.
func (s *Store) AddStation(name string) (*Station, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 80 {
		return nil, "", errorf("invalid", "a station needs a name of 1 to 80 characters")
	}
	secret := randomToken(32)
	sum := sha256.Sum256([]byte(secret))
	st := &Station{Name: name, SecretHash: sum[:], CreatedAt: s.Now().UTC(), Received: map[string]int{}}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStations)
		var dup error
		b.ForEach(func(_, v []byte) error {
			var other Station
			if json.Unmarshal(v, &other) == nil && other.Name == name && other.RetiredAt == nil {
				dup = errorf("conflict", "a station named %q exists already (id %s)", name, other.ID)
			}
			return nil
		})
		if dup != nil {
			return dup
		}
		n, err := b.NextSequence()
		if err != nil {
			return err
		}
		// The number orders stations; the random part keeps ids unguessable.
		var r [2]byte
		rand.Read(r[:])
		st.ID = fmt.Sprintf("st-%04d-%x", n, r)
		return putJSON(b, []byte(st.ID), st)
	})
	if err != nil {
		return nil, "", err
	}
	return st, secret, nil
}

// NewSecret gives station id (its id or name) a new secret, returned once: the old
// one stops working at once. The station's key binding is cleared, so the next push
// with the new secret binds it again — the same station re-enrolled, or its
// replacement PC.
func (s *Store) NewSecret(id string) (*Station, string, error) {
	secret := randomToken(32)
	sum := sha256.Sum256([]byte(secret))
	st, err := s.changeStation(id, func(st *Station) error {
		if st.RetiredAt != nil {
			return errorf("conflict", "station %s (%s) is retired: add a new station instead", st.ID, st.Name)
		}
		st.SecretHash, st.KeyID = sum[:], ""
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return st, secret, nil
}

// RetireStation ends station id's (its id or name) link for good: its secret no longer
// opens anything and its name may be given to a new station. What it sent stays.
func (s *Store) RetireStation(id string) (*Station, error) {
	now := s.Now().UTC()
	return s.changeStation(id, func(st *Station) error {
		if st.RetiredAt != nil {
			return errorf("conflict", "station %s (%s) is retired already", st.ID, st.Name)
		}
		st.RetiredAt, st.SecretHash = &now, nil
		return nil
	})
}

// changeStation applies change to the station with this id, or else the one station
// (not retired) with this name, in one transaction.
func (s *Store) changeStation(idOrName string, change func(*Station) error) (*Station, error) {
	idOrName = strings.TrimSpace(idOrName)
	var st Station
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStations)
		found, err := getJSON(b, []byte(idOrName), &st)
		if err != nil {
			return err
		}
		if !found {
			err := b.ForEach(func(_, v []byte) error {
				var other Station
				if json.Unmarshal(v, &other) == nil && other.Name == idOrName && (!found || st.RetiredAt != nil) {
					st, found = other, true
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if !found {
			return errorf("not_found", "no station with id or name %q (bingzhan-county station list shows them)", idOrName)
		}
		if err := change(&st); err != nil {
			return err
		}
		return putJSON(b, []byte(st.ID), &st)
	})
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// Stations returns every station, by name.
func (s *Store) Stations() ([]Station, error) {
	var out []Station
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketStations).ForEach(func(_, v []byte) error {
			var st Station
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			out = append(out, st)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// Authenticate returns the station whose id and secret these are.
func (s *Store) Authenticate(id, secret string) (*Station, error) {
	var st Station
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketStations), []byte(id), &st)
		return err
	})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(secret))
	if !found || st.RetiredAt != nil || subtle.ConstantTimeCompare(sum[:], st.SecretHash) != 1 {
		return nil, errorf("unauthorized", "unknown station or wrong secret")
	}
	return &st, nil
}

// Ingest stores a push from station id under the permanent keys (station, seq) and
// entry id, and returns the per-entry answer. It returns only after the commit, so an
// answer the station sees is durable. Concurrent pushes share commits.
func (s *Store) Ingest(id string, req *Push) (*wire.PushResponse, error) {
	now := s.Now().UTC()
	var resp *wire.PushResponse
	fn := func(tx *bolt.Tx) error {
		// Batch may run this function again after another one in the same commit
		// failed, so everything it returns is rebuilt on each run.
		var err error
		resp, err = s.ingest(tx, id, req, now)
		return err
	}
	// A push alone commits at once; pushes that arrive together share one commit
	// (Batch waits up to MaxBatchDelay for company).
	var err error
	if s.ingesting.Add(1) == 1 {
		err = s.db.Update(fn)
	} else {
		err = s.db.Batch(fn)
	}
	s.ingesting.Add(-1)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

func (s *Store) ingest(tx *bolt.Tx, id string, req *Push, now time.Time) (*wire.PushResponse, error) {
	stations := tx.Bucket(bucketStations)
	var st Station
	if ok, err := getJSON(stations, []byte(id), &st); err != nil {
		return nil, err
	} else if !ok {
		return nil, errorf("unauthorized", "unknown station %s", id)
	}
	if st.KeyID != "" && st.KeyID != req.Station {
		return nil, errorf("conflict", "this enrolment belongs to station key %s, not %s: enrol each station with its own file", st.KeyID, req.Station)
	}
	st.KeyID = req.Station
	if st.Received == nil {
		st.Received = map[string]int{}
	}
	entries, err := tx.Bucket(bucketEntries).CreateBucketIfNotExists([]byte(id))
	if err != nil {
		return nil, err
	}
	ids := tx.Bucket(bucketIDs)
	resp := &wire.PushResponse{Results: make([]wire.Result, 0, len(req.Entries)), ReceivedAt: now}
	delivered := 0
	stamp := now.Format(time.RFC3339Nano)
	days := map[string]*DayStats{}
	for i := range req.Entries {
		e := &req.Entries[i]
		r := wire.Result{Seq: e.Seq}
		if code, msg := e.Check(req.Station); code != "" {
			r.Status, r.Code, r.Message = wire.Rejected, code, msg
			resp.Results = append(resp.Results, r)
			continue
		}
		seqKey := u64(e.Seq)
		if prev := entries.Get(seqKey); prev != nil {
			var old storedEntry
			if err := json.Unmarshal(prev, &old); err != nil {
				return nil, fmt.Errorf("decode entry %s/%d: %w", id, e.Seq, err)
			}
			var heldAt uint64
			var heldHere bool
			if old.ID != e.ID {
				heldAt, heldHere = heldSeq(ids, id, e.ID)
			}
			switch {
			case old.ID == e.ID:
				r.Status = wire.Duplicate
				delivered++
			case heldHere:
				// The station renumbered this entry after a restore, the county stored
				// it under its new sequence, and an older copy of the station's file
				// sent it again under the old one: it is here already, exactly once.
				r.Status, r.Held = wire.Duplicate, heldAt
				delivered++
			case e.Kind == wire.KindDiscarded:
				// The slot holds another entry, so the record the station dropped was
				// never stored here; the marker still says which it was and why. Keep
				// it apart, once by its own id, so the county learns of every discard.
				r.Status = wire.Duplicate
				key := join(id, e.ID)
				if discards := tx.Bucket(bucketDiscards); discards.Get(key) == nil {
					if err := discards.Put(key, appendStored(make([]byte, 0, 256+len(e.Data)), e, stamp)); err != nil {
						return nil, err
					}
					st.Received[e.Kind]++
					r.Status = wire.Accepted
				}
				delivered++
			case ids.Get([]byte(e.ID)) != nil:
				r.Status, r.Code = wire.Rejected, "conflict"
				r.Message = "entry id stored already for another station"
			default:
				// Protocol 1 stations keep this as a dead letter; protocol 2 stations
				// renumber the entry above resp.Highest and send it again.
				r.Status, r.Code, r.Renumber = wire.Rejected, "conflict", true
				r.Message = fmt.Sprintf("sequence %d holds another entry (%s) already: was the station restored from a backup?", e.Seq, old.ID)
			}
			resp.Results = append(resp.Results, r)
			continue
		}
		if heldAt, heldHere := heldSeq(ids, id, e.ID); heldHere {
			// Stored before under another sequence: delivered. Its own sequence stays
			// empty here, which only a station bug can cause (see docs/sync-protocol.md).
			r.Status, r.Held = wire.Duplicate, heldAt
			delivered++
			resp.Results = append(resp.Results, r)
			continue
		} else if ids.Get([]byte(e.ID)) != nil {
			r.Status, r.Code = wire.Rejected, "conflict"
			r.Message = "entry id stored already for another station"
			resp.Results = append(resp.Results, r)
			continue
		}
		if err := entries.Put(seqKey, appendStored(make([]byte, 0, 256+len(e.Data)), e, stamp)); err != nil {
			return nil, err
		}
		if err := ids.Put([]byte(e.ID), append(append([]byte(id), 0), seqKey...)); err != nil {
			return nil, err
		}
		if err := s.count(tx, id, e, days); err != nil {
			return nil, err
		}
		st.Received[e.Kind]++
		st.Total++
		r.Status = wire.Accepted
		delivered++
		resp.Results = append(resp.Results, r)
	}
	daily := tx.Bucket(bucketDaily)
	for date, d := range days {
		if err := putJSON(daily, join(id, date), d); err != nil {
			return nil, err
		}
	}
	for entries.Get(u64(st.Contiguous+1)) != nil {
		st.Contiguous++
	}
	resp.Contiguous = st.Contiguous
	if last, _ := entries.Cursor().Last(); last != nil {
		resp.Highest = binary.BigEndian.Uint64(last)
	}
	st.LastSeen = &now
	st.Version = req.Version
	st.Pending = max(req.Pending-delivered, 0)
	st.OldestPending = req.OldestPending
	if st.Pending == 0 {
		st.OldestPending = nil
	}
	st.DeadLetters = req.DeadLetters
	return resp, putJSON(stations, []byte(id), &st)
}

// heldSeq returns the sequence under which station holds entry id, and whether it
// does: the ids bucket maps an id to station | 0 | seq.
func heldSeq(ids *bolt.Bucket, station, id string) (uint64, bool) {
	v := ids.Get([]byte(id))
	if len(v) != len(station)+9 || string(v[:len(station)]) != station || v[len(station)] != 0 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v[len(station)+1:]), true
}

// factData holds the fields of ticket and visit facts the dashboard reads.
type factData struct {
	ID       string    `json:"id"`
	Date     string    `json:"date"`
	IssuedAt time.Time `json:"issued_at"`
	CalledAt time.Time `json:"called_at"`
}

// count updates the day figures for one newly stored entry in days, which the
// caller writes once per push.
func (s *Store) count(tx *bolt.Tx, station string, e *wire.Entry, days map[string]*DayStats) error {
	if e.Kind != kindTicketIssued && e.Kind != kindTicketCalled && e.Kind != kindVisitCreated {
		return nil
	}
	var f factData
	var err error
	if e.Kind == kindTicketCalled {
		err = json.Unmarshal(e.Data, &f)
	} else {
		// Issues and visits need only their date: no time parsing on the busiest path.
		var d struct {
			Date string `json:"date"`
		}
		err = json.Unmarshal(e.Data, &d)
		f.Date = d.Date
	}
	if err != nil {
		return nil // stored as it came; the figures just leave it out
	}
	date := f.Date
	if date == "" {
		date = e.At.In(s.Location).Format("2006-01-02")
	}
	var update func(*DayStats)
	switch e.Kind {
	case kindTicketIssued:
		update = func(d *DayStats) { d.Tickets++ }
	case kindVisitCreated:
		update = func(d *DayStats) { d.Visits++ }
	case kindTicketCalled:
		// The first call alone counts: a ticket called again after a no-show or a hold
		// waited once.
		tickets := tx.Bucket(bucketTickets)
		key := join(station, f.ID)
		if f.ID == "" || f.IssuedAt.IsZero() || f.CalledAt.IsZero() || tickets.Get(key) != nil {
			return nil
		}
		if err := tickets.Put(key, []byte{1}); err != nil {
			return err
		}
		wait := max(int(f.CalledAt.Sub(f.IssuedAt)/time.Second), 0)
		update = func(d *DayStats) {
			d.Called++
			d.WaitSumS += wait
			d.WaitMaxS = max(d.WaitMaxS, wait)
		}
	}
	d := days[date]
	if d == nil {
		d = &DayStats{}
		if _, err := getJSON(tx.Bucket(bucketDaily), join(station, date), d); err != nil {
			return err
		}
		days[date] = d
	}
	update(d)
	return nil
}

// Day returns each station's figures for date (YYYY-MM-DD), by station id.
func (s *Store) Day(date string) (map[string]DayStats, error) {
	out := map[string]DayStats{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDaily).ForEach(func(k, v []byte) error {
			st, d, ok := strings.Cut(string(k), "\x00")
			if !ok || d != date {
				return nil
			}
			var ds DayStats
			if err := json.Unmarshal(v, &ds); err != nil {
				return err
			}
			out[st] = ds
			return nil
		})
	})
	return out, err
}

// Entries returns the entries stored for station from sequence from on, at most limit.
func (s *Store) Entries(station string, from uint64, limit int) ([]wire.Entry, error) {
	var out []wire.Entry
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEntries).Bucket([]byte(station))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(u64(from)); k != nil && len(out) < limit; k, v = c.Next() {
			var e storedEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e.Entry)
		}
		return nil
	})
	return out, err
}

// Highest returns the highest sequence stored for each station that has entries, by
// station id. With Station.Total it shows sequences the county lacks.
func (s *Store) Highest() (map[string]uint64, error) {
	out := map[string]uint64{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEntries).ForEachBucket(func(k []byte) error {
			if last, _ := tx.Bucket(bucketEntries).Bucket(k).Cursor().Last(); last != nil {
				out[string(k)] = binary.BigEndian.Uint64(last)
			}
			return nil
		})
	})
	return out, err
}

// EntryCount returns how many entries are stored for station and how many ids the
// county knows in all; tests use them to prove "exactly once".
func (s *Store) EntryCount(station string) (entries, ids int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketEntries).Bucket([]byte(station)); b != nil {
			entries = b.Stats().KeyN
		}
		ids = tx.Bucket(bucketIDs).Stats().KeyN
		return nil
	})
	return entries, ids, err
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return b.Put(key, buf)
}

func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	buf := b.Get(key)
	if buf == nil {
		return false, nil
	}
	if err := json.Unmarshal(buf, v); err != nil {
		return true, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// join makes a two-part key; station ids never hold a zero byte.
func join(a, b string) []byte {
	return append(append([]byte(a), 0), b...)
}

// randomToken returns n random bytes in URL-safe base64.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
