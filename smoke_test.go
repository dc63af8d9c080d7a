//go:build smoke

package main

// The desktop smoke test runs the real kiosk binary in a real X server (Xvfb) and
// drives the real WebKitGTK window with the real mouse (xdotool), the way a veteran
// at the station does: nothing is stubbed, so it catches what unit and browser tests
// cannot — a window that never opens, a page that cannot reach the in-process API
// through Wails' AssetServer, a database that is not closed on SIGTERM.
//
// Finding what to click: a native WebKitGTK window offers no DOM to query (no
// debugging port in a release build), and the layout is responsive and still
// changing. So the test looks at the screen, as a person does, and finds the parts
// by the one colour the design reserves for them: deep red (#b71c1c) fills the
// 取号 tile on the home screen, the letter badges of the service tiles, the two
// answer buttons of the priority question and the staff's way into the console, and
// writes the station's name; the strip over staff screens at the kiosk is near black
// with one white button; the voice guide switch is a wide box outlined in ink, in
// red once it is on. Shapes found by colour survive changes of
// size, spacing and wording that would break fixed coordinates.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// smokeScreenW and smokeScreenH are the virtual screen: the most common kiosk panel.
const smokeScreenW, smokeScreenH = 1280, 800

// TestSmoke opens the kiosk window on a virtual screen, takes a ticket through the
// window with the mouse, stops the program with SIGTERM and checks with a second
// run that the ticket reached the database; the kiosk's memory must be within its
// budgets (smoke_bench_test.go). With BINGZHAN_BENCH=1 it only launches the window a
// few times per station and holds the medians of start-up time and memory to them.
func TestSmoke(t *testing.T) {
	bin, scr := smokeSetUp(t)
	shots := scr.dir

	if os.Getenv("BINGZHAN_BENCH") == "1" {
		benchWindow(t, bin, scr)
		return
	}

	// What a fresh demo station shows, from the same binary, so the final check does
	// not depend on the demo data staying as it is today.
	base := startSmokeServe(t, bin, t.TempDir(), true)
	var services []struct {
		Letter string `json:"letter"`
	}
	smokeGetJSON(t, base.url+"/api/v1/services", &services)
	before := smokeQueue(t, base.url)
	base.stop(t)
	if len(services) == 0 {
		t.Fatal("the demo station offers no services")
	}

	dir := t.TempDir()
	k := startKiosk(t, bin, scr.display, dir)
	k.waitReady(t)

	home, at := scr.waitFor(t, k, "home", findHomeTile)
	if err := home.save(filepath.Join(shots, "desktop-home.png")); err != nil {
		t.Fatal(err)
	}
	if n := home.colours(); n < 16 {
		t.Errorf("home screen has %d distinct colours; a rendered page has hundreds", n)
	}
	mem := k.logFigures(t, "")
	checkMemory(t, "demo station", mem.mb("", rssOf), mem.mb("", pssOf))

	scr.click(t, at)
	svcShot, badges := scr.waitForAll(t, k, "services", findServiceBadges)
	if err := svcShot.save(filepath.Join(shots, "desktop-services.png")); err != nil {
		t.Fatal(err)
	}
	if len(badges) != len(services) {
		t.Errorf("services screen shows %d service tiles, the API offers %d: some are cut off or hidden", len(badges), len(services))
	}
	// The grid is filled row by row in the API's order, so the badge nearest the top
	// left is the first service; the final check relies on that.
	chosen := services[0].Letter
	scr.click(t, badges[0])

	prio, answers := scr.waitForAll(t, k, "priority", findAnswerButtons)
	if err := prio.save(filepath.Join(shots, "desktop-priority.png")); err != nil {
		t.Fatal(err)
	}
	// "否，正常排队" follows "是，优先办理", so it is the later of the two buttons.
	scr.click(t, answers[len(answers)-1])

	if !smokeWait(10*time.Second, func() bool { return k.log.contains("method=POST path=/api/v1/tickets status=201") }) {
		t.Fatalf("the window's page issued no ticket (no POST /api/v1/tickets 201 in the log):\n%s", k.log.tail(30))
	}
	// The ticket screen is complete once its QR code has been fetched and the picture
	// stops changing.
	if !smokeWait(10*time.Second, func() bool { return qrFetched.MatchString(k.log.String()) }) {
		t.Errorf("the ticket screen never fetched its QR code:\n%s", k.log.tail(30))
	}
	ticket := scr.waitStable(t)
	if err := ticket.save(filepath.Join(shots, "desktop-ticket.png")); err != nil {
		t.Fatal(err)
	}
	if ticket.same(prio) {
		t.Error("the screen did not change after the priority answer")
	}

	k.stop(t)

	if _, err := os.Stat(filepath.Join(dir, "bingzhan.db")); err != nil {
		t.Fatalf("the kiosk left no database: %v", err)
	}
	// No --demo: whatever the queue shows now was read from the kiosk's database.
	after := startSmokeServe(t, bin, dir, false)
	got := smokeQueue(t, after.url)
	after.stop(t)
	want := maps.Clone(before)
	want[chosen]++
	if !maps.Equal(got, want) {
		t.Errorf("queue after the window's ticket for %s = %v, want %v (demo %v plus one)", chosen, got, want, before)
	}
}

