package backend

import (
	"strings"
	"time"
)

// idWeights and idCheckChars implement the ISO 7064 MOD 11-2 check of GB 11643-1999.
var (
	idWeights    = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	idCheckChars = "10X98765432"
)

// NormalizeIDNumber trims spaces and upper-cases a trailing x, the forms in which card
// readers and people type an ID number.
func NormalizeIDNumber(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// ValidateIDNumber checks a normalised 18-character resident ID number (GB 11643-1999):
// length, characters, area code, a real birth date not after today, and the check
// character. It returns an EINVALID *Error whose message says which part is wrong, so a
// person can correct it rather than start again.
func ValidateIDNumber(id string, today time.Time) error {
	if id == "" {
		return Errorf(EINVALID, "id.empty")
	}
	if n := len([]rune(id)); n != 18 {
		return Errorf(EINVALID, "id.length", n)
	}
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return Errorf(EINVALID, "id.chars")
		}
	}
	if c := id[17]; (c < '0' || c > '9') && c != 'X' {
		return Errorf(EINVALID, "id.chars")
	}
	// Province codes run from 11 (Beijing) to 82 (Macau); 00 and 99 are never issued.
	if p := int(id[0]-'0')*10 + int(id[1]-'0'); p < 11 || p > 82 {
		return Errorf(EINVALID, "id.area")
	}
	birth, ok := IDBirthDate(id)
	if !ok {
		return Errorf(EINVALID, "id.birth")
	}
	y, m, d := today.Date()
	if birth.After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
		return Errorf(EINVALID, "id.birth_future")
	}
	sum := 0
	for i, w := range idWeights {
		sum += int(id[i]-'0') * w
	}
	if id[17] != idCheckChars[sum%11] {
		return Errorf(EINVALID, "id.checksum")
	}
	return nil
}

// IDBirthDate returns the birth date in digits 7–14 of an 18-digit ID number, and false
// if they are not a real calendar date from 1800 on.
func IDBirthDate(id string) (time.Time, bool) {
	if len(id) < 14 {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102", id[6:14])
	if err != nil || t.Year() < 1800 {
		return time.Time{}, false
	}
	return t, true
}

// MaskIDNumber shows the first 6 and last 4 characters of an ID number, as on screens
// and paper: 110105********002X.
func MaskIDNumber(id string) string {
	r := []rune(id)
	if len(r) <= 10 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}

// MaskPhone shows the first 3 and last 4 digits of a phone number: 138****1234.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskName keeps the first character of a name and hides the rest: 张*, 欧阳** .
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	if len(r) == 0 {
		return ""
	}
	if len(r) == 1 {
		return "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

// ValidatePhone checks a mainland mobile number: 11 digits starting 13–19.
func ValidatePhone(p string) error {
	if len(p) != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9' {
		return Errorf(EINVALID, "phone.invalid")
	}
	for i := 2; i < 11; i++ {
		if p[i] < '0' || p[i] > '9' {
			return Errorf(EINVALID, "phone.invalid")
		}
	}
	return nil
}
