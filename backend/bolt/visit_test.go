package bolt_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
	"bingzhan/backend/keys"

	"github.com/jonboulle/clockwork"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// ledger is a visitor ledger on a real database, with a registry of four people.
type ledger struct {
	*bolt.VisitService
	DB      *bolt.DB
	Clock   *clockwork.FakeClock
	Keys    *keys.Keys
	Tickets *bolt.TicketService
	People  []backend.Person
}

// registryPeople are the registry's people; names chosen for pinyin searches.
var registryPeople = []backend.Person{
	{IDNumber: "11010519491231002X", Name: "张三", Phone: "13812345678", Categories: []string{"VETERAN"}, CardStatus: backend.CardIssued},
	{IDNumber: "440524188001010014", Name: "单伟", Phone: "13900001111", Categories: []string{"VETERAN", "DISABLED_VET"}, DisabilityGrade: 4, CardStatus: backend.CardReady},
	{IDNumber: "110105195001010012", Name: "张思远", Phone: "15000002222", Categories: []string{"MARTYR_FAMILY"}, Relation: backend.RelationParent, CardStatus: backend.CardNone},
	{IDNumber: "320102196508080014", Name: "欧阳娜娜", Phone: "18600003333", Categories: []string{"VETERAN"}, CardStatus: backend.CardIssued},
}

// notInRegistry is a valid ID number nobody in the registry has.
const notInRegistry = "110105198001010016"

func mustLedger(tb testing.TB) *ledger {
	tb.Helper()
	return mustLedgerAt(tb, tb.TempDir(), MustKeys(tb))
}