// smokeSetUp returns the binary under test and a fresh virtual screen, skipping the
// test when no binary was built for it.
func smokeSetUp(t *testing.T) (string, *smokeScreen) {
	t.Helper()
	bin := os.Getenv("BINGZHAN_BIN")
	if bin == "" {
		t.Skip("BINGZHAN_BIN is not set; `make test-smoke` builds the binary and sets it")
	}
	// `make test` installs these, so a missing one is a broken set-up, not a reason to
	// skip.
	for _, tool := range []string{"Xvfb", "xdpyinfo", "import", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (`make setup` installs it): %v", tool, err)
		}
	}
	shots := os.Getenv("SCREENSHOT_DIR")
	if shots == "" {
		shots = filepath.Join("test-artifacts", "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, &smokeScreen{display: startXvfb(t), dir: shots, tmp: t.TempDir()}
}

// TestSmokeStaffAtKiosk works the queue from the kiosk window itself, as at a station
// with one PC: a long press on the station name, the staff console in the same window,
// a login typed on a keyboard, and back to the kiosk. The window's wails:// page keeps
// no cookies, so this is where the console's held Bearer token is proven; and only
// requests from the window (or the kiosk PC) get the staff names to tap. It also
// proves the event stream through Wails' asset server: the console stays quiet while
// nothing happens (it would poll every 3 s without the stream) and reloads within a
// second of a call made from a staff PC.
func TestSmokeStaffAtKiosk(t *testing.T) {
	bin, scr := smokeSetUp(t)
	dir := t.TempDir()
	if out, err := exec.Command(bin, "staff", "add", "--data", dir, "--name", "smoke", "--role", "staff", "--pin", "135790").CombinedOutput(); err != nil {
		t.Fatalf("staff add: %v: %s", err, out)
	}
	// The LAN listener too, for the staff PC that makes the call below.
	k := startKiosk(t, bin, scr.display, dir, "--addr", "127.0.0.1:0")
	k.waitReady(t)
	lan := listenLine.FindStringSubmatch(k.log.String())
	if lan == nil {
		t.Fatalf("the kiosk did not say where it listens:\n%s", k.log.tail(30))
	}
	_, _ = scr.waitFor(t, k, "home", findHomeTile)

	_, name := scr.waitFor(t, k, "station name", findStationName)
	scr.press(t, name, 3400*time.Millisecond)
	door, console := scr.waitFor(t, k, "staff door", findDoorButton)
	if err := door.save(filepath.Join(scr.dir, "desktop-staff-door.png")); err != nil {
		t.Fatal(err)
	}
	scr.click(t, console)
	if !smokeWait(10*time.Second, func() bool { return k.log.contains("path=/api/v1/kiosk/staff-names status=200") }) {
		t.Fatalf("the login at the kiosk got no staff names from the window:\n%s", k.log.tail(30))
	}
	login := scr.waitStable(t)
	if err := login.save(filepath.Join(scr.dir, "desktop-staff-login.png")); err != nil {
		t.Fatal(err)
	}
	// The name field has the focus at the kiosk; Enter moves on to the PIN, and Enter
	// there logs in.
	scr.keys(t, "type", "--delay", "80", "smoke")
	scr.keys(t, "key", "Return")
	scr.keys(t, "type", "--delay", "80", "135790")
	scr.keys(t, "key", "Return")
	if !smokeWait(10*time.Second, func() bool { return k.log.contains("path=/api/v1/login status=200") }) {
		t.Fatalf("no login from the window:\n%s", k.log.tail(30))
	}
	// The console's next calls only work if the window sends the session.
	if !smokeWait(10*time.Second, func() bool { return k.log.contains("path=/api/v1/counters status=200") }) {
		t.Fatalf("the console in the window is not logged in after its login (no GET /api/v1/counters 200):\n%s", k.log.tail(30))
	}
	if k.log.contains("path=/api/v1/me status=401") {
		t.Log("as expected, the window kept no cookie: the console uses its held token")
	}
	picker := scr.waitStable(t)
	if err := picker.save(filepath.Join(scr.dir, "desktop-staff-console.png")); err != nil {
		t.Fatal(err)
	}

	// Past the 5 s a stream may take to open, a console without one polls every 3 s.
	reloads := func() int { return strings.Count(k.log.String(), "path=/api/v1/waiting status=200") }
	time.Sleep(6 * time.Second)
	quiet := reloads()
	time.Sleep(4 * time.Second)
	if n := reloads() - quiet; n > 0 {
		t.Errorf("the console in the window reloaded %d times in 4 quiet seconds: it polls, so its event stream did not open", n)
	}
	before := reloads()
	smokeCallNext(t, "http://"+lan[1], "smoke", "135790")
	called := time.Now()
	if !smokeWait(5*time.Second, func() bool { return reloads() > before }) {
		t.Errorf("the console in the window did not follow a call made elsewhere:\n%s", k.log.tail(20))
	} else if d := time.Since(called); d > time.Second {
		t.Errorf("the console in the window followed a call after %v, want within 1 s (the event stream)", d)
	} else {
		t.Logf("the console in the window followed a call from a staff PC in %v", d.Round(time.Millisecond))
	}

	_, back := scr.waitFor(t, k, "back to kiosk", findBackToKiosk)
	scr.click(t, back)
	if !smokeWait(10*time.Second, func() bool { return k.log.contains("path=/api/v1/logout status=204") }) {
		t.Errorf("going back to the kiosk did not end the login:\n%s", k.log.tail(30))
	}
	_, _ = scr.waitFor(t, k, "home again", findHomeTile)
	k.stop(t)
}

// TestSmokeVoiceGuide turns the spoken guidance (语音引导) on in the kiosk window and
// listens: the page must play what it says, 开启语音引导 and then what the home
// screen is, each to its 'ended' and each for as long as the clip lasts, so the
// samples went through GStreamer's sink in real time. Chromium proves the order of
// the clips (voice-guide.test); only the window proves WebKitGTK plays them: its
// GStreamer cannot read the window's wails:// URLs, and the guide was once silent
// there while it spoke in Chromium. The page writes each clip played on its console,
// which -v puts in the log.
func TestSmokeVoiceGuide(t *testing.T) {
	bin, scr := smokeSetUp(t)
	want := []string{"/voice/guide/on.ogg", "/voice/guide/home.ogg"}
	lasts := map[string]time.Duration{}
	for _, clip := range want {
		d, err := oggDuration(filepath.Join("frontend", "public", clip))
		if err != nil {
			t.Fatal(err)
		}
		lasts[clip] = d
	}
	k := startKiosk(t, bin, scr.display, t.TempDir())
	k.waitReady(t)

	_, at := scr.waitFor(t, k, "voice guide switch", findGuideSwitch)
	scr.click(t, at)
	tapped := time.Now()
	on, _ := scr.waitFor(t, k, "voice guide on", findGuideOn)
	if err := on.save(filepath.Join(scr.dir, "desktop-voice-guide.png")); err != nil {
		t.Fatal(err)
	}
	// When each clip ended, after the tap: found by polling, so late by up to a poll,
	// never early.
	ended := map[string]time.Duration{}
	if !smokeWait(30*time.Second, func() bool {
		for _, clip := range k.played() {
			if _, ok := ended[clip]; !ok {
				ended[clip] = time.Since(tapped)
			}
		}
		return len(ended) >= len(want)
	}) {
		t.Fatalf("the window played %v to their end, want %v, after the guide was turned on; its page and GStreamer say:\n%s\n"+
			"(WebKitGTK needs gstreamer1.0-plugins-base and -good, which `make setup` installs)",
			k.played(), want, k.voiceLines())
	}
	if got := k.played()[:len(want)]; !slices.Equal(got, want) {
		t.Errorf("the window played %v, want %v first", got, want)
	}
	// A sink that drops the samples unplayed ends a clip at once. The slack covers the
	// tap landing a moment before xdotool returns, and the polls.
	const slack = 200 * time.Millisecond
	start := time.Duration(0)
	for _, clip := range want {
		took := ended[clip] - start
		if took < lasts[clip]-slack {
			t.Errorf("the window played %s (%v long) in %v: it was not played out", clip, lasts[clip].Round(time.Millisecond), took.Round(time.Millisecond))
		}
		t.Logf("the window played %s (%v long) to its end %v after the tap", clip, lasts[clip].Round(time.Millisecond), ended[clip].Round(10*time.Millisecond))
		start = ended[clip]
	}
	k.stop(t)
}

// oggDuration returns how long the Ogg Vorbis file at path plays: the granule
// position (the sample count) of its last page over the sample rate of its
// identification header.
func oggDuration(path string) (time.Duration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	id := bytes.Index(b, []byte("\x01vorbis"))
	last := bytes.LastIndex(b, []byte("OggS"))
	if id < 0 || id+16 > len(b) || last < 0 || last+14 > len(b) {
		return 0, fmt.Errorf("%s: not Ogg Vorbis", path)
	}
	rate := binary.LittleEndian.Uint32(b[id+12:])
	samples := binary.LittleEndian.Uint64(b[last+6:])
	if rate == 0 {
		return 0, fmt.Errorf("%s: sample rate 0", path)
	}
	return time.Duration(samples) * time.Second / time.Duration(rate), nil
}

// ---- the X server ----

// startXvfb starts a virtual screen and returns its display name. Xvfb picks a free
// display number itself (-displayfd), so parallel runs and a desktop's own :0 never
// collide; it is stopped when the test ends.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp",
		"-screen", "0", fmt.Sprintf("%dx%dx24", smokeScreenW, smokeScreenH))
	cmd.ExtraFiles = []*os.File{w}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})

	num := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		num <- strings.TrimSpace(line)
	}()
	var display string
	select {
	case n := <-num:
		if n == "" {
			t.Fatalf("Xvfb did not start:\n%s", stderr.String())
		}
		display = ":" + n
	case <-time.After(15 * time.Second):
		t.Fatalf("Xvfb named no display in 15 s:\n%s", stderr.String())
	}
	// Xvfb names the display when it listens; asking it proves it answers.
	if !smokeWait(10*time.Second, func() bool { return exec.Command("xdpyinfo", "-display", display).Run() == nil }) {
		t.Fatalf("Xvfb on %s does not answer xdpyinfo:\n%s", display, stderr.String())
	}
	return display
}

