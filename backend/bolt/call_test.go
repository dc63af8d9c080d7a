package bolt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"

	"github.com/jonboulle/clockwork"
)

// station is a database with the services that call tickets, as main wires them.
type station struct {
	db       *bolt.DB
	clock    *clockwork.FakeClock
	tickets  *bolt.TicketService
	calls    *bolt.CallService
	counters *bolt.CounterService
	events   *eventLog
}

// eventLog records published events.
type eventLog struct {
	mu sync.Mutex
	e  []backend.Event
}

func (l *eventLog) add(e backend.Event) { l.mu.Lock(); l.e = append(l.e, e); l.mu.Unlock() }

func (l *eventLog) last(kind string) *backend.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.e) - 1; i >= 0; i-- {
		if l.e[i].Kind == kind {
			return &l.e[i]
		}
	}
	return nil
}

func mustStation(tb testing.TB) *station {
	tb.Helper()
	db, clock := MustOpenDB(tb)
	k := MustKeys(tb)
	st := &station{db: db, clock: clock, events: &eventLog{},
		tickets:  bolt.NewTicketService(db, k.Signing, k.PersonKey),
		calls:    bolt.NewCallService(db, backend.StationID(k.Public())),
		counters: bolt.NewCounterService(db),
	}
	st.calls.Publish = st.events.add
	st.tickets.Publish = st.events.add
	if err := st.calls.Init(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return st
}

func (st *station) issue(tb testing.TB, service string, priority bool) *backend.Ticket {
	tb.Helper()
	st.clock.Advance(time.Second)
	rid := fmt.Sprintf("req-%s-%d", service, st.clock.Now().UnixNano())
	got, err := st.tickets.IssueTicket(context.Background(), backend.IssueRequest{Service: service, Priority: priority, RequestID: rid})
	if err != nil {
		tb.Fatal(err)
	}
	return got.Ticket
}

func (st *station) act(tb testing.TB, id string, a backend.Act) *backend.Ticket {
	tb.Helper()
	st.clock.Advance(time.Minute)
	if a.By == "" {
		a.By = "王芳"
	}
	got, err := st.calls.Act(context.Background(), id, a)
	if err != nil {
		tb.Fatalf("%s: %v", a.Action, err)
	}
	return got
}

func (st *station) next(tb testing.TB, counter int) *backend.Ticket {
	tb.Helper()
	st.clock.Advance(time.Minute)
	got, err := st.calls.CallNext(context.Background(), counter, "王芳")
	if err != nil {
		tb.Fatalf("call next at %d: %v", counter, err)
	}
	return got
}

func TestCallService_CallNext(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		st := mustStation(t)
		if _, err := st.counters.PutCounter(ctx, backend.Counter{Number: 2, Services: []string{"D"}}); err != nil {
			t.Fatal(err)
		}
		b1 := st.issue(t, "B", false)
		a1 := st.issue(t, "A", false)
		d1 := st.issue(t, "D", false)
		bp := st.issue(t, "B", true)
		b3 := st.issue(t, "B", false)

		// Counter 1 serves every service: priority first, then arrival across services.
		for i, want := range []*backend.Ticket{bp, b1, a1, d1, b3} {
			got := st.next(t, 1)
			if got.ID != want.ID || got.Status != backend.TicketCalled || got.Counter != 1 {
				t.Fatalf("call %d: got %s (%s), want %s", i, got.Number, got.Status, want.Number)
			}
			st.act(t, got.ID, backend.Act{Action: backend.ActFinish})
		}
		if _, err := st.calls.CallNext(ctx, 2, "王芳"); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Fatalf("empty queue: %v", err)
		}
		if q, _ := st.tickets.Queue(ctx); len(q) != 0 {
			t.Fatalf("queue after serving everyone: %v", q)
		}
	})

	t.Run("OnlyServedServices", func(t *testing.T) {
		st := mustStation(t)
		st.counters.PutCounter(ctx, backend.Counter{Number: 2, Services: []string{"D"}})
		st.issue(t, "B", true)
		d := st.issue(t, "D", false)
		if got := st.next(t, 2); got.ID != d.ID {
			t.Fatalf("counter 2 (D only) called %s", got.Number)
		}
		_, err := st.calls.CallNext(ctx, 2, "王芳")
		if backend.ErrorCode(err) != backend.ECONFLICT {
			t.Fatalf("calling while D001 is at the counter: %v", err)
		}
	})

	t.Run("ErrBusy", func(t *testing.T) {
		st := mustStation(t)
		st.issue(t, "B", false)
		st.issue(t, "B", false)
		first := st.next(t, 1)
		_, err := st.calls.CallNext(ctx, 1, "王芳")
		if backend.ErrorCode(err) != backend.ECONFLICT || !strings.Contains(err.Error(), first.Number) {
			t.Fatalf("second call with %s still at the counter: %v", first.Number, err)
		}
		st.act(t, first.ID, backend.Act{Action: backend.ActHold})
		if got := st.next(t, 1); got.Number != "B002" {
			t.Fatalf("after hold the counter calls the next: %s", got.Number)
		}
	})

	t.Run("ErrNoCounter", func(t *testing.T) {
		st := mustStation(t)
		st.issue(t, "B", false)
		for _, n := range []int{0, 3, 100} {
			if _, err := st.calls.CallNext(ctx, n, "王芳"); backend.ErrorCode(err) != backend.ENOTFOUND {
				t.Errorf("counter %d: %v", n, err)
			}
		}
	})
}

