//go:build package

package packaging_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// distDeb returns the one package of name and arch in build/dist and its version.
func distDeb(t *testing.T, name, arch string) (path, version string) {
	t.Helper()
	found, _ := filepath.Glob(filepath.Join(dist, name+"_*_"+arch+".deb"))
	if len(found) != 1 {
		t.Fatalf("%s_VERSION_%s.deb in %s: found %v (run make package first)", name, arch, dist, found)
	}
	path, _ = filepath.Abs(found[0])
	version = strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), name+"_"), "_"+arch+".deb")
	return path, version
}

// TestDeb_Lintian: every package passes lintian without an error or a warning; the
// overrides shipped with a package say why for each tag left.
func TestDeb_Lintian(t *testing.T) {
	for _, arch := range []string{"amd64", "arm64"} {
		for _, name := range []string{"bingzhan", "bingzhan-county"} {
			deb, _ := distDeb(t, name, arch)
			out, err := exec.Command("lintian", "--fail-on", "error,warning", "--no-tag-display-limit", deb).CombinedOutput()
			if err != nil {
				t.Errorf("lintian %s: %v\n%s", filepath.Base(deb), err, out)
			}
		}
	}
}

// TestDeb_Contents: the station package holds the program, its menu entry and the
// log-in entry that opens the kiosk, each valid for the desktops; the county package
// its program and a service that passes systemd's checks.
func TestDeb_Contents(t *testing.T) {
	station, _ := distDeb(t, "bingzhan", "amd64")
	files := debFiles(t, station)
	for _, want := range []string{"./usr/bin/bingzhan", "./usr/share/applications/cn.bingzhan.kiosk.desktop",
		"./etc/xdg/autostart/cn.bingzhan.kiosk.desktop", "./usr/share/icons/hicolor/256x256/apps/bingzhan.png"} {
		if !files[want] {
			t.Errorf("%s: no %s", filepath.Base(station), want)
		}
	}
	control := debField(t, station, "Depends")
	if !strings.Contains(control, "libwebkit2gtk-4.1-0") {
		t.Errorf("the station package depends on %q: the window needs libwebkit2gtk-4.1-0", control)
	}
	for _, f := range []string{"cn.bingzhan.kiosk.desktop", "cn.bingzhan.kiosk-autostart.desktop"} {
		if out, err := exec.Command("desktop-file-validate", filepath.Join("deb", f)).CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("desktop-file-validate %s: %v\n%s", f, err, out)
		}
	}
	county, _ := distDeb(t, "bingzhan-county", "amd64")
	files = debFiles(t, county)
	for _, want := range []string{"./usr/bin/bingzhan-county", "./lib/systemd/system/bingzhan-county.service",
		"./etc/bingzhan-county/serve.conf"} {
		if !files[want] {
			t.Errorf("%s: no %s", filepath.Base(county), want)
		}
	}
	unit := filepath.Join("deb", "bingzhan-county.service")
	// The exposure score systemd gives the sandbox, 0 (locked down) to 10.
	out, err := exec.Command("systemd-analyze", "security", "--offline=true", "--no-pager", unit).CombinedOutput()
	m := regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	if score, _ := strconv.ParseFloat(string(m[1]), 64); score > 2 {
		t.Errorf("the county service's exposure is %.1f: want 2 or less (a hardened service)", score)
	}
}

