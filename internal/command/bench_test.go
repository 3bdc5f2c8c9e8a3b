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

// BenchmarkRowEncode renders reported events as rows of the reply: a 401
// with the fingerprint fields filled as the corpus fills them, and one whose
// user agent needs quoting and whose URI holds bytes that are not UTF-8.
func BenchmarkRowEncode(b *testing.B) {
	for _, bc := range []struct {
		name string
		ev   *audit.Event
	}{
		{"401", &audit.Event{
			SourceIPs: [][]byte{[]byte("203.0.113.7"), []byte("10.224.0.4")},
			UserAgent: []byte("nuclei - Open-source project (github.com/projectdiscovery/nuclei)"), Verb: []byte("list"),
			RequestURI: []byte("/api/v1/namespaces/kube-system/secrets"), Reason: []byte("Unauthorized"),
			Cluster: []byte("AKS-PROD-WEU"), CodeText: []byte("401"), AuditID: []byte("5d1a3f0e-0013-4000-8000-000000000013"),
			Stage: []byte("ResponseStarted"),
		}},
		{"hostile", &audit.Event{
			SourceIPs: [][]byte{[]byte("203.0.113.7"), []byte("10.224.0.4")},
			UserAgent: []byte(`Mozilla/5.0 (compatible; "Scanner", v1.0)`), Verb: []byte("get"),
			RequestURI: []byte("/api/v1/\xff\xfe\"x\",\r\n/caf\xc3\xa9?q=\xe2\x82"), Reason: []byte("Unauthorized"),
			Cluster: []byte("AKS-DEV"), User: []byte("system:anonymous"), CodeText: []byte("403"),
			Groups: [][]byte{[]byte("system:unauthenticated")}, AuditID: []byte("5d1a3f0e-0013-4000-8000-000000000014"),
			Stage: []byte("ResponseComplete"),
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var f chunkCSV
			f.withIdx = true
			row := &Row{Time: []byte("1795165200.500118"), Event: bc.ev, Scanner: []byte("nuclei"), ChunkedIdx: []byte("4711")}
			dst := f.row(nil, row)
			b.SetBytes(int64(len(dst)))
			b.ReportAllocs()
			for b.Loop() {
				dst = f.row(dst[:0], row)
			}
		})
	}
}
