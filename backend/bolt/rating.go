package bolt

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"bingzhan/backend"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// Ratings and their follow-up cases. Keys:
//
//	ratings:      date(10) | ticket id → backend.Rating (JSON); a skip is a Rating with
//	              Skipped set, replaced if a rating follows
//	rating_cases: case id (UUIDv7, so in opening order) → backend.RatingCase (JSON)
var (
	bucketRatings = newBucket("ratings")
	bucketCases   = newBucket("rating_cases")
)

// RatingService records ratings of finished tickets and the follow-up of bad ones.
// Every rating, skip and case step is one Update with its outbox entry.
type RatingService struct {
	db        *DB
	stationID string
	reasons   *backend.RatingReasons
	// Calendar says which days are working days for the deadlines; CaseDays is the
	// deadline in working days. Set them before use (app.Open does).
	Calendar *backend.Calendar
	CaseDays int
	// Publish, if set, receives the events of each change after it is committed.
	Publish func(backend.Event)
}

// NewRatingService returns a RatingService on db for station stationID, offering the
// built-in reasons and deadlines of backend.DefaultCaseDays working days.
func NewRatingService(db *DB, stationID string) *RatingService {
	return &RatingService{db: db, stationID: stationID, reasons: backend.DefaultRatingReasons(),
		Calendar: backend.DefaultCalendar(), CaseDays: backend.DefaultCaseDays}
}

// Events of ratings, for the console (staff) and the counter's screen (public).
const (
	EventRatingCase = "rating_case" // backend.RatingCase (staff): a case opened or changed
	EventRated      = "rated"       // {"counter": n} (public): a ticket of that counter was rated or skipped
)

// Reasons returns the reason list in use.
func (s *RatingService) Reasons() *backend.RatingReasons { return s.reasons }

func ratingKey(date, ticketID string) []byte { return []byte(date + ticketID) }

// Rate records the rating of ticket id, and opens a case for a bad one.
func (s *RatingService) Rate(ctx context.Context, id string, req backend.RatingRequest) (*backend.Rating, *backend.RatingCase, error) {
	if err := req.Validate(s.reasons); err != nil {
		return nil, nil, err
	}
	now := s.now()
	var r *backend.Rating
	var c *backend.RatingCase
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		t, err := s.rateable(tx, id, now)
		if err != nil {
			return err
		}
		r = backend.NewRating(t, req, s.reasons.Version, now)
		fact := backend.RatingFact{Rating: *r}
		if backend.BadLevel(r.Level) {
			cid, err := uuid.NewV7()
			if err != nil {
				return err
			}
			c = backend.NewRatingCase(cid.String(), r, s.CaseDays, s.Calendar, s.db.Location)
			r.CaseID, fact.CaseID, fact.Due = c.ID, c.ID, c.Due
			if err := putJSON(tx.Bucket(bucketCases), []byte(c.ID), c); err != nil {
				return err
			}
		}
		if err := putJSON(tx.Bucket(bucketRatings), ratingKey(t.Date, t.ID), r); err != nil {
			return err
		}
		return s.db.appendOutbox(tx, s.stationID, backend.KindRatingGiven, fact)
	})
	if err != nil {
		return nil, nil, err
	}
	s.publish(backend.Event{Kind: EventRated, Data: map[string]int{"counter": r.Counter}})
	if c != nil {
		s.publish(backend.Event{Kind: EventRatingCase, Staff: true, Data: c})
	}
	return r, c, nil
}

// rateable reads ticket id and checks that it may be rated now: finished today and
// not rated already (a skip may still be followed by a rating).
func (s *RatingService) rateable(tx *bolt.Tx, id string, now time.Time) (*backend.Ticket, error) {
	t, err := getTicket(tx, id)
	if err != nil {
		return nil, err
	}
	if err := backend.Rateable(t, now.Format(time.DateOnly)); err != nil {
		return nil, err
	}
	var old backend.Rating
	if ok, err := getJSON(tx.Bucket(bucketRatings), ratingKey(t.Date, t.ID), &old); err != nil {
		return nil, err
	} else if ok && !old.Skipped {
		return nil, backend.Errorf(backend.ECONFLICT, "rating.done", t.Number)
	}
	return t, nil
}

