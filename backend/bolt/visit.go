package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"bingzhan/backend"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// The visitor ledger. Keys:
//
//	visits:         visit id (UUIDv7, so time order) → uvarint length | visitRecord
//	                (JSON) | sealed personalFields
//	visit_audit:    visit id | seq (8 bytes) → backend.AuditEntry (JSON), one per edit
//	                (the creation is told by the record itself)
//	visit_requests: request id → date (10) | visit id, so a repeated kiosk request
//	                returns its visit; kept two days (retries come within minutes)
//	visit_tickets:  ticket id → date (10) | visit id, one visit per ticket; kept two
//	                days (only today's tickets can be tied to a visit)
//	visit_serials:  year (4 digits) → last ledger number of that year (8 bytes)
//	visit_access:   seq (8 bytes) → accessRecord (JSON): who saw personal data, and why
//
// A visit record keeps its personal fields (ID number, phone, names, categories and
// every free-text field) in one value sealed with the station's field cipher and bound
// to the visit id. Nothing derived from them is stored either — no keyed hash, no
// initials, no last four digits — so the file does not even tell which visits are the
// same person's. The search index lives in memory only (visitIndex), rebuilt at start
// from the opened records; audit entries hold field names, not values.
var (
	bucketVisits        = newBucket("visits")
	bucketVisitAudit    = newBucket("visit_audit")
	bucketVisitRequests = newBucket("visit_requests")
	bucketVisitTickets  = newBucket("visit_tickets")
	bucketVisitSerials  = newBucket("visit_serials")
	bucketVisitAccess   = newBucket("visit_access")
)

// Sealed field names, for the cipher's associated data.
const (
	sealVisit  = "visit.personal"
	sealReason = "visit.access_reason"
)

// MaxExportRows bounds one export: a year of a busy station fits many times over.
const MaxExportRows = 100000

// purgeBatch is how many visits one purge transaction deletes, so a first purge of
// years of entries does not hold the write lock for long.
const purgeBatch = 1000

// visitRecord is the open part of a visit as stored; its id is the key, its personal
// fields follow it sealed. Short keys and Unix times keep a visit under 400 bytes:
// the ledger may hold a hundred thousand of them, and the outbox as many facts.
type visitRecord struct {
	Serial       string `json:"sn"`
	Date         string `json:"d"`
	CreatedAt    int64  `json:"ca"`
	CreatedBy    string `json:"cb,omitempty"` // "" at the kiosk
	TicketID     string `json:"tk,omitempty"`
	TicketNumber string `json:"tn,omitempty"`
	Relation     string `json:"rel"`
	Service      string `json:"svc"`
	Matter       string `json:"m"`
	InRegistry   bool   `json:"reg,omitempty"`
	HandledBy    string `json:"hb,omitempty"`
	Outcome      string `json:"oc,omitempty"`
	ClosedAt     int64  `json:"cl,omitempty"`
	FollowUp     string `json:"fu,omitempty"`
	UpdatedAt    int64  `json:"ua"`
	Version      int    `json:"v"`
}

// personalFields are the sealed part of a visit.
type personalFields struct {
	IDNumber    string   `json:"i,omitempty"`
	Phone       string   `json:"t,omitempty"`
	Name        string   `json:"n,omitempty"`
	VisitorName string   `json:"vn,omitempty"`
	Categories  []string `json:"c,omitempty"`
	Summary     string   `json:"s,omitempty"`
	OutcomeNote string   `json:"o,omitempty"`
	ReferredTo  string   `json:"r,omitempty"`
}

// accessRecord is an access-log entry as stored: the reason is sealed, since an admin
// may name the person in it.
type accessRecord struct {
	backend.AccessEntry
	Sealed []byte `json:"p"`
}

// VisitService keeps the visitor ledger in the database and a search index of it in
// memory.
type VisitService struct {
	db        *DB
	stationID string
	sealer    backend.Sealer
	personKey func(idNumber string) string
	// Persons, when set, names the person concerned from the registry when the ID
	// number is there.
	Persons *PersonService
	// RetentionDays is how long a closed visit is kept (backend.MinRetentionDays …
	// MaxRetentionDays).
	RetentionDays int

	mu  sync.RWMutex // writers hold it across their transaction and index change
	idx *visitIndex
}

// NewVisitService returns the ledger of db. sealer encrypts personal fields
// (keys.Cipher); personKey is the keyed hash of an ID number (keys.Keys.PersonKey).
// Call Init before use.
func NewVisitService(db *DB, stationID string, sealer backend.Sealer, personKey func(string) string) *VisitService {
	return &VisitService{db: db, stationID: stationID, sealer: sealer, personKey: personKey,
		RetentionDays: 3 * 365, idx: newVisitIndex()}
}

// Init builds the search index from the stored visits: every record is opened once.
// A record that does not open (a damaged file, or a key that is not the one it was
// sealed with) stops the ledger with an error rather than hiding visits.
func (s *VisitService) Init(ctx context.Context) error {
	if s.RetentionDays < backend.MinRetentionDays || s.RetentionDays > backend.MaxRetentionDays {
		return backend.Errorf(backend.EINVALID, "ledger.retention", s.RetentionDays, backend.MinRetentionDays, backend.MaxRetentionDays)
	}
	idx := newVisitIndex()
	cache := map[string][]string{}
	err := s.db.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketVisits).ForEach(func(k, raw []byte) error {
			v, err := s.decode(string(k), raw)
			if err != nil {
				return err
			}
			idx.put(s.indexEntry(v, cache))
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("build ledger index: %w", err)
	}
	s.mu.Lock()
	s.idx = idx
	s.mu.Unlock()
	return nil
}

