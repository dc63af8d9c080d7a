package countytest

import (
	"testing"

	"bingzhan/sync/county"

	"github.com/jonboulle/clockwork"
)

// testRatingFigures: 好差评 facts counted once into the day of the rated ticket —
// a retried push adds nothing — and the follow-up closing a case or upholding an
// appeal on that same day, so the dashboard's open cases and satisfaction follow.
func testRatingFigures(t *testing.T, s county.Store, clock *clockwork.FakeClock) {
	ctx := t.Context()
	st, _ := mustStation(t, s, "东风镇")
	push(t, s, st.ID,
		entry(1, "r1", "rating.given", `{"ticket_id":"t1","date":"2026-11-23","level":5}`),
		entry(2, "r2", "rating.given", `{"ticket_id":"t2","date":"2026-11-23","level":2,"case_id":"c2","due":"2026-11-30"}`),
		entry(3, "r3", "rating.given", `{"ticket_id":"t3","date":"2026-11-23","level":1,"case_id":"c3","due":"2026-11-30"}`),
		entry(4, "s4", "rating.skipped", `{"ticket_id":"t4","date":"2026-11-23","skipped":true}`),
	)
	// The same push again, as after a lost answer: nothing counts twice.
	push(t, s, st.ID,
		entry(1, "r1", "rating.given", `{"ticket_id":"t1","date":"2026-11-23","level":5}`),
		entry(2, "r2", "rating.given", `{"ticket_id":"t2","date":"2026-11-23","level":2,"case_id":"c2","due":"2026-11-30"}`),
	)
	day, err := county.Day(ctx, s, "2026-11-23")
	if err != nil {
		t.Fatal(err)
	}
	d := day[st.ID]
	if d.Rated != 3 || d.Satisfied != 1 || d.Unsatisfied != 2 || d.OpenCases() != 2 {
		t.Fatalf("after three ratings and a skip: %+v", d)
	}
	// A day later the follow-up closes one case and upholds the appeal of the other.
	push(t, s, st.ID,
		entry(5, "v5", "rating_case.visit", `{"id":"c2","date":"2026-11-23","level":2,"action":"visit","status":"visited","reached":true}`),
		entry(6, "c6", "rating_case.close", `{"id":"c2","date":"2026-11-23","level":2,"action":"close","status":"closed"}`),
		entry(7, "a7", "rating_case.appeal", `{"id":"c3","date":"2026-11-23","level":1,"action":"appeal","status":"appealed"}`),
		entry(8, "u8", "rating_case.uphold", `{"id":"c3","date":"2026-11-23","level":1,"action":"uphold","status":"closed","excluded":true}`),
	)
	day, _ = county.Day(ctx, s, "2026-11-23")
	d = day[st.ID]
	if d.Rated != 2 || d.Unsatisfied != 1 || d.OpenCases() != 0 {
		t.Errorf("after the follow-up: %+v", d)
	}
	if pct, ok := d.SatisfactionPct(); !ok || pct != 50 {
		t.Errorf("satisfaction %v, want 50", pct)
	}
}
