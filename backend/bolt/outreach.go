package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"bingzhan/backend"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// Outreach entries (走访慰问, 光荣牌, 喜报) and what they say of each household:
//
//	outreach:          id → open record (JSON, its length first) | sealed personal fields
//	outreach_hh:       household|0|date|id → nil, a household's entries by date
//	outreach_day:      date|id → nil, every entry by date
//	outreach_state:    household → backend.HouseholdState (JSON): plaque, last visit,
//	                   喜报 delivered — no personal data
//	outreach_media:    id|"photo" or id|"signature" → sealed image
//	outreach_audit:    id|version (8 bytes) → backend.AuditEntry (JSON, no personal values)
//	outreach_requests: request id → id, so a repeated entry returns the first
//
// The household ids are the county's own codes and stay in the clear: without the
// registry, which is sealed, they name nobody.
var (
	bucketOutreach         = newBucket("outreach")
	bucketOutreachHH       = newBucket("outreach_hh")
	bucketOutreachDay      = newBucket("outreach_day")
	bucketOutreachState    = newBucket("outreach_state")
	bucketOutreachMedia    = newBucket("outreach_media")
	bucketOutreachAudit    = newBucket("outreach_audit")
	bucketOutreachRequests = newBucket("outreach_requests")
)

// uuidLen is the length of an entry id (a UUID in text), which ends the index keys.
const uuidLen = 36

// Sealed field names of an entry, for the cipher's associated data.
const (
	sealOutreach  = "outreach.personal"
	sealPhoto     = "outreach.photo"
	sealSignature = "outreach.signature"
)

// outreachRecord is the open part of an entry as stored.
type outreachRecord struct {
	Household string   `json:"hh"`
	Kind      string   `json:"k"`
	Date      string   `json:"d"`
	Money     int      `json:"m,omitempty"`
	Findings  []string `json:"f,omitempty"`
	FollowUp  string   `json:"fu,omitempty"`
	Honour    string   `json:"ho,omitempty"`
	Campaign  string   `json:"cp,omitempty"`
	HasPhoto  bool     `json:"ph,omitempty"`
	Signed    bool     `json:"sg,omitempty"`
	CreatedAt int64    `json:"ca"`
	CreatedBy string   `json:"cb"`
	UpdatedAt int64    `json:"ua"`
	Version   int      `json:"v"`
}

// outreachPersonal is the sealed part of an entry.
type outreachPersonal struct {
	Team  []string `json:"t"`
	Items string   `json:"i,omitempty"`
	Note  string   `json:"n,omitempty"`
}

// OutreachService keeps the outreach entries in the database and reads the
// households from the registry.
type OutreachService struct {
	db        *DB
	stationID string
	sealer    backend.Sealer
	persons   *PersonService
	ledger    *VisitService // keeps the access log
	// RetentionDays is how long an entry is kept after its date (0: the default,
	// DefaultOutreachRetentionDays).
	RetentionDays int
	// mu guards cache: the registry's householders as of a registry state.
	mu    sync.Mutex
	cache struct {
		state   string
		persons []*backend.Person
	}
	// Rules returns who is due what: the current catalog's rules.
	Rules func(ctx context.Context) (backend.OutreachRules, func(code, group string) bool)
}

// NewOutreachService returns the outreach entries of db, sealed by sealer, over the
// registry persons, logging unmasking in ledger's access log.
func NewOutreachService(db *DB, stationID string, sealer backend.Sealer, persons *PersonService, ledger *VisitService) *OutreachService {
	return &OutreachService{db: db, stationID: stationID, sealer: sealer, persons: persons, ledger: ledger,
		Rules: func(context.Context) (backend.OutreachRules, func(string, string) bool) {
			return backend.DefaultOutreachRules, func(string, string) bool { return false }
		}}
}

func (s *OutreachService) now() time.Time { return s.db.Clock.Now().In(s.db.Location) }

