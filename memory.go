package main

import (
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
)

// heapProfileEnv names a file to write a heap profile to once the station has started
// (for the kiosk: once its window is ready), to see where the Go side's memory goes:
// `go tool pprof -sample_index=inuse_space build/bin/bingzhan FILE`. It is an
// environment variable rather than a flag because it is for whoever measures the
// program, not for a station; nothing is served, so nothing is exposed on the LAN.
const heapProfileEnv = "BINGZHAN_HEAP_PROFILE"

// settleMemory hands back to the system what starting the station allocated and no
// longer uses, and logs what the Go side then holds. Start-up allocates far more than
// the station keeps: the integrity check maps every page of the file, the ledger index
// opens every visit, a demo station seals its registry. With the collector tuned for
// rare collections (gctune) that garbage would otherwise stay resident until the
// periodic collection two minutes later, and its pages for minutes after that while
// the scavenger returns them a little at a time. One forced collection costs a few
// milliseconds once; the kiosk is idle at that moment, waiting for its first visitor.
func settleMemory(logger *slog.Logger) {
	debug.FreeOSMemory()
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	metrics.Read(s)
	mb := func(v metrics.Value) string { return fmt.Sprintf("%.1f", float64(v.Uint64())/(1<<20)) }
	total := s[1].Value.Uint64() - s[2].Value.Uint64() // what the runtime holds from the system, less what it gave back
	logger.Info("go memory", "heap_mb", mb(s[0].Value), "runtime_mb", fmt.Sprintf("%.1f", float64(total)/(1<<20)))

	path := os.Getenv(heapProfileEnv)
	if path == "" {
		return
	}
	if err := writeHeapProfile(path); err != nil {
		logger.Error("heap profile", "path", path, "err", err)
		return
	}
	logger.Info("heap profile written", "path", path)
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC() // the profile shows the heap as of the last collection
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