// unix is the stored form of a time: whole seconds, zero for none.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0)
}

// readRecord splits the stored visit id into its open record and its sealed part.
func readRecord(id string, raw []byte) (*visitRecord, []byte, error) {
	n, k := binary.Uvarint(raw)
	if k <= 0 || n > uint64(len(raw)-k) {
		return nil, nil, fmt.Errorf("visit %s: damaged record", id)
	}
	var r visitRecord
	if err := json.Unmarshal(raw[k:k+int(n)], &r); err != nil {
		return nil, nil, fmt.Errorf("decode visit %s: %w", id, err)
	}
	return &r, raw[k+int(n):], nil
}

// decode reads the stored visit id and opens its personal fields.
func (s *VisitService) decode(id string, raw []byte) (*backend.Visit, error) {
	r, sealed, err := readRecord(id, raw)
	if err != nil {
		return nil, err
	}
	plain, err := s.sealer.Open(sealVisit, id, sealed)
	if err != nil {
		return nil, fmt.Errorf("open visit %s: %w", id, err)
	}
	var p personalFields
	if json.Unmarshal(plain, &p) != nil {
		// Not the decoder's message: it may quote the opened text.
		return nil, fmt.Errorf("visit %s: personal fields do not decode", id)
	}
	source := backend.SourceStaff
	if r.CreatedBy == "" {
		source = backend.SourceKiosk
	}
	return &backend.Visit{
		ID: id, Serial: r.Serial, Date: r.Date, CreatedAt: fromUnix(r.CreatedAt), Source: source, CreatedBy: r.CreatedBy,
		TicketID: r.TicketID, TicketNumber: r.TicketNumber, Relation: r.Relation, Service: r.Service, Matter: r.Matter,
		IDNumber: p.IDNumber, Phone: p.Phone, Name: p.Name, VisitorName: p.VisitorName, NameFromRegistry: r.InRegistry,
		Categories: p.Categories, Summary: p.Summary, HandledBy: r.HandledBy, Outcome: r.Outcome,
		OutcomeNote: p.OutcomeNote, ReferredTo: p.ReferredTo, ClosedAt: fromUnix(r.ClosedAt), FollowUp: r.FollowUp,
		UpdatedAt: fromUnix(r.UpdatedAt), Version: r.Version,
	}, nil
}

// encode seals v's personal fields and returns the value to store.
func (s *VisitService) encode(v *backend.Visit) ([]byte, error) {
	plain, err := json.Marshal(personalFields{IDNumber: v.IDNumber, Phone: v.Phone, Name: v.Name,
		VisitorName: v.VisitorName, Categories: v.Categories, Summary: v.Summary,
		OutcomeNote: v.OutcomeNote, ReferredTo: v.ReferredTo})
	if err != nil {
		return nil, err
	}
	sealed, err := s.sealer.Seal(sealVisit, v.ID, plain)
	if err != nil {
		return nil, err
	}
	open, err := json.Marshal(visitRecord{
		Serial: v.Serial, Date: v.Date, CreatedAt: unix(v.CreatedAt), CreatedBy: v.CreatedBy,
		TicketID: v.TicketID, TicketNumber: v.TicketNumber, Relation: v.Relation,
		Service: v.Service, Matter: v.Matter, InRegistry: v.NameFromRegistry, HandledBy: v.HandledBy,
		Outcome: v.Outcome, ClosedAt: unix(v.ClosedAt), FollowUp: v.FollowUp, UpdatedAt: unix(v.UpdatedAt),
		Version: v.Version,
	})
	if err != nil {
		return nil, err
	}
	out := binary.AppendUvarint(make([]byte, 0, 2+len(open)+len(sealed)), uint64(len(open)))
	out = append(out, open...)
	return append(out, sealed...), nil
}

// get reads and opens visit id inside tx.
func (s *VisitService) get(tx *bolt.Tx, id string) (*backend.Visit, error) {
	raw := tx.Bucket(bucketVisits).Get([]byte(id))
	if raw == nil {
		return nil, backend.Errorf(backend.ENOTFOUND, "ledger.not_found")
	}
	return s.decode(id, raw)
}

// put stores v, with its audit entry if it has one (an edit; the creation is told by
// the record), and its outbox fact, inside tx.
func (s *VisitService) put(tx *bolt.Tx, v *backend.Visit, audit *backend.AuditEntry, kind string) error {
	rec, err := s.encode(v)
	if err != nil {
		return err
	}
	visits := tx.Bucket(bucketVisits)
	visits.FillPercent = 0.9 // ids grow with time: new visits append to the last page
	if err := visits.Put([]byte(v.ID), rec); err != nil {
		return err
	}
	var changes []backend.Change
	if audit != nil {
		changes = audit.Changes
		ab := tx.Bucket(bucketVisitAudit)
		ab.FillPercent = 0.9
		seq, err := ab.NextSequence()
		if err != nil {
			return err
		}
		if err := putJSON(ab, join([]byte(v.ID), itob(seq)), audit); err != nil {
			return err
		}
	}
	return s.appendFact(tx, kind, v.Fact(changes))
}

// appendFact appends an outbox entry. Outbox keys are a sequence, so pages are packed
// full instead of bbolt's default half: with the county away for weeks the outbox
// holds as many entries as the ledger.
func (s *VisitService) appendFact(tx *bolt.Tx, kind string, data any) error {
	tx.Bucket(bucketOutbox).FillPercent = 1 // entries never grow: pack pages full
	return s.db.appendOutbox(tx, s.stationID, kind, data)
}

