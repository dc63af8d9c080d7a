package county

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/keys"
)

// bookingHeaders are the column names a bookings sheet may use, in Chinese as county
// staff write them or in English as the registry's are, each with the field it fills.
// Columns of other names (a remark) are left out.
var bookingHeaders = map[string]string{
	"服务站": "station", "station": "station",
	"业务": "service", "service": "service",
	"日期": "date", "date": "date",
	"时间": "time", "time": "time",
	"姓名": "name", "name": "name",
	"身份证号": "id_number", "身份证号码": "id_number", "id_number": "id_number",
	"手机号": "phone", "手机号码": "phone", "phone": "phone",
}

// bookingRequired are the fields a bookings sheet must have columns for, as the error
// names them: the ID number because the person checks in with it at the kiosk, the
// code being made on the station.
var bookingRequired = [][2]string{
	{"station", "服务站 station"}, {"service", "业务 service"}, {"date", "日期 date"},
	{"time", "时间 time"}, {"id_number", "身份证号 id_number"},
}

// Forms of a day and a slot as spreadsheets write them; each is stored as 2006-01-02
// and 15:04.
var (
	bookingDateForms = []string{time.DateOnly, "2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日"}
	bookingTimeForms = []string{"15:04", "15:4", "15:04:05"}
)

// parseBookings turns a sheet of bookings into the JSON Lines stations read, each row
// with the id of its station (named by id, or by the name of a station not retired)
// and its BookingID. Every row is checked with the station's rules; a bad one refuses
// the file, naming the row and never the person.
func parseBookings(in *DatasetImport) (*ParsedDataset, error) {
	if in.Cipher == nil {
		return nil, errors.New("parse bookings: no data key to make their ids")
	}
	cols, rows, err := in.Read.read(in.Filename, in.Data)
	if err != nil {
		return nil, err
	}
	col := map[string]string{} // field → the sheet's column
	for _, c := range cols {
		f, ok := bookingHeaders[c]
		if !ok {
			continue
		}
		if prev, twice := col[f]; twice {
			return nil, Errorf(backend.EINVALID, "county.booking_columns_same", prev, c)
		}
		col[f] = c
	}
	var missing []string
	for _, f := range bookingRequired {
		if _, ok := col[f[0]]; !ok {
			missing = append(missing, f[1])
		}
	}
	if len(missing) > 0 {
		return nil, Errorf(backend.EINVALID, "county.import_columns", strings.Join(missing, ", "), strings.Join(cols, ", "))
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	seen := make(map[string]int, len(rows))
	for i, row := range rows {
		n := i + 2 // the sheet's row number: the first names the columns
		cell := func(f string) string { return row[col[f]] }
		st, err := bookingStation(n, cell("station"), in.Stations)
		if err != nil {
			return nil, err
		}
		b := backend.CountyBooking{Station: st.ID, Service: cell("service"), Name: cell("name"),
			IDNumber: cell("id_number"), Phone: cell("phone")}
		if b.Date, err = bookingForm(cell("date"), bookingDateForms, time.DateOnly); err != nil {
			return nil, Errorf(backend.EINVALID, "county.booking_date", n, cell("date"))
		}
		if b.Time, err = bookingForm(cell("time"), bookingTimeForms, "15:04"); err != nil {
			return nil, Errorf(backend.EINVALID, "county.booking_time", n, cell("time"))
		}
		if b.IDNumber == "" {
			return nil, Errorf(backend.EINVALID, "county.booking_id_number", n)
		}
		if err := b.Validate(in.Now); err != nil {
			// The message names the field, never the value: it may be personal data.
			return nil, Errorf(backend.EINVALID, "county.import_row", n, backend.ErrorMessage(err, "en"))
		}
		b.ID = BookingID(in.Cipher, &b)
		if prev, dup := seen[b.ID]; dup {
			return nil, Errorf(backend.EINVALID, "county.booking_duplicate", prev, n)
		}
		seen[b.ID] = n
		if err := enc.Encode(&b); err != nil {
			return nil, err
		}
	}
	return &ParsedDataset{Version: in.Version, Items: len(rows), Body: body.Bytes()}, nil
}

// bookingStation returns the station that cell names on row n: the one with that id,
// else the one not retired with that name. A retired station takes no bookings.
func bookingStation(n int, cell string, stations []Station) (*Station, error) {
	var named *Station
	for i := range stations {
		st := &stations[i]
		if strings.EqualFold(st.ID, cell) {
			named = st
			break
		}
		if st.Name == cell && (named == nil || named.RetiredAt != nil) {
			named = st // a retired one only while no other has the name
		}
	}
	switch {
	case named == nil:
		return nil, Errorf(backend.EINVALID, "county.booking_station", n, cell)
	case named.RetiredAt != nil:
		return nil, Errorf(backend.EINVALID, "county.booking_station_retired", n, named.Name, named.ID)
	}
	return named, nil
}

// bookingForm reads cell in one of forms and writes it in the form out.
func bookingForm(cell string, forms []string, out string) (string, error) {
	var err error
	for _, f := range forms {
		var t time.Time
		if t, err = time.Parse(f, cell); err == nil {
			return t.Format(out), nil
		}
	}
	return "", err
}

// BookingID is the county's id of booking b: "c" and 24 hex digits of the keyed hash
// (the county's data key) of its station, service, day, slot and ID number. The same
// row has the same id in every import, so a station makes nothing new for it; a
// station's disk holds the id in the clear, and without the county's key it lets no
// guessed ID number be checked.
func BookingID(cipher *keys.Cipher, b *backend.CountyBooking) string {
	data := strings.Join([]string{b.Station, b.Service, b.Date, b.Time, b.IDNumber}, "\x00")
	return "c" + hex.EncodeToString(cipher.Digest("booking", []byte(data))[:12])
}

// StationBookings returns the lines of a bookings body (JSON Lines, as parseBookings
// makes them) that are station's, in their order: what the county sends that station,
// so no station receives another's people. A station with none gets an empty body,
// which withdraws every county booking it holds.
func StationBookings(body []byte, station string) ([]byte, error) {
	out := []byte{}
	for line := range bytes.Lines(body) {
		var b struct {
			Station string `json:"station"`
		}
		if err := json.Unmarshal(line, &b); err != nil {
			return nil, errors.New("bookings: a stored line does not decode")
		}
		if b.Station == station {
			out = append(out, line...)
		}
	}
	return out, nil
}
