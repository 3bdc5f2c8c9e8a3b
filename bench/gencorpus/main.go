// Command gencorpus writes the byte stream splunkd would send the
// kubefingerprint command for a generated AKS kube-audit corpus.
//
//	go run ./bench/gencorpus -events 20000 -chunk 10000 -o stream.bin
//	go run ./bench/gencorpus -events 50000 -chunk 50000 -repeat 50 -o - | kubefingerprint
//
// -repeat sends the same chunks again, for streams too large to keep.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/corpus"
)

func main() {
	events := flag.Int("events", 20000, "number of events")
	chunk := flag.Int("chunk", 10000, "events per execute chunk")
	repeat := flag.Int("repeat", 1, "send the chunks this many times")
	seed := flag.Uint64("seed", 1, "generator seed")
	out := flag.String("o", "stream.bin", "output file, - for standard output")
	flag.Parse()

	bodies, evs := corpus.New(*seed).Bodies(*events, *chunk)
	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gencorpus:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	size, _ := bw.Write(chunkedtest.Getinfo())
	for r := 0; r < *repeat; r++ {
		for i, b := range bodies {
			n, _ := bw.Write(chunkedtest.Execute(r == *repeat-1 && i == len(bodies)-1, b))
			size += n
		}
	}
	if err := bw.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
	n401 := 0
	for _, e := range evs {
		if e.Code == 401 {
			n401++
		}
	}
	fmt.Fprintf(os.Stderr, "gencorpus: %d events (%d with code 401) in chunks of %d, sent %d times: %d bytes\n", *events, n401, *chunk, *repeat, size)
}
