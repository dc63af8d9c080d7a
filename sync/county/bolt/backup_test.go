package bolt_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/report"
	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"

	"github.com/jonboulle/clockwork"
	bbolt "go.etcd.io/bbolt"
)

// checkBackup proves a backup file is a sound bbolt database (every page reachable,
// no page twice) and opens it the way an operator restores it: copied over county.db
// in a data folder of its own. It returns the opened store.
func checkBackup(t *testing.T, path string) *countybolt.Store {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("open backup %s: %v", path, err)
	}
	err = db.View(func(tx *bbolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatalf("backup %s is damaged: %v", path, err)
	}
	dir := t.TempDir()
	copyFile(t, path, filepath.Join(dir, countybolt.FileName))
	st, err := countybolt.Open(dir, countybolt.Options{ReadSheet: report.ParseSheet, Logger: synctest.Quiet})
	if err != nil {
		t.Fatalf("restore %s: %v", path, err)
	}
	st.Logger = synctest.Quiet
	t.Cleanup(func() { st.Close() })
	return st
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	buf, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, buf, 0o600); err != nil {
		t.Fatal(err)
	}
}

func openStore(t *testing.T, dir string) *countybolt.Store {
	t.Helper()
	return openStoreClock(t, dir, nil)
}

// openStoreClock opens the store in dir on clock (nil: the machine's).
func openStoreClock(t *testing.T, dir string, clock backend.Clock) *countybolt.Store {
	t.Helper()
	st, err := countybolt.Open(dir, countybolt.Options{ReadSheet: report.ParseSheet, Clock: clock, Logger: synctest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	st.Logger = synctest.Quiet
	t.Cleanup(func() { st.Close() })
	return st
}

// TestBackup_WhileReceiving takes backups while pushes keep committing: every backup
// opens, and holds every entry whose push had been answered before it began, exactly
// once and without a gap.
func TestBackup_WhileReceiving(t *testing.T) {
	c := synctest.StartCounty(t)
	e := c.Enrol(t, "东风镇", "")
	var committed atomic.Uint64 // highest sequence whose push was answered
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		seq := uint64(0)
		for ctx.Err() == nil {
			req := &wire.PushRequest{PushHeader: wire.PushHeader{Station: "key-1"}}
			for range 20 {
				seq++
				req.Entries = append(req.Entries, entry(seq, fmt.Sprintf("e-%06d", seq), "ticket.issued",
					fmt.Sprintf(`{"id":"t%d","date":"2026-11-23"}`, seq)))
			}
			resp, err := c.Store.Ingest(t.Context(), e.StationID, req)
			if err != nil {
				t.Error(err)
				return
			}
			if resp.Contiguous != seq {
				t.Errorf("contiguous %d after pushing up to %d", resp.Contiguous, seq)
				return
			}
			committed.Store(seq)
		}
	})
	var backups []*county.BackupFile
	var before []uint64
	for len(backups) < 5 {
		time.Sleep(20 * time.Millisecond)
		n := committed.Load()
		f, err := c.Server.Backups.Backup(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		backups, before = append(backups, f), append(before, n)
	}
	stop()
	wg.Wait()
	if before[0] == before[len(before)-1] {
		t.Fatalf("no push committed between the backups: %v", before)
	}
	t.Logf("entries committed before each backup began: %v; in all %d", before, committed.Load())
	for i, f := range backups {
		st := checkBackup(t, f.Path)
		n, ids, err := st.EntryCount(t.Context(), e.StationID)
		if err != nil {
			t.Fatal(err)
		}
		if uint64(n) < before[i] || n != ids || n%20 != 0 {
			t.Errorf("backup %d: %d entries and %d ids; %d were committed before it began (pushes of 20)", i, n, ids, before[i])
		}
		got, err := st.Entries(t.Context(), e.StationID, 1, n+1)
		if err != nil {
			t.Fatal(err)
		}
		for j, en := range got {
			if en.Seq != uint64(j+1) || en.ID != fmt.Sprintf("e-%06d", j+1) {
				t.Fatalf("backup %d: entry %d is seq %d id %s", i, j+1, en.Seq, en.ID)
			}
		}
		views, err := st.Stations(t.Context())
		if err != nil || len(views) != 1 || views[0].Contiguous != uint64(n) {
			t.Errorf("backup %d: station record %+v (%v) disagrees with %d entries", i, views, err, n)
		}
	}
}

// TestBackup_Prune keeps the newest BackupKeep backups, never a partial file.
func TestBackup_Prune(t *testing.T) {
	for _, tc := range []struct {
		name       string
		keep, make int
		want       int
	}{
		{"OK", 3, 5, 3},
		{"FewerThanKeep", 30, 2, 2},
		{"KeepAll", 0, 4, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC))
			st := openStoreClock(t, t.TempDir(), clock)
			st.BackupKeep = tc.keep
			var made []string
			for range tc.make {
				f, err := st.Backup(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				made = append(made, f.Path)
				clock.Advance(24 * time.Hour)
			}
			files, err := st.Backups(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != tc.want {
				t.Fatalf("%d backups kept, want %d", len(files), tc.want)
			}
			for i, f := range files { // newest first: the last ones made
				if want := made[len(made)-1-i]; f.Path != want {
					t.Errorf("kept[%d] = %s, want %s", i, f.Path, want)
				}
			}
			last, err := st.LastBackup(t.Context())
			if err != nil || last == nil || !last.At.Equal(clock.Now().Add(-24*time.Hour)) {
				t.Errorf("last backup %+v %v", last, err)
			}
		})
	}
}

