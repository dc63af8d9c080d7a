package main

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"bingzhan/backend/app"
	bzhttp "bingzhan/backend/http"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	wailsruntime "github.com/wailsapp/wails/v2/pkg/runtime"
)

// appIcon is the window and taskbar icon: 兵 in white on the accent red.
//
//go:embed build/appicon.png
var appIcon []byte

// started is when the process began, for the "window ready" figure in the log.
var started = time.Now()

// settleOnce makes the kiosk settle its memory once, after the first page load.
var settleOnce sync.Once

// fallbackAddr is where the kiosk is served when there is no display to open it on.
const fallbackAddr = "127.0.0.1:8080"

// runWindow opens the kiosk: a full-screen, frameless window whose page talks to the
// same API handler as `serve`, in-process, through Wails' AssetServer.
func runWindow(ctx context.Context, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("bingzhan", flag.ContinueOnError)
	addr := fl.String("addr", "", "also serve staff PCs and the lobby TV on this address (HOST:PORT); off by default")
	windowed := fl.Bool("windowed", false, "open a normal window instead of full screen (for setting up, not for the lobby)")
	sf := addStationFlags(fl)
	if err := fl.Parse(args); err != nil {
		return err
	}
	opts, err := sf.options(stdout)
	if err != nil {
		return err
	}
	if *addr == "" && opts.Config.LANAddr != "" {
		*addr = opts.Config.LANAddr
	}

	if !hasDisplay() {
		if *addr == "" {
			*addr = fallbackAddr
		}
		fmt.Fprintf(stdout, "No display found, so no kiosk window: the same kiosk is served on this machine.\n")
		return serveUntilDone(ctx, *sf.data, opts, *addr)
	}

	m, err := app.Open(ctx, *sf.data, opts)
	if err != nil {
		return err
	}
	defer m.Close()
	if *addr != "" {
		if _, err := m.Listen(*addr); err != nil {
			return err
		}
	}
	if m.Config.BoardAddr != "" {
		if _, err := m.ListenBoard(m.Config.BoardAddr); err != nil {
			return err
		}
	}
	// Leaving the full-screen kiosk takes an admin PIN (POST /api/v1/kiosk/exit).
	quit := make(chan struct{}, 1)
	var mayClose atomic.Bool
	m.Server.OnExit = func() {
		select {
		case quit <- struct{}{}:
		default:
		}
	}
	setUpWebKit()
	abs, _ := filepath.Abs(m.Dir)
	lock := sha256.Sum256([]byte(abs))
	err = wails.Run(&options.App{
		Title:            "兵站 · " + m.Name,
		Width:            1280,
		Height:           800,
		MinWidth:         800,
		MinHeight:        600,
		Fullscreen:       !*windowed,
		Frameless:        !*windowed,
		BackgroundColour: &options.RGBA{R: 250, G: 247, B: 242, A: 255},
		AssetServer:      &assetserver.Options{Assets: opts.Assets, Handler: bzhttp.KioskWindow(m.Handler())},
		// One kiosk per data folder: a second launch brings the first to the front
		// instead of fighting it for the database.
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId: "cn.bingzhan.kiosk." + hex.EncodeToString(lock[:8]),
			OnSecondInstanceLaunch: func(options.SecondInstanceData) {
				m.Logger.Info("second launch: showing the running kiosk")
			},
		},
		OnStartup: func(wctx context.Context) {
			if *sf.verbose {
				showConsole()
			}
			// Close the window when the process is asked to stop (SIGTERM from a service
			// manager) or an admin gives their PIN at the kiosk, so the database closes
			// cleanly either way.
			go func() {
				select {
				case <-ctx.Done():
				case <-quit:
				}
				mayClose.Store(true)
				wailsruntime.Quit(wctx)
			}()
		},
		// A kiosk window closed by Alt+F4 or the window manager would leave the lobby
		// with a desktop; only the admin PIN or a stop of the process closes it. A
		// --windowed set-up window closes normally.
		OnBeforeClose: func(context.Context) bool {
			return !*windowed && !mayClose.Load()
		},
		OnDomReady: func(context.Context) {
			m.Logger.Info("window ready", "ms", time.Since(started).Milliseconds())
			// Every reload of the page comes here too; the first is the one after start.
			settleOnce.Do(func() { go settleMemory(m.Logger) })
		},
		Linux: &linux.Options{ProgramName: "bingzhan", Icon: appIcon, WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
	})
	if err != nil {
		return fmt.Errorf("kiosk window: %w", err)
	}
	return nil
}

// hasDisplay reports whether a window can be opened.
func hasDisplay() bool {
	if runtime.GOOS != "linux" {
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}
