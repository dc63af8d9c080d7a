package countytest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"

	"github.com/jonboulle/clockwork"
)

const registryHeader = "id_number,name,phone,categories,card_status\n"

func testImportRegistry(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	if etag, body, err := s.CurrentDataset(ctx, wire.RefRegistry); etag != "" || body != nil || err != nil {
		t.Fatalf("before any import: %q %q %v", etag, body, err)
	}
	if ds, err := s.Datasets(ctx); err != nil || len(ds) != 0 {
		t.Fatalf("before any import: %+v %v", ds, err)
	}
	csv := registryHeader + "11010519491231002X,张三,13812341234,退役军人,待领取\n440524188001010014,李四,13912345678,VETERAN,issued\n"
	info, err := s.Import(ctx, wire.RefRegistry, "dir/名册.csv", []byte(csv), "王科长")
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != wire.RefRegistry || info.Items != 2 || info.ImportedBy != "王科长" || info.Source != "名册.csv" ||
		!info.ImportedAt.Equal(Start) || !strings.HasPrefix(info.Version, "county-20261123-1-") {
		t.Errorf("info %+v", info)
	}
	etag, body, err := s.CurrentDataset(ctx, wire.RefRegistry)
	if err != nil || etag != wire.ETag(info.Version) || bytes.Count(body, []byte("\n")) != 2 ||
		!bytes.Contains(body, []byte(`"categories":["VETERAN"]`)) || !bytes.Contains(body, []byte(`"card_status":"ready"`)) {
		t.Fatalf("current %s %s %v", etag, body, err)
	}
	// Every import is a new version, even of the same file.
	again, err := s.Import(ctx, wire.RefRegistry, "名册.csv", []byte(csv), "王科长")
	if err != nil || again.Version == info.Version || !strings.HasPrefix(again.Version, "county-20261123-2-") {
		t.Fatalf("second import %+v %v", again, err)
	}
	if etag, _, _ := s.CurrentDataset(ctx, wire.RefRegistry); etag != wire.ETag(again.Version) {
		t.Errorf("current is %s, want the second import", etag)
	}
	ds, err := s.Datasets(ctx)
	if err != nil || len(ds) != 1 || ds[0].Version != again.Version {
		t.Errorf("datasets %+v %v", ds, err)
	}
}

func testImportCatalog(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	def := backend.DefaultCatalogJSON()
	var doc struct{ Version string }
	if err := json.Unmarshal(def, &doc); err != nil {
		t.Fatal(err)
	}
	info, err := s.Import(ctx, wire.RefCatalog, "catalog.json", def, "王科长")
	if err != nil || info.Version != doc.Version || info.Items == 0 {
		t.Fatalf("catalog document: %+v %v, want its own version %s", info, err, doc.Version)
	}
	_, err = s.Import(ctx, wire.RefCatalog, "catalog.json", def, "王科长")
	wantCode(t, "the current version again", err, backend.ECONFLICT)

	sheet := "id,domain,title_zh,summary_zh,categories,service,source\nHON-001,honor,悬挂光荣牌,门口挂牌,VETERAN MARTYR_FAMILY,H,L2 Art.59\n"
	info, err = s.Import(ctx, wire.RefCatalog, "catalog.csv", []byte(sheet), "王科长")
	if err != nil || info.Items != 1 || !strings.HasPrefix(info.Version, "county-") {
		t.Fatalf("catalog sheet: %+v %v", info, err)
	}
	_, body, err := s.CurrentDataset(ctx, wire.RefCatalog)
	if err != nil {
		t.Fatal(err)
	}
	c, err := backend.ParseCatalog(body)
	if err != nil || c.Version != info.Version || len(c.Entitlements) != 1 || c.Entitlements[0].TitleZH != "悬挂光荣牌" ||
		len(c.Categories) == 0 {
		t.Fatalf("published catalog %+v %v: want the sheet's entitlement over the current categories", c, err)
	}
	if _, err := s.Import(ctx, wire.RefRegistry, "r.csv", []byte(registryHeader+"11010519491231002X,张三,13812341234,VETERAN,issued\n"), "王科长"); err != nil {
		t.Fatal(err)
	}
	ds, err := s.Datasets(ctx)
	if err != nil || len(ds) != 2 || ds[0].Name != wire.RefCatalog || ds[1].Name != wire.RefRegistry {
		t.Errorf("datasets %+v %v, want the catalog then the registry", ds, err)
	}
}

