package bolt_test

import (
	"context"
	"testing"

	"bingzhan/backend/bolt"
)

func TestCompact(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		db, _ := MustOpenDBAt(t, dir)
		want, err := bolt.NewServiceService(db).Services(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := bolt.Compact(dir); err != nil {
			t.Fatal(err)
		}
		db, _ = MustOpenDBAt(t, dir)
		got, err := bolt.NewServiceService(db).Services(context.Background())
		if err != nil || len(got) != len(want) || len(got) == 0 {
			t.Fatalf("after compaction: %d services, %v; want %d", len(got), err, len(want))
		}
	})
	t.Run("ErrOpen", func(t *testing.T) {
		dir := t.TempDir()
		MustOpenDBAt(t, dir)
		if err := bolt.Compact(dir); err == nil {
			t.Fatal("compacted a file a station holds")
		}
	})
}