// ---- the kiosk process ----

// smokeKiosk is a running kiosk window process.
type smokeKiosk struct {
	cmd   *exec.Cmd
	start time.Time
	log   lineLog

	ready     chan struct{} // closed at the first "window ready" line
	readyMS   int           // the program's own figure on that line
	readyWall time.Duration // from exec to that line, by the test's clock

	done    chan struct{} // closed when the process has exited
	waitErr error
}

var (
	readyLine = regexp.MustCompile(`msg="window ready" ms=(\d+)`)
	qrFetched = regexp.MustCompile(`method=GET path=/api/v1/tickets/\S+/qr\.png status=200`)
	// listenLine is what the program prints for its LAN listener.
	listenLine = regexp.MustCompile(`listening on http://(\S+)`)
	// playedLine is what the voice player writes on the page's console at a clip's
	// 'ended', as WebKitGTK writes console messages to standard output.
	playedLine = regexp.MustCompile(`CONSOLE \w+ voice: played (\S+)`)
)

// startKiosk runs the kiosk window on display with demo data in dir. It runs in its
// own process group, so the WebKit processes it spawns can be killed with it if the
// test fails half-way.
func startKiosk(t *testing.T, bin, display, dir string, extra ...string) *smokeKiosk {
	t.Helper()
	k := &smokeKiosk{ready: make(chan struct{}), done: make(chan struct{})}
	k.log.onLine = func(line string) {
		m := readyLine.FindStringSubmatch(line)
		if m == nil || k.readyWall != 0 {
			return
		}
		k.readyWall = time.Since(k.start)
		k.readyMS, _ = strconv.Atoi(m[1])
		close(k.ready)
	}
	k.cmd = exec.Command(bin, append([]string{"--data", dir, "--demo", "-v"}, extra...)...)
	k.cmd.Env = append(smokeEnv(), "DISPLAY="+display)
	k.cmd.Env = append(k.cmd.Env, smokeAudioEnv()...)
	k.cmd.Stdout = &k.log
	k.cmd.Stderr = &k.log
	k.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// WebKit's helpers inherit stderr; if one outlived the program, Wait would block on
	// the pipe for ever.
	k.cmd.WaitDelay = 3 * time.Second
	k.start = time.Now()
	if err := k.cmd.Start(); err != nil {
		t.Fatalf("start kiosk: %v", err)
	}
	go func() {
		k.waitErr = k.cmd.Wait()
		close(k.done)
	}()
	pgid := k.cmd.Process.Pid
	t.Cleanup(func() {
		select {
		case <-k.done:
		default:
			// The test failed with the program running. While it runs, its pid names
			// its own group, so this ends only it and the WebKit processes it started.
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-k.done
		}
	})
	return k
}

