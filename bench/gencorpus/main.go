// Command gencorpus writes the byte stream splunkd would send the
// kubefingerprint command for a generated AKS kube-audit corpus.
//
//	go run ./bench/gencorpus -events 20000 -chunk 10000 -o stream.bin
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/kubefingerprint/kubefingerprint/internal/corpus"
)

func main() {
	events := flag.Int("events", 20000, "number of events")
	chunk := flag.Int("chunk", 10000, "events per execute chunk")
	seed := flag.Uint64("seed", 1, "generator seed")
	out := flag.String("o", "stream.bin", "output file")
	flag.Parse()
	stream, evs := corpus.New(*seed).Stream(*events, *chunk)
	n401 := 0
	for _, e := range evs {
		if e.Code == 401 {
			n401++
		}
	}
	if err := os.WriteFile(*out, stream, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d events (%d with code 401) in chunks of %d, %d bytes\n", *out, *events, n401, *chunk, len(stream))
}