// Skip records that the person did not want to rate ticket id. A second skip changes
// nothing.
func (s *RatingService) Skip(ctx context.Context, id, via string) error {
	if via == "" {
		via = backend.ViaKiosk
	}
	if via != backend.ViaKiosk && via != backend.ViaCounter {
		return backend.Errorf(backend.EINVALID, "rating.via")
	}
	now := s.now()
	counter := 0
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		t, err := s.rateable(tx, id, now)
		if err != nil {
			return err
		}
		key := ratingKey(t.Date, t.ID)
		if tx.Bucket(bucketRatings).Get(key) != nil {
			return nil // skipped already
		}
		r := &backend.Rating{TicketID: t.ID, Date: t.Date, Number: t.Number, Service: t.Service, Counter: t.Counter,
			Staff: backend.ServedBy(t), Skipped: true, Via: via, At: now}
		counter = t.Counter
		if err := putJSON(tx.Bucket(bucketRatings), key, r); err != nil {
			return err
		}
		return s.db.appendOutbox(tx, s.stationID, backend.KindRatingSkipped, backend.RatingFact{Rating: *r})
	})
	if err == nil && counter > 0 {
		s.publish(backend.Event{Kind: EventRated, Data: map[string]int{"counter": counter}})
	}
	return err
}

// Pending returns the ticket last finished at counter n within the rating window
// that has no rating or skip yet.
func (s *RatingService) Pending(ctx context.Context, n int) (*backend.RatingTicket, error) {
	if n < 1 || n > backend.MaxCounter {
		return nil, backend.Errorf(backend.EINVALID, "rating.counter", backend.MaxCounter)
	}
	now := s.now()
	var out *backend.RatingTicket
	err := s.db.db.View(func(tx *bolt.Tx) error {
		c, err := getCounter(tx, n)
		if err != nil {
			return err
		}
		tickets, err := dayTickets(tx, now.Format(time.DateOnly))
		if err != nil {
			return err
		}
		var best *backend.Ticket
		for i := range tickets {
			t := &tickets[i]
			if t.Status != backend.TicketDone || t.Counter != n || now.Sub(t.EndedAt) > backend.RatingWindow {
				continue
			}
			if tx.Bucket(bucketRatings).Get(ratingKey(t.Date, t.ID)) != nil {
				continue
			}
			if best == nil || t.EndedAt.After(best.EndedAt) {
				best = t
			}
		}
		if best != nil {
			out = ratingTicket(tx, best, c)
		}
		return nil
	})
	return out, err
}

func ratingTicket(tx *bolt.Tx, t *backend.Ticket, c *backend.Counter) *backend.RatingTicket {
	rt := &backend.RatingTicket{TicketID: t.ID, Number: t.Number, Service: t.Service, Counter: t.Counter, EndedAt: t.EndedAt}
	if svc, err := findService(tx, t.Service); err == nil {
		rt.ServiceZH, rt.ServiceEN = svc.NameZH, svc.NameEN
	}
	if c == nil && t.Counter > 0 {
		c, _ = getCounter(tx, t.Counter)
	}
	if c != nil {
		rt.CounterName = c.Name
	}
	return rt
}

// numberPattern is a display number as a person types it: a letter and 1 to 3 digits.
var numberPattern = regexp.MustCompile(`^[A-Z][0-9]{1,3}$`)

// Find returns today's finished ticket numbered number (B017, b17), not rated yet.
func (s *RatingService) Find(ctx context.Context, number string) (*backend.RatingTicket, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	if !numberPattern.MatchString(number) {
		return nil, backend.Errorf(backend.EINVALID, "rating.number")
	}
	seq, _ := strconv.Atoi(number[1:])
	number = backend.FormatNumber(number[:1], seq)
	now := s.now()
	var out *backend.RatingTicket
	err := s.db.db.View(func(tx *bolt.Tx) error {
		tickets, err := dayTickets(tx, now.Format(time.DateOnly))
		if err != nil {
			return err
		}
		for i := range tickets {
			if tickets[i].Number != number {
				continue
			}
			t, err := s.rateable(tx, tickets[i].ID, now)
			if err != nil {
				return err
			}
			out = ratingTicket(tx, t, nil)
			return nil
		}
		return backend.Errorf(backend.ENOTFOUND, "rating.no_ticket", number)
	})
	return out, err
}

