package search_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint"
	"github.com/kubefingerprint/kubefingerprint/internal/audit/audittest"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/golden"
	"github.com/kubefingerprint/kubefingerprint/internal/scan"
	"github.com/kubefingerprint/kubefingerprint/internal/search/searchtest"
)

func sampleLines(t *testing.T) []string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(kubefingerprint.Sample))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, lines)
	return lines
}

func TestGetinfo(t *testing.T) {
	r := searchtest.Drive(t, chunkedtest.Getinfo(), "")
	require.Equal(t, 0, r.Code, r.Stderr)
	require.Len(t, r.Replies, 1)
	assert.Equal(t, "streaming", r.Replies[0].Meta["type"])
	assert.Equal(t, []any{"_time", "_raw"}, r.Replies[0].Meta["required_fields"])
	assert.Empty(t, r.Replies[0].Body)
	assert.Empty(t, r.Stderr)

	r = searchtest.Drive(t, chunkedtest.Getinfo("input=body.properties.log"), "")
	assert.Equal(t, []any{"_time", "body.properties.log", "resourceId", "body.resourceId"}, r.Replies[0].Meta["required_fields"],
		"with input= the cluster still comes from resourceId")
}

func TestEOFIsANormalEnd(t *testing.T) {
	for name, in := range map[string][]byte{
		"nothing":        nil,
		"after getinfo":  chunkedtest.Getinfo(),
		"between chunks": searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Execute(false, []byte("_raw\n{}\n"))),
		"after finished": searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Execute(true, nil)),
	} {
		t.Run(name, func(t *testing.T) {
			r := searchtest.Drive(t, in, "")
			assert.Equal(t, 0, r.Code)
			assert.Empty(t, r.Stderr)
		})
	}
}

