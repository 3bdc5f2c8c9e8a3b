package audit

import (
	"testing"

	"github.com/kubefingerprint/kubefingerprint/internal/corpus"
)

// BenchmarkAppendString decodes the properties.log strings of generated
// AKS records, as they lie in _raw, in the pass that finds their end.
func BenchmarkAppendString(b *testing.B) {
	g := corpus.New(1)
	var logs [][]byte
	size := 0
	for range 1000 {
		raw := []byte(g.Next().Raw)
		var r reader
		r.reset(raw)
		r.open('{')
		for key, ok := r.next(); ok; key, ok = r.next() {
			if string(key) != "properties" {
				r.skip()
				continue
			}
			r.open('{')
			r.next()
			start := r.i + 1
			r.skip()
			logs = append(logs, raw[start:])
			size += r.i - start
			break
		}
	}
	b.SetBytes(int64(size / len(logs)))
	var dst []byte
	i := 0
	for b.Loop() {
		dst, _, _ = appendString(dst[:0], logs[i%len(logs)])
		i++
	}
}
