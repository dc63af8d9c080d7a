package pgtest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// StartReplica makes a streaming replica of c, as an operator would (pg_basebackup
// -R -X stream), starts it in a folder of its own and returns it, a hot standby that
// takes reads only. It is stopped and removed when tb ends. A database's URL on it is
// the replica's URL(name).
func (c *Cluster) StartReplica(tb testing.TB) *Cluster {
	tb.Helper()
	base, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		tb.Fatal(err)
	}
	r := &Cluster{bin: c.bin, base: base, cred: c.cred}
	tb.Cleanup(func() {
		if err := r.remove(); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	if err := os.Mkdir(r.SocketDir(), 0o700); err != nil {
		tb.Fatal(err)
	}
	if c.cred != nil {
		for _, p := range []string{r.base, r.SocketDir()} {
			if err := c.cred.own(p); err != nil {
				tb.Fatalf("pgtest: hand %s to the postgres user: %v", p, err)
			}
		}
	}
	// -R writes standby.signal and the primary's connection (its socket) for the copy.
	if out, err := c.Command("pg_basebackup", "-D", r.Dir(), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast").CombinedOutput(); err != nil {
		tb.Fatalf("pgtest: pg_basebackup: %v\n%s", err, out)
	}
	// The copied settings name the primary's socket folder; the replica listens on its own.
	f, err := os.OpenFile(filepath.Join(r.Dir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	_, err = fmt.Fprintf(f, "\n# pgtest: a replica\nunix_socket_directories = '%s'\nhot_standby = on\n", r.SocketDir())
	if cerr := f.Close(); err != nil || cerr != nil {
		tb.Fatal(err, cerr)
	}
	if err := r.Restart(); err != nil {
		tb.Fatal(err)
	}
	return r
}
