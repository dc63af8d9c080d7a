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
