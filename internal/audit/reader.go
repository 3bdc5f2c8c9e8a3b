package audit

import (
	"bytes"
	"errors"

	"github.com/kubefingerprint/kubefingerprint/internal/jsontext"
)

// Why a reader stopped before the value it reads ended.
var (
	errCut    = errors.New("input ends inside the value")
	errSyntax = errors.New("not JSON")
)

// A reader reads JSON text one member or element at a time, without
// recursion and without looking ahead further than the current token, so
// that it can read input that is cut short (Splunk's TRUNCATE, AKS's 16 KiB
// limit) as far as it goes. It checks the structure it walks through (keys,
// colons, commas, brackets); a value it is not asked for is passed over by
// skip, which checks nesting and strings only, or by skipValid, which
// checks that the value is JSON. Where a token ends is jsontext's to say.
//
// After an error every call returns nothing; err says whether the input
// was cut short or was not JSON.
type reader struct {
	b     []byte
	i     int
	err   error
	first bool // just inside { or [: no comma before the next member
	csv   bool // b is still CSV-quoted: every quote of the JSON text is doubled
}

func (r *reader) reset(b []byte) { *r = reader{b: b} }

// stringAt reads the string that starts at offset i and returns its
// contents as they lie in the input, and the offset just past it.
func (r *reader) stringAt(i int) ([]byte, int, bool) {
	q := 1
	if r.csv {
		if i+1 >= len(r.b) || r.b[i+1] != '"' {
			r.fail(errSyntax)
			return nil, 0, false
		}
		q = 2
	}
	end := r.stringEnd(r.b[i+q:])
	switch {
	case end == -1:
		r.fail(errCut)
		return nil, 0, false
	case end < 0:
		r.fail(errSyntax)
		return nil, 0, false
	}
	return r.b[i+q : i+q+end], i + end + 2*q, true
}

// stringEnd and valueEnd are jsontext's, for r.b as it lies.
func (r *reader) stringEnd(s []byte) int {
	if r.csv {
		return jsontext.CSVStringEnd(s)
	}
	return jsontext.StringEnd(s)
}

func (r *reader) valueEnd(b []byte) int {
	if r.csv {
		return jsontext.CSVValueEnd(b)
	}
	return jsontext.ValueEnd(b)
}