// smokeEnv is the test's environment without a Wayland display, so the window opens
// on the virtual X screen even when the test runs on a Wayland desktop.
func smokeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") && !strings.HasPrefix(kv, "DISPLAY=") {
			env = append(env, kv)
		}
	}
	return append(env, "GDK_BACKEND=x11")
}

// smokeAudioSinks are the audio sinks GStreamer's autoaudiosink could find working on
// a test machine: a developer's sound server, a sound card.
var smokeAudioSinks = []string{"pulsesink", "pipewiresink", "alsasink", "jackaudiosink", "osssink", "oss4sink", "openalsink"}

// smokeAudioEnv takes the window's real audio sinks out of GStreamer's choice, so its
// autoaudiosink plugs the fake sink it keeps for a machine without sound: that plays
// in real time and drops the samples. A CI runner (no sound card, no sound server)
// would end up there anyway after trying each; a developer's desktop stays quiet. Only
// the test does this: a station plays through its sound server, as before.
func smokeAudioEnv() []string {
	ranks := make([]string, len(smokeAudioSinks))
	for i, sink := range smokeAudioSinks {
		ranks[i] = sink + ":NONE"
	}
	return []string{"GST_PLUGIN_FEATURE_RANK=" + strings.Join(ranks, ",")}
}

// waitReady waits for the page's DOM to be ready, failing if the program exits or
// takes more than 30 s.
func (k *smokeKiosk) waitReady(t *testing.T) {
	t.Helper()
	select {
	case <-k.ready:
	case <-k.done:
		t.Fatalf("kiosk exited before its window was ready (%v):\n%s", k.waitErr, k.log.tail(40))
	case <-time.After(30 * time.Second):
		t.Fatalf("kiosk window not ready after 30 s:\n%s", k.log.tail(40))
	}
}