// TestBackup_PartialIgnored: a copy a crash cut short is never listed (so never
// restored from or counted as the newest), and the next backup removes it.
func TestBackup_PartialIgnored(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	bdir := filepath.Join(dir, countybolt.BackupDirName)
	os.MkdirAll(bdir, 0o700)
	partial := filepath.Join(bdir, "county-20261120T020000.000000000Z.db.partial")
	os.WriteFile(partial, []byte("half a database"), 0o600)
	os.WriteFile(filepath.Join(bdir, "notes.txt"), []byte("operator's own file"), 0o600)
	if files, err := st.Backups(t.Context()); err != nil || len(files) != 0 {
		t.Fatalf("listed %v %v", files, err)
	}
	if _, err := st.Backup(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Errorf("partial file still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(bdir, "notes.txt")); err != nil {
		t.Errorf("an unrelated file was removed: %v", err)
	}
}

// TestRunBackups: a county without a recent backup makes one at start, then one per
// interval; a failing backup is logged, the loop goes on and succeeds once the cause
// is gone. The store's fake clock is moved, so a day's interval takes no time.
func TestRunBackups(t *testing.T) {
	const day = 24 * time.Hour
	start := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	t.Run("OK", func(t *testing.T) {
		clock := clockwork.NewFakeClockAt(start)
		st := openStoreClock(t, t.TempDir(), clock)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go st.RunBackups(ctx, day)
		synctest.WaitFor(t, "a backup at start", func() bool { f, _ := st.Backups(t.Context()); return len(f) == 1 })
		if err := clock.BlockUntilContext(ctx, 1); err != nil { // the loop waits for the next one
			t.Fatal(err)
		}
		clock.Advance(day)
		synctest.WaitFor(t, "the next backup one interval later", func() bool { f, _ := st.Backups(t.Context()); return len(f) == 2 })
	})
	t.Run("RecentBackupWaits", func(t *testing.T) {
		clock := clockwork.NewFakeClockAt(start)
		st := openStoreClock(t, t.TempDir(), clock)
		if _, err := st.Backup(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go st.RunBackups(ctx, time.Hour)
		if err := clock.BlockUntilContext(ctx, 1); err != nil { // the loop is waiting, not backing up
			t.Fatal(err)
		}
		if f, _ := st.Backups(t.Context()); len(f) != 1 {
			t.Fatalf("%d backups: a backup younger than the interval must not be repeated at start", len(f))
		}
	})
	t.Run("ErrFailureRetried", func(t *testing.T) {
		clock := clockwork.NewFakeClockAt(start)
		st := openStoreClock(t, t.TempDir(), clock)
		logs := &synctest.Buffer{}
		st.Logger = slog.New(slog.NewTextHandler(logs, nil))
		blocker := filepath.Join(t.TempDir(), "not-a-folder")
		os.WriteFile(blocker, nil, 0o600)
		st.BackupDir = filepath.Join(blocker, "backups") // cannot be made: a file is in the way
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go st.RunBackups(ctx, day)
		synctest.WaitFor(t, "the failure logged", func() bool { return strings.Contains(logs.String(), "scheduled backup failed") })
		if _, err := st.Stations(t.Context()); err != nil {
			t.Fatalf("the store stopped working after a failed backup: %v", err)
		}
		os.Remove(blocker)
		if err := clock.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal(err)
		}
		clock.Advance(county.BackupRetry)
		synctest.WaitFor(t, "a backup once the folder can be made", func() bool { f, _ := st.Backups(t.Context()); return len(f) == 1 })
	})
}
