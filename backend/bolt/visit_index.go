package bolt

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// Visits lists the visits matching f, masked, newest first. The index picks them out
// in memory; only the page's records are read and opened.
func (s *VisitService) Visits(ctx context.Context, f backend.VisitFilter) (*backend.VisitPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	ids, err := s.match(f)
	if err != nil {
		return nil, err
	}
	page := &backend.VisitPage{Total: len(ids), Visits: []backend.Visit{}}
	if f.Offset >= len(ids) {
		return page, nil
	}
	ids = ids[f.Offset:min(len(ids), f.Offset+f.Limit)]
	vs, err := s.load(ids)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		v.Mask()
		page.Visits = append(page.Visits, *v)
	}
	return page, nil
}

// match returns the ids of the visits matching f, newest first.
func (s *VisitService) match(f backend.VisitFilter) ([]string, error) {
	kind, q, err := backend.ParseQuery(f.Query)
	if err != nil {
		return nil, err
	}
	if kind == backend.QueryIDNumber {
		q = s.personKey(q)
	}
	m := newMatcher(f, kind, q, s.db.today())
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.idx.match(m), nil
}

// load reads and opens the visits ids, in that order; ids deleted meanwhile (a purge)
// are left out.
func (s *VisitService) load(ids []string) ([]*backend.Visit, error) {
	out := make([]*backend.Visit, 0, len(ids))
	err := s.db.db.View(func(tx *bolt.Tx) error {
		for _, id := range ids {
			v, err := s.get(tx, id)
			if backend.ErrorCode(err) == backend.ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// The search index, in memory only. What a search tests for every visit is a
// hotEntry: fixed-size numbers in one slice, so a scan of 100,000 visits reads about
// 8 MB in order. Strings sit in a parallel slice of coldEntry, read only for the
// visits a number has not already ruled out (and for searches by part of a name).
type hotEntry struct {
	key      uint64    // first 8 bytes of the ID number's keyed hash; 0 if none
	phone    uint64    // the 11-digit number; 0 if none
	ini      [4]uint64 // up to four readings of the names' pinyin initials, packed
	closedAt int64     // Unix seconds; 0 while open
	date     int32     // yyyymmdd
	followUp int32     // yyyymmdd; 0 if none
	service  byte
	moreIni  bool // more readings than ini holds: coldEntry.initials has them all
}

type coldEntry struct {
	id        string
	personKey string
	names     string // name and visitor's name, for "any part of the name"
	initials  string // every reading, NUL-separated, when moreIni
}

// maxPacked is the longest initials packInitials keeps in a number: 12 letters of 5
// bits, first letter highest, so a prefix is a shift away.
const maxPacked = 12

// packInitials packs lower-case initials into a number; false if they do not fit.
func packInitials(s string) (uint64, bool) {
	if s == "" || len(s) > maxPacked {
		return 0, false
	}
	var p uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 'a' || c > 'z' {
			return 0, false
		}
		p |= uint64(c-'a'+1) << (5 * (maxPacked - 1 - i))
	}
	return p, true
}

// dateNum turns YYYY-MM-DD into yyyymmdd; 0 for "".
func dateNum(d string) int32 {
	if len(d) != 10 {
		return 0
	}
	n, _ := strconv.Atoi(d[:4] + d[5:7] + d[8:])
	return int32(n)
}

// indexEntry returns what the index keeps of v. cache, when not nil, remembers the
// initials of names already seen: a station's visitors come back, and the pinyin
// conversion is the slow part of building the index at start.
func (s *VisitService) indexEntry(v *backend.Visit, cache map[string][]string) (hotEntry, coldEntry) {
	h := hotEntry{date: dateNum(v.Date), followUp: dateNum(v.FollowUp), closedAt: unix(v.ClosedAt)}
	if v.Service != "" {
		h.service = v.Service[0]
	}
	c := coldEntry{id: v.ID, names: v.Name + "\n" + v.VisitorName}
	if v.IDNumber != "" {
		c.personKey = s.personKey(v.IDNumber)
		h.key = keyPrefix(c.personKey)
	}
	h.phone, _ = strconv.ParseUint(v.Phone, 10, 64)
	initials := func(name string) []string {
		if cache == nil {
			return backend.PinyinInitials(name)
		}
		r, ok := cache[name]
		if !ok {
			r = backend.PinyinInitials(name)
			cache[name] = r
		}
		return r
	}
	readings := append(slices.Clone(initials(v.Name)), initials(v.VisitorName)...)
	h.moreIni = len(readings) > len(h.ini)
	for i, r := range readings {
		p, ok := packInitials(r)
		if !ok {
			h.moreIni = true
		} else if i < len(h.ini) {
			h.ini[i] = p
		}
	}
	if h.moreIni {
		c.initials = strings.Join(readings, "\x00")
	}
	return h, c
}

// keyPrefix returns the first 8 bytes of a hex keyed hash as a number.
func keyPrefix(hexKey string) uint64 {
	if len(hexKey) < 16 {
		return 0
	}
	n, _ := strconv.ParseUint(hexKey[:16], 16, 64)
	return n
}

// visitIndex holds every visit's entries in id (= time) order. Its methods are called
// under VisitService.mu.
type visitIndex struct {
	hot  []hotEntry
	cold []coldEntry
	byID map[string]int // position in hot and cold
}

func newVisitIndex() *visitIndex { return &visitIndex{byID: map[string]int{}} }

// put adds or replaces a visit's entries. New visits have the newest ids and append;
// one that arrives out of order (a clock set back) is put in its place.
func (x *visitIndex) put(h hotEntry, c coldEntry) {
	if i, ok := x.byID[c.id]; ok {
		x.hot[i], x.cold[i] = h, c
		return
	}
	n := len(x.cold)
	if n == 0 || x.cold[n-1].id < c.id {
		x.hot, x.cold = append(x.hot, h), append(x.cold, c)
		x.byID[c.id] = n
		return
	}
	i, _ := slices.BinarySearchFunc(x.cold, c.id, func(a coldEntry, id string) int { return strings.Compare(a.id, id) })
	x.hot, x.cold = slices.Insert(x.hot, i, h), slices.Insert(x.cold, i, c)
	x.reindex(i)
}

// remove drops the entries of ids in one pass.
func (x *visitIndex) remove(ids []string) {
	if len(ids) == 0 {
		return
	}
	from := len(x.cold)
	for _, id := range ids {
		if i, ok := x.byID[id]; ok {
			from = min(from, i)
			x.cold[i].id = "" // marks it for the sweep below
			delete(x.byID, id)
		}
	}
	j := from
	for i := from; i < len(x.cold); i++ {
		if x.cold[i].id != "" {
			x.hot[j], x.cold[j] = x.hot[i], x.cold[i]
			j++
		}
	}
	clear(x.cold[j:]) // let the strings go
	x.hot, x.cold = x.hot[:j], x.cold[:j]
	x.reindex(from)
}

// compact packs the index built at start into as little memory as it needs, once it
// holds every visit. Built visit by visit, its strings lie among the garbage of opening
// each visit, so the heap could not give those pages back (a 100,000-visit ledger held
// 57 MB for 33 MB of index), and its slices kept the spare room of growing. Here every
// string moves into one allocation, one copy per distinct value (a visitor who comes
// back keeps one keyed hash and one name), and the slices and the id map are made
// again at their size.
func (x *visitIndex) compact() {
	strs := func(c *coldEntry) [4]*string { return [4]*string{&c.id, &c.personKey, &c.names, &c.initials} }
	at := map[string]int{} // each distinct value's place in all
	var distinct []string
	size := 0
	for i := range x.cold {
		for _, s := range strs(&x.cold[i]) {
			if _, ok := at[*s]; !ok {
				at[*s] = size
				size += len(*s)
				distinct = append(distinct, *s)
			}
		}
	}
	var b strings.Builder
	b.Grow(size)
	for _, s := range distinct {
		b.WriteString(s)
	}
	all := b.String()
	cold := make([]coldEntry, len(x.cold))
	for i := range x.cold {
		cold[i] = x.cold[i]
		for _, s := range strs(&cold[i]) {
			*s = all[at[*s] : at[*s]+len(*s)]
		}
	}
	x.hot, x.cold = slices.Clone(x.hot), cold
	x.byID = make(map[string]int, len(cold))
	x.reindex(0)
}

func (x *visitIndex) reindex(from int) {
	for i := from; i < len(x.cold); i++ {
		x.byID[x.cold[i].id] = i
	}
}

// matcher is one search, ready to test entries.
type matcher struct {
	kind                string
	q                   string // normalised query; the keyed hash for an ID number
	key, phone, last4   uint64
	ini                 uint64 // packed initials, shifted
	shift               uint   // 0…60: bits below the query's letters
	from, to, today     int32
	service             byte
	open, closed, fuDue bool
}

func newMatcher(f backend.VisitFilter, kind, q, today string) matcher {
	m := matcher{kind: kind, q: q, from: dateNum(f.From), to: dateNum(f.To), today: dateNum(today),
		open: f.Status == "open", closed: f.Status == "closed", fuDue: f.FollowUpDue}
	if f.Service != "" {
		m.service = f.Service[0]
	}
	switch kind {
	case backend.QueryIDNumber:
		m.key = keyPrefix(q)
	case backend.QueryPhone:
		m.phone, _ = strconv.ParseUint(q, 10, 64)
	case backend.QueryLast4:
		m.last4, _ = strconv.ParseUint(q, 10, 64)
	case backend.QueryInitials:
		if p, ok := packInitials(q); ok {
			m.shift = uint(5 * (maxPacked - len(q)))
			m.ini = p >> m.shift
		}
	}
	return m
}

func (m *matcher) matches(x *visitIndex, i int) bool {
	h := &x.hot[i]
	switch m.kind {
	case backend.QueryIDNumber:
		if h.key != m.key || x.cold[i].personKey != m.q {
			return false
		}
	case backend.QueryPhone:
		if h.phone != m.phone {
			return false
		}
	case backend.QueryLast4:
		if h.phone == 0 || h.phone%10000 != m.last4 {
			return false
		}
	case backend.QueryInitials:
		found := false
		if m.ini != 0 {
			for _, p := range h.ini {
				found = found || (p != 0 && p>>m.shift == m.ini)
			}
		}
		if !found && (!h.moreIni || !hasInitials(x.cold[i].initials, m.q)) {
			return false
		}
	case backend.QueryName:
		if !strings.Contains(x.cold[i].names, m.q) {
			return false
		}
	}
	switch {
	case m.from != 0 && h.date < m.from, m.to != 0 && h.date > m.to,
		m.service != 0 && h.service != m.service,
		m.open && h.closedAt != 0, m.closed && h.closedAt == 0,
		m.fuDue && (h.followUp == 0 || h.followUp > m.today):
		return false
	}
	return true
}

// hasInitials reports whether one of the NUL-separated readings starts with q.
func hasInitials(all, q string) bool {
	for all != "" {
		one := all
		if i := strings.IndexByte(all, 0); i >= 0 {
			one, all = all[:i], all[i+1:]
		} else {
			all = ""
		}
		if strings.HasPrefix(one, q) {
			return true
		}
	}
	return false
}

// match returns the ids of the matching entries, newest first.
func (x *visitIndex) match(m matcher) []string {
	var out []string
	for i := len(x.hot) - 1; i >= 0; i-- {
		if m.matches(x, i) {
			out = append(out, x.cold[i].id)
		}
	}
	return out
}

// expired returns the ids of closed visits closed before cutoff.
func (x *visitIndex) expired(cutoff time.Time) []string {
	var out []string
	cut := cutoff.Unix()
	for i := range x.hot {
		if c := x.hot[i].closedAt; c != 0 && c < cut {
			out = append(out, x.cold[i].id)
		}
	}
	return out
}
