package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"maps"
	"slices"
	"sort"
	"time"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// Indexes kept beside the tickets for calling and the day's end:
//
//	waitcount: date|letter → waiting tickets (8 bytes), so counts cost no scan
//	days:      date|arrival → id, every ticket of a day in issue order
//	live:      date|arrival → id, the open tickets (waiting, called, serving, held)
var (
	bucketWaitCount = newBucket("waitcount")
	bucketDays      = newBucket("days")
	bucketLive      = newBucket("live")
)

// CallService calls and serves tickets at counters. Every action is one Update that
// moves the ticket between the indexes, marks the counter, and appends the outbox
// entry; bbolt runs one Update at a time, so two counters calling at once see each
// other's result and never get the same ticket.
type CallService struct {
	db        *DB
	stationID string
	// Publish, if set, receives the events of each action after it is committed.
	Publish func(backend.Event)
}

// NewCallService returns a CallService on db for the station stationID.
func NewCallService(db *DB, stationID string) *CallService {
	return &CallService{db: db, stationID: stationID}
}

// Init readies the database for calling: it gives a station without counters the
// default two, rebuilds the waiting counts and day indexes of a database written
// before they existed, and expires tickets left open from earlier days.
func (s *CallService) Init(ctx context.Context) error {
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		if err := seedCounters(tx); err != nil {
			return err
		}
		return rebuildIndexes(tx)
	})
	if err != nil {
		return err
	}
	_, err = s.ExpireOld(ctx)
	return err
}

// rebuildIndexes recounts waitcount from waiting, and fills days and live from the
// tickets when days is empty (a database from before calling existed).
func rebuildIndexes(tx *bolt.Tx) error {
	if err := tx.DeleteBucket(bucketWaitCount); err != nil {
		return err
	}
	wc, err := tx.CreateBucket(bucketWaitCount)
	if err != nil {
		return err
	}
	counts := map[string]uint64{}
	tx.Bucket(bucketWaiting).ForEach(func(k, _ []byte) error {
		if len(k) >= 11 {
			counts[string(k[:11])]++
		}
		return nil
	})
	for k, n := range counts {
		if err := wc.Put([]byte(k), itob(n)); err != nil {
			return err
		}
	}
	if k, _ := tx.Bucket(bucketDays).Cursor().First(); k != nil {
		return nil
	}
	return tx.Bucket(bucketTickets).ForEach(func(k, v []byte) error {
		var t backend.Ticket
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		if err := tx.Bucket(bucketDays).Put(dayKey(&t), k); err != nil {
			return err
		}
		if t.Status.Open() {
			return tx.Bucket(bucketLive).Put(dayKey(&t), k)
		}
		return nil
	})
}

// CallNext calls the next ticket for counter n: priority first, then the earliest
// arrival, across the services the counter serves. Each service's waiting keys are
// already in that order, so the heads of its queues are all it needs to look at.
func (s *CallService) CallNext(ctx context.Context, n int, by string) (*backend.Ticket, error) {
	now := s.now()
	var out *backend.Ticket
	var events []backend.Event
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		c, err := getCounter(tx, n)
		if err != nil {
			return err
		}
		date := now.Format("2006-01-02")
		var heads []backend.QueueHead
		var ids [][]byte
		cur := tx.Bucket(bucketWaiting).Cursor()
		for _, l := range c.Services {
			prefix := append([]byte(date), l...)
			k, v := cur.Seek(prefix)
			if k == nil || !bytes.HasPrefix(k, prefix) || len(k) != 20 {
				continue
			}
			heads = append(heads, backend.QueueHead{Service: l, Priority: k[11] == 0, Arrival: binary.BigEndian.Uint64(k[12:])})
			ids = append(ids, slices.Clone(v))
		}
		i := backend.NextInLine(heads)
		if i < 0 {
			if t := busyWith(tx, c, date); t != nil {
				return backend.Errorf(backend.ECONFLICT, "counter.busy", n, t.Number)
			}
			return backend.Errorf(backend.ENOTFOUND, "call.empty", n)
		}
		t, err := getTicket(tx, string(ids[i]))
		if err != nil {
			return err
		}
		events, err = s.apply(tx, t, backend.Act{Action: backend.ActCall, Counter: n, By: by, At: now})
		out = t
		return err
	})
	if err != nil {
		return nil, err
	}
	s.publish(events)
	return out, nil
}

