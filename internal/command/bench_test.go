package command

import (
	"bytes"
	"io"
	"testing"

	"github.com/kubefingerprint/kubefingerprint/internal/corpus"
)

// BenchmarkSearch runs the whole command in-process on the stream splunkd
// would send for 20,000 generated AKS events, in chunks of 10,000 and of
// 50,000 events.
func BenchmarkSearch(b *testing.B) {
	for _, bc := range []struct {
		name          string
		events, chunk int
	}{{"chunk10k", 20000, 10000}, {"chunk50k", 50000, 50000}} {
		stream, _ := corpus.New(1).Stream(bc.events, bc.chunk)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(stream)))
			b.ReportAllocs()
			for b.Loop() {
				if code := Search(bytes.NewReader(stream), io.Discard, io.Discard, ""); code != 0 {
					b.Fatal("exit status", code)
				}
			}
			b.ReportMetric(float64(bc.events*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
