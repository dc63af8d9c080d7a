package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"bingzhan/backend"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// Campaigns:
//
//	outreach_campaigns:         id → open record (JSON, its length first) | sealed teams
//	outreach_campaign_requests: request id → id
//
// The open record is the campaign without its teams: names are sealed, keyed by
// household.
var (
	bucketCampaigns        = newBucket("outreach_campaigns")
	bucketCampaignRequests = newBucket("outreach_campaign_requests")
)

const sealCampaign = "outreach.campaign_teams"

// PlanCampaign makes a campaign of the households due under req.Kind, not counting
// visits before req.From, in one transaction with its outbox fact.
func (s *OutreachService) PlanCampaign(ctx context.Context, req backend.CampaignRequest, by string) (*backend.CampaignView, bool, error) {
	now := s.now()
	if err := req.Validate(now); err != nil {
		return nil, false, err
	}
	rules, within := s.Rules(ctx)
	var out *backend.CampaignView
	created := false
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		out, created = nil, false
		if req.RequestID != "" {
			if id := tx.Bucket(bucketCampaignRequests).Get([]byte(req.RequestID)); id != nil {
				c, err := s.getCampaign(tx, string(id))
				if err != nil {
					return err
				}
				out, err = s.view(tx, c, true)
				return err
			}
		}
		all, err := s.households(tx)
		if err != nil {
			return err
		}
		q := backend.DueQuery{Kind: req.Kind, Since: req.From}
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		at := now.Truncate(time.Second)
		c := &backend.Campaign{ID: id.String(), Name: req.Name, Kind: req.Kind, From: req.From, To: req.To,
			Households: []backend.CampaignHousehold{}, CreatedBy: by, CreatedAt: at, UpdatedAt: at, Version: 1}
		for _, h := range all {
			if h.IsDue(q, rules, within) {
				c.Households = append(c.Households, backend.CampaignHousehold{ID: h.ID, Team: []string{}})
			}
		}
		if err := s.putCampaign(tx, c); err != nil {
			return err
		}
		if req.RequestID != "" {
			if err := tx.Bucket(bucketCampaignRequests).Put([]byte(req.RequestID), []byte(c.ID)); err != nil {
				return err
			}
		}
		if out, err = s.viewOf(tx, c, all, true); err != nil {
			return err
		}
		created = true
		return s.report(tx, out)
	})
	return out, created, err
}

// Campaigns lists the campaigns, newest first, with their totals.
func (s *OutreachService) Campaigns(ctx context.Context) ([]backend.CampaignView, error) {
	var out []backend.CampaignView
	err := s.db.db.View(func(tx *bolt.Tx) error {
		out = nil
		all, err := s.households(tx)
		if err != nil {
			return err
		}
		c := tx.Bucket(bucketCampaigns).Cursor()
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			cp, err := s.getCampaign(tx, string(k))
			if err != nil {
				return err
			}
			v, err := s.viewOf(tx, cp, all, true)
			if err != nil {
				return err
			}
			v.Rows = nil
			out = append(out, *v)
		}
		return nil
	})
	return out, err
}

// Campaign returns one campaign with its rows, masked.
func (s *OutreachService) Campaign(ctx context.Context, id string) (*backend.CampaignView, error) {
	var out *backend.CampaignView
	err := s.db.db.View(func(tx *bolt.Tx) error {
		c, err := s.getCampaign(tx, id)
		if err != nil {
			return err
		}
		out, err = s.view(tx, c, true)
		return err
	})
	return out, err
}

// UpdateCampaign applies p by by, in one transaction with its outbox fact.
func (s *OutreachService) UpdateCampaign(ctx context.Context, id string, p backend.CampaignPatch, by string) (*backend.CampaignView, error) {
	var out *backend.CampaignView
	err := s.db.db.Update(func(tx *bolt.Tx) error {
		c, err := s.getCampaign(tx, id)
		if err != nil {
			return err
		}
		all, err := s.households(tx)
		if err != nil {
			return err
		}
		known := func(id string) bool {
			return slices.ContainsFunc(all, func(h *backend.Household) bool { return h.ID == id })
		}
		if err := p.Apply(c, s.now(), known); err != nil {
			return err
		}
		if err := s.putCampaign(tx, c); err != nil {
			return err
		}
		if out, err = s.viewOf(tx, c, all, true); err != nil {
			return err
		}
		return s.report(tx, out)
	})
	return out, err
}