func mustLedgerAt(tb testing.TB, dir string, k *keys.Keys) *ledger {
	tb.Helper()
	db, clock := MustOpenDBAt(tb, dir)
	persons := newPersons(tb, db, k)
	if v, _, _ := persons.Registry(context.Background()); v == "" {
		if _, err := persons.ReplaceRegistry(context.Background(), "r1", slicesSeq(registryPeople)); err != nil {
			tb.Fatal(err)
		}
	}
	c, err := k.Cipher()
	if err != nil {
		tb.Fatal(err)
	}
	s := bolt.NewVisitService(db, backend.StationID(k.Public()), c, k.PersonKey)
	s.Persons = persons
	if err := s.Init(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return &ledger{VisitService: s, DB: db, Clock: clock, Keys: k,
		Tickets: bolt.NewTicketService(db, k.Signing, k.PersonKey), People: registryPeople}
}

var ridN int

// kiosk registers a visit as the kiosk does.
func (l *ledger) kiosk(tb testing.TB, id, phone, relation, matter string) *backend.Visit {
	tb.Helper()
	ridN++
	v, created, err := l.RegisterVisit(context.Background(), backend.VisitRequest{
		IDNumber: id, Phone: phone, Relation: relation, Service: matter[:1], Matter: matter,
		RequestID: fmt.Sprintf("kiosk-req-%06d", ridN),
	}, "")
	if err != nil {
		tb.Fatal(err)
	}
	if !created {
		tb.Fatal("a new request did not create a visit")
	}
	return v
}

func (l *ledger) update(tb testing.TB, id string, p backend.VisitPatch, by string) *backend.Visit {
	tb.Helper()
	v, err := l.UpdateVisit(context.Background(), id, p, by)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func (l *ledger) search(tb testing.TB, f backend.VisitFilter) []string {
	tb.Helper()
	page, err := l.Visits(context.Background(), f)
	if err != nil {
		tb.Fatal(err)
	}
	var serials []string
	for _, v := range page.Visits {
		serials = append(serials, v.Serial)
	}
	return serials
}

func ptr[T any](v T) *T { return &v }

// closePatch completes and closes a visit.
func closePatch() backend.VisitPatch {
	return backend.VisitPatch{Outcome: ptr(backend.OutcomeAnswered), Close: true}
}

func TestVisitService_Register(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		l := mustLedger(t)
		v := l.kiosk(t, "11010519491231002x", "138 1234 5678", backend.RelationSelf, "B5")
		if v.Serial != "2026-0001" || v.Date != "2026-11-23" || v.Source != backend.SourceKiosk || v.Version != 1 {
			t.Fatalf("visit %+v", v)
		}
		if !v.Masked || v.IDNumber != "110105********002X" || v.Phone != "138****5678" || v.Name != "张*" || !v.NameFromRegistry {
			t.Fatalf("the answer is not masked or not named from the registry: %+v", v)
		}
		if !slices.Equal(v.Categories, []string{"VETERAN"}) {
			t.Fatalf("categories %v, want the registry's", v.Categories)
		}
		// Someone not in the registry: staff will complete the name.
		w := l.kiosk(t, notInRegistry, "13700009999", backend.RelationChild, "D2")
		if w.Name != "" || w.NameFromRegistry || w.Serial != "2026-0002" {
			t.Fatalf("unknown person %+v", w)
		}
		entries, err := l.DB.OutboxEntries(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var facts []backend.VisitFact
		for _, e := range entries {
			if e.Kind == backend.KindVisitCreated {
				var f backend.VisitFact
				if err := json.Unmarshal(e.Data, &f); err != nil {
					t.Fatal(err)
				}
				facts = append(facts, f)
				for _, secret := range []string{"1101051949", "5678", "张", "VETERAN", "13812345678"} {
					if strings.Contains(string(e.Data), secret) {
						t.Errorf("the county's copy holds %q: %s", secret, e.Data)
					}
				}
			}
		}
		if len(facts) != 2 || facts[0].ID != v.ID || facts[0].Matter != "B5" || !facts[0].InRegistry || facts[0].Date != "2026-11-23" {
			t.Fatalf("outbox facts %+v", facts)
		}
	})

	t.Run("Idempotent", func(t *testing.T) {
		l := mustLedger(t)
		req := backend.VisitRequest{IDNumber: registryPeople[0].IDNumber, Phone: "13812345678",
			Relation: backend.RelationSelf, Service: "A", Matter: "A1", RequestID: "double-tap-01"}
		first, created, err := l.RegisterVisit(ctx, req, "")
		if err != nil || !created {
			t.Fatal(err, created)
		}
		again, created, err := l.RegisterVisit(ctx, req, "")
		if err != nil || created || again.ID != first.ID {
			t.Fatalf("a repeated request gave %+v created=%v err=%v", again, created, err)
		}
		if n := countKind(t, l.DB, backend.KindVisitCreated); n != 1 {
			t.Fatalf("%d visit.created facts after a double tap", n)
		}
		req.Matter = "A2"
		if _, _, err := l.RegisterVisit(ctx, req, ""); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Fatalf("a request id reused for another matter: %v", err)
		}
	})

	t.Run("Ticket", func(t *testing.T) {
		l := mustLedger(t)
		is, err := l.Tickets.IssueTicket(ctx, backend.IssueRequest{Service: "B", RequestID: "ticket-req-1"})
		if err != nil {
			t.Fatal(err)
		}
		req := backend.VisitRequest{IDNumber: registryPeople[1].IDNumber, Phone: "13900001111",
			Relation: backend.RelationSpouse, Service: "B", Matter: "B5", TicketID: is.Ticket.ID, RequestID: "with-ticket-1"}
		v, _, err := l.RegisterVisit(ctx, req, "")
		if err != nil || v.TicketNumber != "B001" || v.TicketID != is.Ticket.ID {
			t.Fatalf("visit with ticket: %+v %v", v, err)
		}
		req.RequestID = "with-ticket-2"
		if _, _, err := l.RegisterVisit(ctx, req, ""); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Fatalf("a second visit on the same ticket: %v", err)
		}
		// Tomorrow the ticket is yesterday's.
		l.Clock.Advance(24 * time.Hour)
		old := backend.VisitRequest{IDNumber: registryPeople[1].IDNumber, Phone: "13900001111",
			Relation: backend.RelationSelf, Service: "B", Matter: "B1", TicketID: is.Ticket.ID, RequestID: "old-ticket-1"}
		if _, _, err := l.RegisterVisit(ctx, old, ""); backend.ErrorCode(err) != backend.EINVALID {
			t.Fatalf("yesterday's ticket: %v", err)
		}
	})

	t.Run("Staff", func(t *testing.T) {
		l := mustLedger(t)
		v, _, err := l.RegisterVisit(ctx, backend.VisitRequest{Relation: backend.RelationOther, Service: "G", Matter: "G1",
			RequestID: "staff-walkin-1", Name: ptr(" 李四 "), Summary: ptr("咨询\n信访程序"), Categories: []string{"VETERAN", "VETERAN"}}, "王芳")
		if err != nil {
			t.Fatal(err)
		}
		if v.Source != backend.SourceStaff || v.CreatedBy != "王芳" || v.Name != "李*" || v.Summary != "咨询 信访程序" || !slices.Equal(v.Categories, []string{"VETERAN"}) {
			t.Fatalf("staff visit %+v", v)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		l := mustLedger(t)
		l.kiosk(t, registryPeople[0].IDNumber, "13812345678", backend.RelationSelf, "A1")
		before := dbState(t, l)
		good := backend.VisitRequest{IDNumber: registryPeople[0].IDNumber, Phone: "13812345678",
			Relation: backend.RelationSelf, Service: "A", Matter: "A1", RequestID: "bad-input-01"}
		for _, tt := range []struct {
			name string
			edit func(*backend.VisitRequest)
			by   string
			code string
			key  string
		}{
			{"no ID", func(r *backend.VisitRequest) { r.IDNumber = "" }, "", backend.EINVALID, "id.empty"},
			{"bad check digit", func(r *backend.VisitRequest) { r.IDNumber = "110105194912310021" }, "", backend.EINVALID, "id.checksum"},
			{"no phone", func(r *backend.VisitRequest) { r.Phone = "" }, "", backend.EINVALID, "phone.invalid"},
			{"landline", func(r *backend.VisitRequest) { r.Phone = "01012345678" }, "", backend.EINVALID, "phone.invalid"},
			{"relation", func(r *backend.VisitRequest) { r.Relation = "friend" }, "", backend.EINVALID, "ledger.relation"},
			{"service", func(r *backend.VisitRequest) { r.Service, r.Matter = "Z", "Z1" }, "", backend.EINVALID, "service.unknown"},
			{"matter of another service", func(r *backend.VisitRequest) { r.Matter = "B1" }, "", backend.EINVALID, "ledger.matter"},
			{"no request id", func(r *backend.VisitRequest) { r.RequestID = "" }, "", backend.EINVALID, "request_id"},
			{"unknown ticket", func(r *backend.VisitRequest) { r.TicketID = "01936b2e-0000-7000-8000-000000000000" }, "", backend.EINVALID, "ledger.ticket_not_found"},
			{"kiosk sets a name", func(r *backend.VisitRequest) { r.Name = ptr("张三") }, "", backend.EUNAUTHORIZED, "ledger.kiosk_fields"},
			{"long summary", func(r *backend.VisitRequest) { r.Summary = ptr(strings.Repeat("长", 501)) }, "王芳", backend.EINVALID, "ledger.summary"},
			{"control character", func(r *backend.VisitRequest) { r.Name = ptr("张\x00三") }, "王芳", backend.EINVALID, "ledger.name"},
			{"bad category", func(r *backend.VisitRequest) { r.Categories = []string{"veteran"} }, "王芳", backend.EINVALID, "lookup.category"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				req := good
				tt.edit(&req)
				_, _, err := l.RegisterVisit(ctx, req, tt.by)
				var e *backend.Error
				if !asError(err, &e) || e.Code != tt.code || e.Key != tt.key {
					t.Fatalf("got %v, want %s %s", err, tt.code, tt.key)
				}
				if after := dbState(t, l); after != before {
					t.Fatalf("a refused request changed the database: %s → %s", before, after)
				}
			})
		}
	})
}

