package backend

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Campaign is one round of outreach — "2027 春节走访慰问" — over the households a due
// list gave when it was planned, edited by staff: who visits whom, and which
// households could not be reached. Its progress comes from the entries recorded for
// its households between From and To.
type Campaign struct {
	ID         string              `json:"id"`
	Name       string              `json:"name"`
	Kind       string              `json:"kind"` // a due kind: festival | plaque | honour
	From       string              `json:"from"`
	To         string              `json:"to"`
	Households []CampaignHousehold `json:"households,omitempty"`
	CreatedBy  string              `json:"created_by"`
	CreatedAt  time.Time           `json:"created_at"`
	UpdatedAt  time.Time           `json:"updated_at"`
	Version    int                 `json:"version"`
}

// CampaignHousehold is one household of a campaign: the team that visits it (names,
// sealed at rest) and, when staff say so, why it was not reached.
type CampaignHousehold struct {
	ID         string   `json:"household"`
	Team       []string `json:"team"`
	NotReached string   `json:"not_reached,omitempty"` // NotReachedReasons
}

// Why a household was not reached.
var NotReachedReasons = []string{"away", "moved", "declined", "ill", "other"}

// Progress states of a campaign's household.
const (
	CampaignDone       = "done"        // an entry of the campaign's kind between From and To
	CampaignNotReached = "not_reached" // staff marked it
	CampaignLeft       = "left"        // still to do
)

// Serves reports whether an entry of kind counts for a campaign of due kind due.
func Serves(due, kind string) bool {
	switch due {
	case DueFestival:
		return Reaches(kind)
	case DuePlaque:
		return kind == OutreachPlaqueHung || kind == OutreachPlaqueReplaced
	case DueHonour:
		return kind == OutreachHonour
	}
	return false
}