// CampaignSheet returns the campaign's rows in the clear for the visit sheet, and
// records the export.
func (s *OutreachService) CampaignSheet(ctx context.Context, id, team, reason, by string) (*backend.CampaignView, error) {
	reason, err := backend.CheckReason(reason)
	if err != nil {
		return nil, err
	}
	var out *backend.CampaignView
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		c, err := s.getCampaign(tx, id)
		if err != nil {
			return err
		}
		if out, err = s.view(tx, c, false); err != nil {
			return err
		}
		if team != "" {
			out.Rows = slices.DeleteFunc(out.Rows, func(r backend.CampaignRow) bool { return !slices.Contains(r.Team, team) })
		}
		return s.ledger.logAccess(tx, backend.AccessEntry{Action: backend.AccessExport, Count: len(out.Rows),
			Filter: "outreach campaign " + c.Name, By: by, Reason: reason})
	})
	if err != nil {
		return nil, err
	}
	s.db.Logger.Info("campaign visit sheet printed", "campaign", id, "rows", len(out.Rows), "by", by)
	return out, nil
}

// campaignsIn appends, inside tx, the progress of the campaigns an entry for
// household on one of dates counts in: their rows changed with it.
func (s *OutreachService) campaignsIn(tx *bolt.Tx, household string, dates ...string) error {
	var all []*backend.Household
	return tx.Bucket(bucketCampaigns).ForEach(func(k, _ []byte) error {
		c, err := s.getCampaign(tx, string(k))
		if err != nil {
			return err
		}
		within := slices.ContainsFunc(dates, func(d string) bool { return d >= c.From && d <= c.To })
		if !within || !slices.ContainsFunc(c.Households, func(h backend.CampaignHousehold) bool { return h.ID == household }) {
			return nil
		}
		if all == nil {
			if all, err = s.households(tx); err != nil {
				return err
			}
		}
		v, err := s.viewOf(tx, c, all, true)
		if err != nil {
			return err
		}
		return s.report(tx, v)
	})
}

// report appends v's reports for the county, one outbox entry a part.
func (s *OutreachService) report(tx *bolt.Tx, v *backend.CampaignView) error {
	for _, f := range v.Facts() {
		if err := s.db.appendOutbox(tx, s.stationID, backend.KindOutreachCampaign, f); err != nil {
			return err
		}
	}
	return nil
}

// view returns c with its rows, reading the households.
func (s *OutreachService) view(tx *bolt.Tx, c *backend.Campaign, mask bool) (*backend.CampaignView, error) {
	all, err := s.households(tx)
	if err != nil {
		return nil, err
	}
	return s.viewOf(tx, c, all, mask)
}

