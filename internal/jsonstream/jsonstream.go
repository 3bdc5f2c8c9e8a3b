// Package jsonstream splits exported log files into JSON documents: NDJSON
// (one document a line, as Azure storage blobs hold them), documents
// concatenated or pretty-printed over many lines (Event Hub batches), and
// top-level arrays of documents, gzipped or not, in UTF-8 with or without a
// byte order mark, or in UTF-16 with one (what Windows PowerShell 5.1's
// > and Out-File write). It owns the rules that keep one bad line from costing
// the rest of a file, and the limits that keep any input, however large or
// hostile, within bounded memory and linear time. Where a token ends, and
// what may stand between documents, are jsontext's rules.
//
// The rules:
//
//   - A document is a JSON object at the top level or an element of a
//     top-level array (arrays nest). Anything else at the top level is
//     reported as not JSON and skipped to the end of its line.
//   - The structure of every document is checked as it is read (strings,
//     nesting, where keys, colons, values and commas may stand; not the
//     spelling of numbers, literals and escapes). A document broken at a
//     line break is cut there, reported, handed on to be read as far as it
//     goes, and reading resumes with the line that broke it: a raw newline
//     cannot lie inside a JSON string, and a line whose first character
//     cannot continue the document begins something else, typically the
//     next NDJSON record. Pretty-printed JSON therefore spans lines freely,
//     and a record cut mid-string costs that record only.
//   - A line that begins with { or [ where the document expects a value
//     (a record cut just after "key": or [, then the next record) is
//     ambiguous: it is read as part of the document, but if the document
//     breaks on that line or at the start of the next, or never ends, the
//     document is cut before that line, which is read again as the start
//     of a document. Each line is read again at most once.
//   - A document broken in the middle of a line is cut at the offending
//     character and the rest of that line is skipped.
//   - A document over MaxDocument bytes, or nested deeper than MaxDepth, is
//     skipped and reported; memory stays bounded by MaxDocument plus one
//     read buffer whatever the input.
package jsonstream

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/kubefingerprint/kubefingerprint/internal/cri"
	"github.com/kubefingerprint/kubefingerprint/internal/jsontext"
)

// MaxDocument is the largest document handed on, in bytes. An AKS audit
// record is at most a few hundred KiB and an Event Hub batch at most 1 MB;
// 64 MiB is of the order of splunkd's own limits and keeps a hostile or
// corrupt file from taking the machine's memory.
const MaxDocument = 64 << 20

// MaxDepth is the deepest nesting of objects and arrays inside one
// document. Audit events nest a few levels; request objects a few dozen.
// The nesting of top-level arrays around documents is not limited: it
// costs one counter.
const MaxDepth = 1 << 16

// bufferSize is the read buffer: lines longer than it are read in pieces.
const bufferSize = 256 << 10

// A Document is the next thing a Reader found: a whole document, a document
// cut short, or a problem.
type Document struct {
	// Text is the document, valid until the next call to Next. With a
	// Problem it is the part read before the document broke off, to be read
	// as far as it goes; nil when nothing of it is kept.
	Text []byte
	// Line is the line on which the document or the problem starts.
	Line int
	// Problem says what is wrong; empty for a whole document.
	Problem string
	// Skipped tells that the Problem cost something that may have held an
	// event and is not in Text: a line that is not JSON, a document too
	// large or too deep, an array element that is not an object, the rest
	// of a line that broke a top-level array.
	Skipped bool
	// Container tells that a line reported as not JSON was container
	// output (behind a CRI prefix): an API server's klog lines share its
	// pod log with the audit events it writes to standard output.
	Container bool
}

