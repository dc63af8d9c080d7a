// Package event carries the station's events (calls, counters, waiting counts) from
// the services that commit them to the screens that follow them over Server-Sent
// Events. It lives in the process: one station, one broker, no network.
package event

import (
	"encoding/json"
	"sync"

	"bingzhan/backend"
)

// Message is one published event, encoded once for every subscriber.
type Message struct {
	ID    uint64 // increasing; clients send the last one back to resume
	Kind  string
	Staff bool   // only for staff sessions
	Data  []byte // JSON
}

// subBuffer is how many messages a subscriber may fall behind before it is cut off;
// a cut-off client reconnects and catches up from the replay ring.
const subBuffer = 64

// Replay is how many recent messages the broker keeps for reconnecting clients.
const Replay = 128

// Broker fans events out to subscribers. Publish never blocks on a slow client.
type Broker struct {
	mu   sync.Mutex
	seq  uint64
	subs map[*Subscription]struct{}
	ring []Message
}

// New returns an empty broker.
func New() *Broker { return &Broker{subs: map[*Subscription]struct{}{}} }

// Subscription is one client's stream of messages.
type Subscription struct {
	staff bool
	c     chan Message
}

// C delivers the messages; it is closed when the subscriber fell too far behind or
// was cancelled.
func (s *Subscription) C() <-chan Message { return s.c }

// Publish sends e to every subscriber allowed to see it. Data that cannot be encoded
// is a programming error and is dropped rather than sent half-made.
func (b *Broker) Publish(e backend.Event) {
	data, err := json.Marshal(e.Data)
	if err != nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	m := Message{ID: b.seq, Kind: e.Kind, Staff: e.Staff, Data: data}
	b.ring = append(b.ring, m)
	if len(b.ring) > Replay {
		b.ring = b.ring[len(b.ring)-Replay:]
	}
	for s := range b.subs {
		if m.Staff && !s.staff {
			continue
		}
		select {
		case s.c <- m:
		default:
			delete(b.subs, s)
			close(s.c)
		}
	}
}

// Subscribe starts a stream. staff says whether the client has a staff session.
// A client resuming after lastID (the Last-Event-ID it saw) first gets what it
// missed, as far as the replay ring reaches; 0 means "only what comes next".
func (b *Broker) Subscribe(staff bool, lastID uint64) *Subscription {
	s := &Subscription{staff: staff, c: make(chan Message, subBuffer+Replay)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if lastID > 0 {
		for _, m := range b.ring {
			if m.ID > lastID && (staff || !m.Staff) {
				s.c <- m
			}
		}
	}
	b.subs[s] = struct{}{}
	return s
}

// Unsubscribe ends a stream; calling it twice is harmless.
func (b *Broker) Unsubscribe(s *Subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[s]; ok {
		delete(b.subs, s)
		close(s.c)
	}
}

// Subscribers returns how many streams are open, for the health of the board.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}