// RegisterVisit records a visit from the kiosk (by "") or from staff, in one
// transaction with its audit entry and outbox fact.
func (s *VisitService) RegisterVisit(ctx context.Context, req backend.VisitRequest, by string) (*backend.Visit, bool, error) {
	now := s.db.Now()
	local := now.In(s.db.Location)
	source := backend.SourceStaff
	if by == "" {
		source = backend.SourceKiosk
		if req.StaffOnly() {
			return nil, false, backend.Errorf(backend.EUNAUTHORIZED, "ledger.kiosk_fields")
		}
	}
	if err := req.Validate(local, source); err != nil {
		return nil, false, err
	}
	date := local.Format(time.DateOnly)

	s.mu.Lock()
	defer s.mu.Unlock()
	var out *backend.Visit
	created := false
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		out, created = nil, false
		if prev := tx.Bucket(bucketVisitRequests).Get([]byte(req.RequestID)); len(prev) > 10 {
			v, err := s.get(tx, string(prev[10:]))
			if err != nil {
				return err
			}
			if v.Service != req.Service || v.Matter != req.Matter || v.Relation != req.Relation {
				return backend.Errorf(backend.ECONFLICT, "ledger.request_reused")
			}
			out = v
			return nil
		}
		if _, err := findService(tx, req.Service); err != nil {
			return backend.Errorf(backend.EINVALID, "service.unknown", req.Service)
		}
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		v := &backend.Visit{
			ID: id.String(), Date: date, CreatedAt: now.Truncate(time.Second), Source: source, CreatedBy: by,
			Relation: req.Relation, Service: req.Service, Matter: req.Matter,
			IDNumber: req.IDNumber, Phone: req.Phone, Categories: req.Categories,
			UpdatedAt: now.Truncate(time.Second), Version: 1,
		}
		if req.Name != nil {
			v.Name = *req.Name
		}
		if req.VisitorName != nil {
			v.VisitorName = *req.VisitorName
		}
		if req.Summary != nil {
			v.Summary = *req.Summary
		}
		if req.TicketID != "" {
			t, err := getTicket(tx, req.TicketID)
			if err != nil || t.Date != date {
				return backend.Errorf(backend.EINVALID, "ledger.ticket_not_found")
			}
			if tx.Bucket(bucketVisitTickets).Get([]byte(t.ID)) != nil {
				return backend.Errorf(backend.ECONFLICT, "ledger.ticket_used")
			}
			v.TicketID, v.TicketNumber = t.ID, t.Number
			if err := tx.Bucket(bucketVisitTickets).Put([]byte(t.ID), []byte(date+v.ID)); err != nil {
				return err
			}
		}
		if err := s.fromRegistry(tx, v); err != nil {
			return err
		}
		if v.Serial, err = nextSerial(tx, local.Year()); err != nil {
			return err
		}
		if err := tx.Bucket(bucketVisitRequests).Put([]byte(req.RequestID), []byte(date+v.ID)); err != nil {
			return err
		}
		if err := s.put(tx, v, nil, backend.KindVisitCreated); err != nil {
			return err
		}
		out, created = v, true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if created {
		s.idx.put(s.indexEntry(out, nil))
	}
	out.Mask()
	return out, created, nil
}

// fromRegistry fills in the name and categories of the person concerned from the
// registry when the ID number is there and staff have not given them.
func (s *VisitService) fromRegistry(tx *bolt.Tx, v *backend.Visit) error {
	if s.Persons == nil || v.IDNumber == "" {
		return nil
	}
	p, err := s.Persons.find(tx, v.IDNumber)
	if err != nil || p == nil {
		return err
	}
	if v.Name == "" {
		v.Name, v.NameFromRegistry = p.Name, true
	}
	if v.Categories == nil {
		v.Categories = slices.Clone(p.Categories)
	}
	return nil
}

// nextSerial returns the next ledger number of year: 2026-0001, 2026-0002, …
func nextSerial(tx *bolt.Tx, year int) (string, error) {
	b := tx.Bucket(bucketVisitSerials)
	k := fmt.Appendf(nil, "%04d", year)
	n := btoi(b.Get(k)) + 1
	if err := b.Put(k, itob(n)); err != nil {
		return "", err
	}
	return fmt.Sprintf("%04d-%04d", year, n), nil
}

