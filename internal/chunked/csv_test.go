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
		if err == nil {
			err = rec.Err()
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
		// A line with an even number of quotes is a whole record; one whose
		// quoted field does not close there is an error of that line alone.
		{"stray quote, even count, line alone", "\"x\"y\"\"\nd,e\n", []string{"error: record 1: " + ErrUnclosed.Error(), "d|e"}},
		{"stray quotes in an unquoted field", "a\"b,\"c\nd,e\n", []string{"error: record 1: " + ErrUnclosed.Error(), "d|e"}},
		{"odd count: a quoted newline", "\"a\nb\",c\nd\n", []string{"a\nb|c", "d"}},
		{"odd count: lenient as before", "\"a\"b\"c\",d\ne\n", []string{"a\"b\"c|d", "e"}},
		{"unclosed at the end of the body", "a\n\"b\"c\"\"", []string{"a", "error: record 2: " + ErrUnclosed.Error()}},
	}
	for _, tt := range tests {
		for _, oneByte := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/onebyte=%v", tt.name, oneByte), func(t *testing.T) {
				assert.Equal(t, tt.want, readBody(t, tt.body, oneByte))
			})
		}
	}
}

// TestPeek: Peek finds a field as Escaped does, for the records splunkd
// writes, without splitting the record; and says when it cannot.
func TestPeek(t *testing.T) {
	tests := []struct {
		name, record string
		i, n         int
		want         string // "" with ok false: "!"
	}{
		{"raw between time and idx", `1795165200,"{""a"":1, ""b"":[2,3]}",1,,,` + "\n", 1, 6, `{""a"":1, ""b"":[2,3]}`},
		{"quoted time", `"1599171244.277","{""a"":1}",,` + "\n", 1, 4, `{""a"":1}`},
		{"last field, CRLF", `1,"x,""y"""` + "\r\n", 1, 2, `x,""y""`},
		{"first field", `"{""a"":1}",7` + "\n", 0, 2, `{""a"":1}`},
		{"only field, no newline", `"{""a"":1}"`, 0, 1, `{""a"":1}`},
		{"unquoted field", `1,abc,2` + "\n", 1, 3, `abc`},
		{"unquoted last field, CRLF", `1,abc` + "\r\n", 1, 2, `abc`},
		{"empty field", `1,,2` + "\n", 1, 3, ``},
		{"quoted empty field", `1,"",2` + "\n", 1, 3, ``},
		{"earlier field quoted with a comma", `"1,2","x",3` + "\n", 1, 3, "!"},
		{"earlier field holds a doubled quote", `"a""b","x",3` + "\n", 1, 3, "!"},
		// splunkd quotes any value holding a byte outside [A-Za-z0-9], so a
		// _time with a fraction is quoted, and _raw may come before it.
		{"raw before a quoted time", `"{""a"":1}","1599171244.277",1,,,` + "\n", 0, 6, `{""a"":1}`},
		{"later field quoted", `1,"x","y"` + "\n", 1, 3, `x`},
		{"later field quoted with a comma", `1,"x","a,b",2` + "\n", 1, 4, `x`},
		{"later field quoted, empty", `1,"x",""` + "\r\n", 1, 3, `x`},
		{"later fields quoted, field i empty", `"",""`, 0, 2, ``},
		{"later field holds a doubled quote", `1,"x","a""b"` + "\n", 1, 3, "!"},
		{"later field holds a doubled quote and a comma", `1,"x","a"",b"` + "\n", 1, 3, "!"},
		{"later field is a quote", `1,"x",""""` + "\n", 1, 3, "!"},
		{"later quoted field opens field i", `"x,"y"`, 0, 2, "!"},
		// A stray quote in field i (not CSV splunkd writes) lets the lenient
		// split shift the fields after it and still count n (FuzzPeek):
		// with a quoted field after i, field i must not end in "" or ,".
		{"stray quote in field i, quoted field after", `,""0",","0"`, 1, 3, "!"},
		{"field i ends in a doubled quote, quoted field after", `1,"x""","y"` + "\n", 1, 3, "!"},
		{"field i ends in a comma, quoted field after", `1,"x,","y"` + "\n", 1, 3, "!"},
		{"field i ends in a doubled quote, unquoted field after", `1,"x""",y` + "\n", 1, 3, `x""`},
		{"too few commas", `1,"x"` + "\n", 1, 3, "!"},
		{"text after the closing quote", `1,"x"z,2` + "\n", 1, 3, "!"},
		{"field past the end", `1,2` + "\n", 2, 2, "!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := oneRecord(t, tt.record)
			v, ok := rec.Peek(tt.i, tt.n)
			if tt.want == "!" {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.want, string(v))
			require.Equal(t, tt.n, rec.Len(), "the record splits as Peek assumed")
			assert.Equal(t, string(rec.Escaped(tt.i)), string(v))
		})
	}
}

// TestBlank: a record is blank when it is one empty field, as its split
// fields would say, whether or not it was split.
func TestBlank(t *testing.T) {
	for _, tt := range []struct {
		record string
		blank  bool
	}{
		{"\n", true}, {"\r\n", true}, {"\r", true}, {`""` + "\n", true}, {`""` + "\r\n", true}, {`""`, true},
		{"x\n", false}, {",\n", false}, {`" "` + "\n", false}, {`""""` + "\n", false}, {"\r\r\n", false}, {`"",` + "\n", false},
		{`"` + "\n" + `"` + "\n", false}, // a quoted newline: split as it is read
	} {
		rec := oneRecord(t, tt.record)
		assert.Equal(t, tt.blank, rec.Blank(), "%q", tt.record)
		assert.Equal(t, tt.blank, rec.Len() == 1 && len(rec.Field(0)) == 0, "%q: Blank is one empty field", tt.record)
	}
}

// oneRecord reads the first record of body.
func oneRecord(t *testing.T, body string) Record {
	t.Helper()
	cr := NewReader(strings.NewReader(fmt.Sprintf("chunked 1.0,2,%d\n{}%s", len(body), body)))
	_, b, err := cr.Next()
	require.NoError(t, err)
	var r CSVReader
	r.Reset(b)
	rec, err := r.Read()
	require.NoError(t, err)
	return rec
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
