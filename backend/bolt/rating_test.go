package bolt_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
)

// served issues a ticket for service B and serves it to the end at counter 1.
func (st *station) served(tb testing.TB) *backend.Ticket {
	tb.Helper()
	st.issue(tb, "B", false)
	t := st.next(tb, 1)
	st.act(tb, t.ID, backend.Act{Action: backend.ActStart})
	return st.act(tb, t.ID, backend.Act{Action: backend.ActFinish})
}

func ratingErr(err error) string {
	var e *backend.Error
	if errors.As(err, &e) {
		return e.Code + " " + e.Key
	}
	return ""
}

func TestRatingService_Rate(t *testing.T) {
	ctx := context.Background()
	st := mustStation(t)
	rs := bolt.NewRatingService(st.db, "st")
	rs.Publish = st.events.add

	t.Run("OK", func(t *testing.T) {
		tk := st.served(t)
		r, c, err := rs.Rate(ctx, tk.ID, backend.RatingRequest{Level: 5, Via: "counter"})
		if err != nil || c != nil {
			t.Fatalf("rate: %v, case %v", err, c)
		}
		if r.Staff != "王芳" || r.Counter != 1 || r.Service != "B" || r.Number != tk.Number {
			t.Errorf("rating %+v", r)
		}
		if e := st.events.last(bolt.EventRated); e == nil {
			t.Error("no rated event for the counter's screen")
		}
		if _, _, err := rs.Rate(ctx, tk.ID, backend.RatingRequest{Level: 1}); ratingErr(err) != "conflict rating.done" {
			t.Errorf("second rating: %v", err)
		}
	})
	t.Run("BadOpensCase", func(t *testing.T) {
		tk := st.served(t)
		before := len(outboxKinds(t, st.db))
		r, c, err := rs.Rate(ctx, tk.ID, backend.RatingRequest{Level: 2, Reasons: []string{"wait_long"}})
		if err != nil || c == nil {
			t.Fatalf("rate: %v, case %v", err, c)
		}
		// Monday 23 November 2026 + 5 working days.
		if c.Due != "2026-11-30" || c.Status != backend.CaseOpen || r.CaseID != c.ID || c.Staff != "王芳" {
			t.Errorf("case %+v", c)
		}
		kinds := outboxKinds(t, st.db)[before:]
		if !slices.Equal(kinds, []string{backend.KindRatingGiven}) {
			t.Errorf("outbox %v", kinds)
		}
		all, _ := st.db.OutboxEntries(ctx, 0, 1000)
		var f backend.RatingFact
		json.Unmarshal(all[len(all)-1].Data, &f)
		if f.CaseID != c.ID || f.Due != c.Due || f.Level != 2 || f.ReasonsVersion == "" {
			t.Errorf("fact %+v", f)
		}
		cases, _ := rs.Cases(ctx)
		if len(cases) != 1 || cases[0].ID != c.ID {
			t.Errorf("cases %v", cases)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		st.issue(t, "A", false)
		open := st.next(t, 1)
		before := len(outboxKinds(t, st.db))
		for _, tc := range []struct {
			name, id string
			req      backend.RatingRequest
			want     string
		}{
			{"NotDone", open.ID, backend.RatingRequest{Level: 4}, "conflict rating.not_done"},
			{"Unknown", "nope", backend.RatingRequest{Level: 4}, "not_found ticket.not_found"},
			{"BadLevel", open.ID, backend.RatingRequest{Level: 0}, "invalid rating.level"},
		} {
			if _, _, err := rs.Rate(ctx, tc.id, tc.req); ratingErr(err) != tc.want {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
			}
		}
		if len(outboxKinds(t, st.db)) != before {
			t.Error("a refused rating wrote to the outbox")
		}
		st.act(t, open.ID, backend.Act{Action: backend.ActFinish})
	})
	t.Run("NextDay", func(t *testing.T) {
		tk := st.served(t)
		st.clock.Advance(24 * time.Hour)
		if _, _, err := rs.Rate(ctx, tk.ID, backend.RatingRequest{Level: 4}); ratingErr(err) != "conflict rating.past_day" {
			t.Errorf("yesterday's ticket: %v", err)
		}
	})
}

func TestRatingService_PendingSkipFind(t *testing.T) {
	ctx := context.Background()
	st := mustStation(t)
	rs := bolt.NewRatingService(st.db, "st")
	if p, err := rs.Pending(ctx, 1); err != nil || p != nil {
		t.Fatalf("nothing finished: %v %v", p, err)
	}
	first := st.served(t)
	second := st.served(t)
	p, err := rs.Pending(ctx, 1)
	if err != nil || p == nil || p.TicketID != second.ID || p.ServiceZH == "" || p.CounterName == "" {
		t.Fatalf("pending %+v %v", p, err)
	}
	if err := rs.Skip(ctx, second.ID, "counter"); err != nil {
		t.Fatal(err)
	}
	if err := rs.Skip(ctx, second.ID, "counter"); err != nil {
		t.Fatalf("second skip: %v", err)
	}
	if p, _ := rs.Pending(ctx, 1); p == nil || p.TicketID != first.ID {
		t.Errorf("after the skip the earlier one waits: %+v", p)
	}
	// A skipped ticket may still be rated at the kiosk, by its number.
	f, err := rs.Find(ctx, " "+second.Number[:1]+"2 ")
	if err != nil || f.TicketID != second.ID {
		t.Fatalf("find %s: %+v %v", second.Number, f, err)
	}
	if _, _, err := rs.Rate(ctx, second.ID, backend.RatingRequest{Level: 3}); err != nil {
		t.Fatalf("rate after skip: %v", err)
	}
	if _, err := rs.Find(ctx, second.Number); ratingErr(err) != "conflict rating.done" {
		t.Errorf("find rated: %v", err)
	}
	if _, err := rs.Find(ctx, "B999"); ratingErr(err) != "not_found rating.no_ticket" {
		t.Errorf("find unknown: %v", err)
	}
	if _, err := rs.Find(ctx, "17"); ratingErr(err) != "invalid rating.number" {
		t.Errorf("find malformed: %v", err)
	}
	st.clock.Advance(backend.RatingWindow + time.Minute)
	if p, _ := rs.Pending(ctx, 1); p != nil {
		t.Errorf("past the window: %+v", p)
	}
	ratings, _ := rs.DayRatings(ctx, "2026-11-23")
	if len(ratings) != 1 || ratings[0].Level != 3 {
		t.Errorf("day ratings (skips left out) %+v", ratings)
	}
}

func TestRatingService_ActOnCase(t *testing.T) {
	ctx := context.Background()
	st := mustStation(t)
	rs := bolt.NewRatingService(st.db, "st")
	reached := true
	open := func() *backend.RatingCase {
		_, c, err := rs.Rate(ctx, st.served(t).ID, backend.RatingRequest{Level: 1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	t.Run("ToClosure", func(t *testing.T) {
		c := open()
		before := len(outboxKinds(t, st.db))
		for _, a := range []backend.CaseAct{
			{Action: backend.CaseVisit, Reached: &reached, Note: "已电话回访", By: "admin"},
			{Action: backend.CaseRectify, Note: "已整改", By: "admin"},
			{Action: backend.CaseClose, By: "admin"},
		} {
			if _, err := rs.ActOnCase(ctx, c.ID, a); err != nil {
				t.Fatalf("%s: %v", a.Action, err)
			}
		}
		got, _ := rs.Case(ctx, c.ID)
		if got.Status != backend.CaseClosed || len(got.History) != 3 || got.History[2].By != "admin" {
			t.Errorf("case %+v", got)
		}
		want := []string{"rating_case.visit", "rating_case.rectify", "rating_case.close"}
		if kinds := outboxKinds(t, st.db)[before:]; !slices.Equal(kinds, want) {
			t.Errorf("outbox %v", kinds)
		}
		all, _ := st.db.OutboxEntries(ctx, 0, 1000)
		for _, e := range all {
			var raw map[string]any
			json.Unmarshal(e.Data, &raw)
			if raw["note"] != nil || raw["visit_note"] != nil {
				t.Errorf("a note left the station in %s", e.Kind)
			}
		}
	})
	t.Run("AppealUpheldExcludes", func(t *testing.T) {
		c := open()
		rs.ActOnCase(ctx, c.ID, backend.CaseAct{Action: backend.CaseAppeal, Note: "按错了", By: "王芳"})
		if _, err := rs.ActOnCase(ctx, c.ID, backend.CaseAct{Action: backend.CaseUphold, By: "admin"}); err != nil {
			t.Fatal(err)
		}
		ratings, _ := rs.DayRatings(ctx, c.Date)
		i := slices.IndexFunc(ratings, func(r backend.Rating) bool { return r.CaseID == c.ID })
		if i < 0 || !ratings[i].Excluded {
			t.Errorf("upheld appeal left the rating counted: %+v", ratings)
		}
	})
	t.Run("RefusedChangesNothing", func(t *testing.T) {
		c := open()
		before := len(outboxKinds(t, st.db))
		if _, err := rs.ActOnCase(ctx, c.ID, backend.CaseAct{Action: backend.CaseClose}); ratingErr(err) != "conflict case.cannot_close" {
			t.Errorf("close open: %v", err)
		}
		if _, err := rs.ActOnCase(ctx, "nope", backend.CaseAct{Action: backend.CaseClose}); ratingErr(err) != "not_found case.not_found" {
			t.Errorf("unknown: %v", err)
		}
		if len(outboxKinds(t, st.db)) != before {
			t.Error("a refused step wrote to the outbox")
		}
	})
	t.Run("OverdueFirst", func(t *testing.T) {
		st.clock.Advance(10 * 24 * time.Hour)
		fresh := open()
		cases, _ := rs.Cases(ctx)
		if cases[0].Overdue(st.clock.Now().In(st.db.Location).Format(time.DateOnly)) == false || cases[0].ID == fresh.ID {
			t.Errorf("first is %+v", cases[0])
		}
		if last := cases[len(cases)-1]; last.Status != backend.CaseClosed {
			t.Errorf("closed cases last: %+v", last)
		}
	})
}
