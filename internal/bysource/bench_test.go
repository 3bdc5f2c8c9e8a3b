package bysource

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint"
	"github.com/kubefingerprint/kubefingerprint/internal/lookup"
	"github.com/kubefingerprint/kubefingerprint/internal/signatures"
)

func shippedSignatures(tb testing.TB) *signatures.Set {
	var w lookup.Warnings
	t, err := lookup.Parse("kubefingerprint_tools.csv", kubefingerprint.Tools, &w)
	require.NoError(tb, err)
	s := signatures.New()
	require.NoError(tb, s.Add(t, &w))
	return s
}

// BenchmarkSources: the per-source stage on 1,000,000 rows from 100,000
// sources (ten requests each: tools' probes, other paths, health checks,
// several user agents), with the shipped signatures, as
// kubefingerprintsummary adds them, then every source judged. It reports the time per row and the heap kept per source once
// every row is in (heap-B/source).
func BenchmarkSources(b *testing.B) {
	const sources, perSource = 100_000, 10
	sigs := shippedSignatures(b)
	uris := [][]byte{[]byte("/version"), []byte("/api"), []byte("/api/v1/namespaces"), []byte("/api/v1/pods"),
		[]byte("/apis/rbac.authorization.k8s.io/v1/clusterroles"), []byte("/api/v1/namespaces/kube-lease/secrets"),
		[]byte("/healthz"), []byte("/.env"), []byte("/api/v1/namespaces/web/pods/web-7d4b9"), []byte("/apis/apps/v1/deployments?limit=500")}
	verbs := [][]byte{[]byte("get"), []byte("get"), []byte("list"), []byte("list"), []byte("list"), []byte("list"),
		[]byte("get"), []byte("get"), []byte("get"), []byte("list")}
	agents := [][]byte{[]byte("python-requests/2.31.0"), []byte("kubectl/v1.22.2 (linux/amd64) kubernetes/8b5a191"),
		[]byte("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0")}
	ips := make([][]byte, sources)
	for i := range ips {
		ips[i] = fmt.Appendf(nil, "2001:db8::%x", i)
	}
	times := make([][]byte, perSource)
	for j := range times {
		times[j] = fmt.Appendf(nil, "17951652%02d.000000", j)
	}
	var heap uint64
	b.ResetTimer()
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		a := New(DefaultThresholds, sigs)
		for j := range perSource {
			for i, ip := range ips {
				k := (i + j) % len(uris)
				r := Request{SrcIP: ip, Time: times[j], RequestURI: uris[k], Verb: verbs[k], Code: []byte("401"),
					UserAgent: agents[(i*j)%len(agents)], Cluster: []byte("AKS-PROD"), Scanner: nil}
				a.Committed(&r)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = (after.HeapAlloc - before.HeapAlloc) / sources
		n := 0
		a.Firing(func([][]string) { n++ })
		if n != sources {
			b.Fatalf("%d of %d sources fire", n, sources)
		}
		runtime.KeepAlive(a)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*sources*perSource), "ns/row")
	b.ReportMetric(float64(heap), "heap-B/source")
}
