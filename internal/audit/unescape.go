package audit

import (
	"encoding/binary"
	"errors"
	"unicode/utf8"
)

var errEscape = errors.New("invalid escape sequence in JSON string")

// appendUnescaped appends the JSON string contents s, without its quotes,
// to dst with every escape decoded. A lone UTF-16 surrogate becomes U+FFFD,
// as in encoding/json. The result is never longer than s.
func appendUnescaped(dst, s []byte) ([]byte, error) {
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\\' {
			i++
		}
		dst = append(dst, s[:i]...)
		if i == len(s) {
			break
		}
		s = s[i:]
		if len(s) < 2 {
			return dst, errEscape
		}
		switch c := s[1]; c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(s[2:])
			if !ok {
				return dst, errEscape
			}
			n := 6
			if hi := r; hi >= 0xD800 && hi < 0xDC00 {
				r = utf8.RuneError
				if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
					if lo, ok := hex4(s[8:]); ok && lo >= 0xDC00 && lo < 0xE000 {
						r = 0x10000 + (hi-0xD800)<<10 + (lo - 0xDC00)
						n = 12
					}
				}
			} else if r >= 0xDC00 && r < 0xE000 {
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			s = s[n:]
			continue
		default:
			return dst, errEscape
		}
		s = s[2:]
	}
	return dst, nil
}

// appendString decodes the JSON string whose contents start s (just past
// its opening quote) onto dst in the pass that finds its end, and returns
// the offset just past the closing quote. If s ends first, what is there is
// decoded, an escape cut in half dropped, and the error is errCut; an
// invalid escape is errSyntax.
//
// An escaped JSON text, such as properties.log, has an escape every few
// bytes: a plain loop finds them faster than bytes.IndexByte, and the
// escapes such text is made of are decoded inline.
func appendString(dst, s []byte) ([]byte, int, error) {
	i := 0
	for {
		j := i
		j = plainEnd(s, j)
		dst = append(dst, s[i:j]...)
		if j == len(s) {
			return dst, len(s), errCut
		}
		if s[j] == '"' {
			return dst, j + 1, nil
		}
		if j+1 < len(s) {
			if c := s[j+1]; c == '"' || c == '\\' || c == '/' {
				dst = append(dst, c)
				i = j + 2
				continue
			}
		}
		n := escapeLen(s[j:])
		if j+n > len(s) {
			dst, err := appendUnescaped(dst, trimPartialEscape(s[j:]))
			if err != nil {
				return dst, len(s), errSyntax
			}
			return dst, len(s), errCut
		}
		var err error
		if dst, err = appendUnescaped(dst, s[j:j+n]); err != nil {
			return dst, len(s), errSyntax
		}
		i = j + n
	}
}

// appendCSVString is appendString for a JSON string still CSV-quoted,
// whose every quote is doubled: an escaped quote is \"" and the closing
// quote "". A quote that is not doubled is errSyntax.
func appendCSVString(dst, s []byte) ([]byte, int, error) {
	i := 0
	for {
		j := i
		j = plainEnd(s, j)
		dst = append(dst, s[i:j]...)
		switch {
		case j == len(s):
			return dst, len(s), errCut
		case s[j] == '"':
			if j+1 == len(s) {
				return dst, len(s), errCut
			}
			if s[j+1] != '"' {
				return dst, len(s), errSyntax
			}
			return dst, j + 2, nil
		case j+1 < len(s) && (s[j+1] == '\\' || s[j+1] == '/'):
			dst = append(dst, s[j+1])
			i = j + 2
			continue
		case j+1 < len(s) && s[j+1] == '"':
			if j+2 == len(s) {
				return dst, len(s), errCut
			}
			if s[j+2] != '"' {
				return dst, len(s), errSyntax
			}
			dst = append(dst, '"')
			i = j + 3
			continue
		}
		// The other escapes hold no quote: as in appendString.
		n := escapeLen(s[j:])
		if j+n > len(s) {
			return dst, len(s), errCut
		}
		var err error
		if dst, err = appendUnescaped(dst, s[j:j+n]); err != nil {
			return dst, len(s), errSyntax
		}
		i = j + n
	}
}

// plainEnd returns the index of the first quote or backslash in s from i,
// or len(s). Eight bytes are looked at a time while none of them is one:
// URIs, user agents and UIDs are long runs of plain bytes.
func plainEnd(s []byte, i int) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(s); i += 8 {
		v := binary.LittleEndian.Uint64(s[i:])
		q, b := v^(lo*'"'), v^(lo*'\\')
		if ((q-lo)&^q|(b-lo)&^b)&hi != 0 {
			break
		}
	}
	for i < len(s) && !stringSpecial[s[i]] {
		i++
	}
	return i
}

// stringSpecial marks the bytes that end a run of plain string contents.
var stringSpecial = [256]bool{'"': true, '\\': true}

// escapeLen is the length of the escape sequence that starts s: 12 for a
// surrogate pair written as two \u escapes, 6 for another \u escape, else 2.
func escapeLen(s []byte) int {
	if len(s) < 2 || s[1] != 'u' {
		return 2
	}
	if hi, ok := hex4(s[2:]); ok && hi >= 0xD800 && hi < 0xDC00 && len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
		if lo, ok := hex4(s[8:]); ok && lo >= 0xDC00 && lo < 0xE000 {
			return 12
		}
	}
	return 6
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// trimPartialEscape drops an escape sequence cut off at the end of s, as
// happens when AKS truncates properties.log in the middle of one.
func trimPartialEscape(s []byte) []byte {
	for k := 1; k <= 6 && k <= len(s); k++ {
		j := len(s) - k
		if s[j] != '\\' {
			continue
		}
		n := 0 // backslashes in the run ending at j; an even run is complete
		for j-n >= 0 && s[j-n] == '\\' {
			n++
		}
		if n%2 == 0 {
			return s
		}
		if k == 1 || (s[j+1] == 'u' && k < 6) {
			return s[:j]
		}
		return s
	}
	return s
}