// TestDeb_UpgradeAndRemove installs a previous build of both packages, gives them
// data the way a station and a county would, installs this build over them, and
// checks every ticket, account and key is still there; then removes and purges the
// packages and checks the data is still there, for the next install to find.
func TestDeb_UpgradeAndRemove(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("installs packages: run as root")
	}
	station, version := distDeb(t, "bingzhan", "amd64")
	county, _ := distDeb(t, "bingzhan-county", "amd64")
	old := previousBuild(t)
	t.Cleanup(func() {
		exec.Command("dpkg", "--purge", "bingzhan", "bingzhan-county").Run()
		os.RemoveAll("/var/lib/bingzhan-county")
		exec.Command("deluser", "--quiet", "--system", "bingzhan-county").Run()
	})
	kiosk := kioskUser(t)

	dpkg(t, "-i", old["bingzhan"], old["bingzhan-county"])
	if v := run(t, nil, "/usr/bin/bingzhan", "version"); !strings.HasPrefix(v, "bingzhan "+previousVersion+" ") {
		t.Fatalf("the old build says %q", v)
	}
	checkCountyInstall(t)

	// The station: an admin, a ticket, its key.
	run(t, kiosk, "/usr/bin/bingzhan", "staff", "add", "--name", "王站长", "--role", "admin", "--pin", "246810")
	s := startStation(t, kiosk)
	ticket := s.post(t, "/api/v1/tickets", "", map[string]any{"service": "B", "request_id": "deb-upgrade-1"})["id"].(string)
	key := s.get(t, "/api/v1/station")["public_key"]
	s.stop(t)

	// The county: a staff login and an enrolled station, the service's own settings.
	countyPort := freePort(t)
	conf := fmt.Sprintf("# changed by the county's IT\nBINGZHAN_COUNTY_ARGS=\"--addr 127.0.0.1:%d --no-tls\"\n", countyPort)
	if err := os.WriteFile("/etc/bingzhan-county/serve.conf", []byte(conf), 0o640); err != nil {
		t.Fatal(err)
	}
	service := countyUser(t)
	run(t, service, "/usr/bin/bingzhan-county", "user", "add", "李科长", "--pin", "135790", "--data", "/var/lib/bingzhan-county")
	c := startCountyService(t, service, countyPort)
	run(t, service, "/usr/bin/bingzhan-county", "station", "add", "东风镇服务站", "--out", "/var/lib/bingzhan-county/东风镇.json",
		"--data", "/var/lib/bingzhan-county")
	c.post(t, "/api/v1/login", "", map[string]string{"name": "李科长", "pin": "135790"})
	c.stop(t)

	// This build over the old one: the same data, the county's settings kept.
	dpkg(t, "-i", station, county)
	if v := run(t, nil, "/usr/bin/bingzhan", "version"); !strings.HasPrefix(v, "bingzhan "+version+" ") {
		t.Fatalf("after the upgrade the program says %q, want version %s", v, version)
	}
	if got, _ := os.ReadFile("/etc/bingzhan-county/serve.conf"); string(got) != conf {
		t.Errorf("the upgrade changed the county's settings:\n%s", got)
	}
	checkStationData(t, kiosk, ticket, key)
	checkCountyData(t, service, countyPort)

	// Removed, and then purged: the program goes, the data stays.
	dpkg(t, "--remove", "bingzhan", "bingzhan-county")
	if _, err := os.Stat("/usr/bin/bingzhan"); err == nil {
		t.Error("/usr/bin/bingzhan is still there after removal")
	}
	dpkg(t, "--purge", "bingzhan", "bingzhan-county")
	for _, dir := range []string{filepath.Join(kiosk.home, ".local/share/bingzhan"), "/var/lib/bingzhan-county"} {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("purging the packages removed the data in %s: %v", dir, err)
		}
	}
	// Installed again, both find their data.
	dpkg(t, "-i", station, county)
	os.WriteFile("/etc/bingzhan-county/serve.conf", []byte(conf), 0o640) // purge took the settings
	checkStationData(t, kiosk, ticket, key)
	checkCountyData(t, service, countyPort)
}

// previousVersion is the version of the build installed before this one: older than
// any build of main (VERSION's major.minor and the commit count).
const previousVersion = "0.9.0"

// previousBuild makes both amd64 packages again as version previousVersion, in a
// folder of the test's, and returns them by package name.
func previousBuild(t *testing.T) map[string]string {
	dir := t.TempDir()
	out := filepath.Join(dir, "dist")
	debs := map[string]string{}
	var targets []string
	for _, name := range []string{"bingzhan", "bingzhan-county"} {
		debs[name] = filepath.Join(out, name+"_"+previousVersion+"_amd64.deb")
		targets = append(targets, debs[name])
	}
	args := append([]string{"-C", "..", "--no-print-directory", "VERSION=" + previousVersion,
		"PKG=" + filepath.Join(dir, "package"), "DIST=" + out}, targets...)
	if out, err := exec.Command("make", args...).CombinedOutput(); err != nil {
		t.Fatalf("make the previous build: %v\n%s", err, tail(out, 40))
	}
	return debs
}

func dpkg(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("dpkg", args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, tail(out, 30))
	}
}

// checkCountyInstall: the package made the service's user and its private data
// folder, and enabled the service for the next boot.
func checkCountyInstall(t *testing.T) {
	t.Helper()
	u, err := user.Lookup("bingzhan-county")
	if err != nil {
		t.Fatalf("no user bingzhan-county: %v", err)
	}
	fi, err := os.Stat("/var/lib/bingzhan-county")
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if fi.Mode().Perm() != 0o700 || strconv.Itoa(int(st.Uid)) != u.Uid {
		t.Errorf("/var/lib/bingzhan-county is %v owned by %d: want 0700 and the service's user", fi.Mode(), st.Uid)
	}
	if _, err := os.Lstat("/etc/systemd/system/multi-user.target.wants/bingzhan-county.service"); err != nil {
		t.Errorf("the service is not enabled: %v", err)
	}
}

// checkStationData: the kiosk user's station still has its ticket, its admin and
// its key.
func checkStationData(t *testing.T, kiosk *account, ticket string, key any) {
	t.Helper()
	s := startStation(t, kiosk)
	defer s.stop(t)
	if got := s.get(t, "/api/v1/tickets/"+ticket); got["id"] != ticket {
		t.Errorf("ticket %s after the upgrade: %v", ticket, got)
	}
	if got := s.get(t, "/api/v1/station")["public_key"]; got != key {
		t.Errorf("the station's key changed: %v, was %v", got, key)
	}
	s.post(t, "/api/v1/login", "", map[string]string{"name": "王站长", "pin": "246810"})
}

