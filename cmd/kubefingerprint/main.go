// Command kubefingerprint is the Splunk search command and command line of
// the kubefingerprint app; see internal/command.
package main

import (
	"os"

	"github.com/kubefingerprint/kubefingerprint/internal/command"
)

func main() {
	os.Exit(command.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