// households reads the registry's households inside tx with the station's record of
// each applied, by household id.
func (s *OutreachService) households(tx *bolt.Tx) ([]*backend.Household, error) {
	persons, err := s.householders(tx)
	if err != nil {
		return nil, err
	}
	out := backend.Households(persons, s.now())
	states := tx.Bucket(bucketOutreachState)
	for _, h := range out {
		var st backend.HouseholdState
		if _, err := getJSON(states, []byte(h.ID), &st); err != nil {
			return nil, err
		}
		h.Apply(st)
	}
	return out, nil
}

// householders returns the registry's people who belong to a household, sorted by
// household and ID number. Opening every sealed record is most of a due list's cost,
// so they are kept until the registry changes (registryState); callers must not
// change them.
func (s *OutreachService) householders(tx *bolt.Tx) ([]*backend.Person, error) {
	gen := activeGeneration(tx)
	if gen == nil {
		return nil, nil
	}
	state := registryState(tx)
	s.mu.Lock()
	if s.cache.state == state {
		defer s.mu.Unlock()
		return s.cache.persons, nil
	}
	s.mu.Unlock()
	var persons []*backend.Person
	c := gen.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		p, err := s.persons.get(tx, k, hex.EncodeToString(k))
		if err != nil {
			return nil, err
		}
		if p != nil && p.Household != "" {
			p.CardHistory = nil // not outreach's: the cache keeps less
			persons = append(persons, p)
		}
	}
	// The registry is in person-key order, which is no order at all: sort by
	// household, then ID number, so the list reads the same every time.
	slices.SortStableFunc(persons, func(a, b *backend.Person) int {
		if c := cmpString(a.Household, b.Household); c != 0 {
			return c
		}
		return cmpString(a.IDNumber, b.IDNumber)
	})
	s.mu.Lock()
	s.cache.state, s.cache.persons = state, persons
	s.mu.Unlock()
	return persons, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// household reads one household inside tx; ENOTFOUND if the registry has none.
func (s *OutreachService) household(tx *bolt.Tx, id string) (*backend.Household, error) {
	all, err := s.households(tx)
	if err != nil {
		return nil, err
	}
	for _, h := range all {
		if h.ID == id {
			return h, nil
		}
	}
	return nil, backend.Errorf(backend.ENOTFOUND, "outreach.no_household", id)
}

// Due returns the households due under q, masked.
func (s *OutreachService) Due(ctx context.Context, q backend.DueQuery) ([]backend.Household, error) {
	rules, within := s.Rules(ctx)
	if err := q.Validate(rules, s.now()); err != nil {
		return nil, err
	}
	var out []backend.Household
	err := s.db.db.View(func(tx *bolt.Tx) error {
		all, err := s.households(tx)
		if err != nil {
			return err
		}
		out = nil
		for _, h := range all {
			if h.IsDue(q, rules, within) {
				h.Mask()
				out = append(out, *h)
			}
		}
		return nil
	})
	return out, err
}

