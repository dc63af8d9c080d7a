package bolt_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/bolt"

	bbolt "go.etcd.io/bbolt"
)

// TestDB_ReleaseMapped: after the integrity check at open has read every page of a
// large file, ReleaseMapped leaves almost none of it resident, and what was written
// before still reads back, as does what is written after.
func TestDB_ReleaseMapped(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, bolt.FileName)
	// 32 MB of some other bucket, as a registry would be.
	raw, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("bulk"))
		if err != nil {
			return err
		}
		for i := range 32 << 10 {
			if err := b.Put(binary.BigEndian.AppendUint64(nil, uint64(i)), make([]byte, 1000)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, _ := MustOpenDBAt(t, dir)
	ctx := context.Background()
	staff := bolt.NewStaffService(db)
	if _, err := staff.AddStaff(ctx, "王芳", backend.RoleStaff, "240816"); err != nil {
		t.Fatal(err)
	}
	before := mappedKB(t, path)
	if before < 16<<10 {
		t.Fatalf("only %d kB of the file resident after the integrity check; the test needs it read", before)
	}
	db.ReleaseMapped()
	after := mappedKB(t, path)
	if after > before/10 {
		t.Errorf("%d kB of the file resident after ReleaseMapped, %d kB before", after, before)
	}
	t.Logf("file pages resident: %d kB after the open, %d kB after ReleaseMapped", before, after)

	if _, err := staff.AddStaff(ctx, "李强", backend.RoleAdmin, "135790"); err != nil {
		t.Fatal(err)
	}
	list, err := staff.ListStaff(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("staff after ReleaseMapped: %v, %v", list, err)
	}
}

// mappedKB is how much of the file at path this process holds resident.
func mappedKB(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps")
	}
	defer f.Close()
	kb, in := 0, false
	for s := bufio.NewScanner(f); s.Scan(); {
		fields := strings.Fields(s.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			in = len(fields) >= 6 && fields[5] == path
		case in && fields[0] == "Rss:":
			n, _ := strconv.Atoi(fields[1])
			kb += n
		}
	}
	return kb
}
