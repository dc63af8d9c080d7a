package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"

	"github.com/jackc/pgx/v5"
)

// entryRows are entries to store as the columns of one INSERT … SELECT FROM unnest,
// with what each adds to the day figures.
type entryRows struct {
	index      []int // each row's place among the entries given
	seq        []int64
	id, keyID  []string
	kind, at   []string
	data       [][]byte
	receivedAt []time.Time
	fact       []county.DayFact
	counts     []bool // whether fact holds one

	tickets []string // the tickets the facts are about, each once, whose marks to read
	ticket  map[string]bool

	dates []string // the days the facts name, each once
	date  map[string]bool
}

type seqID struct {
	seq int64
	id  string
}

func newEntryRows(n int) *entryRows {
	return &entryRows{
		index: make([]int, 0, n), seq: make([]int64, 0, n), id: make([]string, 0, n), keyID: make([]string, 0, n),
		kind: make([]string, 0, n), at: make([]string, 0, n), data: make([][]byte, 0, n),
		receivedAt: make([]time.Time, 0, n), fact: make([]county.DayFact, 0, n), counts: make([]bool, 0, n),
		ticket: map[string]bool{}, date: map[string]bool{},
	}
}

// add adds entry i, received at receivedAt, with its day fact in loc.
func (r *entryRows) add(i int, e *wire.Entry, receivedAt time.Time, loc *time.Location) {
	r.index = append(r.index, i)
	r.seq = append(r.seq, int64(e.Seq))
	r.id = append(r.id, e.ID)
	r.keyID = append(r.keyID, e.StationID)
	r.kind = append(r.kind, e.Kind)
	r.at = append(r.at, e.At.Format(time.RFC3339Nano))
	r.data = append(r.data, e.Data)
	r.receivedAt = append(r.receivedAt, receivedAt)
	fact, ok := county.FactOf(e, loc)
	r.fact, r.counts = append(r.fact, fact), append(r.counts, ok)
	if ok {
		r.addDate(fact.Date)
	}
	if ok && fact.Ticket != "" && !r.ticket[fact.Ticket] {
		r.ticket[fact.Ticket] = true
		r.tickets = append(r.tickets, fact.Ticket)
	}
}

// addDate adds a day whose figures the write reads, to count into or report on.
func (r *entryRows) addDate(date string) {
	if !r.date[date] {
		r.date[date] = true
		r.dates = append(r.dates, date)
	}
}

// pick returns rows ks of r as rows of their own.
func (r *entryRows) pick(ks []int) *entryRows {
	p := newEntryRows(len(ks))
	for _, k := range ks {
		p.index = append(p.index, r.index[k])
		p.seq, p.id, p.keyID = append(p.seq, r.seq[k]), append(p.id, r.id[k]), append(p.keyID, r.keyID[k])
		p.kind, p.at, p.data = append(p.kind, r.kind[k]), append(p.at, r.at[k]), append(p.data, r.data[k])
		p.receivedAt = append(p.receivedAt, r.receivedAt[k])
	}
	return p
}

// insertEntries stores the rows that take no key another entry holds, in their order,
// so a row meets the rows before it as bbolt's loop does. It returns the (seq, id) of
// each row stored.
const insertEntries = `INSERT INTO entries (station_id, seq, id, key_id, kind, at, data, received_at)
		SELECT $1, e.seq, e.id, e.key_id, e.kind, e.at, e.data, e.received_at
		FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::timestamptz[])
			AS e(seq, id, key_id, kind, at, data, received_at)
		ON CONFLICT DO NOTHING
		RETURNING seq, id`

// written is what one write of entry rows did and found.
type written struct {
	rows     *entryRows
	inserted []bool // by row
	n        int    // rows inserted
	// marks are the stored county.TicketMarks of the rows' tickets.
	marks map[string]county.TicketMarks
	// days are the stored figures of the days the rows name.
	days map[string]*county.DayStats
	// present are sequences known to hold an entry of the station now.
	present map[int64]bool
}

