package http_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"bingzhan/sync/county"
	"bingzhan/sync/synctest"

	"github.com/jonboulle/clockwork"
)

// TestBackupsAPIAndDashboard: staff see the backups and when the last one was made; a
// county without a recent one says so in words.
func TestBackupsAPIAndDashboard(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Now().Add(-72 * time.Hour))
	c := synctest.StartCountyClock(t, clock)
	token := login(t, c)
	resp, body := synctest.Get(t, c.URL+"/", token)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "尚无备份") || !strings.Contains(string(body), "还没有备份") {
		t.Fatalf("dashboard without backups: %d\n%s", resp.StatusCode, body)
	}
	// A backup three days old, and none since: the dashboard asks someone to look.
	if _, err := c.Server.Backups.Backup(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(72 * time.Hour)
	token = login(t, c) // the first session ended in those three days
	resp, body = synctest.Get(t, c.URL+"/", token)
	if !strings.Contains(string(body), "3 天前") || !strings.Contains(string(body), "已超过 48 小时没有备份") {
		t.Errorf("stale backup not shown: %d\n%s", resp.StatusCode, body)
	}
	f, err := c.Server.Backups.Backup(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	resp, body = synctest.Get(t, c.URL+"/", token)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "刚刚 just now") || strings.Contains(string(body), "没有备份") {
		t.Fatalf("dashboard after a backup: %d\n%s", resp.StatusCode, body)
	}
	resp, body = synctest.Get(t, c.URL+"/api/v1/backups", token)
	var list []county.BackupFile
	if resp.StatusCode != 200 || json.Unmarshal(body, &list) != nil || len(list) != 2 || list[0].Path != f.Path || list[0].Size == 0 {
		t.Fatalf("GET /api/v1/backups: %d %s", resp.StatusCode, body)
	}
	if resp, _ := synctest.Get(t, c.URL+"/api/v1/backups", ""); resp.StatusCode != 401 {
		t.Errorf("backups without a session: %d", resp.StatusCode)
	}
}
