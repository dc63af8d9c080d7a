package backend

import (
	"encoding/json"
	"time"
)

// OutboxEntry is one fact waiting to go to the county (待同步). It is written in the same
// transaction as the change it reports, with an id made on the station and a
// per-station sequence, so the county can store it exactly once however often it is
// sent.
type OutboxEntry struct {
	ID        string          `json:"id"`
	Seq       uint64          `json:"seq"`
	StationID string          `json:"station_id"`
	Kind      string          `json:"kind"` // e.g. "ticket.issued"
	At        time.Time       `json:"at"`   // station clock, informative only
	Data      json.RawMessage `json:"data"`
}

// Outbox entry kinds.
const (
	KindTicketIssued = "ticket.issued"
)

// TicketFact is what the county learns of a ticket: no person key, no proof.
type TicketFact struct {
	ID       string       `json:"id"`
	Date     string       `json:"date"`
	Service  string       `json:"service"`
	Number   string       `json:"number"`
	Priority bool         `json:"priority"`
	IssuedAt time.Time    `json:"issued_at"`
	Status   TicketStatus `json:"status"`
}

// Fact returns the part of t that is reported to the county.
func (t *Ticket) Fact() TicketFact {
	return TicketFact{ID: t.ID, Date: t.Date, Service: t.Service, Number: t.Number,
		Priority: t.Priority, IssuedAt: t.IssuedAt, Status: t.Status}
}
