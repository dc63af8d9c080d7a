package backend

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // photos are JPEG
	_ "image/png"  // signatures are PNG
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Outreach is the station's work outside the lobby (走访慰问, 光荣牌, 立功喜报): one
// entry per visit, call, plaque or honour delivered to a household of the registry.
//
// Team, Note, the photo and the signature are personal (or may be): stores keep them
// sealed, services return the team masked and the photo and signature only to an
// admin who gives a reason, and the county's copy never carries them.
type Outreach struct {
	ID        string    `json:"id"`
	Household string    `json:"household"`
	Kind      string    `json:"kind"`
	Date      string    `json:"date"` // YYYY-MM-DD, the day of the visit
	Team      []string  `json:"team"` // who went
	Money     int       `json:"money"`
	Items     string    `json:"items"`
	Findings  []string  `json:"findings"`
	Note      string    `json:"note"`
	FollowUp  string    `json:"follow_up"` // YYYY-MM-DD, "" for none
	Honour    string    `json:"honour,omitempty"`
	Campaign  string    `json:"campaign,omitempty"`
	HasPhoto  bool      `json:"has_photo"`
	Signed    bool      `json:"signed"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
	Masked    bool      `json:"masked"`

	// Photo (JPEG) and Signature (PNG) are filled only by an unmasking.
	Photo     []byte `json:"photo,omitempty"`
	Signature []byte `json:"signature,omitempty"`
}

// Mask hides the team's names as screens and paper show names: 张*.
func (o *Outreach) Mask() {
	if o.Masked {
		return
	}
	for i, n := range o.Team {
		o.Team[i] = MaskName(n)
	}
	o.Photo, o.Signature = nil, nil
	o.Masked = true
}

// Kinds of outreach entry.
const (
	OutreachVisit          = "visit"            // 走访慰问
	OutreachCall           = "call"             // 电话慰问
	OutreachPlaqueHung     = "plaque_hung"      // 光荣牌悬挂
	OutreachPlaqueReplaced = "plaque_replaced"  // 光荣牌更换
	OutreachHonour         = "honour_delivered" // 喜报送达
	OutreachFollowUp       = "follow_up"        // 回访
)

// OutreachKinds lists the kinds in the order the console offers them.
var OutreachKinds = []string{OutreachVisit, OutreachCall, OutreachPlaqueHung, OutreachPlaqueReplaced,
	OutreachHonour, OutreachFollowUp}

// Reaches reports whether an entry of kind counts as reaching the household for a
// festival visit: a visit or a call does, a plaque or a letter alone does not.
func Reaches(kind string) bool { return kind == OutreachVisit || kind == OutreachCall }

// Findings staff tick after a visit, as chips; the note says the rest.
var OutreachFindings = []string{"well", "health", "hardship", "housing", "medical", "care", "request", "policy"}

// Honour awards of a 喜报: 一/二/三等功 and the honorary titles above them.
var HonourAwards = []string{"first", "second", "third", "title"}

// Due kinds of GET /api/v1/outreach/due.
const (
	DuePlaque   = "plaque"   // eligible for a 光荣牌 and none hung
	DueFestival = "festival" // in a target group of the festival visits, not reached lately
	DueHonour   = "honour"   // a 喜报 waits to be delivered
)

// DueKinds lists the due kinds.
var DueKinds = []string{DuePlaque, DueFestival, DueHonour}

// Limits of an entry. A photo is resized on the device before it is sent.
const (
	MaxOutreachMoney     = 1_000_000 // yuan
	MaxOutreachTeam      = 8
	MaxOutreachPhoto     = 512 << 10
	MaxOutreachSignature = 256 << 10
	maxImageSide         = 4096
	maxOutreachNote      = 500
	maxOutreachItems     = 100
)

// Honour is a 立功喜报 the county sends down to deliver to a family: the registry line
// of the family member it goes to carries it.
type Honour struct {
	ID       string `json:"id"`       // the county's number, e.g. XB-2026-031
	Award    string `json:"award"`    // HonourAwards
	Received string `json:"received"` // YYYY-MM-DD, when the county received it
}

var (
	householdID = regexp.MustCompile(`^H-[A-Za-z0-9-]{1,40}$`)
	honourID    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,39}$`)
	personTag   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
)

// ValidHousehold reports whether id has the shape of a household id (H-…).
func ValidHousehold(id string) bool { return householdID.MatchString(id) }