// conn is a transaction, or a connection in one.
type conn interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// write sends, in one round trip, what lock queues (the station row's lock), the
// insert of rows, and the read of their days' figures.
func (s *Store) write(ctx context.Context, tx conn, station string, rows *entryRows, lock func(*pgx.Batch)) (*written, error) {
	w := &written{rows: rows, inserted: make([]bool, len(rows.index)), marks: map[string]county.TicketMarks{},
		days: map[string]*county.DayStats{}, present: map[int64]bool{}}
	b := &pgx.Batch{}
	lock(b)
	if len(rows.index) > 0 {
		b.Queue(insertEntries, station, rows.seq, rows.id, rows.keyID, rows.kind, rows.at, rows.data, rows.receivedAt).Query(func(q pgx.Rows) error {
			first := make(map[seqID]int, len(rows.index))
			for k := len(rows.index) - 1; k >= 0; k-- {
				first[seqID{rows.seq[k], rows.id[k]}] = k
			}
			var seq int64
			var id string
			_, err := pgx.ForEachRow(q, []any{&seq, &id}, func() error {
				w.inserted[first[seqID{seq, id}]] = true
				w.n++
				return nil
			})
			return err
		})
	}
	if len(rows.tickets) > 0 {
		// The station's row is locked: no other push changes these marks meanwhile.
		// One index lookup per ticket: as ticket = ANY($2) or a plain join, a cached
		// plan on stale statistics read every ticket of the station, a cost that rose
		// with every push (OFFSET 0 keeps the subquery from being flattened).
		b.Queue(`SELECT q.ticket, t.marks FROM unnest($2::text[]) AS q(ticket)
			CROSS JOIN LATERAL (SELECT marks FROM tickets WHERE station_id = $1 AND ticket = q.ticket OFFSET 0) AS t`, station, rows.tickets).Query(func(q pgx.Rows) error {
			var ticket string
			var marks int16
			_, err := pgx.ForEachRow(q, []any{&ticket, &marks}, func() error {
				w.marks[ticket] = county.TicketMarks(marks)
				return nil
			})
			return err
		})
	}
	if len(rows.dates) > 0 {
		b.Queue(`SELECT date, stats FROM daily WHERE station_id = $1 AND date = ANY($2)`, station, rows.dates).Query(func(q pgx.Rows) error {
			var date string
			var raw []byte
			_, err := pgx.ForEachRow(q, []any{&date, &raw}, func() error {
				d := &county.DayStats{}
				w.days[date] = d
				return county.DecodeDay(raw, d, nil)
			})
			return err
		})
	}
	return w, tx.SendBatch(ctx, b).Close()
}

