package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"

	bbolt "go.etcd.io/bbolt"
)

// appendStored appends e as the county stores it, with its receive time first. It
// writes the JSON by hand: at tens of thousands of entries a second, reflection-based
// encoding was a third of the county's work.
func appendStored(buf []byte, e *wire.Entry, receivedAt string) []byte {
	buf = append(buf, `{"received_at":"`...)
	buf = append(buf, receivedAt...)
	buf = append(buf, `","id":`...)
	buf = appendString(buf, e.ID)
	buf = append(buf, `,"seq":`...)
	buf = strconv.AppendUint(buf, e.Seq, 10)
	buf = append(buf, `,"station_id":`...)
	buf = appendString(buf, e.StationID)
	buf = append(buf, `,"kind":`...)
	buf = appendString(buf, e.Kind)
	buf = append(buf, `,"at":"`...)
	buf = e.At.AppendFormat(buf, time.RFC3339Nano)
	buf = append(buf, `","data":`...)
	buf = append(buf, e.Data...)
	return append(buf, '}')
}

// appendString appends s as a JSON string: as it is when it needs no escaping (ids and
// kinds), through encoding/json otherwise.
func appendString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(buf, q...)
		}
	}
	return append(append(append(buf, '"'), s...), '"')
}

// Ingest implements county.Store. Concurrent pushes share commits. A push whose ctx
// is done before its transaction begins stores nothing.
func (s *Store) Ingest(ctx context.Context, id string, req *county.Push) (*wire.PushResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var resp *wire.PushResponse
	fn := func(tx *bbolt.Tx) error {
		// Batch may run this function again after another one in the same commit
		// failed, so everything it returns is rebuilt on each run.
		var err error
		resp, err = s.ingest(tx, id, req, now)
		return err
	}
	// A push alone commits at once; pushes that arrive together share one commit
	// (Batch waits up to MaxBatchDelay for company).
	var err error
	if s.ingesting.Add(1) == 1 {
		err = s.db.Update(fn)
	} else {
		err = s.db.Batch(fn)
	}
	s.ingesting.Add(-1)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

func (s *Store) ingest(tx *bbolt.Tx, id string, req *county.Push, now time.Time) (*wire.PushResponse, error) {
	stations := tx.Bucket(bucketStations)
	var st county.Station
	if ok, err := getJSON(stations, []byte(id), &st); err != nil {
		return nil, err
	} else if !ok {
		return nil, county.Errorf(backend.EUNAUTHORIZED, "county.station_unknown", id)
	}
	if err := county.BindKey(&st, req.Station); err != nil {
		return nil, err
	}
	entries, err := tx.Bucket(bucketEntries).CreateBucketIfNotExists([]byte(id))
	if err != nil {
		return nil, err
	}
	ids := tx.Bucket(bucketIDs)
	resp := &wire.PushResponse{Results: make([]wire.Result, 0, len(req.Entries)), ReceivedAt: now}
	delivered := 0
	stamp := now.Format(time.RFC3339Nano)
	days := map[string]*county.DayStats{}
	for i := range req.Entries {
		e := &req.Entries[i]
		r := wire.Result{Seq: e.Seq}
		if code, msg := e.Check(req.Station); code != "" {
			r.Status, r.Code, r.Message = wire.Rejected, code, msg
			resp.Results = append(resp.Results, r)
			continue
		}
		seqKey := u64(e.Seq)
		if prev := entries.Get(seqKey); prev != nil {
			var old county.StoredEntry
			if err := json.Unmarshal(prev, &old); err != nil {
				return nil, fmt.Errorf("decode entry %s/%d: %w", id, e.Seq, err)
			}
			var heldAt uint64
			var heldHere bool
			if old.ID != e.ID {
				heldAt, heldHere = heldSeq(ids, id, e.ID)
			}
			switch {
			case old.ID == e.ID:
				r.Status = wire.Duplicate
				delivered++
			case heldHere:
				// The station renumbered this entry after a restore, the county stored
				// it under its new sequence, and an older copy of the station's file
				// sent it again under the old one: it is here already, exactly once.
				r.Status, r.Held = wire.Duplicate, heldAt
				delivered++
			case e.Kind == wire.KindDiscarded:
				// The slot holds another entry, so the record the station dropped was
				// never stored here; the marker still says which it was and why. Keep
				// it apart, once by its own id, so the county learns of every discard.
				r.Status = wire.Duplicate
				key := join(id, e.ID)
				if discards := tx.Bucket(bucketDiscards); discards.Get(key) == nil {
					if err := discards.Put(key, appendStored(make([]byte, 0, 256+len(e.Data)), e, stamp)); err != nil {
						return nil, err
					}
					st.Received[e.Kind]++
					r.Status = wire.Accepted
				}
				delivered++
			case ids.Get([]byte(e.ID)) != nil:
				r.Status, r.Code, r.Message = wire.Rejected, backend.ECONFLICT, county.RejectIDElsewhere
			default:
				r.Status, r.Code, r.Renumber = wire.Rejected, backend.ECONFLICT, true
				r.Message = county.RejectSeqTaken(e.Seq, old.ID)
			}
			resp.Results = append(resp.Results, r)
			continue
		}
		if heldAt, heldHere := heldSeq(ids, id, e.ID); heldHere {
			// Stored before under another sequence: delivered. Its own sequence stays
			// empty here, which only a station bug can cause (see docs/sync-protocol.md).
			r.Status, r.Held = wire.Duplicate, heldAt
			delivered++
			resp.Results = append(resp.Results, r)
			continue
		} else if ids.Get([]byte(e.ID)) != nil {
			r.Status, r.Code, r.Message = wire.Rejected, backend.ECONFLICT, county.RejectIDElsewhere
			resp.Results = append(resp.Results, r)
			continue
		}
		if err := entries.Put(seqKey, appendStored(make([]byte, 0, 256+len(e.Data)), e, stamp)); err != nil {
			return nil, err
		}
		if err := ids.Put([]byte(e.ID), append(append([]byte(id), 0), seqKey...)); err != nil {
			return nil, err
		}
		if err := s.count(tx, id, e, days); err != nil {
			return nil, err
		}
		st.Received[e.Kind]++
		st.Total++
		r.Status = wire.Accepted
		delivered++
		resp.Results = append(resp.Results, r)
	}
	// The push's own dead-letter count goes on the day it arrived: a push that
	// brings nothing new still says how many the station holds.
	today := county.DateOf(now, s.location)
	d, counted := days[today]
	if !counted {
		d = &county.DayStats{}
		if err := getDay(tx, id, today, d); err != nil {
			return nil, err
		}
	}
	if d.ReportDeadLetters(req) || counted {
		days[today] = d
	}
	daily := tx.Bucket(bucketDaily)
	for date, d := range days {
		if err := daily.Put(join(id, date), county.EncodeDay(d)); err != nil {
			return nil, err
		}
	}
	for entries.Get(u64(st.Contiguous+1)) != nil {
		st.Contiguous++
	}
	resp.Contiguous = st.Contiguous
	if last, _ := entries.Cursor().Last(); last != nil {
		resp.Highest = binary.BigEndian.Uint64(last)
	}
	county.ReportBacklog(&st, req, delivered, now)
	return resp, putJSON(stations, []byte(id), &st)
}

// heldSeq returns the sequence under which station holds entry id, and whether it
// does: the ids bucket maps an id to station | 0 | seq.
func heldSeq(ids *bbolt.Bucket, station, id string) (uint64, bool) {
	v := ids.Get([]byte(id))
	if len(v) != len(station)+9 || string(v[:len(station)]) != station || v[len(station)] != 0 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v[len(station)+1:]), true
}

