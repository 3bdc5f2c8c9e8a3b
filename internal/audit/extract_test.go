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

// render writes what Document finds in doc, one JSON line per event and a
// last line for the error, the form of the golden files.
func render(t *testing.T, x *Extractor, doc []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	err := x.Document(doc, func(ev *Event) {
		ips := []string{}
		for _, ip := range ev.SourceIPs {
			ips = append(ips, string(ip))
		}
		line, jerr := json.Marshal(map[string]any{
			"code": ev.Code, "sourceIPs": ips, "userAgent": string(ev.UserAgent), "verb": string(ev.Verb),
			"requestURI": string(ev.RequestURI), "reason": string(ev.Reason), "time": string(ev.Time), "cluster": string(ev.Cluster),
		})
		require.NoError(t, jerr)
		out.Write(line)
		out.WriteByte('\n')
	})
	if err != nil {
		out.WriteString("error: " + err.Error() + "\n")
	}
	return out.Bytes()
}

// TestShapes runs Document on one document of every input shape and
// compares with testdata/shapes/*.golden.
func TestShapes(t *testing.T) {
	files, err := filepath.Glob("testdata/shapes/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	x := NewExtractor([]int{401})
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			doc, err := os.ReadFile(f)
			require.NoError(t, err)
			golden.Check(t, strings.TrimSuffix(f, ".json")+".golden", render(t, x, doc))
		})
	}
}

// TestRefdata extracts every event of the public audit samples. None holds a
// 401, so every code is asked for: the test is of extraction on real data.
func TestRefdata(t *testing.T) {
	dir := golden.Refdata(t, "audit")
	var codes []int
	for c := 100; c < 600; c++ {
		codes = append(codes, c)
	}
	x := NewExtractor(codes)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	require.Greater(t, len(files), 40)
	for _, f := range files {
		if filepath.Ext(f) != ".json" && filepath.Ext(f) != ".log" {
			continue
		}
		name := filepath.Base(filepath.Dir(f)) + "--" + filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			var got []byte
			for len(bytes.TrimSpace(data)) > 0 {
				end := ValueEnd(data)
				if end < 0 {
					got = append(got, "unsplittable: "+string(bytes.TrimSpace(data))+"\n"...)
					break
				}
				got = append(got, render(t, x, data[:end])...)
				data = data[end:]
			}
			golden.Check(t, filepath.Join("testdata", "refdata", name+".golden"), got)
		})
	}
}

func TestRefdataKnownValues(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(golden.Refdata(t, "audit"), "elastic-k8s-audit-aks", "test-kube-audit.log"))
	require.NoError(t, err)
	var got []Event
	err = NewExtractor([]int{200}).Document(data, func(ev *Event) {
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
