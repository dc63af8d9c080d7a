// Command voicegen makes the station's voice clips: the board's calls
// (frontend/public/voice/*.ogg, from the table in backend.VoiceClips) and the kiosk's
// spoken guidance (frontend/public/voice/guide/*.ogg, from the phrase table
// frontend/src/voice/phrases.json that the kiosk's guide also reads). Each piece is
// spoken by espeak-ng, trimmed of its silence, resampled to 16 kHz mono and encoded as
// Ogg Vorbis by oggenc; the chime is synthesised. It is a one-off developer step, not
// part of the build: the clips are committed. Needs the Debian packages espeak-ng and
// vorbis-tools.
//
//	go run ./cmd/voicegen -out frontend/public/voice -guide frontend/src/voice/phrases.json
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"os/exec"
	"path/filepath"

	"bingzhan/backend"
)

// rate is the clips' sample rate: plenty for speech, and small files.
const rate = 16000

func main() {
	out := flag.String("out", "frontend/public/voice", "folder for the clips")
	guide := flag.String("guide", "frontend/src/voice/phrases.json", "the kiosk guide's phrase table")
	speed := flag.Int("speed", 140, "espeak-ng words per minute; slower than its default for elderly listeners")
	flag.Parse()
	if err := run(*out, *guide, *speed); err != nil {
		fmt.Fprintln(os.Stderr, "voicegen:", err)
		os.Exit(1)
	}
}

func run(out, guidePath string, speed int) error {
	for _, tool := range []string{"espeak-ng", "oggenc"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found: apt-get install espeak-ng vorbis-tools", tool)
		}
	}
	phrases, err := readPhrases(guidePath)
	if err != nil {
		return err
	}
	// The board's calls are heard across a lobby, so they keep oggenc's quality 3; the
	// guide is heard at arm's length and has many more words, so quality 0 keeps its
	// clips small without a difference a listener would notice in synthetic speech.
	type job struct {
		clip    backend.VoiceClip
		quality int
	}
	var jobs []job
	for _, c := range backend.VoiceClips() {
		jobs = append(jobs, job{c, 3})
	}
	for _, p := range phrases {
		jobs = append(jobs, job{backend.VoiceClip{Name: guideDir + "/" + p.Name, Voice: voicePinyin, Text: p.Pinyin}, 0})
	}
	if err := os.MkdirAll(filepath.Join(out, guideDir), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "voicegen")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, j := range jobs {
		if err := makeClip(j.clip, j.quality, out, tmp, speed); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(out, "README.md"), []byte(readme), 0o644)
}

const readme = "Voice clips for the lobby board's calls (请 B017 号到 2 号窗口办理), played in the order\n" +
	"backend.Announcement gives, and in guide/ the kiosk's spoken guidance (语音引导), named in\n" +
	"frontend/src/voice/phrases.json and played as frontend/src/voice/guide.ts says. Generated,\n" +
	"not hand-made: `go run ./cmd/voicegen` (espeak-ng Mandarin from tone-numbered pinyin, trimmed,\n" +
	"16 kHz mono, Ogg Vorbis by oggenc; needs the Debian packages espeak-ng and vorbis-tools).\n" +
	"Edit backend/announce.go or phrases.json, then run it again.\n"

// makeClip speaks c (or synthesises the chime) and writes it to out as Ogg Vorbis of
// the given oggenc quality.
func makeClip(c backend.VoiceClip, quality int, out, tmp string, speed int) error {
	var pcm []int16
	if c.Voice == "" {
		pcm = chime()
	} else {
		wav, err := exec.Command("espeak-ng", "-v", c.Voice, "-s", fmt.Sprint(speed), "-a", "180", "--stdout", c.Text).Output()
		if err != nil {
			return fmt.Errorf("espeak-ng %s: %w", c.Name, err)
		}
		samples, srcRate, err := decodeWAV(wav)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		pcm = pad(resample(trim(samples), srcRate, rate))
	}
	wavPath := filepath.Join(tmp, "clip.wav")
	if err := os.WriteFile(wavPath, encodeWAV(pcm), 0o644); err != nil {
		return err
	}
	dst := filepath.Join(out, filepath.FromSlash(c.Name)+backend.VoiceFormat)
	// A serial number taken from the name, not oggenc's random one, so running voicegen
	// again leaves the clips whose words did not change byte for byte as they were.
	serial := fmt.Sprint(crc32.ChecksumIEEE([]byte(c.Name)) & 0x7fffffff)
	if b, err := exec.Command("oggenc", "-Q", "-q", fmt.Sprint(quality), "-s", serial, "-o", dst, wavPath).CombinedOutput(); err != nil {
		return fmt.Errorf("oggenc %s: %v: %s", c.Name, err, b)
	}
	fmt.Printf("%-40s %5d ms\n", dst, len(pcm)*1000/rate)
	return nil
}

