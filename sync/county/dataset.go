package county

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"bingzhan/backend"
	"bingzhan/sync/wire"

	"github.com/xuri/excelize/v2"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func validDataset(name string) bool { return name == wire.RefCatalog || name == wire.RefRegistry }

// Import limits: a county registry has some tens of thousands of rows.
const (
	MaxImportBytes = 32 << 20
	maxImportRows  = 500_000
)

// ParseSheet reads a CSV (UTF-8, with or without BOM, or GB18030 as Chinese Excel
// writes it) or XLSX file (its first sheet) into columns and rows. The first row names
// the columns; names are trimmed and lower-cased; empty rows are skipped.
func ParseSheet(filename string, data []byte) ([]string, []map[string]string, error) {
	var records [][]string
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".csv", ".txt", "":
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(data) {
			dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
			if err != nil {
				return nil, nil, errorf("invalid", "the file is neither UTF-8 nor GB18030 text")
			}
			data = dec
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			} else if err != nil {
				return nil, nil, errorf("invalid", "CSV: %v", err)
			}
			records = append(records, rec)
			if len(records) > maxImportRows+1 {
				return nil, nil, errorf("invalid", "more than %d rows", maxImportRows)
			}
		}
	case ".xlsx":
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, nil, errorf("invalid", "not a readable XLSX file: %v", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, nil, errorf("invalid", "the workbook has no sheet")
		}
		if records, err = f.GetRows(sheets[0]); err != nil {
			return nil, nil, errorf("invalid", "XLSX sheet %q: %v", sheets[0], err)
		}
		if len(records) > maxImportRows+1 {
			return nil, nil, errorf("invalid", "more than %d rows", maxImportRows)
		}
	default:
		return nil, nil, errorf("invalid", "import a .csv or .xlsx file, not %q", filepath.Ext(filename))
	}
	if len(records) == 0 {
		return nil, nil, errorf("invalid", "the file is empty")
	}
	cols := make([]string, len(records[0]))
	for i, c := range records[0] {
		cols[i] = strings.ToLower(strings.TrimSpace(c))
		if cols[i] == "" {
			return nil, nil, errorf("invalid", "column %d has no name in the first row", i+1)
		}
		if slices.Contains(cols[:i], cols[i]) {
			return nil, nil, errorf("invalid", "column %q appears twice", cols[i])
		}
	}
	var rows []map[string]string
	for n, rec := range records[1:] {
		if len(rec) > len(cols) {
			return nil, nil, errorf("invalid", "row %d has %d cells but the first row names %d columns", n+2, len(rec), len(cols))
		}
		row := make(map[string]string, len(cols))
		empty := true
		for i, v := range rec {
			v = strings.TrimSpace(v)
			if v != "" {
				empty = false
				row[cols[i]] = v
			}
		}
		if !empty {
			rows = append(rows, row)
		}
	}
	return cols, rows, nil
}