// Act does one action on a ticket of today.
func (s *CallService) Act(ctx context.Context, id string, a backend.Act) (*backend.Ticket, error) {
	if !backend.ValidAction(a.Action) {
		return nil, backend.Errorf(backend.EINVALID, "call.action", string(a.Action))
	}
	a.At = s.now()
	var out *backend.Ticket
	var events []backend.Event
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		t, err := getTicket(tx, id)
		if err != nil {
			return err
		}
		if t.Date != a.At.Format("2006-01-02") {
			return backend.Errorf(backend.ECONFLICT, "call.past_day", t.Number)
		}
		if a.Action == backend.ActTransfer && backend.ValidServiceLetter(a.Service) {
			if _, err := findService(tx, a.Service); err != nil {
				return err
			}
		}
		events, err = s.apply(tx, t, a)
		out = t
		return err
	})
	if err != nil {
		return nil, err
	}
	s.publish(events)
	return out, nil
}

// ExpireOld closes every ticket left open from an earlier day, one outbox entry each,
// frees the counters they held, and forgets who earlier days' tickets were for.
func (s *CallService) ExpireOld(ctx context.Context) (int, error) {
	now := s.now()
	today := []byte(now.Format("2006-01-02"))
	n := 0
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		n = 0
		var ids []string
		c := tx.Bucket(bucketLive).Cursor()
		for k, v := c.First(); k != nil && bytes.Compare(k[:10], today) < 0; k, v = c.Next() {
			ids = append(ids, string(v))
		}
		for _, id := range ids {
			t, err := getTicket(tx, id)
			if err != nil {
				return err
			}
			if _, err := s.apply(tx, t, backend.Act{Action: backend.ActExpire, By: "system", At: now}); err != nil {
				return err
			}
			n++
		}
		return forgetPersons(tx, today)
	})
	if err == nil && n > 0 {
		s.publish([]backend.Event{{Kind: backend.EventReset}})
	}
	return n, err
}

// keyPersonsForgotten is the first day whose tickets may still hold person keys.
var keyPersonsForgotten = []byte("persons_forgotten_from")

// forgetPersons drops the person key from every ticket of the days before today.
// The key only serves "one open ticket per person and service" on the ticket's own
// day; kept longer, it would tie a person to their visits for as long as tickets are
// kept, and a data-key rotation could not re-key it (the ID number is not stored).
func forgetPersons(tx *bolt.Tx, today []byte) error {
	meta := tx.Bucket(bucketMeta)
	from := meta.Get(keyPersonsForgotten)
	if bytes.Compare(from, today) >= 0 {
		return nil
	}
	tickets := tx.Bucket(bucketTickets)
	c := tx.Bucket(bucketDays).Cursor()
	var ids [][]byte
	k, v := c.First()
	if from != nil {
		k, v = c.Seek(from)
	}
	for ; k != nil && bytes.Compare(k[:10], today) < 0; k, v = c.Next() {
		ids = append(ids, slices.Clone(v))
	}
	for _, id := range ids {
		t, err := getTicket(tx, string(id))
		if err != nil {
			return err
		}
		if t.PersonKey == "" {
			continue
		}
		t.PersonKey = ""
		if err := putJSON(tickets, id, t); err != nil {
			return err
		}
	}
	return meta.Put(keyPersonsForgotten, slices.Clone(today))
}

// RunRollover expires the day's open tickets after each local midnight until ctx
// ends. It looks at least every ten minutes, so a clock change or a suspended PC
// delays the roll-over by minutes, not a day.
func (s *CallService) RunRollover(ctx context.Context) {
	day := s.now().Format("2006-01-02")
	for {
		now := s.now()
		midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 1, 0, now.Location())
		t := time.NewTimer(min(midnight.Sub(now), 10*time.Minute))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if d := s.now().Format("2006-01-02"); d != day {
			if _, err := s.ExpireOld(ctx); err != nil {
				s.db.Logger.Error("day roll-over", "err", err)
				continue
			}
			day = d
		}
	}
}

func (s *CallService) now() time.Time { return s.db.Now().In(s.db.Location) }

