package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"bingzhan/sync/county"
	"bingzhan/sync/county/postgres/pgtest"
	"bingzhan/sync/synctest"
	"bingzhan/sync/wire"

	"github.com/jackc/pgx/v5"
)

// TestServe_ReadReplica: `serve --db-read` reads the dashboard's figures from a real
// streaming replica: while the replica's replay is paused the dashboard shows what it
// had, though the primary holds more, and once replay resumes it shows all. Pushes go
// to the primary throughout.
func TestServe_ReadReplica(t *testing.T) {
	ctx := t.Context()
	primary := pgtest.Start(t)
	db, dir := primary.NewDatabase(t), t.TempDir()
	// The schema and a station exist before the replica is made, as when a county adds
	// a replica to a running database.
	if _, err := countyCmd("user", "add", "王科长", "--pin", "135790", "--data", dir, "--db", db); err != nil {
		t.Fatal(err)
	}
	replica := primary.StartReplica(t)
	u, _ := url.Parse(db)
	m := NewMain()
	m.DataDir, m.Addr, m.Logger, m.DB, m.DBRead = dir, "127.0.0.1:0", synctest.Quiet, db, replica.URL(strings.TrimPrefix(u.Path, "/"))
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })

	st, _, err := m.Store.AddStation(ctx, "东风镇")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(m.Server.Location).Format("2006-01-02")
	next := uint64(0)
	push := func(n int) {
		t.Helper()
		var entries []wire.Entry
		for range n {
			next++
			entries = append(entries, wire.Entry{ID: fmt.Sprintf("e%d", next), Seq: next, StationID: "key-1", At: time.Now(),
				Kind: county.KindTicketIssued, Data: fmt.Appendf(nil, `{"id":"t%d","date":"%s"}`, next, today)})
		}
		if _, err := m.Store.Ingest(ctx, st.ID, &county.Push{PushHeader: wire.PushHeader{Station: "key-1"}, Entries: entries}); err != nil {
			t.Fatal(err)
		}
	}
	dashboard := func() int {
		views, _, err := m.Server.StationViews(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range views {
			if v.ID == st.ID {
				return v.Today.Tickets
			}
		}
		return -1 // the replica has not seen the station yet
	}
	push(10)
	synctest.WaitFor(t, "the replica to show the first pushes", func() bool { return dashboard() == 10 })

	standby, err := pgx.Connect(ctx, replica.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer standby.Close(ctx)
	if _, err := standby.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	push(5)
	if n, _, err := m.Store.EntryCount(ctx, st.ID); err != nil || n != 15 {
		t.Fatalf("the primary holds %d entries (%v), want 15", n, err)
	}
	time.Sleep(200 * time.Millisecond) // time enough for replay, were it not paused
	if got := dashboard(); got != 10 {
		t.Errorf("dashboard with the replica paused shows %d tickets, want the replica's 10", got)
	}
	if _, err := standby.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	synctest.WaitFor(t, "the replica to catch up", func() bool { return dashboard() == 15 })
}
