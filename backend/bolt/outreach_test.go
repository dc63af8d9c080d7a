package bolt_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
	"bingzhan/backend/demo"
	"bingzhan/backend/keys"
)

// outreachFixture is a station whose registry has six households (the clock at 09:00
// on 2026-11-23):
//
//	H-0001 张桂兰 martyr's mother, 宁城县八里罕镇西村3组12号: due a plaque, festival
//	H-0002 李建国 veteran with a plaque since 2023, and his wife: festival no, plaque no
//	H-0003 王秀英 serving soldier's mother, 喜报 XB-2026-001: due a plaque and the 喜报
//	H-0004 赵军 combat veteran (VET_COMBAT, under VETERAN): due a plaque, festival
//	H-0005 刘福 in hardship, no category on the lists: festival only
//	(none) 陈平 veteran with no household: on no list
type outreachFixture struct {
	s      *bolt.OutreachService
	ledger *bolt.VisitService
	db     *bolt.DB
	people []backend.Person
}

var fixtureBorn = time.Date(1950, 3, 4, 0, 0, 0, 0, time.UTC)

func outreachPeople() []backend.Person {
	id := func(seq int) string { return demo.IDNumber("150429", fixtureBorn, seq) }
	return []backend.Person{
		{IDNumber: id(2), Name: "张桂兰", Phone: "13800000001", Categories: []string{"MARTYR_FAMILY"}, Relation: backend.RelationParent,
			CardStatus: backend.CardIssued, Household: "H-0001", Address: "宁城县八里罕镇西村3组12号"},
		{IDNumber: id(3), Name: "李建国", Phone: "13800000002", Categories: []string{"VETERAN"}, CardStatus: backend.CardIssued,
			Household: "H-0002", Address: "宁城县忙农镇东营子村1组5号", Plaque: "2023-07-20"},
		{IDNumber: id(4), Name: "孙秀梅", Phone: "13800000003", Categories: []string{"VETERAN"}, CardStatus: backend.CardIssued,
			Household: "H-0002"},
		{IDNumber: id(6), Name: "王秀英", Phone: "13800000004", Categories: []string{"ACTIVE_FAMILY"}, Relation: backend.RelationParent,
			CardStatus: backend.CardRegistered, Household: "H-0003", Address: "宁城县大城子镇石门沟村2组8号",
			Honours: []backend.Honour{{ID: "XB-2026-001", Award: "third", Received: "2026-11-10"}}},
		{IDNumber: id(7), Name: "赵军", Phone: "13800000005", Categories: []string{"VET_COMBAT"}, CardStatus: backend.CardIssued,
			Household: "H-0004", Address: "宁城县八里罕镇西村4组1号"},
		{IDNumber: id(9), Name: "刘福", Phone: "13800000006", Categories: []string{"OTHER_X"}, CardStatus: backend.CardNone,
			Household: "H-0005", Address: "宁城县三座店乡五家村6组30号", Tags: []string{"hardship"}},
		{IDNumber: id(11), Name: "陈平", Phone: "13800000007", Categories: []string{"VET_COMBAT"}, CardStatus: backend.CardIssued},
	}
}

func mustOutreach(tb testing.TB) *outreachFixture {
	tb.Helper()
	return mustOutreachAt(tb, tb.TempDir(), MustKeys(tb))
}

func mustOutreachAt(tb testing.TB, dir string, k *keys.Keys) *outreachFixture {
	tb.Helper()
	ctx := context.Background()
	db, _ := MustOpenDBAt(tb, dir)
	persons := newPersons(tb, db, k)
	people := outreachPeople()
	if v, _, _ := persons.Registry(ctx); v == "" {
		if _, err := persons.ReplaceRegistry(ctx, "r1", slicesSeq(people)); err != nil {
			tb.Fatal(err)
		}
	}
	c, err := k.Cipher()
	if err != nil {
		tb.Fatal(err)
	}
	id := backend.StationID(k.Public())
	ledger := bolt.NewVisitService(db, id, c, k.PersonKey)
	s := bolt.NewOutreachService(db, id, c, persons, ledger)
	cat, err := backend.DefaultCatalog()
	if err != nil {
		tb.Fatal(err)
	}
	s.Rules = func(context.Context) (backend.OutreachRules, func(string, string) bool) {
		return cat.Rules(), cat.CategoryIncludes
	}
	return &outreachFixture{s: s, ledger: ledger, db: db, people: people}
}

