package bolt_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
)

func issue(t *testing.T, s *bolt.TicketService, service string, priority bool, rid string) *backend.Issued {
	t.Helper()
	got, err := s.IssueTicket(context.Background(), backend.IssueRequest{Service: service, Priority: priority, RequestID: rid})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestTicketService_IssueTicket(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		k := MustKeys(t)
		s := bolt.NewTicketService(db, k.Signing, k.PersonKey)
		a := issue(t, s, "B", false, "request-0001")
		b := issue(t, s, "B", false, "request-0002")
		c := issue(t, s, "A", false, "request-0003")
		if a.Ticket.Number != "B001" || b.Ticket.Number != "B002" || c.Ticket.Number != "A001" {
			t.Fatalf("numbers %s %s %s", a.Ticket.Number, b.Ticket.Number, c.Ticket.Number)
		}
		if !a.Created || a.Ahead != 0 || b.Ahead != 1 || c.Ahead != 0 {
			t.Fatalf("ahead %d %d %d", a.Ahead, b.Ahead, c.Ahead)
		}
		if b.EstimatedWait != backend.DefaultServiceTime {
			t.Errorf("estimated wait %v", b.EstimatedWait)
		}
		if a.Ticket.Date != "2026-11-23" || a.Ticket.Status != backend.TicketWaiting {
			t.Errorf("ticket %+v", a.Ticket)
		}
		got, err := backend.VerifyProof(pub(k), a.Ticket.Proof, shanghai)
		if err != nil || got.Number != "B001" || got.Date != "2026-11-23" {
			t.Fatalf("proof %+v %v", got, err)
		}
		q, err := s.Queue(ctx)
		if err != nil || q["B"] != 2 || q["A"] != 1 {
			t.Fatalf("queue %v %v", q, err)
		}
	})

	t.Run("PriorityGoesAhead", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		k := MustKeys(t)
		s := bolt.NewTicketService(db, k.Signing, k.PersonKey)
		issue(t, s, "B", false, "request-0001")
		issue(t, s, "B", false, "request-0002")
		p1 := issue(t, s, "B", true, "request-0003")
		p2 := issue(t, s, "B", true, "request-0004")
		if p1.Ahead != 0 || p2.Ahead != 1 {
			t.Fatalf("priority ahead %d %d", p1.Ahead, p2.Ahead)
		}
		later, err := s.Ticket(ctx, issue(t, s, "B", false, "request-0005").Ticket.ID)
		if err != nil || later.Ahead != 4 {
			t.Fatalf("ordinary ticket ahead %d %v", later.Ahead, err)
		}
		if p1.Ticket.Number != "B003" {
			t.Errorf("priority keeps the service's numbering, got %s", p1.Ticket.Number)
		}
	})

	t.Run("RepeatedRequestSameTicket", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		k := MustKeys(t)
		s := bolt.NewTicketService(db, k.Signing, k.PersonKey)
		a := issue(t, s, "B", false, "double-tap-1")
		again := issue(t, s, "B", false, "double-tap-1")
		if again.Created || again.Ticket.ID != a.Ticket.ID {
			t.Fatalf("repeat gave %+v", again)
		}
		if q, _ := s.Queue(ctx); q["B"] != 1 {
			t.Fatalf("queue %v after a repeated request", q)
		}
		if n := outboxLen(t, db); n != 1 {
			t.Fatalf("outbox has %d entries, want 1", n)
		}
	})

	t.Run("OneOpenTicketPerPerson", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		k := MustKeys(t)
		s := bolt.NewTicketService(db, k.Signing, k.PersonKey)
		req := backend.IssueRequest{Service: "B", RequestID: "person-0001", IDNumber: "11010519491231002x"}
		first, err := s.IssueTicket(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		req.RequestID = "person-0002"
		second, err := s.IssueTicket(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if second.Created || !second.Existing || second.Ticket.ID != first.Ticket.ID {
			t.Fatalf("second ticket for the same person: %+v", second)
		}
		req.Service, req.RequestID = "D", "person-0003"
		other, err := s.IssueTicket(ctx, req)
		if err != nil || !other.Created {
			t.Fatalf("another service must give a new ticket: %+v %v", other, err)
		}
		if first.Ticket.PersonKey == "" || first.Ticket.PersonKey == "11010519491231002X" {
			t.Fatalf("person key %q", first.Ticket.PersonKey)
		}
	})

	t.Run("NumbersRestartEachLocalDay", func(t *testing.T) {
		db, clock := MustOpenDB(t)
		k := MustKeys(t)
		s := bolt.NewTicketService(db, k.Signing, k.PersonKey)
		setTime(clock, time.Date(2026, 11, 23, 23, 59, 59, 0, shanghai))
		issue(t, s, "B", false, "day-one-0001")
		issue(t, s, "B", false, "day-one-0002")
		// 00:00:01 in Shanghai is still the 23rd in UTC: the station's midnight counts.
		setTime(clock, time.Date(2026, 11, 24, 0, 0, 1, 0, shanghai))
		next := issue(t, s, "B", false, "day-two-0001")
		if next.Ticket.Number != "B001" || next.Ticket.Date != "2026-11-24" || next.Ahead != 0 {
			t.Fatalf("after midnight: %s %s ahead %d", next.Ticket.Number, next.Ticket.Date, next.Ahead)
		}
		if q, _ := s.Queue(ctx); q["B"] != 1 {
			t.Fatalf("today's queue %v", q)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		k := MustKeys(t)
		s := bolt.NewTicketService(db, k.Signing, k.PersonKey)
		for _, req := range []backend.IssueRequest{
			{Service: "B", RequestID: "short"},
			{Service: "B", RequestID: "has space in it"},
			{Service: "I", RequestID: "request-0001"},
			{Service: "BB", RequestID: "request-0001"},
			{Service: "B", RequestID: "request-0001", IDNumber: "11010519491231003X"},
		} {
			if _, err := s.IssueTicket(ctx, req); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("%+v: err %v", req, err)
			}
		}
		if _, err := s.IssueTicket(ctx, backend.IssueRequest{Service: "Z", RequestID: "request-0002"}); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("unknown service: %v", err)
		}
		if n := outboxLen(t, db); n != 0 {
			t.Fatalf("bad requests wrote %d outbox entries", n)
		}
	})

	t.Run("ErrDayFull", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		k := MustKeys(t)
		s := bolt.NewTicketService(db, k.Signing, k.PersonKey)
		for i := 1; i <= backend.MaxDailyNumber; i++ {
			issue(t, s, "H", false, fmt.Sprintf("full-%06d", i))
		}
		_, err := s.IssueTicket(ctx, backend.IssueRequest{Service: "H", RequestID: "full-overflow"})
		if backend.ErrorCode(err) != backend.ECONFLICT {
			t.Fatalf("ticket 1000: %v", err)
		}
	})

	t.Run("SurvivesReopen", func(t *testing.T) {
		dir := t.TempDir()
		k := MustKeys(t)
		db, _ := MustOpenDBAt(t, dir)
		a := issue(t, bolt.NewTicketService(db, k.Signing, k.PersonKey), "B", false, "reopen-0001")
		db.Close()
		db2, _ := MustOpenDBAt(t, dir)
		s2 := bolt.NewTicketService(db2, k.Signing, k.PersonKey)
		got, err := s2.Ticket(ctx, a.Ticket.ID)
		if err != nil || got.Ticket.Number != "B001" {
			t.Fatalf("after reopen: %+v %v", got, err)
		}
		if b := issue(t, s2, "B", false, "reopen-0002"); b.Ticket.Number != "B002" {
			t.Fatalf("numbering after reopen: %s", b.Ticket.Number)
		}
	})
}

func outboxLen(t *testing.T, db *bolt.DB) int {
	t.Helper()
	entries, err := db.OutboxEntries(context.Background(), 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func TestTicketService_Outbox(t *testing.T) {
	db, _ := MustOpenDB(t)
	k := MustKeys(t)
	s := bolt.NewTicketService(db, k.Signing, k.PersonKey)
	_, err := s.IssueTicket(context.Background(), backend.IssueRequest{Service: "B", RequestID: "outbox-0001", IDNumber: "11010519491231002X"})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := db.OutboxEntries(context.Background(), 0, 10)
	if err != nil || len(entries) != 1 {
		t.Fatalf("%v %v", entries, err)
	}
	e := entries[0]
	if e.Seq != 1 || e.Kind != backend.KindTicketIssued || e.ID == "" || e.StationID != backend.StationID(k.Public()) {
		t.Fatalf("entry %+v", e)
	}
	if s := string(e.Data); strings.Contains(s, "person") || strings.Contains(s, "1101051949") {
		t.Fatalf("outbox carries personal data: %s", s)
	}
}
