package chunked

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// The record errors of a CSVReader: a quoted field still open where the
// body ends, or one that does not close before the newline of a line with
// an even number of quotes (one that a stray quote, which splunkd never
// writes, leaves open). Other lone quotes are read leniently, as
// encoding/csv's LazyQuotes would.
var (
	ErrUnterminated = errors.New(`quoted field not terminated before the end of the body`)
	ErrUnclosed     = errors.New(`quoted field not closed before the end of its line`)
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
// records ended by LF or CRLF, the last one possibly unterminated. Quoted
// fields may hold commas and newlines.
//
// Records are read where they lie in the Reader's buffer, and a record's
// fields are split only when asked for. A line that holds an even number
// of quotes is a whole record: every quote of valid CSV opens or closes a
// quoted run (a doubled quote closes and reopens one), so a newline after
// an even number is outside the quotes. Two vectorised searches find such
// a line (its newline, its quote count), and a record that the caller
// drops after a look at one field (Peek) is never split at all: _raw and
// properties.log are quoted JSON with a doubled quote every few bytes, and
// most events are dropped. A line with an odd number of quotes, a newline
// inside quotes or a stray quote, is parsed field by field as it is read.
//
// Splitting a field hops from comma to comma (a quoted field ends at a
// quote that closes an odd run of quotes, just before a comma or newline),
// and its doubled quotes are undone only when Field asks for it.
type CSVReader struct {
	b      *Body
	fields []field
	record int
	split  bool // fields holds the current record's fields, or bad is set
	bad    bool // the current record's fields do not split: a quoted field never closes
	// Where parsing of an incomplete record stands, relative to its start,
	// so that it resumes after more of the body has been read.
	pos    int // start of the current field
	search int // where to look for the next delimiter
	nl     int // position of the next newline, or -1 if not yet known
}

type field struct {
	start, end int  // in the record
	quoted     bool // quotes not yet undone
}

// Reset starts reading body.
func (r *CSVReader) Reset(body *Body) {
	r.b = body
	r.record = 0
}

// Read returns the next record. The record is valid until the next call.
// It returns io.EOF after the last record; a *RecordError for a record that
// is not valid CSV, after which reading may continue; and any other error
// when the body itself cannot be read. A line with an even number of
// quotes whose fields do not split is returned as a record all the same,
// and its Len is -1.
func (r *CSVReader) Read() (Record, error) {
	r.fields = r.fields[:0]
	r.record++
	r.split, r.bad = false, false
	if r.b.remaining == 0 {
		return Record{}, io.EOF
	}
	scanned, quotes := 0, 0 // what has been searched for the newline, and its quotes
	for {
		data := r.b.buffered()
		atEnd := int64(len(data)) == r.b.remaining
		end := len(data)
		if i := bytes.IndexByte(data[scanned:], '\n'); i >= 0 {
			end = scanned + i
		} else if !atEnd {
			quotes += bytes.Count(data[scanned:], quote)
			scanned = len(data)
			if err := r.b.more(); err != nil {
				return Record{}, err
			}
			continue
		}
		if (quotes+bytes.Count(data[scanned:end], quote))%2 != 0 {
			break
		}
		if end < len(data) {
			end++
		}
		rec := Record{data: data[:end:end], r: r}
		r.b.consume(end)
		return rec, nil
	}
	r.split = true
	r.pos, r.search, r.nl = 0, -1, -1
	for {
		data := r.b.buffered()
		end, done, err := r.parse(data, int64(len(data)) == r.b.remaining)
		if err != nil {
			r.b.consume(len(data))
			return Record{}, &RecordError{r.record, err}
		}
		if done {
			rec := Record{data: data[:end:end], r: r}
			r.b.consume(end)
			return rec, nil
		}
		if err := r.b.more(); err != nil {
			return Record{}, err
		}
	}
}

var quote = []byte{'"'}

// splitFields splits the fields of a record that Read returned unsplit.
func (r *CSVReader) splitFields(data []byte) {
	if r.split {
		return
	}
	r.split = true
	r.pos, r.search, r.nl = 0, -1, -1
	if _, _, err := r.parse(data, true); err != nil {
		r.fields, r.bad = r.fields[:0], true
	}
}

// parse goes on parsing the record at the start of data. atEnd says data
// holds the rest of the body. It returns the record's length with done, or
// !done when more data is needed.
func (r *CSVReader) parse(data []byte, atEnd bool) (end int, done bool, err error) {
	for {
		if r.nl < r.search || r.nl < r.pos {
			r.nl = -1
		}
		if r.nl < 0 {
			from := max(r.pos, r.search)
			if i := bytes.IndexByte(data[from:], '\n'); i >= 0 {
				r.nl = from + i
			} else {
				r.nl = len(data) // the end of what is buffered stands in
			}
		}
		if r.search < 0 && r.pos < len(data) && data[r.pos] == ',' && r.pos < r.nl {
			// An empty field, as every __mv_ column of a single-valued field is.
			r.fields = append(r.fields, field{r.pos, r.pos, false})
			r.pos++
			continue
		}
		if r.search < 0 { // a new field
			r.search = r.pos
			if r.pos < len(data) && data[r.pos] == '"' {
				r.search++
			}
		}
		quoted := r.pos < len(data) && data[r.pos] == '"'
		// The next delimiter: a comma before the newline, or the newline.
		k := r.nl
		if i := bytes.IndexByte(data[r.search:r.nl], ','); i >= 0 {
			k = r.search + i
		}
		// Quoted JSON has a comma every few dozen bytes, nearly all inside
		// the quotes: hop over them here, where each hop costs one search
		// and one look at the byte before, until a comma closes the field
		// or the line ends.
		for quoted && k < r.nl && (data[k-1] != '"' || k-1 <= r.pos || !oddRun(data, r.pos, k-1)) {
			r.search = k + 1
			k = r.nl
			if i := bytes.IndexByte(data[r.search:r.nl], ','); i >= 0 {
				k = r.search + i
			}
		}
		if k == len(data) && !atEnd {
			r.search, r.nl = len(data), -1 // resume here once more is read
			return 0, false, nil
		}
		last := k == len(data) || data[k] == '\n'
		if !quoted {
			fe := k
			if last && fe > r.pos && data[fe-1] == '\r' {
				fe--
			}
			r.fields = append(r.fields, field{r.pos, fe, false})
		} else {
			q := k - 1 // the closing quote, if this is the field's end
			if last && q > r.pos && data[q] == '\r' {
				q--
			}
			if q <= r.pos || data[q] != '"' || !oddRun(data, r.pos, q) {
				if k == len(data) { // the body ends inside the field
					return 0, false, ErrUnterminated
				}
				r.search = k + 1 // a comma or newline inside the quotes
				continue
			}
			r.fields = append(r.fields, field{r.pos + 1, q, true})
		}
		if last {
			if k < len(data) {
				k++
			}
			return k, true, nil
		}
		r.pos, r.search = k+1, -1
	}
}

// oddRun reports whether the run of quotes ending at q, after the opening
// quote at open, is odd: pairs of doubled quotes and the closing one.
func oddRun(data []byte, open, q int) bool {
	n := 0
	for i := q; i > open && data[i] == '"'; i-- {
		n++
	}
	return n%2 == 1
}

// A Record is one CSV record, valid until the next Read.
type Record struct {
	data []byte
	r    *CSVReader
}

// Err is the *RecordError of a record whose fields do not split (ErrUnclosed).
func (rec Record) Err() error {
	rec.r.splitFields(rec.data)
	if rec.r.bad {
		return &RecordError{rec.r.record, ErrUnclosed}
	}
	return nil
}

// Len is the number of fields, or -1 when they do not split (Err).
func (rec Record) Len() int {
	rec.r.splitFields(rec.data)
	if rec.r.bad {
		return -1
	}
	return len(rec.r.fields)
}

// Blank reports whether the record is a blank line: one empty field,
// quoted or not. Only a record of at most four bytes (`""` and CRLF) can
// be, so no other record is split to tell.
func (rec Record) Blank() bool {
	return len(rec.data) <= 4 && rec.Len() == 1 && len(rec.Escaped(0)) == 0
}

// Field returns field i, its quotes undone in place on first use. A lone
// quote inside a quoted field, which splunkd never writes, is kept as it is.
func (rec Record) Field(i int) []byte {
	rec.r.splitFields(rec.data)
	f := &rec.r.fields[i]
	if f.quoted {
		f.quoted = false
		f.end = f.start + unquote(rec.data[f.start:f.end])
	}
	return rec.data[f.start:f.end:f.end]
}

// Escaped returns field i as it lies in the body, doubled quotes not yet
// undone, for searches that quoting cannot affect.
func (rec Record) Escaped(i int) []byte {
	rec.r.splitFields(rec.data)
	f := rec.r.fields[i]
	return rec.data[f.start:f.end:f.end]
}

// Peek returns field i as Escaped would if the record has n fields, without
// splitting the record: the fields before i are found from the start and
// those after it from the end, so that field i itself, which may be long
// quoted JSON, is never searched. ok is false when that cannot be done
// cheaply (a field before i or after it holds a quote inside, or there are
// too few commas); Len and Escaped tell then. If the record has another
// number of fields, v may be any part of it.
func (rec Record) Peek(i, n int) (v []byte, ok bool) {
	r := rec.r
	if i < 0 || i >= n {
		return nil, false
	}
	if r.split {
		if r.bad || len(r.fields) != n {
			return nil, false
		}
		return rec.Escaped(i), true
	}
	data, e := rec.data, len(rec.data)
	if e > 0 && data[e-1] == '\n' {
		e--
	}
	if e > 0 && data[e-1] == '\r' { // dropped from the last field, newline or not
		e--
	}
	pos := 0
	for range i { // a field before i: unquoted, or quoted with no quote inside
		c := bytes.IndexByte(data[pos:e], ',')
		if c < 0 {
			return nil, false
		}
		c += pos
		if data[pos] == '"' && (c-1 <= pos || data[c-1] != '"' || bytes.IndexByte(data[pos+1:c-1], '"') >= 0) {
			return nil, false
		}
		pos = c + 1
	}
	if pos >= e || data[pos] != '"' { // unquoted, field i ends at the next comma
		if c := bytes.IndexByte(data[pos:e], ','); c >= 0 {
			e = pos + c
		}
		return data[pos:e:e], true
	}
	quotedAfter := false
	for j := n - 1; j > i; j-- { // a field after i: unquoted, or quoted with no quote inside
		var c int // the comma before field j
		if e-1 > pos && data[e-1] == '"' {
			// Its opening quote is the quote before the closing one, and
			// a comma precedes it; in a field with a doubled quote inside,
			// a quote precedes that quote instead.
			c = bytes.LastIndexByte(data[pos+1:e-1], '"') + pos // below pos when there is none
			if c <= pos || data[c] != ',' {
				return nil, false
			}
			quotedAfter = true
		} else {
			c = bytes.LastIndexByte(data[pos+1:e], ',')
			if c < 0 {
				return nil, false
			}
			c += pos + 1
			if bytes.IndexByte(data[c+1:e], '"') >= 0 {
				return nil, false
			}
		}
		e = c
	}
	if e-1 <= pos || data[e-1] != '"' {
		return nil, false
	}
	// Field i as found ends in a closing quote that stands alone. A quote
	// before it (a doubled one) or a comma (then it may open a field
	// instead) would let a stray quote inside field i, which splunkd never
	// writes but the lenient split accepts, shift every field after it
	// while their number stays n; without a quoted field after i, a shift
	// always changes the number.
	if quotedAfter && e-2 > pos && (data[e-2] == '"' || data[e-2] == ',') {
		return nil, false
	}
	return data[pos+1 : e-1 : e-1], true
}

// unquote undoes doubled quotes in v in place and returns the new length.
// JSON has a quote every few bytes, too close for bytes.IndexByte to pay:
// a plain loop is faster.
func unquote(v []byte) int {
	j := bytes.IndexByte(v, '"')
	if j < 0 {
		return len(v)
	}
	w, r := j+1, j+1
	if r < len(v) && v[r] == '"' {
		r++
	}
	for r < len(v) {
		c := v[r]
		v[w] = c
		w++
		r++
		if c == '"' && r < len(v) && v[r] == '"' {
			r++
		}
	}
	return w
}

// What writing a field must do about each byte: a field holding a comma, a
// quote, CR or LF is quoted, and one holding a byte past ASCII must be
// checked for valid UTF-8. One table lookup per byte decides both in a
// single pass; most fields are short ASCII words that need neither.
const (
	needsQuote = 1 << iota
	nonASCII
)

var byteClass = func() (t [256]uint8) {
	for _, c := range ",\"\r\n" {
		t[c] = needsQuote
	}
	for c := utf8.RuneSelf; c < len(t); c++ {
		t[c] = nonASCII
	}
	return t
}()

// classOf ORs the classes of v's bytes.
func classOf(v []byte) uint8 {
	var class uint8
	for len(v) >= 8 { // eight independent lookups per round
		class |= byteClass[v[0]] | byteClass[v[1]] | byteClass[v[2]] | byteClass[v[3]] |
			byteClass[v[4]] | byteClass[v[5]] | byteClass[v[6]] | byteClass[v[7]]
		v = v[8:]
	}
	for _, c := range v {
		class |= byteClass[c]
	}
	return class
}

// AppendField appends v to dst as one CSV field, byte for byte, quoted only
// when it holds a comma, a quote, CR or LF (minimal quoting, which splunkd
// accepts).
func AppendField(dst, v []byte) []byte {
	if classOf(v)&needsQuote == 0 {
		return append(dst, v...)
	}
	return appendQuoted(dst, v)
}

// replacement stands for each run of bytes that are not UTF-8, as
// bytes.ToValidUTF8 writes it.
const replacement = "\uFFFD"

// AppendText appends v to dst as one CSV field of valid UTF-8, quoted as
// AppendField quotes: each run of bytes that are not UTF-8 becomes one
// U+FFFD, exactly as bytes.ToValidUTF8(v, []byte("\uFFFD")) would, written
// straight into dst.
func AppendText(dst, v []byte) []byte {
	class := classOf(v)
	if class&nonASCII != 0 && !utf8.Valid(v) {
		return appendInvalid(dst, v, class&needsQuote != 0)
	}
	if class&needsQuote == 0 {
		return append(dst, v...)
	}
	return appendQuoted(dst, v)
}

// appendQuoted writes v quoted, its quotes doubled.
func appendQuoted(dst, v []byte) []byte {
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

// appendInvalid writes v, which is not valid UTF-8, with each run of
// invalid bytes replaced, and quoted if quote is set. Invalid runs never
// swallow an ASCII byte, so replacing them changes nothing about quoting.
func appendInvalid(dst, v []byte, quote bool) []byte {
	if quote {
		dst = append(dst, '"')
	}
	invalid := false // the previous byte was part of an invalid run
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			if c == '"' && quote {
				dst = append(dst, '"')
			}
			i++
			invalid = false
			continue
		}
		_, n := utf8.DecodeRune(v[i:])
		if n == 1 {
			if !invalid {
				dst = append(dst, replacement...)
			}
			i++
			invalid = true
			continue
		}
		dst = append(dst, v[i:i+n]...)
		i += n
		invalid = false
	}
	if quote {
		dst = append(dst, '"')
	}
	return dst
}
