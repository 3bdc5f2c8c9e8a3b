package bysource

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/detect"
)

// firing returns what Firing gives, one map of column to values per source.
func firing(a *Aggregator) []map[string][]string {
	var out []map[string][]string
	a.Firing(func(values [][]string) {
		m := map[string][]string{}
		for i, c := range Columns {
			m[c.Name] = values[i]
		}
		out = append(out, m)
	})
	return out
}

// one adds a row as an event of its own.
func one(a *Aggregator, r *detect.Row) {
	a.Row(r)
	a.Commit()
}

// TestBounded: a source's memory is bounded however many distinct values
// it sends; the counts stay exact up to the cap and say when they are a
// lower bound.
func TestBounded(t *testing.T) {
	a := New(DefaultThresholds, nil)
	ev := &audit.Event{SourceIPs: [][]byte{[]byte("203.0.113.9")}, Code: 403, CodeText: []byte("403")}
	row := &detect.Row{Event: ev, Time: []byte("1795165200.000000")}
	long := strings.Repeat("U", 1000)
	for i := 0; i < maxDistinctURIs+10; i++ {
		ev.RequestURI = fmt.Appendf(ev.RequestURI[:0], "/api/v1/namespaces/%d", i)
		ev.Verb = fmt.Appendf(ev.Verb[:0], "verb%02d", i%12)
		ev.UserAgent = []byte(long)
		one(a, row)
	}
	got := firing(a)
	require.Len(t, got, 1)
	assert.Equal(t, []string{"100000+"}, got[0]["uri_count"], "a lower bound past the cap")
	assert.Equal(t, []string{fmt.Sprint(maxDistinctURIs + 10)}, got[0]["count"], "every row counted")
	verbs := got[0]["verbs"]
	assert.Len(t, verbs, maxSamples+1)
	assert.Equal(t, "…", verbs[maxSamples], "more values than shown")
	assert.Equal(t, strings.Repeat("U", maxSampleLen)+"…", got[0]["userAgents"][0])
	fp := a.sources["203.0.113.9"]
	assert.Equal(t, maxDistinctURIs, fp.uris.len())
	uris, _ := fp.kept(listURIs)
	assert.Len(t, uris, maxSamples)

	// Below the cap the count is exact, however often a URI repeats.
	a = New(DefaultThresholds, nil)
	for i := 0; i < 1000; i++ {
		ev.RequestURI = fmt.Appendf(ev.RequestURI[:0], "/u%d", i%7)
		one(a, row)
	}
	assert.Equal(t, []string{"7"}, firing(a)[0]["uri_count"])
}

