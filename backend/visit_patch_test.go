package backend_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
)

// TestVisitPatch_ApplyFields pins what each field of a patch does: how its value is
// cleaned, the change the audit trail records (values only for fields that are not
// personal), the action, and which error wins when several fields are wrong (the
// first in the order of VisitPatch).
func TestVisitPatch_ApplyFields(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	created := time.Date(2026, 11, 23, 9, 0, 0, 0, loc)
	now := created.Add(time.Hour)
	closed := created.Add(30 * time.Minute)
	s := func(v string) *string { return &v }
	base := func() backend.Visit {
		return backend.Visit{ID: "v", CreatedAt: created, Relation: backend.RelationSelf, Service: "B", Matter: "B1",
			Phone: "13812345678", Name: "张三", Categories: []string{"VETERAN"}, Version: 1}
	}
	closedBase := func() backend.Visit {
		v := base()
		v.Outcome, v.HandledBy, v.ClosedAt = backend.OutcomeHandled, "李四", closed
		return v
	}
	type change = backend.Change
	for _, tt := range []struct {
		name    string
		visit   func() backend.Visit
		p       backend.VisitPatch
		key     string // error key; "" for success
		changes []change
		action  string
		check   func(v *backend.Visit) bool // the visit after a successful patch
	}{
		{name: "IDNumber", p: backend.VisitPatch{IDNumber: s(" 11010519491231002x ")},
			changes: []change{{Field: "id_number"}}, action: backend.AuditUpdated,
			check: func(v *backend.Visit) bool { return v.IDNumber == "11010519491231002X" }},
		{name: "IDNumberCleared", visit: func() backend.Visit { v := base(); v.IDNumber = "11010519491231002X"; return v },
			p: backend.VisitPatch{IDNumber: s("")}, changes: []change{{Field: "id_number"}}, action: backend.AuditUpdated,
			check: func(v *backend.Visit) bool { return v.IDNumber == "" }},
		{name: "Phone", p: backend.VisitPatch{Phone: s("138 0000 1111")},
			changes: []change{{Field: "phone"}}, action: backend.AuditUpdated,
			check: func(v *backend.Visit) bool { return v.Phone == "13800001111" }},
		{name: "PhoneSame", p: backend.VisitPatch{Phone: s("138 1234 5678")},
			check: func(v *backend.Visit) bool { return v.Version == 1 }},
		{name: "Name", p: backend.VisitPatch{Name: s("  李 四 ")}, changes: []change{{Field: "name"}}, action: backend.AuditUpdated,
			check: func(v *backend.Visit) bool { return v.Name == "李 四" }},
		{name: "ErrNameTooLong", p: backend.VisitPatch{Name: s(strings.Repeat("张", 41))}, key: "ledger.name"},
		{name: "VisitorName", p: backend.VisitPatch{VisitorName: s("王五")}, changes: []change{{Field: "visitor_name"}}, action: backend.AuditUpdated},
		{name: "ErrVisitorName", p: backend.VisitPatch{VisitorName: s("王\u0000五")}, key: "ledger.name"},
		{name: "Relation", p: backend.VisitPatch{Relation: s(backend.RelationSpouse)},
			changes: []change{{Field: "relation", Old: backend.RelationSelf, New: backend.RelationSpouse}}, action: backend.AuditUpdated},
		{name: "ErrRelation", p: backend.VisitPatch{Relation: s("cousin")}, key: "ledger.relation"},
		{name: "ServiceAndMatter", p: backend.VisitPatch{Service: s("D"), Matter: s("D2")},
			changes: []change{{Field: "service", Old: "B", New: "D"}, {Field: "matter", Old: "B1", New: "D2"}}, action: backend.AuditUpdated},
		{name: "ErrService", p: backend.VisitPatch{Service: s("Z")}, key: "service.unknown"},
		{name: "ErrMatter", p: backend.VisitPatch{Matter: s("D2")}, key: "ledger.matter"},
		{name: "Categories", p: backend.VisitPatch{Categories: &[]string{" MARTYR_FAMILY", "MARTYR_FAMILY"}},
			changes: []change{{Field: "categories"}}, action: backend.AuditUpdated,
			check: func(v *backend.Visit) bool { return slices.Equal(v.Categories, []string{"MARTYR_FAMILY"}) }},
		{name: "CategoriesSame", p: backend.VisitPatch{Categories: &[]string{"VETERAN"}}},
		{name: "CategoriesNoneToNone", visit: func() backend.Visit { v := base(); v.Categories = nil; return v },
			p: backend.VisitPatch{Categories: &[]string{}}},
		{name: "ErrCategories", p: backend.VisitPatch{Categories: &[]string{"veteran"}}, key: "lookup.category"},
		{name: "Summary", p: backend.VisitPatch{Summary: s(" 问\n 抚恤 ")}, changes: []change{{Field: "summary"}}, action: backend.AuditUpdated,
			check: func(v *backend.Visit) bool { return v.Summary == "问 抚恤" }},
		{name: "ErrSummary", p: backend.VisitPatch{Summary: s(strings.Repeat("字", 501))}, key: "ledger.summary"},
		{name: "HandledBy", p: backend.VisitPatch{HandledBy: s("李四")},
			changes: []change{{Field: "handled_by", New: "李四"}}, action: backend.AuditUpdated},
		{name: "Outcome", p: backend.VisitPatch{Outcome: s(backend.OutcomeReferred)},
			changes: []change{{Field: "outcome", New: backend.OutcomeReferred}}, action: backend.AuditUpdated},
		{name: "OutcomeCleared", visit: func() backend.Visit { v := base(); v.Outcome = backend.OutcomeHandled; return v },
			p: backend.VisitPatch{Outcome: s("")}, changes: []change{{Field: "outcome", Old: backend.OutcomeHandled}}, action: backend.AuditUpdated},
		{name: "OutcomeNote", p: backend.VisitPatch{OutcomeNote: s("已办")}, changes: []change{{Field: "outcome_note"}}, action: backend.AuditUpdated},
		{name: "ErrOutcomeNote", p: backend.VisitPatch{OutcomeNote: s(strings.Repeat("字", 501))}, key: "ledger.note"},
		{name: "ReferredTo", p: backend.VisitPatch{ReferredTo: s("民政局")}, changes: []change{{Field: "referred_to"}}, action: backend.AuditUpdated},
		{name: "ErrReferredTo", p: backend.VisitPatch{ReferredTo: s(strings.Repeat("字", 101))}, key: "ledger.referred_to"},
		{name: "FollowUp", p: backend.VisitPatch{FollowUp: s(" 2026-12-01 ")},
			changes: []change{{Field: "follow_up", New: "2026-12-01"}}, action: backend.AuditUpdated},
		{name: "FollowUpCleared", visit: func() backend.Visit { v := base(); v.FollowUp = "2026-12-01"; return v },
			p: backend.VisitPatch{FollowUp: s(" ")}, changes: []change{{Field: "follow_up", Old: "2026-12-01"}}, action: backend.AuditUpdated},
		{name: "SeveralFields", p: backend.VisitPatch{Summary: s("问"), Phone: s("13800001111"), Outcome: s(backend.OutcomeAnswered)},
			changes: []change{{Field: "phone"}, {Field: "summary"}, {Field: "outcome", New: backend.OutcomeAnswered}}, action: backend.AuditUpdated},

		{name: "ErrFirstWins/PhoneBeforeSummary", p: backend.VisitPatch{Phone: s("1"), Summary: s(strings.Repeat("字", 501))}, key: "phone.invalid"},
		{name: "ErrFirstWins/MatterBeforeCategories", p: backend.VisitPatch{Service: s("D"), Categories: &[]string{"x"}}, key: "ledger.matter"},
		{name: "ErrFirstWins/CategoriesBeforeOutcome", p: backend.VisitPatch{Categories: &[]string{"x"}, Outcome: s("won")}, key: "lookup.category"},
		{name: "ErrFirstWins/FieldsBeforeClose", p: backend.VisitPatch{FollowUp: s("soon"), Close: true}, key: "ledger.follow_up"},

		{name: "Close", p: backend.VisitPatch{Outcome: s(backend.OutcomeHandled), Close: true},
			changes: []change{{Field: "outcome", New: backend.OutcomeHandled}, {Field: "handled_by", New: "王芳"},
				{Field: "closed_at", New: now.Format(time.RFC3339)}}, action: backend.AuditClosed,
			check: func(v *backend.Visit) bool { return v.ClosedAt.Equal(now) && v.HandledBy == "王芳" && v.Version == 2 }},
		{name: "CloseAtPaperTime", p: backend.VisitPatch{Outcome: s(backend.OutcomeHandled), HandledBy: s("李四"), Close: true,
			ClosedAt: s(closed.Format(time.RFC3339))},
			changes: []change{{Field: "handled_by", New: "李四"}, {Field: "outcome", New: backend.OutcomeHandled},
				{Field: "closed_at", New: closed.Format(time.RFC3339)}}, action: backend.AuditClosed,
			check: func(v *backend.Visit) bool { return v.ClosedAt.Equal(closed) }},
		{name: "Reopen", visit: closedBase, p: backend.VisitPatch{Reopen: true},
			changes: []change{{Field: "closed_at", Old: closed.Format(time.RFC3339)}}, action: backend.AuditReopened,
			check: func(v *backend.Visit) bool { return v.ClosedAt.IsZero() }},
		{name: "CloseClosed", visit: closedBase, p: backend.VisitPatch{Close: true}},
		{name: "ReopenOpen", p: backend.VisitPatch{Reopen: true}},
		{name: "EditClosed", visit: closedBase, p: backend.VisitPatch{Summary: s("补记")},
			changes: []change{{Field: "summary"}}, action: backend.AuditUpdated},
		{name: "ErrEditClosedIncomplete", visit: closedBase, p: backend.VisitPatch{Outcome: s("")}, key: "ledger.close_needs_outcome"},
		{name: "ErrCloseReferredNowhere", p: backend.VisitPatch{Outcome: s(backend.OutcomeReferred), Close: true}, key: "ledger.close_needs_referral"},
		{name: "ErrClosedAtBeforeCreation", p: backend.VisitPatch{Outcome: s(backend.OutcomeHandled), Close: true,
			ClosedAt: s(created.Add(-25 * time.Hour).Format(time.RFC3339))}, key: "ledger.closed_at"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mk := base
			if tt.visit != nil {
				mk = tt.visit
			}
			v := mk()
			changes, action, err := tt.p.Apply(&v, now, loc, "王芳")
			if tt.key != "" {
				var e *backend.Error
				if !errors.As(err, &e) || e.Key != tt.key {
					t.Fatalf("got %v, want %s", err, tt.key)
				}
				before := mk()
				if v.Version != before.Version || v.Summary != before.Summary || !slices.Equal(v.Categories, before.Categories) {
					t.Fatalf("a refused patch changed the visit: %+v", v)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(changes, tt.changes) || action != tt.action {
				t.Fatalf("changes %+v, action %q; want %+v, %q", changes, action, tt.changes, tt.action)
			}
			if want := 1 + min(len(tt.changes), 1); v.Version != want {
				t.Fatalf("version %d, want %d", v.Version, want)
			}
			if tt.check != nil && !tt.check(&v) {
				t.Fatalf("visit after the patch: %+v", v)
			}
		})
	}
}