func (f *outreachFixture) due(tb testing.TB, kind, since string) []string {
	tb.Helper()
	list, err := f.s.Due(context.Background(), backend.DueQuery{Kind: kind, Since: since})
	if err != nil {
		tb.Fatalf("due %s: %v", kind, err)
	}
	var ids []string
	for _, h := range list {
		ids = append(ids, h.ID)
	}
	return ids
}

func (f *outreachFixture) record(tb testing.TB, req backend.OutreachRequest) *backend.Outreach {
	tb.Helper()
	if req.Date == "" {
		req.Date = "2026-11-22"
	}
	if req.Team == nil {
		req.Team = []string{"王芳", "李卫东"}
	}
	o, created, err := f.s.Record(context.Background(), req, "王芳")
	if err != nil || !created {
		tb.Fatalf("record %+v: %v (created %v)", req, err, created)
	}
	return o
}

func TestOutreach_Due(t *testing.T) {
	f := mustOutreach(t)
	for _, c := range []struct {
		name, kind, since string
		want              []string
	}{
		// The martyr's, the serving soldier's and the combat veteran's households
		// (VET_COMBAT falls under VETERAN); not H-0002, whose plaque hangs since 2023.
		{"plaques", backend.DuePlaque, "", []string{"H-0001", "H-0003", "H-0004"}},
		// 三属, combat veterans and hardship; not plain veterans nor soldiers' families.
		{"festival", backend.DueFestival, "", []string{"H-0001", "H-0004", "H-0005"}},
		{"honours", backend.DueHonour, "", []string{"H-0003"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := f.due(t, c.kind, c.since); !slices.Equal(got, c.want) {
				t.Errorf("due %s = %v, want %v", c.kind, got, c.want)
			}
		})
	}

	// What the station does takes households off the lists.
	f.record(t, backend.OutreachRequest{Kind: backend.OutreachPlaqueHung, Household: "H-0001"})
	f.record(t, backend.OutreachRequest{Kind: backend.OutreachVisit, Household: "H-0004", Money: 500, Items: "米 面 油"})
	f.record(t, backend.OutreachRequest{Kind: backend.OutreachCall, Household: "H-0005", Date: "2026-09-01"})
	f.record(t, backend.OutreachRequest{Kind: backend.OutreachHonour, Household: "H-0003", Honour: "XB-2026-001"})
	for _, c := range []struct {
		name, kind, since string
		want              []string
	}{
		{"plaque hung", backend.DuePlaque, "", []string{"H-0003", "H-0004"}},
		// The call on 1 September is 83 days ago, before the 60-day window.
		{"visited lately", backend.DueFestival, "", []string{"H-0001", "H-0005"}},
		{"since September", backend.DueFestival, "2026-08-01", []string{"H-0001"}},
		{"delivered", backend.DueHonour, "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := f.due(t, c.kind, c.since); !slices.Equal(got, c.want) {
				t.Errorf("due %s = %v, want %v", c.kind, got, c.want)
			}
		})
	}

	if _, err := f.s.Due(context.Background(), backend.DueQuery{Kind: "birthday"}); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("unknown kind: %v, want EINVALID", err)
	}
}

func TestOutreach_DueIsMasked(t *testing.T) {
	f := mustOutreach(t)
	list, err := f.s.Due(context.Background(), backend.DueQuery{Kind: backend.DuePlaque})
	if err != nil || len(list) == 0 {
		t.Fatal(list, err)
	}
	h := list[0]
	if h.Address != "宁城县八里罕镇西村3组***" || h.People[0].Name != "张**" || h.Phone != "138****0001" || !h.Masked {
		t.Errorf("masked household: %+v", h)
	}
	if h.People[0].Age != 76 || !slices.Equal(h.Why, []string{"MARTYR_FAMILY"}) {
		t.Errorf("age %d, why %v", h.People[0].Age, h.Why)
	}
}

