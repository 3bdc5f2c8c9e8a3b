//go:build !linux

package main

// openPTY opens pseudo-terminals for tests, as a terminal emulator does, so
// that the command's question "is standard input a terminal?" can be
// tested with a yes.

import (
	"os"
	"testing"
)

// openPTY skips the test: pseudo-terminals are opened on Linux only.
func openPTY(t testing.TB) *os.File {
	t.Skip("SKIPPED: pseudo-terminals are opened on Linux only")
	return nil
}
