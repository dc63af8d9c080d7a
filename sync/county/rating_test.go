package county_test

import (
	"encoding/binary"
	"encoding/json"
	"testing"
	"time"

	"bingzhan/sync/county"
	"bingzhan/sync/wire"
)

// TestRatingFigures: ratings and their cases as the county counts them from the
// station's facts — a bad rating counted and its case open, closed by the follow-up,
// and a rating whose appeal was upheld taken out of the satisfaction.
func TestRatingFigures(t *testing.T) {
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	fact := func(kind, data string) county.DayFact {
		t.Helper()
		f, ok := county.FactOf(&wire.Entry{Kind: kind, At: at, Data: json.RawMessage(data)}, shanghai)
		if !ok {
			t.Fatalf("%s %s: not counted", kind, data)
		}
		return f
	}
	var d county.DayStats
	for _, f := range []county.DayFact{
		fact("rating.given", `{"ticket_id":"t1","date":"2026-11-23","level":5,"via":"counter"}`),
		fact("rating.given", `{"ticket_id":"t2","date":"2026-11-23","level":3}`),
		fact("rating.given", `{"ticket_id":"t3","date":"2026-11-23","level":2,"case_id":"c3","due":"2026-11-30"}`),
		fact("rating.given", `{"ticket_id":"t4","date":"2026-11-23","level":1,"case_id":"c4","due":"2026-11-30"}`),
	} {
		d.Count(f)
	}
	if d.Rated != 4 || d.Satisfied != 2 || d.Unsatisfied != 2 || d.LevelSum != 11 || d.OpenCases() != 2 {
		t.Fatalf("after four ratings %+v", d)
	}
	if pct, ok := d.SatisfactionPct(); !ok || pct != 50 {
		t.Errorf("satisfaction %v %v, want 50", pct, ok)
	}
	d.Count(fact("rating_case.close", `{"id":"c3","date":"2026-11-23","level":2,"status":"closed"}`))
	d.Count(fact("rating_case.uphold", `{"id":"c4","date":"2026-11-23","level":1,"status":"closed","excluded":true}`))
	if d.Rated != 3 || d.Unsatisfied != 1 || d.LevelSum != 10 || d.OpenCases() != 0 {
		t.Errorf("after the follow-ups %+v", d)
	}
	if pct, _ := d.SatisfactionPct(); pct != 66.7 {
		t.Errorf("satisfaction %v, want 66.7 (the upheld one no longer counts)", pct)
	}
	// Other case steps and skips change no figure.
	for _, k := range []string{"rating_case.visit", "rating_case.appeal", "rating.skipped"} {
		if _, ok := county.FactOf(&wire.Entry{Kind: k, At: at, Data: json.RawMessage(`{"date":"2026-11-23","level":1}`)}, shanghai); ok {
			t.Errorf("%s counted", k)
		}
	}
	if _, ok := county.FactOf(&wire.Entry{Kind: "rating.given", At: at, Data: json.RawMessage(`{"level":9}`)}, shanghai); ok {
		t.Error("a rating of level 9 counted")
	}

	// The stores keep the figures encoded: the ratings come back, and days kept in
	// format 1, before ratings, still read.
	var back county.DayStats
	if err := county.DecodeDay(county.EncodeDay(&d), &back, nil); err != nil || back.Rated != 3 || back.CasesClosed != 2 || back.LevelSum != 10 {
		t.Errorf("round trip %+v %v", back, err)
	}
	old := []byte{1}
	for _, v := range []int64{2, 0, 1, 60, 60, 1, 0, 1, 0, 0, 0, 0} { // tickets … flags, no hist, no matters
		old = binary.AppendVarint(old, v)
	}
	if err := county.DecodeDay(old, &back, nil); err != nil || back.Tickets != 2 || back.Rated != 0 {
		t.Errorf("format 1 day: %+v %v", back, err)
	}
	var sum county.DayStats
	sum.Add(d)
	sum.Then(d)
	if sum.Rated != 6 || sum.OpenCases() != 0 || sum.CasesOpened != 4 {
		t.Errorf("sums %+v", sum)
	}
}
