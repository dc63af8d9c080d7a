package county

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/keys"
	"bingzhan/sync/wire"
)

// MaxImportBytes is the largest file an import takes.
const MaxImportBytes = 32 << 20

// DatasetNames are the data sets the county publishes, in the order it lists them.
var DatasetNames = []string{wire.RefCatalog, wire.RefRegistry, wire.RefBookings}

// ValidDataset reports whether name is a data set the county publishes.
func ValidDataset(name string) bool { return slices.Contains(DatasetNames, name) }

// SealedDataset reports whether the named data set holds personal data, which stores
// keep sealed: the registry and the bookings.
func SealedDataset(name string) bool { return name == wire.RefRegistry || name == wire.RefBookings }

// DatasetInfo describes one imported version, without its content.
type DatasetInfo struct {
	Name       string    `json:"name"`
	Version    string    `json:"version"`
	ImportedAt time.Time `json:"imported_at"`
	ImportedBy string    `json:"imported_by"`
	Source     string    `json:"source"`
	Items      int       `json:"items"` // entitlements of a catalog, persons of a registry, bookings
}

// DatasetRecord is one imported version of a data set as a store keeps it: Seq counts
// the imports of Name from 1, and the one with the highest Seq is current. The bodies
// of the registry and the bookings hold personal data (SealedDataset) and are sealed
// (Sealed) with the county's data key (OpenDataKey), field Name, record Version; a
// catalog's is as published.
type DatasetRecord struct {
	Name       string    `json:"name"`
	Version    string    `json:"version"`
	Seq        int       `json:"seq"`
	ImportedAt time.Time `json:"imported_at"`
	ImportedBy string    `json:"imported_by"`
	Source     string    `json:"source"`
	Items      int       `json:"items"`
	Sealed     bool      `json:"sealed"`
	Body       []byte    `json:"body"`
}

// Info returns what r says of its version, without the content.
func (r *DatasetRecord) Info() DatasetInfo {
	return DatasetInfo{Name: r.Name, Version: r.Version, ImportedAt: r.ImportedAt, ImportedBy: r.ImportedBy,
		Source: r.Source, Items: r.Items}
}

// Content returns r's ETag and its content as stored, opened with the county's data
// key when sealed. The bookings' content goes to each station filtered
// (StationBookings).
func (r *DatasetRecord) Content(cipher *keys.Cipher) (etag string, body []byte, err error) {
	body = r.Body
	if r.Sealed {
		if body, err = cipher.Open(r.Name, r.Version, r.Body); err != nil {
			return "", nil, fmt.Errorf("open %s %s: %w", r.Name, r.Version, err)
		}
	}
	return wire.ETag(r.Version), body, nil
}

// DatasetVersion names the seq-th import at now. The date and count are for people;
// the random tail keeps the name new after a restore, when the count starts again
// below imports the restore lost and a station holding one of those must not take the
// next import for it.
func DatasetVersion(now time.Time, loc *time.Location, seq int) string {
	tail := make([]byte, 3)
	rand.Read(tail)
	return fmt.Sprintf("county-%s-%d-%x", now.In(loc).Format("20060102"), seq, tail)
}

// SheetReader reads an uploaded CSV or XLSX file into its column names and rows
// (backend/report.ParseSheet does). The county domain reads no file format itself: the
// composition root hands the store a reader, and every error it returns is EINVALID.
type SheetReader func(filename string, data []byte) (cols []string, rows []map[string]string, err error)

func (read SheetReader) read(filename string, data []byte) ([]string, []map[string]string, error) {
	if read == nil {
		return nil, nil, Errorf(backend.EINVALID, "county.sheet_unsupported")
	}
	return read(filename, data)
}

// ParsedDataset is a file turned into what stations fetch.
type ParsedDataset struct {
	Version string // the catalog document's own, or the version ParseDataset was given
	Items   int
	Body    []byte
}

// DatasetImport is one imported file with what ParseDataset needs to read it.
type DatasetImport struct {
	Name     string // the data set
	Filename string // the file's name, whose extension says its format
	Data     []byte
	Version  string    // the name of the version it becomes, unless it names its own
	Now      time.Time // the import's time, for the station's rules
	Read     SheetReader
	// Current is the current catalog, nil for none yet (the embedded default): a
	// catalog sheet is laid over its categories and domains.
	Current []byte
	// Stations are the county's stations, which the rows of a bookings sheet name.
	Stations []Station
	// Cipher is the county's data key: it makes the bookings' ids (BookingID).
	Cipher *keys.Cipher
}

// ParseDataset turns an imported file into the named data set's next version. A
// catalog comes as a whole catalog document (.json, the station's format, keeping its
// own version) or as a sheet of entitlements (.csv/.xlsx) laid over the current
// catalog's categories and domains; a registry comes as a sheet of persons; the
// bookings as a sheet of bookings at the stations (parseBookings). Every row is
// checked with the station's own rules, so a station never receives what it would
// refuse; sheets are read with in.Read. Returns ENOTFOUND for another name, EINVALID
// for a file refused.
func ParseDataset(in *DatasetImport) (*ParsedDataset, error) {
	switch {
	case !ValidDataset(in.Name):
		return nil, Errorf(backend.ENOTFOUND, "county.dataset_unknown", in.Name)
	case in.Name == wire.RefCatalog && strings.EqualFold(filepath.Ext(in.Filename), ".json"):
		c, err := backend.ParseCatalog(in.Data)
		if err != nil {
			return nil, Invalid(err)
		}
		return &ParsedDataset{Version: c.Version, Items: len(c.Entitlements), Body: bytes.Clone(in.Data)}, nil
	case in.Name == wire.RefCatalog:
		return parseCatalogSheet(in.Read, in.Filename, in.Data, in.Current, in.Version)
	case in.Name == wire.RefBookings:
		return parseBookings(in)
	default:
		return parseRegistry(in.Read, in.Filename, in.Data, in.Version, in.Now)
	}
}