func TestCallService_Act(t *testing.T) {
	ctx := context.Background()

	t.Run("FullDay", func(t *testing.T) {
		st := mustStation(t)
		tk := st.issue(t, "B", false)
		issued := st.clock.Now()
		tk = st.act(t, tk.ID, backend.Act{Action: backend.ActCall, Counter: 2})
		called := st.clock.Now()
		tk = st.act(t, tk.ID, backend.Act{Action: backend.ActRecall})
		tk = st.act(t, tk.ID, backend.Act{Action: backend.ActStart, By: "李强"})
		started := st.clock.Now()
		tk = st.act(t, tk.ID, backend.Act{Action: backend.ActHold})
		tk = st.act(t, tk.ID, backend.Act{Action: backend.ActResume})
		st.clock.Advance(7 * time.Minute)
		tk = st.act(t, tk.ID, backend.Act{Action: backend.ActFinish, Outcome: "已受理，30 个工作日内通知"})
		if tk.Status != backend.TicketDone || !tk.IssuedAt.Equal(issued.Truncate(time.Second)) || !tk.CalledAt.Equal(called) ||
			!tk.StartedAt.Equal(started) || !tk.EndedAt.Equal(st.clock.Now()) || tk.Outcome == "" {
			t.Fatalf("ticket %+v", tk)
		}
		// Every action is in the outbox, attributed, without the outcome note.
		entries, _ := st.db.OutboxEntries(ctx, 0, 100)
		var kinds []string
		for _, e := range entries {
			kinds = append(kinds, e.Kind)
			if strings.Contains(string(e.Data), "已受理") {
				t.Fatalf("outcome note in the outbox: %s", e.Data)
			}
		}
		want := []string{"ticket.issued", "ticket.call", "ticket.recall", "ticket.start", "ticket.hold", "ticket.resume", "ticket.finish"}
		if !slices.Equal(kinds, want) {
			t.Fatalf("outbox %v", kinds)
		}
		var fact backend.ActionFact
		json.Unmarshal(entries[3].Data, &fact)
		if fact.By != "李强" || fact.Counter != 2 || fact.Status != backend.TicketServing || fact.StartedAt.IsZero() {
			t.Fatalf("start fact %+v", fact)
		}
		// The measured service time (2 min resume + 7 min) moves the estimate.
		svc, _ := bolt.NewServiceService(st.db).Service(ctx, "B")
		if svc.AvgServiceS == 300 {
			t.Fatalf("service time estimate unchanged")
		}
	})

	t.Run("TransferKeepsPlace", func(t *testing.T) {
		st := mustStation(t)
		b1 := st.issue(t, "B", false)
		d1 := st.issue(t, "D", false)
		d2 := st.issue(t, "D", false)
		st.act(t, b1.ID, backend.Act{Action: backend.ActCall, Counter: 1})
		moved := st.act(t, b1.ID, backend.Act{Action: backend.ActTransfer, Service: "D"})
		if moved.Service != "D" || moved.Origin != "B" || moved.Number != "B001" || moved.Status != backend.TicketWaiting {
			t.Fatalf("moved %+v", moved)
		}
		is, _ := st.tickets.Ticket(ctx, b1.ID)
		if is.Ahead != 0 {
			t.Fatalf("transferred ticket has %d ahead; it arrived first", is.Ahead)
		}
		if q, _ := st.tickets.Queue(ctx); q["D"] != 3 || q["B"] != 0 {
			t.Fatalf("queue %v", q)
		}
		for _, want := range []string{b1.ID, d1.ID, d2.ID} {
			got := st.next(t, 2)
			if got.ID != want {
				t.Fatalf("got %s", got.Number)
			}
			st.act(t, got.ID, backend.Act{Action: backend.ActNoShow})
		}
	})

	t.Run("PersonMayReturnAfterFinish", func(t *testing.T) {
		st := mustStation(t)
		req := backend.IssueRequest{Service: "B", RequestID: "person-0001", IDNumber: "11010519491231002X"}
		first, err := st.tickets.IssueTicket(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		st.next(t, 1)
		st.act(t, first.Ticket.ID, backend.Act{Action: backend.ActFinish})
		req.RequestID = "person-0002"
		again, err := st.tickets.IssueTicket(ctx, req)
		if err != nil || !again.Created || again.Ticket.ID == first.Ticket.ID {
			t.Fatalf("after finishing, the person gets a new ticket: %+v %v", again, err)
		}
	})

	t.Run("NoShowCalledAgain", func(t *testing.T) {
		st := mustStation(t)
		tk := st.issue(t, "B", false)
		st.next(t, 1)
		st.act(t, tk.ID, backend.Act{Action: backend.ActNoShow})
		got := st.act(t, tk.ID, backend.Act{Action: backend.ActCall, Counter: 2})
		if got.Status != backend.TicketCalled || got.Counter != 2 || !got.EndedAt.IsZero() {
			t.Fatalf("late arrival %+v", got)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		st := mustStation(t)
		a := st.issue(t, "B", false)
		b := st.issue(t, "B", false)
		st.act(t, a.ID, backend.Act{Action: backend.ActCall, Counter: 1})
		for _, tc := range []struct {
			id string
			a  backend.Act
		}{
			{a.ID, backend.Act{Action: backend.ActCall, Counter: 2}}, // already called
			{b.ID, backend.Act{Action: backend.ActCall, Counter: 1}}, // counter 1 is busy
			{b.ID, backend.Act{Action: backend.ActStart}},            // not called
			{b.ID, backend.Act{Action: backend.ActRecall}},           // not called
			{a.ID, backend.Act{Action: backend.ActResume}},           // not held
		} {
			if _, err := st.calls.Act(ctx, tc.id, tc.a); backend.ErrorCode(err) != backend.ECONFLICT {
				t.Errorf("%s: %v", tc.a.Action, err)
			}
		}
		st.act(t, a.ID, backend.Act{Action: backend.ActHold})
		st.act(t, b.ID, backend.Act{Action: backend.ActCall, Counter: 1})
		if _, err := st.calls.Act(ctx, a.ID, backend.Act{Action: backend.ActResume}); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Errorf("resume to a busy counter: %v", err)
		}
		if got := st.act(t, a.ID, backend.Act{Action: backend.ActResume, Counter: 2}); got.Counter != 2 || got.Status != backend.TicketCalled {
			t.Errorf("resume at counter 2: %+v", got)
		}
		if _, err := st.calls.Act(ctx, "nope", backend.Act{Action: backend.ActStart}); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("unknown ticket: %v", err)
		}
		if _, err := st.calls.Act(ctx, b.ID, backend.Act{Action: backend.ActExpire}); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("staff may not expire: %v", err)
		}
		if _, err := st.calls.Act(ctx, b.ID, backend.Act{Action: backend.ActTransfer, Service: "Z"}); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("transfer to a service the station lacks: %v", err)
		}
	})
}