func (s *CallService) publish(events []backend.Event) {
	if s.Publish == nil {
		return
	}
	for _, e := range events {
		s.Publish(e)
	}
}

// apply carries out a on t inside tx: the state rule, then every index the change
// touches, the counters, the service-time estimate, the ticket and its outbox entry.
// It returns the events to publish once the transaction has committed.
func (s *CallService) apply(tx *bolt.Tx, t *backend.Ticket, a backend.Act) ([]backend.Event, error) {
	before := *t
	if err := t.Apply(a); err != nil {
		return nil, err
	}
	today := a.At.Format("2006-01-02")

	// The waiting index: out when called, back in (maybe another queue) on transfer.
	wasWaiting, isWaiting := before.Status == backend.TicketWaiting, t.Status == backend.TicketWaiting
	if wasWaiting && (!isWaiting || before.Service != t.Service) {
		if err := removeWaiting(tx, &before); err != nil {
			return nil, err
		}
	}
	if isWaiting && (!wasWaiting || before.Service != t.Service) {
		if err := addWaiting(tx, t); err != nil {
			return nil, err
		}
	}

	// Counters: one ticket at a time each. changed holds the counters touched, read
	// once (nil for one that is gone), for the board's events below.
	changed := map[int]*backend.Counter{}
	if before.AtCounter() && (!t.AtCounter() || t.Counter != before.Counter) {
		c, err := getCounter(tx, before.Counter)
		if err == nil && c.Ticket == t.ID {
			c.Ticket = ""
			if err := putJSON(tx.Bucket(bucketCounters), itob(uint64(c.Number)), c); err != nil {
				return nil, err
			}
		}
		changed[before.Counter] = c
	}
	if t.AtCounter() {
		c, err := getCounter(tx, t.Counter)
		if err != nil {
			return nil, err
		}
		if c.Ticket != t.ID {
			if busy := busyWith(tx, c, today); busy != nil {
				return nil, backend.Errorf(backend.ECONFLICT, "counter.busy", c.Number, busy.Number)
			}
			c.Ticket = t.ID
			if err := putJSON(tx.Bucket(bucketCounters), itob(uint64(c.Number)), c); err != nil {
				return nil, err
			}
		}
		changed[t.Counter] = c
	}

	// One open ticket per person and service, and the live index of open tickets.
	openOld := join([]byte(before.Date), []byte(before.PersonKey), []byte(before.Service))
	openNew := join([]byte(t.Date), []byte(t.PersonKey), []byte(t.Service))
	lb, ob := tx.Bucket(bucketLive), tx.Bucket(bucketOpen)
	switch {
	case before.Status.Open() && !t.Status.Open():
		if err := lb.Delete(dayKey(t)); err != nil {
			return nil, err
		}
		if t.PersonKey != "" && string(ob.Get(openOld)) == t.ID {
			if err := ob.Delete(openOld); err != nil {
				return nil, err
			}
		}
	case !before.Status.Open() && t.Status.Open(): // a no-show who turned up after all
		if err := lb.Put(dayKey(t), []byte(t.ID)); err != nil {
			return nil, err
		}
		if t.PersonKey != "" && ob.Get(openNew) == nil {
			if err := ob.Put(openNew, []byte(t.ID)); err != nil {
				return nil, err
			}
		}
	case t.PersonKey != "" && before.Service != t.Service:
		if ob.Get(openNew) != nil {
			return nil, backend.Errorf(backend.ECONFLICT, "call.person_open")
		}
		if string(ob.Get(openOld)) == t.ID {
			if err := ob.Delete(openOld); err != nil {
				return nil, err
			}
		}
		if err := ob.Put(openNew, []byte(t.ID)); err != nil {
			return nil, err
		}
	}

	// Measured service times refine the wait estimate given at the kiosk.
	if t.Status == backend.TicketDone && !t.StartedAt.IsZero() {
		if svc, err := findService(tx, t.Service); err == nil {
			if v := backend.UpdateServiceTime(svc.AvgServiceS, t.EndedAt.Sub(t.StartedAt)); v != svc.AvgServiceS {
				svc.AvgServiceS = v
				if err := putJSON(tx.Bucket(bucketServices), []byte(svc.Letter), svc); err != nil {
					return nil, err
				}
			}
		}
	}

	if err := putJSON(tx.Bucket(bucketTickets), []byte(t.ID), t); err != nil {
		return nil, err
	}
	if err := s.db.appendOutbox(tx, s.stationID, backend.KindTicketPrefix+string(a.Action), t.ActionFact(a)); err != nil {
		return nil, err
	}

	events := []backend.Event{{Kind: backend.EventTicket, Staff: true, Data: backend.TicketEvent{
		ID: t.ID, Number: t.Number, Service: t.Service, Status: t.Status, Counter: t.Counter,
		Action: a.Action, By: a.By, At: a.At,
	}}}
	if t.Date != today {
		return events, nil // an earlier day's ticket expiring: the board shows only today
	}
	if t.Status == backend.TicketCalled && (a.Action == backend.ActCall || a.Action == backend.ActRecall || a.Action == backend.ActResume) {
		events = append(events, backend.Event{Kind: backend.EventCall, Data: backend.NewCall(t, changed[t.Counter].Name, a.Action != backend.ActCall)})
	}
	for _, n := range slices.Sorted(maps.Keys(changed)) {
		events = append(events, backend.Event{Kind: backend.EventCounter, Data: boardCounter(tx, n, changed[n], t, today)})
	}
	if wasWaiting || isWaiting {
		events = append(events, backend.Event{Kind: backend.EventQueue, Data: backend.QueueCounts{Date: today, Waiting: waitCounts(tx, today)}})
	}
	return events, nil
}

