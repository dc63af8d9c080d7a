//go:build package

package packaging_test

import (
	"bytes"
	"crypto/tls"
	"debug/pe"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The Windows packages, as `make package` leaves them in build/dist, checked the way
// a station or a county would meet them: the installer's contents, its install,
// upgrade and removal, and both programs serving, all under Wine. One Wine prefix
// serves every subtest, in order: the installer subtest installs into it.
//
// What Wine here cannot show: the kiosk window (WebView2 does not run under Wine),
// and a console for AttachConsole (commands print through pipes in these tests).

// winDist is what build/dist holds for Windows, and the version it was built as.
type winDist struct {
	Version         string
	Station, County string // bingzhan.exe, bingzhan-county.exe
	Setup           string // bingzhan-setup-VERSION.exe
}

// mustDist finds the Windows files in build/dist; the installer's name gives the
// version, which every other file must carry too.
func mustDist(t *testing.T) *winDist {
	t.Helper()
	setups, _ := filepath.Glob(filepath.Join(dist, "bingzhan-setup-*.exe"))
	if len(setups) != 1 {
		t.Fatalf("want one bingzhan-setup-VERSION.exe in %s (run make package), found %v", dist, setups)
	}
	d := &winDist{Setup: setups[0], Station: filepath.Join(dist, "bingzhan.exe"), County: filepath.Join(dist, "bingzhan-county.exe"),
		Version: strings.TrimSuffix(strings.TrimPrefix(filepath.Base(setups[0]), "bingzhan-setup-"), ".exe")}
	for _, f := range []string{d.Station, d.County, d.Setup} {
		mustPE64(t, f)
	}
	return d
}

// mustPE64 checks that path is a 64-bit Windows program.
func mustPE64(t *testing.T, path string) {
	t.Helper()
	f, err := pe.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		t.Fatalf("%s: machine %#x, want amd64", path, f.Machine)
	}
}

// winVersion is version as Windows shows it: four numbers.
func winVersion(version string) string {
	for strings.Count(version, ".") < 3 {
		version += ".0"
	}
	return version
}

func TestWindows(t *testing.T) {
	d := mustDist(t)
	t.Run("Resources", func(t *testing.T) { testResources(t, d) })
	t.Run("InstallerScript", func(t *testing.T) { testInstallerScript(t, d) })
	w := MustWine(t)
	t.Run("StationVersion", func(t *testing.T) {
		if out := w.Run(t, d.Station, "version"); !strings.HasPrefix(out, "bingzhan "+d.Version+" ") {
			t.Errorf("bingzhan.exe version printed %q, want bingzhan %s COMMIT", out, d.Version)
		}
	})
	t.Run("StationServe", func(t *testing.T) {
		id, _ := serveStation(t, w, d.Station, d.Version, "--data", w.Path(t.TempDir()))
		if id == "" {
			t.Error("health names no station")
		}
	})
	t.Run("CountyServe", func(t *testing.T) { testCountyServe(t, w, d) })
	t.Run("CountyService", func(t *testing.T) { testCountyService(t, w, d) })
	t.Run("InstallUpgradeRemove", func(t *testing.T) { testInstallUpgradeRemove(t, w, d) })
}

// testResources checks what Explorer shows of each file: an icon, the version, and for
// the programs a manifest that makes them sharp on a high-DPI screen and asks for no
// administrator.
func testResources(t *testing.T, d *winDist) {
	for _, exe := range []string{d.Station, d.County, d.Setup} {
		if file, product := fixedVersion(t, exe); file != winVersion(d.Version) || product != winVersion(d.Version) {
			t.Errorf("%s: file version %q, product version %q; want %s", exe, file, product, winVersion(d.Version))
		}
		res := extractResources(t, exe)
		if len(res.Icons) == 0 {
			t.Errorf("%s has no icon", exe)
		}
		if exe == d.Setup {
			continue // NSIS makes the installer's manifest (administrator, DPI aware)
		}
		m, ok := res.Manifest["#1"]["0409"]
		switch {
		case !ok:
			t.Errorf("%s has no manifest", exe)
		case m.DPIAwareness != "per monitor v2" || !m.CommonControlsV6 || m.ExecutionLevel != "":
			t.Errorf("%s manifest: DPI %q, common controls 6 %v, execution level %q; want per monitor v2, true, as invoker",
				exe, m.DPIAwareness, m.CommonControlsV6, m.ExecutionLevel)
		}
	}
}

