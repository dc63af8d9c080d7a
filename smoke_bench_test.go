//go:build smoke

package main

// What the kiosk costs a station PC: start-up time and memory, measured on the real
// window as TestSmoke opens it, and held to the budgets of a 4 GB PC (issue 13).

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The budgets for a station PC with 4 GB.
const (
	// smokeReadyTargetMS is the time from starting the program to its page's DOM being
	// ready, as the test sees it.
	smokeReadyTargetMS = 1500
	// smokePSSTargetMB is the whole kiosk's memory: the program and every WebKit process
	// it started, each shared page counted in equal parts in the processes that map it
	// (PSS, from /proc/PID/smaps_rollup). That is what the kiosk takes from the PC.
	smokePSSTargetMB = 300
	// smokeRSSCeilingMB bounds the sum of the same processes' resident sets. The sum
	// counts WebKit's, GTK's and Mesa's libraries once in every process that maps them:
	// over 300 MB of it are such pages (libLLVM alone 43 MB in two processes), so the
	// sum cannot come down to the 300 MB and is no budget. The ceiling catches
	// what PSS would share out: the registry left resident, a Go heap that grows.
	smokeRSSCeilingMB = 470
)

// benchLaunches is how many times each station is launched; the budgets hold the
// median.
const benchLaunches = 3

// benchWindow launches the window three times on a fresh demo station, then on a copy
// of each benchmark station `make bench` has built (a registry of a million people, a
// ledger of 100,000 visits), logs each launch's figures and holds their medians to the
// budgets.
func benchWindow(t *testing.T, bin string, scr *smokeScreen) {
	benchStation(t, bin, scr, "demo station", t.TempDir)
	for _, s := range []struct{ name, cache string }{
		{"registry of 1,000,000", "bingzhan-bench-lookup-v1-1000000"},
		{"ledger of 100,000 visits", "bingzhan-bench-ledger-v2-100000"},
	} {
		src := filepath.Join(os.TempDir(), s.cache)
		if _, err := os.Stat(filepath.Join(src, "bingzhan.db")); err != nil {
			t.Logf("%s: not built (the lookup and ledger benchmarks build it), skipped", s.name)
			continue
		}
		// The kiosk writes to its data; the benchmarks' copy stays as they left it. One
		// copy for the three launches: a station restarts on the same data.
		dir := t.TempDir()
		copyStation(t, src, dir)
		benchStation(t, bin, scr, s.name, func() string { return dir })
	}
}

// benchStation launches the kiosk benchLaunches times on the data folder dir returns,
// logs each launch and the medians, and fails when a median is over its budget.
func benchStation(t *testing.T, bin string, scr *smokeScreen, name string, dir func() string) {
	var ready, wall []float64
	var mems []kioskMemory
	for i := range benchLaunches {
		k := startKiosk(t, bin, scr.display, dir())
		k.waitReady(t)
		scr.waitFor(t, k, "home", findHomeTile)
		mems = append(mems, k.logFigures(t, fmt.Sprintf("launch %d/%d (%s): ", i+1, benchLaunches, name)))
		k.stop(t)
		ready = append(ready, float64(k.readyMS))
		wall = append(wall, float64(k.readyWall.Milliseconds()))
	}
	prefix := fmt.Sprintf("median of %d (%s): ", benchLaunches, name)
	t.Logf("%swindow ready: %.0f ms by the program, %.0f ms by the test (target ≤ %d ms)",
		prefix, median(ready), median(wall), smokeReadyTargetMS)
	var parts []string
	for _, n := range mems[0].names() {
		parts = append(parts, fmt.Sprintf("%s RSS %.0f PSS %.0f", n,
			median(perLaunch(mems, func(m kioskMemory) float64 { return m.mb(n, rssOf) })),
			median(perLaunch(mems, func(m kioskMemory) float64 { return m.mb(n, pssOf) }))))
	}
	t.Logf("%sper process, MB: %s", prefix, strings.Join(parts, "; "))
	rss := median(perLaunch(mems, func(m kioskMemory) float64 { return m.mb("", rssOf) }))
	pss := median(perLaunch(mems, func(m kioskMemory) float64 { return m.mb("", pssOf) }))
	t.Logf("%swhole kiosk: RSS %.0f MB (the sum; ceiling %d MB), PSS %.0f MB (target ≤ %d MB)",
		prefix, rss, smokeRSSCeilingMB, pss, smokePSSTargetMB)
	if w := median(wall); w > smokeReadyTargetMS {
		t.Errorf("%s: the window was ready after %.0f ms (median), over the %d ms budget", name, w, smokeReadyTargetMS)
	}
	checkMemory(t, name, rss, pss)
}

