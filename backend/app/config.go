package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"bingzhan/backend"
)

// Config is the station's configuration: defaults, overridden by config.json in the
// data folder, overridden by flags. Every field has a default that works offline.
type Config struct {
	StationName     string `json:"station_name"`
	TimeZone        string `json:"timezone"` // IANA name; days and numbers follow its midnight
	Printer         string `json:"printer"`  // "" (none), tcp://host:9100 or a device path
	PrinterWidth    int    `json:"printer_width_dots"`
	IdleWarningS    int    `json:"idle_warning_s"`
	IdleCountdownS  int    `json:"idle_countdown_s"`
	BackupKeep      int    `json:"backup_keep"`
	BackupIntervalH int    `json:"backup_interval_h"`
	// LANAddr, when set, serves the UI and API to staff PCs and the lobby TV while the
	// kiosk window runs (e.g. "0.0.0.0:8080"). Off unless asked for.
	LANAddr string `json:"lan_addr"`
	// TLS serves the LAN listener over HTTPS with the station's own certificate
	// authority (DATA/tls/ca.pem, which staff PCs and the TV trust once), so PINs and
	// sessions do not cross the LAN in plain text. The kiosk window is not affected.
	TLS bool `json:"tls"`
	// BoardAddr, when set, also serves the lobby board alone over plain HTTP (e.g.
	// "0.0.0.0:8081"), for a TV whose browser cannot be made to trust the station's
	// CA. Nothing else answers there. Off unless asked for.
	BoardAddr string `json:"board_addr"`
	// LedgerRetentionDays is how long a closed visitor-ledger entry is kept before the
	// daily purge deletes it (ledger.go, docs/ledger.md).
	LedgerRetentionDays int `json:"ledger_retention_days"`
	// OutreachRetentionDays is how long an outreach entry (走访慰问, 光荣牌, 喜报) is
	// kept after its date, with its photo and signature.
	OutreachRetentionDays int `json:"outreach_retention_days"`
	// Languages are the languages the kiosk and the board offer, Chinese first: a
	// station near Mongolian-speaking villages adds "mn-Mong" (Languages below), one
	// that wants Chinese alone drops "en".
	Languages []string `json:"languages"`
	// RatingCaseDays is the deadline, in working days, to call back the person and
	// correct the cause of a bad rating (不满意, 非常不满意): local rules set 5 to 15.
	// Weekends and public holidays follow holidays.json (LoadCalendar).
	RatingCaseDays int `json:"rating_case_days"`
	// CheckInBeforeMin and CheckInAfterMin are the check-in window of a booking, in
	// minutes before and after its slot: inside it the person's ticket is called in
	// slot order before walk-ins; later they get a normal ticket.
	CheckInBeforeMin int `json:"appointment_checkin_before_min"`
	CheckInAfterMin  int `json:"appointment_checkin_after_min"`
}

// CheckInWindow returns the booking check-in window the configuration sets.
func (c Config) CheckInWindow() backend.CheckInWindow {
	return backend.CheckInWindow{Before: time.Duration(c.CheckInBeforeMin) * time.Minute,
		After: time.Duration(c.CheckInAfterMin) * time.Minute}
}

// Languages are the language codes a station may offer, as the frontend names its
// locale files. Chinese is the kiosk's first language and every session starts in it,
// so a station always offers it, first.
var Languages = []string{"zh-CN", "en", "mn-Mong"}

// DefaultConfig returns the configuration of a fresh station.
func DefaultConfig() Config {
	return Config{
		StationName:     "退役军人服务站",
		TimeZone:        "Asia/Shanghai",
		PrinterWidth:    576,
		IdleWarningS:    60,
		IdleCountdownS:  20,
		BackupKeep:      14,
		BackupIntervalH: 24,
		// Three years: PIPL art. 19 asks for the shortest time the purpose needs; a
		// visit may lead to a complaint or claim, and the general limitation period for
		// those is three years (Civil Code art. 188). Counties may set their own.
		LedgerRetentionDays: 1095,
		// Five years: the span a county asks a 台账 for; a plaque or a 喜报 once
		// delivered stays on the household's record after its entry goes.
		OutreachRetentionDays: 1827,
		Languages:             []string{"zh-CN", "en"},
		RatingCaseDays:        backend.DefaultCaseDays,
		CheckInBeforeMin:      int(backend.DefaultCheckInWindow.Before / time.Minute),
		CheckInAfterMin:       int(backend.DefaultCheckInWindow.After / time.Minute),
	}
}

