package backend

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// seedJSON is the county's draft seed data (../shared/data/entitlements.json): ticket
// services now, the entitlement catalog and person categories for the lookup.
//
//go:embed data/entitlements.json
var seedJSON []byte

// Service is a kind of business with its own queue and ticket letter (A 政策咨询 …
// J 退役报到). Letters I and O are never used: they read as 1 and 0.
type Service struct {
	Letter    string   `json:"letter"`
	NameZH    string   `json:"name_zh"`
	NameEN    string   `json:"name_en"`
	TypicalZH []string `json:"typical_zh,omitempty"`
	Related   []string `json:"related,omitempty"` // entitlement ids the service handles
	Enabled   bool     `json:"enabled"`
	Order     int      `json:"order"`
	// AvgServiceS is the service time, in seconds, assumed until enough tickets of the
	// service have been served to measure it.
	AvgServiceS int `json:"avg_service_s"`
}

// Name returns the service's name in lang.
func (s *Service) Name(lang string) string {
	if IsEnglish(lang) && s.NameEN != "" {
		return s.NameEN
	}
	return s.NameZH
}

// ValidServiceLetter reports whether l is one letter A–Z other than I and O.
func ValidServiceLetter(l string) bool {
	return len(l) == 1 && l[0] >= 'A' && l[0] <= 'Z' && l[0] != 'I' && l[0] != 'O'
}

// DefaultServices returns the services A–J a fresh station starts with, from the seed
// data, all enabled.
func DefaultServices() ([]Service, error) {
	var seed struct {
		Services []struct {
			Prefix  string   `json:"prefix"`
			NameZH  string   `json:"name_zh"`
			NameEN  string   `json:"name_en"`
			Typical []string `json:"typical"`
			Related []string `json:"related"`
		} `json:"services"`
	}
	if err := json.Unmarshal(seedJSON, &seed); err != nil {
		return nil, fmt.Errorf("parse seed services: %w", err)
	}
	out := make([]Service, 0, len(seed.Services))
	for i, s := range seed.Services {
		if !ValidServiceLetter(s.Prefix) {
			return nil, fmt.Errorf("seed service %q: bad letter", s.Prefix)
		}
		out = append(out, Service{
			Letter: s.Prefix, NameZH: s.NameZH, NameEN: s.NameEN,
			TypicalZH: s.Typical, Related: s.Related,
			Enabled: true, Order: i, AvgServiceS: int(DefaultServiceTime / time.Second),
		})
	}
	return out, nil
}

// DefaultServiceTime is the time one person is assumed to take at a counter before the
// station has measured its own.
const DefaultServiceTime = 5 * time.Minute

// ServiceUpdate is what staff may change about a service: its names, whether the kiosk
// offers it today, and the service time assumed before one is measured. The letter
// stays: it is on every ticket of the day.
type ServiceUpdate struct {
	NameZH      string `json:"name_zh"`
	NameEN      string `json:"name_en"`
	Enabled     bool   `json:"enabled"`
	AvgServiceS int    `json:"avg_service_s"`
}

// Limits of a ServiceUpdate.
const (
	maxServiceName = 40
	minServiceS    = 30
	maxServiceS    = 3 * 3600
)

// Validate returns EINVALID for an empty or overlong name or a service time outside
// 30 s – 3 h.
func (u *ServiceUpdate) Validate() error {
	u.NameZH, u.NameEN = strings.TrimSpace(u.NameZH), strings.TrimSpace(u.NameEN)
	if u.NameZH == "" || utf8.RuneCountInString(u.NameZH) > maxServiceName || utf8.RuneCountInString(u.NameEN) > maxServiceName {
		return Errorf(EINVALID, "service.name", maxServiceName)
	}
	if u.AvgServiceS < minServiceS || u.AvgServiceS > maxServiceS {
		return Errorf(EINVALID, "service.time", minServiceS/60, maxServiceS/60)
	}
	return nil
}

// ServiceService reads and edits the station's services.
type ServiceService interface {
	// Services returns all services in display order.
	Services(ctx context.Context) ([]Service, error)
	// Service returns one service; ENOTFOUND if there is none with that letter.
	Service(ctx context.Context, letter string) (*Service, error)
	// UpdateService changes a service's names, availability and assumed service
	// time. EINVALID for a bad update, ENOTFOUND for an unknown letter. Tickets
	// already issued keep their number and place.
	UpdateService(ctx context.Context, letter string, u ServiceUpdate) (*Service, error)
}
