package agent_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/agent"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"
)

// benchPush pushes a backlog of n events through url (the county, or a proxy in front
// of it) and reports events per second.
func benchPush(b *testing.B, n int, faults *synctest.Faults, tune func(*agent.Config)) {
	c := synctest.StartCounty(b)
	url := ""
	var proxy *synctest.Proxy
	if faults != nil {
		proxy = synctest.StartProxy(b, c.URL, *faults)
		url = proxy.URL
	}
	var total time.Duration
	for i := range b.N {
		b.StopTimer()
		e := c.Enrol(b, fmt.Sprintf("station %d", i), url)
		db := synctest.OpenStation(b, "")
		synctest.Backlog(b, db, "key-1", n)
		cfg := synctest.FastConfig(db, e, "key-1")
		if tune != nil {
			tune(&cfg)
		}
		a, err := agent.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		b.StartTimer()
		start := time.Now()
		done := make(chan struct{})
		go func() { a.Run(ctx); close(done) }()
		synctest.WaitDrained(b, db, 10*time.Minute)
		total += time.Since(start)
		b.StopTimer()
		cancel()
		<-done
		if got, _, _ := c.Store.EntryCount(b.Context(), e.StationID); got != n {
			b.Fatalf("county holds %d of %d", got, n)
		}
		b.StartTimer()
	}
	rate := float64(n*b.N) / total.Seconds()
	b.ReportMetric(rate, "events/s")
	b.Logf("%d events in %v per run: %.0f events/s", n, total/time.Duration(b.N), rate)
	if proxy != nil {
		b.Logf("proxy: %v", proxy.Counts())
	}
}

// BenchmarkPush_Loopback: a 100,000-event backlog over loopback (target ≥ 30,000/s).
func BenchmarkPush_Loopback(b *testing.B) {
	benchPush(b, 100_000, nil, nil)
}

// BenchmarkPush_FaultyLink: a backlog through a link where 30 % of requests are reset,
// stalled until the attempt times out (1 s here), or lose their answer after the
// county committed (target ≥ 700/s).
func BenchmarkPush_FaultyLink(b *testing.B) {
	benchPush(b, 20_000, &synctest.Faults{Reset: 0.10, Stall: 0.10, LoseAnswer: 0.10}, func(c *agent.Config) {
		c.AttemptTimeout = time.Second
		c.RetryMax = 8
	})
}

// BenchmarkCountyIngest_200Stations: 200 stations push at once to a county running as
// its own process (the built binary). "Live": each pushes 5 events, 20 times in a row,
// as on a busy morning (target p99 ≤ 250 ms). "Backlog": each pushes five full batches
// of 200, as all stations do when the county comes back after an outage. Reports push
// latency (p50, p99), events per second and the county's peak resident memory (target
// < 256 MB).
func BenchmarkCountyIngest_200Stations(b *testing.B) {
	base, countyPID := startCountyBinary(b)
	token := countyLogin(b, strings.TrimPrefix(base, "http://"))
	b.Run("Live", func(b *testing.B) { benchStations(b, base, token, countyPID, 5, 20) })
	b.Run("Backlog", func(b *testing.B) { benchStations(b, base, token, countyPID, wire.MaxEntries, 5) })
}

// startCountyBinary builds bingzhan-county, makes user admin/258013 and serves plain
// HTTP on a loopback port; it returns the base URL and the process id.
func startCountyBinary(b *testing.B) (string, int) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "bingzhan-county")
	if out, err := exec.Command("go", "build", "-o", bin, "bingzhan/cmd/bingzhan-county").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "county")
	if out, err := exec.Command(bin, "user", "add", "admin", "--pin", "258013", "--data", data).CombinedOutput(); err != nil {
		b.Fatalf("user add: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--no-tls", "--data", data)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	base := ""
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
			base = u
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	return base, cmd.Process.Pid
}

// benchStations has 200 stations push per events at a time, rounds times each, all at
// once, straight over HTTP: the latency measured is the county's alone (the station's
// own commits are measured by the push benchmarks).
func benchStations(b *testing.B, base, token string, countyPID, per, rounds int) {
	const stations = 200
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: stations}, Timeout: time.Minute}
	for range b.N {
		b.StopTimer()
		creds := make([]backend.Enrolment, stations)
		for i := range creds {
			creds[i] = addStation(b, base, token, fmt.Sprintf("站 %d-%d", i, time.Now().UnixNano()))
		}
		var mu sync.Mutex
		var lat []time.Duration
		var wg sync.WaitGroup
		b.StartTimer()
		start := time.Now()
		for i, e := range creds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := fmt.Sprintf("key-%d-%d", i, start.UnixNano())
				seq := uint64(0)
				for range rounds {
					raws := make([]json.RawMessage, per)
					for j := range raws {
						seq++
						raws[j], _ = json.Marshal(wire.Entry{ID: fmt.Sprintf("%s-%d", key, seq), Seq: seq, StationID: key,
							Kind: backend.KindTicketIssued, At: time.Now(),
							Data: json.RawMessage(fmt.Sprintf(`{"id":"t-%d","date":"2026-11-23","service":"B","number":"B%03d","priority":false,"issued_at":"2026-11-23T09:00:00+08:00","status":"waiting"}`, seq, seq%999))})
					}
					body, _ := wire.EncodePush(wire.PushHeader{Station: key, Pending: per}, raws)
					req, _ := http.NewRequest("POST", base+wire.PushPath, bytes.NewReader(body))
					req.SetBasicAuth(e.StationID, e.Secret)
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					var pr wire.PushResponse
					err = json.NewDecoder(resp.Body).Decode(&pr)
					resp.Body.Close()
					d := time.Since(t0)
					if err != nil || resp.StatusCode != 200 || pr.Contiguous != seq {
						b.Errorf("push: %d %v, contiguous %d of %d: %+v", resp.StatusCode, err, pr.Contiguous, seq, pr.Results[:1])
						return
					}
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		if len(lat) == 0 {
			b.Fatal("no push succeeded")
		}
		slices.Sort(lat)
		p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
		rss := peakRSS(countyPID)
		b.ReportMetric(float64(p(0.50).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p(0.99).Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(rss)/1024, "county-peak-RSS-MB")
		total := stations * per * rounds
		b.Logf("%d stations, %d events in %v (%.0f events/s); %d pushes of %d: p50 %v, p99 %v, max %v; county peak RSS %d MB",
			stations, total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), len(lat), per,
			p(0.50).Round(time.Millisecond), p(0.99).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond), rss/1024)
		b.StartTimer()
	}
}

// addStation creates a station through the county's API and returns its enrolment.
func addStation(b *testing.B, base, token, name string) backend.Enrolment {
	req, _ := http.NewRequest("POST", base+"/api/v1/stations", strings.NewReader(fmt.Sprintf(`{"name":%q,"url":%q}`, name, base)))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var e wire.Enrolment
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != 201 {
		b.Fatalf("add station: %d %v", resp.StatusCode, err)
	}
	return backend.Enrolment{CountyURL: e.CountyURL, StationID: e.StationID, Secret: e.Secret}
}

// peakRSS returns the process's peak resident set (VmHWM) in KiB.
func peakRSS(pid int) int {
	buf, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(buf), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb
		}
	}
	return 0
}