// validateOutreachFields checks the registry's household fields of p.
func (p *Person) validateOutreachFields() error {
	if p.Household != "" && !householdID.MatchString(p.Household) {
		return Errorf(EINVALID, "outreach.household_id")
	}
	if utf8.RuneCountInString(p.Address) > 200 || !utf8.ValidString(p.Address) {
		return Errorf(EINVALID, "outreach.address")
	}
	if p.Address != "" && p.Household == "" {
		return Errorf(EINVALID, "outreach.address_without_household")
	}
	for _, t := range p.Tags {
		if !personTag.MatchString(t) {
			return Errorf(EINVALID, "outreach.tag", t)
		}
	}
	if p.Plaque != "" {
		if _, err := time.Parse(time.DateOnly, p.Plaque); err != nil {
			return Errorf(EINVALID, "outreach.plaque_date")
		}
	}
	for _, h := range p.Honours {
		if !honourID.MatchString(h.ID) || !slices.Contains(HonourAwards, h.Award) {
			return Errorf(EINVALID, "outreach.honour", h.ID)
		}
		if _, err := time.Parse(time.DateOnly, h.Received); err != nil {
			return Errorf(EINVALID, "outreach.honour", h.ID)
		}
	}
	return nil
}

// OutreachRules say who is due what: the categories whose households get a 光荣牌,
// and the categories and tags whose households the festival visits cover. They are
// county data: the catalog may carry them ("outreach"), DefaultOutreachRules stand
// in when it does not.
type OutreachRules struct {
	Plaque   OutreachGroup `json:"plaque"`
	Festival OutreachGroup `json:"festival"`
	// FestivalDays is how far back a visit or call still counts as reaching a
	// household for the festival list, when the list is asked without a date.
	FestivalDays int `json:"festival_days"`
}

// OutreachGroup is a target group: a household belongs when one of its people holds
// one of the categories (or a category under one) or one of the tags.
type OutreachGroup struct {
	Categories []string `json:"categories"`
	Tags       []string `json:"tags,omitempty"`
}

// DefaultOutreachRules follow 国办发〔2018〕72号 for plaques (三属, serving soldiers'
// and veterans' families) and the usual festival target groups.
var DefaultOutreachRules = OutreachRules{
	Plaque: OutreachGroup{Categories: []string{"MARTYR_FAMILY", "DUTY_DEATH_FAMILY", "ILLNESS_DEATH_FAMILY",
		"ACTIVE_FAMILY", "VETERAN"}},
	Festival: OutreachGroup{
		Categories: []string{"MARTYR_FAMILY", "DUTY_DEATH_FAMILY", "ILLNESS_DEATH_FAMILY", "DISABLED_VET",
			"DEMOB_PRE1954", "ILL_RETURNED", "VET_COMBAT", "VET_TEST", "RED_ARMY"},
		Tags: []string{"hardship", "alone", "model"},
	},
	FestivalDays: 60,
}

// Rules returns the catalog's outreach rules, or the defaults when it has none.
func (c *Catalog) Rules() OutreachRules {
	if c == nil || c.Outreach == nil {
		return DefaultOutreachRules
	}
	return *c.Outreach
}

// compileRules checks that the outreach rules name categories of c.
func (c *Catalog) compileRules() error {
	r := c.Outreach
	if r == nil {
		return nil
	}
	if r.FestivalDays < 1 || r.FestivalDays > 366 {
		return fmt.Errorf("outreach: festival_days %d: 1 to 366", r.FestivalDays)
	}
	for _, g := range []OutreachGroup{r.Plaque, r.Festival} {
		for _, code := range g.Categories {
			if c.cats[code] == nil {
				return fmt.Errorf("outreach: unknown category %q", code)
			}
		}
		for _, t := range g.Tags {
			if !personTag.MatchString(t) {
				return fmt.Errorf("outreach: tag %q: lower-case letters, digits, _", t)
			}
		}
	}
	return nil
}

// Member is one person of a household as the due list shows them.
type Member struct {
	Name       string   `json:"name"`
	Categories []string `json:"categories"`
	Tags       []string `json:"tags,omitempty"`
	Relation   string   `json:"relation,omitempty"`
	Age        int      `json:"age"`
	Phone      string   `json:"phone"`
}