// Visit returns a visit, masked, with its audit trail, oldest change first.
func (s *VisitService) Visit(ctx context.Context, id string) (*backend.Visit, []backend.AuditEntry, error) {
	var v *backend.Visit
	var trail []backend.AuditEntry
	err := s.db.db.View(func(tx *bolt.Tx) (err error) {
		if v, err = s.get(tx, id); err != nil {
			return err
		}
		trail, err = auditTrail(tx, v)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	v.Mask()
	return v, trail, nil
}

// VisitForTicket returns the visit tied to ticket ticketID, or nil when none is. It
// reads the link and the visit's open record only: nothing is unsealed, and it takes
// neither the ledger's lock nor a write transaction, so it adds one short read to a
// call at the counter. A link whose visit is gone (purged) or names another ticket
// counts as none.
func (s *VisitService) VisitForTicket(ctx context.Context, ticketID string) (*backend.TicketVisit, error) {
	if ticketID == "" {
		return nil, nil
	}
	var out *backend.TicketVisit
	err := s.db.db.View(func(tx *bolt.Tx) error {
		link := tx.Bucket(bucketVisitTickets).Get([]byte(ticketID))
		if len(link) <= 10 {
			return nil
		}
		id := string(link[10:])
		raw := tx.Bucket(bucketVisits).Get([]byte(id))
		if raw == nil {
			return nil
		}
		r, _, err := readRecord(id, raw)
		if err != nil {
			return err
		}
		if r.TicketID == ticketID {
			out = &backend.TicketVisit{ID: id, Serial: r.Serial, Service: r.Service, Matter: r.Matter}
		}
		return nil
	})
	return out, err
}

// auditTrail returns the changes of v, its creation first.
func auditTrail(tx *bolt.Tx, v *backend.Visit) ([]backend.AuditEntry, error) {
	by := v.CreatedBy
	if by == "" {
		by = backend.SourceKiosk
	}
	out := []backend.AuditEntry{{At: v.CreatedAt, By: by, Action: backend.AuditCreated, Version: 1}}
	prefix := []byte(v.ID)
	c := tx.Bucket(bucketVisitAudit).Cursor()
	for k, raw := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8; k, raw = c.Next() {
		var a backend.AuditEntry
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("decode audit entry: %w", err)
		}
		out = append(out, a)
	}
	return out, nil
}

// UpdateVisit applies a patch in one transaction with its audit entry and outbox fact.
// A patch that changes nothing writes nothing.
func (s *VisitService) UpdateVisit(ctx context.Context, id string, p backend.VisitPatch, by string) (*backend.Visit, error) {
	now := s.db.Now().Truncate(time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out *backend.Visit
	changed := false
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		v, err := s.get(tx, id)
		if err != nil {
			return err
		}
		changes, action, err := p.Apply(v, now, s.db.Location, by)
		if err != nil {
			return err
		}
		out = v
		if len(changes) == 0 {
			return nil
		}
		changed = true
		audit := backend.AuditEntry{At: now, By: by, Action: action, Version: v.Version, Changes: changes}
		return s.put(tx, v, &audit, backend.KindVisitUpdated)
	})
	if err != nil {
		return nil, err
	}
	if changed {
		s.idx.put(s.indexEntry(out, nil))
	}
	out.Mask()
	return out, nil
}

// TieTicket ties a visit registered today to a ticket taken today, in one
// transaction with the ticket's link (one visit per ticket), the audit entry and the
// visit.updated fact. The request id the visit was registered with proves the caller
// registered it: its link names the visit and today's date, so a link kept over from
// yesterday (pruneLinks runs once a day) does not count. Tying it to the ticket it is
// tied to already changes nothing.
func (s *VisitService) TieTicket(ctx context.Context, id string, req backend.VisitTicketRequest, by string) (*backend.Visit, bool, error) {
	if err := req.Validate(); err != nil {
		return nil, false, err
	}
	now := s.db.Now().Truncate(time.Second)
	today := now.In(s.db.Location).Format(time.DateOnly)
	if by == "" {
		by = backend.SourceKiosk
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out *backend.Visit
	tied := false
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		out, tied = nil, false
		link := tx.Bucket(bucketVisitRequests).Get([]byte(req.RequestID))
		if len(link) <= 10 || string(link[:10]) != today || string(link[10:]) != id {
			return backend.Errorf(backend.ENOTFOUND, "ledger.tie.unknown_visit")
		}
		v, err := s.get(tx, id)
		if err != nil {
			return err
		}
		t, err := getTicket(tx, req.TicketID)
		if backend.ErrorCode(err) == backend.ENOTFOUND {
			return backend.Errorf(backend.ENOTFOUND, "ledger.tie.ticket_not_found")
		} else if err != nil {
			return err
		}
		change, err := v.TieTicket(t, today, now)
		if err != nil || change == nil {
			out = v
			return err
		}
		tickets := tx.Bucket(bucketVisitTickets)
		if tickets.Get([]byte(t.ID)) != nil {
			return backend.Errorf(backend.ECONFLICT, "ledger.ticket_used")
		}
		if err := tickets.Put([]byte(t.ID), []byte(today+v.ID)); err != nil {
			return err
		}
		audit := backend.AuditEntry{At: now, By: by, Action: backend.AuditUpdated, Version: v.Version,
			Changes: []backend.Change{*change}}
		if err := s.put(tx, v, &audit, backend.KindVisitUpdated); err != nil {
			return err
		}
		out, tied = v, true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if tied {
		s.idx.put(s.indexEntry(out, nil))
		s.db.Logger.Info("ledger visit tied to ticket", "visit", out.ID, "ticket", out.TicketNumber, "by", by)
	}
	out.Mask()
	return out, tied, nil
}

// Visits lists the visits matching f, masked, newest first. The index picks them out
// in memory; only the page's records are read and opened.
func (s *VisitService) Visits(ctx context.Context, f backend.VisitFilter) (*backend.VisitPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	ids, err := s.match(f)
	if err != nil {
		return nil, err
	}
	page := &backend.VisitPage{Total: len(ids), Visits: []backend.Visit{}}
	if f.Offset >= len(ids) {
		return page, nil
	}
	ids = ids[f.Offset:min(len(ids), f.Offset+f.Limit)]
	vs, err := s.load(ids)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		v.Mask()
		page.Visits = append(page.Visits, *v)
	}
	return page, nil
}

