package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/detect"
	"github.com/kubefingerprint/kubefingerprint/internal/golden"
)

// sourcesFixture holds sources whose fingerprints are known:
//   - 198.51.100.7 tries a bad token on two clusters: two 401s, one URI;
//   - 203.0.113.45 probes seven URIs (403, and 200 for /version), once
//     behind a spoofed X-Forwarded-For: 10.0.0.5;
//   - 192.0.2.10 asks one URI with a scanner's user agent;
//   - 10.224.0.9 makes two ordinary requests.
func sourcesFixture() string {
	var lines []string
	add := func(c auditCall) { lines = append(lines, c.line()) }
	add(auditCall{ips: []string{"198.51.100.7"}, ua: "python-requests/2.31.0", verb: "list", uri: "/api/v1/secrets",
		code: 401, time: "2026-11-20T09:00:30Z", cluster: "AKS-PROD"})
	for i, uri := range []string{"/version", "/api", "/apis", "/api/v1/pods", "/api/v1/secrets", "/api/v1/nodes", "/metrics"} {
		c := auditCall{ips: []string{"203.0.113.45"}, ua: "kube-hunter", verb: "get", uri: uri, code: 403,
			user: "system:anonymous", groups: []string{"system:unauthenticated"},
			time: fmt.Sprintf("2026-11-20T09:01:%02dZ", i), cluster: "AKS-PROD"}
		if uri == "/version" {
			c.code = 200
		}
		if uri == "/metrics" {
			c.ips = []string{"10.0.0.5", "203.0.113.45"}
		}
		add(c)
	}
	add(auditCall{ips: []string{"192.0.2.10"}, ua: "zgrab/0.x", verb: "get", uri: "/.env", code: 403,
		user: "system:anonymous", groups: []string{"system:unauthenticated"}, time: "2026-11-20T09:02:00Z", cluster: "AKS-DEV"})
	add(auditCall{ips: []string{"10.224.0.9"}, ua: "kubectl/v1.30.1", verb: "list", uri: "/api/v1/pods", code: 200,
		user: "alice@example.com", groups: []string{"system:authenticated"}, time: "2026-11-20T09:03:00Z", cluster: "AKS-PROD"})
	add(auditCall{ips: []string{"10.224.0.9"}, ua: "kubectl/v1.30.1", verb: "get", uri: "/api/v1/namespaces", code: 200,
		user: "alice@example.com", groups: []string{"system:authenticated"}, time: "2026-11-20T09:03:01Z", cluster: "AKS-PROD"})
	add(auditCall{ips: []string{"198.51.100.7"}, ua: "python-requests/2.31.0", verb: "list", uri: "/api/v1/secrets",
		code: 401, time: "2026-11-20T09:05:00Z", cluster: "AKS-DEV"})
	return strings.Join(lines, "\n") + "\n"
}

// tagZgrab stands in for the scanner lookups: it tags zgrab.
func tagZgrab(ua []byte) []byte {
	if bytes.HasPrefix(ua, []byte("zgrab/")) {
		return []byte("zgrab")
	}
	return nil
}

// summarize runs scan --summary with a scanner tag, on every code the
// fixture holds.
func summarize(t *testing.T, content string, args ...string) scanRun {
	t.Helper()
	cfg, err := parse(append([]string{"--summary", "--codes", "200,401,403", writeFile(t, "a.log", content)}, args...))
	require.NoError(t, err)
	var out, errOut bytes.Buffer
	code := cfg.run(&detect.Allowlists{}, tagZgrab, nil, Stdin{}, &out, &errOut)
	return scanRun{out.String(), errOut.String(), code}
}

func summaryLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		lines = append(lines, m)
	}
	return lines
}

func TestSummary(t *testing.T) {
	r := summarize(t, sourcesFixture(), "--format", "json")
	require.Equal(t, 0, r.code, r.err)
	got := summaryLines(t, r.out)
	require.Len(t, got, 3, r.out)
	assert.Equal(t, map[string]any{
		"src_ip": "198.51.100.7", "count": 2.0, "firstTime": "1795165230.000000", "lastTime": "1795165500.000000",
		"tool": "", "tool_score": 0.0, "disguise": []any{},
		"uri_count": 1.0, "count_401": 2.0, "requestURIs": []any{"/api/v1/secrets"}, "verbs": []any{"list"},
		"codes": []any{"401"}, "users": []any{}, "scanners": []any{}, "clusters": []any{"AKS-DEV", "AKS-PROD"},
		"userAgents": []any{"python-requests/2.31.0"},
	}, got[0], "fires on its 401s; first seen first")
	assert.Equal(t, map[string]any{
		"src_ip": "203.0.113.45", "count": 7.0, "firstTime": "1795165260.000000", "lastTime": "1795165266.000000",
		"tool": "", "tool_score": 0.0, "disguise": []any{}, "uri_count": 7.0, "count_401": 0.0,
		"requestURIs": []any{"/api", "/api/v1/nodes", "/api/v1/pods", "/api/v1/secrets", "/apis", "/metrics", "/version"},
		"verbs":       []any{"get"}, "codes": []any{"200", "403"}, "users": []any{"system:anonymous"}, "scanners": []any{},
		"clusters": []any{"AKS-PROD"}, "userAgents": []any{"kube-hunter"},
	}, got[1], "fires on seven URIs; the spoofed X-Forwarded-For address is no source")
	assert.Equal(t, "192.0.2.10", got[2]["src_ip"])
	assert.Equal(t, []any{"zgrab"}, got[2]["scanners"], "fires on its scanner tag alone")
	assert.Contains(t, r.err, "sources: 4, firing: 3 (fires on tool_score >= 0.5 OR uri_count >= 5 OR count_401 >= 1 OR a scanner tag, unless a source asked public information only)")

	r = summarize(t, sourcesFixture())
	require.Equal(t, 0, r.code, r.err)
	golden.Check(t, "testdata/summary.golden", []byte(r.out))

	r = summarize(t, sourcesFixture(), "--format", "csv")
	require.Equal(t, 0, r.code, r.err)
	rows := scanCSV(t, r.out)
	require.Len(t, rows, 4)
	assert.Equal(t, []string{"src_ip", "count", "firstTime", "lastTime", "tool", "tool_score", "disguise", "uri_count", "count_401", "requestURIs",
		"verbs", "codes", "users", "scanners", "clusters", "userAgents"}, rows[0])
	assert.Equal(t, "AKS-DEV\nAKS-PROD", rows[1][14])
}

