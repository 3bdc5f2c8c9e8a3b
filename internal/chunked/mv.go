package chunked

import (
	"bytes"
	"errors"
)

// ErrMultivalue reports a __mv_ cell that is not a ;-separated list of
// $-wrapped values.
var ErrMultivalue = errors.New("malformed __mv_ value")

// MVPrefix is the prefix of the column that carries field X's values when X
// is multivalued.
const MVPrefix = "__mv_"

// SplitMV decodes a __mv_ cell, $a$;$b$ with literal $ doubled, appending
// the values to dst. It unescapes in place, so the values alias cell and
// cell is overwritten. An empty cell holds no values: the plain column then
// carries the single value.
func SplitMV(dst [][]byte, cell []byte) ([][]byte, error) {
	i := 0
	for i < len(cell) {
		if cell[i] != '$' {
			return dst, ErrMultivalue
		}
		i++
		start, w := i, i
		for {
			if i >= len(cell) {
				return dst, ErrMultivalue
			}
			if cell[i] != '$' {
				cell[w] = cell[i]
				w++
				i++
				continue
			}
			if i+1 < len(cell) && cell[i+1] == '$' {
				cell[w] = '$'
				w++
				i += 2
				continue
			}
			break
		}
		dst = append(dst, cell[start:w])
		i++ // closing $
		if i < len(cell) {
			if cell[i] != ';' || i+1 == len(cell) {
				return dst, ErrMultivalue
			}
			i++
		}
	}
	return dst, nil
}

// AppendMV appends the __mv_ encoding of values to dst. Splunk's convention
// is that a field with fewer than two values has an empty __mv_ cell.
func AppendMV(dst []byte, values [][]byte) []byte {
	if len(values) < 2 {
		return dst
	}
	for i, v := range values {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, '$')
		for {
			j := bytes.IndexByte(v, '$')
			if j < 0 {
				break
			}
			dst = append(dst, v[:j+1]...)
			dst = append(dst, '$')
			v = v[j+1:]
		}
		dst = append(dst, v...)
		dst = append(dst, '$')
	}
	return dst
}

// AppendJoined appends values joined by newlines, the plain column of a
// multivalued field.
func AppendJoined(dst []byte, values [][]byte) []byte {
	for i, v := range values {
		if i > 0 {
			dst = append(dst, '\n')
		}
		dst = append(dst, v...)
	}
	return dst
}
