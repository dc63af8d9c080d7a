package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// guideDir is the folder, under the board's clips, of the kiosk guide's clips.
const guideDir = "guide"

// voicePinyin is espeak-ng's voice that reads tone-numbered pinyin as Mandarin. Its
// plain Mandarin voice (cmn) reads the same text as English letters and numbers on
// Debian 12, so every guide phrase goes through this one.
const voicePinyin = "cmn-latn-pinyin"

// A phrase is one clip of the kiosk's spoken guidance: its file name, the words in
// characters (for people reading the table) and the tone-numbered pinyin espeak-ng says.
type phrase struct {
	Name   string
	Zh     string `json:"zh"`
	Pinyin string `json:"pinyin"`
}

// phraseName is what a clip may be called: it becomes a file name and a URL.
var phraseName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// syllable is one pinyin syllable with its tone number (5 for the neutral tone); ü is
// written v, as espeak-ng expects. Punctuation between syllables makes the pauses.
var syllable = regexp.MustCompile(`^[a-z]+[1-5][,.?!]?$`)

// readPhrases reads the guide's phrase table, sorted by name, and refuses a phrase
// whose pinyin lacks a tone number: espeak-ng would speak it flat, or in English.
func readPhrases(path string) ([]phrase, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read phrases: %w", err)
	}
	var table map[string]phrase
	if err := json.Unmarshal(b, &table); err != nil {
		return nil, fmt.Errorf("read phrases %s: %w", path, err)
	}
	out := make([]phrase, 0, len(table))
	for name, p := range table {
		p.Name = name
		if err := p.check(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// check reports what is wrong with p's name or pinyin, if anything.
func (p phrase) check() error {
	if !phraseName.MatchString(p.Name) {
		return fmt.Errorf("phrase name %q: use lower-case words joined by '-'", p.Name)
	}
	if p.Zh == "" {
		return fmt.Errorf("phrase %s: no characters", p.Name)
	}
	if p.Pinyin == "" {
		return fmt.Errorf("phrase %s: no pinyin", p.Name)
	}
	for _, w := range strings.Fields(p.Pinyin) {
		if !syllable.MatchString(w) {
			return fmt.Errorf("phrase %s: %q is not a tone-numbered pinyin syllable", p.Name, w)
		}
	}
	return nil
}
