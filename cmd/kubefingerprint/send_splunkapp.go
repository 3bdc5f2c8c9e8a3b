//go:build splunkapp

package main

import (
	"fmt"
	"io"
)

// The binary build.sh puts in the Splunk app leaves send out: net/http and
// crypto/tls would double its size and add to the start of every search
// (docs/design/benchmark-results.md), and a search head has no use for it.
func sendCommand(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "kubefingerprint: send is not in the Splunk app's binary; use the command line (go install ./cmd/kubefingerprint)")
	return 2
}
