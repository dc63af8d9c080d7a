package postgres

import (
	"context"
	"fmt"
	"math"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Ingest implements county.Store: one transaction, its station's row locked first.
// A push whose ctx is done before it commits stores nothing.
func (s *Store) Ingest(ctx context.Context, id string, req *county.Push) (*wire.PushResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	defer c.Release()
	resp, err := s.ingest(ctx, c, id, req, now)
	if err != nil {
		rollback(ctx, c)
		return nil, ctxErr(ctx, err)
	}
	return resp, nil
}

// rollback ends the transaction a push left open on c after an error. A connection
// that cannot is closed, and the pool drops it.
func rollback(ctx context.Context, c *pgxpool.Conn) {
	if c.Conn().PgConn().TxStatus() == 'I' {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := c.Exec(ctx, "ROLLBACK"); err != nil {
		c.Conn().Close(ctx)
	}
}

// checkEntry is wire's check, and a sequence the database can hold (below 2^63).
func checkEntry(e *wire.Entry, station string) (code, message string) {
	if code, message := e.Check(station); code != "" {
		return code, message
	}
	if e.Seq > math.MaxInt64 {
		return backend.EINVALID, "seq must be below 2^63"
	}
	return "", ""
}

// ingest stores a push in one transaction on c. Its BEGIN goes with the first batch
// of statements and its COMMIT with the last, two round trips fewer than pgx.Tx
// takes: the caller rolls back when it returns an error.
func (s *Store) ingest(ctx context.Context, c *pgxpool.Conn, id string, req *county.Push, now time.Time) (*wire.PushResponse, error) {
	resp := &wire.PushResponse{Results: make([]wire.Result, len(req.Entries)), ReceivedAt: now}
	rows := newEntryRows(len(req.Entries))
	for i := range req.Entries {
		e := &req.Entries[i]
		resp.Results[i].Seq = e.Seq
		if code, msg := checkEntry(e, req.Station); code != "" {
			resp.Results[i].Status, resp.Results[i].Code, resp.Results[i].Message = wire.Rejected, code, msg
			continue
		}
		rows.add(i, e, now, s.location)
	}
	// The push's dead-letter count goes on the day it arrived.
	today := county.DateOf(now, s.location)
	rows.addDate(today)

	// One round trip: lock the station, insert what is new, read the day figures the
	// push may add to. Should the station be unknown, or bound to another key, the
	// transaction rolls back and the insert with it.
	var st county.Station
	var highest uint64
	w, err := s.write(ctx, c, id, rows, func(b *pgx.Batch) {
		b.Queue("BEGIN")
		b.Queue(`SELECT `+stationColumns+`, highest FROM stations WHERE id = $1 FOR UPDATE`, id).QueryRow(func(row pgx.Row) error {
			return scanStation(row, &st, &highest)
		})
	})
	if found, err := noRows(err); err != nil {
		return nil, err
	} else if !found {
		return nil, county.Errorf(backend.EUNAUTHORIZED, "county.station_unknown", id)
	}
	if err := county.BindKey(&st, req.Station); err != nil {
		return nil, err
	}

	delivered := 0
	for k, i := range rows.index {
		if w.inserted[k] {
			resp.Results[i].Status = wire.Accepted
			st.Received[rows.kind[k]]++
			st.Total++
			delivered++
		}
	}
	if w.n < len(rows.index) {
		n, err := s.sortOut(ctx, c, id, req, &st, rows, w, resp)
		if err != nil {
			return nil, err
		}
		delivered += n
	}
	b := &pgx.Batch{}
	if err := w.finish(ctx, c, id, &st, &highest, b, req, today); err != nil {
		return nil, err
	}
	resp.Contiguous, resp.Highest = st.Contiguous, highest
	county.ReportBacklog(&st, req, delivered, now)
	b.Queue(`UPDATE stations SET key_id = $2, version = $3, last_seen = $4, pending = $5, oldest_pending = $6,
		dead_letters = $7, contiguous = $8, highest = $9, received = $10, total = $11 WHERE id = $1`,
		id, st.KeyID, st.Version, st.LastSeen, st.Pending, st.OldestPending, st.DeadLetters, int64(st.Contiguous),
		int64(highest), st.Received, st.Total)
	b.Queue("COMMIT")
	return resp, c.SendBatch(ctx, b).Close()
}

// sortOut answers the entries of a push that the insert left out, as bbolt answers
// them entry by entry: a retry (duplicate), a record held under another sequence
// (duplicate, Held), a discard marker for a taken slot (kept apart, once), another
// station's id, or a taken sequence (rejected, Renumber). bbolt decides each entry on
// what the entries before it left, so an entry this push stored later is not yet
// there for it. It returns how many it delivered.
func (s *Store) sortOut(ctx context.Context, tx conn, station string, req *county.Push, st *county.Station,
	rows *entryRows, w *written, resp *wire.PushResponse) (int, error) {
	var seqs []int64
	var ids []string
	var left []int // rows not inserted
	for k := range rows.index {
		if !w.inserted[k] {
			left = append(left, k)
			seqs, ids = append(seqs, rows.seq[k]), append(ids, rows.id[k])
		}
	}
	type holder struct {
		slotID    *string // the id under the entry's sequence
		idStation *string // the station that holds the entry's id, under idSeq
		idSeq     *int64
	}
	held := make([]holder, len(left))
	// One index lookup per entry (LATERAL … OFFSET 0 keeps the planner from a hash
	// join over the station's entries, which a cached plan on stale statistics picks).
	q, err := tx.Query(ctx, `SELECT p.ord, slot.id, holder.station_id, holder.seq
		FROM unnest($2::bigint[], $3::text[]) WITH ORDINALITY AS p(seq, id, ord)
		LEFT JOIN LATERAL (SELECT id FROM entries WHERE station_id = $1 AND seq = p.seq OFFSET 0) AS slot ON true
		LEFT JOIN LATERAL (SELECT station_id, seq FROM entries WHERE id = p.id OFFSET 0) AS holder ON true`, station, seqs, ids)
	if err != nil {
		return 0, err
	}
	var ord int
	var h holder
	_, err = pgx.ForEachRow(q, []any{&ord, &h.slotID, &h.idStation, &h.idSeq}, func() error {
		held[ord-1] = h
		return nil
	})
	if err != nil {
		return 0, err
	}
	storedAt := map[int64]int{}  // sequence → the row of this push stored under it
	storedID := map[string]int{} // entry id → the row of this push that holds it
	for k := range rows.index {
		if w.inserted[k] {
			storedAt[rows.seq[k]], storedID[rows.id[k]] = k, k
		}
	}
	delivered := 0
	var markers []int // discard markers to keep, once by id
	markerRow := map[string]int{}
	for j, k := range left {
		i, e, h := rows.index[k], &req.Entries[rows.index[k]], held[j]
		r := &resp.Results[i]
		if h.slotID != nil {
			w.present[rows.seq[k]] = true
		}
		// What a later entry of this push stored was not there yet for this one.
		if later, ok := storedAt[rows.seq[k]]; ok && later > k {
			h.slotID = nil
		}
		if later, ok := storedID[e.ID]; ok && later > k {
			h.idStation = nil
		}
		heldHere := h.idStation != nil && *h.idStation == station
		switch {
		case h.slotID != nil && *h.slotID == e.ID:
			r.Status = wire.Duplicate
			delivered++
		case heldHere:
			r.Status, r.Held = wire.Duplicate, uint64(*h.idSeq)
			delivered++
		case h.slotID != nil && e.Kind == wire.KindDiscarded:
			r.Status = wire.Duplicate
			if _, seen := markerRow[e.ID]; !seen {
				markerRow[e.ID] = k
				markers = append(markers, k)
			}
			delivered++
		case h.idStation != nil:
			r.Status, r.Code, r.Message = wire.Rejected, backend.ECONFLICT, county.RejectIDElsewhere
		case h.slotID != nil:
			r.Status, r.Code, r.Renumber = wire.Rejected, backend.ECONFLICT, true
			r.Message = county.RejectSeqTaken(e.Seq, *h.slotID)
		default:
			return 0, fmt.Errorf("entry %s/%d neither stored nor held", station, e.Seq)
		}
	}
	if len(markers) == 0 {
		return delivered, nil
	}
	// The slot holds another entry, so the record the station dropped was never
	// stored here; the marker still says which it was and why.
	kept := rows.pick(markers)
	q, err = tx.Query(ctx, `INSERT INTO discards (station_id, id, seq, key_id, kind, at, data, received_at)
		SELECT $1, d.id, d.seq, d.key_id, d.kind, d.at, d.data, d.received_at
		FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::timestamptz[])
			AS d(id, seq, key_id, kind, at, data, received_at)
		ON CONFLICT DO NOTHING RETURNING id`,
		station, kept.id, kept.seq, kept.keyID, kept.kind, kept.at, kept.data, kept.receivedAt)
	if err != nil {
		return 0, err
	}
	var markerID string
	_, err = pgx.ForEachRow(q, []any{&markerID}, func() error {
		k := markerRow[markerID]
		resp.Results[rows.index[k]].Status = wire.Accepted
		st.Received[rows.kind[k]]++
		return nil
	})
	return delivered, err
}
