package agent_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
	"bingzhan/backend/keys"
	"bingzhan/sync/agent"
	"bingzhan/sync/synctest"
)

// station is one copy of a station's data folder with its real ticket service; made
// collects the id of every outbox entry any copy of the station ever recorded.
type station struct {
	t       *testing.T
	dir     string
	db      *bolt.DB
	tickets *bolt.TicketService
	keys    *keys.Keys
	made    map[string]bool
	issued  int
}

func newStation(t *testing.T) *station {
	k, err := keys.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := &station{t: t, dir: t.TempDir(), keys: k, made: map[string]bool{}}
	s.open()
	return s
}

func (s *station) key() string { return backend.StationID(s.keys.Signing.Public().(ed25519.PublicKey)) }

func (s *station) open() {
	s.db = synctest.OpenStation(s.t, s.dir)
	s.tickets = bolt.NewTicketService(s.db, s.keys.Signing, s.keys.PersonKey)
}

// issue takes n tickets at the kiosk and notes the outbox entries they made.
func (s *station) issue(n int) {
	s.t.Helper()
	for range n {
		s.issued++
		_, err := s.tickets.IssueTicket(context.Background(), backend.IssueRequest{
			Service: string(rune('A' + s.issued%5)), RequestID: fmt.Sprintf("restore-test-%06d", s.issued)})
		if err != nil {
			s.t.Fatal(err)
		}
	}
	all, err := s.db.OutboxEntries(context.Background(), 0, 1<<30)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, e := range all {
		s.made[e.ID] = true
	}
}

// backlog records n facts in bulk (1,000 per transaction), faster than tickets.
func (s *station) backlog(n int) {
	s.t.Helper()
	synctest.Backlog(s.t, s.db, s.key(), n)
	s.issue(0)
}

// restore stops the station and copies backup over its database file, as the README
// tells operators to.
func (s *station) restore(backup string) {
	s.t.Helper()
	if err := s.db.Close(); err != nil {
		s.t.Fatal(err)
	}
	copyFile(s.t, backup, filepath.Join(s.dir, bolt.FileName))
	s.open()
}

// sync runs one agent cycle against url (the county's own when "").
func (s *station) sync(e backend.Enrolment, url string) error {
	if url != "" {
		e.CountyURL = url
	}
	a, err := agent.New(synctest.FastConfig(s.db, e, s.key()))
	if err != nil {
		s.t.Fatal(err)
	}
	return a.Sync(context.Background())
}

// checkEveryRecordOnce asserts that the county holds every record the station made,
// each exactly once, under sequences 1..n without a hole, and nothing else.
func checkEveryRecordOnce(t *testing.T, c *synctest.County, countyID string, made map[string]bool) {
	t.Helper()
	n := len(made)
	got, err := c.Store.Entries(t.Context(), countyID, 0, n+10)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, e := range got {
		if e.Seq != uint64(i+1) {
			t.Fatalf("county entry %d has seq %d: a hole", i+1, e.Seq)
		}
		if seen[e.ID] {
			t.Fatalf("record %s stored twice (second at seq %d)", e.ID, e.Seq)
		}
		if !made[e.ID] {
			t.Fatalf("county holds %s at seq %d, which the station never made", e.ID, e.Seq)
		}
		seen[e.ID] = true
	}
	if len(got) != n {
		t.Fatalf("county holds %d records, the station made %d: %d lost", len(got), n, n-len(got))
	}
	sts, _ := c.Store.Stations(t.Context())
	for _, st := range sts {
		if st.ID == countyID && (st.Contiguous != uint64(n) || st.Total != n) {
			t.Fatalf("county: contiguous %d, total %d, want %d", st.Contiguous, st.Total, n)
		}
	}
}

func checkClean(t *testing.T, db *bolt.DB) {
	t.Helper()
	st, err := db.SyncStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 0 || len(st.DeadLetters) != 0 || st.State != backend.SyncOK {
		t.Fatalf("station after sync: state %s, %d pending, dead letters %+v", st.State, st.Pending, st.DeadLetters)
	}
}