// parseCatalogSheet replaces the entitlements of current (the embedded default when
// nil) with the sheet's rows.
func parseCatalogSheet(read SheetReader, filename string, data, current []byte, version string) (*ParsedDataset, error) {
	cols, rows, err := read.read(filename, data)
	if err != nil {
		return nil, err
	}
	if err := requireColumns(cols, "id", "domain", "title_zh", "summary_zh", "categories", "service", "source"); err != nil {
		return nil, err
	}
	base := backend.DefaultCatalogJSON()
	if current != nil {
		base = current
	}
	var c backend.Catalog
	if err := json.Unmarshal(base, &c); err != nil {
		return nil, err
	}
	c.Entitlements = c.Entitlements[:0]
	for i, row := range rows {
		e := backend.Entitlement{
			ID: row["id"], Domain: row["domain"], TitleZH: row["title_zh"], TitleEN: row["title_en"],
			SummaryZH: row["summary_zh"], SummaryEN: row["summary_en"], Categories: list(row["categories"]),
			Documents: list(row["documents"]), Service: row["service"], WhereZH: row["where_zh"], WhereEN: row["where_en"],
			StaffReview: yes(row["staff_review"]), Source: row["source"],
			Scope: backend.Scope{Level: row["scope"], RegionCode: row["region_code"], From: row["from"], Until: row["until"]},
		}
		if e.Scope.Level == "" {
			e.Scope.Level = backend.ScopeNational
		}
		if r := row["rules"]; r != "" {
			dec := json.NewDecoder(strings.NewReader(r))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&e.Rules); err != nil {
				return nil, Errorf(backend.EINVALID, "county.import_rules", i+2, err)
			}
		}
		c.Entitlements = append(c.Entitlements, e)
	}
	c.Version = version
	body, err := json.Marshal(&c)
	if err != nil {
		return nil, err
	}
	if _, err := backend.ParseCatalog(body); err != nil {
		return nil, Invalid(err)
	}
	return &ParsedDataset{Version: version, Items: len(c.Entitlements), Body: body}, nil
}

// cardStatusZH maps the statuses as county staff write them to their codes.
var cardStatusZH = map[string]backend.CardStatus{
	"未建档": backend.CardNone, "已建档未申领": backend.CardRegistered, "已受理": backend.CardAccepted,
	"审核中": backend.CardReviewing, "制卡中": backend.CardMaking, "待领取": backend.CardReady,
	"已发放": backend.CardIssued, "挂失": backend.CardLost, "补换中": backend.CardReplacing, "注销": backend.CardCancelled,
}

// parseRegistry turns a sheet of persons into the JSON Lines stations read. Category
// cells take codes (VETERAN) or the catalog's Chinese names (退役军人).
func parseRegistry(read SheetReader, filename string, data []byte, version string, now time.Time) (*ParsedDataset, error) {
	cols, rows, err := read.read(filename, data)
	if err != nil {
		return nil, err
	}
	if err := requireColumns(cols, "id_number", "name", "phone", "categories", "card_status"); err != nil {
		return nil, err
	}
	catNames := map[string]string{}
	if c, err := backend.DefaultCatalog(); err == nil {
		for _, cat := range c.Categories {
			catNames[cat.NameZH] = cat.Code
		}
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	seen := make(map[string]int, len(rows))
	for i, row := range rows {
		p := backend.Person{IDNumber: row["id_number"], Name: row["name"], Phone: row["phone"],
			DisabilityCause: row["disability_cause"], Residence: row["residence"], Relation: row["relation"],
			CardStatus: backend.CardStatus(row["card_status"])}
		if st, ok := cardStatusZH[row["card_status"]]; ok {
			p.CardStatus = st
		}
		for _, c := range list(row["categories"]) {
			if code, ok := catNames[c]; ok {
				c = code
			}
			p.Categories = append(p.Categories, c)
		}
		if g := row["disability_grade"]; g != "" {
			if _, err := fmt.Sscan(g, &p.DisabilityGrade); err != nil {
				return nil, Errorf(backend.EINVALID, "county.import_grade", i+2, g)
			}
		}
		if err := p.Validate(now); err != nil {
			// The message names the field, never the value: it may be personal data.
			return nil, Errorf(backend.EINVALID, "county.import_row", i+2, backend.ErrorMessage(err, "en"))
		}
		if prev, dup := seen[p.IDNumber]; dup {
			return nil, Errorf(backend.EINVALID, "county.import_duplicate", prev+2, i+2)
		}
		seen[p.IDNumber] = i
		if err := enc.Encode(&p); err != nil {
			return nil, err
		}
	}
	return &ParsedDataset{Version: version, Items: len(rows), Body: body.Bytes()}, nil
}

func requireColumns(cols []string, need ...string) error {
	var missing []string
	for _, c := range need {
		if !slices.Contains(cols, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return Errorf(backend.EINVALID, "county.import_columns", strings.Join(missing, ", "), strings.Join(cols, ", "))
	}
	return nil
}

// list splits a cell of several values separated by commas, semicolons, 、 or spaces.
func list(cell string) []string {
	return strings.FieldsFunc(cell, func(r rune) bool {
		return r == ',' || r == ';' || r == '、' || r == '，' || r == '；' || r == ' ' || r == '|'
	})
}

func yes(cell string) bool {
	switch strings.ToLower(cell) {
	case "1", "y", "yes", "true", "是", "√":
		return true
	}
	return false
}
