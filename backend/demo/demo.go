// Package demo makes synthetic registry people for demonstrations, tests and
// benchmarks: realistic names, ages, categories and card histories, ID numbers with
// valid GB 11643 check characters, and mobile numbers — all invented, never real data.
// The same seed always gives the same people.
package demo

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"time"

	"bingzhan/backend"
)

// Reference is the day demo ages and card dates are computed from, so a seed gives
// the same people whatever day the program runs.
var Reference = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// Seed is the seed `bingzhan --demo` loads its registry with.
const Seed = 1

// areas are county-level area codes (GB/T 2260) the demo people are "from".
var areas = []string{
	"110105", "110108", "120101", "130102", "140105", "141002", "210102", "220102", "320102",
	"321302", "330102", "331002", "340102", "350102", "360102", "370102", "410105", "420106",
	"421181", "430102", "440106", "450102", "500103", "510104", "520102", "530102", "610102",
	"620102", "640104", "650102",
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")

var (
	givenMale   = []rune("建国军华明伟强平志勇德海林春生荣忠庆东文斌永刚成福贵山胜利红兵卫峰")
	givenFemale = []rune("秀英兰芳玉桂珍凤华琴霞梅丽敏静婷红燕萍淑云娟翠彩荣洁丹瑞")
)

// kind is one way to be in the registry: categories, and the ages and attributes
// that go with them.
type kind struct {
	weight     int
	categories []string
	born       [2]int // birth years, inclusive
	relation   []string
	disabled   bool
	residence  string // fixed residence, or "" for the usual mix
	noCard     bool   // the category gets no preferential card
}

var kinds = []kind{
	{weight: 40, categories: []string{"VETERAN"}, born: [2]int{1945, 2003}},
	{weight: 6, categories: []string{"VETERAN", "VET_COMBAT"}, born: [2]int{1948, 1968}},
	{weight: 2, categories: []string{"VETERAN", "VET_TEST"}, born: [2]int{1935, 1965}},
	{weight: 10, categories: []string{"VETERAN", "DISABLED_VET"}, born: [2]int{1940, 2000}, disabled: true},
	{weight: 2, categories: []string{"VETERAN", "DISABLED_VET", "VET_COMBAT"}, born: [2]int{1950, 1966}, disabled: true},
	{weight: 1, categories: []string{"VETERAN", "DEMOB_PRE1954"}, born: [2]int{1926, 1936}},
	{weight: 3, categories: []string{"VETERAN", "ILL_RETURNED"}, born: [2]int{1940, 1995}},
	{weight: 8, categories: []string{"VETERAN", "RURAL_VET_60"}, born: [2]int{1936, 1966}, residence: backend.ResidenceRural},
	{weight: 1, categories: []string{"VETERAN", "RED_ARMY"}, born: [2]int{1916, 1925}},
	{weight: 5, categories: []string{"MARTYR_FAMILY"}, born: [2]int{1935, 2015}, relation: backend.Relations},
	{weight: 3, categories: []string{"DUTY_DEATH_FAMILY"}, born: [2]int{1940, 2015}, relation: backend.Relations},
	{weight: 2, categories: []string{"ILLNESS_DEATH_FAMILY"}, born: [2]int{1940, 2015}, relation: backend.Relations},
	{weight: 2, categories: []string{"MARTYR_FAMILY", "MARTYR_CHILD_60"}, born: [2]int{1940, 1965}, relation: []string{backend.RelationChild}},
	{weight: 8, categories: []string{"ACTIVE_FAMILY"}, born: [2]int{1955, 2020}, relation: []string{backend.RelationParent, backend.RelationSpouse, backend.RelationChild}, noCard: true},
	{weight: 4, categories: []string{"ACTIVE_FAMILY", "CONSCRIPT_FAMILY"}, born: [2]int{1960, 1985}, relation: []string{backend.RelationParent}, noCard: true},
	{weight: 1, categories: []string{"DISABLED_MILITIA"}, born: [2]int{1940, 1990}, disabled: true},
	{weight: 1, categories: []string{"WRONGLY_KILLED_CHILD"}, born: [2]int{1940, 1960}, relation: []string{backend.RelationChild}, noCard: true},
}

var totalWeight = func() int {
	n := 0
	for _, k := range kinds {
		n += k.weight
	}
	return n
}()

// cardWeights spreads people over every card status, most of them issued.
var cardWeights = []struct {
	status backend.CardStatus
	weight int
}{
	{backend.CardNone, 4}, {backend.CardRegistered, 10}, {backend.CardAccepted, 5}, {backend.CardReviewing, 6},
	{backend.CardMaking, 5}, {backend.CardReady, 8}, {backend.CardIssued, 50}, {backend.CardLost, 4},
	{backend.CardReplacing, 4}, {backend.CardCancelled, 4},
}

// People yields n synthetic persons made from seed, each with a distinct ID number.
// Person i is the same for the same seed whatever n is.
func People(seed uint64, n int) iter.Seq[*backend.Person] {
	return func(yield func(*backend.Person) bool) {
		rng := rand.New(rand.NewPCG(seed, 0x6d62696e677a6861))
		// Households come from a stream of their own, so adding them changed no
		// person's other fields.
		hh := &households{rng: rand.New(rand.NewPCG(seed, 0x686f757365686f6c))}
		seen := make(map[uint64]struct{}, n)
		for i := 0; i < n; i++ {
			p := person(rng, i)
			for {
				h := idDigits(p.IDNumber)
				if _, dup := seen[h]; !dup {
					seen[h] = struct{}{}
					break
				}
				p = person(rng, i)
			}
			hh.place(p)
			if !yield(p) {
				return
			}
		}
	}
}

// List returns People(seed, n) as a slice, for small registries.
func List(seed uint64, n int) []backend.Person {
	out := make([]backend.Person, 0, n)
	for p := range People(seed, n) {
		out = append(out, *p)
	}
	return out
}

// Registry adapts People to what a registry replacement reads.
func Registry(seed uint64, n int) iter.Seq2[*backend.Person, error] {
	return func(yield func(*backend.Person, error) bool) {
		for p := range People(seed, n) {
			if !yield(p, nil) {
				return
			}
		}
	}
}

func pickKind(rng *rand.Rand) *kind {
	w := rng.IntN(totalWeight)
	for i := range kinds {
		if w < kinds[i].weight {
			return &kinds[i]
		}
		w -= kinds[i].weight
	}
	return &kinds[0]
}

func person(rng *rand.Rand, i int) *backend.Person {
	k := pickKind(rng)
	p := &backend.Person{Categories: slices.Clone(k.categories)}
	if len(k.relation) > 0 {
		p.Relation = k.relation[rng.IntN(len(k.relation))]
	}
	born := bornFor(rng, k, p.Relation)
	male := rng.IntN(100) < 80 // most veterans are men
	if len(k.relation) > 0 {
		male = rng.IntN(2) == 0
	}
	if p.Relation == backend.RelationSpouse && k.categories[0] != "ACTIVE_FAMILY" {
		male = rng.IntN(10) == 0 // survivors' spouses are mostly widows
	}
	p.IDNumber = IDNumber(areas[rng.IntN(len(areas))], born, rng.IntN(500)*2+boolInt(male))
	p.Name = name(rng, male)
	p.Phone = Phone(rng)
	if k.disabled {
		p.DisabilityGrade = 1 + rng.IntN(10)
		p.DisabilityCause = backend.DisabilityCauses[rng.IntN(3)]
	}
	switch {
	case k.residence != "":
		p.Residence = k.residence
	default:
		p.Residence = []string{backend.ResidenceRural, backend.ResidenceRural, backend.ResidenceRural,
			backend.ResidenceUrbanNoEmployer, backend.ResidenceUrban}[rng.IntN(5)]
	}
	status := backend.CardRegistered
	if !k.noCard {
		status = cardStatus(rng, i)
	}
	p.CardStatus = status
	p.CardHistory = history(rng, status)
	return p
}

// cardStatus gives the first people one of each status in turn, so even a small demo
// registry has them all, then follows the weights.
func cardStatus(rng *rand.Rand, i int) backend.CardStatus {
	if i < 3*len(cardWeights) {
		return cardWeights[i%len(cardWeights)].status
	}
	w := rng.IntN(100)
	for _, c := range cardWeights {
		if w < c.weight {
			return c.status
		}
		w -= c.weight
	}
	return backend.CardIssued
}

func bornFor(rng *rand.Rand, k *kind, relation string) time.Time {
	lo, hi := k.born[0], k.born[1]
	switch relation {
	case backend.RelationParent:
		hi = min(hi, 1975)
	case backend.RelationSpouse:
		lo, hi = max(lo, 1945), min(hi, 2000)
	case backend.RelationSibling:
		lo = max(lo, 2008)
	}
	if lo > hi {
		lo = hi
	}
	day := rng.IntN(365)
	return time.Date(lo+rng.IntN(hi-lo+1), 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day)
}

// paths are the card histories that end in each status.
var paths = map[backend.CardStatus][]backend.CardStatus{
	backend.CardNone:       nil,
	backend.CardRegistered: {backend.CardRegistered},
	backend.CardAccepted:   {backend.CardRegistered, backend.CardAccepted},
	backend.CardReviewing:  {backend.CardRegistered, backend.CardAccepted, backend.CardReviewing},
	backend.CardMaking:     {backend.CardRegistered, backend.CardAccepted, backend.CardReviewing, backend.CardMaking},
	backend.CardReady:      {backend.CardRegistered, backend.CardAccepted, backend.CardReviewing, backend.CardMaking, backend.CardReady},
	backend.CardIssued:     {backend.CardRegistered, backend.CardAccepted, backend.CardReviewing, backend.CardMaking, backend.CardReady, backend.CardIssued},
	backend.CardLost:       {backend.CardRegistered, backend.CardAccepted, backend.CardReviewing, backend.CardMaking, backend.CardReady, backend.CardIssued, backend.CardLost},
	backend.CardReplacing:  {backend.CardRegistered, backend.CardAccepted, backend.CardReviewing, backend.CardMaking, backend.CardReady, backend.CardIssued, backend.CardLost, backend.CardReplacing},
	backend.CardCancelled:  {backend.CardRegistered, backend.CardAccepted, backend.CardReviewing, backend.CardMaking, backend.CardReady, backend.CardIssued, backend.CardCancelled},
}

// history dates the steps to status backwards from a recent last step, with the gaps
// the real process has (about 30 working days of review, a week or two per other step).
func history(rng *rand.Rand, status backend.CardStatus) []backend.CardEvent {
	path := paths[status]
	if len(path) == 0 {
		return nil
	}
	out := make([]backend.CardEvent, len(path))
	day := Reference.AddDate(0, 0, -rng.IntN(60))
	if status == backend.CardIssued || status == backend.CardCancelled {
		day = Reference.AddDate(0, 0, -rng.IntN(900))
	}
	for i := len(path) - 1; i >= 0; i-- {
		out[i] = backend.CardEvent{Status: path[i], Date: day.Format(time.DateOnly)}
		gap := 3 + rng.IntN(14)
		if path[i] == backend.CardMaking {
			gap = 35 + rng.IntN(20) // the review before it
		}
		day = day.AddDate(0, 0, -gap)
	}
	return out
}

func name(rng *rand.Rand, male bool) string {
	given := givenFemale
	if male {
		given = givenMale
	}
	s := string(surnames[rng.IntN(len(surnames))]) + string(given[rng.IntN(len(given))])
	if rng.IntN(3) > 0 {
		s += string(given[rng.IntN(len(given))])
	}
	return s
}

// Phone returns a random mainland mobile number.
func Phone(rng *rand.Rand) string {
	prefixes := []string{"130", "133", "135", "137", "138", "139", "150", "151", "152", "155", "158", "159", "166", "177", "180", "185", "186", "187", "189", "199"}
	return fmt.Sprintf("%s%08d", prefixes[rng.IntN(len(prefixes))], rng.IntN(100000000))
}

// IDNumber builds an 18-character resident ID number with a valid check character:
// area code, birth date and a sequence number 0–999 (odd for men).
func IDNumber(area string, born time.Time, seq int) string {
	body := fmt.Sprintf("%s%s%03d", area, born.Format("20060102"), seq%1000)
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

// idDigits packs the first 17 digits of an ID number, which decide the check
// character, into an integer: an exact, deterministic key for spotting duplicates.
func idDigits(id string) uint64 {
	var v uint64
	for i := 0; i < 17; i++ {
		v = v*10 + uint64(id[i]-'0')
	}
	return v
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// households puts the people, in turn, into households of one to three with an
// address in one of a few villages, and gives some of them what the outreach lists
// look for: a 光荣牌 hung already, hardship, living alone, a 喜报 to deliver.
type households struct {
	rng     *rand.Rand
	n       int // households made
	left    int // people still to join the current one
	cur     struct{ id, address string }
	honours int
}

var (
	towns    = []string{"八里罕镇", "大城子镇", "忙农镇", "三座店乡"}
	villages = []string{"西村", "东营子村", "石门沟村", "大营子村", "杏树林村", "五家村"}
)

func (h *households) place(p *backend.Person) {
	rng := h.rng
	if h.left == 0 {
		h.n++
		h.left = []int{1, 1, 1, 2, 2, 3}[rng.IntN(6)]
		h.cur.id = fmt.Sprintf("H-%04d", h.n)
		h.cur.address = fmt.Sprintf("宁城县%s%s%d组%d号", towns[rng.IntN(len(towns))],
			villages[rng.IntN(len(villages))], 1+rng.IntN(8), 1+rng.IntN(60))
		p.Address = h.cur.address
		// About half the households that could have a plaque have one already.
		if rng.IntN(2) == 0 && slices.ContainsFunc(p.Categories, func(c string) bool {
			return slices.Contains(backend.DefaultOutreachRules.Plaque.Categories, c)
		}) {
			p.Plaque = time.Date(2019+rng.IntN(7), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		}
		if h.left == 1 && backend.AgeOn(p.BirthDate(), Reference) >= 70 && rng.IntN(3) == 0 {
			p.Tags = append(p.Tags, "alone")
		}
	}
	h.left--
	p.Household = h.cur.id
	if rng.IntN(20) == 0 {
		p.Tags = append(p.Tags, "hardship")
	}
	if slices.Contains(p.Categories, "ACTIVE_FAMILY") && rng.IntN(6) == 0 {
		h.honours++
		p.Honours = []backend.Honour{{ID: fmt.Sprintf("XB-2026-%03d", h.honours),
			Award:    []string{"third", "third", "third", "second", "first"}[rng.IntN(5)],
			Received: Reference.AddDate(0, 0, -rng.IntN(40)).Format(time.DateOnly)}}
	}
}