// Household is the registry's people of one household id, with what the station has
// done there: the 光荣牌, the last visit or call, the 喜报 still to deliver.
type Household struct {
	ID        string   `json:"household"`
	Address   string   `json:"address"`
	People    []Member `json:"people"`
	Phone     string   `json:"phone"`                // the first person's
	Plaque    string   `json:"plaque,omitempty"`     // date hung, "" for none
	LastVisit string   `json:"last_visit,omitempty"` // last visit or call
	Honours   []Honour `json:"honours,omitempty"`    // not delivered yet
	Delivered []string `json:"delivered,omitempty"`  // ids of the 喜报 delivered
	// Why says why the household is on a due list: the categories and tags that put
	// it there.
	Why    []string `json:"why,omitempty"`
	Masked bool     `json:"masked"`
}

// Mask hides names, phones and the address as screens and paper show them.
func (h *Household) Mask() {
	if h.Masked {
		return
	}
	h.Address = MaskAddress(h.Address)
	h.Phone = MaskPhone(h.Phone)
	for i := range h.People {
		h.People[i].Name = MaskName(h.People[i].Name)
		h.People[i].Phone = MaskPhone(h.People[i].Phone)
	}
	h.Masked = true
}

// HouseholdState is what the station's own entries say of a household: kept by the
// store beside the entries, so a due list needs no scan of them.
type HouseholdState struct {
	Plaque    string   `json:"plaque,omitempty"`
	LastVisit string   `json:"last_visit,omitempty"`
	Delivered []string `json:"delivered,omitempty"`
}

// Note adds entry o to s.
func (s *HouseholdState) Note(o *Outreach) {
	switch {
	case o.Kind == OutreachPlaqueHung || o.Kind == OutreachPlaqueReplaced:
		s.Plaque = max(s.Plaque, o.Date)
	case o.Kind == OutreachHonour && o.Honour != "" && !slices.Contains(s.Delivered, o.Honour):
		s.Delivered = append(s.Delivered, o.Honour)
	case Reaches(o.Kind):
		s.LastVisit = max(s.LastVisit, o.Date)
	}
}

// Households groups persons by their household id, in the registry's order: people
// without one belong to no household. The address is the first one given; today
// gives the ages.
func Households(persons []*Person, today time.Time) []*Household {
	var out []*Household
	byID := map[string]*Household{}
	for _, p := range persons {
		if p.Household == "" {
			continue
		}
		h := byID[p.Household]
		if h == nil {
			h = &Household{ID: p.Household, Phone: p.Phone}
			byID[p.Household] = h
			out = append(out, h)
		}
		if h.Address == "" {
			h.Address = p.Address
		}
		if p.Plaque != "" {
			h.Plaque = max(h.Plaque, p.Plaque)
		}
		h.Honours = append(h.Honours, p.Honours...)
		h.People = append(h.People, Member{Name: p.Name, Categories: p.Categories, Tags: p.Tags,
			Relation: p.Relation, Age: AgeOn(p.BirthDate(), today), Phone: p.Phone})
	}
	return out
}

// Apply folds the station's own record of h into it: a plaque hung, the last visit,
// the 喜报 delivered (dropped from Honours).
func (h *Household) Apply(s HouseholdState) {
	h.Plaque = max(h.Plaque, s.Plaque)
	h.LastVisit = max(h.LastVisit, s.LastVisit)
	h.Delivered = s.Delivered
	h.Honours = slices.DeleteFunc(h.Honours, func(x Honour) bool { return slices.Contains(s.Delivered, x.ID) })
}

// DueQuery asks for one due list.
type DueQuery struct {
	Kind string
	// Since is the day from which a visit or call reaches a household for the
	// festival list (YYYY-MM-DD); "" for the rules' FestivalDays before today.
	Since string
}

// Validate checks q, filling Since from rules and today.
func (q *DueQuery) Validate(rules OutreachRules, today time.Time) error {
	if !slices.Contains(DueKinds, q.Kind) {
		return Errorf(EINVALID, "outreach.due_kind")
	}
	if q.Since == "" {
		q.Since = today.AddDate(0, 0, -rules.FestivalDays).Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, q.Since); err != nil {
		return Errorf(EINVALID, "outreach.date")
	}
	return nil
}