// checkCountyData: the county still has its staff login and its station.
func checkCountyData(t *testing.T, service *account, port int) {
	t.Helper()
	c := startCountyService(t, service, port)
	defer c.stop(t)
	c.post(t, "/api/v1/login", "", map[string]string{"name": "李科长", "pin": "135790"})
	if list := run(t, service, "/usr/bin/bingzhan-county", "station", "list", "--data", "/var/lib/bingzhan-county"); !strings.Contains(list, "东风镇服务站") {
		t.Errorf("station list after the upgrade:\n%s", list)
	}
}

// An account runs the programs as a user of this machine.
type account struct {
	uid, gid uint32
	home     string
}

func lookupAccount(t *testing.T, name string) *account {
	t.Helper()
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &account{uid: uint32(uid), gid: uint32(gid), home: u.HomeDir}
}

// kioskUser makes the desktop user the kiosk runs as, whose home holds the
// station's data, and removes it (home and all) at the end.
func kioskUser(t *testing.T) *account {
	t.Helper()
	const name = "bzkiosk"
	exec.Command("userdel", "-r", name).Run() // left by an interrupted run
	if out, err := exec.Command("useradd", "--create-home", "--shell", "/bin/bash", name).CombinedOutput(); err != nil {
		t.Fatalf("useradd: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("userdel", "-r", name).Run() })
	return lookupAccount(t, name)
}

func countyUser(t *testing.T) *account { return lookupAccount(t, "bingzhan-county") }

// command is name with args as a (nil: root), with a login's HOME and PATH.
func command(a *account, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}
	if a != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: a.uid, Gid: a.gid}}
		cmd.Env = append(cmd.Env, "HOME="+a.home)
		cmd.Dir = a.home
	}
	return cmd
}

// run runs a command to its end and returns its output.
func run(t *testing.T, a *account, name string, args ...string) string {
	t.Helper()
	out, err := command(a, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// server is a running bingzhan or bingzhan-county serve.
type server struct {
	cmd    *exec.Cmd
	exited chan error // gets the end of cmd
	base   string
	log    *bytes.Buffer
}

// startStation runs the installed `bingzhan serve` as the kiosk user, on the data
// folder the kiosk uses (the default), and waits for its health.
func startStation(t *testing.T, kiosk *account) *server {
	t.Helper()
	port := freePort(t)
	return start(t, command(kiosk, "/usr/bin/bingzhan", "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port)), port)
}

// startCountyService runs what the systemd unit runs: its ExecStart, with the
// variables of its EnvironmentFile, as its User. (There is no systemd running here;
// systemd-analyze checks the rest of the unit.)
func startCountyService(t *testing.T, service *account, port int) *server {
	t.Helper()
	unit, err := os.ReadFile("/lib/systemd/system/bingzhan-county.service")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	conf, _ := os.ReadFile("/etc/bingzhan-county/serve.conf")
	for _, line := range strings.Split(string(conf), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = strings.Trim(v, `"`)
		}
	}
	m := regexp.MustCompile(`(?m)^ExecStart=(.+)$`).FindSubmatch(unit)
	if m == nil {
		t.Fatal("the unit has no ExecStart")
	}
	// systemd splits $VAR at white space.
	argv := strings.Fields(os.Expand(string(m[1]), func(k string) string { return env[k] }))
	return start(t, command(service, argv[0], argv[1:]...), port)
}

func start(t *testing.T, cmd *exec.Cmd, port int) *server {
	t.Helper()
	s := &server{cmd: cmd, exited: make(chan error, 1), base: fmt.Sprintf("http://127.0.0.1:%d", port), log: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- cmd.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		select {
		case err := <-s.exited:
			t.Fatalf("%s exited (%v):\n%s", cmd.Path, err, s.log)
		default:
		}
		if resp, err := http.Get(s.base + "/api/v1/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("%s: no health in 20 s:\n%s", cmd.Path, s.log)
		}
	}
}

// stop ends the server as systemd or the desktop would (SIGTERM), and waits for it
// to exit: its database is closed then.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("%s did not stop on SIGTERM:\n%s", s.cmd.Path, s.log)
	}
}

func (s *server) get(t *testing.T, path string) map[string]any {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, resp, "GET "+path)
}

func (s *server) post(t *testing.T, path, token string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, s.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, resp, "POST "+path)
}

func decode(t *testing.T, resp *http.Response, what string) map[string]any {
	t.Helper()
	defer resp.Body.Close()
	var v map[string]any
	err := json.NewDecoder(resp.Body).Decode(&v)
	if resp.StatusCode/100 != 2 || err != nil {
		t.Fatalf("%s: %s %v %v", what, resp.Status, v, err)
	}
	return v
}

// debFiles lists the paths a package installs.
func debFiles(t *testing.T, deb string) map[string]bool {
	t.Helper()
	out, err := exec.Command("dpkg-deb", "--fsys-tarfile", deb).Output()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("tar", "-t")
	cmd.Stdin = bytes.NewReader(out)
	names, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, n := range strings.Split(string(names), "\n") {
		files[n] = true
	}
	return files
}

// debField returns a field of a package's control file.
func debField(t *testing.T, deb, field string) string {
	t.Helper()
	out, err := exec.Command("dpkg-deb", "--field", deb, field).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// tail returns the last n lines of out.
func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