// match returns the ids of the visits matching f, newest first.
func (s *VisitService) match(f backend.VisitFilter) ([]string, error) {
	kind, q, err := backend.ParseQuery(f.Query)
	if err != nil {
		return nil, err
	}
	if kind == backend.QueryIDNumber {
		q = s.personKey(q)
	}
	m := newMatcher(f, kind, q, s.db.today())
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.idx.match(m), nil
}

// load reads and opens the visits ids, in that order; ids deleted meanwhile (a purge)
// are left out.
func (s *VisitService) load(ids []string) ([]*backend.Visit, error) {
	out := make([]*backend.Visit, 0, len(ids))
	err := s.db.db.View(func(tx *bolt.Tx) error {
		for _, id := range ids {
			v, err := s.get(tx, id)
			if backend.ErrorCode(err) == backend.ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// UnmaskVisit returns a visit in the clear and records who saw it and why, in one
// transaction with its outbox fact.
func (s *VisitService) UnmaskVisit(ctx context.Context, id, reason, by string) (*backend.Visit, error) {
	reason, err := backend.CheckReason(reason)
	if err != nil {
		return nil, err
	}
	var out *backend.Visit
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		v, err := s.get(tx, id)
		if err != nil {
			return err
		}
		out = v
		return s.logAccess(tx, backend.AccessEntry{Action: backend.AccessUnmask, VisitID: v.ID, Serial: v.Serial, By: by, Reason: reason})
	})
	if err != nil {
		return nil, err
	}
	s.db.Logger.Info("ledger entry unmasked", "visit", id, "by", by)
	return out, nil
}

// logAccess appends an access-log entry with its outbox fact inside tx. The county
// learns who looked and when, not why: the reason may name the person.
func (s *VisitService) logAccess(tx *bolt.Tx, e backend.AccessEntry) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	e.ID, e.At = id.String(), s.db.Now().Truncate(time.Second)
	sealed, err := s.sealer.Seal(sealReason, e.ID, []byte(e.Reason))
	if err != nil {
		return err
	}
	b := tx.Bucket(bucketVisitAccess)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	rec := accessRecord{AccessEntry: e, Sealed: sealed}
	rec.Reason = ""
	if err := putJSON(b, itob(seq), &rec); err != nil {
		return err
	}
	fact := e
	fact.Reason = ""
	return s.appendFact(tx, backend.KindVisitAccessed, fact)
}

// ExportVisits returns every visit matching f, oldest first: masked, or in the clear
// when reason is given, which is then recorded in the access log first.
func (s *VisitService) ExportVisits(ctx context.Context, f backend.VisitFilter, reason, by string) ([]backend.Visit, error) {
	f.Limit, f.Offset = 1, 0
	if err := f.Validate(); err != nil {
		return nil, err
	}
	unmasked := reason != ""
	if unmasked {
		var err error
		if reason, err = backend.CheckReason(reason); err != nil {
			return nil, err
		}
	}
	ids, err := s.match(f)
	if err != nil {
		return nil, err
	}
	if len(ids) > MaxExportRows {
		return nil, backend.Errorf(backend.EINVALID, "ledger.export.too_many", MaxExportRows)
	}
	slices.Reverse(ids)
	if unmasked {
		err := s.db.db.Update(func(tx *bolt.Tx) error {
			return s.logAccess(tx, backend.AccessEntry{Action: backend.AccessExport, Count: len(ids),
				Filter: f.Describe(), By: by, Reason: reason})
		})
		if err != nil {
			return nil, err
		}
		s.db.Logger.Info("ledger exported unmasked", "rows", len(ids), "by", by)
	}
	vs, err := s.load(ids)
	if err != nil {
		return nil, err
	}
	out := make([]backend.Visit, len(vs))
	for i, v := range vs {
		if !unmasked {
			v.Mask()
		}
		out[i] = *v
	}
	return out, nil
}

// AccessLog returns up to limit access-log entries, newest first, with their reasons.
func (s *VisitService) AccessLog(ctx context.Context, limit int) ([]backend.AccessEntry, error) {
	out := []backend.AccessEntry{}
	err := s.db.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketVisitAccess).Cursor()
		for k, raw := c.Last(); k != nil && len(out) < limit; k, raw = c.Prev() {
			var r accessRecord
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("decode access entry: %w", err)
			}
			reason, err := s.sealer.Open(sealReason, r.ID, r.Sealed)
			if err != nil {
				return fmt.Errorf("open access entry %s: %w", r.ID, err)
			}
			r.Reason = string(reason)
			out = append(out, r.AccessEntry)
		}
		return nil
	})
	return out, err
}

// PurgeVisits deletes the closed visits whose retention has passed — the record and
// its audit trail — and the access-log entries as old, in
// batches, each one transaction with a visit.purged fact naming the deleted ids.
// Outbox entries of a purged visit that the county has received are already gone
// (the outbox keeps only what is undelivered); those still waiting are kept, so the
// county gets the visit's facts in order before it learns of the purge. They hold no
// personal data.
func (s *VisitService) PurgeVisits(ctx context.Context) (int, error) {
	if err := s.pruneLinks(); err != nil {
		return 0, err
	}
	cutoff := backend.RetentionCutoff(s.db.Now(), s.RetentionDays)
	s.mu.RLock()
	ids := s.idx.expired(cutoff)
	s.mu.RUnlock()
	total := 0
	for start := 0; start < len(ids); start += purgeBatch {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		batch := ids[start:min(start+purgeBatch, len(ids))]
		n, err := s.purgeBatch(batch, cutoff)
		total += n
		if err != nil {
			return total, err
		}
	}
	n, err := s.purgeAccessLog(cutoff)
	if err != nil {
		return total, err
	}
	if total > 0 || n > 0 {
		s.db.Logger.Info("ledger retention purge", "visits", total, "access_entries", n, "closed_before", cutoff.Format(time.DateOnly))
	}
	return total, nil
}

