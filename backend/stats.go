package backend

import (
	"context"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"
)

// StatRow holds one day's figures for the station, one service or one counter. Times
// are in seconds, over the tickets where both ends were recorded:
//
//	waiting  issue → first call
//	walk     (last) call → start of service
//	service  start → end of a finished ticket
//
// P90 is the nearest-rank 90th percentile: nine in ten waited no longer than that.
type StatRow struct {
	Key         string `json:"key"` // service letter or counter number; "" for the station
	NameZH      string `json:"name_zh"`
	NameEN      string `json:"name_en"`
	Issued      int    `json:"issued"` // tickets issued for the service (not for counters)
	Called      int    `json:"called"`
	Served      int    `json:"served"`
	NoShows     int    `json:"no_shows"`
	Expired     int    `json:"expired"`
	Open        int    `json:"open"` // not finished yet
	AvgWaitS    int    `json:"avg_wait_s"`
	P90WaitS    int    `json:"p90_wait_s"`
	AvgWalkS    int    `json:"avg_walk_s"`
	P90WalkS    int    `json:"p90_walk_s"`
	AvgServiceS int    `json:"avg_service_s"`
	P90ServiceS int    `json:"p90_service_s"`
	// 好差评 of the tickets counted here (AddRatings): Rated ratings, Satisfied of
	// them 基本满意 or better, Unsatisfied 不满意 or 非常不满意. SatisfactionPct is
	// Satisfied in percent of Rated, AvgLevel the mean level (1–5, one decimal); both
	// 0 with nothing rated. A rating whose appeal was upheld is not counted.
	Rated           int     `json:"rated"`
	Satisfied       int     `json:"satisfied"`
	Unsatisfied     int     `json:"unsatisfied"`
	SatisfactionPct float64 `json:"satisfaction_pct"`
	AvgLevel        float64 `json:"avg_level"`
	levelSum        int
}

// DayStats are a day's figures: the whole station, each service, each counter.
type DayStats struct {
	Date     string    `json:"date"`
	Station  StatRow   `json:"station"`
	Services []StatRow `json:"services"`
	Counters []StatRow `json:"counters"`
	// Staff are the figures of each staff member, by the tickets they served (the
	// last to call, start or finish them), by name.
	Staff []StatRow `json:"staff"`
}

// acc gathers one row's figures before averaging.
type acc struct {
	row                 StatRow
	wait, walk, service []time.Duration
}

func (a *acc) add(t *Ticket, issued bool) {
	if issued {
		a.row.Issued++
	}
	if !t.CalledAt.IsZero() {
		a.row.Called++
		a.wait = append(a.wait, t.CalledAt.Sub(t.IssuedAt))
	}
	if !t.StartedAt.IsZero() && !t.LastCalledAt.IsZero() {
		a.walk = append(a.walk, t.StartedAt.Sub(t.LastCalledAt))
	}
	switch t.Status {
	case TicketDone:
		a.row.Served++
		if !t.StartedAt.IsZero() {
			a.service = append(a.service, t.EndedAt.Sub(t.StartedAt))
		}
	case TicketNoShow:
		a.row.NoShows++
	case TicketExpired:
		a.row.Expired++
	default:
		a.row.Open++
	}
}

func (a *acc) done() StatRow {
	r := a.row
	r.AvgWaitS, r.P90WaitS = avgP90(a.wait)
	r.AvgWalkS, r.P90WalkS = avgP90(a.walk)
	r.AvgServiceS, r.P90ServiceS = avgP90(a.service)
	return r
}