// stop sends SIGTERM, as a service manager does, and checks the program quits within
// 10 s with status 0 and takes its WebKit processes with it.
func (k *smokeKiosk) stop(t *testing.T) {
	t.Helper()
	var helpers []smokeProc
	if tree := processTree(k.cmd.Process.Pid); len(tree) > 1 {
		helpers = tree[1:]
	}
	if err := k.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-k.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("kiosk still running 10 s after SIGTERM:\n%s", k.log.tail(20))
	}
	if errors.Is(k.waitErr, exec.ErrWaitDelay) {
		t.Errorf("a child of the kiosk kept its output open after it exited")
	}
	if code := k.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("kiosk exited with status %d after SIGTERM, want 0:\n%s", code, k.log.crash())
	}
	if !smokeWait(5*time.Second, func() bool {
		for _, p := range helpers {
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", p.pid)); err == nil {
				return false
			}
		}
		return true
	}) {
		t.Errorf("WebKit processes outlived the kiosk by 5 s: %v", helpers)
		for _, p := range helpers {
			syscall.Kill(p.pid, syscall.SIGKILL)
		}
	}
}

// played lists the clips the window's page played to their end, in order.
func (k *smokeKiosk) played() []string {
	var clips []string
	for _, m := range playedLine.FindAllStringSubmatch(k.log.String(), -1) {
		clips = append(clips, m[1])
	}
	return clips
}

// voiceLines returns what the page's voice player wrote on its console, and
// GStreamer's warnings, for failure messages.
func (k *smokeKiosk) voiceLines() string {
	var lines []string
	for line := range strings.Lines(k.log.String()) {
		if strings.Contains(line, "voice: ") || strings.Contains(line, "GStreamer") {
			lines = append(lines, strings.TrimRight(line, "\n"))
		}
	}
	if len(lines) == 0 {
		return "(nothing)"
	}
	return strings.Join(lines, "\n")
}

// lineLog keeps what a program writes and hands each complete line to onLine as it
// arrives, so the test can time a line to the millisecond.
type lineLog struct {
	mu      sync.Mutex
	all     bytes.Buffer
	partial []byte
	onLine  func(line string)
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all.Write(p)
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		if l.onLine != nil {
			l.onLine(string(l.partial[:i]))
		}
		l.partial = l.partial[i+1:]
	}
	return len(p), nil
}

func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all.String()
}

func (l *lineLog) contains(s string) bool { return strings.Contains(l.String(), s) }

// crash returns what a crashed program printed from its first line of a Go panic or
// fatal signal on (the signal and the goroutine that took it), else the last lines: a
// crash's register dump at the end says nothing by itself.
func (l *lineLog) crash() string {
	out := l.String()
	for _, start := range []string{"panic: ", "fatal error: ", "SIGSEGV", "SIGABRT", "SIGBUS", "SIGTRAP"} {
		if i := strings.Index(out, start); i >= 0 {
			lines := strings.Split(out[i:], "\n")
			return strings.Join(lines[:min(len(lines), 40)], "\n")
		}
	}
	return l.tail(20)
}

// tail returns the last n lines, for failure messages.
func (l *lineLog) tail(n int) string {
	lines := strings.Split(strings.TrimRight(l.String(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// ---- the screen ----

// smokeScreen takes screenshots of, and clicks on, the virtual display.
type smokeScreen struct {
	display string
	dir     string // where named screenshots are kept
	tmp     string // where polling screenshots land
}

// smokeShot is one screenshot: its PNG file and its pixels as RGB.
type smokeShot struct {
	w, h int
	rgb  []byte
	png  []byte
}

func (s *smokeScreen) capture() (*smokeShot, error) {
	path := filepath.Join(s.tmp, "poll.png")
	if out, err := exec.Command("import", "-window", "root", "-display", s.display, path).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("import: %v: %s", err, out)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("decode screenshot: %w", err)
	}
	b := img.Bounds()
	sh := &smokeShot{w: b.Dx(), h: b.Dy(), rgb: make([]byte, 0, 3*b.Dx()*b.Dy()), png: raw}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			sh.rgb = append(sh.rgb, byte(r>>8), byte(g>>8), byte(bl>>8))
		}
	}
	return sh, nil
}

// waitFor takes screenshots until find recognises the screen called name, and
// returns the screenshot and the point find picked; after 10 s it keeps the last
// screenshot for the reader and fails.
func (s *smokeScreen) waitFor(t *testing.T, k *smokeKiosk, name string, find func(*smokeShot) (image.Point, bool)) (*smokeShot, image.Point) {
	t.Helper()
	sh, pts := s.waitForAll(t, k, name, func(sh *smokeShot) []image.Point {
		if p, ok := find(sh); ok {
			return []image.Point{p}
		}
		return nil
	})
	return sh, pts[0]
}

// waitForAll is waitFor for a screen with several targets, in reading order.
func (s *smokeScreen) waitForAll(t *testing.T, k *smokeKiosk, name string, find func(*smokeShot) []image.Point) (*smokeShot, []image.Point) {
	t.Helper()
	var last *smokeShot
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		sh, err := s.capture()
		if err != nil {
			t.Fatal(err)
		}
		last = sh
		if pts := find(sh); len(pts) > 0 {
			return sh, pts
		}
		time.Sleep(100 * time.Millisecond)
	}
	failed := filepath.Join(s.dir, "desktop-"+name+"-not-found.png")
	if last != nil {
		last.save(failed)
	}
	t.Fatalf("the %s screen did not appear in 10 s (last screenshot: %s); log:\n%s", name, failed, k.log.tail(30))
	return nil, nil
}