func (s *VisitService) purgeBatch(ids []string, cutoff time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var deleted []string
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		deleted = deleted[:0]
		for _, id := range ids {
			raw := tx.Bucket(bucketVisits).Get([]byte(id))
			if raw == nil {
				continue
			}
			r, _, err := readRecord(id, raw)
			if err != nil {
				return err
			}
			if r.ClosedAt == 0 || !fromUnix(r.ClosedAt).Before(cutoff) {
				continue // reopened since the index was read
			}
			if err := deleteVisit(tx, id); err != nil {
				return err
			}
			deleted = append(deleted, id)
		}
		if len(deleted) == 0 {
			return nil
		}
		return s.appendFact(tx, backend.KindVisitPurged,
			backend.VisitPurgeFact{IDs: deleted, Before: cutoff.Truncate(time.Second)})
	})
	if err != nil {
		return 0, err
	}
	s.idx.remove(deleted)
	return len(deleted), nil
}

// deleteVisit deletes a visit and its audit trail. Its request and ticket links went
// two days after it was made (pruneLinks).
func deleteVisit(tx *bolt.Tx, id string) error {
	if err := tx.Bucket(bucketVisits).Delete([]byte(id)); err != nil {
		return err
	}
	prefix := []byte(id)
	c := tx.Bucket(bucketVisitAudit).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// pruneLinks deletes request and ticket links made before the day before today: a
// kiosk retries within minutes, and only today's tickets can be tied to a visit.
func (s *VisitService) pruneLinks() error {
	before := s.db.Now().In(s.db.Location).AddDate(0, 0, -1).Format(time.DateOnly)
	return s.db.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketVisitRequests, bucketVisitTickets} {
			err := deleteWhere(tx.Bucket(name), func(_, v []byte) bool { return len(v) < 10 || string(v[:10]) < before })
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// purgeAccessLog deletes access-log entries older than cutoff: they are kept as long
// as the visits they are about may be.
func (s *VisitService) purgeAccessLog(cutoff time.Time) (int, error) {
	n := 0
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		n = 0
		c := tx.Bucket(bucketVisitAccess).Cursor()
		for k, raw := c.First(); k != nil; k, raw = c.First() {
			var e backend.AccessEntry
			if err := json.Unmarshal(raw, &e); err != nil {
				return fmt.Errorf("decode access entry: %w", err)
			}
			if !e.At.Before(cutoff) {
				return nil
			}
			if err := c.Delete(); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Reseal re-seals, for a key rotation, every visit's personal fields and every
// access-log reason not sealed under the sealer's current key (they open under either
// key while the rotation is unfinished). It works in transactions of resealBatch
// records, so an interruption keeps what is done and a second run finishes the rest;
// only the sealed part of a record changes, so versions, audit trails and the outbox
// stay as they are (the records say the same). progress, when set, is told how many
// are done. It returns the number re-sealed.
func (s *VisitService) Reseal(ctx context.Context, progress func(done int)) (int, error) {
	ring, ok := s.sealer.(keyRing)
	if !ok {
		return 0, fmt.Errorf("reseal the ledger: the sealer does not name its keys")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	done := 0
	for _, b := range []struct {
		name   []byte
		reseal func(k, v []byte) ([]byte, error)
	}{
		{bucketVisits, func(k, v []byte) ([]byte, error) {
			_, sealed, err := readRecord(string(k), v)
			if err != nil || ring.Current(sealed) {
				return nil, err
			}
			plain, err := s.sealer.Open(sealVisit, string(k), sealed)
			if err != nil {
				return nil, fmt.Errorf("open visit %s: %w", k, err)
			}
			again, err := s.sealer.Seal(sealVisit, string(k), plain)
			if err != nil {
				return nil, err
			}
			return append(bytes.Clone(v[:len(v)-len(sealed)]), again...), nil
		}},
		{bucketVisitAccess, func(k, v []byte) ([]byte, error) {
			var r accessRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return nil, fmt.Errorf("decode access entry: %w", err)
			}
			if ring.Current(r.Sealed) {
				return nil, nil
			}
			reason, err := s.sealer.Open(sealReason, r.ID, r.Sealed)
			if err != nil {
				return nil, fmt.Errorf("open access entry %s: %w", r.ID, err)
			}
			if r.Sealed, err = s.sealer.Seal(sealReason, r.ID, reason); err != nil {
				return nil, err
			}
			return json.Marshal(&r)
		}},
	} {
		var after []byte
		for {
			if err := ctx.Err(); err != nil {
				return done, err
			}
			n, last, err := resealRecords(s.db, b.name, after, b.reseal)
			if err != nil {
				return done, fmt.Errorf("reseal the ledger: %w", err)
			}
			done += n
			if progress != nil && n > 0 {
				progress(done)
			}
			if last == nil {
				break
			}
			after = last
		}
	}
	return done, nil
}

// resealRecords reads up to resealBatch records after key after in bucket name and
// writes back those reseal changes (it returns nil for one already current), in one
// transaction. It returns how many it wrote and the last key read, nil at the end.
func resealRecords(db *DB, name, after []byte, reseal func(k, v []byte) ([]byte, error)) (int, []byte, error) {
	var n int
	var last []byte
	err := db.db.Update(func(tx *bolt.Tx) error {
		n, last = 0, nil
		b := tx.Bucket(name)
		c := b.Cursor()
		k, v := c.First()
		if after != nil {
			if k, v = c.Seek(after); bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
		var puts [][2][]byte
		for read := 0; k != nil && read < resealBatch; k, v = c.Next() {
			read++
			again, err := reseal(k, v)
			if err != nil {
				return err
			}
			if again != nil {
				puts = append(puts, [2][]byte{bytes.Clone(k), again})
			}
			last = bytes.Clone(k)
		}
		if k == nil {
			last = nil
		}
		for _, p := range puts {
			if err := b.Put(p[0], p[1]); err != nil {
				return err
			}
		}
		n = len(puts)
		return nil
	})
	return n, last, err
}

// Stale returns how many visits and access-log entries are not sealed under the
// sealer's current key: what a key rotation has left to do. Zero once it is done.
func (s *VisitService) Stale(ctx context.Context) (int, error) {
	ring, ok := s.sealer.(keyRing)
	if !ok {
		return 0, fmt.Errorf("the sealer does not name its keys")
	}
	n := 0
	err := s.db.db.View(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketVisits).ForEach(func(k, v []byte) error {
			_, sealed, err := readRecord(string(k), v)
			if err == nil && !ring.Current(sealed) {
				n++
			}
			return err
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketVisitAccess).ForEach(func(k, v []byte) error {
			var r accessRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode access entry: %w", err)
			}
			if !ring.Current(r.Sealed) {
				n++
			}
			return nil
		})
	})
	return n, err
}

// RunPurge purges once at start and then every interval until ctx ends; errors are
// logged and the next run tries again.
func (s *VisitService) RunPurge(ctx context.Context, interval time.Duration) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.PurgeVisits(ctx); err != nil && ctx.Err() == nil {
				s.db.Logger.Error("ledger retention purge failed", "err", err)
			}
			t.Reset(interval)
		}
	}
}