// Household returns one household, masked.
func (s *OutreachService) Household(ctx context.Context, id string) (*backend.Household, error) {
	var h *backend.Household
	err := s.db.db.View(func(tx *bolt.Tx) error {
		var err error
		h, err = s.household(tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	h.Mask()
	return h, nil
}

// UnmaskHousehold returns a household in the clear and records who saw it and why, in
// one transaction with the access log's outbox fact.
func (s *OutreachService) UnmaskHousehold(ctx context.Context, id, reason, by string) (*backend.Household, error) {
	reason, err := backend.CheckReason(reason)
	if err != nil {
		return nil, err
	}
	var h *backend.Household
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		if h, err = s.household(tx, id); err != nil {
			return err
		}
		return s.ledger.logAccess(tx, backend.AccessEntry{Action: backend.AccessUnmaskHousehold, Household: id, By: by, Reason: reason})
	})
	if err != nil {
		return nil, err
	}
	s.db.Logger.Info("household unmasked", "household", id, "by", by)
	return h, nil
}

// Record stores an entry with its indexes, the household's state, its sealed media,
// its first audit entry and its outbox fact, in one transaction.
func (s *OutreachService) Record(ctx context.Context, req backend.OutreachRequest, by string) (*backend.Outreach, bool, error) {
	now := s.now()
	if err := req.Validate(now); err != nil {
		return nil, false, err
	}
	var out *backend.Outreach
	created := false
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		out, created = nil, false
		if req.RequestID != "" {
			if id := tx.Bucket(bucketOutreachRequests).Get([]byte(req.RequestID)); id != nil && tx.Bucket(bucketOutreach).Get(id) != nil {
				o, err := s.get(tx, string(id))
				if err != nil {
					return err
				}
				if o.Household != req.Household || o.Kind != req.Kind || o.Date != req.Date {
					return backend.Errorf(backend.EINVALID, "outreach.request_id")
				}
				out = o
				return nil
			}
		}
		h, err := s.household(tx, req.Household)
		if err != nil {
			return err
		}
		if req.Campaign != "" && !campaignExists(tx, req.Campaign) {
			return backend.Errorf(backend.ENOTFOUND, "outreach.no_campaign")
		}
		if req.Kind == backend.OutreachHonour {
			if slices.Contains(h.Delivered, req.Honour) {
				return backend.Errorf(backend.ECONFLICT, "outreach.delivered", req.Honour)
			}
			if !slices.ContainsFunc(h.Honours, func(x backend.Honour) bool { return x.ID == req.Honour }) {
				return backend.Errorf(backend.ENOTFOUND, "outreach.no_honour", req.Household, req.Honour)
			}
		}
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		at := now.Truncate(time.Second)
		o := &backend.Outreach{ID: id.String(), Household: req.Household, Kind: req.Kind, Date: req.Date,
			Team: req.Team, Money: req.Money, Items: req.Items, Findings: req.Findings, Note: req.Note,
			FollowUp: req.FollowUp, Honour: req.Honour, Campaign: req.Campaign, HasPhoto: len(req.Photo) > 0,
			Signed: len(req.Signature) > 0, CreatedAt: at, CreatedBy: by, UpdatedAt: at, Version: 1}
		for _, m := range []struct {
			field string
			data  []byte
		}{{sealPhoto, req.Photo}, {sealSignature, req.Signature}} {
			if len(m.data) == 0 {
				continue
			}
			sealed, err := s.sealer.Seal(m.field, o.ID, m.data)
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketOutreachMedia).Put(mediaKey(o.ID, m.field), sealed); err != nil {
				return err
			}
		}
		if err := s.put(tx, o); err != nil {
			return err
		}
		if err := s.index(tx, o); err != nil {
			return err
		}
		if err := s.audit(tx, o, "created", by, nil); err != nil {
			return err
		}
		if req.RequestID != "" {
			if err := tx.Bucket(bucketOutreachRequests).Put([]byte(req.RequestID), []byte(o.ID)); err != nil {
				return err
			}
		}
		if err := s.db.appendOutbox(tx, s.stationID, backend.KindOutreachRecorded, o.Fact(nil, nil)); err != nil {
			return err
		}
		if err := s.reportAfter(ctx, tx, o.Household, o.Date); err != nil {
			return err
		}
		out, created = o, true
		return nil
	})
	if err != nil {
		return nil, false, err
	}

	out.Mask()
	return out, created, nil
}

// reportAfter brings what the county sees up to date after an entry for household on
// date, inside the entry's transaction: the levels, and the progress of the campaigns
// it counts in.
func (s *OutreachService) reportAfter(ctx context.Context, tx *bolt.Tx, household string, dates ...string) error {
	if _, err := s.summarize(ctx, tx); err != nil {
		return err
	}
	return s.campaignsIn(tx, household, dates...)
}

// mediaKey is id(36)|field; hhKey is household|0|date(10)|id(36), the zero ending
// the household's variable-length id.
func mediaKey(id, field string) []byte { return join([]byte(id), []byte(field)) }

func hhKey(o *backend.Outreach) []byte {
	return join([]byte(o.Household), []byte{0}, []byte(o.Date), []byte(o.ID))
}

// index adds o to the date indexes and folds it into its household's state.
func (s *OutreachService) index(tx *bolt.Tx, o *backend.Outreach) error {
	if err := tx.Bucket(bucketOutreachHH).Put(hhKey(o), nil); err != nil {
		return err
	}
	if err := tx.Bucket(bucketOutreachDay).Put(join([]byte(o.Date), []byte(o.ID)), nil); err != nil {
		return err
	}
	states := tx.Bucket(bucketOutreachState)
	var st backend.HouseholdState
	if _, err := getJSON(states, []byte(o.Household), &st); err != nil {
		return err
	}
	st.Note(o)
	return putJSON(states, []byte(o.Household), &st)
}

