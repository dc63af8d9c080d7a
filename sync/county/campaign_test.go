package county_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"
)

// TestCampaignParts: a campaign of 2 500 households goes up in three reports, each
// inside what one entry may carry even with the longest household ids; the county
// joins them, and after the campaign shrinks to one part it forgets the others.
func TestCampaignParts(t *testing.T) {
	v := &backend.CampaignView{Campaign: backend.Campaign{ID: "C1", Name: "2027年春节走访慰问", Kind: "festival", Version: 1}}
	for i := range 2500 {
		id := fmt.Sprintf("H-%s%04d", strings.Repeat("X", 34), i) // 42 characters, the longest there is
		v.Rows = append(v.Rows, backend.CampaignRow{Household: backend.Household{ID: id}, Status: backend.CampaignLeft})
	}
	facts := v.Facts()
	if len(facts) != 3 || facts[2].Parts != 3 || len(facts[2].Households) != 500 {
		t.Fatalf("%d parts", len(facts))
	}
	var stored []county.Campaign
	for i, f := range facts {
		raw, _ := json.Marshal(f)
		if len(raw) > wire.MaxDataBytes {
			t.Fatalf("part %d is %d bytes, more than an entry may carry (%d)", i, len(raw), wire.MaxDataBytes)
		}
		c, ok := county.CampaignOf("st-1", &wire.Entry{Kind: county.KindCampaign, Seq: uint64(i + 1), Data: raw})
		if !ok {
			t.Fatalf("part %d does not read", i)
		}
		stored = append(stored, *c)
	}
	merged := county.MergeCampaigns(stored)
	if len(merged) != 1 || len(merged[0].Households) != 2500 || len(merged[0].Missed()) != 2500 {
		t.Fatalf("merged: %d campaigns, %d households", len(merged), len(merged[0].Households))
	}

	v.Rows = v.Rows[:10]
	v.Rows[0].Status = backend.CampaignDone
	again := v.Facts()
	raw, _ := json.Marshal(again[0])
	c, _ := county.CampaignOf("st-1", &wire.Entry{Kind: county.KindCampaign, Seq: 9, Data: raw})
	stored[0] = *c // the store keeps the latest of part 0; parts 1 and 2 linger
	merged = county.MergeCampaigns(stored)
	if len(merged[0].Households) != 10 || len(merged[0].Missed()) != 9 {
		t.Errorf("after shrinking: %d households, %d missed", len(merged[0].Households), len(merged[0].Missed()))
	}
}
