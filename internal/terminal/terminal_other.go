//go:build !linux && !darwin

// Package terminal tells whether a file is a terminal, where a person
// types, rather than a pipe, a file or /dev/null: splunkd never starts the
// command on one, and scan reads standard input only when it is not one.
package terminal

import "os"

// Is reports whether f is a character device other than the null device:
// the portable approximation where no terminal request is wired up.
func Is(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}