// IsDue reports whether h, with the station's record applied, is due under q, and sets
// its Why. within tells whether a category falls under another (the catalog's).
func (h *Household) IsDue(q DueQuery, rules OutreachRules, within func(code, group string) bool) bool {
	switch q.Kind {
	case DuePlaque:
		h.Why = h.matches(rules.Plaque, within)
		return h.Plaque == "" && len(h.Why) > 0
	case DueFestival:
		h.Why = h.matches(rules.Festival, within)
		return len(h.Why) > 0 && h.LastVisit < q.Since
	case DueHonour:
		return len(h.Honours) > 0
	}
	return false
}

// matches returns the group's categories and tags that people of h hold, each once.
func (h *Household) matches(g OutreachGroup, within func(code, group string) bool) []string {
	var why []string
	add := func(s string) {
		if !slices.Contains(why, s) {
			why = append(why, s)
		}
	}
	for _, m := range h.People {
		for _, c := range m.Categories {
			for _, want := range g.Categories {
				if c == want || within(c, want) {
					add(want)
				}
			}
		}
		for _, t := range m.Tags {
			if slices.Contains(g.Tags, t) {
				add(t)
			}
		}
	}
	return why
}

// addressMarks end the part of an address that masking keeps: the village (村),
// community (社区, 小区), street (街, 路, 巷, 道) or group (组).
const addressMarks = "村区街路巷道组屯嘎查"

// MaskAddress keeps an address up to its last village, community or street and hides
// the rest, one * a character, as names are masked: 八里罕镇西村3组12号 →
// 八里罕镇西村3组***. An address with no such mark keeps its first third.
func MaskAddress(a string) string {
	r := []rune(strings.TrimSpace(a))
	keep := -1
	for i, c := range r {
		if strings.ContainsRune(addressMarks, c) {
			keep = i + 1
		}
	}
	if keep < 0 {
		keep = len(r) / 3
	}
	return string(r[:keep]) + strings.Repeat("*", len(r)-keep)
}

// OutreachRequest records one entry. Photo (JPEG) and Signature (PNG) travel as
// base64 in JSON.
type OutreachRequest struct {
	RequestID string   `json:"request_id"`
	Kind      string   `json:"kind"`
	Household string   `json:"household"`
	Date      string   `json:"date"`
	Team      []string `json:"team"`
	Money     int      `json:"money"`
	Items     string   `json:"items"`
	Findings  []string `json:"findings"`
	Note      string   `json:"note"`
	FollowUp  string   `json:"follow_up"`
	Honour    string   `json:"honour"`
	Campaign  string   `json:"campaign"`
	Photo     []byte   `json:"photo"`
	Signature []byte   `json:"signature"`
}

// Validate normalises and checks r at today: a known kind and household shape, a
// date not in the future nor before 2000, a follow-up after it, a team of names,
// money within bounds, known findings, short texts, a 喜报 id for a delivery, and a
// real JPEG photo and PNG signature of sane size.
func (r *OutreachRequest) Validate(today time.Time) error {
	if !slices.Contains(OutreachKinds, r.Kind) {
		return Errorf(EINVALID, "outreach.kind")
	}
	if !householdID.MatchString(r.Household) {
		return Errorf(EINVALID, "outreach.household_id")
	}
	d, err := time.ParseInLocation(time.DateOnly, r.Date, today.Location())
	if err != nil || d.Year() < 2000 {
		return Errorf(EINVALID, "outreach.date")
	}
	if d.After(today) {
		return Errorf(EINVALID, "outreach.future")
	}
	if r.FollowUp != "" {
		if f, err := time.Parse(time.DateOnly, r.FollowUp); err != nil || r.FollowUp <= r.Date || f.Year() > d.Year()+2 {
			return Errorf(EINVALID, "outreach.follow_up")
		}
	}
	team, err := cleanTeam(r.Team, 1)
	if err != nil {
		return err
	}
	r.Team = team
	if r.Money < 0 || r.Money > MaxOutreachMoney {
		return Errorf(EINVALID, "outreach.money", MaxOutreachMoney)
	}
	r.Items, r.Note = cleanText(r.Items), cleanText(r.Note)
	if err := checkText(r.Items, maxOutreachItems, "outreach.items"); err != nil {
		return err
	}
	if err := checkText(r.Note, maxOutreachNote, "outreach.note"); err != nil {
		return err
	}
	for _, f := range r.Findings {
		if !slices.Contains(OutreachFindings, f) {
			return Errorf(EINVALID, "outreach.finding")
		}
	}
	slices.Sort(r.Findings)
	r.Findings = slices.Compact(r.Findings)
	switch {
	case r.Kind == OutreachHonour && !honourID.MatchString(r.Honour):
		return Errorf(EINVALID, "outreach.honour_missing")
	case r.Kind != OutreachHonour && r.Honour != "":
		return Errorf(EINVALID, "outreach.honour_kind")
	}
	if r.Campaign != "" && !honourID.MatchString(r.Campaign) {
		return Errorf(EINVALID, "outreach.campaign")
	}
	if err := checkImage(r.Photo, "jpeg", MaxOutreachPhoto, "outreach.photo"); err != nil {
		return err
	}
	return checkImage(r.Signature, "png", MaxOutreachSignature, "outreach.signature")
}

