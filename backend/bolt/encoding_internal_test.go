package bolt

import (
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestDeleteWhere: every picked value goes, runs of neighbours included (a cursor that
// deletes as it goes skips the next one), and nothing else — nested buckets neither.
func TestDeleteWhere(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "x.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for _, k := range strings.Split("a1 b0 c0 d0 e1 f0 g1 h1 i0 j0", " ") {
			if err := b.Put([]byte(k[:1]), []byte(k[1:])); err != nil {
				return err
			}
		}
		if _, err := b.CreateBucket([]byte("k")); err != nil {
			return err
		}
		return deleteWhere(b, func(_, v []byte) bool { return string(v) == "0" })
	})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("b")).ForEach(func(k, _ []byte) error { left = append(left, string(k)); return nil })
	})
	if got := strings.Join(left, " "); got != "a e g h k" {
		t.Fatalf("left %q, want a e g h and the bucket k", got)
	}
}
