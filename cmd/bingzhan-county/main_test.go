package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"bingzhan/sync/county"

	bolt "go.etcd.io/bbolt"
)

// syncBuffer is a bytes.Buffer the server goroutine writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// newCountyData makes a county data folder holding one station, the server stopped.
func newCountyData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	st, err := county.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.AddStation("东风镇退役军人服务站"); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// checkBackupFile opens a backup as an operator would restore it and says which
// stations it holds.
func checkBackupFile(t *testing.T, path string) []county.Station {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	err = db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatalf("backup damaged: %v", err)
	}
	dir := t.TempDir()
	buf, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, county.FileName), buf, 0o600)
	st, err := county.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sts, err := st.Stations()
	if err != nil {
		t.Fatal(err)
	}
	return sts
}

// backupCmd runs `bingzhan-county backup --data dir` and returns the path it printed.
func backupCmd(t *testing.T, dir string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), []string{"backup", "--data", dir}, strings.NewReader(""), &out)
	return strings.TrimSpace(out.String()), err
}

func TestBackupCommand(t *testing.T) {
	t.Run("OKServerStopped", func(t *testing.T) {
		dir := newCountyData(t)
		path, err := backupCmd(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(path) != filepath.Join(dir, county.BackupDirName) {
			t.Errorf("printed %q, want a file in DATA/backups", path)
		}
		if sts := checkBackupFile(t, path); len(sts) != 1 || sts[0].Name != "东风镇退役军人服务站" {
			t.Errorf("backup holds %+v", sts)
		}
	})

	t.Run("OKServerRunning", func(t *testing.T) {
		dir := newCountyData(t)
		ctx, cancel := context.WithCancel(context.Background())
		out := &syncBuffer{}
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--no-tls", "--data", dir, "--backup-keep", "5"}, strings.NewReader(""), out)
		}()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}()
		re := regexp.MustCompile(`listening on (http://\S+)`)
		waitFor(t, "the server to listen", func() bool { return re.MatchString(out.String()) })
		base := re.FindStringSubmatch(out.String())[1]
		// Without a recent backup the server makes one as it starts.
		backups := filepath.Join(dir, county.BackupDirName)
		waitFor(t, "a backup at start", func() bool {
			m, _ := filepath.Glob(filepath.Join(backups, "county-*.db"))
			return len(m) == 1
		})
		waitFor(t, "the control socket", func() bool {
			_, err := os.Stat(filepath.Join(dir, county.AdminSocket))
			return err == nil
		})
		path, err := backupCmd(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(path) != backups {
			t.Errorf("printed %q, want a file in %s", path, backups)
		}
		if sts := checkBackupFile(t, path); len(sts) != 1 {
			t.Errorf("backup holds %d stations, want 1", len(sts))
		}
		if fi, err := os.Stat(filepath.Join(dir, county.AdminSocket)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("control socket %v %v: want mode 0600", fi, err)
		}
		resp, err := http.Get(base + "/api/v1/health")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("the server stopped answering after a backup: %v", err)
		}
		resp.Body.Close()
		if !strings.Contains(out.String(), "backups every 24h0m0s into "+backups+" (keeping 5)") {
			t.Errorf("serve did not say where backups go:\n%s", out.String())
		}
	})

	t.Run("OKStaleSocket", func(t *testing.T) {
		// A server killed without warning leaves its socket file behind.
		dir := newCountyData(t)
		l, err := net.Listen("unix", filepath.Join(dir, county.AdminSocket))
		if err != nil {
			t.Fatal(err)
		}
		l.(*net.UnixListener).SetUnlinkOnClose(false)
		l.Close()
		path, err := backupCmd(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		checkBackupFile(t, path)
	})

	t.Run("ErrNoDatabase", func(t *testing.T) {
		_, err := backupCmd(t, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "no county database") {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("ErrHeldWithoutSocket", func(t *testing.T) {
		// `station add` (or an older server) holds the database and has no control
		// socket: the command says so and where the daily backups are.
		dir := newCountyData(t)
		st, err := county.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, err = backupCmd(t, dir)
		if err == nil || !strings.Contains(err.Error(), "does not answer on its control socket") ||
			!strings.Contains(err.Error(), filepath.Join(dir, county.BackupDirName)) {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("ErrBadFlags", func(t *testing.T) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"serve", "--data", t.TempDir(), "--backup-keep", "0"}, strings.NewReader(""), &out)
		if err == nil || !strings.Contains(err.Error(), "--backup-keep") {
			t.Fatalf("got %v", err)
		}
	})
}