// dbState sums up what a refused request must not change.
func dbState(t *testing.T, l *ledger) string {
	t.Helper()
	page, err := l.Visits(context.Background(), backend.VisitFilter{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := l.DB.OutboxStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("visits=%d outbox=%d", page.Total, st.Pending)
}

func countKind(t *testing.T, db *bolt.DB, kind string) int {
	t.Helper()
	n := 0
	for _, k := range outboxKinds(t, db) {
		if k == kind {
			n++
		}
	}
	return n
}

func TestVisitService_Update(t *testing.T) {
	ctx := context.Background()
	l := mustLedger(t)
	v := l.kiosk(t, notInRegistry, "13700009999", backend.RelationChild, "D1")

	t.Run("ErrCloseIncomplete", func(t *testing.T) {
		_, err := l.UpdateVisit(ctx, v.ID, closePatch(), "王芳")
		var e *backend.Error
		if !asError(err, &e) || e.Key != "ledger.close_needs_name" {
			t.Fatalf("closing without a name: %v", err)
		}
		_, err = l.UpdateVisit(ctx, v.ID, backend.VisitPatch{Name: ptr("赵六"), Outcome: ptr(backend.OutcomeReferred), Close: true}, "王芳")
		if !asError(err, &e) || e.Key != "ledger.close_needs_referral" {
			t.Fatalf("closing a referral without where to: %v", err)
		}
		got, trail, err := l.Visit(ctx, v.ID)
		if err != nil || got.Version != 1 || got.Name != "" || len(trail) != 1 {
			t.Fatalf("a refused edit changed the visit: %+v %v", got, err)
		}
	})

	t.Run("OK", func(t *testing.T) {
		got := l.update(t, v.ID, backend.VisitPatch{Name: ptr("赵六"), VisitorName: ptr("赵小六"), Summary: ptr("申请定期抚恤"),
			Categories: ptr([]string{"MARTYR_FAMILY"}), FollowUp: ptr("2026-12-01")}, "王芳")
		if got.Version != 2 || got.Name != "赵*" || got.VisitorName != "赵**" || got.FollowUp != "2026-12-01" || got.Closed() {
			t.Fatalf("after edit %+v", got)
		}
		l.Clock.Advance(time.Hour)
		got = l.update(t, v.ID, backend.VisitPatch{Version: ptr(2), Outcome: ptr(backend.OutcomeAccepted), Close: true}, "李强")
		if !got.Closed() || got.HandledBy != "李强" || got.Version != 3 || !got.ClosedAt.Equal(l.Clock.Now()) {
			t.Fatalf("after close %+v", got)
		}
		// Nothing to change: nothing written.
		same := l.update(t, v.ID, backend.VisitPatch{Outcome: ptr(backend.OutcomeAccepted)}, "李强")
		if same.Version != 3 {
			t.Fatalf("an empty change made version %d", same.Version)
		}
	})

	t.Run("ErrStale", func(t *testing.T) {
		if _, err := l.UpdateVisit(ctx, v.ID, backend.VisitPatch{Version: ptr(2), Summary: ptr("x")}, "王芳"); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Fatalf("a stale version: %v", err)
		}
	})

	t.Run("AuditTrail", func(t *testing.T) {
		l.update(t, v.ID, backend.VisitPatch{Reopen: true}, "王芳")
		_, trail, err := l.Visit(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range trail {
			actions = append(actions, a.By+":"+a.Action)
		}
		if want := []string{"kiosk:created", "王芳:updated", "李强:closed", "王芳:reopened"}; !slices.Equal(actions, want) {
			t.Fatalf("trail %v, want %v", actions, want)
		}
		fields := map[string]backend.Change{}
		for _, c := range trail[1].Changes {
			fields[c.Field] = c
		}
		for _, f := range []string{"name", "visitor_name", "summary", "categories", "follow_up"} {
			if _, ok := fields[f]; !ok {
				t.Errorf("the trail does not say %s changed: %+v", f, trail[1].Changes)
			}
		}
		if c := fields["follow_up"]; c.New != "2026-12-01" {
			t.Errorf("follow-up change %+v, want its new date", c)
		}
		if c := fields["name"]; c.Old != "" || c.New != "" {
			t.Errorf("the trail holds a name: %+v", c)
		}
		raw, _ := json.Marshal(trail)
		for _, secret := range []string{"赵", "抚恤", "MARTYR", "13700009999", notInRegistry} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("the audit trail holds %q: %s", secret, raw)
			}
		}
		closed := trail[2].Changes
		if i := slices.IndexFunc(closed, func(c backend.Change) bool { return c.Field == "outcome" }); i < 0 || closed[i].New != backend.OutcomeAccepted {
			t.Errorf("the close does not record the outcome: %+v", closed)
		}
		if n := countKind(t, l.DB, backend.KindVisitUpdated); n != 3 {
			t.Errorf("%d visit.updated facts, want 3 (edit, close, reopen)", n)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := l.UpdateVisit(ctx, "nope", backend.VisitPatch{Summary: ptr("x")}, "王芳"); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Fatal(err)
		}
	})
}

