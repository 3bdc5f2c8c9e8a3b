// Command gencorpus writes the byte stream splunkd would send the
// kubefingerprint command for a generated AKS kube-audit corpus.
//
//	go run ./bench/gencorpus -for bench/out/kubefingerprint -events 20000 -chunk 10000 -o stream.bin
//	go run ./bench/gencorpus -percent401 40 -events 50000 -chunk 50000 -repeat 50 -o - | kubefingerprint
//
// -events 0 writes the getinfo request alone. -for sends the named binary a getinfo request and writes the columns its
// reply asks for, as splunkd would, so that each version of the command is
// measured on its own request stream. -repeat sends the same chunks again,
// for streams too large to keep.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/corpus"
)

func main() {
	events := flag.Int("events", 20000, "number of events; 0 writes the getinfo request alone")
	chunk := flag.Int("chunk", 10000, "events per execute chunk")
	repeat := flag.Int("repeat", 1, "send the chunks this many times")
	seed := flag.Uint64("seed", 1, "generator seed")
	percent401 := flag.Int("percent401", 2, "share of events answered 401, in percent")
	command := flag.String("for", "", "write the columns this command binary's getinfo reply asks for (default: every field of storage-blob data)")
	out := flag.String("o", "stream.bin", "output file, - for standard output")
	flag.Parse()
	if err := run(*events, *chunk, *repeat, *seed, *percent401, *command, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}

func run(events, chunk, repeat int, seed uint64, percent401 int, command, out string) error {
	if events < 0 || chunk < 1 || repeat < 1 || percent401 < 0 || percent401 > 100 {
		return fmt.Errorf("need -events >= 0, -chunk and -repeat >= 1, -percent401 in 0..100")
	}
	g := corpus.New(seed)
	g.Percent401 = percent401
	if command != "" {
		required, err := ask(command)
		if err != nil {
			return err
		}
		if g.Columns, err = corpus.Columns(required); err != nil {
			return fmt.Errorf("%s asks for %q: %w", command, required, err)
		}
	}
	bodies, evs := g.Bodies(events, chunk)
	var w io.Writer = os.Stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	size, _ := bw.Write(chunkedtest.Getinfo())
	for r := 0; r < repeat; r++ {
		for i, b := range bodies {
			n, _ := bw.Write(chunkedtest.Execute(r == repeat-1 && i == len(bodies)-1, b))
			size += n
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	n401 := 0
	for _, e := range evs {
		if e.Code == 401 {
			n401++
		}
	}
	fmt.Fprintf(os.Stderr, "gencorpus: %d events (%d with code 401), columns %s, in chunks of %d, sent %d times: %d bytes\n",
		events, n401, strings.Join(g.Columns, ","), chunk, repeat, size)
	return nil
}

// ask sends command a getinfo request, as splunkd starts it, and returns
// the fields its reply asks for.
func ask(command string) ([]string, error) {
	cmd := exec.Command(command)
	cmd.Stdin = bytes.NewReader(chunkedtest.Getinfo())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	reply, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: getinfo: %v %s", command, err, bytes.TrimSpace(stderr.Bytes()))
	}
	required, err := chunkedtest.RequiredFields(bytes.NewReader(reply))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	if len(required) == 0 {
		return nil, fmt.Errorf("%s asks for every field; the corpus cannot make them", command)
	}
	return required, nil
}