// DayRatings returns the ratings of date's tickets, skips left out.
func (s *RatingService) DayRatings(ctx context.Context, date string) ([]backend.Rating, error) {
	var out []backend.Rating
	err := s.db.db.View(func(tx *bolt.Tx) (err error) {
		out, err = dayRatings(tx, date)
		return err
	})
	return out, err
}

func dayRatings(tx *bolt.Tx, date string) ([]backend.Rating, error) {
	var out []backend.Rating
	prefix := []byte(date)
	c := tx.Bucket(bucketRatings).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var r backend.Rating
		if err := json.Unmarshal(v, &r); err != nil {
			return nil, fmt.Errorf("decode rating %s: %w", k, err)
		}
		if !r.Skipped {
			out = append(out, r)
		}
	}
	return out, nil
}

// Cases lists every case: overdue ones first, then the others still open by due day,
// then the closed ones, newest first.
func (s *RatingService) Cases(ctx context.Context) ([]backend.RatingCase, error) {
	out := []backend.RatingCase{}
	err := s.db.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCases).ForEach(func(k, v []byte) error {
			var c backend.RatingCase
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode case %s: %w", k, err)
			}
			out = append(out, c)
			return nil
		})
	})
	today := s.now().Format(time.DateOnly)
	slices.SortStableFunc(out, func(a, b backend.RatingCase) int {
		rank := func(c *backend.RatingCase) int {
			switch {
			case c.Overdue(today):
				return 0
			case c.Status != backend.CaseClosed:
				return 1
			}
			return 2
		}
		if r := cmp.Compare(rank(&a), rank(&b)); r != 0 {
			return r
		}
		if a.Status == backend.CaseClosed {
			return b.ClosedAt.Compare(a.ClosedAt)
		}
		return cmp.Or(cmp.Compare(a.Due, b.Due), a.OpenedAt.Compare(b.OpenedAt))
	})
	return out, err
}

// Case returns case id.
func (s *RatingService) Case(ctx context.Context, id string) (*backend.RatingCase, error) {
	var c *backend.RatingCase
	err := s.db.db.View(func(tx *bolt.Tx) (err error) {
		c, err = getCase(tx, id)
		return err
	})
	return c, err
}

func getCase(tx *bolt.Tx, id string) (*backend.RatingCase, error) {
	var c backend.RatingCase
	if ok, err := getJSON(tx.Bucket(bucketCases), []byte(id), &c); err != nil {
		return nil, err
	} else if !ok {
		return nil, backend.Errorf(backend.ENOTFOUND, "case.not_found")
	}
	return &c, nil
}

// ActOnCase applies one step to case id; an upheld appeal also takes its rating out
// of the figures, in the same transaction.
func (s *RatingService) ActOnCase(ctx context.Context, id string, a backend.CaseAct) (*backend.RatingCase, error) {
	a.At = s.now()
	var c *backend.RatingCase
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		var err error
		if c, err = getCase(tx, id); err != nil {
			return err
		}
		if err := c.Apply(a); err != nil {
			return err
		}
		if err := putJSON(tx.Bucket(bucketCases), []byte(c.ID), c); err != nil {
			return err
		}
		if c.Excluded && a.Action == backend.CaseUphold {
			key := ratingKey(c.Date, c.TicketID)
			var r backend.Rating
			if ok, err := getJSON(tx.Bucket(bucketRatings), key, &r); err != nil {
				return err
			} else if ok {
				r.Excluded = true
				if err := putJSON(tx.Bucket(bucketRatings), key, &r); err != nil {
					return err
				}
			}
		}
		return s.db.appendOutbox(tx, s.stationID, backend.KindCasePrefix+string(a.Action), c.Fact(a))
	})
	if err != nil {
		return nil, err
	}
	s.publish(backend.Event{Kind: EventRatingCase, Staff: true, Data: c})
	return c, nil
}

func (s *RatingService) now() time.Time { return s.db.Clock.Now().In(s.db.Location) }

func (s *RatingService) publish(e backend.Event) {
	if s.Publish != nil {
		s.Publish(e)
	}
}

var _ backend.RatingService = (*RatingService)(nil)
