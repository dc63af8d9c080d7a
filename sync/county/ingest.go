package county

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/wire"
)

// Push is a decoded push body.
type Push = wire.PushRequest

// StoredEntry is an entry as the county keeps it, with the time it was received: what
// a store holds under the keys (station, seq) and entry id, and what one store hands
// another when a county moves.
type StoredEntry struct {
	wire.Entry
	ReceivedAt time.Time `json:"received_at"`
}

// MaxPushEntries is the most entries one push may carry: a station sends at most
// wire.MaxEntries; the rest is room for older or newer stations.
const MaxPushEntries = 5 * wire.MaxEntries

// DecodePush reads a push body.
func DecodePush(r io.Reader) (*Push, error) {
	var p Push
	if err := json.NewDecoder(r).Decode(&p); err != nil {
		return nil, err
	}
	return &p, nil
}

// CheckPush refuses a push that names no station or carries too many entries.
func CheckPush(p *Push) error {
	if p.Station == "" || len(p.Entries) > MaxPushEntries {
		return Errorf(backend.EINVALID, "county.push_shape", MaxPushEntries)
	}
	return nil
}

// Kinds the dashboard counts. Other kinds are stored and counted by name only.
const (
	KindTicketIssued = "ticket.issued"
	KindTicketCalled = "ticket.call"
	KindVisitCreated = "visit.created"
)

// Texts of the per-entry rejections in a push answer (wire.Result.Message), which
// stations keep with their dead letters.
const (
	// RejectIDElsewhere: the entry id is another station's record's.
	RejectIDElsewhere = "entry id stored already for another station"
)

// RejectSeqTaken is the text for a sequence that holds another entry: protocol 1
// stations keep the entry as a dead letter, protocol 2 stations renumber it above
// the answer's Highest and send it again.
func RejectSeqTaken(seq uint64, heldID string) string {
	return fmt.Sprintf("sequence %d holds another entry (%s) already: was the station restored from a backup?", seq, heldID)
}

// BindKey binds st to the station key a push names, or refuses a push naming another
// key than the one bound: a copied enrolment file must not feed a second station's
// sequences into this one.
func BindKey(st *Station, key string) error {
	if st.KeyID != "" && st.KeyID != key {
		return Errorf(backend.ECONFLICT, "county.station_key", st.KeyID, key)
	}
	st.KeyID = key
	if st.Received == nil {
		st.Received = map[string]int{}
	}
	return nil
}

// ReportBacklog records on st what a push said of the station's backlog, less the
// delivered entries the push just handed over, and when it was seen.
func ReportBacklog(st *Station, req *Push, delivered int, now time.Time) {
	st.LastSeen = &now
	st.Version = req.Version
	st.Pending = max(req.Pending-delivered, 0)
	st.OldestPending = req.OldestPending
	if st.Pending == 0 {
		st.OldestPending = nil
	}
	st.DeadLetters = req.DeadLetters
}

// DayStats are one station's figures for one day.
type DayStats struct {
	Tickets  int `json:"tickets"`
	Visits   int `json:"visits"`
	Called   int `json:"called"`
	WaitSumS int `json:"wait_sum_s"`
	WaitMaxS int `json:"wait_max_s"`
}

// Add adds other's figures to d, as the dashboard's total does.
func (d *DayStats) Add(other DayStats) {
	d.Tickets += other.Tickets
	d.Visits += other.Visits
	d.Called += other.Called
	d.WaitSumS += other.WaitSumS
	d.WaitMaxS = max(d.WaitMaxS, other.WaitMaxS)
}

// DayFact is what one newly stored entry adds to its station's day figures.
type DayFact struct {
	Date string // YYYY-MM-DD
	Kind string // KindTicketIssued, KindTicketCalled or KindVisitCreated
	// Ticket is the called ticket's id: only its first call counts, a ticket called
	// again after a no-show or a hold waited once. The store keeps which it counted.
	Ticket string
	WaitS  int // seconds from issue to call
}

// FactOf returns what entry e adds to the day figures, and false when it adds
// nothing: another kind, data that does not decode (stored as it came; the figures
// just leave it out), or a call without its ticket or times. An entry without a date
// counts on the day of its time in loc.
func FactOf(e *wire.Entry, loc *time.Location) (DayFact, bool) {
	if e.Kind != KindTicketIssued && e.Kind != KindTicketCalled && e.Kind != KindVisitCreated {
		return DayFact{}, false
	}
	var f struct {
		ID       string    `json:"id"`
		Date     string    `json:"date"`
		IssuedAt time.Time `json:"issued_at"`
		CalledAt time.Time `json:"called_at"`
	}
	var err error
	if e.Kind == KindTicketCalled {
		err = json.Unmarshal(e.Data, &f)
	} else {
		// Issues and visits need only their date: no time parsing on the busiest path.
		var d struct {
			Date string `json:"date"`
		}
		err = json.Unmarshal(e.Data, &d)
		f.Date = d.Date
	}
	if err != nil {
		return DayFact{}, false
	}
	fact := DayFact{Date: f.Date, Kind: e.Kind}
	if fact.Date == "" {
		fact.Date = e.At.In(loc).Format("2006-01-02")
	}
	if e.Kind == KindTicketCalled {
		if f.ID == "" || f.IssuedAt.IsZero() || f.CalledAt.IsZero() {
			return DayFact{}, false
		}
		fact.Ticket = f.ID
		fact.WaitS = max(int(f.CalledAt.Sub(f.IssuedAt)/time.Second), 0)
	}
	return fact, true
}

// Count adds fact to d.
func (d *DayStats) Count(fact DayFact) {
	switch fact.Kind {
	case KindTicketIssued:
		d.Tickets++
	case KindVisitCreated:
		d.Visits++
	case KindTicketCalled:
		d.Called++
		d.WaitSumS += fact.WaitS
		d.WaitMaxS = max(d.WaitMaxS, fact.WaitS)
	}
}
