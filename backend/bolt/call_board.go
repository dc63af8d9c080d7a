package bolt

import (
	"bytes"
	"context"
	"sort"
	"time"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

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
		WaitedS: int(max(now.Sub(t.IssuedAt), 0) / time.Second), Booked: t.Appointment != "", Slot: t.Slot}
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