// The search index, in memory only. What a search tests for every visit is a
// hotEntry: fixed-size numbers in one slice, so a scan of 100,000 visits reads about
// 8 MB in order. Strings sit in a parallel slice of coldEntry, read only for the
// visits a number has not already ruled out (and for searches by part of a name).
type hotEntry struct {
	key      uint64    // first 8 bytes of the ID number's keyed hash; 0 if none
	phone    uint64    // the 11-digit number; 0 if none
	ini      [4]uint64 // up to four readings of the names' pinyin initials, packed
	closedAt int64     // Unix seconds; 0 while open
	date     int32     // yyyymmdd
	followUp int32     // yyyymmdd; 0 if none
	service  byte
	moreIni  bool // more readings than ini holds: coldEntry.initials has them all
}

type coldEntry struct {
	id        string
	personKey string
	names     string // name and visitor's name, for "any part of the name"
	initials  string // every reading, NUL-separated, when moreIni
}

// maxPacked is the longest initials packInitials keeps in a number: 12 letters of 5
// bits, first letter highest, so a prefix is a shift away.
const maxPacked = 12

// packInitials packs lower-case initials into a number; false if they do not fit.
func packInitials(s string) (uint64, bool) {
	if s == "" || len(s) > maxPacked {
		return 0, false
	}
	var p uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 'a' || c > 'z' {
			return 0, false
		}
		p |= uint64(c-'a'+1) << (5 * (maxPacked - 1 - i))
	}
	return p, true
}

// dateNum turns YYYY-MM-DD into yyyymmdd; 0 for "".
func dateNum(d string) int32 {
	if len(d) != 10 {
		return 0
	}
	n, _ := strconv.Atoi(d[:4] + d[5:7] + d[8:])
	return int32(n)
}

// indexEntry returns what the index keeps of v. cache, when not nil, remembers the
// initials of names already seen: a station's visitors come back, and the pinyin
// conversion is the slow part of building the index at start.
func (s *VisitService) indexEntry(v *backend.Visit, cache map[string][]string) (hotEntry, coldEntry) {
	h := hotEntry{date: dateNum(v.Date), followUp: dateNum(v.FollowUp), closedAt: unix(v.ClosedAt)}
	if v.Service != "" {
		h.service = v.Service[0]
	}
	c := coldEntry{id: v.ID, names: v.Name + "\n" + v.VisitorName}
	if v.IDNumber != "" {
		c.personKey = s.personKey(v.IDNumber)
		h.key = keyPrefix(c.personKey)
	}
	h.phone, _ = strconv.ParseUint(v.Phone, 10, 64)
	initials := func(name string) []string {
		if cache == nil {
			return backend.PinyinInitials(name)
		}
		r, ok := cache[name]
		if !ok {
			r = backend.PinyinInitials(name)
			cache[name] = r
		}
		return r
	}
	readings := append(slices.Clone(initials(v.Name)), initials(v.VisitorName)...)
	h.moreIni = len(readings) > len(h.ini)
	for i, r := range readings {
		p, ok := packInitials(r)
		if !ok {
			h.moreIni = true
		} else if i < len(h.ini) {
			h.ini[i] = p
		}
	}
	if h.moreIni {
		c.initials = strings.Join(readings, "\x00")
	}
	return h, c
}

// keyPrefix returns the first 8 bytes of a hex keyed hash as a number.
func keyPrefix(hexKey string) uint64 {
	if len(hexKey) < 16 {
		return 0
	}
	n, _ := strconv.ParseUint(hexKey[:16], 16, 64)
	return n
}

