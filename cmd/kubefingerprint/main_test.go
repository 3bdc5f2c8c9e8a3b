package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
)

// build compiles the command into dir/bin, where Splunk keeps it.
func build(t *testing.T, appDir string) string {
	t.Helper()
	bin := filepath.Join(appDir, "bin", "kubefingerprint")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// A splunkd plays splunkd's part over pipes: one request, then wait for
// its reply, as ChunkedExternProcessor does.
type splunkd struct {
	t       *testing.T
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	replies *chunked.Reader
	stderr  bytes.Buffer
}

func start(t *testing.T, bin string) *splunkd {
	s := &splunkd{t: t, cmd: exec.Command(bin)}
	s.cmd.Dir = filepath.Dir(bin) // splunkd runs commands from the app's bin folder
	var err error
	s.stdin, err = s.cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := s.cmd.StdoutPipe()
	require.NoError(t, err)
	s.cmd.Stderr = &s.stderr
	require.NoError(t, s.cmd.Start())
	s.replies = chunked.NewReader(stdout)
	return s
}

func (s *splunkd) request(chunk []byte) chunkedtest.Reply {
	s.t.Helper()
	_, err := s.stdin.Write(chunk)
	require.NoError(s.t, err)
	rep, err := chunkedtest.ReadReply(s.replies)
	require.NoError(s.t, err)
	return rep
}

// finish closes stdin, as splunkd does after the last reply, and checks
// that nothing more was written and the process ended with status 0.
func (s *splunkd) finish() {
	s.t.Helper()
	require.NoError(s.t, s.stdin.Close())
	_, _, err := s.replies.Next()
	assert.Equal(s.t, io.EOF, err, "nothing may follow the last reply")
	require.NoError(s.t, s.cmd.Wait(), "stderr: %s", s.stderr.String())
	assert.Empty(s.t, s.stderr.String())
}

func auditRecord(code int, ips []string, ua, verb, uri, ts string) string {
	quoted := make([]string, len(ips))
	for i, ip := range ips {
		quoted[i] = fmt.Sprintf("%q", ip)
	}
	log := fmt.Sprintf(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","stage":"ResponseStarted","requestURI":%q,"verb":%q,"user":{},"sourceIPs":[%s],"userAgent":%q,"responseStatus":{"metadata":{},"status":"Failure","reason":"Unauthorized","code":%d},"requestReceivedTimestamp":%q}`,
		uri, verb, strings.Join(quoted, ","), ua, code, ts)
	return fmt.Sprintf(`{"category":"kube-audit","properties":{"log":%q,"stream":"stdout"},"resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/R/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-E2E","time":%q}`, log+"\n", ts)
}

func TestEndToEnd(t *testing.T) {
	bin := build(t, t.TempDir())
	s := start(t, bin)

	rep := s.request(chunkedtest.Getinfo())
	assert.Equal(t, "streaming", rep.Meta["type"])
	assert.Empty(t, rep.Body)

	t1 := chunkedtest.Table{Columns: []string{"_time", "_raw", "_chunked_idx"}}
	t1.AppendRow("1795165200", auditRecord(401, []string{"203.0.113.7", "10.0.0.1"}, `scanner "x", v1`+"\n"+`$HOME$;$`, "get", "/api/v1/secrets", "2026-11-20T09:00:00Z"), "0")
	t1.AppendRow("1795165201", auditRecord(200, []string{"10.0.0.9"}, "kubectl/v1.30.0", "list", "/api/v1/pods", "2026-11-20T09:00:01Z"), "1")
	t1.AppendRow("1795165202", "I1120 09:00:02.000 klog text, not JSON", "2")
	rep = s.request(chunkedtest.Execute(false, t1.Body()))
	assert.Equal(t, map[string]any{"finished": false}, rep.Meta)
	assert.Equal(t, "_time,sourceIPs{},userAgent,verb,requestURI,responseStatus.reason,cluster,src_ip,user,responseStatus.code,scanner,auditID,stage,user.groups{},__mv_sourceIPs{},__mv_user.groups{},_chunked_idx\n"+
		"1795165200,\"203.0.113.7\n10.0.0.1\",\"scanner \"\"x\"\", v1\n$HOME$;$\",get,/api/v1/secrets,Unauthorized,AKS-E2E,10.0.0.1,,401,,,ResponseStarted,,$203.0.113.7$;$10.0.0.1$,,0\n", rep.Body)

	// A chunk without 401s gets an empty body.
	t2 := chunkedtest.Table{Columns: []string{"_time", "_raw"}}
	t2.AppendRow("1795165203", auditRecord(403, []string{"203.0.113.8"}, "curl/8.5.0", "get", "/version", "2026-11-20T09:00:03Z"))
	rep = s.request(chunkedtest.Execute(false, t2.Body()))
	assert.Equal(t, map[string]any{"finished": false}, rep.Meta)
	assert.Empty(t, rep.Body)

	t3 := chunkedtest.Table{Columns: []string{"_raw"}}
	t3.AppendRow(auditRecord(401, []string{"2001:db8::5"}, "python-requests/2.31.0", "list", "/apis/apps/v1/deployments?limit=500", "2026-11-20T09:00:04.25Z"))
	rep = s.request(chunkedtest.Execute(true, t3.Body()))
	assert.Equal(t, true, rep.Meta["finished"])
	assert.Equal(t, "_time,sourceIPs{},userAgent,verb,requestURI,responseStatus.reason,cluster,src_ip,user,responseStatus.code,scanner,auditID,stage,user.groups{},__mv_sourceIPs{},__mv_user.groups{}\n"+
		"1795165204.250000,2001:db8::5,python-requests/2.31.0,list,/apis/apps/v1/deployments?limit=500,Unauthorized,AKS-E2E,2001:db8::5,,401,python-requests,,ResponseStarted,,,\n", rep.Body)
	assert.Equal(t, map[string]any{"messages": []any{[]any{"INFO", "kubefingerprint: events read: 5, rows emitted: 2, events skipped as unparsable: 1; no allowlist lookup applied"}}}, rep.Meta["inspector"])
	s.finish()
}

func TestScanCommandLine(t *testing.T) {
	bin := build(t, t.TempDir())
	out, err := exec.Command(bin, "scan").Output()
	require.NoError(t, err)
	assert.Equal(t, 10, strings.Count(string(out), "\n"), "a header and nine rows from the bundled sample:\n%s", out)

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ndjson")
	require.NoError(t, os.WriteFile(bad, []byte(auditRecord(401, []string{"1.2.3.4"}, "a", "get", "/", "2026-11-20T09:00:00Z")+"\nnot json\n"), 0o644))
	cmd := exec.Command(bin, "scan", "--format", "csv", bad)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Contains(t, stderr.String(), "bad.ndjson line 2: not JSON")
	assert.Contains(t, string(out), "1.2.3.4", "the good line is still reported")
}

// TestAllowlistInstalledApp lays out an installed app, the binary in
// bin/ (and in linux_x86_64/bin/) and both lookups in lookups/, and checks
// that exactly the rows the lookups describe are suppressed.
func TestAllowlistInstalledApp(t *testing.T) {
	for _, binDir := range []string{"bin", "linux_x86_64/bin"} {
		t.Run(binDir, func(t *testing.T) {
			app := filepath.Join(t.TempDir(), "kubefingerprint")
			bin := build(t, filepath.Join(app, filepath.Dir(binDir)))
			if binDir == "bin" {
				require.Equal(t, filepath.Join(app, "bin", "kubefingerprint"), bin)
			}
			lookups := filepath.Join(app, "lookups")
			require.NoError(t, os.MkdirAll(lookups, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(lookups, "kubefingerprint_filter_default.csv"), []byte(
				"sourceIP,userAgent,verb,requestURI,cluster,expires,comment\n"+
					",kube-probe/*,get,/healthz,,,kubelet probes\n"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(lookups, "kubefingerprint_filter.csv"), []byte(
				"sourceIP,userAgent,cluster,expires,comment\n"+
					"198.51.100.0/24,,aks-e2e,,pentest vendor\n"+
					"203.0.113.0/33,,,,typo: must not hide anything\n"+
					",,,,empty: must not hide everything\n"+
					"192.0.2.1,,,2020-01-01,expired\n"), 0o644))

			t1 := chunkedtest.Table{Columns: []string{"_raw"}}
			t1.AppendRow(auditRecord(401, []string{"198.51.100.20"}, "nuclei", "get", "/api", "2026-11-20T09:00:00Z"))                // site row
			t1.AppendRow(auditRecord(401, []string{"198.51.100.20", "203.0.113.9"}, "nuclei", "get", "/api", "2026-11-20T09:00:01Z")) // spoofed extra address
			t1.AppendRow(auditRecord(401, []string{"10.0.0.5"}, "kube-probe/1.30", "get", "/healthz", "2026-11-20T09:00:02Z"))        // default row
			t1.AppendRow(auditRecord(401, []string{"203.0.113.5"}, "kube-hunter", "list", "/api/v1/secrets", "2026-11-20T09:00:03Z")) // bad row must not hide it
			t1.AppendRow(auditRecord(401, []string{"192.0.2.1"}, "curl/8.5.0", "get", "/version", "2026-11-20T09:00:04Z"))            // expired row

			s := start(t, bin)
			rep := s.request(chunkedtest.Getinfo())
			warnings := fmt.Sprint(rep.Meta["inspector"])
			assert.Contains(t, warnings, "kubefingerprint_filter.csv line 3: sourceIP")
			assert.Contains(t, warnings, "kubefingerprint_filter.csv line 4: every matching cell is empty")
			assert.Contains(t, warnings, "kubefingerprint_filter.csv: 1 expired rows")
			rep = s.request(chunkedtest.Execute(true, t1.Body()))
			rows, err := csv.NewReader(strings.NewReader(rep.Body)).ReadAll()
			require.NoError(t, err)
			require.Len(t, rows, 4, rep.Body)
			assert.Equal(t, "198.51.100.20\n203.0.113.9", rows[1][1], "a spoofed extra address keeps the row")
			assert.Equal(t, "kube-hunter", rows[2][2], "a bad lookup row hides nothing")
			assert.Equal(t, "192.0.2.1", rows[3][1], "an expired row hides nothing")
			assert.Contains(t, fmt.Sprint(rep.Meta["inspector"]), "rows suppressed by allowlist: 1 by kubefingerprint_filter_default.csv (1 rows), 1 by kubefingerprint_filter.csv (1 rows)")
			s.finish()

			s = start(t, bin)
			s.request(chunkedtest.Getinfo("filter=none"))
			rep = s.request(chunkedtest.Execute(true, t1.Body()))
			rows, err = csv.NewReader(strings.NewReader(rep.Body)).ReadAll()
			require.NoError(t, err)
			assert.Len(t, rows, 6, "filter=none: header and every row")
			s.finish()

			// A file named in filter= that is missing costs its suppression,
			// never the search.
			s = start(t, bin)
			rep = s.request(chunkedtest.Getinfo("filter=missing.csv"))
			assert.Contains(t, fmt.Sprint(rep.Meta["inspector"]), "lookup missing.csv named in filter= is not in the app's lookups folder; results are reported unfiltered by it")
			rep = s.request(chunkedtest.Execute(true, t1.Body()))
			rows, err = csv.NewReader(strings.NewReader(rep.Body)).ReadAll()
			require.NoError(t, err)
			assert.Len(t, rows, 6, "filter=missing.csv: header and every row")
			s.finish()
		})
	}
}
