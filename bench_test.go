package main

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"bingzhan/backend/app"
	"bingzhan/backend/gctune"

	bbolt "go.etcd.io/bbolt"
)

// BenchmarkIssueTicket measures POST /api/v1/tickets end to end over loopback, next to
// a bare fsync'd bbolt Put on the same disk, interleaved so both see the same load.
// Target: the API's p99 within 1.5× of the bare Put's p99.
func BenchmarkIssueTicket(b *testing.B) {
	gctune.Apply(gctune.StationLimit) // as main does
	_, base := mustOpen(b, b.TempDir(), app.Options{})
	raw, err := bbolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err })
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	letters := "ABCDEFGHJ"
	value := make([]byte, 400) // about one ticket's JSON

	api := make([]time.Duration, 0, b.N)
	bare := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := fmt.Sprintf(`{"service":"%c","request_id":"bench-%08d"}`, letters[i%len(letters)], i)
		start := time.Now()
		resp, err := client.Post(base+"/api/v1/tickets", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("status %d", resp.StatusCode)
		}
		api = append(api, time.Since(start))

		start = time.Now()
		err = raw.Update(func(tx *bbolt.Tx) error { return tx.Bucket([]byte("b")).Put(itob(i), value) })
		if err != nil {
			b.Fatal(err)
		}
		bare = append(bare, time.Since(start))
	}
	b.StopTimer()
	report(b, "api", api)
	report(b, "put", bare)
	b.ReportMetric(float64(pct(api, 99))/float64(pct(bare, 99)), "p99-ratio")
	b.Logf("n=%d  POST /api/v1/tickets p50 %v p99 %v | bare bbolt Put p50 %v p99 %v | p99 ratio %.2f (target ≤ 1.5)",
		b.N, pct(api, 50), pct(api, 99), pct(bare, 50), pct(bare, 99), float64(pct(api, 99))/float64(pct(bare, 99)))
}

func report(b *testing.B, name string, d []time.Duration) {
	b.ReportMetric(float64(pct(d, 50).Microseconds())/1000, name+"-p50-ms")
	b.ReportMetric(float64(pct(d, 99).Microseconds())/1000, name+"-p99-ms")
}

// pct returns the p-th percentile of d.
func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, len(s)*p/100)]
}

func itob(i int) []byte { return []byte(fmt.Sprintf("%016x", i)) }