// fixedVersion reads the file and product versions of exe's VS_FIXEDFILEINFO, the
// numbers Explorer shows (go-winres cannot read the code page of NSIS's version info).
func fixedVersion(t *testing.T, exe string) (file, product string) {
	t.Helper()
	f, err := pe.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rsrc := f.Section(".rsrc")
	if rsrc == nil {
		return "", ""
	}
	data, err := rsrc.Data()
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte{0xbd, 0x04, 0xef, 0xfe}) // the structure's signature, 0xFEEF04BD
	if i < 0 || len(data) < i+24 {
		return "", ""
	}
	four := func(ms, ls uint32) string {
		return fmt.Sprintf("%d.%d.%d.%d", ms>>16, ms&0xffff, ls>>16, ls&0xffff)
	}
	v := data[i:]
	le := binary.LittleEndian
	return four(le.Uint32(v[8:]), le.Uint32(v[12:])), four(le.Uint32(v[16:]), le.Uint32(v[20:]))
}

// resources is the part of go-winres's winres.json that the test reads.
type resources struct {
	Icons    map[string]any `json:"RT_GROUP_ICON"`
	Manifest map[string]map[string]struct {
		DPIAwareness     string `json:"dpi-awareness"`
		CommonControlsV6 bool   `json:"use-common-controls-v6"`
		ExecutionLevel   string `json:"execution-level"`
	} `json:"RT_MANIFEST"`
}

// extractResources reads exe's resources with go-winres, the tool that made them.
func extractResources(t *testing.T, exe string) resources {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("go", "run", "github.com/tc-hib/go-winres@v0.3.3", "extract", "--dir", dir, exe).CombinedOutput()
	if err != nil {
		t.Fatalf("go-winres extract %s: %v\n%s", exe, err, out)
	}
	var res resources
	b, err := os.ReadFile(filepath.Join(dir, "winres.json"))
	if err == nil {
		err = json.Unmarshal(b, &res)
	}
	if err != nil {
		t.Fatalf("%s: %v", exe, err)
	}
	return res
}

// makeSetup builds the installer from packaging/windows/bingzhan.nsi as
// packaging/windows.mk does, around the bingzhan.exe in build/dist, as version into
// dir, and returns its path and makensis's log of every instruction.
func makeSetup(t *testing.T, d *winDist, version, dir string) (string, string) {
	t.Helper()
	icon := filepath.Join(t.TempDir(), "bingzhan.ico")
	if out, err := exec.Command("convert", "../build/appicon.png", "-define", "icon:auto-resize=256,48,32,16", icon).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v\n%s", err, out)
	}
	setup := filepath.Join(dir, "bingzhan-setup-"+version+".exe")
	cmd := exec.Command("makensis", "-V4", "-NOCD", "-DVERSION="+version, "-DWIN_VERSION="+winVersion(version),
		"-DEXE="+d.Station, "-DICON="+icon, "-DOUTFILE="+setup, "windows/bingzhan.nsi")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("makensis: %v\n%s", err, out)
	}
	return setup, string(out)
}

// testInstallerScript reads makensis's log of the installer: what it installs, the
// shortcuts, auto-start, Programs and Features, and an uninstaller that deletes no
// data folder.
func testInstallerScript(t *testing.T, d *winDist) {
	setup, log := makeSetup(t, d, d.Version, t.TempDir())
	mustPE64(t, setup)
	for _, want := range []string{
		`File: "bingzhan.exe"->"bingzhan.exe"`,
		`WriteUninstaller: "$INSTDIR\uninstall.exe"`,
		`CreateShortcut: "$SMPROGRAMS\兵站 Bingzhan\$(ShortcutKiosk).lnk"->"$INSTDIR\bingzhan.exe" `,
		`CreateShortcut: "$SMPROGRAMS\兵站 Bingzhan\$(ShortcutWindowed).lnk"->"$INSTDIR\bingzhan.exe" --windowed `,
		`WriteRegStr: HKCU\Software\Microsoft\Windows\CurrentVersion\Run\Bingzhan="$INSTDIR\bingzhan.exe"`,
		`WriteRegStr: HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\Bingzhan\DisplayVersion=` + d.Version,
		`WriteRegStr: HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\Bingzhan\Publisher=Bingzhan`,
		`LangString: "ShortcutKiosk" 2052 "兵站 服务站终端"`,
		`LangString: "ShortcutKiosk" 1033 "Bingzhan kiosk"`,
		`Install: 5 pages`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("makensis log lacks %s", want)
		}
	}
	uninstall := log[strings.Index(log, `Section: "Uninstall"`):]
	if strings.Contains(uninstall, "LOCALAPPDATA") || strings.Contains(uninstall, "AppData") {
		t.Errorf("the uninstaller touches the data folder:\n%s", uninstall)
	}
	if t.Failed() {
		t.Log(log)
	}
}

// healthRE is the address `bingzhan serve` prints when it listens.
var healthRE = regexp.MustCompile(`Open (http://\S+)/ in a browser`)

