// Command kubefingerprint is the Splunk search command and command line of
// the kubefingerprint app: with no arguments it speaks splunkd's chunked
// protocol (internal/search); `scan` runs the same detection on exported
// logs (internal/scan); `send` puts the sample into a Splunk (internal/send).
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/kubefingerprint/kubefingerprint/internal/scan"
	"github.com/kubefingerprint/kubefingerprint/internal/search"
)

// version is stamped in by build.sh with -ldflags -X main.version=...
var version = "dev"

const usage = `kubefingerprint finds requests to Kubernetes API servers that were refused
or unauthenticated, in Kubernetes audit logs (MITRE ATT&CK T1526).

usage:
  kubefingerprint                        run as a Splunk search command
                                         (chunked protocol on standard input)
  kubefingerprint summary                run as the search command
                                         kubefingerprintsummary, which sums
                                         kubefingerprint's rows up by source
  kubefingerprint scan [flags] [FILE...] run the detection on exported logs;
                                         kubefingerprint scan --help for flags
  kubefingerprint send [flags] [FILE...] send the bundled sample (or FILEs) to a
                                         Splunk HTTP Event Collector, to see the
                                         app work; kubefingerprint send --help
  kubefingerprint version                print the version
`

func main() {
	// A closed standard output is then a write error that the command
	// handles (scan | head ends quietly; a search says so), not a silent
	// death by signal.
	signal.Ignore(syscall.SIGPIPE)
	stdin := scan.Stdin{Reader: os.Stdin, Terminal: term.IsTerminal(int(os.Stdin.Fd()))}
	os.Exit(run(os.Args[1:], stdin, os.Stdout, os.Stderr))
}

// run dispatches on the arguments and returns the exit status. splunkd
// starts the command with no arguments and never on a terminal; a person
// who does gets the usage rather than a command waiting for the protocol.
func run(args []string, stdin scan.Stdin, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		if stdin.Terminal {
			fmt.Fprint(stderr, usage)
			return 2
		}
		exe, _ := os.Executable()
		return search.Run(stdin.Reader, stdout, stderr, search.AppDir(exe))
	}
	switch args[0] {
	case search.SummaryArg:
		// kubefingerprintsummary: commands.conf starts the binary with
		// this one argument, to speak the protocol as a reporting command.
		if stdin.Terminal || len(args) > 1 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		exe, _ := os.Executable()
		return search.RunSummary(stdin.Reader, stdout, stderr, search.AppDir(exe))
	case "scan":
		return scan.Run(args[1:], stdin, stdout, stderr)
	case "send":
		return sendCommand(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "kubefingerprint", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "kubefingerprint: unknown subcommand %q\n\n%s", args[0], usage)
	return 2
}
