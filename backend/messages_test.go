package backend_test

import (
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
	if got, zh := backend.Translate("mn-Mong", "ticket.not_found"), backend.Translate("zh-CN", "ticket.not_found"); got != zh {
		t.Errorf("a message without a draft: %q, want the Chinese %q", got, zh)
	}
	for _, s := range backend.CardStatuses {
		for _, key := range []string{"lookup.card." + string(s), "lookup.card." + string(s) + ".next"} {
			if got := backend.Translate("mn-Mong", key); !hasMongolian(got) {
				t.Errorf("%s in mn-Mong is %q", key, got)
			}
		}
	}
	for key, verbs := range backend.MongolianVerbs() {
		if verbs[0] != verbs[1] {
			t.Errorf("%s: %d blanks in Chinese, %d in the Mongolian draft", key, verbs[0], verbs[1])
		}
	}
}

func hasMongolian(s string) bool {
	for _, r := range s {
		if r >= 0x1800 && r <= 0x18AF {
			return true
		}
	}
	return false
}
