// Package chunked speaks Splunk's custom search command protocol version 2,
// the "chunked" protocol: it owns the framing of chunks in both directions,
// the CSV bodies of execute chunks and the __mv_ multivalue encoding.
//
// A chunk is
//
//	chunked 1.0,<metadata length>,<body length>\n<metadata><body>
//
// with both lengths counted in bytes. Metadata is JSON and is read whole;
// the body is never buffered whole: it is handed out as a Body that the
// caller reads record by record, so memory does not grow with chunk size.
package chunked

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Limits on what a header may declare. The metadata is allocated, so its
// limit is what the process is willing to hold; the body is streamed, so its
// limit only rejects numbers no splunkd would send.
const (
	MaxMetadata = 16 << 20
	MaxBody     = 1 << 40
	maxHeader   = 64
)

// ErrHeader reports a header line that is not "chunked 1.0,M,B".
var ErrHeader = errors.New("malformed chunk header")

// A ProtocolError is a violation of the framing; after one the stream is
// out of step and no further chunk can be read.
type ProtocolError struct {
	Chunk int // 1-based number of the chunk being read
	Err   error
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("chunk %d: %v", e.Chunk, e.Err)
}

func (e *ProtocolError) Unwrap() error { return e.Err }

// A Reader reads chunks from splunkd. It does its own buffering so that
// records of a body can be parsed where they lie, without copying.
type Reader struct {
	src    io.Reader
	srcErr error
	buf    []byte
	r, w   int // buf[r:w] is read but not consumed
	meta   []byte
	body   Body
	chunk  int
}

// NewReader returns a Reader on r.
func NewReader(r io.Reader) *Reader {
	return &Reader{src: r, buf: make([]byte, 256<<10)}
}

// Next skips what is left of the previous chunk's body, then reads the next
// header and metadata. The metadata slice is valid until the following call.
// At a chunk boundary with no more input Next returns io.EOF; input that
// ends anywhere else is an io.ErrUnexpectedEOF wrapped in a ProtocolError.
func (r *Reader) Next() (meta []byte, body *Body, err error) {
	if err := r.body.skip(); err != nil {
		return nil, nil, &ProtocolError{r.chunk, err}
	}
	r.chunk++
	line, err := r.headerLine()
	if err != nil {
		if err == io.EOF {
			r.chunk--
			return nil, nil, io.EOF
		}
		return nil, nil, &ProtocolError{r.chunk, err}
	}
	metaLen, bodyLen, err := ParseHeader(line)
	if err != nil {
		return nil, nil, &ProtocolError{r.chunk, err}
	}
	if metaLen > MaxMetadata {
		return nil, nil, &ProtocolError{r.chunk, fmt.Errorf("metadata length %d exceeds the limit of %d bytes", metaLen, MaxMetadata)}
	}
	for int64(r.w-r.r) < metaLen {
		if err := r.fill(); err != nil {
			return nil, nil, &ProtocolError{r.chunk, fmt.Errorf("metadata: %w", unexpected(err))}
		}
	}
	r.meta = append(r.meta[:0], r.buf[r.r:r.r+int(metaLen)]...)
	r.r += int(metaLen)
	r.body = Body{rd: r, remaining: bodyLen}
	return r.meta, &r.body, nil
}

// Chunk is the 1-based number of the chunk last returned by Next.
func (r *Reader) Chunk() int { return r.chunk }

// fill reads more input after the unconsumed bytes, moving them to the
// start of the buffer or growing it when it is full. It returns the
// input's error, io.EOF included, when nothing more came.
func (r *Reader) fill() error {
	if r.srcErr != nil {
		return r.srcErr
	}
	if r.r > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	if r.w == len(r.buf) {
		r.buf = append(r.buf, make([]byte, len(r.buf))...)[:2*len(r.buf)]
	}
	for range 100 {
		n, err := r.src.Read(r.buf[r.w:])
		r.w += n
		if err != nil {
			r.srcErr = err
		}
		if n > 0 {
			return nil
		}
		if err != nil {
			return err
		}
	}
	r.srcErr = io.ErrNoProgress
	return r.srcErr
}

// headerLine returns the header line without its newline. Blank lines
// between chunks are skipped: old SDK recorders left one after getinfo.
func (r *Reader) headerLine() ([]byte, error) {
	for {
		i := bytes.IndexByte(r.buf[r.r:r.w], '\n')
		if i < 0 {
			if r.w-r.r > maxHeader {
				return nil, fmt.Errorf("%w: header line longer than %d bytes", ErrHeader, maxHeader)
			}
			if err := r.fill(); err != nil {
				if err == io.EOF && r.w == r.r {
					return nil, io.EOF
				}
				if err == io.EOF {
					return nil, fmt.Errorf("header %q: %w", r.buf[r.r:r.w], io.ErrUnexpectedEOF)
				}
				return nil, err
			}
			continue
		}
		if i > maxHeader {
			return nil, fmt.Errorf("%w: header line longer than %d bytes", ErrHeader, maxHeader)
		}
		line := r.buf[r.r : r.r+i]
		r.r += i + 1
		if len(line) == 0 || string(line) == "\r" {
			continue
		}
		return line, nil
	}
}