// waitStable takes screenshots until two in a row are the same, so a screenshot is
// not taken half-way through a transition.
func (s *smokeScreen) waitStable(t *testing.T) *smokeShot {
	t.Helper()
	prev, err := s.capture()
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		sh, err := s.capture()
		if err != nil {
			t.Fatal(err)
		}
		if sh.same(prev) {
			return sh
		}
		prev = sh
	}
	t.Error("the screen kept changing for 10 s")
	return prev
}

// click moves the pointer to p and presses the left button, as a finger on the
// touch screen does.
func (s *smokeScreen) click(t *testing.T, p image.Point) {
	t.Helper()
	s.keys(t, "mousemove", "--sync", strconv.Itoa(p.X), strconv.Itoa(p.Y), "click", "1")
}

// press holds the left button at p for d, as a finger resting on the screen.
func (s *smokeScreen) press(t *testing.T, p image.Point, d time.Duration) {
	t.Helper()
	s.keys(t, "mousemove", "--sync", strconv.Itoa(p.X), strconv.Itoa(p.Y),
		"mousedown", "1", "sleep", strconv.FormatFloat(d.Seconds(), 'f', 2, 64), "mouseup", "1")
}

// keys runs one xdotool command on the screen (typing, a key, the mouse).
func (s *smokeScreen) keys(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(smokeEnv(), "DISPLAY="+s.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool %v: %v: %s", args, err, out)
	}
}

func (sh *smokeShot) save(path string) error { return os.WriteFile(path, sh.png, 0o644) }

func (sh *smokeShot) same(o *smokeShot) bool { return bytes.Equal(sh.rgb, o.rgb) }

// colours counts the distinct colours: a blank or failed page has a handful, a
// rendered one with text hundreds.
func (sh *smokeShot) colours() int {
	seen := map[[3]byte]bool{}
	for i := 0; i+2 < len(sh.rgb); i += 3 {
		seen[[3]byte{sh.rgb[i], sh.rgb[i+1], sh.rgb[i+2]}] = true
	}
	return len(seen)
}

// smokeBlob is a connected area of the design's red.
type smokeBlob struct {
	r image.Rectangle
	n int // pixels
}

func (b smokeBlob) centre() image.Point {
	return image.Pt((b.r.Min.X+b.r.Max.X)/2, (b.r.Min.Y+b.r.Max.Y)/2)
}

// fill is the share of the bounding box that is red: near 1 for a filled button with
// a white label, low for text and outlines.
func (b smokeBlob) fill() float64 { return float64(b.n) / float64(b.r.Dx()*b.r.Dy()) }

// redBlobs returns the connected areas of pixels near #b71c1c. The tolerance takes in
// the pressed shade and colour-management drift, not the anti-aliased edges.
func (sh *smokeShot) redBlobs() []smokeBlob { return sh.blobs(0xb7, 0x1c, 0x1c, 40) }

// inkBlobs returns the connected areas of pixels near #4a423c, the design's ink for
// outlines (the voice guide switch while it is off).
func (sh *smokeShot) inkBlobs() []smokeBlob { return sh.blobs(0x4a, 0x42, 0x3c, 16) }

