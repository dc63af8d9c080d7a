package bolt_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bingzhan/backend/report"
	countybolt "bingzhan/sync/county/bolt"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"

	bbolt "go.etcd.io/bbolt"
)

const crashDirEnv = "BINGZHAN_BACKUP_CRASH_DIR"

// TestBackupCrashChild is the process TestBackup_Crash kills: it makes backups of
// the county database in a loop until it is killed.
func TestBackupCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestBackup_Crash")
	}
	st, err := countybolt.Open(dir, countybolt.Options{ReadSheet: report.ParseSheet, Logger: synctest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	st.Logger = synctest.Quiet
	st.BackupKeep = 3
	fmt.Println("ready")
	for {
		if _, err := st.Backup(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBackup_Crash kills a process in the middle of writing backups, again and again:
// every file that has a backup's name is a complete database holding every entry,
// and the next backup clears away what was cut short.
func TestBackup_Crash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; slow")
	}
	dir := t.TempDir()
	st := openStoreNoCleanup(t, dir)
	stn, _, err := st.AddStation(t.Context(), "东风镇")
	if err != nil {
		t.Fatal(err)
	}
	const total = 30000
	pad := strings.Repeat("x", 400)
	for seq := uint64(0); seq < total; {
		req := &wire.PushRequest{PushHeader: wire.PushHeader{Station: "key-1"}}
		for range 1000 {
			seq++
			req.Entries = append(req.Entries, entry(seq, fmt.Sprintf("e-%06d", seq), "ticket.issued",
				fmt.Sprintf(`{"id":"t%d","pad":"%s"}`, seq, pad)))
		}
		if _, err := st.Ingest(t.Context(), stn.ID, req); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	bdir := filepath.Join(dir, countybolt.BackupDirName)
	cutShort, checked := 0, map[string]bool{}
	for round := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBackupCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: child said %q %v", round, line, err)
		}
		time.Sleep(time.Duration(rand.N(150)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()

		if m, _ := filepath.Glob(filepath.Join(bdir, "*.partial")); len(m) > 0 {
			cutShort++
		}
		files, _ := filepath.Glob(filepath.Join(bdir, "county-*.db")) // what a restore would pick from
		for _, f := range files {
			if checked[f] {
				continue
			}
			checked[f] = true
			if n := countEntries(t, f, stn.ID); n != total {
				t.Fatalf("round %d: backup %s holds %d entries, want %d", round, f, n, total)
			}
		}
	}
	t.Logf("%d rounds killed the child while a copy was half-written; %d complete backups checked", cutShort, len(checked))

	st = openStore(t, dir)
	if _, err := st.Backup(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(bdir, "*.partial")); len(m) > 0 {
		t.Errorf("half-written copies left after a backup: %v", m)
	}
}

// countEntries checks a backup's pages and counts one station's entries in it.
func countEntries(t *testing.T, path, station string) int {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("open backup %s: %v", path, err)
	}
	defer db.Close()
	n := 0
	err = db.View(func(tx *bbolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		b := tx.Bucket([]byte("entries")).Bucket([]byte(station))
		if b == nil {
			return fmt.Errorf("no entries for %s", station)
		}
		n = b.Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatalf("backup %s: %v", path, err)
	}
	return n
}