// finish counts what the stored rows add to their days, by their tickets' marks
// (county.Tally), and queues the writes of the days and marks on b; it moves highest,
// and st's contiguous mark over the sequences now held. report, when not nil, is a
// push whose dead-letter count goes on the day today (which rows.dates holds).
func (w *written) finish(ctx context.Context, tx conn, station string, st *county.Station, highest *uint64, b *pgx.Batch,
	report *county.Push, today string) error {
	rows := w.rows
	before := *highest
	var dates []string
	var stats [][]byte
	changed := map[string]bool{}
	marked := map[string]bool{}
	campaigns := map[campaignPart]*county.Campaign{}
	for k := range rows.index {
		if !w.inserted[k] {
			continue
		}
		seq := uint64(rows.seq[k])
		*highest = max(*highest, seq)
		w.present[rows.seq[k]] = true
		if c, ok := county.CampaignOf(station, &wire.Entry{Kind: rows.kind[k], Seq: seq, Data: rows.data[k]}); ok {
			// One row per campaign part in the statement: the push's latest report.
			key := campaignPart{c.ID, c.Part}
			if held := campaigns[key]; held == nil || held.Seq < c.Seq {
				campaigns[key] = c
			}
			continue
		}
		fact := rows.fact[k]
		if !rows.counts[k] {
			continue
		}
		if fact.Ticket != "" {
			var next county.TicketMarks
			var ok bool
			if fact, next, ok = county.Tally(fact, w.marks[fact.Ticket]); !ok {
				continue
			}
			w.marks[fact.Ticket], marked[fact.Ticket] = next, true
		}
		w.day(fact.Date).Count(fact)
		changed[fact.Date] = true
	}
	if report != nil && w.day(today).ReportDeadLetters(report) {
		changed[today] = true
	}
	if len(marked) > 0 {
		tickets := make([]string, 0, len(marked))
		marks := make([]int16, 0, len(marked))
		for _, t := range rows.tickets {
			if marked[t] {
				tickets, marks = append(tickets, t), append(marks, int16(w.marks[t]))
			}
		}
		b.Queue(`INSERT INTO tickets (station_id, ticket, marks) SELECT $1, t.ticket, t.marks
			FROM unnest($2::text[], $3::smallint[]) AS t(ticket, marks)
			ON CONFLICT (station_id, ticket) DO UPDATE SET marks = excluded.marks`, station, tickets, marks)
	}
	for _, date := range rows.dates {
		if changed[date] {
			dates, stats = append(dates, date), append(stats, county.EncodeDay(w.days[date]))
		}
	}
	if len(dates) > 0 {
		b.Queue(`INSERT INTO daily (station_id, date, stats) SELECT $1, d.date, d.stats
			FROM unnest($2::text[], $3::bytea[]) AS d(date, stats)
			ON CONFLICT (station_id, date) DO UPDATE SET stats = excluded.stats`, station, dates, stats)
	}
	if err := queueCampaigns(b, station, campaigns); err != nil {
		return err
	}
	c := st.Contiguous
	for w.present[int64(c+1)] {
		c++
	}
	if c < before {
		// The push filled a gap below what the station held: walk on over what
		// earlier pushes stored.
		var err error
		if c, err = walkContiguous(ctx, tx, station, c); err != nil {
			return err
		}
	}
	st.Contiguous = c
	return nil
}

// day returns the figures of date, new ones if none are stored.
func (w *written) day(date string) *county.DayStats {
	d := w.days[date]
	if d == nil {
		d = &county.DayStats{}
		w.days[date] = d
	}
	return d
}

// walkContiguous returns the highest sequence from c on below which station holds
// every one.
func walkContiguous(ctx context.Context, tx conn, station string, c uint64) (uint64, error) {
	const page = 10000
	for {
		rows, err := tx.Query(ctx, `SELECT seq FROM entries WHERE station_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
			station, int64(c), page)
		if err != nil {
			return 0, err
		}
		seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return 0, err
		}
		for _, seq := range seqs {
			if uint64(seq) != c+1 {
				return c, nil
			}
			c++
		}
		if len(seqs) < page {
			return c, nil
		}
	}
}

// Entries implements county.Store.
func (s *Store) Entries(ctx context.Context, station string, from uint64, limit int) ([]wire.Entry, error) {
	if limit <= 0 || from > math.MaxInt64 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, seq, key_id, kind, at, data FROM entries
		WHERE station_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3`, station, int64(from), limit)
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	var out []wire.Entry
	var e wire.Entry
	var at string
	var data []byte
	_, err = pgx.ForEachRow(rows, []any{&e.ID, &e.Seq, &e.StationID, &e.Kind, &at, &data}, func() error {
		var err error
		if e.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return err
		}
		e.Data = json.RawMessage(data)
		out = append(out, e)
		return nil
	})
	return out, ctxErr(ctx, err)
}

// Highest implements county.Store.
func (s *Store) Highest(ctx context.Context) (map[string]uint64, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, highest FROM stations WHERE highest > 0`)
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	out := map[string]uint64{}
	var id string
	var highest int64
	_, err = pgx.ForEachRow(rows, []any{&id, &highest}, func() error {
		out[id] = uint64(highest)
		return nil
	})
	return out, ctxErr(ctx, err)
}

// EntryCount implements county.Store. It counts rows, not counters: it is the proof
// of "exactly once".
func (s *Store) EntryCount(ctx context.Context, station string) (entries, ids int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM entries WHERE station_id = $1), (SELECT count(*) FROM entries)`,
		station).Scan(&entries, &ids)
	return entries, ids, ctxErr(ctx, err)
}

