package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"bingzhan/backend"

	"github.com/xuri/excelize/v2"
)

// Ledger is one export of the visitor ledger, ready to render in either format. The
// caller has already masked the visits or recorded why they are in the clear.
type Ledger struct {
	// Title is the first line, with the note on masking; About the lines under it
	// (the selection, who exported it and when, how many entries). Both translated.
	Title string
	About []string
	// Visits are the entries, in the order they are written.
	Visits []backend.Visit
	// Services names each service letter in Lang.
	Services map[string]string
	// Location is the station's time zone, for the registered and closed times.
	Location *time.Location
	// Lang is the language of the headers and named values ("en" or Chinese).
	Lang string
}

// ledgerFields are the export's columns, in the order of a paper ledger.
var ledgerFields = []string{"serial", "created_at", "name", "visitor_name", "relation", "id_number", "phone",
	"categories", "service", "matter", "summary", "handled_by", "outcome", "outcome_note", "referred_to",
	"closed_at", "follow_up", "ticket", "source", "status"}

func (l *Ledger) header() []string {
	out := make([]string, len(ledgerFields))
	for i, f := range ledgerFields {
		out[i] = backend.Translate(l.Lang, "ledger.field."+f)
	}
	return out
}

func (l *Ledger) rows() [][]string {
	lang, loc := l.Lang, l.Location
	out := make([][]string, 0, len(l.Visits))
	for i := range l.Visits {
		v := &l.Visits[i]
		m, _ := backend.FindMatter(v.Service, v.Matter)
		closed, status := "", backend.Translate(lang, "ledger.status.open")
		if v.Closed() {
			closed, status = v.ClosedAt.In(loc).Format("2006-01-02 15:04"), backend.Translate(lang, "ledger.status.closed")
		}
		out = append(out, []string{v.Serial, v.CreatedAt.In(loc).Format("2006-01-02 15:04"), v.Name, v.VisitorName,
			backend.RelationName(v.Relation, lang), v.IDNumber, v.Phone, strings.Join(v.Categories, ","),
			l.Services[v.Service], m.Name(lang), v.Summary, v.HandledBy, backend.OutcomeName(v.Outcome, lang),
			v.OutcomeNote, v.ReferredTo, closed, v.FollowUp, v.TicketNumber,
			backend.Translate(lang, "ledger.source."+v.Source), status})
	}
	return out
}

// CSV renders the ledger with a UTF-8 byte-order mark (Excel reads UTF-8 Chinese as
// gibberish without it) and CRLF line ends: the title and notes first, then the
// table. Cells that a spreadsheet would run as a formula are defused.
func (l *Ledger) CSV() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	cw.Write([]string{l.Title})
	for _, line := range l.About {
		cw.Write([]string{line})
	}
	cw.Write(l.header())
	for _, row := range l.rows() {
		safe := make([]string, len(row))
		for i, c := range row {
			safe[i] = defuse(c)
		}
		cw.Write(safe)
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}

// defuse keeps a spreadsheet from reading a cell typed by staff as a formula
// (=HYPERLINK(…) and the like), by starting it with an apostrophe.
func defuse(c string) string {
	if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return "'" + c
	}
	return c
}

// XLSX renders one sheet, named in Lang: title, notes, header and rows, every cell a
// string, so ID numbers keep their digits and nothing is read as a formula.
func (l *Ledger) XLSX() ([]byte, error) {
	sheet := backend.Translate(l.Lang, "ledger.export.sheet")
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	row := 1
	put := func(cells []string) error {
		vals := make([]any, len(cells))
		for i, c := range cells {
			vals[i] = c
		}
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		row++
		return f.SetSheetRow(sheet, cell, &vals)
	}
	if err := put([]string{l.Title}); err != nil {
		return nil, err
	}
	for _, line := range l.About {
		if err := put([]string{line}); err != nil {
			return nil, err
		}
	}
	header := l.header()
	headerRow := row
	if err := put(header); err != nil {
		return nil, err
	}
	last, err := excelize.CoordinatesToCellName(len(header), headerRow)
	if err != nil {
		return nil, err
	}
	if err := f.SetCellStyle(sheet, "A1", "A1", bold); err != nil {
		return nil, err
	}
	if err := f.SetCellStyle(sheet, fmt.Sprintf("A%d", headerRow), last, bold); err != nil {
		return nil, err
	}
	for _, r := range l.rows() {
		if err := put(r); err != nil {
			return nil, err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: fmt.Sprintf("A%d", headerRow+1), ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
