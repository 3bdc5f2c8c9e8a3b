package audit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/golden"
)

// render writes what Read finds in doc, one JSON line per event and a
// last line for the error, the form of the golden files.
func render(t *testing.T, x *Extractor, doc []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	err := x.Read(NewDocument(doc), func(ev *Event) {
		out.Write(renderEvent(t, ev))
		out.WriteByte('\n')
	})
	if err != nil {
		out.WriteString("error: " + err.Error() + "\n")
	}
	return out.Bytes()
}

func renderEvent(t *testing.T, ev *Event) []byte {
	strs := func(vs [][]byte) []string {
		out := []string{}
		for _, v := range vs {
			out = append(out, string(v))
		}
		return out
	}
	line, err := json.Marshal(map[string]any{
		"code": ev.Code, "codeText": string(ev.CodeText), "sourceIPs": strs(ev.SourceIPs), "src_ip": string(ev.SrcIP()),
		"userAgent": string(ev.UserAgent), "verb": string(ev.Verb), "requestURI": string(ev.RequestURI),
		"reason": string(ev.Reason), "time": string(ev.Time), "cluster": string(ev.Cluster),
		"user": string(ev.User), "groups": strs(ev.Groups), "auditID": string(ev.AuditID), "stage": string(ev.Stage),
		"anonymous": ev.Anonymous(), "cut": string(ev.Cut), "batched": ev.Batched,
	})
	require.NoError(t, err)
	return line
}

// TestShapes reads one document of every input shape and compares the
// events, with every field a row carries, with testdata/shapes/*.golden:
// first as the default codes=401 reports them, then with anonymous.
func TestShapes(t *testing.T) {
	files, err := filepath.Glob("testdata/shapes/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	x, anon := NewExtractor([]int{401}, false), NewExtractor([]int{401}, true)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			doc, err := os.ReadFile(f)
			require.NoError(t, err)
			got := render(t, x, doc)
			got = append(got, "--- anonymous=true\n"...)
			got = append(got, render(t, anon, doc)...)
			golden.Check(t, strings.TrimSuffix(f, ".json")+".golden", got)
		})
	}
}

// TestRefdata reads every file of the public audit samples whole, as scan
// hands a file's text to Read, with every code asked for: the test is of
// extraction on real data, in every shape the files hold (NDJSON, a
// pretty-printed event, an Event Hub batch, a record after a byte order
// mark).
func TestRefdata(t *testing.T) {
	dir := golden.Refdata(t, "audit")
	var codes []int
	for c := 100; c < 600; c++ {
		codes = append(codes, c)
	}
	x := NewExtractor(codes, false)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	require.Greater(t, len(files), 40)
	folders := map[string]bool{}
	for _, f := range files {
		if ext := filepath.Ext(f); ext != ".json" && ext != ".jsonl" && ext != ".log" {
			continue
		}
		folders[filepath.Base(filepath.Dir(f))] = true
		name := filepath.Base(filepath.Dir(f)) + "--" + filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			golden.Check(t, filepath.Join("testdata", "refdata", name+".golden"), render(t, x, data))
		})
	}
	dirs, _ := filepath.Glob(filepath.Join(dir, "*", ""))
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			assert.True(t, folders[filepath.Base(d)], "folder %s has no golden", filepath.Base(d))
		}
	}
}

func TestRefdataKnownValues(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(golden.Refdata(t, "audit"), "elastic-k8s-audit-aks", "test-kube-audit.log"))
	require.NoError(t, err)
	var got []Event
	err = NewExtractor([]int{200}, false).Read(NewDocument(data), func(ev *Event) {
		e := *ev
		e.SourceIPs = append([][]byte(nil), ev.SourceIPs...)
		got = append(got, e)
	})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "update", string(got[0].Verb))
	assert.Equal(t, [][]byte{[]byte("172.31.51.172")}, got[0].SourceIPs)
	assert.Equal(t, "approver/v0.0.0 (linux/amd64) kubernetes/$Format/leader-election", string(got[0].UserAgent))
	assert.Equal(t, "TEST-CLUSTER", string(got[0].Cluster))
	assert.Equal(t, "2025-10-07T16:19:19.643609Z", string(got[0].Time))
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, "plain"},
		{`a\"b\\c\/d`, `a"b\c/d`},
		{`\n\t\r\b\f`, "\n\t\r\b\f"},
		{`caf\u00e9`, "café"},
		{`\ud83d\ude00`, "😀"},
		{`\ud800x`, "\uFFFDx"},
		{`\udc00`, "\uFFFD"},
	}
	for _, tt := range tests {
		got, err := appendUnescaped(nil, []byte(tt.in))
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, string(got), tt.in)
	}
	for _, bad := range []string{`\`, `\x`, `\u12`, `\u12g4`} {
		_, err := appendUnescaped(nil, []byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestTrimPartialEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`abc`, `abc`},
		{`abc\`, `abc`},
		{`abc\\`, `abc\\`},
		{`abc\\\`, `abc\\`},
		{`abc\u00`, `abc`},
		{`abc\u00e9`, `abc\u00e9`},
		{`abc\\u00`, `abc\\u00`},
		{`abc\"`, `abc\"`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(trimPartialEscape([]byte(tt.in))), tt.in)
	}
}

// TestRefdataAnonymous: on real data, a credential-less probe (OpenShift's
// anonymous HEAD /, 403) is a row with anonymous and not without, and none
// of audit2rbac's eleven 403s of an authenticated user ever is (issue 9).
func TestRefdataAnonymous(t *testing.T) {
	dir := golden.Refdata(t, "audit")
	readAll := func(x *Extractor, rel string) []Event {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		require.NoError(t, err)
		var got []Event
		require.NoError(t, x.Read(NewDocument(data), func(ev *Event) {
			e := *ev
			e.CodeText, e.User = append([]byte(nil), ev.CodeText...), append([]byte(nil), ev.User...)
			e.Cluster = append([]byte(nil), ev.Cluster...)
			got = append(got, e)
		}))
		return got
	}
	probe := "openshift-oauth-apiserver-anon403/raw_audit_oauth-apiserver.json"
	assert.Empty(t, readAll(NewExtractor([]int{401}, false), probe))
	rows := readAll(NewExtractor([]int{401}, true), probe)
	require.Len(t, rows, 1)
	assert.Equal(t, "403", string(rows[0].CodeText))
	assert.Equal(t, "system:anonymous", string(rows[0].User))

	rbac := "audit2rbac-authenticated-403/demo.log"
	forbidden := readAll(NewExtractor([]int{403}, false), rbac)
	assert.Len(t, forbidden, 11, "the file holds eleven 403s")
	for _, codes := range [][]int{{401}, {401, 404}} {
		assert.Empty(t, readAll(NewExtractor(codes, true), rbac), "authenticated 403s are never anonymous rows")
	}

	var all []int
	for c := 100; c < 600; c++ {
		all = append(all, c)
	}
	batch := readAll(NewExtractor(all, false), "sysdig-aks-eventhub/event.json")
	assert.Len(t, batch, 22, "every record of the real Event Hub batch")
	for _, ev := range batch {
		assert.NotEmpty(t, ev.Cluster)
	}
	bom := readAll(NewExtractor(all, false), "sysdig-aks-eventhub/sample_EventHubs_event.json")
	require.Len(t, bom, 1, "the pretty-printed record after a byte order mark")
	assert.Equal(t, "KUBEAUDITLOGTESTCLUSTER", string(bom[0].Cluster))
}