// ParseHeader parses a header line without its newline. It accepts what the
// Python SDK accepts, chunked\s+1.0\s*,\s*(\d+)\s*,\s*(\d+)\s*, though
// splunkd itself writes no spaces.
func ParseHeader(line []byte) (metaLen, bodyLen int64, err error) {
	p := headerParser{s: line}
	if !p.literal("chunked") || !p.spaces(1) || !p.literal("1.0") {
		return 0, 0, fmt.Errorf("%w: %q", ErrHeader, line)
	}
	p.spaces(0)
	if !p.literal(",") {
		return 0, 0, fmt.Errorf("%w: %q", ErrHeader, line)
	}
	metaLen, ok1 := p.number()
	ok2 := p.literal(",")
	bodyLen, ok3 := p.number()
	if !ok1 || !ok2 || !ok3 || len(p.s) != 0 {
		return 0, 0, fmt.Errorf("%w: %q", ErrHeader, line)
	}
	if metaLen > MaxBody || bodyLen > MaxBody {
		return 0, 0, fmt.Errorf("%w: length out of range in %q", ErrHeader, line)
	}
	return metaLen, bodyLen, nil
}

type headerParser struct{ s []byte }

func (p *headerParser) literal(lit string) bool {
	if len(p.s) < len(lit) || string(p.s[:len(lit)]) != lit {
		return false
	}
	p.s = p.s[len(lit):]
	return true
}

func (p *headerParser) spaces(min int) bool {
	n := 0
	for n < len(p.s) && (p.s[n] == ' ' || p.s[n] == '\t' || p.s[n] == '\r') {
		n++
	}
	p.s = p.s[n:]
	return n >= min
}

// number reads \s*(\d+)\s*; more than 18 digits cannot be a length.
func (p *headerParser) number() (int64, bool) {
	p.spaces(0)
	n := 0
	for n < len(p.s) && p.s[n] >= '0' && p.s[n] <= '9' {
		n++
	}
	if n == 0 || n > 18 {
		return 0, false
	}
	v, err := strconv.ParseInt(string(p.s[:n]), 10, 64)
	p.s = p.s[n:]
	p.spaces(0)
	return v, err == nil
}

// A Body is the body of one chunk, read where it lies in the Reader's
// buffer and never past its declared length.
type Body struct {
	rd        *Reader
	remaining int64 // body bytes not yet consumed
}

// Remaining is the number of body bytes not yet consumed.
func (b *Body) Remaining() int64 { return b.remaining }

// buffered returns the unconsumed body bytes that are in the buffer.
func (b *Body) buffered() []byte {
	if b.rd == nil {
		return nil
	}
	n := b.rd.w - b.rd.r
	if int64(n) > b.remaining {
		n = int(b.remaining)
	}
	return b.rd.buf[b.rd.r : b.rd.r+n]
}

// more reads more of the body into the buffer; slices from buffered are
// invalid afterwards. It returns io.EOF when the whole rest of the body is
// already buffered, and io.ErrUnexpectedEOF when the input ends first.
func (b *Body) more() error {
	if int64(b.rd.w-b.rd.r) >= b.remaining {
		return io.EOF
	}
	return unexpected(b.rd.fill())
}

func (b *Body) consume(n int) {
	b.rd.r += n
	b.remaining -= int64(n)
}

// Read implements io.Reader, for callers that want the body as bytes.
func (b *Body) Read(p []byte) (int, error) {
	if b.remaining == 0 {
		return 0, io.EOF
	}
	w := b.buffered()
	if len(w) == 0 {
		if err := b.more(); err != nil {
			return 0, err
		}
		w = b.buffered()
	}
	n := copy(p, w)
	b.consume(n)
	return n, nil
}

// skip consumes what is left of the body so the next header can be read.
func (b *Body) skip() error {
	for b.remaining > 0 {
		w := b.buffered()
		if len(w) == 0 {
			if err := b.more(); err != nil {
				return fmt.Errorf("body: %w", err)
			}
			continue
		}
		b.consume(len(w))
	}
	return nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// A Writer writes chunks to splunkd. Each chunk goes out in one flush, and
// nothing is written outside the counted bytes.
type Writer struct {
	bw *bufio.Writer
	hd []byte
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{bw: bufio.NewWriterSize(w, 64<<10)}
}

// WriteChunk writes one chunk and flushes it.
func (w *Writer) WriteChunk(meta, body []byte) error {
	w.hd = append(w.hd[:0], "chunked 1.0,"...)
	w.hd = strconv.AppendInt(w.hd, int64(len(meta)), 10)
	w.hd = append(w.hd, ',')
	w.hd = strconv.AppendInt(w.hd, int64(len(body)), 10)
	w.hd = append(w.hd, '\n')
	w.bw.Write(w.hd)
	w.bw.Write(meta)
	w.bw.Write(body)
	return w.bw.Flush()
}
