package bolt_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"

	bbolt "go.etcd.io/bbolt"
)

func TestDB_Open(t *testing.T) {
	t.Run("ErrSecondInstance", func(t *testing.T) {
		dir := t.TempDir()
		MustOpenDBAt(t, dir)
		start := time.Now()
		err := bolt.NewDB(dir).Open()
		if backend.ErrorCode(err) != backend.ECONFLICT {
			t.Fatalf("second open: %v", err)
		}
		if msg := backend.ErrorMessage(err, "zh-CN"); !strings.Contains(msg, "另一个兵站程序") {
			t.Errorf("message %q does not say why", msg)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("second open took %v; it must fail fast", time.Since(start))
		}
	})

	t.Run("ErrTooNew", func(t *testing.T) {
		dir := t.TempDir()
		db, _ := MustOpenDBAt(t, dir)
		db.Close()
		raw, err := bbolt.Open(filepath.Join(dir, bolt.FileName), 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		raw.Update(func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte{0, 0, 0, 0, 0, 0, 0, 99})
		})
		raw.Close()
		if err := bolt.NewDB(dir).Open(); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Fatalf("open of a newer schema: %v", err)
		}
	})

	t.Run("ErrCorrupt", func(t *testing.T) {
		dir := t.TempDir()
		db, _ := MustOpenDBAt(t, dir)
		k := MustKeys(t)
		for i := 0; i < 50; i++ {
			issue(t, bolt.NewTicketService(db, k.Signing, k.PersonKey), "B", false, "corrupt-"+string(rune('a'+i%26))+string(rune('a'+i/26))+"xxxx")
		}
		db.Close()
		// Scribble over a branch/leaf page past the two meta pages and the freelist.
		f, err := os.OpenFile(filepath.Join(dir, bolt.FileName), os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		junk := make([]byte, 4096)
		for i := range junk {
			junk[i] = 0xA5
		}
		fi, _ := f.Stat()
		for off := int64(4 * 4096); off < fi.Size(); off += 4096 {
			f.WriteAt(junk[:64], off)
		}
		f.Close()
		err = func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("open of a damaged file panicked: %v", r)
				}
			}()
			return bolt.NewDB(dir).Open()
		}()
		if err == nil {
			t.Fatal("damaged file opened without complaint")
		}
	})
}

func TestDB_Backup(t *testing.T) {
	db, clock := MustOpenDB(t)
	k := MustKeys(t)
	s := bolt.NewTicketService(db, k.Signing, k.PersonKey)
	issued := issue(t, s, "B", false, "backup-0001")
	db.BackupKeep = 3
	var paths []string
	for i := 0; i < 5; i++ {
		clock.Advance(time.Minute)
		p, err := db.Backup(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	files, _ := db.Backups()
	if len(files) != 3 || files[0] != paths[4] {
		t.Fatalf("kept %v", files)
	}
	if fi, _ := os.Stat(files[0]); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v", fi.Mode().Perm())
	}

	// A backup is a working station database holding the ticket.
	restored := t.TempDir()
	buf, _ := os.ReadFile(files[0])
	os.WriteFile(filepath.Join(restored, bolt.FileName), buf, 0o600)
	db2, _ := MustOpenDBAt(t, restored)
	got, err := bolt.NewTicketService(db2, k.Signing, k.PersonKey).Ticket(context.Background(), issued.Ticket.ID)
	if err != nil || got.Ticket.Number != "B001" {
		t.Fatalf("restored: %+v %v", got, err)
	}
}

// TestDB_RunBackups: a station without a recent backup makes one at start, then one
// per interval; after a restart it waits out what is left of the interval.
func TestDB_RunBackups(t *testing.T) {
	db, clock := MustOpenDB(t)
	count := func() int {
		t.Helper()
		files, err := db.Backups()
		if err != nil {
			t.Fatal(err)
		}
		return len(files)
	}
	stop := runLoop(t, func(ctx context.Context) { db.RunBackups(ctx, time.Hour) })
	waitTimers(t, clock, 1)
	if n := count(); n != 1 {
		t.Fatalf("%d backups at start, want 1", n)
	}
	clock.Advance(59 * time.Minute)
	if n := count(); n != 1 {
		t.Fatalf("%d backups before the interval, want 1", n)
	}
	clock.Advance(time.Minute)
	waitTimers(t, clock, 1)
	if n := count(); n != 2 {
		t.Fatalf("%d backups after an interval, want 2", n)
	}
	stop()

	// The newest backup is 20 minutes old at the restart: the next is 40 minutes away.
	files, _ := db.Backups()
	made := clock.Now().Add(-20 * time.Minute)
	if err := os.Chtimes(files[0], made, made); err != nil {
		t.Fatal(err)
	}
	runLoop(t, func(ctx context.Context) { db.RunBackups(ctx, time.Hour) })
	waitTimers(t, clock, 1)
	clock.Advance(39 * time.Minute)
	if n := count(); n != 2 {
		t.Fatalf("%d backups after a restart, want 2", n)
	}
	clock.Advance(time.Minute)
	waitTimers(t, clock, 1)
	if n := count(); n != 3 {
		t.Fatalf("%d backups once the interval is over, want 3", n)
	}
}