func TestOutreach_Record(t *testing.T) {
	ctx := context.Background()
	f := mustOutreach(t)
	req := backend.OutreachRequest{RequestID: "r-1", Kind: backend.OutreachVisit, Household: "H-0001", Date: "2026-11-20",
		Team: []string{"王芳"}, Money: 800, Findings: []string{"health", "request"}, Note: "腿脚不便，想申请上门体检", FollowUp: "2026-12-20"}
	o := f.record(t, req)
	if o.Team[0] != "王*" || !o.Masked || o.Version != 1 || o.CreatedBy != "王芳" {
		t.Errorf("recorded: %+v", o)
	}
	again, created, err := f.s.Record(ctx, req, "王芳")
	if err != nil || created || again.ID != o.ID {
		t.Errorf("the same request again: %v %v %v, want the first entry", again, created, err)
	}
	for _, c := range []struct {
		name string
		edit func(r *backend.OutreachRequest)
		code string
	}{
		{"unknown household", func(r *backend.OutreachRequest) { r.Household = "H-9999" }, backend.ENOTFOUND},
		{"in the future", func(r *backend.OutreachRequest) { r.Date = "2026-11-24" }, backend.EINVALID},
		{"no team", func(r *backend.OutreachRequest) { r.Team = nil }, backend.EINVALID},
		{"negative money", func(r *backend.OutreachRequest) { r.Money = -1 }, backend.EINVALID},
		{"follow-up before", func(r *backend.OutreachRequest) { r.FollowUp = "2026-11-01" }, backend.EINVALID},
		{"not its honour", func(r *backend.OutreachRequest) {
			r.Kind, r.Honour = backend.OutreachHonour, "XB-2026-001"
		}, backend.ENOTFOUND},
		{"photo not a JPEG", func(r *backend.OutreachRequest) { r.Photo = []byte("GIF89a……") }, backend.EINVALID},
		{"signature a JPEG", func(r *backend.OutreachRequest) { r.Signature = jpegBytes(t, 64) }, backend.EINVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := req
			r.RequestID, r.Team = "", []string{"王芳"}
			c.edit(&r)
			before := outboxKinds(t, f.db)
			if _, _, err := f.s.Record(ctx, r, "王芳"); backend.ErrorCode(err) != c.code {
				t.Fatalf("err %v, want %s", err, c.code)
			}
			if after := outboxKinds(t, f.db); len(after) != len(before) {
				t.Errorf("a refused entry wrote %d outbox entries", len(after)-len(before))
			}
		})
	}
	// A 喜报 is delivered once.
	honour := backend.OutreachRequest{Kind: backend.OutreachHonour, Household: "H-0003", Honour: "XB-2026-001"}
	f.record(t, honour)
	honour.Team = []string{"王芳"}
	honour.Date = "2026-11-22"
	if _, _, err := f.s.Record(ctx, honour, "王芳"); backend.ErrorCode(err) != backend.ECONFLICT {
		t.Errorf("a second delivery: %v, want ECONFLICT", err)
	}
	list, err := f.s.Outreaches(ctx, backend.OutreachFilter{Household: "H-0001"})
	if err != nil || len(list) != 1 || list[0].ID != o.ID || list[0].Note != req.Note {
		t.Errorf("H-0001's entries: %+v %v", list, err)
	}
	all, err := f.s.Outreaches(ctx, backend.OutreachFilter{})
	if err != nil || len(all) != 2 || all[0].Household != "H-0003" {
		t.Errorf("all entries, newest first: %+v %v", all, err)
	}
}

// TestOutreach_HouseholdPrefix: H-1's entries are not H-10's.
func TestOutreach_HouseholdPrefix(t *testing.T) {
	f := mustOutreach(t)
	f.record(t, backend.OutreachRequest{Kind: backend.OutreachVisit, Household: "H-0001"})
	list, err := f.s.Outreaches(context.Background(), backend.OutreachFilter{Household: "H-000"})
	if err != nil || len(list) != 0 {
		t.Errorf("H-000's entries: %+v %v", list, err)
	}
}

