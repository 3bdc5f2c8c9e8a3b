// Package jsontext owns the lexical rules of JSON text (RFC 8259) that the
// readers of audit data share: what is blank, where a string ends (also in
// text still CSV-quoted, every quote doubled), where an object or array
// ends, what begins and ends a number or literal and how one is spelled,
// the byte order mark Windows tools put before text, and what may stand
// between values at the top level of text that holds several.
//
// It finds boundaries only: it decodes nothing and allocates nothing, and
// it has no recursion, so no depth of nesting can exhaust the stack. The
// readers built on it (jsonstream's file splitter, audit's one-pass reader)
// own the grammar they check and how they recover from what breaks it.
package jsontext

import "bytes"

// BOM is the byte order mark in UTF-8, which Azure portal downloads,
// PowerShell and spreadsheets put before text.
const BOM = "\xef\xbb\xbf"

// TrimBOM returns b without the byte order mark it starts with, if any.
func TrimBOM(b []byte) []byte {
	if len(b) >= len(BOM) && string(b[:len(BOM)]) == BOM {
		return b[len(BOM):]
	}
	return b
}

// IsSpace reports whether c is one of the four blanks JSON allows between
// tokens, which are fewer than Unicode's.
func IsSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// TrimSpace returns b without the JSON blanks around it.
func TrimSpace(b []byte) []byte {
	for len(b) > 0 && IsSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && IsSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// IsDelimiter reports whether c ends a number or literal: a blank, or a
// character with a meaning of its own in JSON.
func IsDelimiter(c byte) bool { return delimiters[c] }

var delimiters = [256]bool{
	' ': true, '\t': true, '\n': true, '\r': true,
	',': true, ':': true, '"': true, '{': true, '}': true, '[': true, ']': true,
}

// IsScalarStart reports whether c may begin a number, true, false or null.
func IsScalarStart(c byte) bool {
	return c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n'
}

// IsLiteral reports whether v is true, false or null.
func IsLiteral(v []byte) bool {
	s := string(v)
	return s == "true" || s == "false" || s == "null"
}

// IsNumber reports whether v is a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func IsNumber(v []byte) bool {
	i := 0
	digits := func() bool {
		j := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(v) && v[i] == '-' {
		i++
	}
	switch {
	case i < len(v) && v[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(v) && v[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(v)
}

// StringEnd returns the offset of the quote that closes the JSON string
// whose contents start s (just past its opening quote), or -1 when s ends
// first. Most of the bytes of an audit event lie in strings, so
// bytes.IndexByte finds the quotes; a quote after an odd run of
// backslashes is escaped. Escapes are not checked.
func StringEnd(s []byte) int {
	for off := 0; ; {
		q := bytes.IndexByte(s[off:], '"')
		if q < 0 {
			return -1
		}
		q += off
		if !EndsInEscape(s[:q]) {
			return q
		}
		off = q + 1
	}
}

// CSVStringEnd is StringEnd for a JSON string still CSV-quoted, as _raw
// lies in a Splunk chunk: every quote is doubled, so an escaped quote is
// \"" and the closing quote "". It returns the offset of the closing "",
// -1 when s ends first, and -2 for a quote that is not doubled, which no
// CSV-quoted text holds.
func CSVStringEnd(s []byte) int {
	for off := 0; ; {
		q := bytes.IndexByte(s[off:], '"')
		if q < 0 {
			return -1
		}
		q += off
		if q+1 >= len(s) {
			return -1
		}
		if s[q+1] != '"' {
			return -2
		}
		if !EndsInEscape(s[:q]) {
			return q
		}
		off = q + 2
	}
}

// EndsInEscape reports whether string contents b end with a backslash
// that escapes the byte after them: an odd run of backslashes. A reader of
// text in pieces carries it to the next piece.
func EndsInEscape(b []byte) bool {
	n := 0
	for n < len(b) && b[len(b)-1-n] == '\\' {
		n++
	}
	return n%2 == 1
}

// ValueEnd returns the offset just past the object or array that starts
// b, or -1 when b does not start with { or [, or ends first. It checks
// nesting and strings only, not what stands between them: enough to pass
// over a value, to split values that follow one another, and to tell a
// whole value from one cut short.
func ValueEnd(b []byte) int { return valueEnd(b, false) }

// CSVValueEnd is ValueEnd for text still CSV-quoted, every quote doubled.
func CSVValueEnd(b []byte) int { return valueEnd(b, true) }

func valueEnd(b []byte, csv bool) int {
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return -1
	}
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			if !csv {
				end := StringEnd(b[i+1:])
				if end < 0 {
					return -1
				}
				i += end + 1
				continue
			}
			if i+1 >= len(b) || b[i+1] != '"' {
				return -1
			}
			end := CSVStringEnd(b[i+2:])
			if end < 0 {
				return -1
			}
			i += end + 3
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

// A Top is what a byte begins at the top level of text that holds JSON
// values one after another (NDJSON, concatenated JSON, records that line
// merging put in one event), between two values.
type Top uint8

// What a byte at the top level begins (see TopLevel).
const (
	NotJSON Top = iota // a line that is not JSON
	Blank              // a blank other than a newline
	Newline            // the end of a line
	Value              // an object or array
)

// TopLevel says what c begins between values: the one rule every reader of
// several values follows. Blanks and newlines separate values; { or [
// begins one; anything else (a klog line, a bare scalar, a stray byte)
// begins a line that is not JSON, which is passed over to its end: a raw
// newline can lie inside no JSON value, so the next line may hold the next
// value, as the next NDJSON record. A value that breaks costs the rest of
// the line it breaks on, for the same reason.
//
// Where reading resumes after a value that is cut short legitimately
// differs between the readers: a file (jsonstream) goes on after the cut,
// since the next record may follow on the next line, while one Splunk
// event (audit) cut short was cut by TRUNCATE, and nothing follows it.
func TopLevel(c byte) Top { return topLevel[c] }

var topLevel = [256]Top{' ': Blank, '\t': Blank, '\r': Blank, '\n': Newline, '{': Value, '[': Value}

// IsPayload reports whether a line that is not JSON starts a base64 gzip
// payload: a Firehose record of CloudWatch Logs events, which the audit
// package opens. Its base64 starts with gzip's magic bytes and method
// (1f 8b 08), H4sI; every reader of several values takes such a line as
// one value.
func IsPayload(line []byte) bool { return bytes.HasPrefix(line, []byte(GzipBase64)) }

// GzipBase64 is how the base64 text of gzip data starts.
const GzipBase64 = "H4sI"
