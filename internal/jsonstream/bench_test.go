package jsonstream

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// BenchmarkReader splits the bundled sample of AKS records, repeated.
func BenchmarkReader(b *testing.B) {
	sample, err := os.ReadFile("../command/testdata/sample.ndjson")
	if err != nil {
		b.Fatal(err)
	}
	in := bytes.Repeat(sample, 200)
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