// A Reader reads the documents of one file.
type Reader struct {
	src     io.Reader
	br      *bufio.Reader
	size    int
	maxDoc  int64 // MaxDocument; smaller in tests
	started bool
	gzipped bool
	err     error // the read error that ends the input, io.EOF at the end

	piece       []byte // the unread part of the current piece of input
	rest        []byte // the rest of the piece, to read after a replay in piece
	replay      []byte // bytes read again after a document is cut at a checkpoint
	line        int    // the line of piece's first byte
	atLineStart bool   // piece's first byte starts a line
	midLine     bool   // the last piece read did not end its line

	// container output (see container)
	partial    bool   // the line being read is partial
	stderr     bool   // ... and of stderr rather than stdout
	held, owed int    // line breaks dropped from partial lines, and to give back
	after      []byte // a piece to read once the owed line breaks are given back
	broke      bool   // a partial message ended unfinished before the piece just read
	lineCRI    bool   // the line being read had a CRI prefix

	mode mode

	// top-level arrays around documents
	arrays    int
	arrExpect expect
	arrLine   int

	// the document being read
	doc      []byte // the document's bytes before piece
	docLine  int
	docSize  int64
	oversize bool
	depth    int
	kinds    []uint64 // one bit per nesting level: 1 for an object
	expect   expect
	inStr    bool
	esc      bool
	strIsKey bool
	inScalar bool
	// The checkpoint: the offset in the document of the last line that
	// began with { or [ where a value was expected, or -1. It may start
	// the next NDJSON record rather than continue a cut one; it is taken
	// for that when the document breaks before another line goes on.
	cp     int64
	cpLine int

	// a skipped array element
	elemLine int
}

type mode uint8

const (
	modeTop      mode = iota // between documents
	modeDoc                  // inside a document
	modeElem                 // inside an array element that is not a document
	modeSkipLine             // skipping to the end of the line
	modePayload              // inside a line of base64 gzip (a Firehose record)
)

// What may come next.
type expect uint8

const (
	expValue        expect = iota // a value (after ':', or ',' in an array)
	expValueOrClose               // a value or ']' (after '[')
	expKey                        // a key (after ',' in an object)
	expKeyOrClose                 // a key or '}' (after '{')
	expColon                      // ':' (after a key)
	expCommaOrClose               // ',' or the closing bracket (after a value)
)

// NewReader returns a Reader of r, which may be gzipped.
func NewReader(r io.Reader) *Reader { return newReaderSize(r, bufferSize) }

// minBuffer is the smallest read buffer: a piece that starts a line holds
// the whole CRI prefix of container output (see container), which is at
// most this long.
const minBuffer = cri.MaxPrefix

func newReaderSize(r io.Reader, size int) *Reader {
	size = max(size, minBuffer)
	return &Reader{src: r, size: size, maxDoc: MaxDocument, line: 1, atLineStart: true}
}

// Next returns the next document or problem. At the end of the input it
// returns io.EOF; a read error, such as a corrupt gzip stream, is returned
// once everything before it has been returned.
func (r *Reader) Next() (Document, error) {
	for {
		if len(r.piece) == 0 {
			if r.rest != nil {
				r.piece, r.rest = r.rest, nil
				continue
			}
			if r.err != nil && r.owed == 0 && r.after == nil {
				if d, ok := r.finish(); ok {
					return d, nil
				}
				return Document{}, r.err
			}
			r.fill()
			continue
		}
		var d Document
		var ok bool
		switch r.mode {
		case modeTop:
			d, ok = r.top()
		case modeDoc:
			d, ok = r.document()
		case modeElem:
			d, ok = r.element()
		case modeSkipLine:
			r.skipLine()
		case modePayload:
			d, ok = r.payload()
		}
		if ok {
			return d, nil
		}
	}
}

// Line returns the line the Reader has reached.
func (r *Reader) Line() int { return r.line }