// serveStation starts exe serve on a free loopback port under Wine, checks its health
// and version, and returns its station id and how to stop it.
func serveStation(t *testing.T, w *Wine, exe, version string, args ...string) (string, func()) {
	t.Helper()
	m, stop := w.Start(t, healthRE, exe, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	url := m[1]
	var h struct {
		Status, Version string
		StationID       string `json:"station_id"`
	}
	mustGetJSON(t, http.DefaultClient, url+"/api/v1/health", &h)
	if h.Status != "ok" || h.Version != version {
		t.Errorf("station health: %+v, want status ok and version %s", h, version)
	}
	return h.StationID, stop
}

// mustGetJSON gets url (retrying for 30 s while nothing listens yet) and decodes it.
func mustGetJSON(t *testing.T, c *http.Client, url string, out any) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := c.Get(url)
		if err == nil {
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %s", url, resp.Status)
			}
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				t.Fatalf("GET %s: %v", url, err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// countyHealth is the county's GET /api/v1/health.
type countyHealth struct{ Status, Version string }

// insecure talks to the county's own certificate, which only stations' pins trust.
var insecure = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}

// testCountyServe runs the county as a county IT person first would: serve on a data
// folder, with the certificate it makes itself.
func testCountyServe(t *testing.T, w *Wine, d *winDist) {
	if out := w.Run(t, d.County, "version"); !strings.HasPrefix(out, "bingzhan-county "+d.Version+" ") {
		t.Errorf("bingzhan-county.exe version printed %q", out)
	}
	m, _ := w.Start(t, regexp.MustCompile(`listening on (https://\S+)`), d.County, "serve", "--addr", "127.0.0.1:0", "--data", w.Path(t.TempDir()))
	var h countyHealth
	mustGetJSON(t, insecure, m[1]+"/api/v1/health", &h)
	if h.Status != "ok" || h.Version != d.Version {
		t.Errorf("county health: %+v", h)
	}
}

// freePort is a loopback port nothing listens on, for a program whose output the test
// does not see (a service).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// testCountyService installs the county as a Windows service, finds it serving, and
// removes it: the service stops cleanly (the database is free afterwards) and the data
// stays.
func testCountyService(t *testing.T, w *Wine, d *winDist) {
	data := filepath.Join(t.TempDir(), "county")
	addr := "127.0.0.1:" + freeAddr(t)
	if out, err := w.Try(d.County, "service", "install", "--data", "county-data"); err == nil || !strings.Contains(out, "full path") {
		t.Errorf("service install with a relative --data: %v\n%s", err, out)
	}
	out := w.Run(t, d.County, "service", "install", "--data", w.Path(data), "--addr", addr, "--no-tls")
	t.Log(out) // Wine 8 refuses the restart-on-failure settings: the output says so
	if !strings.Contains(out, "is running and starts with Windows") {
		t.Errorf("service install printed:\n%s", out)
	}
	removed := false
	t.Cleanup(func() {
		if !removed {
			w.Try(d.County, "service", "remove")
		}
		if t.Failed() {
			log, err := os.ReadFile(filepath.Join(data, "bingzhan-county.log"))
			t.Logf("service log (%v):\n%s", err, log)
		}
	})
	key := `HKLM\System\CurrentControlSet\Services\bingzhan-county`
	if start := w.RegValue(t, key, "Start"); start != "0x2" {
		t.Errorf("service start type %q, want 0x2 (automatic)", start)
	}
	if img := w.RegValue(t, key, "ImagePath"); !strings.Contains(img, `bingzhan-county.exe" service run --data `+w.Path(data)) &&
		!strings.Contains(img, `bingzhan-county.exe service run --data `+w.Path(data)) {
		t.Errorf("service command line %q", img)
	}
	var h countyHealth
	mustGetJSON(t, insecure, "http://"+addr+"/api/v1/health", &h)
	if h.Status != "ok" || h.Version != d.Version {
		t.Errorf("county service health: %+v", h)
	}
	if out, err := w.Try(d.County, "service", "install", "--data", w.Path(data)); err == nil || !strings.Contains(out, "installed already") {
		t.Errorf("second service install: %v\n%s", err, out)
	}

	out = w.Run(t, d.County, "service", "remove")
	removed = true
	if !strings.Contains(out, "stopped and removed") {
		t.Errorf("service remove printed:\n%s", out)
	}
	if _, err := insecure.Get("http://" + addr + "/api/v1/health"); err == nil {
		t.Error("the county still answers after service remove")
	}
	log, err := os.ReadFile(filepath.Join(data, "bingzhan-county.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"started by the service manager", "listening on http://" + addr, "stopped by the service manager"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("service log lacks %q:\n%s", want, log)
		}
	}
	// The database was closed: a command that opens it directly works.
	w.Run(t, d.County, "station", "list", "--data", w.Path(data))
	if _, err := os.Stat(filepath.Join(data, "county.db")); err != nil {
		t.Errorf("the data is gone after service remove: %v", err)
	}
}

// testInstallUpgradeRemove installs an older version from the same script (with
// Microsoft's WebView2 installer stood in for beside it), makes station data with the
// installed program, upgrades with the installer in build/dist, and uninstalls: the
// program and its entries go, the station and its data stay through all of it.
func testInstallUpgradeRemove(t *testing.T, w *Wine, d *winDist) {
	const (
		exe       = `C:\Program Files\Bingzhan\bingzhan.exe`
		uninstall = `HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\Bingzhan`
		run       = `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`
	)
	old := t.TempDir()
	oldSetup, _ := makeSetup(t, d, "0.0.1", old)
	fake := exec.Command("go", "build", "-o", filepath.Join(old, "MicrosoftEdgeWebView2RuntimeInstallerX64.exe"), "testdata/fakewebview2.go")
	fake.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := fake.CombinedOutput(); err != nil {
		t.Fatalf("build the stand-in WebView2 installer: %v\n%s", err, out)
	}

	w.Run(t, oldSetup, "/S")
	if got := w.RegValue(t, uninstall, "DisplayVersion"); got != "0.0.1" {
		t.Errorf("Programs and Features shows version %q after installing 0.0.1", got)
	}
	if got := w.RegValue(t, uninstall, "Publisher"); got != "Bingzhan" {
		t.Errorf("Programs and Features shows publisher %q", got)
	}
	if got := w.RegValue(t, run, "Bingzhan"); got != `"`+exe+`"` {
		t.Errorf("auto-start %q, want %q", got, `"`+exe+`"`)
	}
	menu := w.Drive(`C:\ProgramData\Microsoft\Windows\Start Menu\Programs\兵站 Bingzhan`)
	if links, _ := filepath.Glob(filepath.Join(menu, "*.lnk")); len(links) != 2 {
		t.Errorf("Start menu entries %v, want the kiosk and the windowed one", links)
	}
	// WebView2 is not in Wine's registry, so setup ran the installer beside it.
	if args, err := os.ReadFile(filepath.Join(old, "webview2-args.txt")); err != nil || string(args) != "/silent /install" {
		t.Errorf("WebView2 installer beside setup: ran with %q (%v), want /silent /install", args, err)
	}

	// A station the installed program made in its default data folder.
	station, stop := serveStation(t, w, exe, d.Version)
	datas, _ := filepath.Glob(filepath.Join(w.Prefix, "drive_c", "users", "*", "AppData", "Local", "Bingzhan", "bingzhan.db"))
	if len(datas) != 1 {
		t.Fatalf("station database in %%LOCALAPPDATA%%\\Bingzhan: found %v", datas)
	}
	stop() // setup cannot replace a running kiosk

	// Auto-start switched off by hand stays off through the upgrade.
	w.Run(t, "reg", "delete", run, "/v", "Bingzhan", "/f")
	w.Run(t, d.Setup, "/S")
	if got := w.RegValue(t, uninstall, "DisplayVersion"); got != d.Version {
		t.Errorf("Programs and Features shows version %q after the upgrade to %s", got, d.Version)
	}
	if got := w.RegValue(t, run, "Bingzhan"); got != "" {
		t.Errorf("the upgrade turned auto-start back on: %q", got)
	}
	got, stop := serveStation(t, w, exe, d.Version)
	if got != station {
		t.Errorf("after the upgrade the station is %s, was %s", got, station)
	}
	stop()

	// NSIS's uninstaller copies itself to TEMP and returns at once; the copy removes.
	w.Run(t, `C:\Program Files\Bingzhan\uninstall.exe`, "/S")
	deadline := time.Now().Add(time.Minute)
	for _, err := os.Stat(w.Drive(exe)); err == nil; _, err = os.Stat(w.Drive(exe)) {
		if time.Now().After(deadline) {
			t.Fatal("bingzhan.exe still installed a minute after uninstall")
		}
		time.Sleep(300 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // the registry and the menu follow the files
	if got := w.RegValue(t, uninstall, "DisplayName"); got != "" {
		t.Errorf("Programs and Features still lists %q", got)
	}
	if _, err := os.Stat(menu); err == nil {
		t.Error("the Start menu entries are still there after uninstall")
	}
	if _, err := os.Stat(datas[0]); err != nil {
		t.Errorf("uninstall removed the station's data: %v", err)
	}
}