func TestOutreach_Update(t *testing.T) {
	ctx := context.Background()
	f := mustOutreach(t)
	o := f.record(t, backend.OutreachRequest{Kind: backend.OutreachVisit, Household: "H-0004", Money: 500})
	if got := f.due(t, backend.DueFestival, ""); slices.Contains(got, "H-0004") {
		t.Fatalf("visited H-0004 still due: %v", got)
	}
	// Staff typed the wrong year: the visit moves back, out of the festival window.
	date, money := "2025-11-22", 600
	u, err := f.s.UpdateOutreach(ctx, o.ID, backend.OutreachPatch{Version: 1, Date: &date, Money: &money}, "李卫东")
	if err != nil || u.Version != 2 || u.Date != date || u.Money != 600 {
		t.Fatalf("update: %+v %v", u, err)
	}
	if got := f.due(t, backend.DueFestival, ""); !slices.Contains(got, "H-0004") {
		t.Errorf("after the date moved back H-0004 is not due: %v", got)
	}
	if _, err := f.s.UpdateOutreach(ctx, o.ID, backend.OutreachPatch{Version: 1, Money: &money}, "李卫东"); backend.ErrorCode(err) != backend.ECONFLICT {
		t.Errorf("a stale version: %v, want ECONFLICT", err)
	}
	_, trail, err := f.s.Outreach(ctx, o.ID)
	if err != nil || len(trail) != 2 || trail[1].By != "李卫东" || len(trail[1].Changes) != 2 {
		t.Errorf("audit trail: %+v %v", trail, err)
	}
	entries, _ := f.db.OutboxEntries(ctx, 0, 100)
	var last backend.OutboxEntry
	for _, e := range entries {
		if e.Kind == backend.KindOutreachUpdated {
			last = e
		}
	}
	if last.Kind != backend.KindOutreachUpdated || !bytes.Contains(last.Data, []byte(`"prev_money":500`)) || !bytes.Contains(last.Data, []byte(`"prev_date":"2026-11-22"`)) {
		t.Errorf("update fact: %s %s", last.Kind, last.Data)
	}
}

func TestOutreach_Unmask(t *testing.T) {
	ctx := context.Background()
	f := mustOutreach(t)
	photo, sig := jpegBytes(t, 320), pngBytes(t, 400)
	o := f.record(t, backend.OutreachRequest{Kind: backend.OutreachPlaqueHung, Household: "H-0001", Photo: photo, Signature: sig})
	if !o.HasPhoto || !o.Signed || o.Photo != nil {
		t.Fatalf("recorded: photo %v signed %v, %d photo bytes returned", o.HasPhoto, o.Signed, len(o.Photo))
	}
	if _, err := f.s.UnmaskOutreach(ctx, o.ID, "", "admin"); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("without a reason: %v", err)
	}
	full, err := f.s.UnmaskOutreach(ctx, o.ID, "核对挂牌签名", "admin")
	if err != nil || !bytes.Equal(full.Photo, photo) || !bytes.Equal(full.Signature, sig) || full.Team[0] != "王芳" {
		t.Fatalf("unmasked: %v", err)
	}
	h, err := f.s.UnmaskHousehold(ctx, "H-0001", "上门核对地址", "admin")
	if err != nil || h.Address != "宁城县八里罕镇西村3组12号" || h.People[0].Name != "张桂兰" || h.Plaque != "2026-11-22" {
		t.Fatalf("unmasked household: %+v %v", h, err)
	}
	log, err := f.ledger.AccessLog(ctx, 10)
	if err != nil || len(log) != 2 || log[0].Action != backend.AccessUnmaskHousehold || log[0].Household != "H-0001" ||
		log[1].Action != backend.AccessUnmaskOutreach || log[1].OutreachID != o.ID {
		t.Errorf("access log: %+v %v", log, err)
	}
}

