package http_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"strings"
	"testing"

	"bingzhan/backend/app/apptest"
)

type householdJSON struct {
	Household, Address, Phone, Plaque string
	People                            []struct{ Name, Phone string }
	Why                               []string
	Masked                            bool
}

// TestOutreach_Contract: the names other tools rely on — staff see who is due a plaque,
// masked; record a plaque hung with a photo bigger than other requests may be; list
// the household's entries; an admin, and only an admin, sees the full address, and
// that is logged.
func TestOutreach_Contract(t *testing.T) {
	st := openStation(t, apptest.Options{Accounts: true, Registry: 300})
	staff := st.login(t, apptest.StaffName, apptest.StaffPIN)
	admin := st.login(t, apptest.AdminName, apptest.AdminPIN)
	base := st.URL + "/api/v1/outreach"

	var due []householdJSON
	if resp := do(t, nil, "GET", base+"/due?kind=plaque", staff, nil, &due); resp.StatusCode != 200 || len(due) == 0 {
		t.Fatalf("due plaques: %d, %d households", resp.StatusCode, len(due))
	}
	h := due[0]
	if !strings.HasPrefix(h.Household, "H-") || !strings.Contains(h.Address, "村") || !strings.HasSuffix(h.Address, "*") ||
		!strings.Contains(h.People[0].Name, "*") || !strings.Contains(h.Phone, "****") || len(h.Why) == 0 || h.Plaque != "" {
		t.Errorf("a due household as staff see it: %+v", h)
	}
	if resp := do(t, nil, "GET", base+"/due?kind=plaque", "", nil, nil); resp.StatusCode != 401 {
		t.Errorf("due list without a session: %d", resp.StatusCode)
	}
	var bad errorJSON
	if resp := do(t, nil, "GET", base+"/due?kind=party", staff, nil, &bad); resp.StatusCode != 400 || bad.Message == "" {
		t.Errorf("an unknown list: %d %+v", resp.StatusCode, bad)
	}

	photo := noisyJPEG(t, 360)
	if len(photo) < 100<<10 {
		t.Fatalf("the test photo is only %d bytes: it must be larger than other requests may be", len(photo))
	}
	entry := map[string]any{"kind": "plaque_hung", "household": h.Household, "date": "2026-11-22",
		"team": []string{"王芳", "李卫东"}, "photo": photo, "request_id": "plaque-1"}
	var o struct {
		ID, Household, Kind string
		Team                []string
		HasPhoto            bool `json:"has_photo"`
		Version             int
	}
	if resp := do(t, nil, "POST", base, staff, entry, &o); resp.StatusCode != 201 || o.ID == "" || !o.HasPhoto || o.Team[0] != "王*" {
		t.Fatalf("record: %d %+v", resp.StatusCode, o)
	}
	if resp := do(t, nil, "POST", base, staff, entry, nil); resp.StatusCode != 200 {
		t.Errorf("the same request again: %d, want 200", resp.StatusCode)
	}
	entry["request_id"], entry["kind"] = "", "party"
	if resp := do(t, nil, "POST", base, staff, entry, &bad); resp.StatusCode != 400 || bad.Message == "" {
		t.Errorf("an unknown kind: %d %+v", resp.StatusCode, bad)
	}
	entry["kind"], entry["photo"] = "visit", bytes.Repeat([]byte{0xff}, 2<<20)
	if resp := do(t, nil, "POST", base, staff, entry, &bad); resp.StatusCode != 400 {
		t.Errorf("a 2 MB photo: %d %+v", resp.StatusCode, bad)
	}

	var list []struct{ ID string }
	if resp := do(t, nil, "GET", base+"?household="+h.Household, staff, nil, &list); resp.StatusCode != 200 || len(list) != 1 || list[0].ID != o.ID {
		t.Errorf("the household's entries: %d %+v", resp.StatusCode, list)
	}
	if resp := do(t, nil, "GET", base+"/due?kind=plaque", staff, nil, &due); resp.StatusCode != 200 || len(due) > 0 && due[0].Household == h.Household {
		t.Errorf("the household is still due a plaque after one was hung")
	}

	unmask := base + "/households/" + h.Household + "/unmask"
	reason := map[string]string{"reason": "上门前核对地址"}
	if resp := do(t, nil, "POST", unmask, staff, reason, nil); resp.StatusCode != 403 {
		t.Errorf("staff unmasking a household: %d, want 403", resp.StatusCode)
	}
	var full householdJSON
	if resp := do(t, nil, "POST", unmask, admin, reason, &full); resp.StatusCode != 200 || strings.Contains(full.Address, "*") || full.Masked {
		t.Fatalf("admin unmasking: %d %+v", resp.StatusCode, full)
	}
	var log []struct{ Action, Household string }
	if resp := do(t, nil, "GET", st.URL+"/api/v1/visits/access-log", admin, nil, &log); resp.StatusCode != 200 || len(log) == 0 ||
		log[0].Action != "unmask_household" || log[0].Household != h.Household {
		t.Errorf("access log: %d %+v", resp.StatusCode, log)
	}
	var photoBack struct{ Photo []byte }
	if resp := do(t, nil, "POST", base+"/"+o.ID+"/unmask", admin, reason, &photoBack); resp.StatusCode != 200 || !bytes.Equal(photoBack.Photo, photo) {
		t.Errorf("admin sees the photo: %d, %d bytes", resp.StatusCode, len(photoBack.Photo))
	}
}