// decodeWAV returns the samples of a 16-bit mono PCM WAV and its rate. espeak-ng
// writes an unknown length into a streamed header, so the data runs to the end.
func decodeWAV(b []byte) ([]int16, int, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("not a WAV file")
	}
	srcRate := 0
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := b[p+8:]
		switch id {
		case "fmt ":
			if len(body) < 16 || binary.LittleEndian.Uint16(body[0:2]) != 1 || binary.LittleEndian.Uint16(body[2:4]) != 1 || binary.LittleEndian.Uint16(body[14:16]) != 16 {
				return nil, 0, errors.New("not 16-bit mono PCM")
			}
			srcRate = int(binary.LittleEndian.Uint32(body[4:8]))
		case "data":
			if srcRate == 0 {
				return nil, 0, errors.New("data before format")
			}
			if size > len(body) || size <= 0 {
				size = len(body)
			}
			out := make([]int16, size/2)
			binary.Read(bytes.NewReader(body[:size/2*2]), binary.LittleEndian, out)
			return out, srcRate, nil
		}
		p += 8 + size + size%2
	}
	return nil, 0, errors.New("no audio data")
}

// trim cuts the silence espeak-ng puts around a word, so the clips join into one
// natural sentence instead of a halting list.
func trim(s []int16) []int16 {
	const threshold = 400
	loud := func(v int16) bool { return v > threshold || v < -threshold }
	a, b := 0, len(s)
	for a < b && !loud(s[a]) {
		a++
	}
	for b > a && !loud(s[b-1]) {
		b--
	}
	return s[a:b]
}

// resample converts by linear interpolation; speech loses nothing audible at 16 kHz.
func resample(s []int16, from, to int) []int16 {
	if from == to || len(s) == 0 {
		return s
	}
	n := len(s) * to / from
	out := make([]int16, n)
	for i := range out {
		x := float64(i) * float64(from) / float64(to)
		j := int(x)
		if j+1 >= len(s) {
			out[i] = s[len(s)-1]
			continue
		}
		f := x - float64(j)
		out[i] = int16(float64(s[j])*(1-f) + float64(s[j+1])*f)
	}
	return out
}

// pad adds a short fade and 60 ms of quiet at the end: a breath between words.
func pad(s []int16) []int16 {
	fade := min(len(s), rate/200)
	for i := 0; i < fade; i++ {
		s[i] = int16(float64(s[i]) * float64(i) / float64(fade))
		s[len(s)-1-i] = int16(float64(s[len(s)-1-i]) * float64(i) / float64(fade))
	}
	return append(s, make([]int16, rate*60/1000)...)
}

// chime is a soft two-tone "ding-dong" (G5 then E5) that turns heads before a call.
func chime() []int16 {
	var out []int16
	for _, tone := range []struct{ hz, secs float64 }{{784, 0.45}, {659.25, 0.7}} {
		n := int(tone.secs * rate)
		for i := 0; i < n; i++ {
			t := float64(i) / rate
			env := math.Exp(-4*t) * math.Min(1, t*200)
			v := 0.35*math.Sin(2*math.Pi*tone.hz*t) + 0.08*math.Sin(4*math.Pi*tone.hz*t)
			out = append(out, int16(v*env*32767))
		}
	}
	return append(out, make([]int16, rate/5)...)
}

// encodeWAV writes 16-bit mono PCM at rate.
func encodeWAV(s []int16) []byte {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + 2*len(s)))
	b.WriteString("WAVEfmt ")
	w(uint32(16))
	w(uint16(1))
	w(uint16(1))
	w(uint32(rate))
	w(uint32(rate * 2))
	w(uint16(2))
	w(uint16(16))
	b.WriteString("data")
	w(uint32(2 * len(s)))
	w(s)
	return b.Bytes()
}
