package jsontext

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestTrimBOM(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"\ufeff{}", "{}"},
		{"\ufeff\ufeff{}", "\ufeff{}"},
		{"{}", "{}"},
		{"\xef\xbb", "\xef\xbb"},
		{"", ""},
	} {
		if got := string(TrimBOM([]byte(tt.in))); got != tt.want {
			t.Errorf("TrimBOM(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSpace(t *testing.T) {
	for i := range 256 {
		c := byte(i)
		want := c == ' ' || c == '\t' || c == '\n' || c == '\r'
		if IsSpace(c) != want {
			t.Errorf("IsSpace(%q) = %v", c, !want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{" \t\r\n{} \n", "{}"},
		{"\v{}\u00a0", "\v{}\u00a0"}, // blanks to Unicode, not to JSON
		{"  ", ""},
	} {
		if got := string(TrimSpace([]byte(tt.in))); got != tt.want {
			t.Errorf("TrimSpace(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestScalar: what ends, begins and spells a number or literal, as
// encoding/json reads them.
func TestScalar(t *testing.T) {
	for i := range 256 {
		c := byte(i)
		want := strings.IndexByte(" \t\r\n,:\"{}[]", c) >= 0
		if IsDelimiter(c) != want {
			t.Errorf("IsDelimiter(%q) = %v", c, !want)
		}
		want = strings.IndexByte("-0123456789tfn", c) >= 0
		if IsScalarStart(c) != want {
			t.Errorf("IsScalarStart(%q) = %v", c, !want)
		}
	}
	for _, tt := range []struct {
		in              string
		number, literal bool
	}{
		{"0", true, false},
		{"-0", true, false},
		{"401", true, false},
		{"-2.5e3", true, false},
		{"1E+9", true, false},
		{"0.5e-1", true, false},
		{"01", false, false},
		{"-", false, false},
		{"1.", false, false},
		{".5", false, false},
		{"1e", false, false},
		{"+1", false, false},
		{"0x1", false, false},
		{"true", false, true},
		{"false", false, true},
		{"null", false, true},
		{"tru", false, false},
		{"nulls", false, false},
		{"True", false, false},
		{"", false, false},
	} {
		if got := IsNumber([]byte(tt.in)); got != tt.number {
			t.Errorf("IsNumber(%q) = %v", tt.in, got)
		}
		if got := IsLiteral([]byte(tt.in)); got != tt.literal {
			t.Errorf("IsLiteral(%q) = %v", tt.in, got)
		}
	}
}

func TestStringEnd(t *testing.T) {
	for _, tt := range []struct {
		in       string // the contents, after the opening quote
		end, csv int    // csv: of the text with every quote doubled
	}{
		{`abc" tail`, 3, 3},
		{`" tail`, 0, 0},
		{`a\"b" x`, 4, 5},
		{`a\\" x`, 3, 3},
		{`a\\\"b" x`, 6, 7},
		{`\\\\"`, 4, 4},
		{`abc`, -1, -1},
		{`abc\"`, -1, -1},
		{`abc\`, -1, -1},
		{``, -1, -1},
	} {
		if got := StringEnd([]byte(tt.in)); got != tt.end {
			t.Errorf("StringEnd(%q) = %d, want %d", tt.in, got, tt.end)
		}
		csv := strings.ReplaceAll(tt.in, `"`, `""`)
		if got := CSVStringEnd([]byte(csv)); got != tt.csv {
			t.Errorf("CSVStringEnd(%q) = %d, want %d", csv, got, tt.csv)
		}
	}
	for _, tt := range []struct {
		in   string
		want int
	}{
		{`abc"`, -1},      // the second quote of the pair may be cut off
		{`abc" x`, -2},    // a quote that is not doubled
		{`a\"b"" x`, -2},  // an escaped quote that is not doubled
		{`a\""b"" x`, 5},  // one that is
		{`a\\"" x`, 3},    // a closing quote after an escaped backslash
		{`a\\\\""" x`, 5}, // the pair closes; the third quote is not read
		{`abc\""`, -1},    // the closing pair cut off
		{`"""" x`, 0},     // the closing pair at once: an empty string
	} {
		if got := CSVStringEnd([]byte(tt.in)); got != tt.want {
			t.Errorf("CSVStringEnd(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestEndsInEscape(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{``, false},
		{`a`, false},
		{`a\`, true},
		{`a\\`, false},
		{`\\\`, true},
		{`\\"`, false},
	} {
		if got := EndsInEscape([]byte(tt.in)); got != tt.want {
			t.Errorf("EndsInEscape(%q) = %v", tt.in, got)
		}
	}
}

func TestValueEnd(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{`{}`, 2},
		{`[] rest`, 2},
		{`{"a":"}"} rest`, 9},
		{`{"a":"\"}"}`, 11},
		{`{"a":"b\\"}`, 11},
		{`[1,[2,{"x":[]}]]`, 16},
		{`{"a":[1,2}]}`, 11}, // nesting only: the kinds of brackets are not matched
		{`{"a":`, -1},
		{`{"a":"\`, -1},
		{`[[[`, -1},
		{` {}`, -1}, // the value starts b
		{`"str"`, -1},
		{`1`, -1},
		{``, -1},
		{strings.Repeat("[", 100000) + strings.Repeat("]", 100000), 200000},
	} {
		if got := ValueEnd([]byte(tt.in)); got != tt.want {
			t.Errorf("ValueEnd(%.40q) = %d, want %d", tt.in, got, tt.want)
		}
		csv, want := strings.ReplaceAll(tt.in, `"`, `""`), tt.want
		if want > 0 {
			want += strings.Count(tt.in[:want], `"`)
		}
		if got := CSVValueEnd([]byte(csv)); got != want {
			t.Errorf("CSVValueEnd(%.40q) = %d, want %d", csv, got, want)
		}
	}
	for _, in := range []string{`{"a" "b"}`, `{"a":"b"x}`, `{""a"":""b"x}`} {
		if got := CSVValueEnd([]byte(in)); got != -1 {
			t.Errorf("CSVValueEnd(%q) = %d: a quote that is not doubled is not CSV-quoted text", in, got)
		}
	}
}

func TestTopLevel(t *testing.T) {
	for i := range 256 {
		c := byte(i)
		want := NotJSON
		switch c {
		case ' ', '\t', '\r':
			want = Blank
		case '\n':
			want = Newline
		case '{', '[':
			want = Value
		}
		if got := TopLevel(c); got != want {
			t.Errorf("TopLevel(%q) = %d, want %d", c, got, want)
		}
	}
}

// FuzzValueEnd holds the lexer to two references: encoding/json, on input
// that begins with a valid value and on every cut of that value; and, on
// any input, a reader that takes one byte at a time through the same rule
// (nesting and strings only).
func FuzzValueEnd(f *testing.F) {
	for _, s := range []string{
		`{"a":"}"} {"b":[1,{}]}`,
		`{"kind":"Event","user":{"username":"a\"b\\"},"sourceIPs":["1.2.3.4"]}`,
		`[1,"x\\\"",[true,null,-2.5e3]] tail`,
		`{"a":"\u00e9\ud83d\ude00"}`,
		`{"a":[}`,
		`{"a":"\`,
		"{\"a\":\"x\ny\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		end := ValueEnd(b)
		if want := byteAtATimeEnd(b); end != want {
			t.Fatalf("ValueEnd(%q) = %d, the byte-at-a-time reader says %d", b, end, want)
		}
		csv := bytes.ReplaceAll(b, []byte(`"`), []byte(`""`))
		want := end
		if end >= 0 {
			want += bytes.Count(b[:end], []byte(`"`))
		}
		if got := CSVValueEnd(csv); got != want {
			t.Fatalf("CSVValueEnd(%q) = %d, want %d", csv, got, want)
		}

		str := append([]byte(`["`), b...)
		if q := StringEnd(b); q < 0 {
			if ref := byteAtATimeEnd(append(str, ']')); ref != -1 {
				t.Fatalf("StringEnd(%q) = -1, the byte-at-a-time reader ends the string", b)
			}
		} else if ref := byteAtATimeEnd(append(str[:q+3], ']')); ref != q+4 {
			t.Fatalf("StringEnd(%q) = %d, the byte-at-a-time reader disagrees", b, q)
		}
		if n := decodedEnd(append([]byte(`"`), b...)); n >= 0 && StringEnd(b) != n-2 {
			t.Fatalf("StringEnd(%q) = %d, encoding/json says %d", b, StringEnd(b), n-2)
		}
		if len(b) > 0 && len(b) == len(TrimSpace(b)) {
			scalar := json.Valid(b) && IsScalarStart(b[0])
			if (IsNumber(b) || IsLiteral(b)) != scalar {
				t.Fatalf("%q: IsNumber %v, IsLiteral %v; encoding/json: a scalar %v", b, IsNumber(b), IsLiteral(b), scalar)
			}
		}

		n := decodedEnd(b)
		if n < 0 || (b[0] != '{' && b[0] != '[') {
			return
		}
		if end != n {
			t.Fatalf("ValueEnd(%q) = %d, encoding/json says %d", b, end, n)
		}
		step := max(1, n/64)
		for k := 0; k < n; k += step {
			if got := ValueEnd(b[:k]); got != -1 {
				t.Fatalf("ValueEnd of %q cut to %d bytes = %d, want -1", b[:n], k, got)
			}
		}
	})
}

// decodedEnd returns the offset just past the JSON value that starts b, as
// encoding/json reads it, or -1 when b does not start with a valid value.
func decodedEnd(b []byte) int {
	if len(b) == 0 || IsSpace(b[0]) {
		return -1
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var v json.RawMessage
	if dec.Decode(&v) != nil {
		return -1
	}
	return int(dec.InputOffset())
}

// byteAtATimeEnd is ValueEnd taking one byte at a time, an escape as a
// state rather than a run of backslashes counted back.
func byteAtATimeEnd(b []byte) int {
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return -1
	}
	depth, inStr, escaped := 0, false, false
	for i, c := range b {
		switch {
		case inStr && escaped:
			escaped = false
		case inStr && c == '\\':
			escaped = true
		case inStr && c == '"':
			inStr = false
		case inStr:
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}
