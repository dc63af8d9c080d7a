package pgtest_test

import (
	"context"
	"testing"

	"bingzhan/sync/county/postgres/pgtest"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestShared: two databases on the shared cluster are apart.
func TestShared(t *testing.T) {
	c := pgtest.Shared(t)
	if pgtest.Shared(t) != c {
		t.Fatal("a second cluster for one test binary")
	}
	a, b := connect(t, c.NewDatabase(t)), connect(t, c.NewDatabase(t))
	if _, err := a.Exec(t.Context(), `CREATE TABLE t (n int)`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Exec(t.Context(), `CREATE TABLE t (n int)`); err != nil {
		t.Errorf("the second database has the first one's table: %v", err)
	}
}

// TestCluster_Kill: what was committed survives a killed postmaster.
func TestCluster_Kill(t *testing.T) {
	c := pgtest.Start(t)
	url := c.NewDatabase(t)
	ctx := t.Context()
	conn := connect(t, url)
	// With synchronous_commit on the commit is written out before it returns (fsync
	// stays off: the machine does not crash, only the postmaster).
	if _, err := conn.Exec(ctx, `SET synchronous_commit = on; CREATE TABLE t (n int); INSERT INTO t VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	if err := c.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := connect(t, url).QueryRow(ctx, `SELECT n FROM t`).Scan(&n); err != nil || n != 7 {
		t.Fatalf("after a kill: %d %v", n, err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := pgx.Connect(ctx, url); err == nil {
		t.Fatal("a stopped cluster accepts connections")
	}
	if out, err := c.Command("pg_controldata", c.Dir()).CombinedOutput(); err != nil {
		t.Fatalf("pg_controldata: %v %s", err, out)
	}
}