// ConfigFile is the name of the optional configuration file in the data folder.
const ConfigFile = "config.json"

// LoadConfig reads dir/config.json over the defaults; a missing file is fine.
func LoadConfig(dir string) (Config, error) {
	c := DefaultConfig()
	buf, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	} else if err != nil {
		return c, err
	}
	if err := json.Unmarshal(buf, &c); err != nil {
		return c, fmt.Errorf("%s: %w", filepath.Join(dir, ConfigFile), err)
	}
	return c, c.Validate()
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("timezone %q: %w", c.TimeZone, err)
	}
	if c.IdleWarningS < 1 || c.IdleCountdownS < 1 {
		return fmt.Errorf("idle_warning_s and idle_countdown_s must be at least 1")
	}
	if c.BackupKeep < 1 || c.BackupIntervalH < 1 {
		return fmt.Errorf("backup_keep and backup_interval_h must be at least 1")
	}
	if c.PrinterWidth != 384 && c.PrinterWidth != 576 {
		return fmt.Errorf("printer_width_dots must be 384 (58 mm paper) or 576 (80 mm)")
	}
	if c.RatingCaseDays < 1 || c.RatingCaseDays > 30 {
		return fmt.Errorf("rating_case_days must be 1 to 30 working days")
	}
	if c.CheckInBeforeMin < 0 || c.CheckInBeforeMin > 120 || c.CheckInAfterMin < 0 || c.CheckInAfterMin > 240 {
		return fmt.Errorf("appointment_checkin_before_min must be 0 to 120 and appointment_checkin_after_min 0 to 240")
	}
	if c.OutreachRetentionDays < backend.MinRetentionDays || c.OutreachRetentionDays > backend.MaxRetentionDays {
		return fmt.Errorf("outreach_retention_days must be %d to %d", backend.MinRetentionDays, backend.MaxRetentionDays)
	}
	return validLanguages(c.Languages)
}

// HolidaysFile is the optional holiday calendar in the data folder: a newer copy of
// backend/data/holidays.json, for the year after the one the program knows.
const HolidaysFile = "holidays.json"

// LoadCalendar reads dir/holidays.json, or returns the built-in calendar when there
// is none. A file that does not pass ParseCalendar's checks stops the station with
// the file's name and the problem, as a bad config.json does: deadlines counted on a
// wrong calendar would be wrong for every case.
func LoadCalendar(dir string) (*backend.Calendar, error) {
	path := filepath.Join(dir, HolidaysFile)
	buf, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return backend.DefaultCalendar(), nil
	} else if err != nil {
		return nil, err
	}
	cal, err := backend.ParseCalendar(buf)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, backend.ErrorMessage(err, "zh-CN"))
	}
	return cal, nil
}

// validLanguages reports a languages setting the kiosk cannot follow, in the words of
// the person who edits config.json: it is the first thing they see when it is wrong.
func validLanguages(langs []string) error {
	all := strings.Join(Languages, ", ")
	if len(langs) == 0 || langs[0] != "zh-CN" {
		return backend.Errorf(backend.EINVALID, "config.languages_first", all)
	}
	seen := map[string]bool{}
	for _, l := range langs {
		if !slices.Contains(Languages, l) {
			return backend.Errorf(backend.EINVALID, "config.languages_unknown", l, all)
		}
		if seen[l] {
			return backend.Errorf(backend.EINVALID, "config.languages_twice", l)
		}
		seen[l] = true
	}
	return nil
}

// DefaultDataDir is the OS's per-user data folder for Bingzhan.
func DefaultDataDir() string {
	home, _ := os.UserHomeDir()
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "Bingzhan")
		}
	case "darwin":
		return filepath.Join(home, "Library", "Application Support", "Bingzhan")
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "bingzhan")
	}
	return filepath.Join(home, ".local", "share", "bingzhan")
}