// unindex takes o out of the date indexes and recomputes its household's state from
// the entries that remain: an edit may move an entry's date back.
func (s *OutreachService) unindex(tx *bolt.Tx, o *backend.Outreach) error {
	if err := tx.Bucket(bucketOutreachHH).Delete(hhKey(o)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketOutreachDay).Delete(join([]byte(o.Date), []byte(o.ID))); err != nil {
		return err
	}
	var st backend.HouseholdState
	prefix := append([]byte(o.Household), 0)
	c := tx.Bucket(bucketOutreachHH).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		other, err := s.getRecord(tx, string(k[len(k)-uuidLen:]))
		if err != nil {
			return err
		}
		st.Note(other)
	}
	return putJSON(tx.Bucket(bucketOutreachState), []byte(o.Household), &st)
}

// audit appends o's audit entry for its current version: action by by, with changes.
func (s *OutreachService) audit(tx *bolt.Tx, o *backend.Outreach, action, by string, changes []backend.Change) error {
	e := backend.AuditEntry{At: o.UpdatedAt, By: by, Action: action, Version: o.Version, Changes: changes}
	return putJSON(tx.Bucket(bucketOutreachAudit), join([]byte(o.ID), itob(uint64(o.Version))), &e)
}

// put seals o's personal fields and stores it.
func (s *OutreachService) put(tx *bolt.Tx, o *backend.Outreach) error {
	plain, err := json.Marshal(outreachPersonal{Team: o.Team, Items: o.Items, Note: o.Note})
	if err != nil {
		return err
	}
	sealed, err := s.sealer.Seal(sealOutreach, o.ID, plain)
	if err != nil {
		return err
	}
	open, err := json.Marshal(outreachRecord{Household: o.Household, Kind: o.Kind, Date: o.Date, Money: o.Money,
		Findings: o.Findings, FollowUp: o.FollowUp, Honour: o.Honour, Campaign: o.Campaign, HasPhoto: o.HasPhoto,
		Signed: o.Signed, CreatedAt: unix(o.CreatedAt), CreatedBy: o.CreatedBy, UpdatedAt: unix(o.UpdatedAt),
		Version: o.Version})
	if err != nil {
		return err
	}
	rec := binary.AppendUvarint(make([]byte, 0, 2+len(open)+len(sealed)), uint64(len(open)))
	rec = append(append(rec, open...), sealed...)
	return tx.Bucket(bucketOutreach).Put([]byte(o.ID), rec)
}

// readOutreach splits a stored entry into its open record and its sealed part.
func readOutreach(id string, raw []byte) (*outreachRecord, []byte, error) {
	n, k := binary.Uvarint(raw)
	if k <= 0 || n > uint64(len(raw)-k) {
		return nil, nil, fmt.Errorf("outreach %s: damaged record", id)
	}
	var r outreachRecord
	if err := json.Unmarshal(raw[k:k+int(n)], &r); err != nil {
		return nil, nil, fmt.Errorf("decode outreach %s: %w", id, err)
	}
	return &r, raw[k+int(n):], nil
}

// getRecord reads entry id without opening its personal fields.
func (s *OutreachService) getRecord(tx *bolt.Tx, id string) (*backend.Outreach, error) {
	raw := tx.Bucket(bucketOutreach).Get([]byte(id))
	if raw == nil {
		return nil, backend.Errorf(backend.ENOTFOUND, "outreach.not_found")
	}
	r, _, err := readOutreach(id, raw)
	if err != nil {
		return nil, err
	}
	return &backend.Outreach{ID: id, Household: r.Household, Kind: r.Kind, Date: r.Date, Money: r.Money,
		Findings: r.Findings, FollowUp: r.FollowUp, Honour: r.Honour, Campaign: r.Campaign, HasPhoto: r.HasPhoto,
		Signed: r.Signed, CreatedAt: fromUnix(r.CreatedAt), CreatedBy: r.CreatedBy, UpdatedAt: fromUnix(r.UpdatedAt),
		Version: r.Version}, nil
}

