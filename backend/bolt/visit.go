package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
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
	idx.compact()
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
	now := s.db.Clock.Now()
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
	now := s.db.Clock.Now().Truncate(time.Second)
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
	now := s.db.Clock.Now().Truncate(time.Second)
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
