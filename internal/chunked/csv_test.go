package chunked

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readBody frames body as one chunk and reads all its records; a record
// that fails is rendered as its error.
func readBody(t *testing.T, body string, oneByte bool) []string {
	t.Helper()
	var in io.Reader = strings.NewReader(fmt.Sprintf("chunked 1.0,2,%d\n{}%s", len(body), body))
	if oneByte {
		in = iotest.OneByteReader(in)
	}
	cr := NewReader(in)
	_, b, err := cr.Next()
	require.NoError(t, err)
	var r CSVReader
	r.Reset(b)
	var got []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return got
		}
		if err != nil {
			got = append(got, "error: "+err.Error())
			continue
		}
		fields := make([]string, rec.Len())
		for i := range fields {
			fields[i] = string(rec.Field(i))
		}
		got = append(got, strings.Join(fields, "|"))
	}
}

func TestCSVReader(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"splunk header", "\"_time\",teststring,\"__mv__time\",\"__mv_teststring\"\n\"1599171244.277\",\"ทt\",,\n",
			[]string{"_time|teststring|__mv__time|__mv_teststring", "1599171244.277|ทt||"}},
		{"crlf", "a,b\r\n1,2\r\n\"x\",\"y\"\r\n", []string{"a|b", "1|2", "x|y"}},
		{"no final newline", "a,b\n1,2", []string{"a|b", "1|2"}},
		{"empty fields", ",,\n", []string{"||"}},
		{"quotes commas newlines dollars", "ua\n\"a \"\"q\"\", b\nc $d$\"\n", []string{"ua", "a \"q\", b\nc $d$"}},
		{"crlf inside quoted field kept", "\"a\r\nb\"\n", []string{"a\r\nb"}},
		{"empty quoted", "\"\",x\n", []string{"|x"}},
		{"unterminated quote", "a\n\"abc\n", []string{"a", "error: record 2: " + ErrUnterminated.Error()}},
		{"bare quote kept, reading goes on", "\"a\"b\",c\nd,e\n", []string{"a\"b|c", "d|e"}},
		{"quoted field ending in a quote", "\"x\"\"\",\"\"\"\"\"\"\n", []string{"x\"|\"\""}},
		{"comma and newline inside quotes", "\"a,\n\"\"b\"\"\n,c\",d\r\n", []string{"a,\n\"b\"\n,c|d"}},
		{"unterminated after good records", "a,b\n1,\"2\n", []string{"a|b", "error: record 2: " + ErrUnterminated.Error()}},
		{"trailing comma at end of body", "a,b,", []string{"a|b|"}},
		{"quote in unquoted field kept", "a\"b,c\n", []string{"a\"b|c"}},
		{"nul and invalid utf-8", "\x00\xff,\"\xfe\"\n", []string{"\x00\xff|\xfe"}},
		{"blank line", "a\n\nb\n", []string{"a", "", "b"}},
	}
	for _, tt := range tests {
		for _, oneByte := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/onebyte=%v", tt.name, oneByte), func(t *testing.T) {
				assert.Equal(t, tt.want, readBody(t, tt.body, oneByte))
			})
		}
	}
}

func TestCSVReaderBigField(t *testing.T) {
	big := strings.Repeat(`{""k"":""v""},`, 200000) // 2.6 MB quoted field, past any buffer
	got := readBody(t, "x\n\""+big+"\"\n", false)
	require.Len(t, got, 2)
	assert.Equal(t, strings.ReplaceAll(big, `""`, `"`), got[1])
}

func TestAppendFieldRoundTrip(t *testing.T) {
	values := []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "cr\rx", "$HOME", "ทt", `"`, `""`, ",\n\""}
	var body []byte
	for i, v := range values {
		if i > 0 {
			body = append(body, ',')
		}
		body = AppendField(body, []byte(v))
	}
	body = append(body, '\n')
	got := readBody(t, string(body), false)
	assert.Equal(t, []string{strings.Join(values, "|")}, got)
	assert.Equal(t, "plain", string(AppendField(nil, []byte("plain"))), "minimal quoting")
}
