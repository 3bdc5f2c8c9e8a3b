package jsonstream

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// item is a Document in a form tests can compare.
type item struct {
	Line    int
	Text    string
	Problem string // a part of the problem
	Skipped bool
}

func readAll(t testing.TB, in []byte, size int) ([]item, error) {
	return readLimited(t, in, size, MaxDocument)
}

func readLimited(t testing.TB, in []byte, size int, maxDoc int64) ([]item, error) {
	t.Helper()
	r := newReaderSize(bytes.NewReader(in), size)
	r.maxDoc = maxDoc
	var items []item
	for {
		d, err := r.Next()
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return items, err
		}
		items = append(items, item{d.Line, string(d.Text), d.Problem, d.Skipped})
		if len(items) > len(in)+10 {
			t.Fatalf("more documents than input bytes: the reader does not advance")
		}
	}
}

// check compares the documents read with want, where a want Problem needs
// only to be part of the problem, with every buffer size from the smallest
// bufio allows, so that pieces break the input everywhere.
func check(t *testing.T, in string, want []item) {
	t.Helper()
	for _, size := range []int{16, 17, 64, bufferSize} {
		got, err := readAll(t, []byte(in), size)
		require.NoError(t, err)
		require.Len(t, got, len(want), "buffer %d: %+v", size, got)
		for i := range want {
			assert.Equal(t, want[i].Line, got[i].Line, "buffer %d, document %d: line", size, i)
			assert.Equal(t, want[i].Text, got[i].Text, "buffer %d, document %d: text", size, i)
			assert.Equal(t, want[i].Skipped, got[i].Skipped, "buffer %d, document %d: skipped (%s)", size, i, got[i].Problem)
			if want[i].Problem == "" {
				assert.Empty(t, got[i].Problem, "buffer %d, document %d", size, i)
			} else {
				assert.Contains(t, got[i].Problem, want[i].Problem, "buffer %d, document %d", size, i)
			}
		}
	}
}

