//go:build linux || darwin

// Package terminal tells whether a file is a terminal, where a person
// types, rather than a pipe, a file or /dev/null: splunkd never starts the
// command on one, and scan reads standard input only when it is not one.
package terminal

import (
	"os"
	"syscall"
	"unsafe"
)

// Is reports whether f is a terminal: whether it answers the request for
// terminal attributes, as isatty(3) asks.
func Is(f *os.File) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), ioctlReadTermios, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}