// fill reads the next piece: up to and including a newline, or what fits
// in the buffer. Every line therefore starts a piece.
func (r *Reader) fill() {
	if !r.started {
		r.started = true
		r.br = bufio.NewReaderSize(r.src, r.size)
		if magic, _ := r.br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
			zr, err := gzip.NewReader(r.br)
			if err != nil {
				r.err = gzipError(err)
				return
			}
			r.gzipped = true
			r.br = bufio.NewReaderSize(zr, r.size)
		}
		// UTF-16 is decoded, its mark dropped: a lone surrogate or an odd
		// last byte becomes U+FFFD. Only UTF-16 goes through the decoder,
		// which copies every byte; UTF-8 is read as it lies.
		if mark, _ := r.br.Peek(2); string(mark) == "\xff\xfe" || string(mark) == "\xfe\xff" {
			u := transform.NewReader(r.br, unicode.BOMOverride(transform.Nop))
			r.br = bufio.NewReaderSize(u, r.size)
		}
	}
	if r.giveBack() {
		return
	}
	if r.after != nil {
		r.piece, r.after = r.after, nil
		return
	}
	if r.mode == modeTop && !r.midLine {
		r.skipBlankLines()
	}
	piece, err := r.br.ReadSlice('\n')
	if r.piece = r.container(piece); r.broke {
		r.broke = false
		// A partial message ended unfinished before this line: its line
		// breaks come first, so that this line starts a line. An empty
		// after is not nil: nil says there is nothing after.
		r.after = r.piece
		if r.after == nil {
			r.after = []byte{}
		}
		r.giveBack()
	}
	switch {
	case err == nil, errors.Is(err, bufio.ErrBufferFull):
	case err == io.EOF:
		r.err = io.EOF
	case r.gzipped:
		r.err = gzipError(err)
	default:
		r.err = err
	}
}

// skipBlankLines passes over whole blank lines between documents in bulk:
// a file of nothing but line breaks would otherwise cost a piece each.
func (r *Reader) skipBlankLines() {
	for {
		if _, err := r.br.Peek(1); err != nil {
			return
		}
		b, _ := r.br.Peek(r.br.Buffered())
		end, lines := 0, 0
		for i, c := range b {
			if c == '\n' {
				end, lines = i+1, lines+1
			} else if jsontext.TopLevel(c) != jsontext.Blank {
				break
			}
		}
		if lines == 0 {
			return
		}
		r.br.Discard(end)
		r.line += lines
		r.atLineStart = true
		if end < len(b) {
			return
		}
	}
}

// container strips the CRI prefix (package cri) that a container runtime
// writes before every line of a container's output, from a piece that
// starts a line; and the line break of a partial line (tag P), which the
// next line continues. The line breaks so dropped are owed, and given back
// as blank lines after the line that ends the message, so that every line
// keeps its number.
func (r *Reader) container(piece []byte) []byte {
	lineStart := !r.midLine
	r.midLine = len(piece) == 0 || piece[len(piece)-1] != '\n'
	if lineStart {
		n, stderr, partial := cri.Prefix(piece)
		if r.held > 0 && (n == 0 || stderr != r.stderr) {
			// Not the line that continues the partial one: that message
			// ends unfinished here, and this line starts a line of its own.
			r.owed, r.held, r.broke = r.owed+r.held, 0, true
		}
		piece, r.partial, r.stderr, r.lineCRI = piece[n:], n > 0 && partial, stderr, n > 0
	}
	switch {
	case r.midLine:
	case r.partial:
		r.held++
		return piece[:len(piece)-1]
	default:
		r.owed, r.held = r.owed+r.held, 0
	}
	return piece
}

// giveBack makes the next piece line breaks that container owes, if any.
func (r *Reader) giveBack() bool {
	if r.owed == 0 {
		return false
	}
	k := min(r.owed, len(newlines))
	r.piece, r.owed = newlines[:k], r.owed-k
	return true
}

// newlines are the line breaks container gives back.
var newlines = []byte(strings.Repeat("\n", 4096))

// gzipError says that a read error came from the gzip stream: the
// decompressor's own errors do not always say so (a cut stream gives
// "unexpected EOF").
func gzipError(err error) error {
	if strings.HasPrefix(err.Error(), "gzip: ") {
		return err
	}
	return fmt.Errorf("gzip data corrupt or cut short: %w", err)
}

// newline notes that a line ends.
func (r *Reader) newline() {
	r.line++
	r.atLineStart = true
}

