// Package command is kubefingerprint as its users meet it: the streaming
// search command that splunkd starts, and the command line that runs the
// same detection on exported logs. Both feed one detection, so they return
// the same rows for the same events.
package command

import (
	"fmt"
	"io"
	"os"

	"github.com/kubefingerprint/kubefingerprint/internal/terminal"
)

// Version is stamped in by build.sh with -ldflags -X.
var Version = "dev"

const usage = `kubefingerprint finds requests to Kubernetes API servers that were refused
or unauthenticated, in Kubernetes audit logs (MITRE ATT&CK T1526).

usage:
  kubefingerprint                        run as a Splunk search command
                                         (chunked protocol on standard input)
  kubefingerprint scan [flags] [FILE...] run the detection on exported logs;
                                         kubefingerprint scan --help for flags
  kubefingerprint version                print the version
`

// Stdin is the process's standard input and whether it is a terminal,
// where nothing is piped in.
type Stdin struct {
	io.Reader
	Terminal bool
}

// OSStdin returns the process's standard input.
func OSStdin() Stdin { return Stdin{os.Stdin, terminal.Is(os.Stdin)} }

// Main dispatches on the arguments and returns the exit status. splunkd
// starts the command with no arguments and never on a terminal; a person
// who does gets the usage rather than a command waiting for the protocol.
func Main(args []string, stdin Stdin, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		if stdin.Terminal {
			fmt.Fprint(stderr, usage)
			return 2
		}
		exe, _ := os.Executable()
		return Search(stdin.Reader, stdout, stderr, AppDir(exe))
	}
	switch args[0] {
	case "scan":
		return Scan(args[1:], stdin, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "kubefingerprint", Version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "kubefingerprint: unknown subcommand %q\n\n%s", args[0], usage)
	return 2
}
