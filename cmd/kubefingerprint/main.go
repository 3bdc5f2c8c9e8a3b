// Command kubefingerprint is the Splunk search command and command line of
// the kubefingerprint app; see internal/command.
package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/kubefingerprint/kubefingerprint/internal/command"
)

func main() {
	// A closed standard output is then a write error that the command
	// handles (scan | head ends quietly; a search says so), not a silent
	// death by signal.
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(command.Main(os.Args[1:], command.OSStdin(), os.Stdout, os.Stderr))
}