// top reads between documents, by the rule of jsontext.TopLevel.
func (r *Reader) top() (Document, bool) {
	p := r.piece
	for i := 0; i < len(p); i++ {
		c := p[i]
		top := jsontext.TopLevel(c)
		switch top {
		case jsontext.Blank:
			continue
		case jsontext.Newline:
			r.piece = p[i+1:]
			r.newline()
			return Document{}, false
		}
		// A byte order mark may begin any line: files concatenated whole
		// bring theirs along.
		lineStart := r.atLineStart && onlySpace(p[:i])
		if lineStart {
			if rest := jsontext.TrimBOM(p[i:]); len(rest) < len(p)-i {
				i = len(p) - len(rest) - 1
				continue
			}
		}
		if r.arrays == 0 {
			switch {
			case top == jsontext.NotJSON && lineStart && jsontext.IsPayload(p[i:]):
				r.mode, r.piece, r.atLineStart = modePayload, p[i:], false
				r.doc, r.docLine, r.docSize, r.oversize = r.doc[:0], r.line, 0, false
				return Document{}, false
			case top == jsontext.NotJSON:
				d := Document{Line: r.line, Problem: fmt.Sprintf("not JSON: %.60q", restOfLine(p[i:])), Skipped: true, Container: r.lineCRI}
				r.piece, r.atLineStart, r.mode = p[i:], false, modeSkipLine
				return d, true
			case c == '{':
				r.startDocument(p, i)
				return Document{}, false
			}
			// c is [: the documents are the array's elements.
			r.arrays, r.arrExpect, r.arrLine = 1, expValueOrClose, r.line
			continue
		}
		// Inside top-level arrays: elements and the commas between them.
		elem := r.arrExpect == expValue || r.arrExpect == expValueOrClose
		switch {
		case c == '{' && elem:
			r.startDocument(p, i)
			return Document{}, false
		case c == '[' && elem:
			r.arrays++
			r.arrExpect = expValueOrClose
			continue
		case c == ']' && r.arrExpect != expValue:
			r.arrays--
			r.arrExpect = expCommaOrClose
			continue
		case c == ',' && r.arrExpect == expCommaOrClose:
			r.arrExpect = expValue
			continue
		case (c == '"' || jsontext.IsScalarStart(c)) && elem:
			r.piece, r.atLineStart = p[i:], false
			r.mode, r.elemLine = modeElem, r.line
			r.inStr, r.esc, r.inScalar = false, false, false
			return Document{}, false
		}
		// Something no array can hold here: the array is abandoned.
		at := nextLine
		if lineStart {
			at = here
		}
		return r.broken(p, i, at, Document{Line: r.arrLine,
			Problem: fmt.Sprintf("JSON array broken at line %d: %.60q cannot follow", r.line, restOfLine(p[i:]))})
	}
	r.piece = nil
	return Document{}, false
}

func (r *Reader) startDocument(p []byte, i int) {
	r.mode = modeDoc
	r.piece, r.atLineStart = p[i:], false
	r.doc, r.docLine, r.docSize, r.oversize = r.doc[:0], r.line, 0, false
	r.depth, r.expect, r.inStr, r.esc, r.inScalar = 0, expValue, false, false, false
	r.cp = -1
}

// element skips an array element that is not an object, and reports it.
func (r *Reader) element() (Document, bool) {
	p := r.piece
	i := 0
	if !r.inStr && !r.inScalar {
		if p[0] == '"' {
			r.inStr = true
		} else {
			r.inScalar = true
		}
		i = 1
	}
	if r.inStr {
		switch i = r.stringEnd(p, i); {
		case i == len(p):
			r.piece = nil
			return Document{}, false
		case p[i] == '\n':
			return r.broken(p, i, atNewline, Document{Line: r.arrLine, Skipped: true,
				Problem: fmt.Sprintf("JSON array broken: a string is still open at the end of line %d", r.line)})
		}
		return r.elementEnd(p, i+1)
	}
	for ; i < len(p); i++ {
		if jsontext.IsDelimiter(p[i]) {
			return r.elementEnd(p, i)
		}
	}
	r.piece = nil
	return Document{}, false
}

