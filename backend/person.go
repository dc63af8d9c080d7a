package backend

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"regexp"
	"slices"
	"time"
)

// CardStatus is where a person's preferential-treatment card (优待证) stands. The
// codes are stable (county data and the API use them); the Chinese names are what
// the kiosk shows.
type CardStatus string

// Card statuses, in the order a card normally goes through them.
const (
	CardNone       CardStatus = "none"       // 未建档: no file (建档立卡) yet
	CardRegistered CardStatus = "registered" // 已建档未申领
	CardAccepted   CardStatus = "accepted"   // 已受理: the station took the application
	CardReviewing  CardStatus = "reviewing"  // 审核中: county, city, province review
	CardMaking     CardStatus = "making"     // 制卡中
	CardReady      CardStatus = "ready"      // 待领取: at the station, waiting for the person
	CardIssued     CardStatus = "issued"     // 已发放
	CardLost       CardStatus = "lost"       // 挂失
	CardReplacing  CardStatus = "replacing"  // 补换中
	CardCancelled  CardStatus = "cancelled"  // 注销
)

// CardStatuses lists every card status in flow order.
var CardStatuses = []CardStatus{CardNone, CardRegistered, CardAccepted, CardReviewing, CardMaking,
	CardReady, CardIssued, CardLost, CardReplacing, CardCancelled}

// Valid reports whether s is one of CardStatuses.
func (s CardStatus) Valid() bool { return slices.Contains(CardStatuses, s) }

// Name returns the status as the kiosk shows it ("待领取" / "Ready to collect").
func (s CardStatus) Name(lang string) string { return Translate(lang, "lookup.card."+string(s)) }

// NextStep tells the person, in lang, what happens next or what to do.
func (s CardStatus) NextStep(lang string) string {
	return Translate(lang, "lookup.card."+string(s)+".next")
}

// Service returns the letter of the ticket to take for the next step, or "" when the
// person need not come (the card is on its way, or in hand).
func (s CardStatus) Service() string {
	switch s {
	case CardNone:
		return "C"
	case CardRegistered, CardReady, CardLost:
		return "B"
	case CardCancelled:
		return "A"
	}
	return ""
}

// Collect reports whether the card waits at the station: the kiosk then offers one
// tap to take a B ticket for collecting it.
func (s CardStatus) Collect() bool { return s == CardReady }

// CardEvent is one step in a card's history.
type CardEvent struct {
	Status CardStatus `json:"status"`
	Date   string     `json:"date"` // YYYY-MM-DD
}

// Person is one entry of the county's registry of people the station serves (优抚对象).
// IDNumber, Name and Phone are personal data: stores keep them encrypted, screens and
// paper show them masked, logs never.
type Person struct {
	IDNumber        string      `json:"id_number"`
	Name            string      `json:"name"`
	Phone           string      `json:"phone"`
	Categories      []string    `json:"categories"`
	DisabilityGrade int         `json:"disability_grade,omitempty"` // 1–10, for DISABLED_VET
	DisabilityCause string      `json:"disability_cause,omitempty"` // war | duty | illness
	Residence       string      `json:"residence,omitempty"`        // rural | urban_no_employer | urban
	Relation        string      `json:"relation,omitempty"`         // for families: parent | spouse | child | sibling_dependent
	CardStatus      CardStatus  `json:"card_status"`
	CardHistory     []CardEvent `json:"card_history,omitempty"` // oldest first

	// Household and outreach (走访慰问, 光荣牌, 喜报), all optional: people with the same
	// household id live together; the address is the household's; tags are
	// circumstances the county records (hardship, alone, model); plaque is the date a
	// 光荣牌 was hung before the station kept records; honours are 喜报 to deliver.
	Household string   `json:"household,omitempty"`
	Address   string   `json:"address,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	Plaque    string   `json:"plaque,omitempty"`
	Honours   []Honour `json:"honours,omitempty"`
}

var categoryCode = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,31}$`)

// Validate normalises the ID number and checks a registry record: a valid ID number,
// a name, a mobile number, category codes, known attribute values and a card history
// in date order. It returns EINVALID with the first problem.
func (p *Person) Validate(today time.Time) error {
	p.IDNumber = NormalizeIDNumber(p.IDNumber)
	if err := ValidateIDNumber(p.IDNumber, today); err != nil {
		return err
	}
	if p.Name == "" || len(p.Name) > 100 {
		return Errorf(EINVALID, "lookup.person_name")
	}
	if err := ValidatePhone(p.Phone); err != nil {
		return err
	}
	if len(p.Categories) == 0 {
		return Errorf(EINVALID, "lookup.no_category")
	}
	for _, c := range p.Categories {
		if !categoryCode.MatchString(c) {
			return Errorf(EINVALID, "lookup.category", c)
		}
	}
	if p.DisabilityGrade < 0 || p.DisabilityGrade > 10 {
		return Errorf(EINVALID, "lookup.grade")
	}
	for _, f := range []struct {
		v, key string
		all    []string
	}{
		{p.DisabilityCause, "lookup.cause", DisabilityCauses},
		{p.Residence, "lookup.residence", Residences},
		{p.Relation, "lookup.relation", Relations},
	} {
		if f.v != "" && !slices.Contains(f.all, f.v) {
			return Errorf(EINVALID, f.key)
		}
	}
	if !p.CardStatus.Valid() {
		return Errorf(EINVALID, "lookup.card_status", string(p.CardStatus))
	}
	prev := ""
	for _, ev := range p.CardHistory {
		if !ev.Status.Valid() {
			return Errorf(EINVALID, "lookup.card_status", string(ev.Status))
		}
		if _, err := time.Parse(time.DateOnly, ev.Date); err != nil || ev.Date < prev {
			return Errorf(EINVALID, "lookup.card_history")
		}
		prev = ev.Date
	}
	return p.validateOutreachFields()
}

