package command

import (
	"bytes"
	"io"
	"testing"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
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

// BenchmarkRowEncode renders one reported event as a row of the reply.
func BenchmarkRowEncode(b *testing.B) {
	var f chunkCSV
	f.withIdx = true
	ev := &audit.Event{
		SourceIPs: [][]byte{[]byte("203.0.113.7"), []byte("10.224.0.4")},
		UserAgent: []byte(`Mozilla/5.0 (compatible; "Scanner", v1.0)`), Verb: []byte("list"),
		RequestURI: []byte("/api/v1/namespaces/kube-system/secrets?limit=500"), Reason: []byte("Unauthorized"),
	}
	row := &Row{Time: []byte("1795165200.500118"), Event: ev, ChunkedIdx: []byte("4711")}
	var dst []byte
	b.ReportAllocs()
	for b.Loop() {
		dst = f.row(dst[:0], row)
	}
	b.SetBytes(int64(len(dst)))
}