// blobs returns the connected areas of pixels within tol of the colour r, g, b.
func (sh *smokeShot) blobs(r, g, b, tol int) []smokeBlob {
	near := func(i int) bool {
		d := func(v byte, want int) bool { return abs(int(v)-want) <= tol }
		return d(sh.rgb[3*i], r) && d(sh.rgb[3*i+1], g) && d(sh.rgb[3*i+2], b)
	}
	seen := make([]bool, sh.w*sh.h)
	var blobs []smokeBlob
	for start := range seen {
		if seen[start] || !near(start) {
			continue
		}
		b := smokeBlob{r: image.Rectangle{Min: image.Pt(sh.w, sh.h)}} // grows from empty; image.Rect would reorder the corners
		seen[start] = true
		for stack := []int{start}; len(stack) > 0; {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%sh.w, i/sh.w
			b.n++
			b.r.Min.X, b.r.Min.Y = min(b.r.Min.X, x), min(b.r.Min.Y, y)
			b.r.Max.X, b.r.Max.Y = max(b.r.Max.X, x+1), max(b.r.Max.Y, y+1)
			for _, j := range [4]int{i - 1, i + 1, i - sh.w, i + sh.w} {
				if j < 0 || j >= len(seen) || (j == i-1 && x == 0) || (j == i+1 && x == sh.w-1) {
					continue
				}
				if !seen[j] && near(j) {
					seen[j] = true
					stack = append(stack, j)
				}
			}
		}
		blobs = append(blobs, b)
	}
	return blobs
}

func abs(v int) int { return max(v, -v) }

// readingOrder sorts blobs top to bottom, then left to right within a row; blobs
// whose tops are within half a blob's height are one row.
func readingOrder(bs []smokeBlob) []image.Point {
	slices.SortFunc(bs, func(a, b smokeBlob) int {
		if abs(a.r.Min.Y-b.r.Min.Y) > a.r.Dy()/2 {
			return a.r.Min.Y - b.r.Min.Y
		}
		return a.r.Min.X - b.r.Min.X
	})
	var pts []image.Point
	for _, b := range bs {
		pts = append(pts, b.centre())
	}
	return pts
}

// findHomeTile finds the 取号 tile: by far the largest red area of the home screen
// (the other two tiles are only outlined in red). A tenth of the screen's width and
// height rules out the red station name.
func findHomeTile(sh *smokeShot) (image.Point, bool) {
	var best smokeBlob
	for _, b := range sh.redBlobs() {
		if b.n > best.n {
			best = b
		}
	}
	if best.n == 0 || best.r.Dx() < sh.w/10 || best.r.Dy() < sh.h/10 || best.fill() < 0.6 {
		return image.Point{}, false
	}
	return best.centre(), true
}

// findServiceBadges finds the red letter squares of the service tiles: square, filled,
// larger than a heading's characters (a twentieth of the screen's height) and smaller
// than a button.
func findServiceBadges(sh *smokeShot) []image.Point {
	var badges []smokeBlob
	for _, b := range sh.redBlobs() {
		w, h := b.r.Dx(), b.r.Dy()
		if h >= sh.h/20 && h <= sh.h/5 && abs(w-h) <= h/5 && b.fill() >= 0.7 {
			badges = append(badges, b)
		}
	}
	return readingOrder(badges)
}

// findAnswerButtons finds the two red answer buttons of the priority question: filled,
// wide and at least a tenth of the screen wide.
func findAnswerButtons(sh *smokeShot) []image.Point {
	var buttons []smokeBlob
	for _, b := range sh.redBlobs() {
		if b.r.Dx() >= sh.w/10 && b.r.Dx() >= 2*b.r.Dy() && b.fill() >= 0.7 {
			buttons = append(buttons, b)
		}
	}
	if len(buttons) != 2 {
		return nil
	}
	return readingOrder(buttons)
}

// findGuideSwitch finds the voice guide switch (语音引导) while it is off: the wide,
// flat box outlined in ink under the home screen's tiles.
func findGuideSwitch(sh *smokeShot) (image.Point, bool) { return findGuideBox(sh.inkBlobs(), sh) }

// findGuideOn finds the voice guide switch once it is on, its outline turned red.
func findGuideOn(sh *smokeShot) (image.Point, bool) { return findGuideBox(sh.redBlobs(), sh) }

// findGuideBox finds, among blobs, the outline of the voice guide switch: at least a
// third of the screen wide, four times as wide as high, an outline rather than a
// filled button, in the lower half.
func findGuideBox(blobs []smokeBlob, sh *smokeShot) (image.Point, bool) {
	for _, b := range blobs {
		w, h := b.r.Dx(), b.r.Dy()
		if w >= sh.w/3 && w >= 4*h && h >= sh.h/20 && b.fill() < 0.3 && b.r.Min.Y >= sh.h/2 {
			return b.centre(), true
		}
	}
	return image.Point{}, false
}