// noisyJPEG is a side×side photo of noise, which JPEG compresses badly: a big file.
func noisyJPEG(tb testing.TB, side int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range side {
		for x := range side {
			img.Set(x, y, color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// TestOutreach_Campaigns: staff plan a campaign from the festival list, assign a team,
// see its progress; only an admin prints the visit sheet in the clear.
func TestOutreach_Campaigns(t *testing.T) {
	st := openStation(t, apptest.Options{Accounts: true, Registry: 300}) // 09:00 on 2026-11-23
	staff := st.login(t, apptest.StaffName, apptest.StaffPIN)
	admin := st.login(t, apptest.AdminName, apptest.AdminPIN)
	base := st.URL + "/api/v1/outreach/campaigns"
	type campaignJSON struct {
		ID      string
		Version int
		Rows    []struct {
			Household householdJSON
			Team      []string
			Status    string
		}
		Totals struct{ Households, Done, Left int }
	}
	var c campaignJSON
	plan := map[string]any{"name": "2027年春节走访慰问", "kind": "festival", "from": "2026-11-23", "to": "2027-02-10"}
	if resp := do(t, nil, "POST", base, staff, plan, &c); resp.StatusCode != 201 || len(c.Rows) == 0 || c.Totals.Left != len(c.Rows) {
		t.Fatalf("plan: %d %+v", resp.StatusCode, c.Totals)
	}
	var bad errorJSON
	if resp := do(t, nil, "POST", base, staff, map[string]any{"name": "x", "kind": "festival", "from": "2027-02-10", "to": "2026-11-23"}, &bad); resp.StatusCode != 400 || bad.Message == "" {
		t.Errorf("dates the wrong way round: %d %+v", resp.StatusCode, bad)
	}
	first := c.Rows[0].Household.Household
	patch := map[string]any{"version": c.Version, "assign": []map[string]any{{"household": first, "team": []string{"李卫东"}}}}
	if resp := do(t, nil, "PATCH", base+"/"+c.ID, staff, patch, &c); resp.StatusCode != 200 || c.Rows[0].Team[0] != "李**" {
		t.Fatalf("assign: %d %+v", resp.StatusCode, c.Rows[0])
	}
	entry := map[string]any{"kind": "visit", "household": first, "date": "2026-11-23", "team": []string{"李卫东"}, "money": 500, "campaign": c.ID}
	if resp := do(t, nil, "POST", st.URL+"/api/v1/outreach", staff, entry, nil); resp.StatusCode != 201 {
		t.Fatalf("record: %d", resp.StatusCode)
	}
	var list []campaignJSON
	if resp := do(t, nil, "GET", base, staff, nil, &list); resp.StatusCode != 200 || len(list) != 1 || list[0].Totals.Done != 1 {
		t.Errorf("campaigns: %d %+v", resp.StatusCode, list)
	}
	sheet := base + "/" + c.ID + "/sheet"
	reason := map[string]string{"reason": "打印走访单", "team": "李卫东"}
	if resp := do(t, nil, "POST", sheet, staff, reason, nil); resp.StatusCode != 403 {
		t.Errorf("staff printing the sheet: %d, want 403", resp.StatusCode)
	}
	var full campaignJSON
	if resp := do(t, nil, "POST", sheet, admin, reason, &full); resp.StatusCode != 200 || len(full.Rows) != 1 ||
		strings.Contains(full.Rows[0].Household.Address, "*") || full.Rows[0].Status != "done" {
		t.Errorf("the admin's sheet for 李卫东: %d %+v", resp.StatusCode, full.Rows)
	}
}