// TestManySources: an exact group-by keeps one fingerprint per source, and
// an attacker with an IPv6 prefix has as many sources as requests, so a
// fingerprint is small: values that many sources send are kept once, and a
// few URIs need no map.
func TestManySources(t *testing.T) {
	a := New(DefaultThresholds, nil)
	ev := &audit.Event{Code: 401, CodeText: []byte("401"), Verb: []byte("get"), RequestURI: []byte("/api"),
		UserAgent: []byte("curl/8.5.0"), Cluster: []byte("AKS-PROD")}
	row := &detect.Row{Event: ev, Time: []byte("1795165200.000000"), Scanner: []byte("curl")}
	const n = 50_000
	ips := make([][]byte, n)
	for i := range ips {
		ips[i] = fmt.Appendf(nil, "2001:db8::%x", i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range ips {
		ev.SourceIPs = ips[i : i+1]
		one(a, row)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perSource := (after.HeapAlloc - before.HeapAlloc) / n
	t.Logf("%d bytes of heap per source", perSource)
	assert.Less(t, perSource, uint64(450))
	runtime.KeepAlive(a)
	assert.Len(t, firing(a), n, "every source fires on its 401")
}

// TestTimes: first and last seen are ordered as times, also before 1970,
// where _time is written sign and magnitude: -5.9 is 5.9 s before 1970.
func TestTimes(t *testing.T) {
	a := New(DefaultThresholds, nil)
	ev := &audit.Event{SourceIPs: [][]byte{[]byte("192.0.2.1")}, Code: 401, CodeText: []byte("401")}
	for _, tm := range []string{"-5.100000", "-5.900000", ""} {
		one(a, &detect.Row{Event: ev, Time: []byte(tm)})
	}
	got := firing(a)
	assert.Equal(t, []string{"-5.900000"}, got[0]["firstTime"])
	assert.Equal(t, []string{"-5.100000"}, got[0]["lastTime"])
	assert.Equal(t, []string{"3"}, got[0]["count"])
}

// TestWithdraw: the rows of a withdrawn event leave no trace in any
// source, new or known; committed rows of several events add up as if
// each had been taken alone.
func TestWithdraw(t *testing.T) {
	row := func(ip, uri, ua, tm string) *detect.Row {
		return &detect.Row{Time: []byte(tm), Event: &audit.Event{SourceIPs: [][]byte{[]byte(ip)}, Code: 401,
			CodeText: []byte("401"), RequestURI: []byte(uri), UserAgent: []byte(ua), Verb: []byte("get")}}
	}
	a := New(DefaultThresholds, nil)
	a.Row(row("192.0.2.1", "/a", "curl", "10.000000"))
	a.Row(row("192.0.2.1", "/b", "curl", "11.000000"))
	a.Commit()
	a.Row(row("192.0.2.1", "/withdrawn", "evil", "1.000000"))
	a.Row(row("192.0.2.2", "/withdrawn", "evil", "1.000000"))
	a.Withdraw()
	a.Row(row("192.0.2.1", "/c", "wget", "12.000000"))
	a.Row(row("192.0.2.1", "/a", "curl", "9.000000"))
	a.Commit()
	got := firing(a)
	require.Len(t, got, 1, "the withdrawn source is not there")
	assert.Equal(t, []string{"192.0.2.1"}, got[0]["src_ip"])
	assert.Equal(t, []string{"4"}, got[0]["count"])
	assert.Equal(t, []string{"4"}, got[0]["count_401"])
	assert.Equal(t, []string{"3"}, got[0]["uri_count"])
	assert.Equal(t, []string{"/a", "/b", "/c"}, got[0]["requestURIs"])
	assert.Equal(t, []string{"curl", "wget"}, got[0]["userAgents"])
	assert.Equal(t, []string{"9.000000"}, got[0]["firstTime"])
	assert.Equal(t, []string{"12.000000"}, got[0]["lastTime"])
	assert.Contains(t, a.Note(), "sources: 1, firing: 1")
}

// TestAbsentURI: an event without a requestURI is no distinct URI, as the
// by-source rule's dc(requestURI) leaves a missing value out: four URIs
// and one event without a URI is uri_count 4, which does not fire at 5.
func TestAbsentURI(t *testing.T) {
	a := New(Thresholds{MinURIs: 5}, nil)
	for _, uri := range []string{"/a", "/b", "/c", "/d", ""} {
		one(a, &detect.Row{Event: &audit.Event{SourceIPs: [][]byte{[]byte("192.0.2.1")}, Code: 403, RequestURI: []byte(uri)}})
	}
	assert.Empty(t, firing(a))
	a = New(Thresholds{MinURIs: 4}, nil)
	for _, uri := range []string{"/a", "/b", "/c", "/d", ""} {
		one(a, &detect.Row{Event: &audit.Event{SourceIPs: [][]byte{[]byte("192.0.2.1")}, Code: 403, RequestURI: []byte(uri)}})
	}
	require.Len(t, firing(a), 1)
	assert.Equal(t, []string{"4"}, firing(a)[0]["uri_count"])
	assert.Equal(t, []string{"5"}, firing(a)[0]["count"])
}

// TestSourceCap: past the cap, the rows of new sources are counted under
// one src_ip, every row still counted, and the note warns.
func TestSourceCap(t *testing.T) {
	a := New(DefaultThresholds, nil)
	a.max = 10
	for i := range 25 {
		for range 2 {
			a.Committed(&Request{SrcIP: fmt.Appendf(nil, "192.0.2.%d", i), RequestURI: []byte("/api/v1/secrets"), Verb: []byte("list"), Code: []byte("401")})
		}
	}
	got := firing(a)
	require.Len(t, got, 11)
	total := 0
	for _, s := range got {
		var n int
		fmt.Sscan(s["count"][0], &n)
		total += n
		if s["src_ip"][0] == Overflow {
			assert.Equal(t, []string{"30"}, s["count"], "15 sources past the cap, two rows each")
		}
	}
	assert.Equal(t, 50, total, "every row counted")
	assert.Contains(t, a.Note(), "WARN more than 10 sources: the 30 rows of the sources past them are counted under src_ip \"sources past the cap\"")
}

// TestBehaviour: a source fires on its tool whatever its user agent, and
// says what the agent claims instead; a source that asked only public
// information never fires, whatever its codes and tags.
func TestBehaviour(t *testing.T) {
	a := New(Thresholds{MinToolScore: 0.5}, shippedSignatures(t)) // the tool alone
	add := func(ip, verb, uri, ua, scanner, code string) {
		a.Committed(&Request{SrcIP: []byte(ip), Verb: []byte(verb), RequestURI: []byte(uri), UserAgent: []byte(ua), Scanner: []byte(scanner), Code: []byte(code)})
	}
	const msf = "kubectl/v1.22.2 (linux/amd64) kubernetes/8b5a191"
	add("203.0.113.1", "get", "/version", msf, "", "403")
	add("203.0.113.1", "list", "/api/v1/namespaces", msf, "", "403")
	for _, ns := range []string{"default", "dev", "kube-public", "kube-node-lease", "kube-lease", "kube-system"} {
		add("203.0.113.1", "create", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", msf, "", "403")
		add("203.0.113.1", "list", "/api/v1/namespaces/"+ns+"/pods", msf, "", "403")
		add("203.0.113.1", "list", "/api/v1/namespaces/"+ns+"/secrets", msf, "", "403")
	}
	for range 50 {
		add("192.0.2.9", "get", "/version?timeout=32s", "Blackbox-Exporter/0.25.0", "nmap", "401")
		add("192.0.2.9", "get", "/readyz", "Blackbox-Exporter/0.25.0", "nmap", "401")
	}
	got := firing(a)
	require.Len(t, got, 1, "the monitor never fires")
	assert.Equal(t, []string{"203.0.113.1"}, got[0]["src_ip"])
	assert.Equal(t, []string{"metasploit"}, got[0]["tool"])
	assert.Equal(t, []string{"kubectl"}, got[0]["disguise"], "kubectl's agent, Metasploit's requests")
	assert.Contains(t, a.Note(), "unless a source asked public information only")

	a = New(DefaultThresholds, shippedSignatures(t))
	for range 3 {
		add("192.0.2.9", "get", "/healthz", "kube-probe/1.30", "", "401")
	}
	assert.Empty(t, firing(a), "three 401s on /healthz")
	add("192.0.2.9", "get", "/api", "kube-probe/1.30", "", "401")
	assert.Len(t, firing(a), 1, "one request beyond public information and the 401s count")
}

// TestCapPrunesPublicOnly: a flood of sources that asked only public
// information cannot push a scan's address past the cap; fuzzing the public
// paths is no longer a monitor.
func TestCapPrunesPublicOnly(t *testing.T) {
	a := New(DefaultThresholds, nil)
	a.max = 10
	for i := range 30 {
		a.Committed(&Request{SrcIP: fmt.Appendf(nil, "2001:db8::%x", i), RequestURI: []byte("/version"), Verb: []byte("get"), Code: []byte("401")})
	}
	a.Committed(&Request{SrcIP: []byte("203.0.113.99"), RequestURI: []byte("/api/v1/secrets"), Verb: []byte("list"), Code: []byte("401")})
	got := firing(a)
	require.Len(t, got, 1)
	assert.Equal(t, []string{"203.0.113.99"}, got[0]["src_ip"])
	assert.Contains(t, a.Note(), "that asked only public information (and so cannot fire) were forgotten")

	a = New(DefaultThresholds, nil)
	for i := range 11 {
		a.Committed(&Request{SrcIP: []byte("192.0.2.1"), RequestURI: fmt.Appendf(nil, "/version?a=%d", i), Verb: []byte("get"), Code: []byte("401")})
	}
	assert.Len(t, firing(a), 1, "eleven distinct /version URIs are fuzzing, not a monitor")
}
