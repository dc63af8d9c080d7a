package bolt

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"time"

	"bingzhan/backend"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// TicketService issues tickets into the database.
//
// Keys, all under the ticket's local date so a new day starts empty:
//
//	tickets:  id → Ticket (JSON)
//	daycount: date|letter → last daily number
//	waiting:  date|letter|rank|order → id (waitingKey), so a cursor walks a queue in
//	          serving order: priority, booked by slot, walk-ins
//	open:     date|personkey|letter → id, one open ticket per person and service
//	requests: request id → date|id, so a repeated request returns its ticket
//	waitcount, days, live: see call.go
//
// A ticket leaves waiting when it is called and leaves open and live when it closes
// (call.go); the estimated wait divides by the number of counters serving the service.
type TicketService struct {
	db        *DB
	key       ed25519.PrivateKey
	stationID string
	// PersonKey turns an ID number into the keyed hash kept instead of it.
	PersonKey func(idNumber string) string
	// Publish, if set, is told of the new waiting counts after a ticket is issued, so
	// the lobby board follows the queue.
	Publish func(backend.Event)
}

// NewTicketService returns a TicketService that signs tickets with key.
func NewTicketService(db *DB, key ed25519.PrivateKey, personKey func(string) string) *TicketService {
	return &TicketService{
		db: db, key: key, stationID: backend.StationID(key.Public().(ed25519.PublicKey)),
		PersonKey: personKey,
	}
}