// visitIndex holds every visit's entries in id (= time) order. Its methods are called
// under VisitService.mu.
type visitIndex struct {
	hot  []hotEntry
	cold []coldEntry
	byID map[string]int // position in hot and cold
}

func newVisitIndex() *visitIndex { return &visitIndex{byID: map[string]int{}} }

// put adds or replaces a visit's entries. New visits have the newest ids and append;
// one that arrives out of order (a clock set back) is put in its place.
func (x *visitIndex) put(h hotEntry, c coldEntry) {
	if i, ok := x.byID[c.id]; ok {
		x.hot[i], x.cold[i] = h, c
		return
	}
	n := len(x.cold)
	if n == 0 || x.cold[n-1].id < c.id {
		x.hot, x.cold = append(x.hot, h), append(x.cold, c)
		x.byID[c.id] = n
		return
	}
	i, _ := slices.BinarySearchFunc(x.cold, c.id, func(a coldEntry, id string) int { return strings.Compare(a.id, id) })
	x.hot, x.cold = slices.Insert(x.hot, i, h), slices.Insert(x.cold, i, c)
	x.reindex(i)
}

// remove drops the entries of ids in one pass.
func (x *visitIndex) remove(ids []string) {
	if len(ids) == 0 {
		return
	}
	from := len(x.cold)
	for _, id := range ids {
		if i, ok := x.byID[id]; ok {
			from = min(from, i)
			x.cold[i].id = "" // marks it for the sweep below
			delete(x.byID, id)
		}
	}
	j := from
	for i := from; i < len(x.cold); i++ {
		if x.cold[i].id != "" {
			x.hot[j], x.cold[j] = x.hot[i], x.cold[i]
			j++
		}
	}
	clear(x.cold[j:]) // let the strings go
	x.hot, x.cold = x.hot[:j], x.cold[:j]
	x.reindex(from)
}

func (x *visitIndex) reindex(from int) {
	for i := from; i < len(x.cold); i++ {
		x.byID[x.cold[i].id] = i
	}
}

// matcher is one search, ready to test entries.
type matcher struct {
	kind                string
	q                   string // normalised query; the keyed hash for an ID number
	key, phone, last4   uint64
	ini                 uint64 // packed initials, shifted
	shift               uint   // 0…60: bits below the query's letters
	from, to, today     int32
	service             byte
	open, closed, fuDue bool
}

func newMatcher(f backend.VisitFilter, kind, q, today string) matcher {
	m := matcher{kind: kind, q: q, from: dateNum(f.From), to: dateNum(f.To), today: dateNum(today),
		open: f.Status == "open", closed: f.Status == "closed", fuDue: f.FollowUpDue}
	if f.Service != "" {
		m.service = f.Service[0]
	}
	switch kind {
	case backend.QueryIDNumber:
		m.key = keyPrefix(q)
	case backend.QueryPhone:
		m.phone, _ = strconv.ParseUint(q, 10, 64)
	case backend.QueryLast4:
		m.last4, _ = strconv.ParseUint(q, 10, 64)
	case backend.QueryInitials:
		if p, ok := packInitials(q); ok {
			m.shift = uint(5 * (maxPacked - len(q)))
			m.ini = p >> m.shift
		}
	}
	return m
}

func (m *matcher) matches(x *visitIndex, i int) bool {
	h := &x.hot[i]
	switch m.kind {
	case backend.QueryIDNumber:
		if h.key != m.key || x.cold[i].personKey != m.q {
			return false
		}
	case backend.QueryPhone:
		if h.phone != m.phone {
			return false
		}
	case backend.QueryLast4:
		if h.phone == 0 || h.phone%10000 != m.last4 {
			return false
		}
	case backend.QueryInitials:
		found := false
		if m.ini != 0 {
			for _, p := range h.ini {
				found = found || (p != 0 && p>>m.shift == m.ini)
			}
		}
		if !found && (!h.moreIni || !hasInitials(x.cold[i].initials, m.q)) {
			return false
		}
	case backend.QueryName:
		if !strings.Contains(x.cold[i].names, m.q) {
			return false
		}
	}
	switch {
	case m.from != 0 && h.date < m.from, m.to != 0 && h.date > m.to,
		m.service != 0 && h.service != m.service,
		m.open && h.closedAt != 0, m.closed && h.closedAt == 0,
		m.fuDue && (h.followUp == 0 || h.followUp > m.today):
		return false
	}
	return true
}

// hasInitials reports whether one of the NUL-separated readings starts with q.
func hasInitials(all, q string) bool {
	for all != "" {
		one := all
		if i := strings.IndexByte(all, 0); i >= 0 {
			one, all = all[:i], all[i+1:]
		} else {
			all = ""
		}
		if strings.HasPrefix(one, q) {
			return true
		}
	}
	return false
}

// match returns the ids of the matching entries, newest first.
func (x *visitIndex) match(m matcher) []string {
	var out []string
	for i := len(x.hot) - 1; i >= 0; i-- {
		if m.matches(x, i) {
			out = append(out, x.cold[i].id)
		}
	}
	return out
}

// expired returns the ids of closed visits closed before cutoff.
func (x *visitIndex) expired(cutoff time.Time) []string {
	var out []string
	cut := cutoff.Unix()
	for i := range x.hot {
		if c := x.hot[i].closedAt; c != 0 && c < cut {
			out = append(out, x.cold[i].id)
		}
	}
	return out
}