// datasetRecord is one imported version of a data set, as the county keeps it. The
// registry's body holds personal data and is sealed with the county's data key.
type datasetRecord struct {
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

// DatasetInfo describes one imported version, without its content.
type DatasetInfo struct {
	Name       string    `json:"name"`
	Version    string    `json:"version"`
	ImportedAt time.Time `json:"imported_at"`
	ImportedBy string    `json:"imported_by"`
	Source     string    `json:"source"`
	Items      int       `json:"items"` // entitlements of a catalog, persons of a registry
}

func (r *datasetRecord) info() DatasetInfo {
	return DatasetInfo{Name: r.Name, Version: r.Version, ImportedAt: r.ImportedAt, ImportedBy: r.ImportedBy,
		Source: r.Source, Items: r.Items}
}

// Import makes a file the next version of the named data set, which stations then
// fetch. A catalog comes as a whole catalog document (.json, the station's format) or
// as a sheet of entitlements (.csv/.xlsx) laid over the current catalog's categories
// and domains; a registry comes as a sheet of persons. Every row is checked with the
// station's own rules, so a station never receives what it would refuse.
func (s *Store) Import(name, filename string, data []byte, by string) (*DatasetInfo, error) {
	if !validDataset(name) {
		return nil, errorf("not_found", "no data set %q: use catalog or registry", name)
	}
	now := s.Now()
	var seq int
	if err := s.db.View(func(tx *bolt.Tx) error {
		seq = int(btoi(tx.Bucket(bucketDatasets).Get([]byte(name)))) + 1
		return nil
	}); err != nil {
		return nil, err
	}
	// The date and count are for people; the random tail keeps the name new after a
	// restore, when the count starts again below imports the restore lost and a
	// station holding one of those must not take the next import for it.
	tail := make([]byte, 3)
	rand.Read(tail)
	rec := &datasetRecord{Name: name, Seq: seq, ImportedAt: now.UTC(), ImportedBy: by, Source: filepath.Base(filename),
		Version: fmt.Sprintf("county-%s-%d-%x", now.In(s.Location).Format("20060102"), seq, tail)}
	var err error
	switch {
	case name == wire.RefCatalog && strings.EqualFold(filepath.Ext(filename), ".json"):
		err = s.importCatalogJSON(rec, data)
	case name == wire.RefCatalog:
		err = s.importCatalogSheet(rec, filename, data)
	default:
		err = s.importRegistry(rec, filename, data, now)
	}
	if err != nil {
		return nil, err
	}
	if name == wire.RefRegistry {
		if rec.Body, err = s.cipher.Seal("registry", rec.Version, rec.Body); err != nil {
			return nil, err
		}
		rec.Sealed = true
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDatasets)
		if int(btoi(b.Get([]byte(name))))+1 != seq {
			return errorf("conflict", "another import of the %s finished first: please import again", name)
		}
		if cur, err := currentRecord(tx, name); err != nil {
			return err
		} else if cur != nil && cur.Version == rec.Version {
			return errorf("conflict", "the %s already has version %s: give the new one another version", name, rec.Version)
		}
		if err := putJSON(b, datasetKey(name, seq), rec); err != nil {
			return err
		}
		return b.Put([]byte(name), u64(uint64(seq)))
	})
	if err != nil {
		return nil, err
	}
	s.Logger.Info("data set imported", "name", name, "version", rec.Version, "items", rec.Items, "by", by)
	info := rec.info()
	return &info, nil
}

func (s *Store) importCatalogJSON(rec *datasetRecord, data []byte) error {
	c, err := backend.ParseCatalog(data)
	if err != nil {
		return errorf("invalid", "%s", backend.ErrorMessage(err, "en"))
	}
	rec.Version, rec.Items, rec.Body = c.Version, len(c.Entitlements), bytes.Clone(data)
	return nil
}

// importCatalogSheet replaces the entitlements of the current catalog (the embedded
// default before the first import) with the sheet's rows.
func (s *Store) importCatalogSheet(rec *datasetRecord, filename string, data []byte) error {
	cols, rows, err := ParseSheet(filename, data)
	if err != nil {
		return err
	}
	if err := requireColumns(cols, "id", "domain", "title_zh", "summary_zh", "categories", "service", "source"); err != nil {
		return err
	}
	base := backend.DefaultCatalogJSON()
	if _, cur, err := s.CurrentDataset(wire.RefCatalog); err != nil {
		return err
	} else if cur != nil {
		base = cur
	}
	var c backend.Catalog
	if err := json.Unmarshal(base, &c); err != nil {
		return err
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
				return errorf("invalid", "row %d: rules must be a JSON list of rules: %v", i+2, err)
			}
		}
		c.Entitlements = append(c.Entitlements, e)
	}
	c.Version = rec.Version
	body, err := json.Marshal(&c)
	if err != nil {
		return err
	}
	if _, err := backend.ParseCatalog(body); err != nil {
		return errorf("invalid", "%s", backend.ErrorMessage(err, "en"))
	}
	rec.Items, rec.Body = len(c.Entitlements), body
	return nil
}

