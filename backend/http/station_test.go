package http_test

import (
	"bingzhan/backend/app"
	"bingzhan/backend/app/apptest"
	"log/slog"
	"slices"
	"testing"
)

func TestStation_Languages(t *testing.T) {
	t.Run("Default", func(t *testing.T) {
		st := openStation(t, apptest.Options{Logger: slog.New(slog.DiscardHandler)})
		var got struct{ Languages []string }
		if resp := do(t, nil, "GET", st.URL+"/api/v1/station", "", nil, &got); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if !slices.Equal(got.Languages, []string{"zh-CN", "en"}) {
			t.Fatalf("languages %v, want the default zh-CN, en", got.Languages)
		}
	})

	// A station that adds Mongolian tells the kiosk, which then offers it.
	t.Run("Mongolian", func(t *testing.T) {
		cfg := app.DefaultConfig()
		cfg.Languages = []string{"zh-CN", "en", "mn-Mong"}
		st := openStation(t, apptest.Options{Config: &cfg, Logger: slog.New(slog.DiscardHandler)})
		var got struct{ Languages []string }
		do(t, nil, "GET", st.URL+"/api/v1/station", "", nil, &got)
		if !slices.Equal(got.Languages, cfg.Languages) {
			t.Fatalf("languages %v, want %v", got.Languages, cfg.Languages)
		}
	})
}