// checkImage accepts an empty b, or an image of format within size and side bounds.
func checkImage(b []byte, format string, size int, key string) error {
	if len(b) == 0 {
		return nil
	}
	if len(b) > size {
		return Errorf(EINVALID, key, size>>10)
	}
	cfg, f, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || f != format || cfg.Width < 16 || cfg.Height < 16 || cfg.Width > maxImageSide || cfg.Height > maxImageSide {
		return Errorf(EINVALID, key, size>>10)
	}
	return nil
}

// OutreachPatch changes an entry; nil fields stay. Version must be the entry's.
type OutreachPatch struct {
	Version  int       `json:"version"`
	Date     *string   `json:"date"`
	Team     *[]string `json:"team"`
	Money    *int      `json:"money"`
	Items    *string   `json:"items"`
	Findings *[]string `json:"findings"`
	Note     *string   `json:"note"`
	FollowUp *string   `json:"follow_up"`
}

// Apply applies p to o at now by staff member by, checking the result as a new entry
// is checked. It returns the changes for the audit trail (personal values left out)
// and ECONFLICT for a stale version.
func (p *OutreachPatch) Apply(o *Outreach, now time.Time, by string) ([]Change, error) {
	if p.Version != o.Version {
		return nil, Errorf(ECONFLICT, "outreach.stale")
	}
	req := OutreachRequest{Kind: o.Kind, Household: o.Household, Date: o.Date, Team: slices.Clone(o.Team),
		Money: o.Money, Items: o.Items, Findings: slices.Clone(o.Findings), Note: o.Note, FollowUp: o.FollowUp,
		Honour: o.Honour, Campaign: o.Campaign}
	setIf(&req.Date, p.Date)
	setIf(&req.Team, p.Team)
	setIf(&req.Money, p.Money)
	setIf(&req.Items, p.Items)
	setIf(&req.Findings, p.Findings)
	setIf(&req.Note, p.Note)
	setIf(&req.FollowUp, p.FollowUp)
	if err := req.Validate(now); err != nil {
		return nil, err
	}
	var ch []Change
	note := func(field string, changed bool, old, new string) {
		if changed {
			ch = append(ch, Change{Field: field, Old: old, New: new})
		}
	}
	note("date", req.Date != o.Date, o.Date, req.Date)
	note("team", !slices.Equal(req.Team, o.Team), "", "")
	note("money", req.Money != o.Money, strconv.Itoa(o.Money), strconv.Itoa(req.Money))
	note("items", req.Items != o.Items, "", "")
	note("findings", !slices.Equal(req.Findings, o.Findings), strings.Join(o.Findings, ","), strings.Join(req.Findings, ","))
	note("note", req.Note != o.Note, "", "")
	note("follow_up", req.FollowUp != o.FollowUp, o.FollowUp, req.FollowUp)
	if len(ch) == 0 {
		return nil, nil
	}
	o.Date, o.Team, o.Money, o.Items, o.Findings, o.Note, o.FollowUp = req.Date, req.Team, req.Money,
		req.Items, req.Findings, req.Note, req.FollowUp
	o.Version++
	o.UpdatedAt = now.Truncate(time.Second)
	return ch, nil
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// OutreachFilter selects entries: of one household, or dated from From to To.
type OutreachFilter struct {
	Household string
	From, To  string
	Kind      string
}

// OutreachService keeps the outreach entries and answers the due lists.
type OutreachService interface {
	// Due returns the households due under q, masked, in the registry's order.
	// EINVALID for an unknown kind or a bad date.
	Due(ctx context.Context, q DueQuery) ([]Household, error)
	// Household returns one household, masked; ENOTFOUND if the registry has none.
	Household(ctx context.Context, id string) (*Household, error)
	// UnmaskHousehold returns a household in the clear and records the access;
	// EINVALID without a reason, ENOTFOUND.
	UnmaskHousehold(ctx context.Context, id, reason, by string) (*Household, error)
	// Record stores an entry by staff member by; a repeated RequestID returns the
	// first entry with created false. EINVALID for a bad request, ENOTFOUND for a
	// household the registry does not have or a 喜报 it does not hold.
	Record(ctx context.Context, req OutreachRequest, by string) (o *Outreach, created bool, err error)
	// Outreaches lists entries matching f, masked, newest first.
	Outreaches(ctx context.Context, f OutreachFilter) ([]Outreach, error)
	// Outreach returns one entry, masked, with its audit trail; ENOTFOUND.
	Outreach(ctx context.Context, id string) (*Outreach, []AuditEntry, error)
	// UpdateOutreach applies p by by and returns the entry, masked. EINVALID,
	// ECONFLICT for a stale version, ENOTFOUND.
	UpdateOutreach(ctx context.Context, id string, p OutreachPatch, by string) (*Outreach, error)
	// UnmaskOutreach returns an entry in the clear with its photo and signature and
	// records the access; EINVALID without a reason, ENOTFOUND.
	UnmaskOutreach(ctx context.Context, id, reason, by string) (*Outreach, error)
	// The campaigns over the households.
	CampaignService
}

// Outbox kinds of outreach.
const (
	KindOutreachRecorded = "outreach.recorded" // OutreachFact
	KindOutreachUpdated  = "outreach.updated"  // OutreachFact
	KindOutreachPurged   = "outreach.purged"   // OutreachPurgeFact
)

// OutreachPurgeFact tells the county which entries the station deleted at the end of
// their retention (dated before Before), so its copy can follow.
type OutreachPurgeFact struct {
	IDs    []string `json:"ids"`
	Before string   `json:"dated_before"`
}

// OutreachFact is what the county learns of an entry: the household (the county's
// own id), kind, date, money and what was found, for its totals and its list of who
// was reached. No team, note, items text, photo or signature.
type OutreachFact struct {
	ID        string    `json:"id"`
	Household string    `json:"household"`
	Kind      string    `json:"kind"`
	Date      string    `json:"date"`
	Money     int       `json:"money"`
	Items     bool      `json:"items,omitempty"` // something besides money was given
	Findings  []string  `json:"findings,omitempty"`
	FollowUp  string    `json:"follow_up,omitempty"`
	Honour    string    `json:"honour,omitempty"`
	Campaign  string    `json:"campaign,omitempty"`
	Photo     bool      `json:"photo,omitempty"`
	Signed    bool      `json:"signed,omitempty"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	// Previous money and date, for outreach.updated: the county moves the entry's
	// figures from the old day to the new.
	PrevMoney int      `json:"prev_money,omitempty"`
	PrevDate  string   `json:"prev_date,omitempty"`
	Changed   []string `json:"changed,omitempty"`
}

// Fact returns the part of o reported to the county; prev is o before the changes
// of an update, nil for a new entry.
func (o *Outreach) Fact(prev *Outreach, changed []Change) OutreachFact {
	f := OutreachFact{ID: o.ID, Household: o.Household, Kind: o.Kind, Date: o.Date, Money: o.Money,
		Items: o.Items != "", Findings: o.Findings, FollowUp: o.FollowUp, Honour: o.Honour, Campaign: o.Campaign,
		Photo: o.HasPhoto, Signed: o.Signed, Version: o.Version, UpdatedAt: o.UpdatedAt}
	if prev != nil {
		f.PrevMoney, f.PrevDate = prev.Money, prev.Date
	}
	for _, c := range changed {
		f.Changed = append(f.Changed, c.Field)
	}
	return f
}

// KindOutreachSummary reports a station's outreach levels (OutreachSummary): sent
// when they change, and at least once a day.
const KindOutreachSummary = "outreach.summary"

// OutreachSummary is what the county's dashboard shows of a station's outreach
// beside the entries' own counts: how many households are due each list today, and
// how many follow-ups are overdue (due before today, with no entry for the household
// on or after their date).
type OutreachSummary struct {
	Date            string `json:"date"`
	DuePlaque       int    `json:"due_plaque"`
	DueFestival     int    `json:"due_festival"`
	DueHonour       int    `json:"due_honour"`
	FollowUpOverdue int    `json:"follow_up_overdue"`
}
