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
