package backend

import (
	"fmt"
	"strings"
)

// A spoken call is a sequence of short pre-recorded clips played one after another,
// so it works offline and sounds the same in WebKitGTK and Chromium without any speech
// engine on the station. "请 B017 号到 2 号窗口办理" is
//
//	chime · qing · B · 0 · 1 · 7 · hao · dao · 2 · hao-chuangkou-banli
//
// The ticket number is read digit by digit (零一七), as queue systems do, so nobody
// mistakes 17 for 170; the counter number is read as a number (十二号窗口).

// VoiceClip is one recorded piece of an announcement: its file name (without the
// extension) and how cmd/voicegen makes it with espeak-ng — the voice and the text it
// speaks. Mandarin is spoken from tone-numbered pinyin, which espeak-ng's Mandarin
// voice reads reliably; letters use the voice that reads Latin letters the Chinese way.
type VoiceClip struct {
	Name  string
	Voice string // espeak-ng voice; empty for the chime, which is synthesised
	Text  string
}

// Voices used by the clips.
const (
	voicePinyin  = "cmn-latn-pinyin"
	voiceLetters = "cmn"
)

var digitPinyin = [10]string{"ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3"}

// VoiceClips returns every clip an announcement may use, in a stable order.
func VoiceClips() []VoiceClip {
	clips := []VoiceClip{
		{Name: "chime"},
		{Name: "qing", Voice: voicePinyin, Text: "qing3"},
		{Name: "hao", Voice: voicePinyin, Text: "hao4"},
		{Name: "dao", Voice: voicePinyin, Text: "dao4"},
		{Name: "shi", Voice: voicePinyin, Text: "shi2"},
		{Name: "hao-chuangkou-banli", Voice: voicePinyin, Text: "hao4 chuang1 kou3 ban4 li3"},
	}
	for d, p := range digitPinyin {
		clips = append(clips, VoiceClip{Name: fmt.Sprint(d), Voice: voicePinyin, Text: p})
	}
	for l := 'A'; l <= 'Z'; l++ {
		if ValidServiceLetter(string(l)) {
			clips = append(clips, VoiceClip{Name: string(l), Voice: voiceLetters, Text: string(l)})
		}
	}
	return clips
}

// Announcement returns the names of the clips that speak "请 <number> 号到 <counter>
// 号窗口办理", in order. Characters of number that have no clip are skipped.
func Announcement(number string, counter int) []string {
	out := []string{"chime", "qing"}
	for _, r := range strings.ToUpper(number) {
		switch {
		case r >= '0' && r <= '9':
			out = append(out, string(r))
		case r < 0x80 && ValidServiceLetter(string(r)):
			out = append(out, string(r))
		}
	}
	out = append(out, "hao", "dao")
	out = append(out, counterClips(counter)...)
	return append(out, "hao-chuangkou-banli")
}

// counterClips reads 1–99 the way people say it: 二, 十, 十二, 二十, 二十三. Anything
// else is read digit by digit.
func counterClips(n int) []string {
	d := func(i int) string { return fmt.Sprint(i) }
	switch {
	case n >= 1 && n <= 9:
		return []string{d(n)}
	case n == 10:
		return []string{"shi"}
	case n > 10 && n < 20:
		return []string{"shi", d(n % 10)}
	case n >= 20 && n <= 99 && n%10 == 0:
		return []string{d(n / 10), "shi"}
	case n > 20 && n <= 99:
		return []string{d(n / 10), "shi", d(n % 10)}
	}
	var out []string
	for _, r := range fmt.Sprint(n) {
		if r >= '0' && r <= '9' {
			out = append(out, string(r))
		}
	}
	return out
}

// AnnouncementText is the call as the board shows it: "请 B017 号到 2 号窗口办理".
func AnnouncementText(number string, counter int) string {
	return fmt.Sprintf("请 %s 号到 %d 号窗口办理", number, counter)
}

// AnnouncementTextEN is the call in English, for the board's second line.
func AnnouncementTextEN(number string, counter int) string {
	return fmt.Sprintf("Number %s, please go to counter %d", number, counter)
}

// VoiceFormat is the clips' file extension; cmd/voicegen writes Ogg Vorbis, which
// Chromium plays and WebKitGTK plays through GStreamer's base plugins.
const VoiceFormat = ".ogg"

// ClipURLs returns the URLs the frontend serves the named clips at (frontend/public/voice).
func ClipURLs(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "/voice/" + n + VoiceFormat
	}
	return out
}