// TestSearch drives the command with every input shape, split over several
// chunks, and compares the replies with testdata/search.golden.
func TestSearch(t *testing.T) {
	lines := sampleLines(t)
	// Chunk 1: the sample as _raw, with _time and _chunked_idx as splunkd
	// sends them when required_fields is set.
	t1 := chunkedtest.Table{Columns: []string{"_time", "_raw", "_chunked_idx"}}
	for i, l := range lines {
		t1.AppendRow(fmt.Sprintf("17951652%02d.5", i), l, fmt.Sprint(i))
	}
	// Chunk 2: properties.log extracted by Splunk; one cut short (spath,
	// TRUNCATE) with the whole record in _raw; awkward values; a
	// multivalued sourceIPs; an event with no audit data.
	t2 := chunkedtest.Table{Columns: []string{"_raw", "_time", "properties.log", "resourceId"}}
	ev := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseStarted","requestURI":"/api/v1/pods?x=$y,\"z\"","verb":"list","user":{},"sourceIPs":["198.51.100.9","10.0.0.2","2001:db8::1"],"userAgent":"evil \"agent\", with\nnewline and $dollar$;$","responseStatus":{"metadata":{},"status":"Failure","reason":"Unauthorized","code":401},"requestReceivedTimestamp":"2026-11-20T11:00:00.000001Z"}`
	t2.AppendRow("", "1795172400", ev, "/SUBSCRIPTIONS/X/RESOURCEGROUPS/Y/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/EXTRACTED")
	t2.AppendRow(lines[1], "1795172401", ev[:120], "")
	t2.AppendRow("I1120 klog line", "1795172402", "", "")
	t2.AppendRow("", "", strings.Replace(ev, `"code":401`, `"code":"401"`, 1), "")
	// Chunk 3: the Event Hub shape as Splunk extracts it, and _time multivalued.
	t3 := chunkedtest.Table{Columns: []string{"_time", "body.properties.log", "body.resourceId"}}
	t3.Rows = append(t3.Rows, [][]string{{"1795172500", "1795172501"}, {ev}, {"/x/MANAGEDCLUSTERS/HUB"}})

	in := searchtest.Stream(chunkedtest.Getinfo(),
		chunkedtest.Execute(false, t1.Body()),
		chunkedtest.Execute(false, t2.Body()),
		chunkedtest.Execute(false, []byte(`_raw,"__mv__raw"`+"\n")), // header only
		chunkedtest.Execute(false, nil),                             // no body at all
		chunkedtest.Execute(true, t3.Body()))
	r := searchtest.Drive(t, in, "")
	require.Equal(t, 0, r.Code, r.Stderr)
	require.Len(t, r.Replies, 6, "one reply per request")
	var got bytes.Buffer
	for i, rep := range r.Replies[1:] {
		fmt.Fprintf(&got, "--- reply %d %v\n%s", i+1, rep.Meta, rep.Body)
	}
	golden.Check(t, "testdata/search.golden", got.Bytes())
	assert.Empty(t, r.Stderr)
	last := r.Replies[5].Meta
	assert.Equal(t, true, last["finished"])
	assert.Equal(t, false, r.Replies[1].Meta["finished"])
	assert.Contains(t, fmt.Sprint(last["inspector"]), "events read: 44, rows emitted: 23, events skipped as unparsable: 2")
}

// TestScanMatchesSearch checks that the command line prints exactly the
// rows the search command returns for the same events.
func TestScanMatchesSearch(t *testing.T) {
	var scanOut, scanErr bytes.Buffer
	require.Equal(t, 0, scan.Run([]string{"--format", "csv"}, scan.Stdin{Terminal: true}, &scanOut, &scanErr), scanErr.String())

	tb := chunkedtest.Table{Columns: []string{"_raw"}}
	for _, l := range sampleLines(t) {
		tb.AppendRow(l)
	}
	r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Execute(true, tb.Body())), "")
	require.Equal(t, 0, r.Code, r.Stderr)
	assert.Equal(t, scanOut.String(), searchtest.WithoutMV(t, r.Replies[1].Body), "scan's CSV is the reply without its __mv_ columns")
	assert.Equal(t, 19, strings.Count(scanOut.String(), "Unauthorized"), "the sample holds nineteen 401 events")
}

func TestArgumentErrors(t *testing.T) {
	for _, args := range [][]string{
		{"bogus=1"},
		{"codes=abc"},
		{"codes=401,99"},
		{"input="},
		{"justaword"},
		{"filter=../etc/passwd.csv"},
		{"filter=a/b.csv"},
		{"filter=notcsv.txt"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(args...), chunkedtest.Execute(true, nil)), "")
			assert.Equal(t, 1, r.Code)
			require.Len(t, r.Replies, 1, "the error is the getinfo reply")
			msg := fmt.Sprint(r.Replies[0].Meta["error"])
			assert.Contains(t, msg, args[0][:min(len(args[0]), 5)], "names the argument")
			assert.Contains(t, msg, "valid arguments: codes=", "lists the valid ones")
			assert.Equal(t, true, r.Replies[0].Meta["finished"])
			assert.Equal(t, 1, strings.Count(r.Stderr, "\n"), "one stderr line")
		})
	}
	r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo("codes=401,403", "input=_raw", "filter=none"), chunkedtest.Execute(true, nil)), "")
	assert.Equal(t, 0, r.Code, r.Stderr)
}

func TestProtocolErrors(t *testing.T) {
	execute := chunkedtest.Execute(false, []byte("_raw\n{}\n"))
	for name, in := range map[string][]byte{
		"bad header":                 []byte("chunked 1.0,x,0\n{}"),
		"body before getinfo":        chunkedtest.Execute(false, []byte("_raw\n{}\n")),
		"getinfo with a body":        chunkedtest.Chunk([]byte(`{"action":"getinfo"}`), []byte("x")),
		"metadata not JSON":          searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Chunk([]byte("not json"), nil)),
		"second getinfo":             searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Getinfo()),
		"eof mid-chunk":              searchtest.Stream(chunkedtest.Getinfo(), execute[:len(execute)-3]),
		"body longer than declared":  searchtest.Stream(chunkedtest.Getinfo(), []byte("chunked 1.0,37,2\n{\"action\":\"execute\",\"finished\":false}_raw\n{}\n")),
		"huge length":                searchtest.Stream(chunkedtest.Getinfo(), []byte("chunked 1.0,99999999999999999999,0\n")),
		"negative length":            searchtest.Stream(chunkedtest.Getinfo(), []byte("chunked 1.0,-5,0\n")),
		"metadata length over limit": searchtest.Stream(chunkedtest.Getinfo(), []byte("chunked 1.0,999999999,0\n{}")),
		"unterminated header line":   searchtest.Stream(chunkedtest.Getinfo(), []byte("chunked 1.0,2")),
	} {
		t.Run(name, func(t *testing.T) {
			r := searchtest.Drive(t, in, "")
			assert.NotEqual(t, 0, r.Code)
			require.NotEmpty(t, r.Replies)
			last := r.Replies[len(r.Replies)-1]
			assert.NotEmpty(t, last.Meta["error"])
			assert.Equal(t, 1, strings.Count(r.Stderr, "\n"), "one stderr line: %q", r.Stderr)
		})
	}
}

// TestRecordedTranscripts feeds the execute chunks that real splunkd
// versions wrote, after a getinfo for kubefingerprint: every chunk is
// answered and the command ends cleanly. None of them holds audit data.
func TestRecordedTranscripts(t *testing.T) {
	for _, rel := range []string{
		"scpv2/splunk-sdk-python/tests/unit/data/custom_search/multibyte_input.gz",
		"scpv2/splunk-sdk-python/tests/searchcommands/recordings/scpv2/Splunk-6.3/countmatches.input.gz",
		"scpv2/splunk-sdk-python/tests/searchcommands/recordings/scpv2/Splunk-6.3/sum.map.input.gz",
	} {
		t.Run(filepath.Base(rel), func(t *testing.T) {
			f, err := os.Open(golden.Refdata(t, rel))
			require.NoError(t, err)
			defer f.Close()
			zr, err := gzip.NewReader(f)
			require.NoError(t, err)
			data, err := io.ReadAll(zr)
			require.NoError(t, err)

			// Swap the recorded getinfo for ours and count the execute chunks.
			cr := chunked.NewReader(bytes.NewReader(data))
			in := chunkedtest.Getinfo()
			executes, finished := 0, false
			for {
				meta, body, err := cr.Next()
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
				b, err := io.ReadAll(body)
				require.NoError(t, err)
				if cr.Chunk() == 1 {
					continue
				}
				executes++
				finished = bytes.Contains(meta, []byte(`"finished":true`)) || bytes.Contains(meta, []byte(`"finished": true`))
				in = append(in, chunkedtest.Chunk(meta, b)...)
			}
			require.True(t, finished)
			r := searchtest.Drive(t, in, "")
			assert.Equal(t, 0, r.Code, r.Stderr)
			assert.Len(t, r.Replies, 1+executes)
			assert.Equal(t, true, r.Replies[len(r.Replies)-1].Meta["finished"])
		})
	}
}

// TestCategoryEveryPath: one rule for the record's category on every path
// (issue 8, defect 3): the audit event is read whatever the category says,
// from the extracted field, from _raw and by scan alike; klog text is not
// JSON, skipped and counted on every path, with or without a code's digits.
func TestCategoryEveryPath(t *testing.T) {
	event := audittest.Event{AuditID: "a", URI: "/api", Code: 401, Reason: "Unauthorized", SourceIPs: []string{"203.0.113.1"},
		UserAgent: "curl/8.5.0", Time: "2026-11-20T10:00:00Z"}.JSON()
	rid := audittest.ResourceID("RG", "AKS-1")
	for _, category := range []string{"kube-apiserver", "guard", "cloud-controller-manager"} {
		t.Run(category, func(t *testing.T) {
			record := audittest.Record(category, event, rid, "2026-11-20T10:00:01Z")
			for name, tb := range map[string]chunkedtest.Table{
				"extracted": {Columns: []string{"properties.log", "resourceId"}, Rows: [][][]string{{{audittest.Log(event)}, {rid}}}},
				"_raw":      {Columns: []string{"_raw"}, Rows: [][][]string{{{record}}}},
			} {
				r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Execute(true, tb.Body())), "")
				require.Equal(t, 0, r.Code, r.Stderr)
				rows := searchtest.Rows(t, r.Replies[1].Body)
				require.Len(t, rows, 1, name)
				assert.Equal(t, "AKS-1", rows[0]["cluster"], name)
			}
			file := filepath.Join(t.TempDir(), "a.json")
			require.NoError(t, os.WriteFile(file, []byte(record+"\n"), 0o644))
			var out, errOut bytes.Buffer
			require.Equal(t, 0, scan.Run([]string{"--format", "csv", file}, scan.Stdin{}, &out, &errOut), errOut.String())
			assert.Len(t, searchtest.Rows(t, out.String()), 1, "scan")
		})
	}
	for _, text := range []string{"I1120 09:01:15.000123 1 controller.go:615] quota", "E1120 09:01:15 status 401 from webhook"} {
		record := audittest.Record("kube-apiserver", text, rid, "2026-11-20T10:00:01Z")
		for name, tb := range map[string]chunkedtest.Table{
			"extracted": {Columns: []string{"properties.log", "resourceId"}, Rows: [][][]string{{{text + "\n"}, {rid}}}},
			"_raw":      {Columns: []string{"_raw"}, Rows: [][][]string{{{record}}}},
			"both":      {Columns: []string{"_raw", "properties.log"}, Rows: [][][]string{{{record}, {text + "\n"}}}},
		} {
			r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Execute(true, tb.Body())), "")
			require.Equal(t, 0, r.Code, r.Stderr)
			assert.Empty(t, r.Replies[1].Body)
			assert.Contains(t, fmt.Sprint(r.Replies[1].Meta["inspector"]), "events read: 1, rows emitted: 0, events skipped as unparsable: 1", "%s: %s", name, text)
		}
	}
}

// TestAnonymousOnRealData drives the command with the real refdata files
// as _raw: the OpenShift credential-less probe is a row only with
// anonymous=true; audit2rbac's authenticated 403s never are.
func TestAnonymousOnRealData(t *testing.T) {
	dir := golden.Refdata(t, "audit")
	rowsOf := func(rel string, args ...string) []map[string]string {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		require.NoError(t, err)
		tb := chunkedtest.Table{Columns: []string{"_raw"}}
		for _, doc := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
			tb.AppendRow(string(doc))
		}
		if !bytes.HasPrefix(data, []byte("{\"")) { // pretty-printed: one event
			tb.Rows = [][][]string{{{string(data)}}}
		}
		r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(args...), chunkedtest.Execute(true, tb.Body())), "")
		require.Equal(t, 0, r.Code, r.Stderr)
		return searchtest.Rows(t, r.Replies[1].Body)
	}
	probe := "openshift-oauth-apiserver-anon403/raw_audit_oauth-apiserver.json"
	assert.Empty(t, rowsOf(probe))
	rows := rowsOf(probe, "anonymous=true")
	require.Len(t, rows, 1)
	assert.Equal(t, "403", rows[0]["responseStatus.code"])
	assert.Equal(t, "system:anonymous", rows[0]["user"])
	assert.Equal(t, "10.131.0.5", rows[0]["src_ip"])

	rbac := "audit2rbac-authenticated-403/demo.log"
	assert.Len(t, rowsOf(rbac, "codes=403"), 11)
	assert.Empty(t, rowsOf(rbac, "anonymous=true"))
}

// TestNothingReadWarns: a search that could not read its input ends with
// a WARN that says why, not an INFO count that looks like a quiet day.
func TestNothingReadWarns(t *testing.T) {
	record := audittest.Record("kube-audit", audittest.Event{AuditID: "a", URI: "/api", Code: 401, Reason: "Unauthorized",
		SourceIPs: []string{"203.0.113.1"}, UserAgent: "curl/8.5.0", Time: "2026-11-20T10:00:00Z"}.JSON(),
		audittest.ResourceID("RG", "AKS-1"), "2026-11-20T10:00:01Z")
	withRaw := chunkedtest.Table{Columns: []string{"_time", "_raw"}}
	withRaw.AppendRow("1", record)
	noRaw := chunkedtest.Table{Columns: []string{"_time", "host"}}
	noRaw.AppendRow("1", "aks-node-1")
	notAudit := chunkedtest.Table{Columns: []string{"_raw"}}
	notAudit.AppendRow(`{"message":"GET /healthz 401","level":"info"}`)
	for _, tc := range []struct {
		name string
		args []string
		body []byte
		why  string
	}{
		{"input= names no field", []string{"input=nosuchfield"}, withRaw.Body(), "1 without the field that holds the audit data"},
		{"a body without _raw", nil, noRaw.Body(), "1 without the field that holds the audit data"},
		{"a body without its header row", nil, withRaw.Body()[len("_time,_raw\n"):], "without the field that holds the audit data"},
		{"CR-only line ends", nil, []byte("_time,_raw\r1,x\r2,y\r"), "chunk 2: its lines end in CR alone"},
		{"JSON that is no audit data", nil, notAudit.Body(), "no event held a Kubernetes audit event"},
	} {
		r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(tc.args...), chunkedtest.Execute(true, tc.body)), "")
		require.Equal(t, 0, r.Code, "%s: %s", tc.name, r.Stderr)
		msgs := r.Replies[len(r.Replies)-1].Meta["inspector"].(map[string]any)["messages"].([]any)
		require.Len(t, msgs, 1, "%s: one message per search", tc.name)
		assert.Equal(t, "WARN", msgs[0].([]any)[0], tc.name)
		assert.Contains(t, msgs[0].([]any)[1], tc.why, tc.name)
	}
	// Read as it should be: INFO.
	r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Execute(true, withRaw.Body())), "")
	msgs := r.Replies[1].Meta["inspector"].(map[string]any)["messages"].([]any)
	assert.Equal(t, "INFO", msgs[0].([]any)[0], msgs)
}

// TestHealthChecks: in anonymous mode the unauthenticated health checks of
// the sample (kube-hunter's /healthz) are left out unless health=true asks
// for them, marked with filter=show, and reported whatever anonymous says
// when their code is asked for; search and scan agree on each.
func TestHealthChecks(t *testing.T) {
	tb := chunkedtest.Table{Columns: []string{"_raw"}}
	for _, l := range sampleLines(t) {
		tb.AppendRow(l)
	}
	for _, tc := range []struct {
		args    []string
		scan    []string
		healthz int
		marked  bool
	}{
		{[]string{"anonymous=true"}, []string{"--anonymous"}, 0, false},
		{[]string{"anonymous=true", "health=true"}, []string{"--anonymous", "--health"}, 1, false},
		{[]string{"anonymous=true", "filter=show"}, nil, 1, true},
		{[]string{"anonymous=true", "codes=200"}, []string{"--anonymous", "--codes", "200"}, 1, false},
		{[]string{"codes=200"}, []string{"--codes", "200"}, 1, false},
	} {
		r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(tc.args...), chunkedtest.Execute(true, tb.Body())), "")
		require.Equal(t, 0, r.Code, r.Stderr)
		n := 0
		for _, row := range searchtest.Rows(t, r.Replies[1].Body) {
			if row["requestURI"] == "/healthz" {
				n++
				assert.Equal(t, tc.marked, strings.HasPrefix(row["allowlisted"], "health check"), "%v", tc.args)
			}
		}
		assert.Equal(t, tc.healthz, n, "%v", tc.args)
		if tc.healthz == 0 {
			assert.Contains(t, fmt.Sprint(r.Replies[1].Meta["inspector"]), "health checks (/healthz, /livez, /readyz) of unauthenticated callers left out: 1")
		}
		if tc.scan != nil {
			var scanOut, scanErr bytes.Buffer
			require.Equal(t, 0, scan.Run(append(tc.scan, "--format", "csv"), scan.Stdin{Terminal: true}, &scanOut, &scanErr), scanErr.String())
			assert.Equal(t, scanOut.String(), searchtest.WithoutMV(t, r.Replies[1].Body), "%v", tc.args)
		}
	}
}
