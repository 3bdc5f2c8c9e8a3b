// Package command is kubefingerprint as its users meet it: the streaming
// search command that splunkd starts, and the command line that runs the
// same detection on exported logs. Both feed one detection, so they return
// the same rows for the same events.
package command

import (
	"fmt"
	"io"
	"os"
)

// Version is stamped in by build.sh with -ldflags -X.
var Version = "dev"

const usage = `kubefingerprint finds unauthenticated requests to Kubernetes API servers
in Kubernetes audit logs (MITRE ATT&CK T1526).

usage:
  kubefingerprint                 run as a Splunk search command (chunked protocol on stdin)
  kubefingerprint scan [FILE...]  run the detection on exported logs; scan -h for options
  kubefingerprint version         print the version
`

// Main dispatches on the arguments and returns the exit status. splunkd
// starts the command with no arguments.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		exe, _ := os.Executable()
		return Search(stdin, stdout, stderr, AppDir(exe))
	}
	switch args[0] {
	case "scan":
		return Scan(args[1:], stdout, stderr)
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