// cardStatusZH maps the statuses as county staff write them to their codes.
var cardStatusZH = map[string]backend.CardStatus{
	"未建档": backend.CardNone, "已建档未申领": backend.CardRegistered, "已受理": backend.CardAccepted,
	"审核中": backend.CardReviewing, "制卡中": backend.CardMaking, "待领取": backend.CardReady,
	"已发放": backend.CardIssued, "挂失": backend.CardLost, "补换中": backend.CardReplacing, "注销": backend.CardCancelled,
}

// importRegistry turns a sheet of persons into the JSON Lines stations read. Category
// cells take codes (VETERAN) or the catalog's Chinese names (退役军人).
func (s *Store) importRegistry(rec *datasetRecord, filename string, data []byte, now time.Time) error {
	cols, rows, err := ParseSheet(filename, data)
	if err != nil {
		return err
	}
	if err := requireColumns(cols, "id_number", "name", "phone", "categories", "card_status"); err != nil {
		return err
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
				return errorf("invalid", "row %d: disability_grade %q is not a number", i+2, g)
			}
		}
		if err := p.Validate(now); err != nil {
			// The message names the field, never the value: it may be personal data.
			return errorf("invalid", "row %d: %s", i+2, backend.ErrorMessage(err, "en"))
		}
		if prev, dup := seen[p.IDNumber]; dup {
			return errorf("invalid", "rows %d and %d have the same ID number", prev+2, i+2)
		}
		seen[p.IDNumber] = i
		if err := enc.Encode(&p); err != nil {
			return err
		}
	}
	rec.Items, rec.Body = len(rows), body.Bytes()
	return nil
}

func requireColumns(cols []string, need ...string) error {
	var missing []string
	for _, c := range need {
		if !slices.Contains(cols, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return errorf("invalid", "the first row needs the columns %s (found: %s)", strings.Join(missing, ", "), strings.Join(cols, ", "))
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

func datasetKey(name string, seq int) []byte {
	return append(append([]byte(name), 0), u64(uint64(seq))...)
}

func btoi(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func currentRecord(tx *bolt.Tx, name string) (*datasetRecord, error) {
	b := tx.Bucket(bucketDatasets)
	seq := int(btoi(b.Get([]byte(name))))
	if seq == 0 {
		return nil, nil
	}
	var rec datasetRecord
	if _, err := getJSON(b, datasetKey(name, seq), &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// CurrentDataset returns the ETag and content of the named data set's newest
// version, or "" and nil when none was imported yet.
func (s *Store) CurrentDataset(name string) (etag string, body []byte, err error) {
	var rec *datasetRecord
	err = s.db.View(func(tx *bolt.Tx) error {
		rec, err = currentRecord(tx, name)
		return err
	})
	if err != nil || rec == nil {
		return "", nil, err
	}
	body = rec.Body
	if rec.Sealed {
		if body, err = s.cipher.Open("registry", rec.Version, rec.Body); err != nil {
			return "", nil, fmt.Errorf("open %s %s: %w", name, rec.Version, err)
		}
	}
	return wire.ETag(rec.Version), body, nil
}

// Datasets returns the current version of each data set that has one.
func (s *Store) Datasets() ([]DatasetInfo, error) {
	var out []DatasetInfo
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, name := range []string{wire.RefCatalog, wire.RefRegistry} {
			rec, err := currentRecord(tx, name)
			if err != nil {
				return err
			}
			if rec != nil {
				out = append(out, rec.info())
			}
		}
		return nil
	})
	return out, err
}

func (s *Server) handleDatasets(w http.ResponseWriter, r *http.Request, _ string) {
	out, err := s.Store.Datasets()
	if err != nil {
		s.Error(w, err)
		return
	}
	s.JSON(w, http.StatusOK, out)
}

// handleImport takes the file as the raw body, its name in ?filename= (the extension
// picks JSON, CSV or XLSX).
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request, user string) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxImportBytes))
	if err != nil {
		s.Error(w, errorf("invalid", "the file is larger than %d MB", MaxImportBytes>>20))
		return
	}
	info, err := s.Store.Import(r.PathValue("name"), r.URL.Query().Get("filename"), data, user)
	if err != nil {
		s.Error(w, err)
		return
	}
	s.JSON(w, http.StatusCreated, info)
}