// space skips whitespace and reports whether input is left.
func (r *reader) space() bool {
	for r.i < len(r.b) && jsontext.IsSpace(r.b[r.i]) {
		r.i++
	}
	if r.i < len(r.b) {
		return true
	}
	r.fail(errCut)
	return false
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// peek returns the first byte of the next token, or 0.
func (r *reader) peek() byte {
	if r.err != nil || !r.space() {
		return 0
	}
	return r.b[r.i]
}

// open enters the object or array that comes next; c is { or [.
func (r *reader) open(c byte) bool {
	if r.peek() != c {
		r.fail(errSyntax)
		return false
	}
	r.i++
	r.first = true
	return true
}

// next moves to the next member of the object being read and returns its
// key as it lies in the input (escapes not decoded); false at the object's
// end, which it consumes, or on an error.
func (r *reader) next() ([]byte, bool) {
	if !r.more('}') {
		return nil, false
	}
	if r.b[r.i] != '"' {
		r.fail(errSyntax)
		return nil, false
	}
	key, next, ok := r.stringAt(r.i)
	if !ok {
		return nil, false
	}
	r.i = next
	if !r.space() {
		return nil, false
	}
	if r.b[r.i] != ':' {
		r.fail(errSyntax)
		return nil, false
	}
	r.i++
	if !r.space() {
		return nil, false
	}
	return key, true
}

// element moves to the next element of the array being read; false at the
// array's end, which it consumes, or on an error.
func (r *reader) element() bool { return r.more(']') }

// more consumes the comma before the next member or element, or the
// closing bracket.
func (r *reader) more(closing byte) bool {
	if r.err != nil || !r.space() {
		return false
	}
	switch c := r.b[r.i]; {
	case c == closing:
		r.i++
		r.first = false
		return false
	case r.first:
		r.first = false
		return true
	case c != ',':
		r.fail(errSyntax)
		return false
	}
	r.i++
	return r.space()
}

// skip passes over the next value and returns its text: a string with its
// quotes, an object or array whole. A value the input ends inside is
// returned as far as it goes, with err set to errCut; so is a number or
// literal that runs to the end, which may have been cut.
func (r *reader) skip() []byte {
	if r.err != nil || !r.space() {
		return nil
	}
	start := r.i
	switch r.b[r.i] {
	case '"':
		if _, next, ok := r.stringAt(r.i); ok {
			r.i = next
		} else {
			r.i = len(r.b)
		}
	case '{', '[':
		end := r.valueEnd(r.b[r.i:])
		if end < 0 {
			r.i = len(r.b)
			r.fail(errCut)
		} else {
			r.i += end
		}
	case ',', ':', '}', ']':
		r.fail(errSyntax)
		return nil
	default:
		for r.i < len(r.b) && !jsontext.IsDelimiter(r.b[r.i]) {
			r.i++
		}
		if r.i == len(r.b) {
			r.fail(errCut)
		}
	}
	return r.b[start:r.i]
}

// rest passes over what is left of the object being read.
func (r *reader) rest() {
	for _, ok := r.next(); ok; _, ok = r.next() {
		r.skip()
	}
}

// str reads the next value, which must be a string, decoding it onto dst in
// the same pass that finds its end. A string the input ends inside is
// decoded as far as it goes, an escape cut in half dropped, with err set
// to errCut.
func (r *reader) str(dst []byte) []byte {
	if r.peek() != '"' {
		r.fail(errSyntax)
		return dst
	}
	decode, q := appendString, 1
	if r.csv {
		decode, q = appendCSVString, 2
	}
	dst, end, err := decode(dst, r.b[r.i+q:])
	if err != nil {
		r.i = len(r.b)
		r.fail(err)
		return dst
	}
	r.i += q + end
	return dst
}

// keyIs reports whether key, as it lies in the input, names name once its
// escapes are decoded. An escaped key is legal JSON; it needs no speed.
func keyIs(key []byte, name string) bool {
	if len(key) == len(name) && string(key) == name {
		return true
	}
	if bytes.IndexByte(key, '\\') < 0 || len(key) > 6*len(name) {
		return false
	}
	var buf [6 * 32]byte
	if len(key) > len(buf) {
		return false
	}
	dec, err := appendUnescaped(buf[:0], key)
	return err == nil && string(dec) == name
}

// maxValidDepth bounds the nesting skipValid checks; a value nested deeper
// fails it, and is left to a reader that needs no such bound.
const maxValidDepth = 64

// skipValid passes over the next value like skip, and checks on the way
// that it is JSON: every bracket closed by its kind, every key followed by
// a colon, members and elements separated by commas, numbers and literals
// well formed. Escapes inside strings are not checked. Anything else fails
// r with errSyntax, or errCut at the end of the input.
func (r *reader) skipValid() []byte {
	if r.err != nil || !r.space() {
		return nil
	}
	start := r.i
	var objects uint64 // one bit per open bracket, innermost lowest: 1 for {
	depth := 0
	for {
		// A value starts here.
		if !r.space() {
			return nil
		}
		switch c := r.b[r.i]; {
		case c == '{' || c == '[':
			if depth == maxValidDepth {
				r.fail(errSyntax)
				return nil
			}
			objects, depth = objects<<1, depth+1
			if c == '{' {
				objects |= 1
			}
			r.i++
			if !r.space() {
				return nil
			}
			if r.b[r.i] == '}' && c == '{' || r.b[r.i] == ']' && c == '[' {
				r.i++
				objects, depth = objects>>1, depth-1
			} else {
				if c == '{' && !r.key() {
					return nil
				}
				continue
			}
		case c == '"':
			end := jsontext.StringEnd(r.b[r.i+1:])
			if end < 0 {
				r.i = len(r.b)
				r.fail(errCut)
				return nil
			}
			r.i += end + 2
		default:
			if !r.scalar() {
				return nil
			}
		}
		// After a value: a comma, or the brackets it closes.
		for depth > 0 {
			if !r.space() {
				return nil
			}
			c := r.b[r.i]
			switch {
			case c == ',':
				r.i++
				if objects&1 == 1 && !r.key() {
					return nil
				}
			case c == '}' && objects&1 == 1, c == ']' && objects&1 == 0:
				r.i++
				objects, depth = objects>>1, depth-1
				continue
			default:
				r.fail(errSyntax)
				return nil
			}
			break
		}
		if depth == 0 {
			return r.b[start:r.i]
		}
	}
}

// key reads a member's key and its colon.
func (r *reader) key() bool {
	if !r.space() {
		return false
	}
	if r.b[r.i] != '"' {
		r.fail(errSyntax)
		return false
	}
	end := jsontext.StringEnd(r.b[r.i+1:])
	if end < 0 {
		r.i = len(r.b)
		r.fail(errCut)
		return false
	}
	r.i += end + 2
	if !r.space() {
		return false
	}
	if r.b[r.i] != ':' {
		r.fail(errSyntax)
		return false
	}
	r.i++
	return true
}

// scalar reads a number, true, false or null, as JSON writes them. One
// that runs to the end of the input may have been cut: errCut.
func (r *reader) scalar() bool {
	start := r.i
	for r.i < len(r.b) && !jsontext.IsDelimiter(r.b[r.i]) {
		r.i++
	}
	if r.i == len(r.b) {
		r.fail(errCut)
		return false
	}
	if v := r.b[start:r.i]; !jsontext.IsLiteral(v) && !jsontext.IsNumber(v) {
		r.fail(errSyntax)
		return false
	}
	return true
}
