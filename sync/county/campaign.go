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
// whether each was reached — no names or addresses. A large campaign comes in parts
// (Part of Parts); the stores keep the latest of each part, MergeCampaigns joins them.
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

// MergeCampaigns joins the parts of each station's campaigns: the latest part (by
// sequence) gives the name, dates, totals and how many parts there are now; the
// households come from those parts. Parts beyond that count (the campaign shrank)
// are left out.
func MergeCampaigns(parts []Campaign) []Campaign {
	type key struct{ station, id string }
	heads := map[key]*Campaign{}
	var order []key
	for i := range parts {
		k := key{parts[i].Station, parts[i].ID}
		if h, ok := heads[k]; !ok {
			order = append(order, k)
			heads[k] = &parts[i]
		} else if parts[i].Seq > h.Seq {
			heads[k] = &parts[i]
		}
	}
	out := make([]Campaign, 0, len(order))
	for _, k := range order {
		c := *heads[k]
		c.Households = map[string]string{}
		for _, p := range parts {
			if p.Station == k.station && p.ID == k.id && p.Part < max(c.Parts, 1) {
				for h, st := range p.Households {
					c.Households[h] = st
				}
			}
		}
		c.Part = 0
		out = append(out, c)
	}
	return out
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
