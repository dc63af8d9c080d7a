package county

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/wire"
)

// Kinds the day figures count. Other kinds are stored and counted by name only.
const (
	KindTicketIssued   = backend.KindTicketIssued
	KindTicketCalled   = backend.KindTicketPrefix + string(backend.ActCall)
	KindTicketFinished = backend.KindTicketPrefix + string(backend.ActFinish)
	KindTicketNoShow   = backend.KindTicketPrefix + string(backend.ActNoShow)
	KindVisitCreated   = backend.KindVisitCreated
	KindRatingGiven    = backend.KindRatingGiven
	KindCaseClosed     = backend.KindCasePrefix + string(backend.CaseClose)
	KindCaseUpheld     = backend.KindCasePrefix + string(backend.CaseUphold)
	KindApptBooked     = backend.KindApptBooked
	KindApptCheckedIn  = backend.KindApptCheckedIn
	KindApptServed     = backend.KindApptServed
	KindApptMissed     = backend.KindApptMissed
	KindApptCancelled  = backend.KindApptCancelled
	KindOutreach       = backend.KindOutreachRecorded
	KindOutreachEdit   = backend.KindOutreachUpdated
	KindOutreachLevels = backend.KindOutreachSummary
)

// CardService is the letter of the 优待证 (preferential-treatment card) tickets: the
// kiosk sends a person whose card waits at the station, or who applies for one or
// reports one lost, to a B ticket (backend.CardStatus.Service).
const CardService = "B"

// CardCollectMatter is the ledger matter of collecting a card (B5 领取). A ticket's fact
// does not say why it was taken, so the card collections proper are the visits
// registered with this matter.
const CardCollectMatter = "B5"