// PutEntries stores entries of station as another store kept them, with their
// receive times, and returns how many it added: those under a sequence or id the
// county holds already are left out, so running it again adds none. The day figures
// count what it adds, as Ingest counts it; the station's highest sequence and
// contiguous mark move on; its counts by kind and total do not (they come with
// PutStation, from the same store). Returns ENOTFOUND for an unknown station, EINVALID
// for an entry of sequence 0 or 2^63 and above, or without an id.
func (s *Store) PutEntries(ctx context.Context, station string, entries []county.StoredEntry) (added int, err error) {
	rows := newEntryRows(len(entries))
	for i := range entries {
		e := &entries[i]
		if e.Seq == 0 || e.Seq > math.MaxInt64 || e.ID == "" {
			return 0, county.Errorf(backend.EINVALID, "county.text", "entry "+e.ID+": sequence or id out of range")
		}
		rows.add(i, &e.Entry, e.ReceivedAt.UTC(), s.location)
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var st county.Station
		var highest uint64
		w, err := s.write(ctx, tx, station, rows, func(b *pgx.Batch) {
			b.Queue(`SELECT contiguous, highest FROM stations WHERE id = $1 FOR UPDATE`, station).QueryRow(func(row pgx.Row) error {
				return row.Scan(&st.Contiguous, &highest)
			})
		})
		if found, err := noRows(err); err != nil {
			return err
		} else if !found {
			return county.ErrStationNotFound(station)
		}
		b := &pgx.Batch{}
		if err := w.finish(ctx, tx, station, &st, &highest, b, nil, ""); err != nil {
			return err
		}
		b.Queue(`UPDATE stations SET contiguous = $2, highest = $3 WHERE id = $1`, station, int64(st.Contiguous), int64(highest))
		added = w.n
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// campaignPart names one part of a campaign of the pushing station.
type campaignPart struct {
	id   string
	part int
}

// queueCampaigns queues on b the keeping of campaigns, each unless a report of the
// same part of a higher sequence is kept already.
func queueCampaigns(b *pgx.Batch, station string, campaigns map[campaignPart]*county.Campaign) error {
	if len(campaigns) == 0 {
		return nil
	}
	n := len(campaigns)
	ids, parts, seqs, data := make([]string, 0, n), make([]int32, 0, n), make([]int64, 0, n), make([][]byte, 0, n)
	for k, c := range campaigns {
		raw, err := json.Marshal(c)
		if err != nil {
			return err
		}
		ids, parts, seqs, data = append(ids, k.id), append(parts, int32(k.part)), append(seqs, int64(c.Seq)), append(data, raw)
	}
	b.Queue(`INSERT INTO campaigns (station_id, id, part, seq, data) SELECT $1, c.id, c.part, c.seq, c.data
		FROM unnest($2::text[], $3::integer[], $4::bigint[], $5::bytea[]) AS c(id, part, seq, data)
		ON CONFLICT (station_id, id, part) DO UPDATE SET seq = excluded.seq, data = excluded.data
		WHERE campaigns.seq < excluded.seq`, station, ids, parts, seqs, data)
	return nil
}

// Campaigns implements county.Store.
func (s *Store) Campaigns(ctx context.Context) ([]county.Campaign, error) {
	rows, err := s.pool.Query(ctx, `SELECT data FROM campaigns`)
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	var out []county.Campaign
	var raw []byte
	_, err = pgx.ForEachRow(rows, []any{&raw}, func() error {
		var c county.Campaign
		if err := json.Unmarshal(raw, &c); err != nil {
			return fmt.Errorf("decode campaign: %w", err)
		}
		out = append(out, c)
		return nil
	})
	return out, ctxErr(ctx, err)
}
