// Package pgtest runs throwaway PostgreSQL clusters for tests: Debian's postgresql
// binaries, a cluster in a temp folder that listens on a unix socket only, tuned for
// speed over durability (fsync, synchronous_commit and full_page_writes off) yet able
// to feed a replica (wal_level replica, WAL senders, trust for local replication). It
// is imported by tests only.
//
// A test that wants a database of its own on the cluster its test binary shares calls
// Shared(t).NewDatabase(t); that binary's TestMain calls Main, which stops the shared
// cluster when the tests end. A test that stops, kills or copies its cluster starts
// one of its own with Start.
//
// When the tests run as root, the cluster runs as the postgres system user (initdb
// refuses root). Without PostgreSQL installed, every test that asks for a cluster
// fails, naming the package to install.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Port is the port every cluster's socket is named after. Each cluster has a socket
// folder of its own, so they do not clash.
const Port = 5432

// User is the database superuser of every cluster.
const User = "postgres"

// startTimeout bounds how long a cluster may take to accept connections.
const startTimeout = 60 * time.Second

// Cluster is one running (or stopped) PostgreSQL cluster in a temp folder.
type Cluster struct {
	bin  string // folder of the postgresql binaries
	base string // the temp folder: data/, sock/, postgres.log
	cred *runAs // who the cluster runs as (proc_linux.go); nil: ourselves

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	dbs  atomic.Int64
}

// Start starts a cluster for tb alone and stops it, removing its folder, when tb ends.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := start()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := c.remove(); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	return c
}

var shared struct {
	sync.Mutex
	main    bool // Main is running the tests
	cluster *Cluster
	err     error
}

// Shared returns the cluster of this test binary, starting it on the first call. The
// binary's TestMain must be Main, which stops it: a test binary leaves no postgres
// running behind it.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	shared.Lock()
	defer shared.Unlock()
	if !shared.main {
		tb.Fatal("pgtest.Shared needs pgtest.Main: add func TestMain(m *testing.M) { pgtest.Main(m) } to the package's tests")
	}
	if shared.cluster == nil && shared.err == nil {
		shared.cluster, shared.err = start()
	}
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	return shared.cluster
}

// Main runs the tests of m, stops the shared cluster if one was started, and exits
// with the tests' status. Use it as the TestMain of every package that calls Shared.
func Main(m *testing.M) {
	shared.Lock()
	shared.main = true
	shared.Unlock()
	code := m.Run()
	shared.Lock()
	if c := shared.cluster; c != nil {
		if err := c.remove(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			code = max(code, 1)
		}
	}
	shared.Unlock()
	os.Exit(code)
}

// binDir finds the newest /usr/lib/postgresql/N/bin, or else the folder of initdb on
// PATH.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(dir string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
		return n
	}
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("pgtest: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb, no initdb on PATH): apt-get install postgresql")
}

// start makes a cluster in a new temp folder and starts it.
func start() (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	// A short folder name: a socket's path must fit in about 100 bytes.
	base, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, base: base, cred: cred}
	if err := c.init(); err != nil {
		os.RemoveAll(base)
		return nil, err
	}
	if err := c.Restart(); err != nil {
		os.RemoveAll(base)
		return nil, err
	}
	return c, nil
}

