// Command fakewebview2 stands in for Microsoft's WebView2 standalone installer,
// which cannot be fetched here: the installer test puts it beside setup as
// MicrosoftEdgeWebView2RuntimeInstallerX64.exe and checks that setup ran it, and with
// which arguments, from the file it writes beside itself.
package main

import (
	"os"
	"path/filepath"
	"strings"
)

func main() {
	exe, err := os.Executable()
	if err != nil {
		os.Exit(2)
	}
	args := strings.Join(os.Args[1:], " ")
	if err := os.WriteFile(filepath.Join(filepath.Dir(exe), "webview2-args.txt"), []byte(args), 0o644); err != nil {
		os.Exit(2)
	}
}