// avgP90 returns the mean and the nearest-rank 90th percentile of d, in whole seconds.
func avgP90(d []time.Duration) (int, int) {
	if len(d) == 0 {
		return 0, 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	var sum time.Duration
	for _, v := range s {
		sum += max(v, 0)
	}
	rank := int(math.Ceil(0.9*float64(len(s)))) - 1
	return int((sum/time.Duration(len(s)) + time.Second/2) / time.Second), int((max(s[rank], 0) + time.Second/2) / time.Second)
}

// ComputeStats works out a day's figures from its tickets. Every service and counter
// appears, even with nothing to count, so a report always has the same rows. A ticket
// counts as issued for the service it was issued for, and as served for the service
// and counter where it ended.
func ComputeStats(date string, tickets []Ticket, services []Service, counters []Counter) *DayStats {
	out := &DayStats{Date: date}
	station := &acc{row: StatRow{NameZH: "全站", NameEN: "Station"}}
	bySvc := map[string]*acc{}
	var svcOrder []string
	for _, s := range services {
		bySvc[s.Letter] = &acc{row: StatRow{Key: s.Letter, NameZH: s.NameZH, NameEN: s.NameEN}}
		svcOrder = append(svcOrder, s.Letter)
	}
	byCtr := map[int]*acc{}
	for _, c := range counters {
		byCtr[c.Number] = &acc{row: StatRow{Key: strconv.Itoa(c.Number), NameZH: c.Name, NameEN: "Counter " + strconv.Itoa(c.Number)}}
	}
	svc := func(l string) *acc {
		if a, ok := bySvc[l]; ok {
			return a
		}
		a := &acc{row: StatRow{Key: l, NameZH: l, NameEN: l}}
		bySvc[l] = a
		svcOrder = append(svcOrder, l)
		return a
	}
	for i := range tickets {
		t := &tickets[i]
		if t.Date != date {
			continue
		}
		station.add(t, true)
		origin := t.Service
		if t.Origin != "" {
			origin = t.Origin
		}
		if origin != t.Service {
			svc(origin).row.Issued++
			svc(t.Service).add(t, false)
		} else {
			svc(t.Service).add(t, true)
		}
		if t.Counter > 0 {
			a, ok := byCtr[t.Counter]
			if !ok {
				a = &acc{row: StatRow{Key: strconv.Itoa(t.Counter), NameZH: DefaultCounterName(t.Counter), NameEN: "Counter " + strconv.Itoa(t.Counter)}}
				byCtr[t.Counter] = a
			}
			a.add(t, false)
		}
	}
	out.Station = station.done()
	for _, l := range svcOrder {
		out.Services = append(out.Services, bySvc[l].done())
	}
	byStaff := map[string]*acc{}
	for i := range tickets {
		t := &tickets[i]
		by := ServedBy(t)
		if t.Date != date || by == "" {
			continue
		}
		if byStaff[by] == nil {
			byStaff[by] = &acc{row: StatRow{Key: by, NameZH: by, NameEN: by}}
		}
		byStaff[by].add(t, false)
	}
	out.Staff = []StatRow{}
	for _, name := range slices.Sorted(maps.Keys(byStaff)) {
		out.Staff = append(out.Staff, byStaff[name].done())
	}
	nums := make([]int, 0, len(byCtr))
	for n := range byCtr {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	for _, n := range nums {
		out.Counters = append(out.Counters, byCtr[n].done())
	}
	return out
}

// AddRatings counts the day's ratings into its rows: the station's, the service's
// and the counter's the ticket ended at, and the staff member's who served it. A
// rating of an appeal upheld (Excluded) and a skip count nowhere.
func (d *DayStats) AddRatings(ratings []Rating) {
	row := func(rows []StatRow, key string) *StatRow {
		for i := range rows {
			if rows[i].Key == key {
				return &rows[i]
			}
		}
		return nil
	}
	for _, r := range ratings {
		if r.Skipped || r.Excluded || r.Level < LevelVeryBad || r.Level > LevelVeryGood {
			continue
		}
		rows := []*StatRow{&d.Station, row(d.Services, r.Service), row(d.Counters, strconv.Itoa(r.Counter))}
		if r.Staff != "" {
			s := row(d.Staff, r.Staff)
			if s == nil {
				d.Staff = append(d.Staff, StatRow{Key: r.Staff, NameZH: r.Staff, NameEN: r.Staff})
				s = &d.Staff[len(d.Staff)-1]
			}
			rows = append(rows, s)
		}
		for _, x := range rows {
			if x == nil {
				continue
			}
			x.Rated++
			x.levelSum += r.Level
			if BadLevel(r.Level) {
				x.Unsatisfied++
			} else {
				x.Satisfied++
			}
			x.SatisfactionPct = math.Round(float64(x.Satisfied)*1000/float64(x.Rated)) / 10
			x.AvgLevel = math.Round(float64(x.levelSum)*10/float64(x.Rated)) / 10
		}
	}
}

// StatsService works out the figures of a day.
type StatsService interface {
	// DayStats returns the figures of date (YYYY-MM-DD). EINVALID for a bad date.
	DayStats(ctx context.Context, date string) (*DayStats, error)
	// DayTickets returns the tickets of date in issue order, for the detailed report.
	DayTickets(ctx context.Context, date string) ([]Ticket, error)
}

// ServiceTimeWeight is how much one measured service time moves a service's estimate
// (an exponentially weighted mean): recent days count most, one odd case little.
const ServiceTimeWeight = 0.2

// UpdateServiceTime returns the new estimate in seconds after a service of d, given
// the old one. Times under 10 s or over 2 h are slips of a finger, not services, and
// leave the estimate as it was.
func UpdateServiceTime(oldS int, d time.Duration) int {
	if d < 10*time.Second || d > 2*time.Hour {
		return oldS
	}
	if oldS <= 0 {
		oldS = int(DefaultServiceTime / time.Second)
	}
	return int(math.Round(float64(oldS)*(1-ServiceTimeWeight) + d.Seconds()*ServiceTimeWeight))
}