// viewOf returns c with a row for each of its households, out of all, and the totals.
// A household the registry no longer has keeps its row, with only its id.
func (s *OutreachService) viewOf(tx *bolt.Tx, c *backend.Campaign, all []*backend.Household, mask bool) (*backend.CampaignView, error) {
	byID := make(map[string]*backend.Household, len(all))
	for _, h := range all {
		byID[h.ID] = h
	}
	v := &backend.CampaignView{Campaign: *c, Rows: make([]backend.CampaignRow, 0, len(c.Households))}
	hh := tx.Bucket(bucketOutreachHH).Cursor()
	for _, ch := range c.Households {
		row := backend.CampaignRow{Household: backend.Household{ID: ch.ID}, Team: ch.Team, NotReached: ch.NotReached,
			Status: backend.CampaignLeft}
		if h := byID[ch.ID]; h != nil {
			row.Household = *h
			row.Household.People = slices.Clone(h.People)
		}
		if mask {
			row.Household.Mask()
			row.Team = maskNames(ch.Team)
		}
		prefix := join([]byte(ch.ID), []byte{0})
		for k, _ := hh.Seek(join(prefix, []byte(c.From))); k != nil && bytes.HasPrefix(k, prefix); k, _ = hh.Next() {
			date := string(k[len(prefix) : len(prefix)+10])
			if date > c.To {
				break
			}
			o, err := s.getRecord(tx, string(k[len(k)-uuidLen:]))
			if err != nil {
				return nil, err
			}
			row.Entries++
			row.Money += o.Money
			if backend.Serves(c.Kind, o.Kind) && row.Status != backend.CampaignDone {
				row.Status, row.Date = backend.CampaignDone, o.Date
			}
		}
		if row.Status != backend.CampaignDone && ch.NotReached != "" {
			row.Status = backend.CampaignNotReached
		}
		v.Totals.Count(&row)
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

func maskNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = backend.MaskName(n)
	}
	return out
}

// campaignOpen is a stored campaign without its teams.
type campaignOpen struct {
	backend.Campaign
}

// putCampaign stores c: its teams sealed, the rest open.
func (s *OutreachService) putCampaign(tx *bolt.Tx, c *backend.Campaign) error {
	teams := map[string][]string{}
	open := *c
	open.Households = make([]backend.CampaignHousehold, len(c.Households))
	for i, h := range c.Households {
		if len(h.Team) > 0 {
			teams[h.ID] = h.Team
		}
		open.Households[i] = backend.CampaignHousehold{ID: h.ID, NotReached: h.NotReached}
	}
	plain, err := json.Marshal(teams)
	if err != nil {
		return err
	}
	sealed, err := s.sealer.Seal(sealCampaign, c.ID, plain)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(campaignOpen{open})
	if err != nil {
		return err
	}
	rec := binary.AppendUvarint(make([]byte, 0, 2+len(raw)+len(sealed)), uint64(len(raw)))
	rec = append(append(rec, raw...), sealed...)
	return tx.Bucket(bucketCampaigns).Put([]byte(c.ID), rec)
}

// readCampaign splits a stored campaign into its open record and its sealed teams.
func readCampaign(id string, raw []byte) (*backend.Campaign, []byte, error) {
	n, k := binary.Uvarint(raw)
	if k <= 0 || n > uint64(len(raw)-k) {
		return nil, nil, fmt.Errorf("campaign %s: damaged record", id)
	}
	var c campaignOpen
	if err := json.Unmarshal(raw[k:k+int(n)], &c); err != nil {
		return nil, nil, fmt.Errorf("decode campaign %s: %w", id, err)
	}
	return &c.Campaign, raw[k+int(n):], nil
}

// getCampaign reads and opens campaign id.
func (s *OutreachService) getCampaign(tx *bolt.Tx, id string) (*backend.Campaign, error) {
	raw := tx.Bucket(bucketCampaigns).Get([]byte(id))
	if raw == nil {
		return nil, backend.Errorf(backend.ENOTFOUND, "outreach.no_campaign")
	}
	c, sealed, err := readCampaign(id, raw)
	if err != nil {
		return nil, err
	}
	plain, err := s.sealer.Open(sealCampaign, id, sealed)
	if err != nil {
		return nil, fmt.Errorf("open campaign %s: %w", id, err)
	}
	var teams map[string][]string
	if err := json.Unmarshal(plain, &teams); err != nil {
		return nil, fmt.Errorf("campaign %s: teams do not decode", id)
	}
	for i, h := range c.Households {
		c.Households[i].Team = teams[h.ID]
		if c.Households[i].Team == nil {
			c.Households[i].Team = []string{}
		}
	}
	return c, nil
}

// campaignExists reports whether tx holds campaign id.
func campaignExists(tx *bolt.Tx, id string) bool {
	return tx.Bucket(bucketCampaigns).Get([]byte(id)) != nil
}