func (r *Reader) elementEnd(p []byte, end int) (Document, bool) {
	r.piece, r.atLineStart = p[end:], false
	r.mode, r.inStr, r.inScalar = modeTop, false, false
	r.arrExpect = expCommaOrClose
	return Document{Line: r.elemLine, Problem: "array element is not a JSON object", Skipped: true}, true
}

// skipLine drops the rest of the line.
// payload reads a line of base64 gzip: the document is the line, which
// the audit package opens (a Firehose record of CloudWatch Logs events).
func (r *Reader) payload() (Document, bool) {
	p := r.piece
	end := bytes.IndexByte(p, '\n')
	if end < 0 {
		end = len(p)
	}
	r.docSize += int64(end)
	if r.docSize > r.maxDoc {
		r.oversize = true
	} else {
		r.doc = append(r.doc, p[:end]...)
	}
	if end == len(p) {
		r.piece = nil
		return Document{}, false
	}
	r.piece, r.mode = p[end+1:], modeTop
	d := Document{Text: bytes.TrimSuffix(r.doc, []byte("\r")), Line: r.docLine}
	if r.oversize {
		d = r.tooLarge()
	}
	r.newline()
	return d, true
}

func (r *Reader) skipLine() {
	if i := bytes.IndexByte(r.piece, '\n'); i >= 0 {
		r.piece = r.piece[i+1:]
		r.newline()
		r.mode = modeTop
		return
	}
	r.piece = nil
}

// document reads the document that starts, or goes on, in piece.
func (r *Reader) document() (Document, bool) {
	p := r.piece
	for i := 0; i < len(p); i++ {
		c := p[i]
		if r.inStr {
			if i = r.stringEnd(p, i); i == len(p) {
				break
			}
			if p[i] == '\n' {
				return r.cut(p, i, atNewline, fmt.Sprintf("JSON document cut short: a string is still open at the end of line %d", r.line))
			}
			r.inStr = false
			if r.strIsKey {
				r.expect = expColon
			} else {
				r.expect = expCommaOrClose
			}
			continue
		}
		if r.inScalar {
			if !jsontext.IsDelimiter(c) {
				continue
			}
			r.inScalar = false
			r.expect = expCommaOrClose
		}
		switch c {
		case ' ', '\t', '\r':
			continue
		case '\n':
			r.line++
			r.atLineStart = true
			continue
		}
		lineStart := r.atLineStart
		r.atLineStart = false
		if !r.fits(c) {
			if lineStart {
				return r.cut(p, i, here, fmt.Sprintf("JSON document cut short: line %d cannot continue it", r.line))
			}
			return r.cut(p, i, nextLine, fmt.Sprintf("JSON document broken at line %d by %.20q", r.line, restOfLine(p[i:])))
		}
		if lineStart {
			r.cp = -1 // the document went on past the checkpoint's line
			if (c == '{' || c == '[') && (r.expect == expValue || r.expect == expValueOrClose) && !r.oversize {
				r.cp, r.cpLine = r.docSize+int64(i), r.line
			}
		}
		switch c {
		case '{', '[':
			if r.depth >= MaxDepth {
				r.oversize = true // nothing of it is kept
				return r.cut(p, i, nextLine, fmt.Sprintf("JSON document nested deeper than %d levels; skipped", MaxDepth))
			}
			r.push(c == '{')
		case '}', ']':
			r.depth--
			if r.depth == 0 {
				return r.end(p, i+1)
			}
			r.expect = expCommaOrClose
		case ',':
			if r.object() {
				r.expect = expKey
			} else {
				r.expect = expValue
			}
		case ':':
			r.expect = expValue
		case '"':
			r.inStr = true
			r.strIsKey = r.expect == expKey || r.expect == expKeyOrClose
		default:
			r.inScalar = true
		}
	}
	r.keep(p)
	r.piece = nil
	return Document{}, false
}