// findStationName finds the station's name on the home screen: the red text in the
// left half of the top bar (the top eighth of the screen).
func findStationName(sh *smokeShot) (image.Point, bool) {
	var r image.Rectangle
	for _, b := range sh.redBlobs() {
		if b.r.Max.Y <= sh.h/8 && b.r.Max.X <= sh.w/2 {
			r = r.Union(b.r)
		}
	}
	if r.Dx() < sh.w/20 {
		return image.Point{}, false
	}
	return image.Pt((r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2), true
}

// findDoorButton finds the staff's choice "进入叫号工作台": the one filled red button,
// wide, in the middle of the screen (the dimmed home screen behind it is no longer red).
func findDoorButton(sh *smokeShot) (image.Point, bool) {
	for _, b := range sh.redBlobs() {
		c := b.centre()
		if b.r.Dx() >= sh.w/5 && b.fill() >= 0.7 && abs(c.X-sh.w/2) < sh.w/20 && abs(c.Y-sh.h/2) < sh.h/4 {
			return c, true
		}
	}
	return image.Point{}, false
}

// findBackToKiosk finds "返回自助机": the white button at the right of the dark strip
// that tops every staff screen opened from the kiosk.
func findBackToKiosk(sh *smokeShot) (image.Point, bool) {
	px := func(x, y int) (int, int, int) {
		i := 3 * (y*sh.w + x)
		return int(sh.rgb[i]), int(sh.rgb[i+1]), int(sh.rgb[i+2])
	}
	strip := 0 // how far down the strip's dark left edge reaches
	for y := 0; y < sh.h/4; y++ {
		if r, g, b := px(4, y); r > 60 || g > 60 || b > 60 {
			break
		}
		strip = y + 1
	}
	if strip < 20 {
		return image.Point{}, false
	}
	r := image.Rectangle{Min: image.Pt(sh.w, sh.h)}
	for y := 0; y < strip; y++ {
		for x := sh.w / 2; x < sh.w; x++ {
			if cr, cg, cb := px(x, y); cr > 235 && cg > 235 && cb > 235 {
				r.Min.X, r.Min.Y = min(r.Min.X, x), min(r.Min.Y, y)
				r.Max.X, r.Max.Y = max(r.Max.X, x+1), max(r.Max.Y, y+1)
			}
		}
	}
	if r.Dx() < sh.w/20 || r.Dy() < strip/3 {
		return image.Point{}, false
	}
	return image.Pt((r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2), true
}

// ---- serve mode and the API ----

// smokeServe is a running `bingzhan serve`.
type smokeServe struct {
	cmd    *exec.Cmd
	url    string
	stderr bytes.Buffer
}

// startSmokeServe runs `bingzhan serve` on dir at a free port.
func startSmokeServe(t *testing.T, bin, dir string, demo bool) *smokeServe {
	t.Helper()
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}
	if demo {
		args = append(args, "--demo")
	}
	s := &smokeServe{cmd: exec.Command(bin, args...)}
	s.cmd.Env = smokeEnv()
	s.cmd.Stderr = &s.stderr
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start serve: %v", err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	})
	lines := bufio.NewScanner(out)
	timer := time.AfterFunc(20*time.Second, func() { s.cmd.Process.Kill() })
	defer timer.Stop()
	for lines.Scan() {
		if u, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
			s.url = u
			// Wait reads nothing itself; the rest of stdout must still be drained.
			go func() {
				for lines.Scan() {
				}
			}()
			return s
		}
	}
	s.cmd.Wait()
	t.Fatalf("bingzhan serve --data %s did not start: %s", dir, s.stderr.String())
	return nil
}

// stop ends serve with SIGTERM and checks that it closed cleanly.
func (s *smokeServe) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	timer := time.AfterFunc(10*time.Second, func() { s.cmd.Process.Kill() })
	defer timer.Stop()
	if err := s.cmd.Wait(); err != nil {
		t.Errorf("bingzhan serve after SIGTERM: %v: %s", err, s.stderr.String())
	}
}

func smokeGetJSON(t *testing.T, url string, out any) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// smokeCallNext takes a ticket and calls it to counter 1 as a staff PC would, over
// the station's LAN listener.
func smokeCallNext(t *testing.T, base, name, pin string) {
	t.Helper()
	post := func(path, token string, body, out any) {
		t.Helper()
		buf, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(buf))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("POST %s: %s", path, resp.Status)
		}
		if out != nil {
			json.NewDecoder(resp.Body).Decode(out)
		}
	}
	post("/api/v1/tickets", "", map[string]any{"service": "A", "request_id": "smoke-staff-1"}, nil)
	var se struct{ Token string }
	post("/api/v1/login", "", map[string]string{"name": name, "pin": pin}, &se)
	post("/api/v1/counters/1/call-next", se.Token, nil, nil)
}

// smokeQueue returns the number waiting per service letter.
func smokeQueue(t *testing.T, base string) map[string]int {
	t.Helper()
	var q struct {
		Services []struct {
			Letter  string `json:"letter"`
			Waiting int    `json:"waiting"`
		} `json:"services"`
	}
	smokeGetJSON(t, base+"/api/v1/queue", &q)
	m := map[string]int{}
	for _, s := range q.Services {
		m[s.Letter] = s.Waiting
	}
	return m
}

// smokeWait polls cond every 50 ms until it holds or timeout passes.
func smokeWait(timeout time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(timeout); ; time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}
