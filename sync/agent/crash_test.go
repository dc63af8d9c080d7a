//go:build synccrash

package agent_test

import (
	"bufio"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/agent"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"

	bbolt "go.etcd.io/bbolt"
)

// TestCrashStationHelper is the station process of TestCrash: it records facts and
// runs the agent until it is killed. It does nothing in a normal test run.
func TestCrashStationHelper(t *testing.T) {
	dir, file := os.Getenv("SYNCCRASH_STATION"), os.Getenv("SYNCCRASH_ENROLMENT")
	if dir == "" {
		t.Skip("run by TestCrash only")
	}
	buf, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	we, err := wire.ParseEnrolment(buf)
	if err != nil {
		t.Fatal(err)
	}
	db := synctest.OpenStation(t, dir)
	e := backend.Enrolment{CountyURL: we.CountyURL, StationID: we.StationID, Secret: we.Secret}
	a, err := agent.New(synctest.FastConfig(db, e, "crash-key"))
	if err != nil {
		t.Fatal(err)
	}
	db.OnOutbox = a.Nudge
	ctx := context.Background()
	go a.Run(ctx)
	write := os.Getenv("SYNCCRASH_WRITE") == "1"
	for i := 0; ; i++ {
		if write {
			facts := make([]any, 1+i%7)
			for j := range facts {
				facts[j] = map[string]any{"i": i, "j": j}
			}
			if err := db.AppendFacts(ctx, "crash-key", "crash.fact", facts...); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(3 * time.Millisecond)
	}
}

// TestCrash kills the station (between its local commit and the county's
// acknowledgement) and the county (between its commit and its answer) with SIGKILL at
// random moments, many times, while the station records and pushes; then lets both
// run and checks that the county holds every recorded fact exactly once.
func TestCrash(t *testing.T) {
	dir := t.TempDir()
	countyBin := filepath.Join(dir, "bingzhan-county")
	build := exec.Command("go", "build", "-o", countyBin, "bingzhan/cmd/bingzhan-county")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build bingzhan-county: %v\n%s", err, out)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	countyData, stationData := filepath.Join(dir, "county"), filepath.Join(dir, "station")
	enrolFile := filepath.Join(dir, "enrol.json")
	if out, err := exec.Command(countyBin, "station", "add", "崩溃测试站", "--out", enrolFile, "--url", "http://"+addr,
		"--no-tls", "--data", countyData).CombinedOutput(); err != nil {
		t.Fatalf("station add: %v\n%s", err, out)
	}
	if out, err := exec.Command(countyBin, "user", "add", "admin", "--pin", "258013", "--data", countyData).CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}

	startCounty := func() *exec.Cmd {
		cmd := exec.Command(countyBin, "serve", "--addr", addr, "--no-tls", "--data", countyData)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "listening on") {
				go func() {
					for sc.Scan() {
					}
				}()
				return cmd
			}
		}
		cmd.Wait()
		t.Fatal("county did not start")
		return nil
	}
	startStation := func(write bool) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashStationHelper$", "-test.timeout=10m")
		w := "0"
		if write {
			w = "1"
		}
		cmd.Env = append(os.Environ(), "SYNCCRASH_STATION="+stationData, "SYNCCRASH_ENROLMENT="+enrolFile, "SYNCCRASH_WRITE="+w)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	kill := func(cmd *exec.Cmd) {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}

	county, station := startCounty(), startStation(true)
	rounds := 30
	if testing.Short() {
		rounds = 8
	}
	countyKills, stationKills := 0, 0
	for range rounds {
		time.Sleep(time.Duration(50+rand.N(250)) * time.Millisecond)
		if rand.N(2) == 0 {
			kill(station)
			stationKills++
			station = startStation(true)
		} else {
			kill(county)
			countyKills++
			county = startCounty()
		}
	}
	// Stop recording; let the station drain into a county that stays up.
	kill(station)
	recorded := outboxSequence(t, stationData)
	station = startStation(false)
	token := countyLogin(t, addr)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		c := countyContiguous(t, addr, token)
		if c == recorded {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("county holds 1..%d of %d recorded facts after 2 minutes", c, recorded)
		}
		time.Sleep(100 * time.Millisecond)
	}
	kill(station)
	kill(county)
	entries, ids := countEntries(t, countyData)
	t.Logf("%d facts recorded; %d station kills, %d county kills; county holds %d entries under %d ids", recorded, stationKills, countyKills, entries, ids)
	if entries != int(recorded) || ids != int(recorded) {
		t.Fatalf("county holds %d entries and %d ids for %d facts: not exactly once", entries, ids, recorded)
	}
	db := synctest.OpenStation(t, stationData)
	if st, _ := db.OutboxStats(context.Background()); st.Pending != 0 || st.DeadLetters != 0 {
		t.Fatalf("station outbox after the drain: %+v", st)
	}
}

// outboxSequence returns how many outbox entries the station has ever recorded.
func outboxSequence(t *testing.T, dir string) uint64 {
	t.Helper()
	db, err := bbolt.Open(filepath.Join(dir, "bingzhan.db"), 0o600, &bbolt.Options{Timeout: 5 * time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var seq uint64
	db.View(func(tx *bbolt.Tx) error {
		seq = tx.Bucket([]byte("outbox")).Sequence()
		return nil
	})
	return seq
}

// countyContiguous asks the running county up to which sequence it holds everything.
func countyContiguous(t *testing.T, addr, token string) uint64 {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/stations", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sts []struct{ Contiguous uint64 }
	if err := json.NewDecoder(resp.Body).Decode(&sts); err != nil || len(sts) != 1 {
		t.Fatalf("stations: %v", err)
	}
	return sts[0].Contiguous
}

func countEntries(t *testing.T, dir string) (entries, ids int) {
	t.Helper()
	db, err := bbolt.Open(filepath.Join(dir, "county.db"), 0o600, &bbolt.Options{Timeout: 5 * time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bbolt.Tx) error {
		tx.Bucket([]byte("entries")).ForEachBucket(func(k []byte) error {
			entries += tx.Bucket([]byte("entries")).Bucket(k).Stats().KeyN
			return nil
		})
		ids = tx.Bucket([]byte("ids")).Stats().KeyN
		return nil
	})
	return entries, ids
}
