package county

import (
	"encoding/json"

	"bingzhan/backend"
	"bingzhan/sync/wire"
)

// KindCampaign is the kind of a station's outreach campaign report.
const KindCampaign = backend.KindOutreachCampaign

// Campaign is a station's outreach campaign (走访慰问) as the latest report of it the
// county stored gave it (Seq): the households it covers, the county's own ids, and
// whether each was reached — no names or addresses.
type Campaign struct {
	Station string `json:"station"`
	Seq     uint64 `json:"seq"`
	backend.CampaignFact
}

// CampaignOf returns the campaign an entry reports, and false for another kind or
// data that does not decode (stored as it came; the campaign list leaves it out).
func CampaignOf(station string, e *wire.Entry) (*Campaign, bool) {
	if e.Kind != KindCampaign {
		return nil, false
	}
	c := &Campaign{Station: station, Seq: e.Seq}
	if json.Unmarshal(e.Data, &c.CampaignFact) != nil || c.ID == "" {
		return nil, false
	}
	return c, true
}

// Missed returns the households of c not reached: left and not reached, by id.
func (c *Campaign) Missed() []string {
	var out []string
	for h, st := range c.Households {
		if st != backend.CampaignDone {
			out = append(out, h)
		}
	}
	return out
}
