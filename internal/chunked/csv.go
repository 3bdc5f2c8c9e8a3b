package chunked

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Errors a CSVReader reports for one record. After either, the reader is
// positioned at the next record and reading may go on.
var (
	ErrBareQuote    = errors.New(`bare " in quoted field`)
	ErrUnterminated = errors.New(`quoted field not terminated before the end of the body`)
)

// A RecordError names the record of a body that could not be parsed.
type RecordError struct {
	Record int // 1-based, the header being record 1
	Err    error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("record %d: %v", e.Record, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }

// A CSVReader reads the RFC 4180 body of an execute chunk one record at a
// time, as splunkd writes it: fields quoted when needed, quotes doubled,
// records ended by LF or CRLF, the last one possibly unterminated.
// Quoted fields may hold commas and newlines. It keeps one record in memory
// and reuses it, so reading allocates nothing once the buffers have grown.
type CSVReader struct {
	b      *Body
	buf    []byte // field contents of the current record, unquoted
	ends   []int  // end offset in buf of each field
	record int
}

// Reset starts reading body.
func (r *CSVReader) Reset(body *Body) {
	r.b = body
	r.record = 0
}

// Read returns the next record. The record is valid until the next call.
// It returns io.EOF after the last record; a *RecordError for a record that
// is not valid CSV, after which reading may continue; and any other error
// when the body itself cannot be read.
func (r *CSVReader) Read() (Record, error) {
	const (
		fieldStart = iota
		unquoted
		quoted
		quoteInQuoted
	)
	r.buf = r.buf[:0]
	r.ends = r.ends[:0]
	r.record++
	if r.b.remaining == 0 {
		return Record{}, io.EOF
	}
	state := fieldStart
	var bad error
	start := 0 // offset in buf of the current field
	for {
		w, err := r.b.window()
		if err == io.EOF {
			if state == quoted {
				return Record{}, &RecordError{r.record, ErrUnterminated}
			}
			r.endField(start, state == unquoted)
			return r.done(bad)
		}
		if err != nil {
			return Record{}, err
		}
		i := 0
		for i < len(w) {
			switch state {
			case fieldStart:
				start = len(r.buf)
				if w[i] == '"' {
					state = quoted
					i++
				} else {
					state = unquoted
				}
			case unquoted:
				j := i
				for j < len(w) && w[j] != ',' && w[j] != '\n' {
					j++
				}
				r.buf = append(r.buf, w[i:j]...)
				if j == len(w) {
					i = j
					continue
				}
				r.endField(start, true)
				state = fieldStart
				i = j + 1
				if w[j] == '\n' {
					r.b.advance(i)
					return r.done(bad)
				}
			case quoted:
				j := bytes.IndexByte(w[i:], '"')
				if j < 0 {
					r.buf = append(r.buf, w[i:]...)
					i = len(w)
					continue
				}
				r.buf = append(r.buf, w[i:i+j]...)
				i += j + 1
				state = quoteInQuoted
			case quoteInQuoted:
				switch w[i] {
				case '"':
					r.buf = append(r.buf, '"')
					state = quoted
					i++
				case ',':
					r.endField(start, false)
					state = fieldStart
					i++
				case '\n':
					r.endField(start, false)
					r.b.advance(i + 1)
					return r.done(bad)
				case '\r':
					i++
				default:
					// Like encoding/csv's LazyQuotes the quote is kept and the field
					// goes on, but the record is reported: splunkd never writes this.
					if bad == nil {
						bad = ErrBareQuote
					}
					r.buf = append(r.buf, '"')
					state = quoted
				}
			}
		}
		r.b.advance(len(w))
	}
}

func (r *CSVReader) endField(start int, trimCR bool) {
	if trimCR && len(r.buf) > start && r.buf[len(r.buf)-1] == '\r' {
		r.buf = r.buf[:len(r.buf)-1]
	}
	r.ends = append(r.ends, len(r.buf))
}

func (r *CSVReader) done(bad error) (Record, error) {
	if bad != nil {
		return Record{}, &RecordError{r.record, bad}
	}
	return Record{buf: r.buf, ends: r.ends}, nil
}

// Number is the 1-based number of the record last read, the header being 1.
func (r *CSVReader) Number() int { return r.record }

// A Record is one parsed CSV record.
type Record struct {
	buf  []byte
	ends []int
}

// Len is the number of fields.
func (rec Record) Len() int { return len(rec.ends) }

// Field returns field i, unquoted. It may be modified in place.
func (rec Record) Field(i int) []byte {
	start := 0
	if i > 0 {
		start = rec.ends[i-1]
	}
	return rec.buf[start:rec.ends[i]:rec.ends[i]]
}

// AppendField appends v to dst as one CSV field, quoted only when it holds a
// comma, a quote, CR or LF (minimal quoting, which splunkd accepts).
func AppendField(dst, v []byte) []byte {
	if bytes.IndexAny(v, ",\"\r\n") < 0 {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for {
		j := bytes.IndexByte(v, '"')
		if j < 0 {
			break
		}
		dst = append(dst, v[:j+1]...)
		dst = append(dst, '"')
		v = v[j+1:]
	}
	dst = append(dst, v...)
	return append(dst, '"')
}
