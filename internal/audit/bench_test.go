package audit_test

import (
	"testing"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/corpus"
)

// BenchmarkExtract runs extraction on generated AKS events (2% 401s): the
// record as indexed (Document) and the extracted properties.log (Log), every
// event read, though the walk of an event stops at its code when the code
// is unwanted; MayMatch is the scan that spares most events all of it.
func BenchmarkExtract(b *testing.B) {
	g := corpus.New(1)
	var raws, logs [][]byte
	size := 0
	for range 1000 {
		e := g.Next()
		raws = append(raws, []byte(e.Raw))
		logs = append(logs, []byte(e.Log))
		size += len(e.Raw)
	}
	x := audit.NewExtractor([]int{401}, false)
	rows := 0
	emit := func(*audit.Event) { rows++ }
	run := func(b *testing.B, bytes int, each func(i int)) {
		b.SetBytes(int64(bytes / len(raws)))
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			each(i % len(raws))
			i++
		}
		b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "events/s")
	}
	var doc audit.Document
	b.Run("Document", func(b *testing.B) {
		run(b, size, func(i int) { doc = *audit.NewDocument(raws[i]); x.Read(&doc, emit) })
	})
	b.Run("Log", func(b *testing.B) {
		n := 0
		for _, l := range logs {
			n += len(l)
		}
		var src extracted
		run(b, n, func(i int) { src.log[0] = logs[i]; x.Read(&src, emit) })
	})
	b.Run("MayMatch", func(b *testing.B) { run(b, size, func(i int) { x.MayMatch(raws[i]) }) })
}

// extracted is a Source of properties.log alone, as Splunk extracts it.
type extracted struct{ log [1][]byte }

func (e *extracted) Raw() [][]byte      { return nil }
func (e *extracted) Log() [][]byte      { return e.log[:] }
func (e *extracted) ResourceID() []byte { return nil }
