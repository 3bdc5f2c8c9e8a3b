package chunked_test

import (
	"bytes"
	"io"
	"testing"

	. "github.com/kubefingerprint/kubefingerprint/internal/chunked"
	"github.com/kubefingerprint/kubefingerprint/internal/corpus"
)

// BenchmarkCSVReader decodes the execute chunks of 20,000 generated AKS
// events, with the columns the command asks for (_time, _raw), record by
// record: find only finds each record, as the command does for an event it
// drops after a Peek; split also splits every field.
func BenchmarkCSVReader(b *testing.B) {
	g := corpus.New(1)
	columns, err := corpus.Columns([]string{"_time", "_raw"})
	if err != nil {
		b.Fatal(err)
	}
	g.Columns = columns
	stream, _ := g.Stream(20000, 10000)
	for _, split := range []bool{false, true} {
		name := map[bool]string{false: "find", true: "split"}[split]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(stream)))
			b.ReportAllocs()
			var r CSVReader
			records := 0
			for b.Loop() {
				cr := NewReader(bytes.NewReader(stream))
				for {
					_, body, err := cr.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					r.Reset(body)
					for {
						rec, err := r.Read()
						if err != nil {
							if err != io.EOF {
								b.Fatal(err)
							}
							break
						}
						if split && rec.Len() < 1 {
							b.Fatal("no fields")
						}
						records++
					}
				}
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkMV decodes and encodes a three-address sourceIPs{} cell.
func BenchmarkMV(b *testing.B) {
	vals := [][]byte{[]byte("203.0.113.7"), []byte("10.224.0.4"), []byte("2001:db8::1")}
	cell := AppendMV(nil, vals)
	buf := make([]byte, len(cell))
	var dst [][]byte
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, cell)
		dst, _ = SplitMV(dst[:0], buf)
		out = AppendMV(out[:0], dst)
	}
}