// TestVisitService_NoPlaintext registers, completes and edits visits and then reads the
// raw database file: no ID number, phone number or name may appear in it, in UTF-8,
// JSON escapes, UTF-16, GB 18030 or base64, nor the keyed hash of an ID number.
func TestVisitService_NoPlaintext(t *testing.T) {
	ctx := context.Background()
	l := mustLedger(t)
	var secrets []string
	for i, p := range registryPeople {
		phone := fmt.Sprintf("1370000%04d", 1000+i)
		v := l.kiosk(t, p.IDNumber, phone, backend.RelationSelf, "B1")
		visitor := "来访人" + p.Name
		l.update(t, v.ID, backend.VisitPatch{VisitorName: ptr(visitor), Summary: ptr("摘要" + p.Name)}, "王芳")
		if _, err := l.UnmaskVisit(ctx, v.ID, "核对"+p.Name, "站长"); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, p.IDNumber, p.IDNumber[:17], phone, p.Name, visitor, "摘要"+p.Name,
			backend.MaskIDNumber(p.IDNumber), l.Keys.PersonKey(p.IDNumber))
	}
	w := l.kiosk(t, notInRegistry, "13600004444", backend.RelationSelf, "A1")
	l.update(t, w.ID, backend.VisitPatch{Name: ptr("司马光")}, "王芳")
	secrets = append(secrets, notInRegistry, "13600004444", "司马光", l.Keys.PersonKey(notInRegistry))
	l.DB.Close()
	raw, err := os.ReadFile(l.DB.Path())
	if err != nil {
		t.Fatal(err)
	}
	gb := simplifiedchinese.GB18030.NewEncoder()
	for _, s := range secrets {
		forms := map[string]string{"utf-8": s, "base64": base64.StdEncoding.EncodeToString([]byte(s))}
		esc, _ := json.Marshal(s)
		forms["json"] = strings.Trim(jsonASCII(string(esc)), `"`)
		u16 := utf16.Encode([]rune(s))
		b16 := make([]byte, 0, 2*len(u16))
		for _, u := range u16 {
			b16 = append(b16, byte(u), byte(u>>8))
		}
		forms["utf-16le"] = string(b16)
		if g, err := gb.String(s); err == nil {
			forms["gb18030"] = g
		}
		for enc, form := range forms {
			if len(form) >= 4 && bytes.Contains(raw, []byte(form)) {
				t.Errorf("the database file holds %q in %s", s, enc)
			}
		}
	}
	if bytes.Contains(raw, []byte("MARTYR_FAMILY")) || bytes.Contains(raw, []byte("DISABLED_VET")) {
		t.Error("the database file holds a person's categories in the clear")
	}
}