// BirthDate returns the birth date in the ID number.
func (p *Person) BirthDate() time.Time {
	t, _ := IDBirthDate(p.IDNumber)
	return t
}

// Sex returns "male" or "female" from the ID number's sequence digit (odd is male).
func (p *Person) Sex() string {
	if len(p.IDNumber) < 17 {
		return ""
	}
	if (p.IDNumber[16]-'0')%2 == 1 {
		return SexMale
	}
	return SexFemale
}

// Profile returns what evaluation needs to know of the person: everything is answered.
func (p *Person) Profile() Profile {
	return Profile{
		Categories: p.Categories, DisabilityGrade: p.DisabilityGrade, DisabilityCause: p.DisabilityCause,
		Birth: BirthOf(p.BirthDate()), Sex: p.Sex(), Residence: p.Residence, Relation: p.Relation,
	}
}

// PhoneLast4 returns the last four digits of the phone on record.
func (p *Person) PhoneLast4() string {
	if len(p.Phone) < 4 {
		return ""
	}
	return p.Phone[len(p.Phone)-4:]
}

// DecodePersons reads a registry as the county sends it: JSON objects of the Person
// shape, one after another (JSON Lines). It yields each record or the error that
// stops the stream; records are not validated here.
func DecodePersons(r io.Reader) iter.Seq2[*Person, error] {
	return decodeLines[Person](r, "lookup.registry_record")
}

// decodeLines reads JSON objects of T's shape, one after another, with no field T
// lacks, yielding each or, for the first that does not decode, EINVALID with key and
// the record's number.
func decodeLines[T any](r io.Reader, key string) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		dec := json.NewDecoder(r)
		dec.DisallowUnknownFields()
		for n := 1; ; n++ {
			var v T
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(nil, Errorf(EINVALID, key, n))
				return
			}
			if !yield(&v, nil) {
				return
			}
		}
	}
}

// Lockout limits of the personal lookup: after MaxLookupFailures wrong answers for one
// ID number at one device the kiosk stops and sends the person to staff, for
// LookupLockTime after the last failure or until staff clear it. Other devices (the
// station's own kiosk among them) are not locked by it.
const (
	MaxLookupFailures = 3
	LookupLockTime    = 24 * time.Hour
)

// PersonService is the station's copy of the county registry.
type PersonService interface {
	// LookupPerson returns the person with idNumber when phoneLast4 matches the phone
	// on record, asked at device (the kiosk, or an enrolled kiosk device). An unknown
	// ID number and a wrong last4 give the same ENOTFOUND ("lookup.no_match", see
	// AttemptsLeft) and both count as a failure of that number at that device; at the
	// MaxLookupFailures-th, and while locked there, it returns EFORBIDDEN
	// ("lookup.locked"). EINVALID for a malformed ID number or last4 (not counted).
	LookupPerson(ctx context.Context, device, idNumber, phoneLast4 string) (*Person, error)
	// ClearLookupLock lets an ID number try again at once, at every device (staff,
	// after checking the person's identity at the counter).
	ClearLookupLock(ctx context.Context, idNumber string) error
	// Registry returns the current registry version and its number of persons.
	Registry(ctx context.Context) (version string, count int, err error)
	// ReplaceRegistry makes persons the whole registry, as version. Readers see the
	// old registry until the new one is complete. EINVALID for a bad record (nothing
	// changes).
	ReplaceRegistry(ctx context.Context, version string, persons iter.Seq2[*Person, error]) (int, error)
	// PutPersons adds or updates persons in the current registry, in one transaction.
	PutPersons(ctx context.Context, persons []Person) error
}

// AttemptsLeft returns how many lookups an ID number has left, for a "lookup.no_match"
// error; ok is false for any other error.
func AttemptsLeft(err error) (n int, ok bool) {
	var e *Error
	if errors.As(err, &e) && e.Key == "lookup.no_match" && len(e.Args) == 1 {
		n, ok = e.Args[0].(int)
	}
	return n, ok
}

// NoMatch returns the error for an unknown ID number or a wrong last4, saying how many
// attempts are left.
func NoMatch(left int) error { return Errorf(ENOTFOUND, "lookup.no_match", left) }

// Sealer encrypts personal data at rest and binds each sealed value to the field and
// record it belongs to, so a value moved to another record does not open. keys.Cipher
// implements it.
type Sealer interface {
	Seal(field, record string, plaintext []byte) ([]byte, error)
	Open(field, record string, sealed []byte) ([]byte, error)
}

// RegistryFact tells the county which registry version a station now holds.
type RegistryFact struct {
	Version string `json:"version"`
	Persons int    `json:"persons"`
}

// LookupLockFact records that a lookup lock began or was cleared. It names no person:
// the county learns how often kiosks stop people, not whom.
type LookupLockFact struct {
	At time.Time `json:"at"`
}