// CampaignRequest plans a campaign: its households are those due under Kind, with
// visits before From not counting.
type CampaignRequest struct {
	RequestID string `json:"request_id"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	From      string `json:"from"`
	To        string `json:"to"`
}

// maxCampaignDays bounds a campaign's length; maxCampaignName its name.
const (
	maxCampaignDays = 120
	maxCampaignName = 40
)

// Validate checks r: a name, a due kind, and dates From ≤ To within four months of
// each other and within a year of today.
func (r *CampaignRequest) Validate(today time.Time) error {
	r.Name = cleanText(r.Name)
	if r.Name == "" || utf8.RuneCountInString(r.Name) > maxCampaignName {
		return Errorf(EINVALID, "outreach.campaign_name", maxCampaignName)
	}
	if !slices.Contains(DueKinds, r.Kind) {
		return Errorf(EINVALID, "outreach.due_kind")
	}
	return checkCampaignDates(r.From, r.To, today)
}

func checkCampaignDates(from, to string, today time.Time) error {
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	if err1 != nil || err2 != nil || t.Before(f) || t.Sub(f) > maxCampaignDays*24*time.Hour ||
		f.Before(day.AddDate(-1, 0, 0)) || f.After(day.AddDate(1, 0, 0)) {
		return Errorf(EINVALID, "outreach.campaign_dates", maxCampaignDays)
	}
	return nil
}

// CampaignPatch edits a campaign; Version must be the campaign's. Add and Remove
// change its households; Assign sets a household's team; Mark sets (or, with "",
// clears) why a household was not reached.
type CampaignPatch struct {
	Version int                  `json:"version"`
	Name    *string              `json:"name"`
	To      *string              `json:"to"`
	Add     []string             `json:"add"`
	Remove  []string             `json:"remove"`
	Assign  []CampaignAssignment `json:"assign"`
	Mark    []CampaignMark       `json:"mark"`
}

// CampaignAssignment gives a household its team.
type CampaignAssignment struct {
	Household string   `json:"household"`
	Team      []string `json:"team"`
}

// CampaignMark says why a household was not reached ("" clears it).
type CampaignMark struct {
	Household string `json:"household"`
	Reason    string `json:"reason"`
}

// Apply applies p to c at now, known telling which households the registry has. It
// returns ECONFLICT for a stale version, EINVALID for a bad field or a household
// not in the campaign, ENOTFOUND for one added that the registry lacks.
func (p *CampaignPatch) Apply(c *Campaign, now time.Time, known func(string) bool) error {
	if p.Version != c.Version {
		return Errorf(ECONFLICT, "outreach.stale")
	}
	if p.Name != nil {
		r := CampaignRequest{Name: *p.Name, Kind: c.Kind, From: c.From, To: c.To}
		if err := r.Validate(now); err != nil {
			return err
		}
		c.Name = r.Name
	}
	if p.To != nil {
		if err := checkCampaignDates(c.From, *p.To, now); err != nil {
			return err
		}
		c.To = *p.To
	}
	at := func(id string) int {
		return slices.IndexFunc(c.Households, func(h CampaignHousehold) bool { return h.ID == id })
	}
	for _, id := range p.Add {
		if !householdID.MatchString(id) {
			return Errorf(EINVALID, "outreach.household_id")
		}
		if !known(id) {
			return Errorf(ENOTFOUND, "outreach.no_household", id)
		}
		if at(id) < 0 {
			c.Households = append(c.Households, CampaignHousehold{ID: id, Team: []string{}})
		}
	}
	for _, id := range p.Remove {
		if i := at(id); i >= 0 {
			c.Households = slices.Delete(c.Households, i, i+1)
		}
	}
	for _, a := range p.Assign {
		i := at(a.Household)
		if i < 0 {
			return Errorf(EINVALID, "outreach.not_in_campaign", a.Household)
		}
		team, err := cleanTeam(a.Team, 0)
		if err != nil {
			return err
		}
		c.Households[i].Team = team
	}
	for _, m := range p.Mark {
		i := at(m.Household)
		if i < 0 {
			return Errorf(EINVALID, "outreach.not_in_campaign", m.Household)
		}
		if m.Reason != "" && !slices.Contains(NotReachedReasons, m.Reason) {
			return Errorf(EINVALID, "outreach.not_reached")
		}
		c.Households[i].NotReached = m.Reason
	}
	if len(c.Households) > MaxCampaignHouseholds {
		return Errorf(EINVALID, "outreach.campaign_size", MaxCampaignHouseholds)
	}
	c.Version++
	c.UpdatedAt = now.Truncate(time.Second)
	return nil
}

// MaxCampaignHouseholds bounds a campaign: a township has a few hundred households
// on any list.
const MaxCampaignHouseholds = 5000

// cleanTeam normalises team names: min to MaxOutreachTeam names of at most 20
// characters each.
func cleanTeam(in []string, min int) ([]string, error) {
	if len(in) < min || len(in) > MaxOutreachTeam {
		return nil, Errorf(EINVALID, "outreach.team", MaxOutreachTeam)
	}
	out := make([]string, 0, len(in))
	for _, n := range in {
		n = cleanText(n)
		if n == "" || utf8.RuneCountInString(n) > 20 {
			return nil, Errorf(EINVALID, "outreach.team", MaxOutreachTeam)
		}
		out = append(out, n)
	}
	return out, nil
}

// CampaignRow is one household of a campaign with its progress.
type CampaignRow struct {
	Household  Household `json:"household"`
	Team       []string  `json:"team"`
	Status     string    `json:"status"`
	NotReached string    `json:"not_reached,omitempty"`
	Date       string    `json:"date,omitempty"` // of the entry that did it
	Money      int       `json:"money"`
	Entries    int       `json:"entries"`
}

// CampaignTotals sum a campaign's progress.
type CampaignTotals struct {
	Households int `json:"households"`
	Done       int `json:"done"`
	NotReached int `json:"not_reached"`
	Left       int `json:"left"`
	Money      int `json:"money"`
}

// Count adds row r to t.
func (t *CampaignTotals) Count(r *CampaignRow) {
	t.Households++
	t.Money += r.Money
	switch r.Status {
	case CampaignDone:
		t.Done++
	case CampaignNotReached:
		t.NotReached++
	default:
		t.Left++
	}
}

// CampaignView is a campaign with each household's progress and the totals. Rows
// are masked unless an admin printed the visit sheet.
type CampaignView struct {
	Campaign
	Rows   []CampaignRow  `json:"rows"`
	Totals CampaignTotals `json:"totals"`
}

// CampaignService plans campaigns and follows their progress.
type CampaignService interface {
	// PlanCampaign makes a campaign of the households due under req.Kind with
	// visits from req.From on, by by; a repeated RequestID returns the first.
	PlanCampaign(ctx context.Context, req CampaignRequest, by string) (c *CampaignView, created bool, err error)
	// Campaigns lists the campaigns, newest first, with their totals (no rows).
	Campaigns(ctx context.Context) ([]CampaignView, error)
	// CampaignView returns one campaign with its rows, masked; ENOTFOUND.
	Campaign(ctx context.Context, id string) (*CampaignView, error)
	// UpdateCampaign applies p by by.
	UpdateCampaign(ctx context.Context, id string, p CampaignPatch, by string) (*CampaignView, error)
	// CampaignSheet returns the campaign's rows in the clear (names, addresses,
	// phones; never ID numbers) for the teams' visit sheet, for team only when it is
	// not "", and records the export in the access log; EINVALID without a reason.
	CampaignSheet(ctx context.Context, id, team, reason, by string) (*CampaignView, error)
}

// KindOutreachCampaign reports a campaign to the county: its households (the county's
// own ids) and each one's status, no names.
const KindOutreachCampaign = "outreach.campaign"

// CampaignFact is what the county learns of a campaign: one part of its households
// (Part of Parts, CampaignFactHouseholds each at most), so that no report outgrows
// what one entry may carry; each part repeats the rest.
type CampaignFact struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Kind       string            `json:"kind"`
	From       string            `json:"from"`
	To         string            `json:"to"`
	Households map[string]string `json:"households"` // household → status
	Totals     CampaignTotals    `json:"totals"`
	Version    int               `json:"version"`
	Part       int               `json:"part,omitempty"`
	Parts      int               `json:"parts,omitempty"`
}

// CampaignFactHouseholds is how many households one report carries: with ids of up
// to 42 characters that is under 48 KB, inside the 64 KB an entry may hold.
const CampaignFactHouseholds = 1000

// Facts returns the reports of v for the county, its households in id order split
// into parts.
func (v *CampaignView) Facts() []CampaignFact {
	rows := slices.Clone(v.Rows)
	slices.SortFunc(rows, func(a, b CampaignRow) int { return strings.Compare(a.Household.ID, b.Household.ID) })
	parts := max((len(rows)+CampaignFactHouseholds-1)/CampaignFactHouseholds, 1)
	out := make([]CampaignFact, parts)
	for p := range out {
		chunk := rows[p*CampaignFactHouseholds : min((p+1)*CampaignFactHouseholds, len(rows))]
		f := CampaignFact{ID: v.ID, Name: v.Name, Kind: v.Kind, From: v.From, To: v.To,
			Households: make(map[string]string, len(chunk)), Totals: v.Totals, Version: v.Version, Part: p, Parts: parts}
		for _, r := range chunk {
			f.Households[r.Household.ID] = r.Status
		}
		out[p] = f
	}
	return out
}
