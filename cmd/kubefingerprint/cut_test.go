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
// in an audit event, and the client sets both. A scanner that sends a 20 KB
// user agent has its event cut by AKS at 16 KiB of properties.log (or by
// Splunk's TRUNCATE) before its code. What lies before the cut still says
// who called: a failed authentication ("user":{} at stage ResponseStarted)
// is reported in every mode with its 401 inferred, an unauthenticated
// caller with anonymous=true with its code unknown; a cut event of an
// authenticated caller is counted as skipped. In search (over the
// protocol) and in scan alike, with the same rows, in every shape.
func TestCutBeforeCode(t *testing.T) {
	callers := []struct {
		name, stage, user string
		// rows says what each mode reports: the code and cut columns,
		// or "" for a skipped event.
		plain, anonymous string
	}{
		{"failed authentication", "ResponseStarted", `{}`, "401 code inferred", "401 code inferred"},
		{"unauthenticated caller", "ResponseComplete", `{"username":"system:anonymous","groups":["system:unauthenticated"]}`, "", " code unknown"},
		{"authenticated caller", "ResponseStarted", `{"username":"alice","groups":["system:authenticated"]}`, "", ""},
	}
	// The client may also write the text of the keys it cannot write.
	pads := []string{
		strings.Repeat("A", 20000),
		`","responseStatus":{"code":200},"auditID":"x` + strings.Repeat("A", 20000),
		`\"responseStatus\":{}` + strings.Repeat(`responseStatus":`, 2000),
	}
	for _, c := range callers {
		for _, pad := range pads {
			ev := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"` + c.stage + `","requestURI":"/api",` +
				`"verb":"get","user":` + c.user + `,"sourceIPs":["198.51.100.9","203.0.113.1"],"userAgent":` + jsonString("kube-hunter "+pad) +
				`,"responseStatus":{"metadata":{},"reason":"Unauthorized","code":401}}`
			for mode, want := range map[string]string{"": c.plain, "anonymous=true": c.anonymous} {
				t.Run(c.name+"/"+mode, func(t *testing.T) { cutBeforeCode(t, ev, mode, want) })
			}
		}
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

// cutBeforeCode runs event ev, cut before its code, in every shape through
// search and scan in mode, and checks the one row's code and cut columns
// against want ("" for no row).
func cutBeforeCode(t *testing.T, ev, mode, want string) {
	record := func(log string) string {
		b, err := json.Marshal(map[string]any{"category": "kube-audit", "properties": map[string]any{"log": log},
			"resourceId": "/x/MANAGEDCLUSTERS/C"})
		require.NoError(t, err)
		return string(b)
	}
	akscut, whole := record(ev[:16384]), record(ev)
	ok := record(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a0","stage":"ResponseComplete","requestURI":"/api",` +
		`"verb":"get","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["203.0.113.1"],"userAgent":"kubectl/v1.31.0",` +
		`"responseStatus":{"metadata":{},"code":200}}`)
	require.False(t, strings.Contains(akscut, "401") || strings.Contains(whole[:10000], "401") || strings.Contains(ok, "401"))
	read, rows, skipped := "events read: 1, rows emitted: 1, events skipped as unparsable: 0", 1, 0 // read or skipped, never both
	if want == "" {
		read, rows, skipped = "events read: 1, rows emitted: 0, events skipped as unparsable: 1", 0, 1
	}
	for name, raw := range map[string]string{
		"AKS cut":                           akscut,
		"TRUNCATE":                          whole[:10000],
		"bare cut":                          ev[:16384],
		"Event Hub":                         `{"body":` + akscut + `}`,
		"batch, a whole 200 then a cut 401": `{"records":[` + ok + `,` + akscut + `]}`,
	} {
		// In a file, a document cut short is damage in itself: exit status 2.
		damaged := name == "TRUNCATE" || name == "bare cut"
		var args, scanArgs []string
		if mode != "" {
			args, scanArgs = []string{mode}, []string{"--anonymous"}
		}
		tab := chunkedtest.Table{Columns: []string{"_time", "_raw"}}
		tab.AppendRow("1", raw)
		r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(args...), chunkedtest.Execute(true, tab.Body())), "")
		require.Equal(t, 0, r.Code, r.Stderr)
		require.Len(t, r.Replies, 2)
		assert.Contains(t, r.Replies[1].Meta["inspector"].(map[string]any)["messages"].([]any)[0].([]any)[1], read, "search %s", name)
		searchRows := searchtest.Rows(t, r.Replies[1].Body)

		s := runScan(t, raw+"\n", append([]string{"--format", "csv"}, scanArgs...)...)
		assert.Contains(t, s.err, read, "scan %s", name)
		if skipped == 1 || damaged {
			assert.Equal(t, 2, s.code, "scan %s: exit status 2 when an event was skipped or the file is cut", name)
		} else {
			assert.Equal(t, 0, s.code, "scan %s", name)
		}
		scanRows := searchtest.Rows(t, s.out)
		require.Equal(t, rows, len(searchRows), "search %s", name)
		assert.Equal(t, comparable(searchRows), comparable(scanRows), "search and scan agree: %s", name)
		for _, row := range searchRows {
			assert.Equal(t, want, row["responseStatus.code"]+" "+row["cut"], name)
			assert.Equal(t, "203.0.113.1", row["src_ip"], name)
			assert.True(t, strings.HasPrefix(row["userAgent"], "kube-hunter "), name)
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