// get reads and opens entry id.
func (s *OutreachService) get(tx *bolt.Tx, id string) (*backend.Outreach, error) {
	o, err := s.getRecord(tx, id)
	if err != nil {
		return nil, err
	}
	_, sealed, _ := readOutreach(id, tx.Bucket(bucketOutreach).Get([]byte(id)))
	plain, err := s.sealer.Open(sealOutreach, id, sealed)
	if err != nil {
		return nil, fmt.Errorf("open outreach %s: %w", id, err)
	}
	var p outreachPersonal
	if json.Unmarshal(plain, &p) != nil {
		return nil, fmt.Errorf("outreach %s: personal fields do not decode", id)
	}
	o.Team, o.Items, o.Note = p.Team, p.Items, p.Note
	return o, nil
}

// Outreaches lists entries matching f, masked, newest first.
func (s *OutreachService) Outreaches(ctx context.Context, f backend.OutreachFilter) ([]backend.Outreach, error) {
	var out []backend.Outreach
	err := s.db.db.View(func(tx *bolt.Tx) error {
		out = nil
		var b *bolt.Bucket
		var prefix []byte
		if f.Household != "" {
			b, prefix = tx.Bucket(bucketOutreachHH), append([]byte(f.Household), 0)
		} else {
			b = tx.Bucket(bucketOutreachDay)
		}
		c := b.Cursor()
		k, _ := c.Last()
		if prefix != nil {
			if k, _ = c.Seek(join(prefix, []byte{0xff})); k == nil {
				k, _ = c.Last()
			} else {
				k, _ = c.Prev()
			}
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
			o, err := s.get(tx, string(k[len(k)-uuidLen:]))
			if err != nil {
				return err
			}
			if (f.From != "" && o.Date < f.From) || (f.To != "" && o.Date > f.To) || (f.Kind != "" && o.Kind != f.Kind) {
				continue
			}
			o.Mask()
			out = append(out, *o)
		}
		return nil
	})
	return out, err
}

// Outreach returns one entry, masked, with its audit trail.
func (s *OutreachService) Outreach(ctx context.Context, id string) (*backend.Outreach, []backend.AuditEntry, error) {
	var o *backend.Outreach
	var trail []backend.AuditEntry
	err := s.db.db.View(func(tx *bolt.Tx) error {
		var err error
		if o, err = s.get(tx, id); err != nil {
			return err
		}
		prefix := []byte(id)
		c := tx.Bucket(bucketOutreachAudit).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var e backend.AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode audit of outreach %s: %w", id, err)
			}
			trail = append(trail, e)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	o.Mask()
	return o, trail, nil
}

// UpdateOutreach applies p by staff member by, in one transaction with its audit entry,
// the indexes moved and its outbox fact.
func (s *OutreachService) UpdateOutreach(ctx context.Context, id string, p backend.OutreachPatch, by string) (*backend.Outreach, error) {
	var out *backend.Outreach
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		o, err := s.get(tx, id)
		if err != nil {
			return err
		}
		prev := *o
		changes, err := p.Apply(o, s.now(), by)
		if err != nil || changes == nil {
			out = o
			return err
		}
		if err := s.unindex(tx, &prev); err != nil {
			return err
		}
		if err := s.put(tx, o); err != nil {
			return err
		}
		if err := s.index(tx, o); err != nil {
			return err
		}
		if err := s.audit(tx, o, "updated", by, changes); err != nil {
			return err
		}
		out = o
		if err := s.db.appendOutbox(tx, s.stationID, backend.KindOutreachUpdated, o.Fact(&prev, changes)); err != nil {
			return err
		}
		return s.reportAfter(ctx, tx, o.Household, prev.Date, o.Date)
	})
	if err != nil {
		return nil, err
	}
	out.Mask()
	return out, nil
}

