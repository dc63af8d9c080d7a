//go:build crash

package main

import (
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"bingzhan/backend/keys"
)

// TestCrashKeyRotation kills `bingzhan keys rotate` with SIGKILL at random moments
// (during the backup, the re-sealing, the registry copy, the key rename or the
// rewrite of the file), and after each kill checks that the station opens and serves
// every record. A last run without a kill must finish with one key left.
func TestCrashKeyRotation(t *testing.T) {
	bin := os.Getenv("BINGZHAN_BIN")
	if bin == "" {
		t.Skip("BINGZHAN_BIN is not set; `make test-crash` builds and sets it")
	}
	s := newKeyStation(t)
	rotate := func() *exec.Cmd {
		cmd := exec.Command(bin, "keys", "rotate", "--data", s.dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	// One whole rotation, to know how long one takes.
	start := time.Now()
	if err := rotate().Wait(); err != nil {
		t.Fatal(err)
	}
	whole := time.Since(start)
	t.Logf("a rotation takes %v", whole)

	const rounds = 12
	unfinished := 0
	for round := range rounds {
		cmd := rotate()
		time.Sleep(time.Duration(rand.Int64N(int64(whole))))
		cmd.Process.Kill()
		cmd.Wait()
		k, err := keys.Load(filepath.Join(s.dir, "keys"))
		if err != nil {
			t.Fatalf("round %d: keys after the kill: %v", round, err)
		}
		if k.Rotating() {
			unfinished++
		}
		s.checkReadable(t, 1)
		if t.Failed() {
			t.Fatalf("round %d: the station does not serve every record after a kill", round)
		}
	}
	t.Logf("%d of %d kills left a rotation unfinished", unfinished, rounds)

	if err := rotate().Wait(); err != nil {
		t.Fatal(err)
	}
	k, err := keys.Load(filepath.Join(s.dir, "keys"))
	if err != nil || k.Rotating() {
		t.Fatalf("after a last run: %v %v", k.DataKeyIDs(), err)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "keys", keys.NextDataFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the rotation's key file is left")
	}
	s.checkReadable(t, 1)
}