// TestOutreach_NoPlaintext: the data file holds no name, address, phone, team, note,
// photo or signature of an entry or a household in the clear.
func TestOutreach_NoPlaintext(t *testing.T) {
	f := mustOutreach(t)
	photo, sig := jpegBytes(t, 320), pngBytes(t, 400)
	f.record(t, backend.OutreachRequest{Kind: backend.OutreachVisit, Household: "H-0001", Team: []string{"欧阳卫国"},
		Items: "棉被两床", Note: "独自居住，希望有人每周来看看", Photo: photo, Signature: sig})
	f.db.Close()
	raw, err := os.ReadFile(f.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"欧阳卫国", "棉被两床", "独自居住", "西村3组12号", "八里罕镇"}
	for _, p := range f.people {
		secrets = append(secrets, p.Name, p.Phone)
	}
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the data file holds %q in the clear", s)
		}
	}
	for name, b := range map[string][]byte{"photo": photo[len(photo)/2 : len(photo)/2+32], "signature": sig[len(sig)/2 : len(sig)/2+32]} {
		if bytes.Contains(raw, b) {
			t.Errorf("the data file holds the %s's bytes in the clear", name)
		}
	}
}

func TestOutreach_Reseal(t *testing.T) {
	ctx := context.Background()
	kdir := t.TempDir()
	k, err := keys.LoadOrCreate(kdir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := mustOutreachAt(t, dir, k)
	o := f.record(t, backend.OutreachRequest{Kind: backend.OutreachVisit, Household: "H-0001", Note: "说明", Photo: jpegBytes(t, 64)})
	rotated, err := keys.BeginRotation(kdir)
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := rotated.Cipher()
	s := bolt.NewOutreachService(f.db, "x", rc, nil, f.ledger)
	if n, err := s.Stale(ctx); n != 2 || err != nil {
		t.Fatalf("stale %d %v, want 2 (the entry and its photo)", n, err)
	}
	if n, err := s.Reseal(ctx, nil); n != 2 || err != nil {
		t.Fatalf("re-sealed %d %v, want 2", n, err)
	}
	if err := keys.FinishRotation(kdir); err != nil {
		t.Fatal(err)
	}
	after, _ := keys.LoadOrCreate(kdir)
	nc, _ := after.Cipher()
	s = bolt.NewOutreachService(f.db, "x", nc, nil, bolt.NewVisitService(f.db, "x", nc, after.PersonKey))
	full, err := s.UnmaskOutreach(ctx, o.ID, "核对照片", "admin")
	if err != nil || full.Note != "说明" || len(full.Photo) == 0 {
		t.Errorf("under the new key alone: %+v %v", full, err)
	}
}

// jpegBytes and pngBytes make a real image of side×side pixels.
func jpegBytes(tb testing.TB, side int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(side), &jpeg.Options{Quality: 80}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func pngBytes(tb testing.TB, side int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(side)); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func testImage(side int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	for y := range side {
		for x := range side {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 3), uint8(x ^ y), 255})
		}
	}
	return img
}

// TestOutreach_Summarize: the levels the county sees follow the entries, and are sent
// again only when they change.
func TestOutreach_Summarize(t *testing.T) {
	ctx := context.Background()
	f := mustOutreach(t)
	sum, err := f.s.Summarize(ctx)
	want := backend.OutreachSummary{Date: "2026-11-23", DuePlaque: 3, DueFestival: 3, DueHonour: 1}
	if err != nil || sum != want {
		t.Fatalf("summary %+v %v, want %+v", sum, err, want)
	}
	count := func() int {
		n := 0
		for _, k := range outboxKinds(t, f.db) {
			if k == backend.KindOutreachSummary {
				n++
			}
		}
		return n
	}
	if _, err := f.s.Summarize(ctx); err != nil || count() != 1 {
		t.Errorf("unchanged levels sent again: %d summaries, %v", count(), err)
	}
	// A visit on 1 November promised a follow-up by the 10th: overdue today.
	f.record(t, backend.OutreachRequest{Kind: backend.OutreachVisit, Household: "H-0001", Date: "2026-11-01", FollowUp: "2026-11-10"})
	if sum, _ = f.s.Summarize(ctx); sum.FollowUpOverdue != 1 || sum.DueFestival != 2 || count() != 2 {
		t.Errorf("after a visit with a follow-up: %+v, %d summaries", sum, count())
	}
	f.record(t, backend.OutreachRequest{Kind: backend.OutreachFollowUp, Household: "H-0001", Date: "2026-11-20"})
	if sum, _ = f.s.Summarize(ctx); sum.FollowUpOverdue != 0 {
		t.Errorf("after the follow-up: %+v", sum)
	}
}