func testImportErrors(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	_, err := s.Import(ctx, "people", "r.csv", []byte(registryHeader), "王科长")
	wantCode(t, "an unknown data set", err, backend.ENOTFOUND)
	for _, tc := range []struct{ name, file, data, want string }{
		{"BadID", "r.csv", registryHeader + "110105194912310021,张三,13812341234,VETERAN,issued\n", "row 2"},
		{"MissingColumn", "r.csv", "id_number,name\n11010519491231002X,张三\n", "phone"},
		{"Duplicate", "r.csv", registryHeader + "11010519491231002X,张三,13812341234,VETERAN,issued\n11010519491231002X,张三,13812341234,VETERAN,issued\n", "same ID"},
		{"FileType", "r.pdf", "x", ".csv or .xlsx"},
		{"NotXLSX", "r.xlsx", "not a zip", "XLSX"},
	} {
		_, err := s.Import(ctx, wire.RefRegistry, tc.file, []byte(tc.data), "王科长")
		wantCode(t, tc.name, err, backend.EINVALID)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "11010519491231002") {
			t.Errorf("%s: %v, want an error mentioning %q and no ID number", tc.name, err, tc.want)
		}
	}
	_, err = s.Import(ctx, wire.RefCatalog, "c.json", []byte(`{"version":""}`), "王科长")
	wantCode(t, "a catalog the station refuses", err, backend.EINVALID)
	if ds, _ := s.Datasets(ctx); len(ds) != 0 {
		t.Errorf("a refused import was published: %+v", ds)
	}
}

// testImportBookings: a sheet of bookings at two stations, named by name and by id,
// becomes one sealed version whose rows carry their station's id and keep their ids
// on the next import of the same sheet; a refused sheet stores nothing.
func testImportBookings(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	east, _ := mustStation(t, s, "东风镇服务站")
	west, _ := mustStation(t, s, "西河乡服务站")
	gone, _ := mustStation(t, s, "北山村服务站")
	if _, err := s.RetireStation(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	const header = "服务站,业务,日期,时间,姓名,身份证号,手机号\n"
	sheet := header + "东风镇服务站,A,2026-11-23,09:00,张三,11010519491231002X,13812341234\n" +
		west.ID + ",B,2026-11-24,09:30,,440524188001010014,\n"
	for _, tc := range []struct{ name, data, want string }{
		{"BadRow", sheet + "东风镇服务站,A,2026-11-23,9:60,,11010519491231002X,\n", "row 4"},
		{"Retired", sheet + "北山村服务站,A,2026-11-23,09:00,,11010519491231002X,\n", "retired"},
		{"NoIDNumber", "服务站,业务,日期,时间\n东风镇服务站,A,2026-11-23,09:00\n", "id_number"},
	} {
		_, err := s.Import(ctx, wire.RefBookings, "预约.csv", []byte(tc.data), "王科长")
		wantCode(t, tc.name, err, backend.EINVALID)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "11010519491231002") {
			t.Errorf("%s: %v, want an error mentioning %q and no ID number", tc.name, err, tc.want)
		}
	}
	if etag, body, err := s.CurrentDataset(ctx, wire.RefBookings); etag != "" || body != nil || err != nil {
		t.Fatalf("refused imports stored %q %q %v", etag, body, err)
	}
	info, err := s.Import(ctx, wire.RefBookings, "预约.csv", []byte(sheet), "王科长")
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != wire.RefBookings || info.Items != 2 || info.Source != "预约.csv" || !strings.HasPrefix(info.Version, "county-20261123-1-") {
		t.Errorf("info %+v", info)
	}
	etag, body, err := s.CurrentDataset(ctx, wire.RefBookings)
	if err != nil || etag != wire.ETag(info.Version) {
		t.Fatalf("current %s %v", etag, err)
	}
	var got []backend.CountyBooking
	for b, err := range backend.DecodeCountyBookings(bytes.NewReader(body)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, *b)
	}
	if len(got) != 2 || got[0].Station != east.ID || got[1].Station != west.ID || got[0].IDNumber != "11010519491231002X" ||
		!backend.ValidCountyBookingID(got[0].ID) || got[0].ID == got[1].ID {
		t.Fatalf("bookings %+v", got)
	}
	for _, st := range []*county.Station{east, west} {
		mine, err := county.StationBookings(body, st.ID)
		if err != nil || bytes.Count(mine, []byte("\n")) != 1 {
			t.Errorf("%s's rows: %s %v", st.Name, mine, err)
		}
	}
	again, err := s.Import(ctx, wire.RefBookings, "预约.csv", []byte(sheet), "王科长")
	if err != nil || again.Version == info.Version {
		t.Fatalf("second import %+v %v", again, err)
	}
	if _, body2, _ := s.CurrentDataset(ctx, wire.RefBookings); !bytes.Equal(body2, body) {
		t.Errorf("the same sheet again gave other rows:\n%s\nwant\n%s", body2, body)
	}
	ds, err := s.Datasets(ctx)
	if err != nil || len(ds) != 1 || ds[0].Name != wire.RefBookings || ds[0].Version != again.Version {
		t.Errorf("datasets %+v %v", ds, err)
	}
}