// jsonASCII escapes non-ASCII runes as \uXXXX, the other way JSON may hold them.
func jsonASCII(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// BenchmarkVisitService_Register measures one kiosk registration: one transaction with
// its sealing, audit entry and outbox fact.
func BenchmarkVisitService_Register(b *testing.B) {
	l := mustLedger(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		_, _, err := l.RegisterVisit(ctx, backend.VisitRequest{IDNumber: registryPeople[i%4].IDNumber, Phone: "13812345678",
			Relation: backend.RelationSelf, Service: "B", Matter: "B1", RequestID: fmt.Sprintf("bench-%08d", i)}, "")
		if err != nil {
			b.Fatal(err)
		}
	}
}

// TestVisitService_TieTicket ties a visit registered at the kiosk to the ticket taken
// from its done screen: only with the request id the visit was registered with today,
// only to one of today's tickets, one ticket per visit and one visit per ticket.
func TestVisitService_TieTicket(t *testing.T) {
	ctx := context.Background()
	l := mustLedger(t)
	issue := func(service, rid string) *backend.Ticket {
		t.Helper()
		is, err := l.Tickets.IssueTicket(ctx, backend.IssueRequest{Service: service, RequestID: rid})
		if err != nil {
			t.Fatal(err)
		}
		return is.Ticket
	}
	register := func(p backend.Person, rid, ticketID string) *backend.Visit {
		t.Helper()
		v, created, err := l.RegisterVisit(ctx, backend.VisitRequest{IDNumber: p.IDNumber, Phone: p.Phone,
			Relation: backend.RelationSelf, Service: "B", Matter: "B5", TicketID: ticketID, RequestID: rid}, "")
		if err != nil || !created {
			t.Fatal(err, created)
		}
		return v
	}

	// Yesterday: a ticket and a visit.
	oldTicket := issue("B", "ticket-old-1")
	oldVisit := register(registryPeople[3], "visit-old-req-1", "")
	l.Clock.Advance(24 * time.Hour)
	// Today: a's visit takes its ticket after registering; b's was registered with one.
	t1, t2, t3 := issue("B", "ticket-today-1"), issue("B", "ticket-today-2"), issue("A", "ticket-today-3")
	a := register(registryPeople[0], "visit-a-req-1", "")
	b := register(registryPeople[1], "visit-b-req-1", t2.ID)
	c := register(registryPeople[2], "visit-c-req-1", "")

	t.Run("OK", func(t *testing.T) {
		pending := countKind(t, l.DB, backend.KindVisitUpdated)
		v, tied, err := l.TieTicket(ctx, a.ID, backend.VisitTicketRequest{RequestID: "visit-a-req-1", TicketID: t1.ID}, "")
		if err != nil || !tied {
			t.Fatal(err, tied)
		}
		if v.TicketID != t1.ID || v.TicketNumber != t1.Number || v.Version != 2 || !v.Masked || v.IDNumber != "110105********002X" {
			t.Fatalf("tied visit %+v", v)
		}
		// Staff see the ticket number on the entry, and who tied it in the trail.
		got, trail, err := l.Visit(ctx, a.ID)
		if err != nil || got.TicketNumber != t1.Number {
			t.Fatalf("the ledger entry %+v %v", got, err)
		}
		last := trail[len(trail)-1]
		if len(trail) != 2 || last.By != backend.SourceKiosk || last.Action != backend.AuditUpdated || last.Version != 2 ||
			len(last.Changes) != 1 || last.Changes[0] != (backend.Change{Field: "ticket", New: t1.Number}) {
			t.Fatalf("audit trail %+v", trail)
		}
		// The county gets one visit.updated fact with the ticket, and nothing personal.
		if n := countKind(t, l.DB, backend.KindVisitUpdated); n != pending+1 {
			t.Fatalf("%d visit.updated facts, want %d", n, pending+1)
		}
		entries, err := l.DB.OutboxEntries(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		e := entries[len(entries)-1]
		var f backend.VisitFact
		if err := json.Unmarshal(e.Data, &f); err != nil || e.Kind != backend.KindVisitUpdated {
			t.Fatal(e.Kind, err)
		}
		if f.ID != a.ID || f.TicketID != t1.ID || f.Version != 2 || !slices.Equal(f.Changed, []string{"ticket"}) {
			t.Fatalf("fact %+v", f)
		}
		for _, secret := range []string{"1101051949", "5678", "张", "VETERAN", registryPeople[0].Phone} {
			if strings.Contains(string(e.Data), secret) {
				t.Errorf("the county's copy holds %q: %s", secret, e.Data)
			}
		}
		// The ticket now has its visit: registering another visit with it is refused.
		_, _, err = l.RegisterVisit(ctx, backend.VisitRequest{IDNumber: registryPeople[2].IDNumber, Phone: "13700001111",
			Relation: backend.RelationSelf, Service: "B", Matter: "B1", TicketID: t1.ID, RequestID: "visit-d-req-1"}, "")
		if backend.ErrorCode(err) != backend.ECONFLICT {
			t.Fatalf("a second visit on the tied ticket: %v", err)
		}
	})

	t.Run("Retry", func(t *testing.T) {
		before := countKind(t, l.DB, backend.KindVisitUpdated)
		v, tied, err := l.TieTicket(ctx, a.ID, backend.VisitTicketRequest{RequestID: "visit-a-req-1", TicketID: t1.ID}, "")
		if err != nil || tied || v.Version != 2 || v.TicketNumber != t1.Number {
			t.Fatalf("a retry: %+v tied=%v %v", v, tied, err)
		}
		if n := countKind(t, l.DB, backend.KindVisitUpdated); n != before {
			t.Fatalf("a retry wrote %d facts", n-before)
		}
	})

	t.Run("Staff", func(t *testing.T) {
		e := register(registryPeople[3], "visit-e-req-1", "")
		t4 := issue("C", "ticket-today-4")
		if _, tied, err := l.TieTicket(ctx, e.ID, backend.VisitTicketRequest{RequestID: "visit-e-req-1", TicketID: t4.ID}, "王芳"); err != nil || !tied {
			t.Fatal(err, tied)
		}
		_, trail, _ := l.Visit(ctx, e.ID)
		if by := trail[len(trail)-1].By; by != "王芳" {
			t.Fatalf("tied by %q, want the staff member", by)
		}
	})

	t.Run("Err", func(t *testing.T) {
		state := func() string {
			t.Helper()
			var versions []string
			for _, id := range []string{oldVisit.ID, a.ID, b.ID, c.ID} {
				v, _, err := l.Visit(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				versions = append(versions, fmt.Sprintf("%d:%s", v.Version, v.TicketNumber))
			}
			return dbState(t, l) + " " + strings.Join(versions, ",")
		}
		before := state()
		for _, tt := range []struct {
			name               string
			id, rid, ticket    string
			code, key, message string
		}{
			{"malformed request id", c.ID, "short", t3.ID, backend.EINVALID, "request_id", ""},
			{"the visit id alone", c.ID, "never-sent-1", t3.ID, backend.ENOTFOUND, "ledger.tie.unknown_visit", ""},
			{"another visit's request id", c.ID, "visit-a-req-1", t3.ID, backend.ENOTFOUND, "ledger.tie.unknown_visit", ""},
			{"a visit that does not exist", "01936b2e-0000-7000-8000-000000000000", "visit-c-req-1", t3.ID, backend.ENOTFOUND, "ledger.tie.unknown_visit", ""},
			{"registered yesterday", oldVisit.ID, "visit-old-req-1", t3.ID, backend.ENOTFOUND, "ledger.tie.unknown_visit", ""},
			{"unknown ticket", c.ID, "visit-c-req-1", "01936b2e-0000-7000-8000-000000000000", backend.ENOTFOUND, "ledger.tie.ticket_not_found", ""},
			{"malformed ticket id", c.ID, "visit-c-req-1", "../../tickets", backend.ENOTFOUND, "ledger.tie.ticket_not_found", ""},
			{"yesterday's ticket", c.ID, "visit-c-req-1", oldTicket.ID, backend.EINVALID, "ledger.tie.ticket_not_today", ""},
			{"ticket registered with another visit", c.ID, "visit-c-req-1", t2.ID, backend.ECONFLICT, "ledger.ticket_used", ""},
			{"ticket tied to another visit", c.ID, "visit-c-req-1", t1.ID, backend.ECONFLICT, "ledger.ticket_used", ""},
			{"visit tied already", a.ID, "visit-a-req-1", t3.ID, backend.ECONFLICT, "ledger.tie.visit_has_ticket", "排队号 " + t1.Number},
			{"visit registered with a ticket", b.ID, "visit-b-req-1", t3.ID, backend.ECONFLICT, "ledger.tie.visit_has_ticket", "排队号 " + t2.Number},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, _, err := l.TieTicket(ctx, tt.id, backend.VisitTicketRequest{RequestID: tt.rid, TicketID: tt.ticket}, "")
				var e *backend.Error
				if !asError(err, &e) || e.Code != tt.code || e.Key != tt.key {
					t.Fatalf("got %v, want %s %s", err, tt.code, tt.key)
				}
				if msg := e.Message("zh-CN"); !strings.Contains(msg, tt.message) || strings.Contains(msg, "%!") {
					t.Fatalf("message %q, want it to say %q", msg, tt.message)
				}
				if after := state(); after != before {
					t.Fatalf("a refused tie changed the ledger: %s → %s", before, after)
				}
			})
		}
	})
}

// TestVisitService_VisitForTicket finds the visit tied to a ticket — registered with
// it or tied afterwards — as staff have edited it, and nothing for a ticket without
// one.
func TestVisitService_VisitForTicket(t *testing.T) {
	ctx := context.Background()
	l := mustLedger(t)
	issue := func(service, rid string) *backend.Ticket {
		t.Helper()
		is, err := l.Tickets.IssueTicket(ctx, backend.IssueRequest{Service: service, RequestID: rid})
		if err != nil {
			t.Fatal(err)
		}
		return is.Ticket
	}
	withTicket, tiedLater, untied := issue("B", "ticket-vft-1"), issue("B", "ticket-vft-2"), issue("A", "ticket-vft-3")
	p := registryPeople
	a, _, err := l.RegisterVisit(ctx, backend.VisitRequest{IDNumber: p[0].IDNumber, Phone: p[0].Phone,
		Relation: backend.RelationSelf, Service: "B", Matter: "B5", TicketID: withTicket.ID, RequestID: "visit-vft-a"}, "")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := l.RegisterVisit(ctx, backend.VisitRequest{IDNumber: p[1].IDNumber, Phone: p[1].Phone,
		Relation: backend.RelationSelf, Service: "B", Matter: "B1", RequestID: "visit-vft-b"}, "")
	if err != nil {
		t.Fatal(err)
	}
	l.kiosk(t, p[2].IDNumber, p[2].Phone, backend.RelationParent, "A1") // no ticket at all

	t.Run("OK", func(t *testing.T) {
		got, err := l.VisitForTicket(ctx, withTicket.ID)
		if err != nil || got == nil || *got != (backend.TicketVisit{ID: a.ID, Serial: a.Serial, Service: "B", Matter: "B5"}) {
			t.Fatalf("registered with the ticket: %+v %v", got, err)
		}
		if got, _ := l.VisitForTicket(ctx, tiedLater.ID); got != nil {
			t.Fatalf("found %+v before the visit was tied", got)
		}
		if _, _, err := l.TieTicket(ctx, b.ID, backend.VisitTicketRequest{RequestID: "visit-vft-b", TicketID: tiedLater.ID}, ""); err != nil {
			t.Fatal(err)
		}
		got, err = l.VisitForTicket(ctx, tiedLater.ID)
		if err != nil || got == nil || got.ID != b.ID || got.Serial != b.Serial || got.Matter != "B1" {
			t.Fatalf("tied afterwards: %+v %v", got, err)
		}
	})

	t.Run("Edited", func(t *testing.T) {
		// Staff corrected what the visit is about: the counter shows the correction.
		l.update(t, a.ID, backend.VisitPatch{Service: ptr("C"), Matter: ptr("C1")}, "王芳")
		got, err := l.VisitForTicket(ctx, withTicket.ID)
		if err != nil || got == nil || got.Service != "C" || got.Matter != "C1" || got.Serial != a.Serial {
			t.Fatalf("after the edit: %+v %v", got, err)
		}
	})

	t.Run("None", func(t *testing.T) {
		before := dbState(t, l)
		for _, id := range []string{untied.ID, "", "01936b2e-0000-7000-8000-000000000000", "../../visits", a.ID} {
			if got, err := l.VisitForTicket(ctx, id); err != nil || got != nil {
				t.Errorf("ticket %q: %+v %v, want none", id, got, err)
			}
		}
		if after := dbState(t, l); after != before {
			t.Fatalf("a lookup changed the database: %s → %s", before, after)
		}
	})
}