// UnmaskOutreach returns an entry in the clear with its photo and signature, and
// records who saw it and why.
func (s *OutreachService) UnmaskOutreach(ctx context.Context, id, reason, by string) (*backend.Outreach, error) {
	reason, err := backend.CheckReason(reason)
	if err != nil {
		return nil, err
	}
	var o *backend.Outreach
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		if o, err = s.get(tx, id); err != nil {
			return err
		}
		media := tx.Bucket(bucketOutreachMedia)
		for _, m := range []struct {
			field string
			dst   *[]byte
		}{{sealPhoto, &o.Photo}, {sealSignature, &o.Signature}} {
			sealed := media.Get(mediaKey(id, m.field))
			if sealed == nil {
				continue
			}
			if *m.dst, err = s.sealer.Open(m.field, id, sealed); err != nil {
				return fmt.Errorf("open %s of outreach %s: %w", m.field, id, err)
			}
		}
		return s.ledger.logAccess(tx, backend.AccessEntry{Action: backend.AccessUnmaskOutreach, Household: o.Household,
			OutreachID: id, By: by, Reason: reason})
	})
	if err != nil {
		return nil, err
	}
	s.db.Logger.Info("outreach entry unmasked", "outreach", id, "by", by)
	return o, nil
}

// keyOutreachSummary (in meta) holds the last outreach.summary sent.
var keyOutreachSummary = []byte("outreach_summary")

// Summarize works out today's outreach levels and, when they differ from the last
// ones sent (or the day changed), appends them as an outreach.summary fact. It
// returns the levels. The station runs it at start, after midnight and after each
// entry.
func (s *OutreachService) Summarize(ctx context.Context) (backend.OutreachSummary, error) {
	var sum backend.OutreachSummary
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		var err error
		sum, err = s.summarize(ctx, tx)
		return err
	})
	return sum, err
}

// summarize is Summarize inside tx: an entry's transaction runs it, so the county's
// levels move with the entry or not at all.
func (s *OutreachService) summarize(ctx context.Context, tx *bolt.Tx) (backend.OutreachSummary, error) {
	rules, within := s.Rules(ctx)
	now := s.now()
	today := now.Format(time.DateOnly)
	sum := backend.OutreachSummary{Date: today}
	all, err := s.households(tx)
	if err != nil {
		return sum, err
	}
	for _, kind := range backend.DueKinds {
		q := backend.DueQuery{Kind: kind}
		if err := q.Validate(rules, now); err != nil {
			return sum, err
		}
		n := 0
		for _, h := range all {
			if h.IsDue(q, rules, within) {
				n++
			}
		}
		switch kind {
		case backend.DuePlaque:
			sum.DuePlaque = n
		case backend.DueFestival:
			sum.DueFestival = n
		case backend.DueHonour:
			sum.DueHonour = n
		}
	}
	if sum.FollowUpOverdue, err = s.overdue(tx, today); err != nil {
		return sum, err
	}
	var last backend.OutreachSummary
	if _, err := getJSON(tx.Bucket(bucketMeta), keyOutreachSummary, &last); err != nil {
		return sum, err
	}
	// A station with nothing to report (no households, no entries) sends nothing
	// until it has.
	nothing := backend.OutreachSummary{Date: today}
	if last == sum || last.Date == "" && sum == nothing {
		return sum, nil
	}
	if err := putJSON(tx.Bucket(bucketMeta), keyOutreachSummary, &sum); err != nil {
		return sum, err
	}
	return sum, s.db.appendOutbox(tx, s.stationID, backend.KindOutreachSummary, sum)
}

// overdue counts the entries whose follow-up fell before today with no entry for the
// household on or after it.
func (s *OutreachService) overdue(tx *bolt.Tx, today string) (int, error) {
	n := 0
	hh := tx.Bucket(bucketOutreachHH).Cursor()
	err := tx.Bucket(bucketOutreach).ForEach(func(k, v []byte) error {
		r, _, err := readOutreach(string(k), v)
		if err != nil || r.FollowUp == "" || r.FollowUp >= today {
			return err
		}
		prefix := join([]byte(r.Household), []byte{0})
		if next, _ := hh.Seek(join(prefix, []byte(r.FollowUp))); next == nil || !bytes.HasPrefix(next, prefix) {
			n++
		}
		return nil
	})
	return n, err
}
