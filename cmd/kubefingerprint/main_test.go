package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/scan"
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
	assert.Equal(t, "_time,sourceIPs{},userAgent,verb,requestURI,responseStatus.reason,cluster,src_ip,user,responseStatus.code,cut,scanner,auditID,stage,user.groups{},__mv_sourceIPs{},__mv_user.groups{},_chunked_idx\n"+
		"1795165200,\"203.0.113.7\n10.0.0.1\",\"scanner \"\"x\"\", v1\n$HOME$;$\",get,/api/v1/secrets,Unauthorized,AKS-E2E,10.0.0.1,,401,,,,ResponseStarted,,$203.0.113.7$;$10.0.0.1$,,0\n", rep.Body)

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
	assert.Equal(t, "_time,sourceIPs{},userAgent,verb,requestURI,responseStatus.reason,cluster,src_ip,user,responseStatus.code,cut,scanner,auditID,stage,user.groups{},__mv_sourceIPs{},__mv_user.groups{}\n"+
		"1795165204.250000,2001:db8::5,python-requests/2.31.0,list,/apis/apps/v1/deployments?limit=500,Unauthorized,AKS-E2E,2001:db8::5,,401,,python-requests,,ResponseStarted,,,\n", rep.Body)
	assert.Equal(t, map[string]any{"messages": []any{[]any{"WARN", "kubefingerprint: events read: 5, rows emitted: 2, events skipped as unparsable: 1; no allowlist lookup applied; skipped: 1 not JSON (klog text, or not audit data); " +
		"problems: lookup kubefingerprint_scanners.csv cannot be applied (it is missing from the app's lookups folder); the copy built into the command applies"}}},
		rep.Meta["inspector"], "the klog line and the missing lookup make it a WARN")
	s.finish()
}

// TestScanCommandLine is defect 11 end to end: in a terminal with no FILE
// the bundled sample is scanned, and said so; piped input is read instead.
func TestScanCommandLine(t *testing.T) {
	bin := build(t, t.TempDir())
	cmd := exec.Command(bin, "scan")
	cmd.Stdin = openPTY(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var want, wantErr bytes.Buffer
	require.Equal(t, 0, scan.Run(nil, scan.Stdin{Terminal: true}, &want, &wantErr))
	assert.Equal(t, want.String(), string(out))
	assert.Contains(t, stderr.String(), "scanning the bundled sample")

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ndjson")
	require.NoError(t, os.WriteFile(bad, []byte(auditRecord(401, []string{"1.2.3.4"}, "a", "get", "/", "2026-11-20T09:00:00Z")+"\nnot json\n"), 0o644))
	for _, args := range [][]string{{"scan", "--format", "csv"}, {"scan", "--format", "csv", "-"}, {"scan", "-", "--format", "csv"}} {
		f, err := os.Open(bad)
		require.NoError(t, err)
		defer f.Close()
		cmd = exec.Command(bin, args...)
		cmd.Stdin = f // cat bad.ndjson | kubefingerprint scan
		stderr.Reset()
		cmd.Stderr = &stderr
		out, err = cmd.Output()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		assert.Equal(t, 2, exit.ExitCode())
		assert.Contains(t, stderr.String(), "standard input line 2: not JSON")
		assert.NotContains(t, stderr.String(), "bundled sample")
		rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows, 2, "%v: the piped row only, not the sample", args)
		assert.Equal(t, "1.2.3.4", rows[1][1], "the good line is still reported")
	}
}

