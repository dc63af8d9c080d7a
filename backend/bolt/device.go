package bolt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// Kiosk devices:
//
//	devices:       id → device (JSON, with its token's SHA-256)
//	device_tokens: SHA-256 of the token → id; the token itself is never stored
//	meta "open_tickets": "1" when any LAN client may take tickets
var (
	bucketDevices      = newBucket("devices")
	bucketDeviceTokens = newBucket("device_tokens")
)

var keyOpenTickets = []byte("open_tickets")

// storedDevice is a device as the file keeps it.
type storedDevice struct {
	backend.KioskDevice
	TokenHash string `json:"token_hash"`
}

// DeviceService keeps the kiosk devices (backend.DeviceService).
type DeviceService struct{ db *DB }

// NewDeviceService returns a DeviceService on db.
func NewDeviceService(db *DB) *DeviceService { return &DeviceService{db: db} }

// AddDevice implements backend.DeviceService.
func (s *DeviceService) AddDevice(ctx context.Context, name, by string) (*backend.KioskDevice, string, error) {
	name, err := backend.ValidateDeviceName(name)
	if err != nil {
		return nil, "", err
	}
	token, err := newToken()
	if err != nil {
		return nil, "", err
	}
	id := make([]byte, 6)
	if _, err := rand.Read(id); err != nil {
		return nil, "", err
	}
	d := storedDevice{KioskDevice: backend.KioskDevice{ID: hex.EncodeToString(id), Name: name, CreatedAt: s.db.Clock.Now(), CreatedBy: by},
		TokenHash: hex.EncodeToString(tokenKey(token))}
	err = s.db.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDevices)
		dup := false
		err := b.ForEach(func(_, v []byte) error {
			var o storedDevice
			if err := json.Unmarshal(v, &o); err != nil {
				return err
			}
			dup = dup || strings.EqualFold(o.Name, name)
			return nil
		})
		if err != nil {
			return err
		}
		if dup {
			return backend.Errorf(backend.ECONFLICT, "device.exists", name)
		}
		if err := tx.Bucket(bucketDeviceTokens).Put(tokenKey(token), []byte(d.ID)); err != nil {
			return err
		}
		return putJSON(b, []byte(d.ID), d)
	})
	if err != nil {
		return nil, "", err
	}
	return &d.KioskDevice, token, nil
}

// Devices implements backend.DeviceService.
func (s *DeviceService) Devices(ctx context.Context) ([]backend.KioskDevice, error) {
	out := []backend.KioskDevice{}
	err := s.db.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDevices).ForEach(func(_, v []byte) error {
			var d storedDevice
			if err := json.Unmarshal(v, &d); err != nil {
				return err
			}
			out = append(out, d.KioskDevice)
			return nil
		})
	})
	slices.SortFunc(out, func(a, b backend.KioskDevice) int { return strings.Compare(a.Name, b.Name) })
	return out, err
}

// RemoveDevice implements backend.DeviceService: the device and its token go in one
// transaction, so its next request is refused.
func (s *DeviceService) RemoveDevice(ctx context.Context, id string) error {
	return s.db.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDevices)
		var d storedDevice
		ok, err := getJSON(b, []byte(id), &d)
		if err != nil {
			return err
		}
		if !ok {
			return backend.Errorf(backend.ENOTFOUND, "device.not_found")
		}
		hash, err := hex.DecodeString(d.TokenHash)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketDeviceTokens).Delete(hash); err != nil {
			return err
		}
		return b.Delete([]byte(id))
	})
}

// CheckDevice implements backend.DeviceService. It reads only, except once a minute
// per device, when it notes the use.
func (s *DeviceService) CheckDevice(ctx context.Context, token string) (*backend.KioskDevice, error) {
	if token == "" {
		return nil, backend.Errorf(backend.ENOTFOUND, "device.not_found")
	}
	var d storedDevice
	found := false
	err := s.db.db.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketDeviceTokens).Get(tokenKey(token))
		if id == nil {
			return nil
		}
		var err error
		found, err = getJSON(tx.Bucket(bucketDevices), id, &d)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, backend.Errorf(backend.ENOTFOUND, "device.not_found")
	}
	now := s.db.Clock.Now()
	if now.Sub(d.LastUsedAt) >= time.Minute {
		err := s.db.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketDevices)
			var cur storedDevice
			if ok, err := getJSON(b, []byte(d.ID), &cur); err != nil || !ok {
				return err // revoked meanwhile: the next request is refused
			}
			cur.LastUsedAt = now.Truncate(time.Minute)
			return putJSON(b, []byte(d.ID), cur)
		})
		if err != nil {
			return nil, err
		}
		d.LastUsedAt = now.Truncate(time.Minute)
	}
	return &d.KioskDevice, nil
}

// OpenTickets implements backend.DeviceService.
func (s *DeviceService) OpenTickets(ctx context.Context) (bool, error) {
	open := false
	err := s.db.db.View(func(tx *bolt.Tx) error {
		open = string(tx.Bucket(bucketMeta).Get(keyOpenTickets)) == "1"
		return nil
	})
	return open, err
}

// SetOpenTickets implements backend.DeviceService.
func (s *DeviceService) SetOpenTickets(ctx context.Context, open bool) error {
	return s.db.db.Update(func(tx *bolt.Tx) error {
		if !open {
			return tx.Bucket(bucketMeta).Delete(keyOpenTickets)
		}
		return tx.Bucket(bucketMeta).Put(keyOpenTickets, []byte("1"))
	})
}