func TestDocuments(t *testing.T) {
	pretty := "{\n  \"records\": [\n    {\"a\": 1},\n    {\n      \"b\": [true, false, null, -1.5e3, \"x\\\"y\"]\n    }\n  ]\n}"
	for _, tc := range []struct {
		name string
		in   string
		want []item
	}{
		{"empty", "", nil},
		{"blank lines", "\n \r\n\t\n", nil},
		{"ndjson", "{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":{}}", []item{{1, `{"a":1}`, "", false}, {2, `{"b":2}`, "", false}, {4, `{"c":{}}`, "", false}}},
		{"concatenated on one line", `{"a":1}{"b":2} {"c":[]}`, []item{{1, `{"a":1}`, "", false}, {1, `{"b":2}`, "", false}, {1, `{"c":[]}`, "", false}}},
		{"pretty-printed", pretty + "\n" + `{"next":1}` + "\n", []item{{1, pretty, "", false}, {9, `{"next":1}`, "", false}}},
		{"strings hold brackets and escaped quotes", `{"a":"}]{[\"\\"}` + "\n", []item{{1, `{"a":"}]{[\"\\"}`, "", false}}},
		{"not JSON", "I1120 klog text\n{\"a\":1}\n", []item{{1, "", `not JSON: "I1120 klog text"`, true}, {2, `{"a":1}`, "", false}}},
		{"not JSON after a document", `{"a":1} trailing` + "\n" + `{"b":2}`, []item{{1, `{"a":1}`, "", false}, {1, "", `not JSON: "trailing"`, true}, {2, `{"b":2}`, "", false}}},

		// Defect 12: a record cut mid-string costs that record only.
		{"cut mid-string", "{\"kind\":\"Event\",\"userAgent\":\"cut mid-str\n{\"a\":1}\n", []item{
			{1, `{"kind":"Event","userAgent":"cut mid-str`, "a string is still open at the end of line 1; read as far as it goes", false},
			{2, `{"a":1}`, "", false}}},
		{"cut after a backslash", "{\"a\":\"x\\\n{\"b\":1}\n", []item{
			{1, `{"a":"x\`, "a string is still open at the end of line 1", false}, {2, `{"b":1}`, "", false}}},
		{"cut after a value", "{\"code\":401,\n{\"a\":1}\n", []item{
			{1, "{\"code\":401,\n", "line 2 cannot continue it; read as far as it goes", false},
			{2, `{"a":1}`, "", false}}},
		{"cut in a number", "{\"code\":40\n1}\n{\"a\":1}\n", []item{
			{1, "{\"code\":40\n", "line 2 cannot continue it", false},
			{2, "", `not JSON: "1}"`, true},
			{3, `{"a":1}`, "", false}}},
		{"cut after a key", "{\"code\"\n{\"a\":1}\n", []item{{1, "{\"code\"\n", "line 2 cannot continue it", false}, {2, `{"a":1}`, "", false}}},
		{"a value may follow a colon on the next line", "{\"a\":\n{\"b\":1}}\n", []item{{1, "{\"a\":\n{\"b\":1}}", "", false}}},

		// A record cut just where a value may start, then the next record:
		// the line read as a value is read again as a record.
		{"cut after a colon, at the end", "{\"category\":\n{\"a\":1}\n", []item{
			{1, "{\"category\":\n", "line 2 cannot continue it; read as far as it goes", false}, {2, `{"a":1}`, "", false}}},
		{"cut after a bracket", "{\"records\":[\n{\"a\":1}\n{\"b\":2}\n", []item{
			{1, "{\"records\":[\n", "line 2 cannot continue it", false}, {2, `{"a":1}`, "", false}, {3, `{"b":2}`, "", false}}},
		{"cut after a colon, broken mid-line", "{\"a\":\n{\"b\":1} x\n{\"c\":2}", []item{
			{1, "{\"a\":\n", "line 2 cannot continue it", false}, {2, `{"b":1}`, "", false}, {2, "", `not JSON: "x"`, true}, {3, `{"c":2}`, "", false}}},
		{"cut twice", "{\"a\":\n{\"b\":\n{\"c\":1}\n", []item{
			{1, "{\"a\":\n{\"b\":\n", "line 3 cannot continue it", false}, {3, `{"c":1}`, "", false}}},
		{"the document went on past the line", "{\"a\":\n{\"b\":1}\n,\"c\":\"x\n{\"d\":2}", []item{
			{1, "{\"a\":\n{\"b\":1}\n,\"c\":\"x", "a string is still open at the end of line 3", false}, {4, `{"d":2}`, "", false}}},
		{"pretty-printed, cut in its last record", "{\"records\": [\n  {\"a\": 1},\n  {\n    \"b\": \"cut", []item{
			{1, "{\"records\": [\n  {\"a\": 1},\n  {\n    \"b\": \"cut", "never ends", false}}},
		{"broken mid-line", `{"a":1 "b":2} {"c":3}` + "\n" + `{"d":4}`, []item{
			{1, `{"a":1 `, "; read as far as it goes; the rest of line 1 is skipped", false},
			{2, `{"d":4}`, "", false}}},
		{"broken mid-line, context", `{"a":1 "b":2} {"c":3}` + "\n" + `{"d":4}`, []item{
			{1, `{"a":1 `, `broken at line 1 by "\"b`, false},
			{2, `{"d":4}`, "", false}}},
		{"never ends", "{\"a\":1}\n{\"b\":[1,\n", []item{{1, `{"a":1}`, "", false}, {2, "{\"b\":[1,\n", "never ends (file cut short?); read as far as it goes", false}}},

		// Defect 16: a byte order mark, also before pretty-printed JSON.
		{"BOM", "\xEF\xBB\xBF{\"a\":1}\n", []item{{1, `{"a":1}`, "", false}}},
		{"BOM pretty", "\xEF\xBB\xBF{\n \"a\": 1\n}\n", []item{{1, "{\n \"a\": 1\n}", "", false}}},
		{"BOM of a concatenated file", "{\"a\":1}\n\xEF\xBB\xBF[{\"b\":2}]\n", []item{{1, `{"a":1}`, "", false}, {2, `{"b":2}`, "", false}}},

		// Top-level arrays: each object is a document.
		{"array", `[{"a":1}, {"b":2}]`, []item{{1, `{"a":1}`, "", false}, {1, `{"b":2}`, "", false}}},
		{"nested arrays", "[[{\"a\":1}],\n [], [{\"b\":2}]]\n{\"c\":3}", []item{{1, `{"a":1}`, "", false}, {2, `{"b":2}`, "", false}, {3, `{"c":3}`, "", false}}},
		// Defect 14: not a panic, and the object after the string is read.
		{"string element", `["", {}]`, []item{{1, "", "array element is not a JSON object", true}, {1, `{}`, "", false}}},
		{"scalar elements", "[1, null,\n\"x\\\"]\", {\"a\":1}]", []item{
			{1, "", "not a JSON object", true}, {1, "", "not a JSON object", true}, {2, "", "not a JSON object", true}, {2, `{"a":1}`, "", false}}},
		{"array broken mid-line", `[{"a":1} {"b":2}]` + "\n" + `{"c":3}`, []item{
			{1, `{"a":1}`, "", false}, {1, "", "JSON array broken at line 1", true}, {2, `{"c":3}`, "", false}}},
		{"array broken at a line start", "[{\"a\":1},\nklog\n{\"c\":3}", []item{
			{1, `{"a":1}`, "", false}, {1, "", "JSON array broken at line 2", false}, {2, "", `not JSON: "klog"`, true}, {3, `{"c":3}`, "", false}}},
		{"array never ends", "[{\"a\":1},\n", []item{{1, `{"a":1}`, "", false}, {1, "", "JSON array never ends", false}}},
		{"document in an array cut", "[{\"a\":\"x\n{\"b\":1}", []item{{1, `{"a":"x`, "string is still open", false}, {2, `{"b":1}`, "", false}}},
	} {
		t.Run(tc.name, func(t *testing.T) { check(t, tc.in, tc.want) })
	}
}

// TestResyncNDJSON is defect 12 at its size: in a 1,001-line file whose
// line 2 is cut mid-string, the 999 lines after it are read.
func TestResyncNDJSON(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"kind":"Event","code":401,"n":0}` + "\n")
	b.WriteString(`{"kind":"Event","userAgent":"cut mid-str` + "\n")
	for i := 1; i <= 999; i++ {
		fmt.Fprintf(&b, `{"kind":"Event","code":401,"n":%d}`+"\n", i)
	}
	got, err := readAll(t, []byte(b.String()), bufferSize)
	require.NoError(t, err)
	require.Len(t, got, 1001)
	assert.Equal(t, 2, got[1].Line)
	assert.Contains(t, got[1].Problem, "cut short")
	for i, d := range got {
		if i != 1 {
			assert.Empty(t, d.Problem, "line %d", d.Line)
		}
	}
	assert.Equal(t, `{"kind":"Event","code":401,"n":999}`, got[1000].Text)
	assert.Equal(t, 1001, got[1000].Line)
}

// TestDeepArraysLinear is defect 15: 100,000 nested top-level arrays cost
// one counter, so reading them is linear; so are 100,000 levels inside a
// document, which is skipped past MaxDepth.
func TestDeepArraysLinear(t *testing.T) {
	n := 100_000
	in := strings.Repeat("[", n) + `{"a":1}` + strings.Repeat("]", n) + "\n" + `{"b":2}`
	got, err := readAll(t, []byte(in), bufferSize)
	require.NoError(t, err)
	assert.Equal(t, []item{{1, `{"a":1}`, "", false}, {2, `{"b":2}`, "", false}}, got)

	got, err = readAll(t, []byte(strings.Repeat("[", n)), bufferSize)
	require.NoError(t, err)
	assert.Equal(t, []item{{1, "", "JSON array never ends (file cut short?)", false}}, got)

	deep := `{"a":` + strings.Repeat("[", n) + "\n" + `{"b":2}`
	got, err = readAll(t, []byte(deep), bufferSize)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Contains(t, got[0].Problem, "nested deeper than 65536 levels; skipped")
	assert.True(t, got[0].Skipped)
	assert.Empty(t, got[0].Text)
	assert.Equal(t, `{"b":2}`, got[1].Text)
}

// TestMaxDocument is defect 13 in small: a document over the limit is
// skipped and reported, and the next one is read.
// The limit itself is checked once; the other cases use a limit of 1 MiB.
func TestMaxDocument(t *testing.T) {
	doc := func(n int) string { return `{"a":"` + strings.Repeat("x", n) + `"}` }
	small := doc(1 << 20)
	open := small[:len(small)-1]
	for _, tc := range []struct {
		name  string
		in    string
		limit int64
	}{
		{"ends", doc(MaxDocument) + "\n" + `{"b":2}`, MaxDocument},
		{"ends, small limit", doc(1<<20) + "\n" + `{"b":2}`, 1 << 20},
		{"cut", open + "\n" + `{"b":2}`, 1 << 20},
		{"broken mid-line", open + `x}` + "\n" + `{"b":2}`, 1 << 20},
		{"never ends", open, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readLimited(t, []byte(tc.in), bufferSize, tc.limit)
			require.NoError(t, err)
			require.NotEmpty(t, got)
			assert.Contains(t, got[0].Problem, fmt.Sprintf("larger than the %d MiB limit; skipped", tc.limit>>20))
			assert.True(t, got[0].Skipped)
			assert.Empty(t, got[0].Text)
			if tc.name != "never ends" {
				require.Len(t, got, 2)
				assert.Equal(t, `{"b":2}`, got[1].Text)
			}
		})
	}
}

func TestGzip(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("\xEF\xBB\xBF{\"a\":1}\n{\"b\":2}\n"))
	zw.Close()
	got, err := readAll(t, gz.Bytes(), bufferSize)
	require.NoError(t, err)
	assert.Equal(t, []item{{1, `{"a":1}`, "", false}, {2, `{"b":2}`, "", false}}, got)

	// Cut short: the documents before the cut, then an error that says gzip.
	var many bytes.Buffer
	zw = gzip.NewWriter(&many)
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(zw, `{"n":%d,"pad":"%x"}`+"\n", i, time.Now().UnixNano()+int64(i*7919))
	}
	zw.Close()
	got, err = readAll(t, many.Bytes()[:many.Len()/2], bufferSize)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "gzip")
	assert.NotEmpty(t, got)

	// A corrupt header.
	_, err = readAll(t, []byte("\x1f\x8b\x00garbage"), bufferSize)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "gzip")
}