// TestOutreach_Campaign: a festival campaign covers the households due a visit, is
// edited (one added, teams assigned, one not reached), follows the entries recorded
// for it, prints its visit sheet in the clear only with a reason, and tells the
// county each household's status.
func TestOutreach_Campaign(t *testing.T) {
	ctx := context.Background()
	f := mustOutreach(t)
	req := backend.CampaignRequest{RequestID: "c-1", Name: " 2027年 春节走访慰问 ", Kind: backend.DueFestival, From: "2026-11-20", To: "2027-02-10"}
	c, created, err := f.s.PlanCampaign(ctx, req, "王芳")
	if err != nil || !created || c.Name != "2027年 春节走访慰问" {
		t.Fatalf("plan: %+v %v", c, err)
	}
	households := func(v *backend.CampaignView) []string {
		var ids []string
		for _, r := range v.Rows {
			ids = append(ids, r.Household.ID)
		}
		return ids
	}
	if got := households(c); !slices.Equal(got, []string{"H-0001", "H-0004", "H-0005"}) {
		t.Fatalf("the campaign covers %v", got)
	}
	if again, created, _ := f.s.PlanCampaign(ctx, req, "王芳"); created || again.ID != c.ID {
		t.Errorf("the same request again made another campaign")
	}
	c, err = f.s.UpdateCampaign(ctx, c.ID, backend.CampaignPatch{Version: 1, Add: []string{"H-0003"},
		Assign: []backend.CampaignAssignment{{Household: "H-0001", Team: []string{"李卫东", "王芳"}}},
		Mark:   []backend.CampaignMark{{Household: "H-0005", Reason: "away"}}}, "王芳")
	if err != nil || c.Version != 2 || len(c.Rows) != 4 || c.Rows[0].Team[0] != "李**" {
		t.Fatalf("edit: %+v %v", c, err)
	}
	for _, bad := range []backend.CampaignPatch{
		{Version: 1, Add: []string{"H-0002"}},                                             // stale
		{Version: 2, Add: []string{"H-9999"}},                                             // not in the registry
		{Version: 2, Mark: []backend.CampaignMark{{Household: "H-0002", Reason: "away"}}}, // not in the campaign
		{Version: 2, Mark: []backend.CampaignMark{{Household: "H-0001", Reason: "busy"}}}, // no such reason
	} {
		if _, err := f.s.UpdateCampaign(ctx, c.ID, bad, "王芳"); err == nil {
			t.Errorf("patch %+v accepted", bad)
		}
	}
	// A visit before the campaign does not count; one during it does, a plaque does not.
	f.record(t, backend.OutreachRequest{Kind: backend.OutreachVisit, Household: "H-0004", Date: "2026-11-10"})
	f.record(t, backend.OutreachRequest{Kind: backend.OutreachPlaqueHung, Household: "H-0004", Date: "2026-11-22"})
	f.record(t, backend.OutreachRequest{Kind: backend.OutreachVisit, Household: "H-0001", Date: "2026-11-22", Money: 500, Campaign: c.ID})
	v, err := f.s.Campaign(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, r := range v.Rows {
		status[r.Household.ID] = r.Status
	}
	want := map[string]string{"H-0001": "done", "H-0003": "left", "H-0004": "left", "H-0005": "not_reached"}
	if fmt.Sprint(status) != fmt.Sprint(want) {
		t.Errorf("progress %v, want %v", status, want)
	}
	if tot := v.Totals; tot.Households != 4 || tot.Done != 1 || tot.NotReached != 1 || tot.Left != 2 || tot.Money != 500 {
		t.Errorf("totals %+v", tot)
	}
	if v.Rows[0].Household.Address != "宁城县八里罕镇西村3组***" {
		t.Errorf("the campaign shows the address %q", v.Rows[0].Household.Address)
	}
	if _, _, err := f.s.Record(ctx, backend.OutreachRequest{Kind: backend.OutreachVisit, Household: "H-0001", Date: "2026-11-22",
		Team: []string{"王芳"}, Campaign: "no-such-campaign"}, "王芳"); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("an entry for no campaign: %v", err)
	}

	if _, err := f.s.CampaignSheet(ctx, c.ID, "", "", "站长"); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("a sheet without a reason: %v", err)
	}
	sheet, err := f.s.CampaignSheet(ctx, c.ID, "李卫东", "打印走访单", "站长")
	if err != nil || len(sheet.Rows) != 1 || sheet.Rows[0].Household.Address != "宁城县八里罕镇西村3组12号" ||
		sheet.Rows[0].Household.People[0].Name != "张桂兰" || sheet.Rows[0].Team[0] != "李卫东" {
		t.Fatalf("李卫东's sheet: %+v %v", sheet, err)
	}
	log, _ := f.ledger.AccessLog(ctx, 10)
	if len(log) != 1 || log[0].Action != backend.AccessExport || log[0].Count != 1 {
		t.Errorf("access log %+v", log)
	}

	entries, _ := f.db.OutboxEntries(ctx, 0, 1000)
	var last string
	for _, e := range entries {
		if e.Kind == backend.KindOutreachCampaign {
			last = string(e.Data)
		}
	}
	if !strings.Contains(last, `"H-0001":"done"`) || !strings.Contains(last, `"H-0005":"not_reached"`) || strings.Contains(last, "李卫东") {
		t.Errorf("the county's last campaign fact: %s", last)
	}
	list, err := f.s.Campaigns(ctx)
	if err != nil || len(list) != 1 || list[0].Totals.Done != 1 || list[0].Rows != nil {
		t.Errorf("campaigns: %+v %v", list, err)
	}
}

