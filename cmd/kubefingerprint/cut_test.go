package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/scan"
	"github.com/kubefingerprint/kubefingerprint/internal/search/searchtest"
)

// TestCutBeforeCode: the user agent and request URI precede responseStatus
// in an audit event, and the client sets both. A 401 sent with a 20 KB user
// agent of letters is cut by AKS at 16 KiB of properties.log (or by
// Splunk's TRUNCATE) before its code: no digit of 401 is left, the digit
// prefilter dropped the event unread, and the closing message counted
// nothing, a silent loss an attacker could steer. The event is now read
// and counted as skipped (cut before responseStatus.code), in search and
// in scan, with and without anonymous=true.
func TestCutBeforeCode(t *testing.T) {
	// In the API server's key order: userAgent before responseStatus. The
	// client may also write the text of the keys it cannot write.
	for _, ua := range []string{
		strings.Repeat("A", 20000),
		`","responseStatus":{"code":200},"auditID":"x` + strings.Repeat("A", 20000),
		`\"responseStatus\":{}` + strings.Repeat(`responseStatus":`, 2000),
	} {
		ev := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"ResponseStarted","requestURI":"/api",` +
			`"verb":"get","user":{},"sourceIPs":["203.0.113.1"],"userAgent":` + jsonString(ua) +
			`,"responseStatus":{"metadata":{},"reason":"Unauthorized","code":401}}`
		cutBeforeCode(t, ev)
	}
}

// jsonString is s as a JSON string, as the API server writes it.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func cutBeforeCode(t *testing.T, ev string) {
	t.Helper()
	akscut, err := json.Marshal(map[string]any{"category": "kube-audit", "properties": map[string]any{"log": ev[:16384]},
		"resourceId": "/x/MANAGEDCLUSTERS/C"})
	require.NoError(t, err)
	whole, err := json.Marshal(map[string]any{"category": "kube-audit", "properties": map[string]any{"log": ev},
		"resourceId": "/x/MANAGEDCLUSTERS/C"})
	require.NoError(t, err)
	ok, err := json.Marshal(map[string]any{"category": "kube-audit", "properties": map[string]any{
		"log": strings.Replace(ev, `"reason":"Unauthorized","code":401`, `"code":200`, 1)}})
	require.NoError(t, err)
	require.False(t, strings.Contains(string(akscut), "401") || strings.Contains(string(whole[:10000]), "401") || strings.Contains(string(ok), "401"))
	for name, raw := range map[string]string{
		"AKS cut":                           string(akscut),
		"TRUNCATE":                          string(whole[:10000]),
		"bare cut":                          ev[:16384],
		"batch, a whole 200 then a cut 401": `{"records":[` + string(ok) + `,` + string(akscut) + `]}`,
	} {
		for _, args := range [][]string{nil, {"anonymous=true"}} {
			tab := chunkedtest.Table{Columns: []string{"_time", "_raw"}}
			tab.AppendRow("1", raw)
			r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(args...), chunkedtest.Execute(true, tab.Body())), "")
			require.Equal(t, 0, r.Code, r.Stderr)
			require.Len(t, r.Replies, 2)
			assert.Contains(t, r.Replies[1].Meta["inspector"].(map[string]any)["messages"].([]any)[0].([]any)[1],
				"events read: 1, rows emitted: 0, events skipped as unparsable: 1", "search %s %v", name, args)

			scanArgs := []string{"--format", "csv"}
			if args != nil {
				scanArgs = append(scanArgs, "--anonymous")
			}
			s := runScan(t, raw+"\n", scanArgs...)
			assert.Contains(t, s.err, "events read: 1, rows emitted: 0, events skipped as unparsable: 1", "scan %s %v", name, args)
		}
	}
}

type scanRun struct {
	out, err string
	code     int
}

// runScan runs the scan subcommand with stdin piped in (not a terminal).
func runScan(t *testing.T, stdin string, args ...string) scanRun {
	t.Helper()
	var out, errOut bytes.Buffer
	code := scan.Run(args, scan.Stdin{Reader: strings.NewReader(stdin)}, &out, &errOut)
	return scanRun{out.String(), errOut.String(), code}
}
