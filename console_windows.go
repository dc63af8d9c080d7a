package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachParentProcess is ATTACH_PARENT_PROCESS: the console of the process that
// started this one (cmd.exe, PowerShell).
const attachParentProcess = ^uint32(0)

// procAttachConsole is kernel32's AttachConsole, which golang.org/x/sys/windows does
// not wrap.
var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// attachConsole gives a command its terminal back. bingzhan.exe is linked as a GUI
// program (-H windowsgui) so that the kiosk opens without a console window beside it;
// Windows then starts it with no console at all, and what `bingzhan.exe version` or
// `serve` prints in cmd.exe would go nowhere. So a command attaches to the console of
// the program that started it, when there is one, and reads and writes there. Output
// already sent to a file or a pipe (`bingzhan.exe version > v.txt`, a test harness)
// keeps going there.
//
// cmd.exe does not wait for a GUI program: its prompt comes back at once and the
// command's output follows it. `start /wait bingzhan.exe …` waits (docs/install-windows.md).
func attachConsole() {
	if usable(os.Stdin) && usable(os.Stdout) && usable(os.Stderr) {
		return
	}
	if r, _, _ := procAttachConsole.Call(uintptr(attachParentProcess)); r == 0 {
		return // started from Explorer or a shortcut: there is no console to attach to
	}
	if !usable(os.Stdin) {
		os.Stdin = openConsole("CONIN$", windows.STD_INPUT_HANDLE, "/dev/stdin", os.Stdin)
	}
	if !usable(os.Stdout) {
		os.Stdout = openConsole("CONOUT$", windows.STD_OUTPUT_HANDLE, "/dev/stdout", os.Stdout)
	}
	if !usable(os.Stderr) {
		os.Stderr = openConsole("CONOUT$", windows.STD_ERROR_HANDLE, "/dev/stderr", os.Stderr)
	}
}

// usable reports whether f is an open handle: a GUI program started from a console
// gets none, or a null one.
func usable(f *os.File) bool {
	if f == nil {
		return false
	}
	_, err := windows.GetFileType(windows.Handle(f.Fd()))
	return err == nil
}

// openConsole opens the attached console's input or output device as the standard
// handle std, or returns old if it cannot. The process's standard handle is set too, so
// that the Go runtime's own messages (a panic) reach the console as well.
func openConsole(device string, std uint32, name string, old *os.File) *os.File {
	h, err := windows.CreateFile(windows.StringToUTF16Ptr(device), windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		return old
	}
	windows.SetStdHandle(std, h)
	return os.NewFile(uintptr(h), name)
}
