package bolt_test

import (
	"encoding/json"
	"time"

	"bingzhan/sync/wire"
)

func entry(seq uint64, id, kind, data string) wire.Entry {
	return wire.Entry{ID: id, Seq: seq, StationID: "key-1", Kind: kind, At: time.Now(), Data: json.RawMessage(data)}
}
