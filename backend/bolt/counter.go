package bolt

import (
	"context"
	"encoding/json"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// counters: number (8 bytes) → Counter (JSON).
var bucketCounters = newBucket("counters")

// CounterService configures counters.
type CounterService struct {
	db *DB
	// Publish, if set, is told when counters change, so the board reloads them.
	Publish func(backend.Event)
}

// NewCounterService returns a CounterService on db.
func NewCounterService(db *DB) *CounterService { return &CounterService{db: db} }

// Counters returns every counter by number.
func (s *CounterService) Counters(ctx context.Context) ([]backend.Counter, error) {
	var out []backend.Counter
	err := s.db.db.View(func(tx *bolt.Tx) (err error) {
		out, err = allCounters(tx)
		return err
	})
	return out, err
}

// PutCounter creates or changes a counter, keeping the ticket it has now.
func (s *CounterService) PutCounter(ctx context.Context, c backend.Counter) (*backend.Counter, error) {
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		services, err := allServices(tx)
		if err != nil {
			return err
		}
		if err := c.Normalize(services); err != nil {
			return err
		}
		c.Ticket = ""
		if old, err := getCounter(tx, c.Number); err == nil {
			c.Ticket = old.Ticket
		} else if backend.ErrorCode(err) != backend.ENOTFOUND {
			return err
		}
		return putJSON(tx.Bucket(bucketCounters), itob(uint64(c.Number)), &c)
	})
	if err != nil {
		return nil, err
	}
	s.publishReset()
	return &c, nil
}

// DeleteCounter removes counter n while it has no ticket; one counter always remains.
func (s *CounterService) DeleteCounter(ctx context.Context, n int) error {
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		c, err := getCounter(tx, n)
		if err != nil {
			return err
		}
		if t := busyWith(tx, c, s.db.today()); t != nil {
			return backend.Errorf(backend.ECONFLICT, "counter.in_use", n, t.Number)
		}
		if tx.Bucket(bucketCounters).Stats().KeyN <= 1 {
			return backend.Errorf(backend.ECONFLICT, "counter.last")
		}
		return tx.Bucket(bucketCounters).Delete(itob(uint64(n)))
	})
	if err == nil {
		s.publishReset()
	}
	return err
}

func (s *CounterService) publishReset() {
	if s.Publish != nil {
		s.Publish(backend.Event{Kind: backend.EventReset})
	}
}

// seedCounters gives a station without counters the default two. It runs at every
// start, so a database made before counters existed gets them too.
func seedCounters(tx *bolt.Tx) error {
	b := tx.Bucket(bucketCounters)
	if k, _ := b.Cursor().First(); k != nil {
		return nil
	}
	services, err := allServices(tx)
	if err != nil {
		return err
	}
	for _, c := range backend.DefaultCounters(services) {
		if err := putJSON(b, itob(uint64(c.Number)), &c); err != nil {
			return err
		}
	}
	return nil
}

func getCounter(tx *bolt.Tx, n int) (*backend.Counter, error) {
	var c backend.Counter
	if n < 1 || n > backend.MaxCounter {
		return nil, backend.Errorf(backend.ENOTFOUND, "counter.not_found", n)
	}
	if ok, err := getJSON(tx.Bucket(bucketCounters), itob(uint64(n)), &c); err != nil {
		return nil, err
	} else if !ok {
		return nil, backend.Errorf(backend.ENOTFOUND, "counter.not_found", n)
	}
	return &c, nil
}

func allCounters(tx *bolt.Tx) ([]backend.Counter, error) {
	out := []backend.Counter{}
	err := tx.Bucket(bucketCounters).ForEach(func(k, v []byte) error {
		var c backend.Counter
		if err := json.Unmarshal(v, &c); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// countersServing counts the counters that call tickets of a service; at least 1, so
// a wait estimate never divides by zero.
func countersServing(tx *bolt.Tx, letter string) int {
	n := 0
	counters, _ := allCounters(tx)
	for i := range counters {
		if counters[i].Serves(letter) {
			n++
		}
	}
	return max(n, 1)
}

// busyWith returns the ticket counter c is calling or serving today, or nil when the
// counter is free. A ticket left from an earlier day does not keep a counter busy.
func busyWith(tx *bolt.Tx, c *backend.Counter, today string) *backend.Ticket {
	if c.Ticket == "" {
		return nil
	}
	t, err := getTicket(tx, c.Ticket)
	if err != nil || !t.AtCounter() || t.Counter != c.Number || t.Date != today {
		return nil
	}
	return t
}
