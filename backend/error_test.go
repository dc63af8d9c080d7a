package backend_test

import (
	"fmt"
	"testing"

	"bingzhan/backend"
)

func TestErrorf_Kind(t *testing.T) {
	for _, tt := range []struct {
		code, key string
		want      backend.Kind
	}{
		{backend.EINVALID, "id.checksum", backend.KindRejected},
		{backend.EINVALID, "ledger.reason", backend.KindRejected},
		{backend.EINVALID, "lookup.category", backend.KindRejected},
		{backend.EFORBIDDEN, "lookup.locked", backend.KindLocked},
		{backend.EUNAUTHORIZED, "staff.locked", backend.KindTooMany},
		{backend.EINVALID, "bad_json", ""},
		{backend.EINVALID, "staff.pin_weak", ""},
		// A key's kind comes only with the code it was declared for.
		{backend.ENOTFOUND, "service.unknown", ""},
	} {
		if got := backend.Errorf(tt.code, tt.key).Kind; got != tt.want {
			t.Errorf("Errorf(%s, %s).Kind = %q, want %q", tt.code, tt.key, got, tt.want)
		}
	}
}

func TestError_WithKind(t *testing.T) {
	e := backend.Errorf(backend.EINVALID, "service.unknown", "Q")
	plain := e.WithKind("")
	if e.Kind != backend.KindRejected || plain.Kind != "" || plain.Key != e.Key || plain.Args[0] != "Q" {
		t.Fatalf("WithKind: %+v from %+v", plain, e)
	}
	if got := backend.ErrorKind(fmt.Errorf("ticket: %w", e)); got != backend.KindRejected {
		t.Errorf("ErrorKind through a wrap: %q", got)
	}
	if got := backend.ErrorKind(fmt.Errorf("disk")); got != "" {
		t.Errorf("ErrorKind of a plain error: %q", got)
	}
}
