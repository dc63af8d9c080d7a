//go:build crash

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"bingzhan/backend/bolt"
)

// startServe runs the real binary in serve mode on dir and returns its base URL.
func startServe(t *testing.T, bin, dir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	deadline := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
			go func() {
				for lines.Scan() {
				}
			}()
			return cmd, addr
		}
	}
	cmd.Wait()
	t.Fatalf("bingzhan serve did not start on %s", dir)
	return nil, ""
}

type ack struct{ id, number string }

// TestCrash kills `bingzhan serve` with SIGKILL at random moments while clients take
// tickets, restarts it, and checks that every acknowledged ticket survived, that no
// number was given twice, and that every ticket has exactly one outbox entry.
func TestCrash(t *testing.T) {
	bin := os.Getenv("BINGZHAN_BIN")
	if bin == "" {
		t.Skip("BINGZHAN_BIN is not set; `make test-crash` builds and sets it")
	}
	dir := t.TempDir()
	const rounds, clients = 12, 4
	// Each service numbers at most backend.MaxDailyNumber tickets a day: spread the
	// requests over all nine and bound each client's, so a fast machine never runs a
	// queue out of numbers (a 409 the test would take for a lost ticket).
	services := []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}
	const perClient = 150 // 12 rounds × 4 clients × 150 = 7,200 < 9 × 999

	var mu sync.Mutex
	acked := map[string]ack{} // request id → acknowledged ticket
	var pending []string      // request ids sent but not answered when the server died
	client := &http.Client{Timeout: 5 * time.Second}

	issue := func(base, rid, svc string) (ack, error) {
		body := fmt.Sprintf(`{"service":%q,"request_id":%q}`, svc, rid)
		resp, err := client.Post(base+"/api/v1/tickets", "application/json", strings.NewReader(body))
		if err != nil {
			return ack{}, err
		}
		defer resp.Body.Close()
		var tk struct{ ID, Number string }
		if err := json.NewDecoder(resp.Body).Decode(&tk); err != nil || (resp.StatusCode != 201 && resp.StatusCode != 200) {
			return ack{}, fmt.Errorf("status %d, decode %v", resp.StatusCode, err)
		}
		return ack{tk.ID, tk.Number}, nil
	}
	serviceOf := func(rid string) string { return services[int(rid[len(rid)-1])%len(services)] }
	record := func(rid string, a ack) {
		mu.Lock()
		defer mu.Unlock()
		if prev, ok := acked[rid]; ok && prev != a {
			t.Errorf("request %s answered %v, then %v", rid, prev, a)
		}
		acked[rid] = a
	}

	for round := 0; round < rounds; round++ {
		cmd, base := startServe(t, bin, dir)
		// First retry what the last crash left unanswered: the kiosk does the same.
		for _, rid := range pending {
			a, err := issue(base, rid, serviceOf(rid))
			if err != nil {
				t.Fatalf("retry %s after restart: %v", rid, err)
			}
			record(rid, a)
		}
		pending = nil

		var wg sync.WaitGroup
		stop := make(chan struct{})
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; n < perClient; n++ {
					select {
					case <-stop:
						return
					default:
					}
					rid := fmt.Sprintf("crash-r%02d-c%d-%05d", round, c, n)
					a, err := issue(base, rid, serviceOf(rid))
					if err != nil {
						mu.Lock()
						pending = append(pending, rid)
						mu.Unlock()
						return
					}
					record(rid, a)
				}
			}()
		}
		time.Sleep(time.Duration(20+rand.IntN(300)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		close(stop)
		wg.Wait()
		cmd.Wait()
	}

	// Final start: answer what is pending, then check everything.
	cmd, base := startServe(t, bin, dir)
	for _, rid := range pending {
		a, err := issue(base, rid, serviceOf(rid))
		if err != nil {
			t.Fatalf("retry %s: %v", rid, err)
		}
		record(rid, a)
	}
	byNumber := map[string]string{}
	for rid, a := range acked {
		resp, err := client.Get(base + "/api/v1/tickets/" + a.id)
		if err != nil {
			t.Fatal(err)
		}
		var tk struct{ Number string }
		json.NewDecoder(resp.Body).Decode(&tk)
		resp.Body.Close()
		if resp.StatusCode != 200 || tk.Number != a.number {
			t.Errorf("acknowledged ticket %s (%s, request %s) lost: %d %q", a.id, a.number, rid, resp.StatusCode, tk.Number)
		}
		if other, dup := byNumber[a.number]; dup && other != a.id {
			t.Errorf("number %s given to tickets %s and %s", a.number, other, a.id)
		}
		byNumber[a.number] = a.id
	}
	// Numbers run 1..n per service with no gap: a gap would be a number that was
	// counted but whose ticket vanished.
	for _, s := range services {
		n := 0
		for num := range byNumber {
			if strings.HasPrefix(num, s) {
				n++
			}
		}
		for i := 1; i <= n; i++ {
			if _, ok := byNumber[fmt.Sprintf("%s%03d", s, i)]; !ok {
				t.Errorf("service %s has %d tickets but no %s%03d", s, n, s, i)
			}
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	db := bolt.NewDB(dir)
	if err := db.Open(); err != nil {
		t.Fatalf("open after crashes: %v", err)
	}
	defer db.Close()
	entries, err := db.OutboxEntries(context.Background(), 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(byNumber) {
		t.Errorf("%d tickets but %d outbox entries", len(byNumber), len(entries))
	}
	t.Logf("%d rounds of SIGKILL, %d tickets acknowledged, all present once; data in %s", rounds, len(byNumber), filepath.Base(dir))
}
