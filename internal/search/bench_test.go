package search_test

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/corpus"
	"github.com/kubefingerprint/kubefingerprint/internal/search"
)

// BenchmarkSearch runs the whole command in-process on the stream splunkd
// would send for generated AKS events, with the columns the command's own
// getinfo reply asks for: the realistic corpus (2% 401s) in chunks of
// 10,000 and of 50,000 events, and the dense one (40% 401s).
func BenchmarkSearch(b *testing.B) {
	var reply bytes.Buffer
	search.Run(bytes.NewReader(chunkedtest.Getinfo()), &reply, io.Discard, "")
	required, err := chunkedtest.RequiredFields(&reply)
	if err != nil {
		b.Fatal(err)
	}
	columns, err := corpus.Columns(required)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name                      string
		percent401, events, chunk int
	}{{"realistic/chunk10k", 2, 20000, 10000}, {"realistic/chunk50k", 2, 50000, 50000}, {"dense/chunk10k", 40, 20000, 10000}} {
		g := corpus.New(1)
		g.Percent401, g.Columns = bc.percent401, columns
		stream, _ := g.Stream(bc.events, bc.chunk)
		b.Run(bc.name, func(b *testing.B) { benchSearch(b, stream, bc.events) })
	}
}

// benchSearch times the whole command in-process on a request stream of
// events events.
func benchSearch(b *testing.B, stream []byte, events int) {
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		if code := search.Run(bytes.NewReader(stream), io.Discard, io.Discard, ""); code != 0 {
			b.Fatal("exit status", code)
		}
	}
	b.ReportMetric(float64(events*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkColumnOrder runs the whole command on the realistic corpus with
// the columns it asks for in either order, and _time written as splunkd
// writes a time with a fraction, quoted ("1795165200.123456"): splunkd
// quotes every value that holds a byte outside [A-Za-z0-9], and the
// recordings of its requests list their columns sorted, _raw before _time.
// Both orders must find _raw without splitting the record (Peek).
func BenchmarkColumnOrder(b *testing.B) {
	for _, columns := range [][]string{{"_time", "_raw", "_chunked_idx"}, {"_raw", "_time", "_chunked_idx"}} {
		g := corpus.New(1)
		stream := chunkedtest.Getinfo()
		for start := 0; start < 20000; start += 10000 {
			t := chunkedtest.Table{Columns: columns}
			for i := range 10000 {
				e := g.Next()
				cells := map[string]string{"_time": e.Time + ".123456", "_raw": e.Raw, "_chunked_idx": strconv.Itoa(i)}
				t.AppendRow(cells[columns[0]], cells[columns[1]], cells[columns[2]])
			}
			stream = append(stream, chunkedtest.Execute(start+10000 >= 20000, t.Body())...)
		}
		b.Run(strings.Join(columns[:2], ","), func(b *testing.B) { benchSearch(b, stream, 20000) })
	}
}
