package bolt_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"bingzhan/sync/wire"
)

func entry(seq uint64, id, kind, data string) wire.Entry {
	return wire.Entry{ID: id, Seq: seq, StationID: "key-1", Kind: kind, At: time.Now(), Data: json.RawMessage(data)}
}

func get(t *testing.T, u, token string) (*http.Response, []byte) {
	t.Helper()
	r, _ := http.NewRequest("GET", u, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}