// init makes the sockets folder and the data folder with initdb, and writes the
// settings.
func (c *Cluster) init() error {
	if err := os.Mkdir(c.SocketDir(), 0o700); err != nil {
		return err
	}
	if c.cred != nil {
		for _, p := range []string{c.base, c.SocketDir()} {
			if err := c.cred.own(p); err != nil {
				return fmt.Errorf("pgtest: hand %s to the postgres user: %w", p, err)
			}
		}
	}
	out, err := c.Command("initdb", "-D", c.Dir(), "-U", User, "--auth=trust", "--encoding=UTF8", "--locale=C",
		"--no-sync").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	conf := fmt.Sprintf(`
# pgtest: a throwaway cluster, fast and unsafe, on a unix socket only.
listen_addresses = ''
unix_socket_directories = '%s'
port = %d
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = replica
max_wal_senders = 10
max_connections = 200
shared_buffers = 256MB
max_wal_size = 4GB
checkpoint_timeout = 30min
log_min_messages = warning
`, c.SocketDir(), Port)
	f, err := os.OpenFile(filepath.Join(c.Dir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(conf)
	return errors.Join(err, f.Close())
}

// Dir returns the cluster's data folder (PGDATA).
func (c *Cluster) Dir() string { return filepath.Join(c.base, "data") }

// SocketDir returns the folder of the cluster's unix socket: its host for clients.
func (c *Cluster) SocketDir() string { return filepath.Join(c.base, "sock") }

// Port returns the port the cluster's socket is named after.
func (c *Cluster) Port() int { return Port }

// Bin returns the path of one of the PostgreSQL programs the cluster runs on
// (pg_basebackup, pg_dump, psql …).
func (c *Cluster) Bin(name string) string { return filepath.Join(c.bin, name) }

// Command returns a command running PostgreSQL program name as the cluster's own
// user, in the cluster's folder: what it writes (a base backup, a dump) the cluster's
// user may read, and it reaches the cluster with PGHOST, PGPORT and PGUSER set.
func (c *Cluster) Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(c.Bin(name), args...)
	cmd.Dir = c.base
	cmd.Env = append(os.Environ(), "LC_ALL=C", "PGHOST="+c.SocketDir(), "PGPORT="+strconv.Itoa(Port), "PGUSER="+User)
	c.runAs(cmd)
	return cmd
}

// URL returns the postgres:// URL of database db on the cluster.
func (c *Cluster) URL(db string) string {
	q := url.Values{"host": {c.SocketDir()}, "port": {strconv.Itoa(Port)}, "sslmode": {"disable"}}
	return (&url.URL{Scheme: "postgres", User: url.User(User), Host: "", Path: "/" + db, RawQuery: q.Encode()}).String()
}

// NewDatabase creates a new empty database on the cluster and returns its URL. The
// database is dropped when tb ends (after what tb's later cleanups closed).
func (c *Cluster) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), c.dbs.Add(1))
	if err := c.exec(context.Background(), `CREATE DATABASE `+name); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		// A cluster the test stopped or killed has nothing to drop, or drops it itself.
		if !c.running() {
			return
		}
		if err := c.exec(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Errorf("pgtest: drop database: %v", err)
		}
	})
	return c.URL(name)
}

// exec runs one statement on the cluster's postgres database.
func (c *Cluster) exec(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func (c *Cluster) running() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cmd != nil
}

// Restart starts the cluster again: after Stop or Kill, or (stopping it first) while
// it runs. It returns once the cluster accepts connections.
func (c *Cluster) Restart() error {
	if err := c.Stop(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	log, err := os.OpenFile(filepath.Join(c.base, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd := c.Command("postgres", "-D", c.Dir())
	cmd.Stdout, cmd.Stderr = log, log
	diesWithTest(cmd)
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		log.Close()
		close(done)
	}()
	c.cmd, c.done = cmd, done
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err == nil {
			conn.Close(ctx)
			cancel()
			return nil
		}
		cancel()
		select {
		case <-done:
			c.cmd = nil
			return fmt.Errorf("pgtest: postgres exited at start: %v\n%s", cmd.ProcessState, c.logTail())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgtest: postgres not ready after %v: %v\n%s", startTimeout, err, c.logTail())
		}
	}
}

// logTail returns the end of the cluster's log.
func (c *Cluster) logTail() string {
	b, _ := os.ReadFile(filepath.Join(c.base, "postgres.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return strings.TrimSpace(string(b))
}

// Stop shuts the cluster down (a fast shutdown: sessions are ended, what was committed
// stays) and waits for it. Stopping a stopped cluster does nothing.
func (c *Cluster) Stop() error { return c.signal(syscall.SIGINT) }

// Kill ends the postmaster with SIGKILL, as a crash would, and waits for it; its
// sessions end on their own. Restart recovers the cluster.
func (c *Cluster) Kill() error { return c.signal(syscall.SIGKILL) }

func (c *Cluster) signal(sig syscall.Signal) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil {
		return nil
	}
	if err := c.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("pgtest: signal postgres: %w", err)
	}
	select {
	case <-c.done:
	case <-time.After(time.Minute):
		c.cmd.Process.Kill()
		<-c.done
	}
	c.cmd = nil
	if sig == syscall.SIGKILL {
		// The postmaster's children notice its death within moments; wait until
		// none holds the data folder, so a restart finds it free.
		c.waitOrphans()
	}
	return nil
}

// waitOrphans waits, briefly, until no process of the killed cluster is left: their
// command lines name no data folder, so it looks for processes whose working folder
// is it.
func (c *Cluster) waitOrphans() {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		procs, _ := filepath.Glob("/proc/[0-9]*/cwd")
		left := false
		for _, p := range procs {
			if dir, err := os.Readlink(p); err == nil && dir == c.Dir() {
				left = true
				break
			}
		}
		if !left {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// remove stops the cluster and deletes its folder.
func (c *Cluster) remove() error {
	err := c.Stop()
	return errors.Join(err, os.RemoveAll(c.base))
}
