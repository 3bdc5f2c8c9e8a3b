package chunked_test

import (
	"bytes"
	"io"
	"testing"

	. "github.com/kubefingerprint/kubefingerprint/internal/chunked"
	"github.com/kubefingerprint/kubefingerprint/internal/corpus"
)

// BenchmarkCSVReader decodes the execute chunks of 20,000 generated AKS
// events, record by record, as the command does.
func BenchmarkCSVReader(b *testing.B) {
	stream, _ := corpus.New(1).Stream(20000, 10000)
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
				if _, err := r.Read(); err != nil {
					if err != io.EOF {
						b.Fatal(err)
					}
					break
				}
				records++
			}
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
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