// TestAgent_RestoreFromBackup restores a station from an older backup while the
// county holds what the station did after it; the station's new tickets reuse
// sequences the county holds with other records. It must recover on its own.
func TestAgent_RestoreFromBackup(t *testing.T) {
	for _, tc := range []struct {
		name              string
		after, afterwards int // tickets issued after the backup, before and after the restore
		bulk              int // and facts recorded in bulk, before and after the restore
		faults            *synctest.Faults
	}{
		{"FewerThanLost", 12, 7, 0, nil},
		// More new tickets than the county's gap, over several batches: some reuse taken
		// sequences, some land on free ones.
		{"MoreThanLost", 10, 260, 0, nil},
		{"SeveralBatchesTaken", 450, 230, 0, nil},
		// Answers lost after the county committed, while records are being renumbered.
		{"FaultyLink", 20, 20, 1500, &synctest.Faults{Drop: 0.08, Reset: 0.08, LoseAnswer: 0.15, TooMany: 0.05, Stall: 0.02}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c := synctest.StartCounty(t)
			e := c.Enrol(t, "东风镇退役军人服务站", "")
			s := newStation(t)
			s.issue(5)
			if err := s.sync(e, ""); err != nil {
				t.Fatal(err)
			}
			s.issue(3) // still waiting when the backup is taken
			backup, err := s.db.Backup(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.sync(e, ""); err != nil {
				t.Fatal(err)
			}
			s.issue(tc.after)
			s.backlog(tc.bulk)
			if err := s.sync(e, ""); err != nil {
				t.Fatal(err)
			}

			s.restore(backup)
			s.issue(tc.afterwards)
			s.backlog(2 * tc.bulk)
			if tc.faults == nil {
				if err := s.sync(e, ""); err != nil {
					t.Fatal(err)
				}
			} else {
				proxy := synctest.StartProxy(t, c.URL, *tc.faults)
				e2 := e
				e2.CountyURL = proxy.URL
				a, err := agent.New(synctest.FastConfig(s.db, e2, s.key()))
				if err != nil {
					t.Fatal(err)
				}
				runCtx, cancel := context.WithCancel(ctx)
				done := make(chan struct{})
				go func() { a.Run(runCtx); close(done) }()
				synctest.WaitDrained(t, s.db, 2*time.Minute)
				cancel()
				<-done
				counts := proxy.Counts()
				t.Logf("proxy: %v", counts)
				if counts["lose_answer"] == 0 {
					t.Errorf("the proxy lost no answer; the test proves less than it claims")
				}
			}
			checkClean(t, s.db)
			checkEveryRecordOnce(t, c, e.StationID, s.made)

			// The station's own sequence now continues past the county's.
			s.issue(1)
			if err := s.sync(e, ""); err != nil {
				t.Fatal(err)
			}
			checkClean(t, s.db)
			checkEveryRecordOnce(t, c, e.StationID, s.made)
		})
	}
}

// TestAgent_RestoreTwice restores the station from a backup, lets it renumber, then
// restores a backup taken between the renumbering and the push: the records it sends
// again under their old sequences are found by id and count as delivered.
func TestAgent_RestoreTwice(t *testing.T) {
	ctx := context.Background()
	c := synctest.StartCounty(t)
	e := c.Enrol(t, "station", "")
	s := newStation(t)
	s.issue(4)
	first, err := s.db.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.sync(e, ""); err != nil {
		t.Fatal(err)
	}
	s.issue(6)
	if err := s.sync(e, ""); err != nil {
		t.Fatal(err)
	}
	s.restore(first)
	s.issue(5)
	second, err := s.db.Backup(ctx) // five new tickets under taken sequences, not sent yet
	if err != nil {
		t.Fatal(err)
	}
	if err := s.sync(e, ""); err != nil {
		t.Fatal(err)
	}
	s.restore(second)
	if err := s.sync(e, ""); err != nil {
		t.Fatal(err)
	}
	checkClean(t, s.db)
	checkEveryRecordOnce(t, c, e.StationID, s.made)
}

// TestAgent_RestoreOldCounty runs the restore against a county that predates
// renumbering: the station keeps the refused records as dead letters (in words staff
// read), loses nothing, and once the county is upgraded a retry delivers them.
func TestAgent_RestoreOldCounty(t *testing.T) {
	ctx := context.Background()
	c := synctest.StartCounty(t)
	old := synctest.StartProtocol1(t, c.URL)
	e := c.Enrol(t, "station", "")
	s := newStation(t)
	s.issue(3)
	backup, err := s.db.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.sync(e, old); err != nil {
		t.Fatal(err)
	}
	s.issue(8)
	if err := s.sync(e, old); err != nil {
		t.Fatal(err)
	}
	s.restore(backup)
	s.issue(4)
	if err := s.sync(e, old); err != nil {
		t.Fatal(err)
	}
	st, err := s.db.SyncStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != backend.SyncAttention || len(st.DeadLetters) != 4 || st.Pending != 0 {
		t.Fatalf("old county: want 4 dead letters; got %+v", st)
	}
	dl := st.DeadLetters[0]
	if dl.Code != "conflict" || dl.Entry.Seq != 4 {
		t.Fatalf("dead letter %+v", dl)
	}
	if zh, en := dl.Text("zh-CN"), dl.Text("en"); !strings.Contains(zh, "重新上传") || !strings.Contains(en, "Send again") || strings.Contains(zh, "sequence") {
		t.Fatalf("dead letter in words: %q / %q", zh, en)
	}

	// The county is upgraded; an admin retries each dead letter.
	for _, dl := range st.DeadLetters {
		if err := s.db.RetryDeadLetter(ctx, dl.Entry.Seq); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.sync(e, ""); err != nil {
		t.Fatal(err)
	}
	checkClean(t, s.db)
	checkEveryRecordOnce(t, c, e.StationID, s.made)
}
