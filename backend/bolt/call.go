package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"maps"
	"slices"
	"time"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
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
	// AfterRollover, if set, runs after each day's roll-over and at Init: the
	// bookings nobody checked in become no-shows then.
	AfterRollover func(context.Context) error
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
	if _, err = s.ExpireOld(ctx); err != nil || s.AfterRollover == nil {
		return err
	}
	return s.AfterRollover(ctx)
}

// CallNext calls the next ticket for counter n: priority first, then booked tickets by
// slot, then the earliest arrival, across the services the counter serves. Each service's waiting keys are
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
			heads = append(heads, backend.QueueHead{Service: l, Rank: int(k[11]), Order: binary.BigEndian.Uint64(k[12:])})
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
		t := s.db.Clock.NewTimer(min(midnight.Sub(now), 10*time.Minute))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.Chan():
		}
		if d := s.now().Format("2006-01-02"); d != day {
			if _, err := s.ExpireOld(ctx); err != nil {
				s.db.Logger.Error("day roll-over", "err", err)
				continue
			}
			if s.AfterRollover != nil {
				if err := s.AfterRollover(ctx); err != nil {
					s.db.Logger.Error("day roll-over", "err", err)
					continue
				}
			}
			day = d
		}
	}
}

func (s *CallService) now() time.Time { return s.db.Clock.Now().In(s.db.Location) }

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
	// A booked person served: the booking is done too, in the same transaction.
	if t.Status == backend.TicketDone && t.Appointment != "" {
		if err := served(tx, apptStore{db: s.db, stationID: s.stationID}, t, a.By, a.At); err != nil {
			return nil, err
		}
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
