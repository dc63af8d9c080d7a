package backend_test

import (
	"slices"
	"strings"
	"testing"

	"bingzhan/backend"
)

func TestTranslate(t *testing.T) {
	if got := backend.Translate("en", "ticket.not_found"); got != "No such ticket." {
		t.Errorf("en: %q", got)
	}
	if got := backend.Translate("zh-CN", "ticket.not_found"); got != "未找到该排队票。" {
		t.Errorf("zh: %q", got)
	}
	if got := backend.Translate("fr", "service.unknown", "Q"); got != "没有代码为“Q”的业务，请重新选择。" {
		t.Errorf("fallback language: %q", got)
	}
	if got := backend.Translate("en", "no.such.key"); got != backend.Translate("en", "internal") {
		t.Errorf("unknown key shows %q", got)
	}
}

// The Mongolian drafts: each stands for a message that exists, with the same blanks to
// fill, in Mongolian letters; a key without a draft is Chinese on a Mongolian screen.
func TestTranslateMongolian(t *testing.T) {
	ready := backend.Translate("mn-Mong", "lookup.card.ready")
	if ready == backend.Translate("zh-CN", "lookup.card.ready") || !hasMongolian(ready) {
		t.Errorf("mn-Mong card status %q is not Mongolian", ready)
	}
	if got, zh := backend.Translate("mn-Mong", "ledger.reason"), backend.Translate("zh-CN", "ledger.reason"); got != zh {
		t.Errorf("a staff message: %q, want the Chinese %q", got, zh)
	}
	for _, s := range backend.CardStatuses {
		for _, key := range []string{"lookup.card." + string(s), "lookup.card." + string(s) + ".next"} {
			if got := backend.Translate("mn-Mong", key); !hasMongolian(got) {
				t.Errorf("%s in mn-Mong is %q", key, got)
			}
		}
	}
	// Every message a visitor can meet on a Mongolian kiosk: its questions and answers,
	// the visit's notice and choices, what a typing slip or a full queue says.
	for _, key := range backend.MessageKeys() {
		if !visitorMessage(key) {
			continue
		}
		if got := backend.Translate("mn-Mong", key); !hasMongolian(got) {
			t.Errorf("%s, which a visitor reads, is not Mongolian: %q", key, got)
		}
	}
	for _, m := range append(backend.VisitMatters("B"), backend.VisitMatters("J")...) {
		if got := m.Name("mn-Mong"); !hasMongolian(got) {
			t.Errorf("matter %s in mn-Mong is %q", m.Code, got)
		}
	}
	for key, verbs := range backend.MongolianVerbs() {
		if verbs[0] != verbs[1] {
			t.Errorf("%s: %d blanks in Chinese, %d in the Mongolian draft", key, verbs[0], verbs[1])
		}
	}
}

// visitorMessage reports whether a visitor at the kiosk, the rating screen or the board
// can read the message with key (the rest are the staff's and the county's).
func visitorMessage(key string) bool {
	for _, p := range []string{"id.", "phone.", "lookup.q.", "lookup.grade.", "lookup.cause.", "lookup.sex.",
		"lookup.residence.", "lookup.relation.", "lookup.attr.", "lookup.reason.", "lookup.for.", "lookup.where_",
		"lookup.card.", "ledger.relation.", "ledger.matter.", "ledger.notice."} {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return slices.Contains([]string{"internal", "service.unknown", "service.disabled", "ticket.day_full",
		"printer.none", "printer.offline", "printer.paper", "printer.cover", "printer.error",
		"lookup.no_category", "lookup.category", "lookup.grade", "lookup.cause", "lookup.sex", "lookup.residence",
		"lookup.relation", "lookup.birth_date", "lookup.birth_future", "lookup.last4", "lookup.no_match",
		"lookup.locked", "lookup.unavailable", "ledger.relation",
		"appointment.check_in_by", "appointment.code", "appointment.not_found", "appointment.none_today",
		"appointment.served_today", "appointment.cancelled_today", "appointment.early", "appointment.early_day",
		"rating.level", "rating.reason", "rating.past_day", "rating.not_done", "rating.done", "rating.number",
		"rating.no_ticket"}, key)
}

func hasMongolian(s string) bool {
	for _, r := range s {
		if r >= 0x1800 && r <= 0x18AF {
			return true
		}
	}
	return false
}