// fits tells whether c, not blank and outside strings and scalars, may
// come next in the document.
func (r *Reader) fits(c byte) bool {
	switch r.expect {
	case expValue:
		return c == '{' || c == '[' || c == '"' || jsontext.IsScalarStart(c)
	case expValueOrClose:
		return c == '{' || c == '[' || c == '"' || c == ']' || jsontext.IsScalarStart(c)
	case expKey:
		return c == '"'
	case expKeyOrClose:
		return c == '"' || c == '}'
	case expColon:
		return c == ':'
	case expCommaOrClose:
		switch c {
		case ',':
			return true
		case '}':
			return r.object()
		case ']':
			return !r.object()
		}
	}
	return false
}

func (r *Reader) push(object bool) {
	if n := r.depth/64 + 1; len(r.kinds) < n {
		r.kinds = append(r.kinds, 0)
	}
	bit := uint64(1) << (r.depth % 64)
	if object {
		r.kinds[r.depth/64] |= bit
		r.expect = expKeyOrClose
	} else {
		r.kinds[r.depth/64] &^= bit
		r.expect = expValueOrClose
	}
	r.depth++
}

// object tells whether the innermost open container is an object.
func (r *Reader) object() bool {
	d := r.depth - 1
	return r.kinds[d/64]&(1<<(d%64)) != 0
}

// keep appends part of the document, unless it has grown too large to keep.
func (r *Reader) keep(b []byte) {
	r.docSize += int64(len(b))
	if r.oversize {
		return
	}
	if r.docSize > r.maxDoc {
		r.oversize, r.cp = true, -1
		r.doc = r.doc[:0]
		if cap(r.doc) > bufferSize {
			r.doc = nil // give the memory back
		}
		return
	}
	if need := len(r.doc) + len(b); need > cap(r.doc) {
		// Grow by doubling, but never past the limit: append's own growth
		// would overshoot it, and the garbage of each step counts too.
		grown := make([]byte, len(r.doc), min(max(2*cap(r.doc), need, 4<<10), int(r.maxDoc)))
		copy(grown, r.doc)
		r.doc = grown
	}
	r.doc = append(r.doc, b...)
}

// end returns the document that ends at piece[end].
func (r *Reader) end(p []byte, end int) (Document, bool) {
	r.piece, r.mode = p[end:], modeTop
	if r.arrays > 0 {
		r.arrExpect = expCommaOrClose
	}
	if r.docSize == 0 {
		// The whole document lies in the read buffer: no copy.
		r.docSize = int64(end)
		return Document{Text: p[:end], Line: r.docLine}, true
	}
	r.keep(p[:end])
	if r.oversize {
		return r.tooLarge(), true
	}
	return Document{Text: r.doc, Line: r.docLine}, true
}

func (r *Reader) tooLarge() Document {
	return Document{Line: r.docLine, Skipped: true,
		Problem: fmt.Sprintf("JSON document larger than the %d MiB limit; skipped", r.maxDoc>>20)}
}

// Where reading resumes after a break at piece[i], at the top level.
type resumption uint8

const (
	here      resumption = iota // at piece[i], the first character of its line
	atNewline                   // piece[i] is a newline: on the next line
	nextLine                    // after the rest of piece[i]'s line, which is skipped
)

// cut ends the document before piece[i] because of problem; the enclosing
// top-level arrays, if any, are abandoned.
func (r *Reader) cut(p []byte, i int, at resumption, problem string) (Document, bool) {
	r.keep(p[:i])
	if r.cp >= 0 && !r.oversize {
		r.rest = p[i:]
		return r.backtrack(), true
	}
	d := Document{Text: r.doc, Line: r.docLine, Problem: problem + "; read as far as it goes"}
	switch {
	case r.oversize && r.docSize > r.maxDoc:
		d = r.tooLarge()
	case r.oversize:
		d = Document{Line: r.docLine, Problem: problem, Skipped: true}
	}
	return r.broken(p, i, at, d)
}

