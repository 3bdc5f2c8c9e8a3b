package jsonstream

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

// BenchmarkReader splits the bundled sample of AKS records, repeated.
func BenchmarkReader(b *testing.B) {
	sample, err := os.ReadFile("../../samples/sample.ndjson")
	if err != nil {
		b.Fatal(err)
	}
	benchmarkRead(b, bytes.Repeat(sample, 200))
}

// BenchmarkDeepArrays reads 100,000 nested top-level arrays around a
// document (defect 15: the reading was quadratic in the nesting).
func BenchmarkDeepArrays(b *testing.B) {
	n := 100_000
	benchmarkRead(b, []byte(strings.Repeat("[", n)+`{"a":1}`+strings.Repeat("]", n)))
}

func benchmarkRead(b *testing.B, in []byte) {
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(in))
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			}
		}
	}
}

// BenchmarkOneLine reads small documents concatenated on one long line:
// the work per document must not grow with the line.
func BenchmarkOneLine(b *testing.B) {
	benchmarkRead(b, bytes.Repeat([]byte(`{"a":"b","c":1}`), 100_000))
}
