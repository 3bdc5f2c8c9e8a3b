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
		"anonymous": ev.Anonymous(),
	})
	require.NoError(t, err)
	return line
}

// TestShapes runs Document on one document of every input shape and
// compares with testdata/shapes/*.golden.
func TestShapes(t *testing.T) {
	files, err := filepath.Glob("testdata/shapes/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	x := NewExtractor([]int{401}, false)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			doc, err := os.ReadFile(f)
			require.NoError(t, err)
			golden.Check(t, strings.TrimSuffix(f, ".json")+".golden", render(t, x, doc))
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
		if filepath.Ext(f) != ".json" && filepath.Ext(f) != ".log" {
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

func TestValueEnd(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{`{}`, 2},
		{`  {"a":"}"} rest`, 11},
		{`{"a":"\"}"}`, 11},
		{`[1,[2,{"x":[]}]]`, 16},
		{`{"a":`, -1},
		{`{"a":"\`, -1},
		{`"str"`, -1},
		{``, -1},
		{strings.Repeat("[", 10000) + strings.Repeat("]", 10000), 20000},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ValueEnd([]byte(tt.in)), tt.in)
	}
}
