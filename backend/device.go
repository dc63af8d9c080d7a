package backend

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// A KioskDevice is a second screen an admin enrolled to act as a kiosk: a touchscreen
// or tablet in the lobby. It may take tickets, look people up and register visits,
// as the station's own kiosk does; any other client on the LAN may not. It proves
// itself with a token given once at enrolment; the station keeps only its hash.
type KioskDevice struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	// LastUsedAt is when the device last made a request, to the minute.
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// MaxDeviceName is the longest name a kiosk device can have, in characters.
const MaxDeviceName = 20

// ValidateDeviceName returns name trimmed, or EINVALID when it is empty or too long.
func ValidateDeviceName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxDeviceName {
		return "", Errorf(EINVALID, "device.name", MaxDeviceName)
	}
	return name, nil
}

// DeviceService keeps the kiosk devices and the station's LAN setting for tickets.
type DeviceService interface {
	// AddDevice enrols a device named name for admin by and returns it with its
	// token, which is never shown again. ECONFLICT when a device has that name.
	AddDevice(ctx context.Context, name, by string) (*KioskDevice, string, error)
	// Devices lists the enrolled devices by name.
	Devices(ctx context.Context) ([]KioskDevice, error)
	// RemoveDevice revokes a device at once. ENOTFOUND for an unknown id.
	RemoveDevice(ctx context.Context, id string) error
	// CheckDevice returns the device whose token this is, noting its use; ENOTFOUND
	// for a token no enrolled device has (never enrolled, or revoked).
	CheckDevice(ctx context.Context, token string) (*KioskDevice, error)
	// OpenTickets reports whether any client on the LAN may take a ticket (a station
	// setting, off by default); SetOpenTickets changes it.
	OpenTickets(ctx context.Context) (bool, error)
	SetOpenTickets(ctx context.Context, open bool) error
}
