//go:build package

package packaging_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"debug/elf"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	countyhttp "bingzhan/sync/county/http"
)

// arm64Dir holds what `make package-arm64-bin` builds; the tests run in packaging/.
const arm64Dir = "../build/package/linux-arm64"

// Under qemu an arm64 program runs several times slower than it would on a Phytium or
// Kunpeng desktop, and this machine has two cores that other work shares: these are
// the times past which something is wrong rather than slow.
const (
	qemuStartTimeout = 3 * time.Minute
	qemuStopTimeout  = time.Minute
)

// TestArm64_Binaries checks that the kiosk really has its window in it: it is linked
// against the arm64 WebKitGTK and GTK 3, not a build that left Wails out. The county
// server needs no library at all (only the loader, to place it in memory), so it
// runs on any arm64 Linux.
func TestArm64_Binaries(t *testing.T) {
	t.Run("Station", func(t *testing.T) {
		f := openELF(t, "bingzhan")
		if interp := interpreter(t, f); interp != "/lib/ld-linux-aarch64.so.1" {
			t.Errorf("dynamic loader %q, want /lib/ld-linux-aarch64.so.1", interp)
		}
		libs, err := f.ImportedLibraries()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"libwebkit2gtk-4.1.so.0", "libgtk-3.so.0", "libc.so.6"} {
			if !slices.Contains(libs, want) {
				t.Errorf("not linked against %s; it needs %v", want, libs)
			}
		}
		// Being linked against a library is not calling it: these are the calls that
		// make the window and the web view in it.
		syms, err := f.ImportedSymbols()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"gtk_window_new", "webkit_web_view_new_with_user_content_manager"} {
			if !slices.ContainsFunc(syms, func(s elf.ImportedSymbol) bool { return s.Name == want }) {
				t.Errorf("calls no %s", want)
			}
		}
	})
	t.Run("County", func(t *testing.T) {
		f := openELF(t, "bingzhan-county")
		libs, err := f.ImportedLibraries()
		if err != nil {
			t.Fatal(err)
		}
		if len(libs) > 0 {
			t.Errorf("the county server needs %v: it should be built without cgo", libs)
		}
	})
}

// TestArm64_Version runs the kiosk program under qemu. Starting it at all loads every
// arm64 library it is linked against, WebKitGTK's included, from this machine's
// multiarch packages, as a station's would.
func TestArm64_Version(t *testing.T) {
	version := builtVersion(t)
	ctx, cancel := context.WithTimeout(context.Background(), qemuStartTimeout)
	defer cancel()
	out, err := qemu(ctx, "bingzhan", "version").CombinedOutput()
	if err != nil {
		t.Fatalf("bingzhan version: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "bingzhan "+version; got != want {
		t.Errorf("bingzhan version printed %q, want %q", got, want)
	}
}

// TestArm64_StationServe serves a new station from an empty data folder under qemu:
// its keys, its database and the embedded frontend, answering on the LAN listener.
func TestArm64_StationServe(t *testing.T) {
	version := strings.Fields(builtVersion(t))[0]
	addr := startServer(t, "bingzhan", "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	checkHealth(t, http.DefaultClient, "http://"+addr+"/api/v1/health", version)
}

// TestArm64_CountyServe starts a county under qemu as `serve` does by default: a
// bbolt database and the county's own TLS certificate, both made in the data folder.
// The client trusts that certificate and nothing else.
func TestArm64_CountyServe(t *testing.T) {
	version := strings.Fields(builtVersion(t))[0]
	data := t.TempDir()
	addr := startServer(t, "bingzhan-county", "serve", "--addr", "127.0.0.1:0", "--data", data)
	pem, err := os.ReadFile(filepath.Join(data, countyhttp.CertFile))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", countyhttp.CertFile)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	checkHealth(t, client, "https://"+addr+"/api/v1/health", version)
}

// builtVersion is "VERSION COMMIT" of the binaries, as make wrote it beside them.
func builtVersion(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile("../build/package/.version")
	if err != nil {
		tb.Fatalf("%v: run `make package-arm64-bin` first", err)
	}
	series, err := os.ReadFile("../VERSION")
	if err != nil {
		tb.Fatal(err)
	}
	v := strings.TrimSpace(string(b))
	if !strings.HasPrefix(v, strings.TrimSpace(string(series))+".") {
		tb.Fatalf("build/package/.version is %q, not of the series in VERSION (%s)", v, series)
	}
	return v
}

// openELF opens an arm64 binary and checks that it is one.
func openELF(tb testing.TB, name string) *elf.File {
	tb.Helper()
	f, err := elf.Open(filepath.Join(arm64Dir, name))
	if err != nil {
		tb.Fatalf("%v: run `make package-arm64-bin` first", err)
	}
	tb.Cleanup(func() { f.Close() })
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_AARCH64 {
		tb.Fatalf("%s is %v %v, want ELFCLASS64 EM_AARCH64", name, f.Class, f.Machine)
	}
	return f
}

// interpreter is the dynamic loader f asks for, "" for a static binary.
func interpreter(tb testing.TB, f *elf.File) string {
	tb.Helper()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err != nil {
				tb.Fatal(err)
			}
			return strings.TrimRight(string(b), "\x00")
		}
	}
	return ""
}

