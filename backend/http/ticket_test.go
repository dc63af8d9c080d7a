package http_test

import (
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	bzhttp "bingzhan/backend/http"
)

func FuzzDecodeTicketRequest(f *testing.F) {
	for _, s := range []string{
		`{"service":"B","priority":false,"request_id":"0d6c1a2b3c4d","id_number":"11010519491231002X"}`,
		`{"service":"B","request_id":"abcdefgh"}`,
		`{}`, `[]`, `null`, `{"service":1}`, `{"service":"B"} {}`, `{"service":"\u0000"}`,
	} {
		f.Add(s)
	}
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		req, err := bzhttp.DecodeTicketRequest(strings.NewReader(body))
		if err != nil {
			if backend.ErrorCode(err) != backend.EINVALID {
				t.Fatalf("decode error code %s", backend.ErrorCode(err))
			}
			return
		}
		if err := req.Validate(today); err != nil {
			if backend.ErrorCode(err) != backend.EINVALID {
				t.Fatalf("validate error code %s", backend.ErrorCode(err))
			}
			return
		}
		// What passes both is safe to store and to print.
		if !backend.ValidServiceLetter(req.Service) || len(req.RequestID) < 8 || len(req.RequestID) > 64 {
			t.Fatalf("accepted %+v", req)
		}
		if req.IDNumber != "" && len(req.IDNumber) != 18 {
			t.Fatalf("accepted ID %q", req.IDNumber)
		}
	})
}