// TestUsageInTerminal is defect 17: plain kubefingerprint in a terminal
// prints the usage; splunkd never starts it on one.
func TestUsageInTerminal(t *testing.T) {
	bin := build(t, t.TempDir())
	cmd := exec.Command(bin)
	cmd.Stdin = openPTY(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Contains(t, stderr.String(), "usage:")

	out, err := exec.Command(bin, "scan", "--help").Output()
	require.NoError(t, err, "scan --help exits 0")
	assert.Contains(t, string(out), "usage: kubefingerprint scan")
}

// TestClosedStdout is defect 18: scan | head ends quietly with status 0;
// a search whose splunkd went away says so in one line and exits 1.
func TestClosedStdout(t *testing.T) {
	bin := build(t, t.TempDir())
	big := filepath.Join(t.TempDir(), "big.log")
	var b bytes.Buffer
	for i := 0; i < 20000; i++ {
		b.WriteString(auditRecord(401, []string{"203.0.113.7"}, "kube-hunter", "get", fmt.Sprintf("/api/v1/namespaces/%d", i), "2026-11-20T09:00:00Z") + "\n")
	}
	require.NoError(t, os.WriteFile(big, b.Bytes(), 0o644))

	for _, format := range []string{"table", "csv", "json"} {
		cmd := exec.Command(bin, "scan", "--format", format, big)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		line, err := bufio.NewReader(stdout).ReadString('\n')
		require.NoError(t, err)
		assert.NotEmpty(t, line)
		stdout.Close() // head -1 has what it wants
		assert.NoError(t, cmd.Wait(), "%s: exit status 0, not death by SIGPIPE", format)
		assert.Empty(t, stderr.String(), format)
	}

	cmd := exec.Command(bin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	stdout.Close() // splunkd went away
	stdin.Write(chunkedtest.Getinfo())
	stdin.Close()
	err = cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "stderr: %s", stderr.String())
	assert.Equal(t, 1, exit.ExitCode(), "exit status 1, not death by SIGPIPE")
	assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
	assert.Contains(t, stderr.String(), "broken pipe")
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

// TestPeakMemory is defect 13 at full size: a gzip of { and 1 GiB of
// spaces, and one 2 GB line, each piped to scan, keep its peak RSS under
// 256 MiB, and the good record after the 2 GB line is reported. It streams
// gigabytes, so it runs only when asked:
//
//	KUBEFINGERPRINT_LARGE_TESTS=1 go test ./cmd/kubefingerprint -run PeakMemory -v
func TestPeakMemory(t *testing.T) {
	if os.Getenv("KUBEFINGERPRINT_LARGE_TESTS") == "" {
		t.Skip("SKIPPED: streams gigabytes; set KUBEFINGERPRINT_LARGE_TESTS=1 to run it")
	}
	bin := build(t, t.TempDir())
	good := auditRecord(401, []string{"203.0.113.7"}, "after", "get", "/api", "2026-11-20T09:00:00Z")
	spaces := bytes.Repeat([]byte(" "), 1<<20)
	xs := bytes.Repeat([]byte("x"), 1<<20)
	for _, tc := range []struct {
		name string
		gen  func(w io.Writer)
		rows int
	}{
		{"gzip of { and 1 GiB of spaces", func(w io.Writer) {
			zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
			zw.Write([]byte("{"))
			for i := 0; i < 1024; i++ {
				zw.Write(spaces)
			}
			zw.Close()
		}, 0},
		{"one 2 GB line, then a record", func(w io.Writer) {
			io.WriteString(w, `{"kind":"Event","userAgent":"`)
			for i := 0; i < 2000; i++ {
				w.Write(xs)
			}
			io.WriteString(w, "\"}\n"+good+"\n")
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, "scan", "--format", "csv", "-")
			stdin, err := cmd.StdinPipe()
			require.NoError(t, err)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Start())
			tc.gen(stdin)
			stdin.Close()
			err = cmd.Wait()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "exit status 2: the file could not be read in full")
			assert.Equal(t, 2, exit.ExitCode())
			assert.Contains(t, stderr.String(), "larger than the 64 MiB limit; skipped")
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
			t.Logf("peak RSS %d MiB", rss>>20)
			assert.Less(t, rss, int64(256<<20))
			assert.Equal(t, tc.rows+1, strings.Count(stdout.String(), "\n"), "the header, also with no rows, and the rows")
		})
	}
}

// TestMainInTerminal is defect 17: plain kubefingerprint in a terminal
// prints the usage instead of waiting for splunkd's protocol.
func TestMainInTerminal(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run(nil, scan.Stdin{Terminal: true}, &out, &errOut))
	assert.Equal(t, usage, errOut.String())
	assert.Empty(t, out.String())

	// Not a terminal: the search command, which ends at EOF.
	errOut.Reset()
	assert.Equal(t, 0, run(nil, scan.Stdin{Reader: strings.NewReader("")}, &out, &errOut))
	assert.Empty(t, errOut.String())
}
