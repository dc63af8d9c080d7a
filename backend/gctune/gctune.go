// Package gctune sets the garbage collector of the station and county processes for
// short pauses rather than the smallest heap, within a memory limit of each program's.
package gctune

import (
	"os"
	"runtime/debug"
)

// Percent is the GOGC that Apply sets: collect when the heap has grown by eight times
// what is live.
const Percent = 800

// The soft memory limits Apply is given: the heap is collected before it passes the
// limit, whatever Percent would allow.
const (
	// StationLimit is the station program's. It shares a 4 GB PC with the kiosk's WebKit
	// processes (about 150 MB) and the desktop. Its live heap is 4 MB on a demo station, so Percent's
	// eightfold growth stays far below the limit; a ledger of 100,000 visits keeps
	// 23 MB of index live, which Percent would let grow to 200 MB of garbage between
	// collections. Under this limit call-next's p99 stayed within its 2 ms target
	// (0.8 ms on a RAM disk, against 0.5 ms under 256 MiB: BenchmarkCallNext).
	StationLimit = 96 << 20
	// CountyLimit is the county server's: it ingests for hundreds of stations on a
	// machine of its own.
	CountyLimit = 256 << 20
)

// Apply makes collections rarer than Go's default and sets the soft memory limit,
// unless GOGC or GOMEMLIMIT says otherwise. The station's live heap is a few megabytes,
// so by default it collects every few dozen staff actions, and an action that meets a
// collection on a two-core PC waits for it: with 10,000 waiting, call-next's p99
// through the API fell from about 3 ms to about 1.3 ms on a RAM disk
// (BenchmarkCallNext). The garbage kept in between is tens of megabytes; the limit
// keeps a large live heap, export or import from growing the heap eightfold.
func Apply(limit int64) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(Percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(limit)
	}
}
