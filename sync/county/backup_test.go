package county_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bingzhan/sync/county"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"

	bolt "go.etcd.io/bbolt"
)

// checkBackup proves a backup file is a sound bbolt database (every page reachable,
// no page twice) and opens it the way an operator restores it: copied over county.db
// in a data folder of its own. It returns the opened store.
func checkBackup(t *testing.T, path string) *county.Store {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("open backup %s: %v", path, err)
	}
	err = db.View(func(tx *bolt.Tx) error {
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
	copyFile(t, path, filepath.Join(dir, county.FileName))
	st, err := county.Open(dir)
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

func openStore(t *testing.T, dir string) *county.Store {
	t.Helper()
	st, err := county.Open(dir)
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
			resp, err := c.Store.Ingest(e.StationID, req)
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
		f, err := c.Store.Backup(context.Background())
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
		n, ids, err := st.EntryCount(e.StationID)
		if err != nil {
			t.Fatal(err)
		}
		if uint64(n) < before[i] || n != ids || n%20 != 0 {
			t.Errorf("backup %d: %d entries and %d ids; %d were committed before it began (pushes of 20)", i, n, ids, before[i])
		}
		got, err := st.Entries(e.StationID, 1, n+1)
		if err != nil {
			t.Fatal(err)
		}
		for j, en := range got {
			if en.Seq != uint64(j+1) || en.ID != fmt.Sprintf("e-%06d", j+1) {
				t.Fatalf("backup %d: entry %d is seq %d id %s", i, j+1, en.Seq, en.ID)
			}
		}
		views, err := st.Stations()
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
			st := openStore(t, t.TempDir())
			st.BackupKeep = tc.keep
			clock := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
			st.Now = func() time.Time { return clock }
			var made []string
			for range tc.make {
				f, err := st.Backup(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				made = append(made, f.Path)
				clock = clock.Add(24 * time.Hour)
			}
			files, err := st.Backups()
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
			last, err := st.LastBackup()
			if err != nil || last == nil || !last.At.Equal(clock.Add(-24*time.Hour)) {
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
	bdir := filepath.Join(dir, county.BackupDirName)
	os.MkdirAll(bdir, 0o700)
	partial := filepath.Join(bdir, "county-20261120T020000.000000000Z.db.partial")
	os.WriteFile(partial, []byte("half a database"), 0o600)
	os.WriteFile(filepath.Join(bdir, "notes.txt"), []byte("operator's own file"), 0o600)
	if files, err := st.Backups(); err != nil || len(files) != 0 {
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
// is gone.
func TestRunBackups(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		st := openStore(t, t.TempDir())
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go st.RunBackups(ctx, 200*time.Millisecond)
		synctest.WaitFor(t, "a backup at start", func() bool { f, _ := st.Backups(); return len(f) == 1 })
		synctest.WaitFor(t, "the next backup one interval later", func() bool { f, _ := st.Backups(); return len(f) == 2 })
	})
	t.Run("RecentBackupWaits", func(t *testing.T) {
		st := openStore(t, t.TempDir())
		if _, err := st.Backup(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go st.RunBackups(ctx, time.Hour)
		time.Sleep(100 * time.Millisecond)
		if f, _ := st.Backups(); len(f) != 1 {
			t.Fatalf("%d backups: a backup younger than the interval must not be repeated at start", len(f))
		}
	})
	t.Run("ErrFailureRetried", func(t *testing.T) {
		st := openStore(t, t.TempDir())
		logs := &synctest.Buffer{}
		st.Logger = slog.New(slog.NewTextHandler(logs, nil))
		blocker := filepath.Join(t.TempDir(), "not-a-folder")
		os.WriteFile(blocker, nil, 0o600)
		st.BackupDir = filepath.Join(blocker, "backups") // cannot be made: a file is in the way
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go st.RunBackups(ctx, 100*time.Millisecond)
		synctest.WaitFor(t, "the failure logged", func() bool { return strings.Contains(logs.String(), "scheduled backup failed") })
		if _, err := st.Stations(); err != nil {
			t.Fatalf("the store stopped working after a failed backup: %v", err)
		}
		os.Remove(blocker)
		synctest.WaitFor(t, "a backup once the folder can be made", func() bool { f, _ := st.Backups(); return len(f) == 1 })
	})
}

// TestBackupsAPIAndDashboard: staff see the backups and when the last one was made; a
// county without a recent one says so in words.
func TestBackupsAPIAndDashboard(t *testing.T) {
	c := synctest.StartCounty(t)
	token := login(t, c)
	resp, body := get(t, c.URL+"/", token)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "尚无备份") || !strings.Contains(string(body), "还没有备份") {
		t.Fatalf("dashboard without backups: %d\n%s", resp.StatusCode, body)
	}
	// A backup three days old, and none since: the dashboard asks someone to look.
	c.Store.Now = func() time.Time { return time.Now().Add(-72 * time.Hour) }
	if _, err := c.Store.Backup(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Store.Now = time.Now
	resp, body = get(t, c.URL+"/", token)
	if !strings.Contains(string(body), "3 天前") || !strings.Contains(string(body), "已超过 48 小时没有备份") {
		t.Errorf("stale backup not shown: %d\n%s", resp.StatusCode, body)
	}
	f, err := c.Store.Backup(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	resp, body = get(t, c.URL+"/", token)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "刚刚 just now") || strings.Contains(string(body), "没有备份") {
		t.Fatalf("dashboard after a backup: %d\n%s", resp.StatusCode, body)
	}
	resp, body = get(t, c.URL+"/api/v1/backups", token)
	var list []county.BackupFile
	if resp.StatusCode != 200 || json.Unmarshal(body, &list) != nil || len(list) != 2 || list[0].Path != f.Path || list[0].Size == 0 {
		t.Fatalf("GET /api/v1/backups: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, c.URL+"/api/v1/backups", ""); resp.StatusCode != 401 {
		t.Errorf("backups without a session: %d", resp.StatusCode)
	}
}
