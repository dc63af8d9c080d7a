//go:build !linux || !(production || dev)

package main

// setUpWebKit has nothing to set where the window is not WebKitGTK's, nor in a build
// without Wails' window (the tests': Wails then opens none).
func setUpWebKit() {}

// showConsole does nothing where the window is not WebKitGTK's: only WebKitGTK can
// write the page's console to standard output.
func showConsole() {}
