package httperr_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/httperr"
)

func TestStatus(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want int
	}{
		{"Invalid", backend.Errorf(backend.EINVALID, "bad_json"), 400},
		{"Rejected", backend.Errorf(backend.EINVALID, "id.checksum"), 422},
		{"RejectedByMaker", backend.Errorf(backend.EINVALID, "bad_json").WithKind(backend.KindRejected), 422},
		{"KindCleared", backend.Errorf(backend.EINVALID, "service.unknown", "Q").WithKind(""), 400},
		{"NotFound", backend.Errorf(backend.ENOTFOUND, "not_found"), 404},
		{"Conflict", backend.Errorf(backend.ECONFLICT, "ticket.day_full", "A"), 409},
		{"Unauthorized", backend.Errorf(backend.EUNAUTHORIZED, "auth.required"), 401},
		{"TooMany", backend.Errorf(backend.EUNAUTHORIZED, "staff.locked", 15), 429},
		{"Forbidden", backend.Errorf(backend.EFORBIDDEN, "auth.admin"), 403},
		{"Locked", backend.Errorf(backend.EFORBIDDEN, "lookup.locked"), 423},
		{"Unavailable", backend.Errorf(backend.EUNAVAILABLE, "lookup.unavailable"), 503},
		{"Internal", backend.Errorf(backend.EINTERNAL, "internal"), 500},
		{"Wrapped", fmt.Errorf("lookup: %w", backend.Errorf(backend.EFORBIDDEN, "lookup.locked")), 423},
		{"PlainError", errors.New("disk on fire"), 500},
		// A kind made with a code it does not refine answers the code's status.
		{"KindOfOtherCode", backend.Errorf(backend.ENOTFOUND, "not_found").WithKind(backend.KindLocked), 404},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := httperr.Status(tt.err); got != tt.want {
				t.Errorf("Status(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var logged bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logged, nil))
		r := httptest.NewRequest("POST", "/api/v1/lookup", nil)
		r.Header.Set("Accept-Language", "en-US,en;q=0.9")
		w := httptest.NewRecorder()
		httperr.Write(w, r, log, backend.Errorf(backend.EFORBIDDEN, "lookup.locked"))
		if w.Code != http.StatusLocked || w.Header().Get("Content-Type") != "application/json; charset=utf-8" ||
			w.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("%d %v", w.Code, w.Header())
		}
		want := `{"code":"forbidden","message":"Please go to the counter: a member of staff will look this up for you."}` + "\n"
		if w.Body.String() != want {
			t.Errorf("body %s", w.Body)
		}
		if logged.Len() != 0 {
			t.Errorf("a person's error is logged: %s", logged.String())
		}
	})

	t.Run("Internal", func(t *testing.T) {
		var logged bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logged, nil))
		r := httptest.NewRequest("GET", "/api/v1/stats", nil)
		w := httptest.NewRecorder()
		httperr.Write(w, r, log, fmt.Errorf("read day: %w", errors.New("page 7 checksum")))
		if w.Code != 500 || strings.Contains(w.Body.String(), "checksum") || !strings.Contains(w.Body.String(), `"code":"internal"`) {
			t.Errorf("%d %s", w.Code, w.Body)
		}
		if s := logged.String(); !strings.Contains(s, "page 7 checksum") || !strings.Contains(s, "/api/v1/stats") || !strings.Contains(s, "GET") {
			t.Errorf("log %q", s)
		}
	})
}

func TestLang(t *testing.T) {
	for _, tt := range []struct{ header, want string }{
		{"", "zh-CN"}, {"en", "en"}, {"en-US,en;q=0.9", "en"}, {"zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"}, {"fr", "zh-CN"}, {";;;", "zh-CN"},
		// The kiosk's Mongolian screens; Cyrillic Mongolian is not what the kiosk offers.
		{"mn-Mong", "mn-Mong"}, {"mn-Mong,zh-CN;q=0.5", "mn-Mong"}, {"zh-CN,mn-Mong;q=0.5", "zh-CN"}, {"mn-Cyrl", "zh-CN"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", tt.header)
		if got := httperr.Lang(r); got != tt.want {
			t.Errorf("Lang(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}
