package app_test

import (
	"bingzhan/backend"
	"bingzhan/backend/app"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeConfig writes body as config.json in a new data folder and returns the folder.
func writeConfig(tb testing.TB, body string) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, app.ConfigFile), []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func TestLoadConfig_Languages(t *testing.T) {
	t.Run("Default", func(t *testing.T) {
		c, err := app.LoadConfig(t.TempDir())
		if err != nil || !slices.Equal(c.Languages, []string{"zh-CN", "en"}) {
			t.Fatalf("no config.json: %v, %v", c.Languages, err)
		}
		// A config.json that does not name languages keeps the default too.
		c, err = app.LoadConfig(writeConfig(t, `{"station_name": "某某镇退役军人服务站"}`))
		if err != nil || !slices.Equal(c.Languages, []string{"zh-CN", "en"}) {
			t.Fatalf("config.json without languages: %v, %v", c.Languages, err)
		}
	})

	t.Run("OK", func(t *testing.T) {
		for _, langs := range []string{`["zh-CN"]`, `["zh-CN","en","mn-Mong"]`, `["zh-CN","mn-Mong"]`} {
			c, err := app.LoadConfig(writeConfig(t, `{"languages": `+langs+`}`))
			if err != nil {
				t.Errorf("%s: %v", langs, err)
				continue
			}
			if got := `["` + strings.Join(c.Languages, `","`) + `"]`; got != langs {
				t.Errorf("%s: loaded %s", langs, got)
			}
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct {
			langs, key, zh, en string
		}{
			{`[]`, "config.languages_first", `以 "zh-CN" 开头`, "zh-CN, en, mn-Mong"},
			{`null`, "config.languages_first", `以 "zh-CN" 开头`, `start with "zh-CN"`},
			{`["en","zh-CN"]`, "config.languages_first", `以 "zh-CN" 开头`, `start with "zh-CN"`},
			{`["zh-CN","mn"]`, "config.languages_unknown", "未知语言“mn”", `unknown language "mn"`},
			{`["zh-CN","EN"]`, "config.languages_unknown", "未知语言“EN”", "the languages are: zh-CN, en, mn-Mong"},
			{`["zh-CN","en","en"]`, "config.languages_twice", "“en”写了两次", `"en" twice`},
		} {
			_, err := app.LoadConfig(writeConfig(t, `{"languages": `+tt.langs+`}`))
			var e *backend.Error
			if !errors.As(err, &e) || e.Code != backend.EINVALID || e.Key != tt.key {
				t.Errorf("%s: err = %#v, want EINVALID %s", tt.langs, err, tt.key)
				continue
			}
			// The person who edited the file reads this at start, in their language.
			if zh := backend.ErrorMessage(err, "zh_CN.UTF-8"); !strings.Contains(zh, tt.zh) {
				t.Errorf("%s: zh message %q, want it to say %q", tt.langs, zh, tt.zh)
			}
			if en := backend.ErrorMessage(err, "en_GB.UTF-8"); !strings.Contains(en, tt.en) {
				t.Errorf("%s: en message %q, want it to say %q", tt.langs, en, tt.en)
			}
		}
	})

	t.Run("ErrAtStart", func(t *testing.T) {
		dir := writeConfig(t, `{"languages": ["zh-CN", "mn-Cyrl"]}`)
		if _, err := app.OpenData(dir, app.Options{}); backend.ErrorCode(err) != backend.EINVALID {
			t.Fatalf("OpenData with a bad languages setting: %v", err)
		}
	})
}