// utf16Text encodes s as UTF-16 with a byte order mark.
func utf16Text(s string, big bool) []byte {
	out := []byte{0xff, 0xfe}
	if big {
		out = []byte{0xfe, 0xff}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if big {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// TestUTF16: a file in UTF-16 with a byte order mark, what Windows
// PowerShell 5.1's > and Out-File write, is read as its text, gzipped or
// not, with characters outside the BMP split across reads. The first scan
// reported every line as "not JSON" and read nothing.
func TestUTF16(t *testing.T) {
	text := "{\"ua\":\"café 🐳 ok\"}\r\n{\n  \"b\": [1, \"𝄞\"]\n}\r\n"
	want := []item{{1, `{"ua":"café 🐳 ok"}`, "", false}, {2, "{\n  \"b\": [1, \"𝄞\"]\n}", "", false}}
	for _, big := range []bool{false, true} {
		in := utf16Text(text, big)
		for _, size := range []int{16, 17, 64, bufferSize} {
			got, err := readAll(t, in, size)
			require.NoError(t, err)
			assert.Equal(t, want, got, "big endian %v, buffer %d", big, size)
		}
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(in)
		zw.Close()
		got, err := readAll(t, gz.Bytes(), bufferSize)
		require.NoError(t, err)
		assert.Equal(t, want, got, "gzipped, big endian %v", big)

		// One byte at a time: every character is cut between reads.
		r := NewReader(iotest.OneByteReader(bytes.NewReader(in)))
		var texts []string
		for {
			d, err := r.Next()
			if err != nil {
				require.Equal(t, io.EOF, err)
				break
			}
			texts = append(texts, string(d.Text))
		}
		assert.Equal(t, []string{want[0].Text, want[1].Text}, texts, "one byte a read")
	}

	// A surrogate without its pair and an odd last byte become U+FFFD.
	in := append(utf16Text(`{"a":"`, false), 0x00, 0xd8, 'x', 0, 0x00, 0xdc)
	in = append(append(in, utf16Text(`"}`, false)[2:]...), 0x41)
	got, err := readAll(t, in, bufferSize)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "{\"a\":\"\uFFFDx\uFFFD\"}", got[0].Text)
	assert.Contains(t, got[1].Problem, "not JSON")
}

// A read error ends the input after what was read before it.
func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader("{\"a\":1}\n{\"b\":"), errReader{boom}))
	d, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(d.Text))
	d, err = r.Next()
	require.NoError(t, err)
	assert.Equal(t, `{"b":`, string(d.Text))
	assert.Contains(t, d.Problem, "read error")
	_, err = r.Next()
	assert.Equal(t, boom, err)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// TestContainerOutput: lines behind a CRI prefix, as a container runtime
