//go:build !windows

package main

// attachConsole does nothing: outside Windows a program always writes to the terminal
// it was started from.
func attachConsole() {}
