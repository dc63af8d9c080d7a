package countytest

import (
	"fmt"
	"slices"
	"testing"

	"bingzhan/sync/county"

	"github.com/jonboulle/clockwork"
)

// testCampaigns: a station's campaign reports are kept as the latest by sequence,
// whatever order the pushes bring them in, apart per station, and a report the
// county cannot read is stored but kept out of the list.
func testCampaigns(t *testing.T, s county.Store, _ *clockwork.FakeClock) {
	a, _ := mustStation(t, s, "东风镇服务站")
	b, _ := mustStation(t, s, "西山乡服务站")
	report := func(seq uint64, campaign string, households string, version int) string {
		return fmt.Sprintf(`{"id":%q,"name":"2027年春节走访慰问","kind":"festival","from":"2027-01-10","to":"2027-02-10","households":{%s},"totals":{"households":2},"version":%d}`,
			campaign, households, version)
	}
	push(t, s, a.ID,
		entry(1, "c1", county.KindCampaign, report(1, "C1", `"H-1":"left","H-2":"left"`, 1)),
		entry(3, "c3", county.KindCampaign, report(3, "C1", `"H-1":"done","H-2":"not_reached"`, 2)),
		entry(4, "c4", county.KindCampaign, `{"households":"not a map"}`))
	// A late push of an older report (the station renumbered) leaves the newer.
	push(t, s, a.ID, entry(2, "c2", county.KindCampaign, report(2, "C1", `"H-1":"left","H-2":"done"`, 1)))
	push(t, s, b.ID, entry(1, "b1", county.KindCampaign, report(1, "C1", `"H-9":"done"`, 1)))

	list, err := s.Campaigns(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("%d campaigns, want one per station: %+v", len(list), list)
	}
	slices.SortFunc(list, func(x, y county.Campaign) int { return len(y.Households) - len(x.Households) })
	c := list[0]
	if c.Station != a.ID || c.Seq != 3 || c.Version != 2 || c.Households["H-1"] != "done" || c.Households["H-2"] != "not_reached" {
		t.Errorf("东风镇's campaign: %+v", c)
	}
	if missed := c.Missed(); !slices.Equal(missed, []string{"H-2"}) {
		t.Errorf("missed %v", missed)
	}
	if list[1].Station != b.ID || list[1].Households["H-9"] != "done" {
		t.Errorf("西山乡's campaign: %+v", list[1])
	}
}
