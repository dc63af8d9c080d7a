package county

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"bingzhan/backend"
)

// Station is one enrolled station as the county knows it.
type Station struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	SecretHash []byte    `json:"secret_hash"`
	CreatedAt  time.Time `json:"created_at"`
	// KeyID is the station's own id (from its signing key), bound at the first push so
	// a copied enrolment file cannot feed a second station's sequences into this one.
	KeyID   string `json:"key_id,omitempty"`
	Version string `json:"version,omitempty"`
	// RetiredAt is when the station was retired: it can no longer sync; what it sent
	// stays in the county's figures.
	RetiredAt *time.Time `json:"retired_at,omitempty"`
	LastSeen  *time.Time `json:"last_seen,omitempty"`
	// Pending, OldestPending and DeadLetters are the backlog as the station last
	// reported it, less what that push delivered.
	Pending       int            `json:"pending"`
	OldestPending *time.Time     `json:"oldest_pending,omitempty"`
	DeadLetters   int            `json:"dead_letters"`
	Contiguous    uint64         `json:"contiguous"`
	Received      map[string]int `json:"received"` // entries by kind
	Total         int            `json:"total"`
}

// StationName trims a new station's name and checks it: 1 to 80 characters.
func StationName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 80 {
		return "", Errorf(backend.EINVALID, "county.station_name")
	}
	return name, nil
}

// StationID makes the id of the n-th station: the number orders stations, the random
// part keeps ids unguessable.
func StationID(n uint64) string {
	var r [2]byte
	rand.Read(r[:])
	return fmt.Sprintf("st-%04d-%x", n, r)
}

// ErrStationExists is the error for a second station that is not retired under name.
func ErrStationExists(name string, other *Station) error {
	return Errorf(backend.ECONFLICT, "county.station_exists", name, other.ID)
}

// ErrStationNotFound is the error for no station with this id or name.
func ErrStationNotFound(idOrName string) error {
	return Errorf(backend.ENOTFOUND, "county.station_not_found", idOrName)
}

// GiveNewSecret sets a new secret's hash on st and clears its key binding, so the next
// push with the new secret binds it again: the same station re-enrolled, or its
// replacement PC. A retired station gets none.
func GiveNewSecret(st *Station, secretHash []byte) error {
	if st.RetiredAt != nil {
		return Errorf(backend.ECONFLICT, "county.station_retired_new", st.ID, st.Name)
	}
	st.SecretHash, st.KeyID = secretHash, ""
	return nil
}

// Retire marks st retired at now and forgets its secret.
func Retire(st *Station, now time.Time) error {
	if st.RetiredAt != nil {
		return Errorf(backend.ECONFLICT, "county.station_retired", st.ID, st.Name)
	}
	st.RetiredAt, st.SecretHash = &now, nil
	return nil
}

// NewSecret returns a new station secret and its hash, the only form kept.
func NewSecret() (secret string, hash []byte) {
	secret = RandomToken(32)
	return secret, HashSecret(secret)
}

// HashSecret returns the SHA-256 of a secret or token, as the county keeps them.
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// CheckSecret returns st if it may sync with secret: found, not retired, and the
// secret's hash matches in constant time. Otherwise it returns EUNAUTHORIZED.
func CheckSecret(st *Station, found bool, secret string) (*Station, error) {
	if !found || st.RetiredAt != nil || subtle.ConstantTimeCompare(HashSecret(secret), st.SecretHash) != 1 {
		return nil, Errorf(backend.EUNAUTHORIZED, "county.station_auth")
	}
	return st, nil
}

// RandomToken returns n random bytes in URL-safe base64.
func RandomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