// count updates the day figures for one newly stored entry in days, which the
// caller writes once per push. Facts about a ticket count by its marks
// (county.Tally), kept in the tickets bucket.
func (s *Store) count(tx *bbolt.Tx, station string, e *wire.Entry, days map[string]*county.DayStats) error {
	if c, ok := county.CampaignOf(station, e); ok {
		return putCampaign(tx.Bucket(bucketCampaigns), c)
	}
	fact, ok := county.FactOf(e, s.location)
	if !ok {
		return nil
	}
	if fact.Ticket != "" {
		tickets := tx.Bucket(bucketTickets)
		key := join(station, fact.Ticket)
		var marks county.TicketMarks
		if v := tickets.Get(key); len(v) == 1 {
			marks = county.TicketMarks(v[0])
		}
		var next county.TicketMarks
		if fact, next, ok = county.Tally(fact, marks); !ok {
			return nil
		}
		if next != marks {
			if err := tickets.Put(key, []byte{byte(next)}); err != nil {
				return err
			}
		}
	}
	d := days[fact.Date]
	if d == nil {
		d = &county.DayStats{}
		if err := getDay(tx, station, fact.Date, d); err != nil {
			return err
		}
		days[fact.Date] = d
	}
	d.Count(fact)
	return nil
}

// Entries implements county.Store.
func (s *Store) Entries(ctx context.Context, station string, from uint64, limit int) ([]wire.Entry, error) {
	if limit <= 0 {
		return nil, nil
	}
	stored, err := s.StoredEntries(ctx, station, from, limit)
	if len(stored) == 0 {
		return nil, err
	}
	out := make([]wire.Entry, len(stored))
	for i := range stored {
		out[i] = stored[i].Entry
	}
	return out, err
}

// Highest implements county.Store.
func (s *Store) Highest(ctx context.Context) (map[string]uint64, error) {
	out := map[string]uint64{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketEntries).ForEachBucket(func(k []byte) error {
			if last, _ := tx.Bucket(bucketEntries).Bucket(k).Cursor().Last(); last != nil {
				out[string(k)] = binary.BigEndian.Uint64(last)
			}
			return nil
		})
	})
	return out, err
}

// EntryCount implements county.Store.
func (s *Store) EntryCount(ctx context.Context, station string) (entries, ids int, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		if b := tx.Bucket(bucketEntries).Bucket([]byte(station)); b != nil {
			entries = b.Stats().KeyN
		}
		ids = tx.Bucket(bucketIDs).Stats().KeyN
		return nil
	})
	return entries, ids, err
}

// putCampaign keeps c unless a report of the same part of a higher sequence is kept
// already.
func putCampaign(b *bbolt.Bucket, c *county.Campaign) error {
	key := join(c.Station, c.ID+"\x00"+strconv.Itoa(c.Part))
	var held county.Campaign
	if ok, err := getJSON(b, key, &held); err != nil || ok && held.Seq > c.Seq {
		return err
	}
	return putJSON(b, key, c)
}

// Campaigns implements county.Store.
func (s *Store) Campaigns(ctx context.Context) ([]county.Campaign, error) {
	var out []county.Campaign
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketCampaigns).ForEach(func(k, v []byte) error {
			var c county.Campaign
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode campaign %q: %w", k, err)
			}
			out = append(out, c)
			return nil
		})
	})
	return out, err
}