func TestSummaryThresholds(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"198.51.100.7", "203.0.113.45", "192.0.2.10"}},
		{[]string{"--min-uris", "8"}, []string{"198.51.100.7", "192.0.2.10"}},
		{[]string{"--min-uris", "2"}, []string{"198.51.100.7", "203.0.113.45", "192.0.2.10", "10.224.0.9"}},
		{[]string{"--min-401", "3"}, []string{"203.0.113.45", "192.0.2.10"}},
		{[]string{"--min-401", "0"}, []string{"203.0.113.45", "192.0.2.10"}},
		{[]string{"--fire-on-scanner=false"}, []string{"198.51.100.7", "203.0.113.45"}},
		{[]string{"--min-uris", "0", "--min-401", "0", "--fire-on-scanner=false"}, nil},
	} {
		r := summarize(t, sourcesFixture(), append(tc.args, "--format", "json")...)
		require.Equal(t, 0, r.code, r.err)
		var ips []string
		for _, l := range summaryLines(t, r.out) {
			ips = append(ips, l["src_ip"].(string))
		}
		assert.Equal(t, tc.want, ips, "%v", tc.args)
	}
}

// TestSummaryStreams: the summary's lines are written as they are
// rendered, not held until the last: before, a million sources were held
// as one buffer of every line on top of their fingerprints.
func TestSummaryStreams(t *testing.T) {
	var in strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&in, `{"kind":"Event","stage":"ResponseStarted","sourceIPs":["2001:db8::%x"],"responseStatus":{"code":401}}`+"\n", i)
	}
	for format, lines := range map[string]int{"table": 20001, "csv": 20001, "json": 20000} {
		var w largestWrite
		require.Equal(t, 0, Run([]string{"--summary", "--format", format}, Stdin{Reader: strings.NewReader(in.String())}, &w, io.Discard))
		assert.Equal(t, lines, w.lines, format)
		assert.Less(t, w.largest, 256<<10, format)
	}
}

// TestSampleSummary is the README's worked example on the bundled sample:
// the bad-token script fires on its 401s; with --codes 401,403 the RBAC
// denials of a signed-in developer fire too, which --anonymous avoids;
// with --anonymous kube-hunter's credential-less probing fires as well.
func TestSampleSummary(t *testing.T) {
	sources := func(args ...string) []map[string]any {
		t.Helper()
		var out, errOut bytes.Buffer
		require.Equal(t, 0, Run(append(args, "--summary", "--format", "json"), Stdin{Terminal: true}, &out, &errOut), errOut.String())
		return summaryLines(t, out.String())
	}
	ips := func(lines []map[string]any) []string {
		var out []string
		for _, l := range lines {
			out = append(out, l["src_ip"].(string))
		}
		return out
	}
	got := sources()
	require.Equal(t, []string{"198.51.100.7", "203.0.113.99"}, ips(got), "never the monitor's 401s on /version")
	assert.Equal(t, 9.0, got[0]["count_401"])
	assert.Equal(t, "kube-hunter", got[1]["tool"], "kube-hunter's probes behind a browser's user agent")
	assert.Equal(t, []any{"browser"}, got[1]["disguise"])
	assert.Equal(t, []any{"AKS-DEV", "AKS-PROD-WEU"}, got[0]["clusters"])

	all403 := sources("--codes", "401,403")
	assert.Equal(t, []string{"198.51.100.7", "203.0.113.45", "192.0.2.77", "10.224.0.9", "203.0.113.99"}, ips(all403),
		"with every 403, the signed-in developer's RBAC denials look like a scan")
	assert.Equal(t, []any{"zgrab"}, all403[2]["scanners"], "zgrab asked one path and fires on its scanner tag alone")

	got = sources("--anonymous")
	require.Equal(t, []string{"198.51.100.7", "203.0.113.45", "192.0.2.77", "203.0.113.99"}, ips(got), "never the developer's RBAC denials")
	assert.Equal(t, 9.0, got[1]["count"], "a 200 and eight 403s; its /healthz is left out, the RequestReceived event is no row")
	assert.Equal(t, 9.0, got[1]["uri_count"])
	assert.Equal(t, 10.0, sources("--anonymous", "--health")[1]["count"], "--health keeps its /healthz")
	assert.Equal(t, []any{"200", "403"}, got[1]["codes"])
	assert.Equal(t, []any{"system:anonymous"}, got[1]["users"])
}
