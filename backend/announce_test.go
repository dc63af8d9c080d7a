package backend_test

import (
	"slices"
	"strings"
	"testing"

	"bingzhan/backend"
)

func TestAnnouncement(t *testing.T) {
	for _, tc := range []struct {
		number  string
		counter int
		want    string
	}{
		{"B017", 2, "chime qing B 0 1 7 hao dao 2 hao-chuangkou-banli"},
		{"A001", 1, "chime qing A 0 0 1 hao dao 1 hao-chuangkou-banli"},
		{"J999", 10, "chime qing J 9 9 9 hao dao shi hao-chuangkou-banli"},
		{"D120", 12, "chime qing D 1 2 0 hao dao shi 2 hao-chuangkou-banli"},
		{"H005", 20, "chime qing H 0 0 5 hao dao 2 shi hao-chuangkou-banli"},
		{"C310", 37, "chime qing C 3 1 0 hao dao 3 shi 7 hao-chuangkou-banli"},
		{"c010", 3, "chime qing C 0 1 0 hao dao 3 hao-chuangkou-banli"},
		{"B-0１7", 2, "chime qing B 0 7 hao dao 2 hao-chuangkou-banli"},
		{"B017", 100, "chime qing B 0 1 7 hao dao 1 0 0 hao-chuangkou-banli"},
	} {
		t.Run(tc.number, func(t *testing.T) {
			if got := strings.Join(backend.Announcement(tc.number, tc.counter), " "); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// Every clip an announcement can name must be one the generator makes.
func TestAnnouncement_ClipsExist(t *testing.T) {
	var names []string
	for _, c := range backend.VoiceClips() {
		names = append(names, c.Name)
	}
	for _, l := range "ABCDEFGHJKLMNPQRSTUVWXYZ" {
		for counter := 1; counter <= backend.MaxCounter; counter++ {
			for _, clip := range backend.Announcement(string(l)+"0123456789", counter) {
				if !slices.Contains(names, clip) {
					t.Fatalf("%c counter %d: no clip %q", l, counter, clip)
				}
			}
		}
	}
	if got := backend.AnnouncementText("B017", 2); got != "请 B017 号到 2 号窗口办理" {
		t.Errorf("text %q", got)
	}
	if got := backend.ClipURLs([]string{"qing"}); got[0] != "/voice/qing.ogg" {
		t.Errorf("url %q", got)
	}
}