// writes an API server's standard output, are read as what follows the
// prefix; partial lines (P) are joined to the line of the same stream that
// ends them (F), and a line of the other stream ends them unfinished;
// every line keeps its number; other lines are untouched.
func TestContainerOutput(t *testing.T) {
	const p, f = "2026-11-20T10:00:00.123456789Z stdout P ", "2026-11-20T10:00:00.123456789Z stdout F "
	const stderr = "2026-11-20T10:00:00.123456789Z stderr F "
	in := f + `{"a":1}` + "\n" +
		p + `{"b":` + "\n" + p + `"xy` + "\n" + f + `z"}` + "\n" +
		"\n\n" +
		f + `{"cut` + "\n" +
		`{"d":4}` + "\n" +
		p + `{"e":` + "\n" +
		stderr + `{"f":6}` + "\n" + // another stream: {"e": ends unfinished
		f + `{"g":7}` + "\n"
	for _, size := range []int{64, 128, bufferSize} {
		got, err := readAll(t, []byte(in), size)
		require.NoError(t, err)
		var lines []int
		var texts []string
		for _, d := range got {
			lines, texts = append(lines, d.Line), append(texts, strings.TrimSpace(d.Text))
		}
		assert.Equal(t, []int{1, 2, 7, 8, 9, 10, 11}, lines, "buffer %d: %+v", size, got)
		assert.Equal(t, []string{`{"a":1}`, `{"b":"xyz"}`, `{"cut`, `{"d":4}`, `{"e":`, `{"f":6}`, `{"g":7}`}, texts, "buffer %d", size)
	}
}