// TestOutreach_Purge: entries past their retention go with their photo, signature and
// audit trail, and the county is told; the plaque they recorded still hangs.
func TestOutreach_Purge(t *testing.T) {
	ctx := context.Background()
	f := mustOutreach(t)
	f.s.RetentionDays = 365
	old := f.record(t, backend.OutreachRequest{Kind: backend.OutreachPlaqueHung, Household: "H-0001", Date: "2025-06-01",
		Photo: jpegBytes(t, 64), Signature: pngBytes(t, 64)})
	recent := f.record(t, backend.OutreachRequest{Kind: backend.OutreachVisit, Household: "H-0001", Date: "2026-06-01"})
	if n, err := f.s.PurgeOutreach(ctx); n != 1 || err != nil {
		t.Fatalf("purged %d %v, want 1", n, err)
	}
	if _, _, err := f.s.Outreach(ctx, old.ID); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("the old entry: %v", err)
	}
	if _, _, err := f.s.Outreach(ctx, recent.ID); err != nil {
		t.Errorf("the recent entry: %v", err)
	}
	if got := f.due(t, backend.DuePlaque, ""); slices.Contains(got, "H-0001") {
		t.Errorf("H-0001 is due a plaque again after its entry was purged: %v", got)
	}
	kinds := outboxKinds(t, f.db)
	if !slices.Contains(kinds, backend.KindOutreachPurged) {
		t.Errorf("no outreach.purged fact: %v", kinds)
	}
	if n, _ := f.s.PurgeOutreach(ctx); n != 0 {
		t.Errorf("a second purge deleted %d", n)
	}
}

// BenchmarkOutreach_Due: a due list opens the whole registry; this is its cost for a
// large township's 20 000 people (make bench prints it per list).
func BenchmarkOutreach_Due(b *testing.B) {
	ctx := context.Background()
	db, _ := MustOpenDB(b)
	k := MustKeys(b)
	persons := newPersons(b, db, k)
	if _, err := persons.ReplaceRegistry(ctx, "r1", demo.Registry(demo.Seed, 20000)); err != nil {
		b.Fatal(err)
	}
	c, _ := k.Cipher()
	s := bolt.NewOutreachService(db, "x", c, persons, bolt.NewVisitService(db, "x", c, k.PersonKey))
	b.ResetTimer()
	for b.Loop() {
		list, err := s.Due(ctx, backend.DueQuery{Kind: backend.DueFestival})
		if err != nil || len(list) == 0 {
			b.Fatal(list, err)
		}
	}
}
