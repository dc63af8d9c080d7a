package backend_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
)

func TestCaseTransition(t *testing.T) {
	type row struct {
		from, appealFrom backend.CaseStatus
		action           backend.CaseAction
		to               backend.CaseStatus // "" when refused
	}
	const (
		open, visited, rectified = backend.CaseOpen, backend.CaseVisited, backend.CaseRectified
		appealed, closed         = backend.CaseAppealed, backend.CaseClosed
	)
	allowed := []row{
		{open, "", backend.CaseVisit, visited},
		{visited, "", backend.CaseVisit, visited}, // not reached: try again
		{visited, "", backend.CaseRectify, rectified},
		{rectified, "", backend.CaseClose, closed},
		{open, "", backend.CaseAppeal, appealed},
		{visited, "", backend.CaseAppeal, appealed},
		{appealed, open, backend.CaseUphold, closed},
		{appealed, visited, backend.CaseUphold, closed},
		{appealed, open, backend.CaseReject, open},
		{appealed, visited, backend.CaseReject, visited},
	}
	states := []backend.CaseStatus{open, visited, rectified, appealed, closed}
	for _, from := range states {
		for _, a := range backend.CaseActions {
			for _, af := range []backend.CaseStatus{"", open, visited} {
				if (from == appealed) != (af != "") {
					continue // only an appealed case remembers where it came from
				}
				want := backend.CaseStatus("")
				for _, r := range allowed {
					if r.from == from && r.action == a && r.appealFrom == af {
						want = r.to
					}
				}
				got, ok := backend.CaseTransition(from, a, af)
				if !ok {
					got = ""
				}
				if got != want {
					t.Errorf("%s --%s--> %q, want %q", from, a, got, want)
				}
			}
		}
	}
}

func reached() *bool { b := true; return &b }

