package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"bingzhan/backend"
	"bingzhan/sync/county/postgres/pgtest"
)

// TestMain shares one PostgreSQL cluster among the tests and stops it at the end. A
// test that needs the program as a process of its own (to kill it) runs this binary
// with BINGZHAN_COUNTY_RUN=1 and the program's arguments.
func TestMain(m *testing.M) {
	if os.Getenv("BINGZHAN_COUNTY_RUN") == "1" {
		main()
		return
	}
	pgtest.Main(m)
}

// TestCommands_Postgres: with --db every command works on the database, while servers
// run or not, and --data keeps only the county's keys, certificate and backups.
func TestCommands_Postgres(t *testing.T) {
	cluster := pgtest.Shared(t)
	db, dir := cluster.NewDatabase(t), t.TempDir()
	// The first command on an empty database makes the schema.
	if _, err := countyCmd("user", "add", "王科长", "--pin", "135790", "--data", dir, "--db", db); err != nil {
		t.Fatal(err)
	}
	base := startMain(t, dir, nil, db).URL
	if loginStatus(t, base, "王科长", "135790") != http.StatusOK {
		t.Error("the user added before the server started cannot log in")
	}
	// While the server runs, commands go to the database: no file lock, no socket.
	if _, err := countyCmd("user", "add", "李干事", "--pin", "246801", "--data", dir, "--db", db); err != nil {
		t.Fatal(err)
	}
	if loginStatus(t, base, "李干事", "246801") != http.StatusOK {
		t.Error("a user added while the server runs cannot log in")
	}
	file := filepath.Join(t.TempDir(), "dongfeng.json")
	out, err := countyCmd("station", "add", "东风镇退役军人服务站", "--out", file, "--url", "http://127.0.0.1:8443", "--no-tls",
		"--data", dir, "--db", db)
	if err != nil || !strings.Contains(out, "added; enrolment file") {
		t.Fatalf("station add: %q %v", out, err)
	}
	// The environment form of --db.
	t.Setenv(EnvDB, db)
	out, err = countyCmd("station", "list", "--data", dir)
	if err != nil || !strings.Contains(out, "东风镇退役军人服务站") {
		t.Errorf("station list with $%s: %q %v", EnvDB, out, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "county.db")); err == nil {
		t.Error("--db kept a bbolt database in --data")
	}

	out, err = countyCmd("backup", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	dump := strings.TrimSpace(out)
	if !strings.HasSuffix(dump, ".dump") || filepath.Dir(dump) != filepath.Join(dir, "backups") {
		t.Fatalf("backup printed %q, want an archive in %s/backups", out, dir)
	}
	// The archive restores into an empty database with the station in it.
	restored := cluster.NewDatabase(t)
	if buf, err := exec.Command(cluster.Bin("pg_restore"), "--no-owner", "--dbname="+restored, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, buf)
	}
	out, err = countyCmd("station", "list", "--data", t.TempDir(), "--db", restored)
	if err != nil || !strings.Contains(out, "东风镇退役军人服务站") {
		t.Errorf("station list on the restored database: %q %v", out, err)
	}

	if _, err := countyCmd("station", "list", "--data", dir, "--db", "mysql://nope"); err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Errorf("a URL that is not postgres://: %v", err)
	}
	if _, err := countyCmd("user", "add", "x", "--pin", "12", "--data", dir, "--db", db); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("a bad PIN on PostgreSQL: %v, want EINVALID", err)
	}
}
