package countytest

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bingzhan/sync/county"
	"bingzhan/sync/wire"

	"github.com/google/uuid"
)

// BenchOpener opens a new, empty store for a benchmark, whose pushes come over at most
// conns connections at once (a store that has no pool ignores it), and closes it when
// the benchmark ends.
type BenchOpener func(b *testing.B, conns int32) county.Store

// benchStations adds n stations to s, to be bound to keys key-0 … key-(n-1).
func benchStations(b *testing.B, s county.Store, n int) []string {
	b.Helper()
	ids := make([]string, n)
	for i := range ids {
		st, _, err := s.AddStation(b.Context(), fmt.Sprintf("服务站 %d", i))
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = st.ID
	}
	return ids
}

// StationEntries makes a station's entries from sequence from on, as a station writes
// them: UUIDv7 ids, two fifths issues, two fifths calls of those tickets, a fifth
// visits.
func StationEntries(key string, from uint64, n int) []wire.Entry {
	at := Start
	out := make([]wire.Entry, n)
	for i := range out {
		seq := from + uint64(i)
		id, _ := uuid.NewV7()
		e := wire.Entry{ID: id.String(), Seq: seq, StationID: key, At: at.Add(time.Duration(seq) * time.Second)}
		ticket := fmt.Sprintf("%s-%d", key, seq/5)
		switch seq % 5 {
		case 0, 1:
			e.Kind = "ticket.issued"
			e.Data = fmt.Appendf(nil, `{"id":%q,"date":"2026-11-23","service":"A","number":"A%03d","issued_at":"2026-11-23T08:00:00+08:00"}`,
				ticket, seq%1000)
		case 2, 3:
			e.Kind = "ticket.call"
			e.Data = fmt.Appendf(nil, `{"id":%q,"date":"2026-11-23","counter":"1","issued_at":"2026-11-23T08:00:00+08:00","called_at":"2026-11-23T08:%02d:00+08:00"}`,
				ticket, seq%60)
		default:
			e.Kind = "visit.created"
			e.Data = []byte(`{"date":"2026-11-23","service":"A","outcome":"done","note":"办理完成"}`)
		}
		out[i] = e
	}
	return out
}

// BenchBackfill pushes total entries through Ingest in pushes of size entries, from
// streams stations at once (their backlogs after an outage), and reports entries
// stored per second.
func BenchBackfill(b *testing.B, open BenchOpener, total, streams, size int) {
	per := total / streams
	for b.Loop() {
		b.StopTimer()
		s := open(b, int32(streams))
		ids := benchStations(b, s, streams)
		pushes := make([][]*county.Push, streams)
		for i := range pushes {
			key := fmt.Sprintf("key-%d", i)
			entries := StationEntries(key, 1, per)
			for from := 0; from < per; from += size {
				pushes[i] = append(pushes[i], &county.Push{PushHeader: wire.PushHeader{Station: key, Pending: per - from},
					Entries: entries[from:min(from+size, per)]})
			}
		}
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for i := range streams {
			wg.Go(func() {
				for _, p := range pushes[i] {
					if _, err := s.Ingest(b.Context(), ids[i], p); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		b.ReportMetric(float64(total)/time.Since(start).Seconds(), "entries/s")
		b.StopTimer()
		if n, _, _ := s.EntryCount(b.Context(), ids[0]); n != per {
			b.Fatalf("%d entries stored for a station, want %d", n, per)
		}
		b.StartTimer()
	}
}

// BenchStations300 has a 300-station county's stations push together, each
// rounds times: live (pushes of 1 to 5 entries, as stations that keep up send them),
// flat out and paced (a push every 200 ms per station, 1,500 a second in all), and
// backlog (full pushes, as stations catching up send them). It reports the 50th and
// 99th percentiles of a push's latency and the entries stored per second.
func BenchStations300(b *testing.B, open BenchOpener) {
	const stations = 300
	live := func(station, round int) int { return 1 + (station+round)%5 }
	for _, tc := range []struct {
		name   string
		rounds int
		size   func(station, round int) int
		every  time.Duration
	}{
		{"live", 20, live, 0},
		{"live-paced", 10, live, 200 * time.Millisecond},
		{"backlog", 4, func(int, int) int { return wire.MaxEntries }, 0},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := open(b, 8)
			ids := benchStations(b, s, stations)
			next := make([]uint64, stations)
			for i := range next {
				next[i] = 1
			}
			var latencies []time.Duration
			var events atomic.Int64
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				pushes := make([][]*county.Push, stations)
				for i := range pushes {
					key := fmt.Sprintf("key-%d", i)
					for r := range tc.rounds {
						n := tc.size(i, r)
						pushes[i] = append(pushes[i], &county.Push{PushHeader: wire.PushHeader{Station: key},
							Entries: StationEntries(key, next[i], n)})
						next[i] += uint64(n)
					}
				}
				lat := make([][]time.Duration, stations)
				b.StartTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for i := range stations {
					wg.Go(func() {
						if tc.every > 0 {
							// Stations spread over the interval, as their clocks are.
							time.Sleep(tc.every * time.Duration(i) / stations)
						}
						tick := time.Now()
						for _, p := range pushes[i] {
							if tc.every > 0 {
								time.Sleep(time.Until(tick))
								tick = tick.Add(tc.every)
							}
							t0 := time.Now()
							if _, err := s.Ingest(b.Context(), ids[i], p); err != nil {
								b.Error(err)
								return
							}
							lat[i] = append(lat[i], time.Since(t0))
							events.Add(int64(len(p.Entries)))
						}
					})
				}
				wg.Wait()
				elapsed += time.Since(start)
				for _, l := range lat {
					latencies = append(latencies, l...)
				}
			}
			slices.Sort(latencies)
			b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(events.Load())/elapsed.Seconds(), "events/s")
		})
	}
}
