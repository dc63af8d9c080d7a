package backend_test

import (
	"testing"
	"time"

	"bingzhan/backend"
)

var today = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func TestValidateIDNumber(t *testing.T) {
	for _, tt := range []struct {
		id  string
		key string // "" means valid
	}{
		{"11010519491231002X", ""},            // GB 11643 example
		{"440524188001010014", ""},            // GB 11643 example
		{"110105194912310029", "id.checksum"}, // X replaced by a digit
		{"11010519491231003X", "id.checksum"}, // one digit off
		{"11010519491321002X", "id.birth"},    // month 13
		{"11010519490230002X", "id.birth"},    // 30 February
		{"11010520991231002X", "id.birth_future"},
		{"1101051949123100", "id.length"},
		{"11010519491231002XX", "id.length"},
		{"", "id.empty"},
		{"1101051949123100AX", "id.chars"},
		{"11010519491231002Y", "id.chars"},
		{"00010519491231002X", "id.area"},
		{"99010519491231002X", "id.area"},
		{"１１010519491231002X", "id.chars"}, // full-width digits
	} {
		err := backend.ValidateIDNumber(tt.id, today)
		var got string
		if e, ok := err.(*backend.Error); ok {
			got = e.Key
			if e.Code != backend.EINVALID {
				t.Errorf("%q: code %s, want invalid", tt.id, e.Code)
			}
		} else if err != nil {
			t.Fatalf("%q: non-domain error %v", tt.id, err)
		}
		if got != tt.key {
			t.Errorf("ValidateIDNumber(%q) = %q, want %q", tt.id, got, tt.key)
		}
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	if got := backend.NormalizeIDNumber(" 110105 19491231002x\n"); got != "11010519491231002X" {
		t.Errorf("got %q", got)
	}
}

func TestMask(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{backend.MaskIDNumber("11010519491231002X"), "110105********002X"},
		{backend.MaskPhone("13812341234"), "138****1234"},
		{backend.MaskName("张三"), "张*"},
		{backend.MaskName("欧阳娜娜"), "欧***"},
		{backend.MaskName("李"), "*"},
		{backend.MaskIDNumber("123"), "***"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestValidatePhone(t *testing.T) {
	for p, ok := range map[string]bool{
		"13812341234": true, "19900000000": true,
		"12812341234": false, "1381234123": false, "138123412345": false, "1381234123a": false,
	} {
		if err := backend.ValidatePhone(p); (err == nil) != ok {
			t.Errorf("ValidatePhone(%q) = %v", p, err)
		}
	}
}

func FuzzValidateIDNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "440524188001010014", "", "x", "11010519490230002X"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id := backend.NormalizeIDNumber(s)
		err := backend.ValidateIDNumber(id, today)
		if err == nil {
			if len(id) != 18 {
				t.Fatalf("accepted %q of length %d", id, len(id))
			}
			if m := backend.MaskIDNumber(id); m[:6] != id[:6] || m[14:] != id[14:] {
				t.Fatalf("mask %q of %q", m, id)
			}
		} else if backend.ErrorCode(err) != backend.EINVALID {
			t.Fatalf("code %s for %q", backend.ErrorCode(err), s)
		}
	})
}