// backtrack cuts the document at its checkpoint, which is read again.
func (r *Reader) backtrack() Document {
	r.replay = append(r.replay[:0], r.doc[r.cp:]...)
	d := Document{Text: r.doc[:r.cp], Line: r.docLine,
		Problem: fmt.Sprintf("JSON document cut short: line %d cannot continue it; read as far as it goes", r.cpLine)}
	r.arrays, r.cp = 0, -1
	r.inStr, r.esc, r.inScalar = false, false, false
	r.piece, r.line, r.atLineStart, r.mode = r.replay, r.cpLine, true, modeTop
	return d
}

// broken abandons the top-level arrays at piece[i] and returns d.
func (r *Reader) broken(p []byte, i int, at resumption, d Document) (Document, bool) {
	r.arrays = 0
	r.piece = p[i:]
	r.inStr, r.esc, r.inScalar = false, false, false
	switch at {
	case here:
		r.mode, r.atLineStart = modeTop, true
	case atNewline:
		r.mode = modeSkipLine
	case nextLine:
		r.mode, r.atLineStart = modeSkipLine, false
		d.Problem += fmt.Sprintf("; the rest of line %d is skipped", r.line)
		d.Skipped = d.Skipped || d.Text == nil
	}
	return d, true
}

// finish reports what the end of the input left open.
func (r *Reader) finish() (Document, bool) {
	switch {
	case r.mode == modeDoc && r.cp >= 0 && !r.oversize && r.err == io.EOF:
		return r.backtrack(), true
	case r.mode == modeDoc:
		r.mode = modeTop
		if r.oversize {
			d := r.tooLarge()
			d.Problem = "JSON document never ends (file cut short?); " + d.Problem
			return d, true
		}
		problem := "JSON document never ends (file cut short?); read as far as it goes"
		if r.err != io.EOF {
			problem = "JSON document cut short by a read error; read as far as it goes"
		}
		return Document{Text: r.doc, Line: r.docLine, Problem: problem}, true
	case r.mode == modePayload:
		r.mode = modeTop
		if r.oversize {
			return r.tooLarge(), true
		}
		return Document{Text: r.doc, Line: r.docLine}, true
	case r.mode == modeElem:
		r.mode = modeTop
		return Document{Line: r.elemLine, Problem: "array element is not a JSON object, and never ends", Skipped: true}, true
	case r.arrays > 0:
		r.arrays = 0
		return Document{Line: r.arrLine, Problem: "JSON array never ends (file cut short?)"}, true
	}
	return Document{}, false
}

func onlySpace(b []byte) bool {
	for _, c := range b {
		if jsontext.TopLevel(c) != jsontext.Blank {
			return false
		}
	}
	return true
}

// stringEnd passes over the contents of the string open at p[i]: it
// returns the offset of the closing quote, of a newline that finds the
// string still open (a raw newline can lie in no JSON string), or len(p)
// when p ends inside the string, r.esc then saying whether p ends with a
// backslash that escapes what comes next.
func (r *Reader) stringEnd(p []byte, i int) int {
	if r.esc {
		if p[i] == '\n' {
			return i
		}
		r.esc = false
		i++
	}
	// Keys and most values are short: a byte loop finds their end sooner
	// than a call to bytes.IndexByte would.
	short := min(len(p), i+16)
	for i < short && p[i] != '"' && p[i] != '\\' && p[i] != '\n' {
		i++
	}
	if i < short && p[i] != '\\' || i == len(p) {
		return i
	}
	// The newline is looked for in the string only: a line may hold many
	// documents.
	s := p[i:]
	end := jsontext.StringEnd(s)
	if end >= 0 {
		s = s[:end]
	}
	if nl := bytes.IndexByte(s, '\n'); nl >= 0 {
		return i + nl
	}
	if end >= 0 {
		return i + end
	}
	r.esc = jsontext.EndsInEscape(s)
	return len(p)
}

func restOfLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return bytes.TrimRight(b, "\r")
}