// TestBlankLines: a run of blank lines costs no document, and the lines
// after it keep their numbers, whatever the buffer.
func TestBlankLines(t *testing.T) {
	in := strings.Repeat("\n", 1000) + "  \t\r\n" + `{"a":1}` + "\n" + strings.Repeat(" \n", 300) + `{"b":2`
	for _, size := range []int{16, 64, bufferSize} {
		got, err := readAll(t, []byte(in), size)
		require.NoError(t, err)
		require.Len(t, got, 2, "buffer %d", size)
		assert.Equal(t, 1002, got[0].Line)
		assert.Equal(t, 1303, got[1].Line)
	}
}

// TestPayloadLines: a line of base64 gzip (a Firehose record) is one
// document whatever its length, without its line end; the lines around it
// keep their numbers; one past the limit is skipped and said to be.
func TestPayloadLines(t *testing.T) {
	long := "H4sI" + strings.Repeat("QUJD", 100)
	check(t, "{\"a\":1}\n"+long+"\r\n\n  H4sIAAAA\n{\"b\":2}\nH4sIcut", []item{
		{Line: 1, Text: `{"a":1}`},
		{Line: 2, Text: long},
		{Line: 4, Text: "H4sIAAAA"},
		{Line: 5, Text: `{"b":2}`},
		{Line: 6, Text: "H4sIcut"},
	})
	got, err := readLimited(t, []byte(long+"\n{\"c\":3}\n"), 64, 100)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.True(t, got[0].Skipped)
	assert.Contains(t, got[0].Problem, "larger than")
	assert.Equal(t, item{Line: 2, Text: `{"c":3}`}, got[1])
}