// IssueTicket issues a ticket in one transaction with its outbox entry.
func (s *TicketService) IssueTicket(ctx context.Context, req backend.IssueRequest) (*backend.Issued, error) {
	now := s.db.Clock.Now()
	local := now.In(s.db.Location)
	if err := req.Validate(local); err != nil {
		return nil, err
	}
	date := local.Format("2006-01-02")
	var personKey string
	if req.IDNumber != "" {
		personKey = s.PersonKey(req.IDNumber)
		req.IDNumber = "" // from here on only the keyed hash exists
	}

	var out *backend.Issued
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		var err error
		out, err = s.issue(tx, req, local, personKey, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.Created {
		s.publishQueue(date)
	}
	return out, nil
}

// apptTicket ties a ticket being issued to the booking it checks in: Slot, when set,
// queues it in slot order before walk-ins.
type apptTicket struct {
	ID   string
	Slot string
}

// issue issues a ticket inside tx: the body of IssueTicket, shared with the check-in of
// a booking, which issues its ticket in the same transaction as the check-in. date is
// local's; personKey the keyed hash of the request's ID number, which is cleared.
func (s *TicketService) issue(tx *bolt.Tx, req backend.IssueRequest, local time.Time, personKey string, appt *apptTicket) (*backend.Issued, error) {
	date := local.Format("2006-01-02")
	if prev := tx.Bucket(bucketRequests).Get([]byte(req.RequestID)); prev != nil {
		t, err := getTicket(tx, string(prev[10:]))
		if err != nil {
			return nil, err
		}
		if t.Service != req.Service {
			return nil, backend.Errorf(backend.EINVALID, "request_id")
		}
		return s.standing(tx, t)
	}
	svc, err := findService(tx, req.Service)
	if err != nil {
		return nil, err
	}
	if !svc.Enabled {
		return nil, backend.Errorf(backend.ECONFLICT, "service.disabled", svc.NameZH)
	}
	openKey := join([]byte(date), []byte(personKey), []byte(req.Service))
	if personKey != "" {
		if id := tx.Bucket(bucketOpen).Get(openKey); id != nil {
			t, err := getTicket(tx, string(id))
			if err != nil {
				return nil, err
			}
			if err := tx.Bucket(bucketRequests).Put([]byte(req.RequestID), join([]byte(date), id)); err != nil {
				return nil, err
			}
			if appt != nil {
				// Took a number before checking in: the ticket they hold becomes the
				// booking's, in slot order if they are on time.
				if err := tieAppointment(tx, t, appt); err != nil {
					return nil, err
				}
			}
			out, err := s.standing(tx, t)
			if out != nil {
				out.Existing = true
			}
			return out, err
		}
	}

	countKey := join([]byte(date), []byte(req.Service))
	seq := btoi(tx.Bucket(bucketDayCount).Get(countKey)) + 1
	if seq > backend.MaxDailyNumber {
		return nil, backend.Errorf(backend.ECONFLICT, "ticket.day_full", svc.NameZH)
	}
	arrival, err := tx.Bucket(bucketTickets).NextSequence()
	if err != nil {
		return nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	t := &backend.Ticket{
		ID: id.String(), StationID: s.stationID, Date: date, Service: req.Service,
		Seq: int(seq), Number: backend.FormatNumber(req.Service, int(seq)),
		Priority: req.Priority, IssuedAt: local.Truncate(time.Second), Arrival: arrival,
		Status: backend.TicketWaiting, PersonKey: personKey,
	}
	if appt != nil {
		t.Appointment, t.Slot = appt.ID, appt.Slot
	}
	if t.Proof, err = backend.SignProof(s.key, t); err != nil {
		return nil, err
	}
	tid := []byte(t.ID)
	if err := addWaiting(tx, t); err != nil {
		return nil, err
	}
	for _, put := range []struct {
		b    []byte
		k, v []byte
	}{
		{bucketDayCount, countKey, itob(seq)},
		{bucketDays, dayKey(t), tid},
		{bucketLive, dayKey(t), tid},
		{bucketRequests, []byte(req.RequestID), join([]byte(date), tid)},
	} {
		if err := tx.Bucket(put.b).Put(put.k, put.v); err != nil {
			return nil, err
		}
	}
	if personKey != "" {
		if err := tx.Bucket(bucketOpen).Put(openKey, tid); err != nil {
			return nil, err
		}
	}
	if err := putJSON(tx.Bucket(bucketTickets), tid, t); err != nil {
		return nil, err
	}
	if err := s.db.appendOutbox(tx, s.stationID, backend.KindTicketIssued, t.Fact()); err != nil {
		return nil, err
	}
	out, err := s.standing(tx, t)
	if out != nil {
		out.Created = true
	}
	return out, err
}

// tieAppointment makes open ticket t the ticket of booking appt: a waiting ticket moves
// to its place in slot order when appt has a slot.
func tieAppointment(tx *bolt.Tx, t *backend.Ticket, appt *apptTicket) error {
	if t.Appointment != "" {
		return nil
	}
	waiting := t.Status == backend.TicketWaiting
	if waiting {
		if err := removeWaiting(tx, t); err != nil {
			return err
		}
	}
	t.Appointment, t.Slot = appt.ID, appt.Slot
	if waiting {
		if err := addWaiting(tx, t); err != nil {
			return err
		}
	}
	return putJSON(tx.Bucket(bucketTickets), []byte(t.ID), t)
}

// publishQueue tells Publish the waiting counts of date.
func (s *TicketService) publishQueue(date string) {
	if s.Publish == nil {
		return
	}
	var counts map[string]int
	if err := s.db.db.View(func(tx *bolt.Tx) error { counts = waitCounts(tx, date); return nil }); err == nil {
		s.Publish(backend.Event{Kind: backend.EventQueue, Data: backend.QueueCounts{Date: date, Waiting: counts}})
	}
}

// Ticket returns a ticket with its place in the queue as of now.
func (s *TicketService) Ticket(ctx context.Context, id string) (*backend.Issued, error) {
	var out *backend.Issued
	err := s.db.db.View(func(tx *bolt.Tx) error {
		t, err := getTicket(tx, id)
		if err != nil {
			return err
		}
		out, err = s.standing(tx, t)
		return err
	})
	return out, err
}

// Queue returns today's waiting count per service letter.
func (s *TicketService) Queue(ctx context.Context) (map[string]int, error) {
	var out map[string]int
	err := s.db.db.View(func(tx *bolt.Tx) error {
		out = waitCounts(tx, s.db.today())
		return nil
	})
	return out, err
}

// standing computes how many are ahead of t in its queue and the likely wait.
func (s *TicketService) standing(tx *bolt.Tx, t *backend.Ticket) (*backend.Issued, error) {
	out := &backend.Issued{Ticket: t}
	svc, err := findService(tx, t.Service)
	if err == nil {
		out.Service = svc
	}
	if t.Status != backend.TicketWaiting {
		return out, nil
	}
	own := waitingKey(t)
	prefix := own[:11]
	c := tx.Bucket(bucketWaiting).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.Compare(k, own) < 0; k, _ = c.Next() {
		out.Ahead++
	}
	avg := backend.DefaultServiceTime
	if svc != nil && svc.AvgServiceS > 0 {
		avg = time.Duration(svc.AvgServiceS) * time.Second
	}
	out.EstimatedWait = backend.EstimateWait(out.Ahead, avg, countersServing(tx, t.Service))
	return out, nil
}

func getTicket(tx *bolt.Tx, id string) (*backend.Ticket, error) {
	var t backend.Ticket
	if ok, err := getJSON(tx.Bucket(bucketTickets), []byte(id), &t); err != nil {
		return nil, err
	} else if !ok {
		return nil, backend.Errorf(backend.ENOTFOUND, "ticket.not_found")
	}
	return &t, nil
}

// Ranks of the waiting index: who is called first.
const (
	rankPriority    = 0 // 军人依法优先
	rankAppointment = 1 // checked in on time for a booking, in slot order
	rankWalkIn      = 2
)

// waitingKey is date(10)|letter(1)|rank(1)|order(8): priority tickets sort first, then
// booked tickets by slot, then walk-ins, each in the order they were issued. The order
// of a booked ticket is its slot's minute of the day above its arrival.
func waitingKey(t *backend.Ticket) []byte {
	k := make([]byte, 0, 20)
	k = append(k, t.Date...)
	k = append(k, t.Service...)
	rank, order := byte(rankWalkIn), t.Arrival
	switch {
	case t.Priority:
		rank = rankPriority
	case t.Slot != "":
		rank = rankAppointment
		order |= uint64(slotMinute(t.Slot)) << 40
	}
	k = append(k, rank)
	return binary.BigEndian.AppendUint64(k, order)
}

// slotMinute is the minute of the day of an HH:MM slot; 0 for a malformed one.
func slotMinute(slot string) int {
	t, err := time.Parse("15:04", slot)
	if err != nil {
		return 0
	}
	return t.Hour()*60 + t.Minute()
}