// Waiting returns today's open tickets, each service's queue in calling order.
func (s *CallService) Waiting(ctx context.Context) (*backend.WaitingList, error) {
	now := s.now()
	date := now.Format("2006-01-02")
	out := &backend.WaitingList{Date: date, Services: []backend.ServiceQueue{},
		Active: []backend.WaitingTicket{}, Held: []backend.WaitingTicket{}, NoShows: []backend.WaitingTicket{}}
	err := s.db.db.View(func(tx *bolt.Tx) error {
		tickets, err := dayTickets(tx, date)
		if err != nil {
			return err
		}
		byID := map[string]*backend.Ticket{}
		for i := range tickets {
			t := &tickets[i]
			byID[t.ID] = t
			switch {
			case t.AtCounter():
				out.Active = append(out.Active, waitingTicket(t, now))
			case t.Status == backend.TicketHeld:
				out.Held = append(out.Held, waitingTicket(t, now))
			case t.Status == backend.TicketNoShow:
				out.NoShows = append(out.NoShows, waitingTicket(t, now))
			}
		}
		services, err := allServices(tx)
		if err != nil {
			return err
		}
		c := tx.Bucket(bucketWaiting).Cursor()
		for _, svc := range services {
			q := backend.ServiceQueue{Letter: svc.Letter, NameZH: svc.NameZH, NameEN: svc.NameEN, Tickets: []backend.WaitingTicket{}}
			prefix := append([]byte(date), svc.Letter...)
			for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
				if t := byID[string(v)]; t != nil {
					q.Tickets = append(q.Tickets, waitingTicket(t, now))
				}
			}
			if svc.Enabled || len(q.Tickets) > 0 {
				out.Services = append(out.Services, q)
			}
		}
		return nil
	})
	return out, err
}

func waitingTicket(t *backend.Ticket, now time.Time) backend.WaitingTicket {
	return backend.WaitingTicket{ID: t.ID, Number: t.Number, Service: t.Service, Origin: t.Origin,
		Priority: t.Priority, Status: t.Status, Counter: t.Counter, IssuedAt: t.IssuedAt,
		WaitedS: int(max(now.Sub(t.IssuedAt), 0) / time.Second)}
}