func TestRatingCase_Apply(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	newCase := func() *backend.RatingCase {
		r := &backend.Rating{TicketID: "t1", Number: "B017", Service: "B", Counter: 1, Staff: "王芳", Level: 1, At: at}
		return backend.NewRatingCase("c1", r, 5, backend.DefaultCalendar(), time.UTC)
	}
	t.Run("ToClosure", func(t *testing.T) {
		c := newCase()
		if c.Due != "2026-11-09" || c.Status != backend.CaseOpen {
			t.Fatalf("opened %+v", c)
		}
		for _, a := range []backend.CaseAct{
			{Action: backend.CaseVisit, Reached: reached(), Note: "电话联系上，等得太久", By: "admin"},
			{Action: backend.CaseRectify, Note: "高峰时开第二个窗口", By: "admin"},
			{Action: backend.CaseClose, By: "admin"},
		} {
			a.At = at.Add(time.Hour)
			if err := c.Apply(a); err != nil {
				t.Fatalf("%s: %v", a.Action, err)
			}
		}
		if c.Status != backend.CaseClosed || c.ClosedAt.IsZero() || len(c.History) != 3 || c.History[0].By != "admin" {
			t.Errorf("closed %+v", c)
		}
		if c.Overdue("2026-12-01") {
			t.Error("a closed case is never overdue")
		}
	})
	t.Run("Overdue", func(t *testing.T) {
		c := newCase()
		if c.Overdue("2026-11-09") || !c.Overdue("2026-11-10") {
			t.Error("overdue from the day after the due day")
		}
	})
	t.Run("AppealUpheld", func(t *testing.T) {
		c := newCase()
		if err := c.Apply(backend.CaseAct{Action: backend.CaseAppeal, Note: "评价时按错了", By: "王芳"}); err != nil {
			t.Fatal(err)
		}
		if err := c.Apply(backend.CaseAct{Action: backend.CaseUphold, By: "admin"}); err != nil {
			t.Fatal(err)
		}
		if c.Status != backend.CaseClosed || !c.Excluded {
			t.Errorf("upheld %+v", c)
		}
	})
	t.Run("AppealRejectedOnce", func(t *testing.T) {
		c := newCase()
		c.Apply(backend.CaseAct{Action: backend.CaseVisit, Reached: reached(), Note: "联系上了"})
		c.Apply(backend.CaseAct{Action: backend.CaseAppeal, Note: "恶意评价"})
		if err := c.Apply(backend.CaseAct{Action: backend.CaseReject}); err != nil || c.Status != backend.CaseVisited {
			t.Fatalf("rejected: %v, %s", err, c.Status)
		}
		err := c.Apply(backend.CaseAct{Action: backend.CaseAppeal, Note: "再申诉"})
		var e *backend.Error
		if !errors.As(err, &e) || e.Code != backend.ECONFLICT || e.Key != "case.appealed_before" {
			t.Fatalf("second appeal: %v", err)
		}
	})
	for _, tc := range []struct {
		name string
		act  backend.CaseAct
		code string
		key  string
	}{
		{"RectifyBeforeVisit", backend.CaseAct{Action: backend.CaseRectify, Note: "x"}, backend.ECONFLICT, "case.cannot_rectify"},
		{"CloseOpen", backend.CaseAct{Action: backend.CaseClose}, backend.ECONFLICT, "case.cannot_close"},
		{"UpholdWithoutAppeal", backend.CaseAct{Action: backend.CaseUphold}, backend.ECONFLICT, "case.cannot_uphold"},
		{"VisitWithoutReached", backend.CaseAct{Action: backend.CaseVisit, Note: "x"}, backend.EINVALID, "case.reached"},
		{"VisitWithoutNote", backend.CaseAct{Action: backend.CaseVisit, Reached: reached(), Note: "  "}, backend.EINVALID, "case.note_visit"},
		{"AppealWithoutReason", backend.CaseAct{Action: backend.CaseAppeal}, backend.EINVALID, "case.note_appeal"},
		{"NoteTooLong", backend.CaseAct{Action: backend.CaseVisit, Reached: reached(), Note: strings.Repeat("字", 501)}, backend.EINVALID, "case.note_long"},
		{"UnknownAction", backend.CaseAct{Action: "delete"}, backend.EINVALID, "case.action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCase()
			before := len(c.History)
			err := c.Apply(tc.act)
			var e *backend.Error
			if !errors.As(err, &e) || e.Code != tc.code || e.Key != tc.key {
				t.Fatalf("err = %v, want %s %s", err, tc.code, tc.key)
			}
			if c.Status != backend.CaseOpen || len(c.History) != before || c.VisitNote != "" {
				t.Errorf("refused step changed the case: %+v", c)
			}
			if tc.code == backend.ECONFLICT && !strings.Contains(backend.ErrorMessage(err, "zh-CN"), "B017") {
				t.Errorf("message %q does not name the ticket", backend.ErrorMessage(err, "zh-CN"))
			}
		})
	}
	t.Run("ClosedRefusesAll", func(t *testing.T) {
		c := newCase()
		c.Apply(backend.CaseAct{Action: backend.CaseAppeal, Note: "按错了"})
		c.Apply(backend.CaseAct{Action: backend.CaseUphold})
		for _, a := range backend.CaseActions {
			err := c.Apply(backend.CaseAct{Action: a, Note: "x", Reached: reached()})
			var e *backend.Error
			if !errors.As(err, &e) || e.Key != "case.closed" {
				t.Errorf("%s on a closed case: %v", a, err)
			}
		}
	})
}

func TestRatingRequest_Validate(t *testing.T) {
	reasons := backend.DefaultRatingReasons()
	for _, tc := range []struct {
		name string
		req  backend.RatingRequest
		key  string
	}{
		{"VeryGood", backend.RatingRequest{Level: 5}, ""},
		{"BadWithReasons", backend.RatingRequest{Level: 2, Reasons: []string{"wait_long", "slow"}}, ""},
		{"VeryBadWithReason", backend.RatingRequest{Level: 1, Reasons: []string{"not_done"}, Via: "counter"}, ""},
		{"Zero", backend.RatingRequest{Level: 0}, "rating.level"},
		{"Six", backend.RatingRequest{Level: 6}, "rating.level"},
		{"GoodWithReason", backend.RatingRequest{Level: 4, Reasons: []string{"slow"}}, "rating.reasons_good"},
		{"ReasonOfOtherLevel", backend.RatingRequest{Level: 2, Reasons: []string{"not_done"}}, "rating.reason"},
		{"ReasonTwice", backend.RatingRequest{Level: 2, Reasons: []string{"slow", "slow"}}, "rating.reason"},
		{"UnknownVia", backend.RatingRequest{Level: 3, Via: "phone"}, "rating.via"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Validate(reasons)
			var e *backend.Error
			if tc.key == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.As(err, &e) || e.Code != backend.EINVALID || e.Key != tc.key {
				t.Fatalf("err = %v, want %s", err, tc.key)
			}
		})
	}
}