// DateOf returns the date of t in loc, as the figures key it (YYYY-MM-DD).
func DateOf(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// WaitBuckets is the number of buckets of a WaitHist: one per minute for the first
// hour (buckets 0–59), one per five minutes for the second (60–71), and the last (72)
// for every wait of two hours or more.
const WaitBuckets = 73

// WaitHist counts first calls by how long their ticket waited, in the buckets
// WaitBuckets describes. It is fixed in shape so that histograms of any stations and
// days add up bucket by bucket, and the 90 % wait of any range comes from the sum.
// It is an array, so copying figures never shares one.
type WaitHist [WaitBuckets]int32

// waitBucket returns the bucket of a wait of s seconds.
func waitBucket(s int) int {
	m := max(s, 0) / 60
	switch {
	case m < 60:
		return m
	case m < 120:
		return 60 + (m-60)/5
	default:
		return WaitBuckets - 1
	}
}

// bucketEndS returns the end of bucket i in seconds: every wait counted in it was
// shorter. The last bucket has none (it returns -1).
func bucketEndS(i int) int {
	switch {
	case i < 60:
		return (i + 1) * 60
	case i < WaitBuckets-1:
		return (60 + (i-59)*5) * 60
	default:
		return -1
	}
}

// Add counts a wait of s seconds.
func (h *WaitHist) Add(s int) { h[waitBucket(s)]++ }

// Count returns how many waits h holds.
func (h *WaitHist) Count() int {
	n := 0
	for _, c := range h {
		n += int(c)
	}
	return n
}

// Quantile returns, in seconds, a wait that a share q (0 < q ≤ 1) of the waits in h did
// not exceed, by nearest rank: the end of the bucket that holds that rank (to the
// minute within the first hour, to five minutes within the second), or maxS, the
// longest wait, when that is shorter or the rank falls among the waits of two hours
// and more. It returns 0 for an empty histogram.
func (h *WaitHist) Quantile(q float64, maxS int) int {
	n := h.Count()
	if n == 0 {
		return 0
	}
	rank := max(int(math.Ceil(float64(n)*q-1e-9)), 1) // the epsilon keeps 0.9×10 at 9
	seen := 0
	for i, c := range h {
		seen += int(c)
		if seen >= rank {
			if end := bucketEndS(i); end >= 0 && end < maxS {
				return end
			}
			return maxS
		}
	}
	return maxS
}

// MarshalJSON writes h as an array without its trailing empty buckets: most days'
// waits fill the first half hour only.
func (h WaitHist) MarshalJSON() ([]byte, error) {
	n := len(h)
	for n > 0 && h[n-1] == 0 {
		n--
	}
	buf := make([]byte, 0, 2+4*n)
	buf = append(buf, '[')
	for i := range n {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = fmt.Appendf(buf, "%d", h[i])
	}
	return append(buf, ']'), nil
}

// UnmarshalJSON reads an array of at most WaitBuckets counts; missing ones are 0.
func (h *WaitHist) UnmarshalJSON(data []byte) error {
	var counts []int32
	if err := json.Unmarshal(data, &counts); err != nil {
		return err
	}
	if len(counts) > WaitBuckets {
		return fmt.Errorf("wait histogram of %d buckets, want at most %d", len(counts), WaitBuckets)
	}
	*h = WaitHist{}
	copy(h[:], counts)
	return nil
}

// DayStats are one station's figures for one day. Ticket figures count on the
// ticket's own date, visits on the visit's, dead letters on the day the push came.
//
//	Tickets      tickets issued (ticket.issued)
//	Called       tickets called at least once: each counts at its first call
//	WaitSumS     seconds from issue to first call, summed over Called
//	WaitMaxS     the longest of those waits
//	WaitHist     the same waits by minute, for the 90 % wait of any range
//	Served       tickets finished at a counter (ticket.finish, the station's 办结):
//	             "served" is a finished ticket, not a call, since a called person may
//	             not come
//	NoShows      tickets whose person did not come when called (ticket.no_show) and
//	             was not called back afterwards: a no-show who came back and was
//	             called again counts no more, as on the station's own day report
//	CardTickets  tickets issued for the 优待证 service (CardService)
//	Visits       visits registered in the ledger (visit.created)
//	Matters      those visits by matter code (B5 …); visits without one are left out
//	DeadLetters  the station's dead letters (entries the county refused, waiting on
//	             the station) as the last push of the day reported them; Reported
//	             says whether a push came that day at all
//	Rated        好差评 ratings of the day's tickets (rating.given), less those whose
//	             appeal was upheld (rating_case.uphold); LevelSum their levels summed,
//	             Satisfied those of 基本满意 or better, Unsatisfied 不满意 and worse
//	CasesOpened  bad ratings of the day, each a follow-up case; CasesClosed those
//	             of them closed since (rating_case.close, or an upheld appeal), so
//	             the difference summed over days is the cases still open
//	Booked       预约 bookings for the day (appointment.booked), counted on the day
//	             of the slot, not of the booking; CheckedIn those checked in at the
//	             kiosk, LateArrivals of them after the window (a normal ticket),
//	             BookedServed those served, Missed those nobody checked in (known
//	             after the station's midnight), Cancelled those staff cancelled
//	Reached      走访慰问 households visited or called (outreach.recorded of kind visit
//	             or call), PlaquesHung 光荣牌 hung or replaced, HonoursDelivered 喜报
//	             delivered, Money the yuan given, all on the entry's date; an edit's
//	             change of money counts on the entry's new date
//	DuePlaque, DueFestival, DueHonour, FollowUpOverdue: the station's levels
//	             (outreach.summary) as its last report of the day gave them, like dead
//	             letters; OutreachReported says whether one came that day
type DayStats struct {
	Tickets     int            `json:"tickets"`
	Visits      int            `json:"visits"`
	Called      int            `json:"called"`
	WaitSumS    int            `json:"wait_sum_s"`
	WaitMaxS    int            `json:"wait_max_s"`
	Served      int            `json:"served"`
	NoShows     int            `json:"no_shows"`
	CardTickets int            `json:"card_tickets"`
	WaitHist    WaitHist       `json:"wait_hist"`
	Matters     map[string]int `json:"matters,omitempty"`
	DeadLetters int            `json:"dead_letters"`
	Reported    bool           `json:"reported,omitempty"`
	Rated       int            `json:"rated"`
	LevelSum    int            `json:"level_sum"`
	Satisfied   int            `json:"satisfied"`
	Unsatisfied int            `json:"unsatisfied"`
	CasesOpened int            `json:"cases_opened"`
	CasesClosed int            `json:"cases_closed"`

	Booked       int `json:"booked"`
	CheckedIn    int `json:"checked_in"`
	LateArrivals int `json:"late_arrivals"`
	BookedServed int `json:"booked_served"`
	Missed       int `json:"missed"`
	Cancelled    int `json:"cancelled"`

	OutreachFigures
}

// OutreachFigures are the outreach part of the figures (DayStats): the entries'
// counts, which add up, and the station's levels, of which the latest stands.
type OutreachFigures struct {
	Reached          int  `json:"reached"`
	PlaquesHung      int  `json:"plaques_hung"`
	HonoursDelivered int  `json:"honours_delivered"`
	Money            int  `json:"money"`
	DuePlaque        int  `json:"due_plaque"`
	DueFestival      int  `json:"due_festival"`
	DueHonour        int  `json:"due_honour"`
	FollowUpOverdue  int  `json:"follow_up_overdue"`
	OutreachReported bool `json:"outreach_reported,omitempty"`
}

// AddCounts adds o's entry counts (not its levels) to f.
func (f *OutreachFigures) AddCounts(o *OutreachFigures) {
	f.Reached += o.Reached
	f.PlaquesHung += o.PlaquesHung
	f.HonoursDelivered += o.HonoursDelivered
	f.Money += o.Money
}

// SetLevels takes o's levels for f's.
func (f *OutreachFigures) SetLevels(o *OutreachFigures) {
	f.DuePlaque, f.DueFestival, f.DueHonour, f.FollowUpOverdue = o.DuePlaque, o.DueFestival, o.DueHonour, o.FollowUpOverdue
	f.OutreachReported = true
}

// SatisfactionPct returns the satisfied share of the ratings in percent, to one
// decimal, and false when nothing was rated.
func (d *DayStats) SatisfactionPct() (float64, bool) {
	if d.Rated <= 0 {
		return 0, false
	}
	return math.Round(float64(d.Satisfied)*1000/float64(d.Rated)) / 10, true
}

// OpenCases returns the follow-up cases opened and not closed.
func (d *DayStats) OpenCases() int { return max(d.CasesOpened-d.CasesClosed, 0) }

// Add adds other's figures to d, as a total over stations does: counts and dead
// letters add up, the longest wait is the longer one. other is left alone; d's Matters
// must be its own (start from a zero DayStats).
func (d *DayStats) Add(other DayStats) {
	d.add(&other)
	d.DeadLetters += other.DeadLetters
	d.Reported = d.Reported || other.Reported
	d.DuePlaque += other.DuePlaque
	d.DueFestival += other.DueFestival
	d.DueHonour += other.DueHonour
	d.FollowUpOverdue += other.FollowUpOverdue
	d.OutreachReported = d.OutreachReported || other.OutreachReported
}

// Then adds the figures of a later day of the same station to d, as a station's total
// over days does: counts add up, but dead letters are a level, not a count, so the
// later day's report replaces d's (a day without a push keeps d's).
func (d *DayStats) Then(later DayStats) { d.then(&later) }

// then is Then without copying later: a year of 300 stations is 110 000 days.
func (d *DayStats) then(later *DayStats) {
	d.add(later)
	if later.Reported {
		d.DeadLetters, d.Reported = later.DeadLetters, true
	}
	if later.OutreachReported {
		d.SetLevels(&later.OutreachFigures)
	}
}

func (d *DayStats) add(o *DayStats) {
	d.Tickets += o.Tickets
	d.Visits += o.Visits
	d.Called += o.Called
	d.WaitSumS += o.WaitSumS
	d.WaitMaxS = max(d.WaitMaxS, o.WaitMaxS)
	d.Served += o.Served
	d.NoShows += o.NoShows
	d.CardTickets += o.CardTickets
	d.Rated += o.Rated
	d.LevelSum += o.LevelSum
	d.Satisfied += o.Satisfied
	d.Unsatisfied += o.Unsatisfied
	d.CasesOpened += o.CasesOpened
	d.CasesClosed += o.CasesClosed
	d.Booked += o.Booked
	d.CheckedIn += o.CheckedIn
	d.LateArrivals += o.LateArrivals
	d.BookedServed += o.BookedServed
	d.Missed += o.Missed
	d.Cancelled += o.Cancelled
	d.AddCounts(&o.OutreachFigures)
	for i, c := range o.WaitHist {
		d.WaitHist[i] += c
	}
	if len(o.Matters) > 0 && d.Matters == nil {
		d.Matters = make(map[string]int, len(o.Matters))
	}
	for m, n := range o.Matters {
		d.Matters[m] += n
	}
}

// ReportDeadLetters records on d, the station's figures for the day a push arrived
// (DateOf its receive time), the dead-letter count the push reported, and reports
// whether that changed d: the last push of a day gives the day's figure.
func (d *DayStats) ReportDeadLetters(req *Push) bool {
	if d.Reported && d.DeadLetters == req.DeadLetters {
		return false
	}
	d.DeadLetters, d.Reported = req.DeadLetters, true
	return true
}

// AvgWaitS returns the mean wait to the first call in whole seconds, or 0 when no
// ticket was called.
func (d *DayStats) AvgWaitS() int {
	if d.Called == 0 {
		return 0
	}
	return (d.WaitSumS + d.Called/2) / d.Called
}

// P90WaitS returns the 90 % wait in seconds from the histogram (WaitHist.Quantile):
// nine in ten called tickets waited no longer. Figures kept before the county had
// histograms give 0.
func (d *DayStats) P90WaitS() int { return d.WaitHist.Quantile(0.9, d.WaitMaxS) }

// DayFact is what one newly stored entry adds to its station's day figures.
type DayFact struct {
	Date string // YYYY-MM-DD
	// Kind is KindTicketIssued, KindTicketCalled, KindTicketFinished, KindTicketNoShow
	// or KindVisitCreated.
	Kind string
	// Ticket is the id of the ticket a call, finish or no-show is about: the store
	// keeps its TicketMarks, and Tally decides with them what the fact counts.
	Ticket string
	// Back marks a call of a ticket that counted as a no-show: Tally sets it, and
	// the fact then takes the no-show back instead of counting a call.
	Back    bool
	WaitS   int    // call: seconds from issue to the ticket's first call
	Service string // issue, visit: the service letter
	Matter  string // visit: the matter code
	Level   int    // rating, upheld appeal: the rating's level (1–5)
	Case    bool   // rating: it opened a follow-up case
	Late    bool   // booking checked in: after its window
	// Outreach: the entry's kind (backend.OutreachVisit …) and the money it adds (an
	// edit: the change); Levels the station's outreach summary.
	Outreach string
	Money    int
	Levels   *backend.OutreachSummary
}

// FactOf returns what entry e adds to the day figures, and false when it adds
// nothing: another kind, data that does not decode (stored as it came; the figures
// just leave it out), or a ticket action without its ticket (or a call without its
// times). An entry without a date counts on the day of its time in loc. It decodes
// only the fields its kind needs: it runs once per stored entry.
func FactOf(e *wire.Entry, loc *time.Location) (DayFact, bool) {
	var fact DayFact
	var err error
	switch e.Kind {
	case KindTicketIssued:
		var d struct {
			Date    string `json:"date"`
			Service string `json:"service"`
		}
		err = json.Unmarshal(e.Data, &d)
		fact = DayFact{Date: d.Date, Service: d.Service}
	case KindVisitCreated:
		var d struct {
			Date    string `json:"date"`
			Service string `json:"service"`
			Matter  string `json:"matter"`
		}
		err = json.Unmarshal(e.Data, &d)
		fact = DayFact{Date: d.Date, Service: d.Service, Matter: d.Matter}
	case KindTicketCalled:
		var d struct {
			ID       string    `json:"id"`
			Date     string    `json:"date"`
			IssuedAt time.Time `json:"issued_at"`
			CalledAt time.Time `json:"called_at"`
		}
		if err = json.Unmarshal(e.Data, &d); err == nil && (d.ID == "" || d.IssuedAt.IsZero() || d.CalledAt.IsZero()) {
			return DayFact{}, false
		}
		// The fact carries the ticket's first call, whichever call this is.
		fact = DayFact{Date: d.Date, Ticket: d.ID, WaitS: max(int(d.CalledAt.Sub(d.IssuedAt)/time.Second), 0)}
	case KindTicketFinished, KindTicketNoShow:
		var d struct {
			ID   string `json:"id"`
			Date string `json:"date"`
		}
		if err = json.Unmarshal(e.Data, &d); err == nil && d.ID == "" {
			return DayFact{}, false
		}
		fact = DayFact{Date: d.Date, Ticket: d.ID}
	case KindRatingGiven:
		var d struct {
			Date   string `json:"date"`
			Level  int    `json:"level"`
			CaseID string `json:"case_id"`
		}
		if err = json.Unmarshal(e.Data, &d); err == nil && (d.Level < backend.LevelVeryBad || d.Level > backend.LevelVeryGood) {
			return DayFact{}, false
		}
		fact = DayFact{Date: d.Date, Level: d.Level, Case: d.CaseID != ""}
	case KindCaseClosed, KindCaseUpheld:
		var d struct {
			Date  string `json:"date"`
			Level int    `json:"level"`
		}
		err = json.Unmarshal(e.Data, &d)
		fact = DayFact{Date: d.Date, Level: d.Level}
	case KindApptBooked, KindApptCheckedIn, KindApptServed, KindApptMissed, KindApptCancelled:
		var d struct {
			ID   string `json:"id"`
			Date string `json:"date"`
			Late bool   `json:"late"`
		}
		if err = json.Unmarshal(e.Data, &d); err == nil && (d.ID == "" || d.Date == "") {
			return DayFact{}, false
		}
		// The slot's day, which the station's midnight closes: a booking made on
		// Monday for Friday counts on Friday.
		fact = DayFact{Date: d.Date, Late: d.Late}
	case KindOutreach, KindOutreachEdit:
		var d backend.OutreachFact
		if err = json.Unmarshal(e.Data, &d); err == nil && (d.ID == "" || d.Date == "" || d.Money < 0 || d.PrevMoney < 0) {
			return DayFact{}, false
		}
		fact = DayFact{Date: d.Date, Outreach: d.Kind, Money: d.Money}
		if e.Kind == KindOutreachEdit {
			fact.Money = d.Money - d.PrevMoney
		}
	case KindOutreachLevels:
		var d backend.OutreachSummary
		if err = json.Unmarshal(e.Data, &d); err == nil && d.Date == "" {
			return DayFact{}, false
		}
		fact = DayFact{Date: d.Date, Levels: &d}
	default:
		return DayFact{}, false
	}
	if err != nil {
		return DayFact{}, false
	}
	fact.Kind = e.Kind
	if fact.Date == "" {
		fact.Date = DateOf(e.At, loc)
	}
	return fact, true
}

// TicketMarks are what the day figures have counted of one ticket, so that each of
// its facts counts once whatever the station sends: the store keeps them by (station,
// ticket) and hands them to Tally. Stored as one byte; 1 (its first call) is what
// stores kept before the other marks existed.
type TicketMarks byte

// The marks.
const (
	MarkCalled TicketMarks = 1 << iota // its first call and wait are counted
	MarkServed                         // its finish is counted
	MarkNoShow                         // it counts as a no-show now
)

// Tally returns what fact, about a ticket with marks m, adds to the day figures and
// the ticket's marks after it, or false when it adds nothing: a call after the first
// (unless it calls back a no-show, which takes the no-show back), a second finish, a
// second no-show without a call between. Facts about no ticket pass as they are.
func Tally(fact DayFact, m TicketMarks) (DayFact, TicketMarks, bool) {
	switch fact.Kind {
	case KindTicketCalled:
		switch {
		case m&MarkNoShow != 0:
			fact.Back = true
			return fact, m &^ MarkNoShow, true
		case m&MarkCalled != 0:
			return fact, m, false
		}
		return fact, m | MarkCalled, true
	case KindTicketFinished:
		if m&MarkServed != 0 {
			return fact, m, false
		}
		return fact, m | MarkServed, true
	case KindTicketNoShow:
		if m&MarkNoShow != 0 {
			return fact, m, false
		}
		return fact, m | MarkNoShow, true
	}
	return fact, m, true
}

// Count adds fact, as Tally let it through, to d.
func (d *DayStats) Count(fact DayFact) {
	switch fact.Kind {
	case KindTicketIssued:
		d.Tickets++
		if fact.Service == CardService {
			d.CardTickets++
		}
	case KindVisitCreated:
		d.Visits++
		if fact.Matter != "" {
			if d.Matters == nil {
				d.Matters = map[string]int{}
			}
			d.Matters[fact.Matter]++
		}
	case KindTicketCalled:
		if fact.Back {
			d.NoShows = max(d.NoShows-1, 0)
			return
		}
		d.Called++
		d.WaitSumS += fact.WaitS
		d.WaitMaxS = max(d.WaitMaxS, fact.WaitS)
		d.WaitHist.Add(fact.WaitS)
	case KindTicketFinished:
		d.Served++
	case KindTicketNoShow:
		d.NoShows++
	case KindRatingGiven:
		d.Rated++
		d.LevelSum += fact.Level
		if backend.BadLevel(fact.Level) {
			d.Unsatisfied++
		} else {
			d.Satisfied++
		}
		if fact.Case {
			d.CasesOpened++
		}
	case KindApptBooked:
		d.Booked++
	case KindApptCheckedIn:
		d.CheckedIn++
		if fact.Late {
			d.LateArrivals++
		}
	case KindApptServed:
		d.BookedServed++
	case KindApptMissed:
		d.Missed++
	case KindApptCancelled:
		d.Cancelled++
	case KindOutreach:
		d.Money += fact.Money
		switch {
		case backend.Reaches(fact.Outreach):
			d.Reached++
		case fact.Outreach == backend.OutreachPlaqueHung || fact.Outreach == backend.OutreachPlaqueReplaced:
			d.PlaquesHung++
		case fact.Outreach == backend.OutreachHonour:
			d.HonoursDelivered++
		}
	case KindOutreachEdit:
		d.Money = max(d.Money+fact.Money, 0)
	case KindOutreachLevels:
		d.SetLevels(&OutreachFigures{DuePlaque: fact.Levels.DuePlaque, DueFestival: fact.Levels.DueFestival,
			DueHonour: fact.Levels.DueHonour, FollowUpOverdue: fact.Levels.FollowUpOverdue})
	case KindCaseClosed:
		d.CasesClosed++
	case KindCaseUpheld:
		// The appeal stands: the rating no longer counts, and its case is closed.
		d.CasesClosed++
		if d.Rated > 0 && backend.BadLevel(fact.Level) {
			d.Rated--
			d.Unsatisfied = max(d.Unsatisfied-1, 0)
			d.LevelSum = max(d.LevelSum-fact.Level, 0)
		}
	}
}

// Days returns every station's figures for the dates from to to (YYYY-MM-DD, both
// included), by station id and then date, as s.EachDay reads them: a station without
// figures in the range is absent, and so is a day without any.
func Days(ctx context.Context, s Store, from, to string) (map[string]map[string]DayStats, error) {
	out := map[string]map[string]DayStats{}
	err := s.EachDay(ctx, from, to, func(station, date string, d *DayStats) error {
		byDate := out[station]
		if byDate == nil {
			byDate = map[string]DayStats{}
			out[station] = byDate
		}
		kept := *d
		kept.Matters = nil
		if len(d.Matters) > 0 {
			kept.Matters = maps.Clone(d.Matters)
		}
		byDate[date] = kept
		return nil
	})
	return out, err
}

// Day returns each station's figures for date (YYYY-MM-DD), by station id.
func Day(ctx context.Context, s Store, date string) (map[string]DayStats, error) {
	days, err := Days(ctx, s, date, date)
	out := make(map[string]DayStats, len(days))
	for station, byDate := range days {
		out[station] = byDate[date]
	}
	return out, err
}
