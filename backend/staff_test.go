package backend_test

import (
	"strings"
	"testing"

	"bingzhan/backend"
)

func TestValidatePIN(t *testing.T) {
	for _, tc := range []struct {
		pin  string
		code string
	}{
		{"240816", ""},
		{"135792468", ""},
		{"12345", backend.EINVALID},         // too short
		{"1234567890123", backend.EINVALID}, // too long
		{"24081a", backend.EINVALID},
		{"２４０８１６", backend.EINVALID}, // full-width digits
		{"111111", backend.EINVALID},
		{"123456", backend.EINVALID},
		{"890123", backend.EINVALID},
		{"987654", backend.EINVALID},
		{"210987", backend.EINVALID},
	} {
		if got := backend.ErrorCode(backend.ValidatePIN(tc.pin)); got != tc.code {
			t.Errorf("%q: code %q, want %q", tc.pin, got, tc.code)
		}
	}
}

func TestHashPIN(t *testing.T) {
	h, err := backend.HashPIN("240816")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "240816") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := backend.HashPIN("240816")
	if h == h2 {
		t.Fatal("two hashes of one PIN are equal: no salt")
	}
	if !backend.CheckPIN(h, "240816") || backend.CheckPIN(h, "240817") || backend.CheckPIN(h, "") {
		t.Fatal("CheckPIN")
	}
	for _, bad := range []string{"", "$argon2id$", "$argon2i$v=19$m=19456,t=2,p=1$AAAA$AAAA", "$argon2id$v=19$m=0,t=2,p=1$AAAA$AAAA",
		"$argon2id$v=19$m=19456,t=2,p=1$!!$AAAA"} {
		if backend.CheckPIN(bad, "240816") {
			t.Errorf("malformed hash %q matched", bad)
		}
	}
}

func TestRole_Allows(t *testing.T) {
	if !backend.RoleAdmin.Allows(backend.RoleStaff) || !backend.RoleStaff.Allows(backend.RoleStaff) ||
		backend.RoleStaff.Allows(backend.RoleAdmin) || backend.Role("guest").Allows(backend.Role("guest")) {
		t.Fatal("role rules")
	}
}