// checkMemory fails the test when the kiosk's memory is over its budgets.
func checkMemory(t *testing.T, name string, rss, pss float64) {
	t.Helper()
	if pss > smokePSSTargetMB {
		t.Errorf("%s: the kiosk's processes hold %.0f MB (PSS), over the %d MB budget", name, pss, smokePSSTargetMB)
	}
	if rss > smokeRSSCeilingMB {
		t.Errorf("%s: the kiosk's processes' resident sets sum to %.0f MB, over the %d MB ceiling", name, rss, smokeRSSCeilingMB)
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func perLaunch(ms []kioskMemory, f func(kioskMemory) float64) []float64 {
	var out []float64
	for _, m := range ms {
		out = append(out, f(m))
	}
	return out
}

// copyStation copies a station's database and keys from src to dst.
func copyStation(t *testing.T, src, dst string) {
	t.Helper()
	for _, rel := range []string{"bingzhan.db", "keys/data-key.pem", "keys/station-ed25519.pem"} {
		if err := copyFile(filepath.Join(src, rel), filepath.Join(dst, rel)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// ---- memory ----

// kioskMemory is the memory of the kiosk's processes at one moment.
type kioskMemory struct {
	procs []smokeProc // the program first, then the processes it started
}

func rssOf(p smokeProc) int64 { return p.rssKB }
func pssOf(p smokeProc) int64 { return p.pssKB }

// names returns the process names, the program's first; WebKit may run several
// processes of one name, which count as one.
func (m kioskMemory) names() []string {
	var out []string
	for _, p := range m.procs {
		if !slices.Contains(out, p.name) {
			out = append(out, p.name)
		}
	}
	return out
}

// mb sums one figure over the processes called name, or over all for "", in MB.
func (m kioskMemory) mb(name string, figure func(smokeProc) int64) float64 {
	var kb int64
	for _, p := range m.procs {
		if name == "" || p.name == name {
			kb += figure(p)
		}
	}
	return float64(kb) / 1024
}

// goMemoryLine is what the program logs of its Go side once it has settled after start.
var goMemoryLine = regexp.MustCompile(`msg="go memory" heap_mb=(\S+) runtime_mb=(\S+)`)

// logFigures logs start-up time and the memory of the program and each WebKit process,
// and returns the memory. It first waits for the program to settle its memory after
// start (the "go memory" line), as it does once, right after the window is ready.
func (k *smokeKiosk) logFigures(t *testing.T, prefix string) kioskMemory {
	t.Helper()
	settled := smokeWait(5*time.Second, func() bool { return goMemoryLine.MatchString(k.log.String()) })
	m := kioskMemory{procs: processTree(k.cmd.Process.Pid)}
	t.Logf("%swindow ready: %d ms by the program, %d ms by the test (target ≤ %d ms)",
		prefix, k.readyMS, k.readyWall.Milliseconds(), smokeReadyTargetMS)
	var parts []string
	for _, n := range m.names() {
		parts = append(parts, fmt.Sprintf("%s %.0f/%.0f", n, m.mb(n, rssOf), m.mb(n, pssOf)))
	}
	goSide := "the program did not say what its Go side holds"
	if g := goMemoryLine.FindStringSubmatch(k.log.String()); settled && g != nil {
		goSide = fmt.Sprintf("Go heap %s MB of %s MB the Go runtime holds", g[1], g[2])
	}
	// RSS counts a library's pages in every process that maps it; PSS shares them out.
	t.Logf("%smemory RSS/PSS MB: %s; whole kiosk RSS %.0f (sum), PSS %.0f; %s",
		prefix, strings.Join(parts, ", "), m.mb("", rssOf), m.mb("", pssOf), goSide)
	return m
}

// smokeProc is one process of the kiosk's tree and its memory.
type smokeProc struct {
	pid          int
	name         string
	rssKB, pssKB int64
}

func (p smokeProc) String() string { return fmt.Sprintf("%s[%d]", p.name, p.pid) }

// processTree returns root and every process descended from it, root first. WebKit
// runs the page and the network in child processes (some behind a sandbox helper),
// and they are most of the kiosk's memory.
func processTree(root int) []smokeProc {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // exited meanwhile
		}
		// The name field may hold spaces and parentheses; the fields after the last
		// ')' are plain: state, then ppid.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], pid)
	}
	var out []smokeProc
	for queue := []int{root}; len(queue) > 0; queue = queue[1:] {
		pid := queue[0]
		queue = append(queue, children[pid]...)
		p := smokeProc{pid: pid}
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			continue
		}
		// The kernel cuts Name at 15 bytes ("WebKitNetworkPr"); argv[0] is whole.
		p.name = procField(status, "Name:")
		if argv, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && len(argv) > 0 {
			p.name = filepath.Base(string(bytes.SplitN(argv, []byte{0}, 2)[0]))
		}
		p.rssKB = procKB(status, "VmRSS:")
		if rollup, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid)); err == nil {
			p.pssKB = procKB(rollup, "Pss:")
		}
		out = append(out, p)
	}
	return out
}

// procField returns the value of the line starting with key in a /proc file.
func procField(b []byte, key string) string {
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// procKB returns a "NNN kB" value of a /proc file in kB.
func procKB(b []byte, key string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSuffix(procField(b, key), " kB"), 10, 64)
	return n
}