// Board returns what the lobby board shows now.
func (s *CallService) Board(ctx context.Context) (*backend.Board, error) {
	date := s.now().Format("2006-01-02")
	out := &backend.Board{Date: date, Counters: []backend.BoardCounter{}, Recent: []backend.Call{}, Waiting: []backend.ServiceWaiting{}}
	err := s.db.db.View(func(tx *bolt.Tx) error {
		counters, err := allCounters(tx)
		if err != nil {
			return err
		}
		names := map[int]string{}
		for i, c := range counters {
			names[c.Number] = c.Name
			out.Counters = append(out.Counters, boardCounter(tx, c.Number, &counters[i], nil, date))
		}
		tickets, err := dayTickets(tx, date)
		if err != nil {
			return err
		}
		sort.SliceStable(tickets, func(i, j int) bool { return tickets[i].LastCalledAt.After(tickets[j].LastCalledAt) })
		for i := range tickets {
			t := &tickets[i]
			if t.LastCalledAt.IsZero() || len(out.Recent) == backend.RecentCalls {
				break
			}
			name := names[t.Counter]
			if name == "" {
				name = backend.DefaultCounterName(t.Counter)
			}
			out.Recent = append(out.Recent, backend.NewCall(t, name, t.Recalls > 0))
		}
		services, err := allServices(tx)
		if err != nil {
			return err
		}
		counts := waitCounts(tx, date)
		for _, svc := range services {
			if svc.Enabled || counts[svc.Letter] > 0 {
				out.Waiting = append(out.Waiting, backend.ServiceWaiting{Letter: svc.Letter, NameZH: svc.NameZH, NameEN: svc.NameEN, Waiting: counts[svc.Letter]})
			}
		}
		return nil
	})
	return out, err
}

// boardCounter is counter n as the board shows it: its name and today's ticket there.
// c is the counter as read in tx, nil if it is gone; known, when it is the ticket at
// the counter, is used as it is rather than read again.
func boardCounter(tx *bolt.Tx, n int, c *backend.Counter, known *backend.Ticket, today string) backend.BoardCounter {
	if c == nil {
		return backend.BoardCounter{Number: n, Name: backend.DefaultCounterName(n)}
	}
	out := backend.BoardCounter{Number: n, Name: c.Name}
	t := known
	if t == nil || t.ID != c.Ticket || !t.AtCounter() || t.Counter != n || t.Date != today {
		t = busyWith(tx, c, today)
	}
	if t != nil {
		call := backend.NewCall(t, c.Name, t.Recalls > 0)
		out.Current = &call
	}
	return out
}

// dayKey is date(10)|arrival(8): a day's tickets in issue order.
func dayKey(t *backend.Ticket) []byte {
	return binary.BigEndian.AppendUint64([]byte(t.Date), t.Arrival)
}

// dayTickets returns the tickets of date in issue order.
func dayTickets(tx *bolt.Tx, date string) ([]backend.Ticket, error) {
	var out []backend.Ticket
	prefix := []byte(date)
	c := tx.Bucket(bucketDays).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		t, err := getTicket(tx, string(v))
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, nil
}

// addWaiting puts t in its service's queue and counts it.
func addWaiting(tx *bolt.Tx, t *backend.Ticket) error {
	k := waitingKey(t)
	if err := tx.Bucket(bucketWaiting).Put(k, []byte(t.ID)); err != nil {
		return err
	}
	wc := tx.Bucket(bucketWaitCount)
	return wc.Put(k[:11], itob(btoi(wc.Get(k[:11]))+1))
}

// removeWaiting takes t out of its service's queue.
func removeWaiting(tx *bolt.Tx, t *backend.Ticket) error {
	k := waitingKey(t)
	w := tx.Bucket(bucketWaiting)
	if w.Get(k) == nil {
		return nil
	}
	if err := w.Delete(k); err != nil {
		return err
	}
	wc := tx.Bucket(bucketWaitCount)
	if n := btoi(wc.Get(k[:11])); n > 1 {
		return wc.Put(k[:11], itob(n-1))
	}
	return wc.Delete(k[:11])
}

// waitCounts returns the waiting tickets per service letter on date.
func waitCounts(tx *bolt.Tx, date string) map[string]int {
	out := map[string]int{}
	prefix := []byte(date)
	c := tx.Bucket(bucketWaitCount).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) == 11 {
			out[string(k[10:])] = int(btoi(v))
		}
	}
	return out
}

// allServices returns the services in display order.
func allServices(tx *bolt.Tx) ([]backend.Service, error) {
	var out []backend.Service
	err := tx.Bucket(bucketServices).ForEach(func(k, v []byte) error {
		var svc backend.Service
		if err := json.Unmarshal(v, &svc); err != nil {
			return err
		}
		out = append(out, svc)
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out, err
}