// qemu is a command that runs an arm64 binary. It names qemu-aarch64-static rather
// than relying on binfmt_misc, which containers often lack; -L / takes the loader
// and libraries from this machine's arm64 multiarch packages.
func qemu(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "qemu-aarch64-static", append([]string{"-L", "/", filepath.Join(arm64Dir, name)}, args...)...)
}

// listening finds the address both servers print once their listener is open.
var listening = regexp.MustCompile(`listening on https?://(127\.0\.0\.1:[0-9]+)`)

// startServer starts a server under qemu and returns the address it listens on. At
// cleanup it stops the server as a service manager would, with SIGTERM (qemu passes
// it on), and fails the test unless the server then closes cleanly.
func startServer(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	cmd := qemu(context.Background(), name, args...)
	stderr, err := os.Create(filepath.Join(tb.TempDir(), "stderr"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { stderr.Close() })
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	logs := func() string {
		b, _ := os.ReadFile(stderr.Name())
		return string(b)
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan error, 1)
	addr := make(chan string, 1)
	go func() {
		s, found := bufio.NewScanner(stdout), false
		for s.Scan() {
			if m := listening.FindStringSubmatch(s.Text()); m != nil && !found {
				addr <- m[1]
				found = true
			}
		}
		exited <- cmd.Wait()
	}()
	tb.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				tb.Errorf("%s did not stop cleanly on SIGTERM: %v\n%s", name, err, logs())
			}
		case <-time.After(qemuStopTimeout):
			cmd.Process.Kill()
			<-exited
			tb.Errorf("%s still running %v after SIGTERM\n%s", name, qemuStopTimeout, logs())
		}
	})
	select {
	case a := <-addr:
		tb.Logf("%s listening on %s after %v under qemu", name, a, time.Since(began).Round(time.Millisecond))
		return a
	case err := <-exited:
		exited <- nil // reported here: the cleanup has nothing to add
		tb.Fatalf("%s exited before it listened: %v\n%s", name, err, logs())
	case <-time.After(qemuStartTimeout):
		tb.Fatalf("%s not listening after %v\n%s", name, qemuStartTimeout, logs())
	}
	return ""
}

// checkHealth asks url for the health route and checks that the server there is up
// and is the build under test.
func checkHealth(tb testing.TB, client *http.Client, url, version string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var health struct{ Status, Version string }
	if err := json.NewDecoder(resp.Body).Decode(&health); err != nil {
		tb.Fatalf("GET %s: %s, body not JSON: %v", url, resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK || health.Status != "ok" || health.Version != version {
		tb.Errorf("GET %s: %s %+v, want 200 OK, status ok, version %s", url, resp.Status, health, version)
	}
}
