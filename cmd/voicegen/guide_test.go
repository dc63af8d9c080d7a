package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed guide clips are exactly the phrase table's: a phrase without its clip
// would be silent on the kiosk, and a clip without its phrase could never be remade.
func TestGuideClipsCommitted(t *testing.T) {
	phrases, err := readPhrases("../../frontend/src/voice/phrases.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "frontend", "public", "voice", guideDir)
	want := map[string]bool{}
	var total int64
	for _, p := range phrases {
		want[p.Name+".ogg"] = true
		fi, err := os.Stat(filepath.Join(dir, p.Name+".ogg"))
		if err != nil {
			t.Errorf("phrase %s has no clip: run go run ./cmd/voicegen (%v)", p.Name, err)
			continue
		}
		total += fi.Size()
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".ogg") && !want[e.Name()] {
			t.Errorf("clip %s is in no phrase of phrases.json", e.Name())
		}
	}
	// The kiosk fetches them on first use, over a township's LAN at worst.
	if total > 800<<10 {
		t.Errorf("guide clips total %d KiB; keep them under 800 KiB", total>>10)
	}
}

// Pinyin without tone numbers is what makes espeak-ng read Mandarin as English, so the
// table refuses it before any clip is made.
func TestPhrase_Check(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    phrase
		ok   bool
	}{
		{"OK", phrase{Name: "enter-id", Zh: "请输入身份证号码", Pinyin: "qing3 shu1 ru4 shen1 fen4 zheng4 hao4 ma3"}, true},
		{"Punctuation", phrase{Name: "idle", Zh: "还在吗？", Pinyin: "hai2 zai4 ma5? yao4 ji4 xu4, qing3"}, true},
		{"NoTone", phrase{Name: "next", Zh: "下一步", Pinyin: "xia yi bu"}, false},
		{"ToneMarks", phrase{Name: "next", Zh: "下一步", Pinyin: "xià yí bù"}, false},
		{"Hanzi", phrase{Name: "next", Zh: "下一步", Pinyin: "下一步"}, false},
		{"Empty", phrase{Name: "next", Zh: "下一步"}, false},
		{"NoCharacters", phrase{Name: "next", Pinyin: "xia4 yi2 bu4"}, false},
		{"BadName", phrase{Name: "Next_Step", Zh: "下一步", Pinyin: "xia4 yi2 bu4"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.check()
			if (err == nil) != tt.ok {
				t.Errorf("check(%+v) = %v, want ok=%v", tt.p, err, tt.ok)
			}
		})
	}
}
