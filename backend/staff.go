package backend

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Role is what a staff account may do.
type Role string

// Staff roles. An admin can do everything a staff member can.
const (
	RoleStaff Role = "staff" // calls tickets, keeps the ledger, sees the figures
	RoleAdmin Role = "admin" // also sets up counters and accounts, and may leave the kiosk window
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleStaff || r == RoleAdmin }

// Allows reports whether someone with role r may do what needs role need.
func (r Role) Allows(need Role) bool { return r == RoleAdmin || (r == need && r.Valid()) }

// Staff is a staff account. The PIN itself is never kept: PINHash is its Argon2id hash
// in the PHC string format, so the parameters can be raised later without a migration.
type Staff struct {
	Name        string    `json:"name"`
	Role        Role      `json:"role"`
	PINHash     string    `json:"pin_hash"`
	CreatedAt   time.Time `json:"created_at"`
	Failed      int       `json:"failed"` // wrong PINs in a row
	LockedUntil time.Time `json:"locked_until,omitzero"`
	LastLogin   time.Time `json:"last_login,omitzero"`
}

// Locked reports whether the account refuses logins at now.
func (s *Staff) Locked(now time.Time) bool { return now.Before(s.LockedUntil) }

// Session is a logged-in staff member. Token is only ever shown in the answer to the
// login: the store keeps a hash of it, so a copied database opens no sessions.
type Session struct {
	Token     string    `json:"-"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Login limits. Five wrong PINs in a row lock an account for LockDuration; a station
// PIN has few digits, so the lock, not the hash, is what stops guessing at the screen.
const (
	MaxPINFailures = 5
	LockDuration   = 15 * time.Minute
	// SessionTTL is how long a login lasts: one working day, so a browser left logged
	// in overnight is logged out by the morning.
	SessionTTL = 12 * time.Hour
)

// PIN length bounds, in digits.
const (
	MinPINLen = 6
	MaxPINLen = 12
)

// ValidateStaffName trims name and checks it is 1–32 printable characters.
func ValidateStaffName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 32 {
		return "", Errorf(EINVALID, "staff.name")
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return "", Errorf(EINVALID, "staff.name")
		}
	}
	return name, nil
}

// ValidatePIN checks that pin is 6–12 digits and not one a stranger guesses first: all
// one digit, or a straight run such as 123456 or 987654.
func ValidatePIN(pin string) error {
	if len(pin) < MinPINLen || len(pin) > MaxPINLen {
		return Errorf(EINVALID, "staff.pin_length", MinPINLen, MaxPINLen)
	}
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return Errorf(EINVALID, "staff.pin_length", MinPINLen, MaxPINLen)
		}
	}
	same, up, down := true, true, true
	for i := 1; i < len(pin); i++ {
		d := int(pin[i]) - int(pin[i-1])
		same = same && d == 0
		up = up && (d == 1 || d == -9)
		down = down && (d == -1 || d == 9)
	}
	if same || up || down {
		return Errorf(EINVALID, "staff.pin_weak")
	}
	return nil
}

// Argon2id parameters for PIN hashes: OWASP's minimum for Argon2id (19 MiB, 2 passes,
// one lane) costs a few tens of milliseconds on a station PC and needs no tuning.
const (
	pinTime    = 2
	pinMemory  = 19 * 1024
	pinThreads = 1
	pinKeyLen  = 32
)

var b64 = base64.RawStdEncoding

// HashPIN returns the Argon2id hash of pin with a fresh random salt, in the PHC format
// $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func HashPIN(pin string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pin), salt, pinTime, pinMemory, pinThreads, pinKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, pinMemory, pinTime, pinThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPIN reports whether pin matches hash, in time that does not depend on where
// they differ. A malformed hash matches nothing.
func CheckPIN(hash, pin string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil ||
		mem == 0 || mem > 1<<20 || iter == 0 || iter > 16 || threads == 0 {
		return false
	}
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pin), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// StaffService keeps staff accounts and their sessions.
type StaffService interface {
	// AddStaff creates an account. EINVALID for a bad name, role or PIN; ECONFLICT if
	// the name is taken.
	AddStaff(ctx context.Context, name string, role Role, pin string) (*Staff, error)
	// AddFirstAdmin creates the station's first account, an admin, only while the
	// station has no account at all: of two tries at once, one makes the admin.
	// EINVALID for a bad name or PIN; ECONFLICT once any account exists.
	AddFirstAdmin(ctx context.Context, name, pin string) (*Staff, error)
	// HasStaff reports whether the station has any account.
	HasStaff(ctx context.Context) (bool, error)
	// ListStaff returns every account, by name, without PIN hashes.
	ListStaff(ctx context.Context) ([]Staff, error)
	// SetPIN gives an account a new PIN and unlocks it. EINVALID for a bad PIN,
	// ENOTFOUND for an unknown name.
	SetPIN(ctx context.Context, name, pin string) error
	// UnlockStaff lifts the lock that wrong PINs put on an account and clears the count
	// of wrong tries; the PIN stays. ENOTFOUND for an unknown name.
	UnlockStaff(ctx context.Context, name string) error
	// SetRole makes an account staff or admin; its open sessions take the new role at
	// once. by is the admin who acts ("" at the command line). EINVALID for a bad role,
	// ENOTFOUND for an unknown name, ECONFLICT when by changes their own role or the
	// last admin would become staff.
	SetRole(ctx context.Context, name string, role Role, by string) error
	// RemoveStaff deletes an account and ends its sessions at once. Ticket histories
	// and the ledger keep the name as text. by is the admin who acts ("" at the command
	// line). ENOTFOUND for an unknown name, ECONFLICT when by removes themself or the
	// last admin would go.
	RemoveStaff(ctx context.Context, name, by string) error
	// Login checks a name and PIN and opens a session. EUNAUTHORIZED for a wrong
	// name or PIN, and with key "staff.locked" while the account is locked.
	Login(ctx context.Context, name, pin string) (*Session, error)
	// Logout ends the session of token; an unknown token is not an error.
	Logout(ctx context.Context, token string) error
	// Session returns the live session of token; EUNAUTHORIZED if there is none or it
	// has expired.
	Session(ctx context.Context, token string) (*Session, error)
	// CheckAdminPIN returns the admin account whose PIN is pin. EUNAUTHORIZED if none
	// matches, with key "staff.locked" after too many wrong PINs in a row.
	CheckAdminPIN(ctx context.Context, pin string) (*Staff, error)
}
