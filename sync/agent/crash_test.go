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
	"bingzhan/sync/county/postgres"
	"bingzhan/sync/county/postgres/pgtest"
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
	if urls := we.URLs(); len(urls) > 1 {
		e.CountyURLs = urls
	}
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
// run and checks that the county holds every recorded fact exactly once. It runs on
// the bbolt county, on the PostgreSQL county, and on two PostgreSQL county servers on
// one database, of which it kills one at a time while the station fails over to the
// other.
func TestCrash(t *testing.T) {
	dir := t.TempDir()
	countyBin := filepath.Join(dir, "bingzhan-county")
	build := exec.Command("go", "build", "-o", countyBin, "bingzhan/cmd/bingzhan-county")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build bingzhan-county: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		name    string
		db      bool
		servers int
	}{
		{"bbolt", false, 1},
		{"postgres", true, 1},
		{"postgres-two-servers", true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := ""
			if tc.db {
				db = pgtest.Shared(t).NewDatabase(t)
			}
			crash(t, countyBin, db, tc.servers)
		})
	}
}

func crash(t *testing.T, countyBin, dbURL string, servers int) {
	dir := t.TempDir()
	addrs := make([]string, servers)
	for i := range addrs {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs[i] = lis.Addr().String()
		lis.Close()
	}
	countyData, stationData := filepath.Join(dir, "county"), filepath.Join(dir, "station")
	enrolFile := filepath.Join(dir, "enrol.json")
	countyArgs := func(args ...string) []string {
		args = append(args, "--data", countyData)
		if dbURL != "" {
			args = append(args, "--db", dbURL)
		}
		return args
	}
	add := countyArgs("station", "add", "崩溃测试站", "--out", enrolFile, "--no-tls")
	for _, a := range addrs {
		add = append(add, "--url", "http://"+a)
	}
	if out, err := exec.Command(countyBin, add...).CombinedOutput(); err != nil {
		t.Fatalf("station add: %v\n%s", err, out)
	}
	if out, err := exec.Command(countyBin, countyArgs("user", "add", "admin", "--pin", "258013")...).CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}

	startCounty := func(addr string) *exec.Cmd {
		cmd := exec.Command(countyBin, countyArgs("serve", "--addr", addr, "--no-tls")...)
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

	counties := make([]*exec.Cmd, servers)
	for i, a := range addrs {
		counties[i] = startCounty(a)
	}
	station := startStation(true)
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
			// One county server at a time: with two, the station carries on
			// through the other while this one is down.
			i := rand.N(servers)
			kill(counties[i])
			countyKills++
			counties[i] = startCounty(addrs[i])
		}
	}
	// Stop recording; let the station drain into counties that stay up.
	kill(station)
	recorded := outboxSequence(t, stationData)
	station = startStation(false)
	token := countyLogin(t, addrs[0])
	deadline := time.Now().Add(2 * time.Minute)
	for {
		c := countyContiguous(t, addrs[0], token)
		if c == recorded {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("county holds 1..%d of %d recorded facts after 2 minutes", c, recorded)
		}
		time.Sleep(100 * time.Millisecond)
	}
	kill(station)
	for _, c := range counties {
		kill(c)
	}
	entries, ids := countEntries(t, countyData, dbURL)
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

// countEntries counts the county's entries and entry ids: in the bbolt file of dir, or
// in the PostgreSQL database dbURL.
func countEntries(t *testing.T, dir, dbURL string) (entries, ids int) {
	t.Helper()
	if dbURL != "" {
		s, err := postgres.Open(t.Context(), dbURL, dir, postgres.Options{Logger: synctest.Quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		sts, err := s.Stations(t.Context())
		if err != nil || len(sts) != 1 {
			t.Fatalf("stations %v %v", sts, err)
		}
		if entries, ids, err = s.EntryCount(t.Context(), sts[0].ID); err != nil {
			t.Fatal(err)
		}
		return entries, ids
	}
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