// TestCallService_Concurrent has many counters call and finish at once; run with
// -race. No ticket may be called twice and none may be left behind.
func TestCallService_Concurrent(t *testing.T) {
	ctx := context.Background()
	st := mustStation(t)
	setTime(st.clock, time.Date(2026, 11, 23, 9, 0, 0, 0, shanghai))
	const counters, tickets = 8, 240
	for n := 1; n <= counters; n++ {
		if _, err := st.counters.PutCounter(ctx, backend.Counter{Number: n, Services: []string{"A", "B", "D"}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < tickets; i++ {
		st.issue(t, string("ABD"[i%3]), i%7 == 0)
	}
	setTime(st.clock, time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)) // fixed while the counters race
	var mu sync.Mutex
	called := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, counters)
	for n := 1; n <= counters; n++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				tk, err := st.calls.CallNext(ctx, n, fmt.Sprintf("staff-%d", n))
				if backend.ErrorCode(err) == backend.ENOTFOUND {
					return
				} else if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				called[tk.ID]++
				mu.Unlock()
				if _, err := st.calls.Act(ctx, tk.ID, backend.Act{Action: backend.ActFinish, By: "x"}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(called) != tickets {
		t.Fatalf("%d tickets called, want %d", len(called), tickets)
	}
	for id, n := range called {
		if n != 1 {
			t.Fatalf("ticket %s called %d times", id, n)
		}
	}
}

func TestCallService_ExpireOld(t *testing.T) {
	ctx := context.Background()
	st := mustStation(t)
	setTime(st.clock, time.Date(2026, 11, 23, 16, 0, 0, 0, shanghai))
	waiting := st.issue(t, "B", false)
	serving := st.issue(t, "A", false)
	held := st.issue(t, "B", false)
	done := st.issue(t, "B", false)
	st.act(t, serving.ID, backend.Act{Action: backend.ActCall, Counter: 1})
	st.act(t, serving.ID, backend.Act{Action: backend.ActStart})
	st.act(t, held.ID, backend.Act{Action: backend.ActCall, Counter: 2})
	st.act(t, held.ID, backend.Act{Action: backend.ActHold})
	st.act(t, done.ID, backend.Act{Action: backend.ActCall, Counter: 2})
	st.act(t, done.ID, backend.Act{Action: backend.ActFinish})

	if n, err := st.calls.ExpireOld(ctx); err != nil || n != 0 {
		t.Fatalf("same day: expired %d, %v", n, err)
	}
	// 00:00:30 the next day, station time.
	setTime(st.clock, time.Date(2026, 11, 24, 0, 0, 30, 0, shanghai))
	if _, err := st.calls.Act(ctx, waiting.ID, backend.Act{Action: backend.ActCall, Counter: 2}); backend.ErrorCode(err) != backend.ECONFLICT {
		t.Fatalf("calling yesterday's ticket: %v", err)
	}
	n, err := st.calls.ExpireOld(ctx)
	if err != nil || n != 3 {
		t.Fatalf("expired %d, %v; want 3", n, err)
	}
	for _, id := range []string{waiting.ID, serving.ID, held.ID} {
		is, _ := st.tickets.Ticket(ctx, id)
		if is.Ticket.Status != backend.TicketExpired || !is.Ticket.EndedAt.Equal(st.clock.Now()) {
			t.Errorf("%s: %s", is.Ticket.Number, is.Ticket.Status)
		}
	}
	if is, _ := st.tickets.Ticket(ctx, done.ID); is.Ticket.Status != backend.TicketDone {
		t.Errorf("a finished ticket changed: %s", is.Ticket.Status)
	}
	// Counter 1 is free again for the new day, and nothing is left to expire.
	fresh := st.issue(t, "A", false)
	if got := st.next(t, 1); got.ID != fresh.ID {
		t.Fatalf("new day's first call: %s", got.Number)
	}
	if n, _ := st.calls.ExpireOld(ctx); n != 0 {
		t.Fatalf("second roll-over expired %d", n)
	}
	if st.events.last(backend.EventReset) == nil {
		t.Fatal("no reset event for the board")
	}
}

// A ticket's person key serves only its own day: after the roll-over no ticket of an
// earlier day can be tied to the person who took it, and the person may take a new one.
// TestCallService_RunRollover: the loop looks every ten minutes and expires the day's
// open tickets once the clock has passed the station's midnight, not before.
func TestCallService_RunRollover(t *testing.T) {
	ctx := context.Background()
	st := mustStation(t)
	setTime(st.clock, time.Date(2026, 11, 23, 23, 45, 0, 0, shanghai))
	waiting := st.issue(t, "B", false)
	runLoop(t, st.calls.RunRollover)
	waitTimers(t, st.clock, 1)
	st.clock.Advance(10 * time.Minute) // 23:55: the same day
	waitTimers(t, st.clock, 1)
	if is, _ := st.tickets.Ticket(ctx, waiting.ID); is.Ticket.Status != backend.TicketWaiting {
		t.Fatalf("before midnight: %s", is.Ticket.Status)
	}
	st.clock.Advance(10 * time.Minute) // 00:05 the next day
	waitTimers(t, st.clock, 1)
	if is, _ := st.tickets.Ticket(ctx, waiting.ID); is.Ticket.Status != backend.TicketExpired {
		t.Fatalf("after midnight: %s", is.Ticket.Status)
	}
	if st.events.last(backend.EventReset) == nil {
		t.Fatal("no reset event for the board")
	}
}

func TestCallService_ExpireOld_ForgetsPersons(t *testing.T) {
	ctx := context.Background()
	st := mustStation(t)
	issue := func(rid, service string) *backend.Ticket {
		t.Helper()
		st.clock.Advance(time.Minute)
		got, err := st.tickets.IssueTicket(ctx, backend.IssueRequest{Service: service, RequestID: rid, IDNumber: "11010519491231002X"})
		if err != nil {
			t.Fatal(err)
		}
		return got.Ticket
	}
	done, open := issue("person-0001", "A"), issue("person-0002", "B")
	st.act(t, done.ID, backend.Act{Action: backend.ActCall, Counter: 1})
	st.act(t, done.ID, backend.Act{Action: backend.ActFinish})
	if done.PersonKey == "" || open.PersonKey == "" {
		t.Fatal("tickets issued with an ID number carry no person key")
	}

	setTime(st.clock, time.Date(2026, 11, 24, 0, 0, 30, 0, shanghai))
	if _, err := st.calls.ExpireOld(ctx); err != nil {
		t.Fatal(err)
	}
	today := issue("person-0003", "B")
	for _, tk := range []*backend.Ticket{done, open} {
		is, err := st.tickets.Ticket(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if is.Ticket.PersonKey != "" {
			t.Errorf("%s (%s) still carries the person key after the roll-over", is.Ticket.Number, is.Ticket.Status)
		}
	}
	if today.ID == open.ID || today.PersonKey == "" {
		t.Errorf("the new day's ticket: %s, person key %q", today.Number, today.PersonKey)
	}
	// Asking again the same day still finds the open ticket by the person key.
	again, err := st.tickets.IssueTicket(ctx, backend.IssueRequest{Service: "B", RequestID: "person-0004", IDNumber: "11010519491231002X"})
	if err != nil || again.Ticket.ID != today.ID {
		t.Fatalf("second request the same day: %v, %v", again, err)
	}
}

func TestCallService_BoardAndWaiting(t *testing.T) {
	ctx := context.Background()
	st := mustStation(t)
	b1 := st.issue(t, "B", false)
	st.issue(t, "B", false)
	a1 := st.issue(t, "A", true)
	st.next(t, 1) // A001 (priority)
	called := st.next(t, 2)
	if called.ID != b1.ID {
		t.Fatalf("counter 2 called %s", called.Number)
	}
	call := st.events.last(backend.EventCall)
	if call == nil {
		t.Fatal("no call event")
	}
	c := call.Data.(backend.Call)
	if c.Number != "B001" || c.Counter != 2 || c.TextZH != "请 B001 号到 2 号窗口办理" || len(c.Clips) == 0 || call.Staff {
		t.Fatalf("call event %+v", c)
	}
	st.act(t, a1.ID, backend.Act{Action: backend.ActStart})

	board, err := st.calls.Board(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(board.Counters) != 2 || board.Counters[0].Current == nil || board.Counters[0].Current.Number != "A001" ||
		board.Counters[0].Current.Status != "serving" || board.Counters[1].Current.Number != "B001" {
		t.Fatalf("board counters %+v", board.Counters)
	}
	if len(board.Recent) != 2 || board.Recent[0].Number != "B001" {
		t.Fatalf("recent %+v", board.Recent)
	}
	for _, w := range board.Waiting {
		if (w.Letter == "B") != (w.Waiting == 1) || w.Waiting > 1 {
			t.Fatalf("waiting %+v", board.Waiting)
		}
	}
	buf, _ := json.Marshal(board)
	if strings.Contains(string(buf), b1.ID) || strings.Contains(string(buf), "person") {
		t.Fatalf("board shows more than display numbers: %s", buf)
	}

	wl, err := st.calls.Waiting(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(wl.Active) != 2 || len(wl.Services) != 9 || len(wl.Services[1].Tickets) != 1 || wl.Services[1].Tickets[0].Number != "B002" {
		t.Fatalf("waiting list %+v", wl)
	}
	if q := st.events.last(backend.EventQueue).Data.(backend.QueueCounts); q.Waiting["B"] != 1 || q.Waiting["A"] != 0 {
		t.Fatalf("queue event %+v", q)
	}
}

func TestTicketService_CountersServing(t *testing.T) {
	ctx := context.Background()
	st := mustStation(t)
	st.issue(t, "E", false)
	st.issue(t, "E", false)
	is, _ := st.tickets.Ticket(ctx, st.issue(t, "E", false).ID)
	// Two default counters serve E: two people ahead, two counters, one service time.
	if is.Ahead != 2 || is.EstimatedWait != backend.DefaultServiceTime {
		t.Fatalf("ahead %d, wait %v", is.Ahead, is.EstimatedWait)
	}
}
