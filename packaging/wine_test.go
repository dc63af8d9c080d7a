//go:build package

package packaging_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Wine is one Wine prefix: a Windows of its own in a temporary folder, shared by the
// Windows tests so that it is set up once (wineboot takes ten seconds or more).
type Wine struct {
	Prefix string // the prefix folder; drive C: is Prefix/drive_c
	bin    string // wine64
	server string // wineserver, to stop the prefix's processes at the end
}

// MustWine sets up a Wine prefix that lasts until tb ends: Windows' folders and
// registry made by wineboot, and the bcryptprimitives.dll that Debian 12's Wine 8
// lacks and every Go program since Go 1.22 needs (testdata/bcryptprimitives.c).
func MustWine(tb testing.TB) *Wine {
	tb.Helper()
	w := &Wine{Prefix: tb.TempDir(), bin: lookPath(tb, "wine64", "/usr/lib/wine/wine64"),
		server: lookPath(tb, "wineserver", "/usr/lib/wine/wineserver64")}
	// Registered after TempDir, so it runs before the folder is removed.
	tb.Cleanup(func() { w.Command(context.Background(), w.server, "-k").Run() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if out, err := w.output(w.Command(ctx, w.bin, "wineboot", "-i")); err != nil {
		tb.Fatalf("wineboot: %v\n%s", err, out)
	}
	// wineboot leaves its service manager running for a while; a second one started
	// beside it (by the session below) would lock the other out of the services.
	if out, err := w.output(w.Command(ctx, w.server, "-w")); err != nil {
		tb.Fatalf("wineserver -w: %v\n%s", err, out)
	}
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err != nil {
		tb.Fatal("x86_64-w64-mingw32-gcc is missing: `make test-package` installs it (gcc-mingw-w64-x86-64-win32)")
	}
	// Wine ends services (and the service manager) once no other program of the prefix
	// runs, and starts automatic services again with the next program. A cmd.exe
	// waiting for input keeps this Windows up between commands, as a log-in does.
	session := w.Command(context.Background(), w.bin, "cmd.exe")
	keep, err := session.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := session.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		keep.Close()
		session.Process.Kill()
		session.Wait()
	})
	dll := filepath.Join(w.Prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll")
	gcc := exec.Command("x86_64-w64-mingw32-gcc", "-O2", "-shared", "-s", "-o", dll, "testdata/bcryptprimitives.c", "-lbcrypt")
	if out, err := gcc.CombinedOutput(); err != nil {
		tb.Fatalf("build bcryptprimitives.dll: %v\n%s", err, out)
	}
	return w
}

// lookPath finds name on PATH or at fallback: Debian's wine64 package puts its
// programs in /usr/lib/wine and only the wine package links them into /usr/bin.
func lookPath(tb testing.TB, name, fallback string) string {
	tb.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if _, err := os.Stat(fallback); err != nil {
		tb.Fatalf("%s is missing: `make test-package` installs wine64", name)
	}
	return fallback
}

// Command is a command run in the prefix, with Wine quiet and no display: the
// programs under test run headless.
func (w *Wine) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "WINEPREFIX="+w.Prefix, "WINEDEBUG=-all", "DISPLAY=", "WAYLAND_DISPLAY=")
	return cmd
}

// Run runs a Windows program (a path in the prefix such as C:\…, or a Linux path) and
// returns what it printed; a failure or ten minutes ends the test.
func (w *Wine) Run(tb testing.TB, exe string, args ...string) string {
	tb.Helper()
	out, err := w.Try(exe, args...)
	if err != nil {
		tb.Fatalf("wine %s %s: %v\n%s", exe, strings.Join(args, " "), err, out)
	}
	return out
}

// Try runs a Windows program and returns what it printed and how it ended.
func (w *Wine) Try(exe string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return w.output(w.Command(ctx, w.bin, append([]string{exe}, args...)...))
}

// output runs cmd and returns what it printed. The output goes through a file, not a
// pipe: Wine's own processes (wineserver, services.exe) may inherit the handles of the
// program that started them and outlive it, and a pipe would stay open with them.
func (w *Wine) output(cmd *exec.Cmd) (string, error) {
	f, err := os.CreateTemp("", "wine-output-")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	out, rerr := os.ReadFile(f.Name())
	if err == nil {
		err = rerr
	}
	return string(out), err
}

// Start starts a long-running Windows program and returns the first match of want in
// what it prints (within a minute), and a stop that ends the program, called when tb
// ends at the latest. The output goes to a file, as in output.
func (w *Wine) Start(tb testing.TB, want *regexp.Regexp, exe string, args ...string) (match []string, stop func()) {
	tb.Helper()
	name := filepath.Join(tb.TempDir(), "output")
	f, err := os.Create(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	cmd := w.Command(context.Background(), w.bin, append([]string{exe}, args...)...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop = func() {
		cmd.Process.Kill()
		<-exited
	}
	tb.Cleanup(stop)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		out, _ := os.ReadFile(name)
		if m := want.FindSubmatch(out); m != nil {
			match = make([]string, len(m))
			for i := range m {
				match[i] = string(m[i])
			}
			return match, stop
		}
		select {
		case <-exited:
			tb.Fatalf("%s %s ended without printing %q: %v\n%s", exe, strings.Join(args, " "), want, cmd.ProcessState, out)
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s %s printed no %q within a minute:\n%s", exe, strings.Join(args, " "), want, out)
		}
	}
}

// Path is the Windows name of a Linux path: Wine's drive Z: is the Linux root.
func (w *Wine) Path(linux string) string {
	abs, err := filepath.Abs(linux)
	if err != nil {
		panic(err)
	}
	return "Z:" + strings.ReplaceAll(abs, "/", `\`)
}

// Drive is the Linux path of a path on the prefix's drive C: given as C:\….
func (w *Wine) Drive(windows string) string {
	rest := strings.TrimPrefix(strings.TrimPrefix(windows, "C:"), "c:")
	return filepath.Join(w.Prefix, "drive_c", filepath.FromSlash(strings.ReplaceAll(rest, `\`, "/")))
}

// RegValue reads one value from the prefix's registry with reg.exe, and "" when it
// is not there.
func (w *Wine) RegValue(tb testing.TB, key, name string) string {
	tb.Helper()
	out, err := w.Try("reg", "query", key, "/v", name)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == name && strings.HasPrefix(f[1], "REG_") {
			return strings.TrimSpace(strings.SplitN(line, f[1], 2)[1])
		}
	}
	return ""
}
