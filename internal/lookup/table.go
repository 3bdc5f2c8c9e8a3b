package lookup

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/kubefingerprint/kubefingerprint/internal/jsontext"
)

// A Table is what could be read of one lookup file: its header and every
// row that has one cell per column. Cells are trimmed of surrounding
// spaces; blank rows are left out.
type Table struct {
	Name       string
	HeaderLine int
	Header     []string
	Rows       []Row
}

// A Row is one row of a lookup and the line of the file on which it starts.
type Row struct {
	Line  int
	Cells []string
}

// Parse reads a lookup's content, as ReadFile returns it (or as shipped in
// the binary), named name in warnings. A row that cannot be read (a bare or
// unclosed quote, the wrong number of cells) is reported and skipped, and
// the rows after it are read as if it were not there. Past MaxBytes or
// MaxRows the rest is reported and left out. The error, a *RefusedError,
// is only for content that cannot be a lookup at all: binary data, or a
// header that cannot be read.
func Parse(name string, data []byte, w *Warnings) (*Table, error) {
	t := &Table{Name: name}
	cut := len(data) > MaxBytes
	if cut {
		data = data[:MaxBytes]
	}
	data, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	if cut {
		// The last line is cut short: leave it out, whatever ends lines
		// (a classic Mac file has no \n), in the text once decoded (a
		// UTF-16 character can hold the byte of a \n). A cut row is never
		// read: its last cell would say less than was written, and
		// 10.0.0.0/24 cut to 10.0.0.0/2 hides a quarter of all addresses.
		data = data[:bytes.LastIndexAny(data, "\r\n")+1]
	}
	p := parser{s: string(data), line: 1}

	for {
		line, cells, why, ok := p.next()
		if !ok {
			if cut {
				cutShort(w, name, p.line)
			}
			return t, nil // empty: no header, no rows
		}
		if why != "" {
			return nil, refuse(name, "its header (line %d) cannot be read: %s", line, why)
		}
		if blank(cells) {
			continue
		}
		t.HeaderLine, t.Header = line, append([]string(nil), cells...)
		break
	}

	read := 0
	for {
		line, cells, why, ok := p.next()
		if !ok {
			break
		}
		if why != "" {
			w.Add("%s line %d: %s; row ignored", name, line, why)
			continue
		}
		if blank(cells) {
			continue
		}
		if read == MaxRows {
			w.AddFile("%s has more than %d rows: rows from line %d on are not applied", name, MaxRows, line)
			return t, nil
		}
		read++
		if len(cells) != len(t.Header) {
			w.Add("%s line %d: %d cells where the header has %d; row ignored", name, line, len(cells), len(t.Header))
			continue
		}
		t.Rows = append(t.Rows, Row{Line: line, Cells: append([]string(nil), cells...)})
	}
	if cut {
		cutShort(w, name, p.line)
	}
	return t, nil
}

// cutShort says that a lookup past MaxBytes applies up to line.
func cutShort(w *Warnings, name string, line int) {
	w.AddFile("%s is larger than %d MiB: rows from line %d on are not applied", name, MaxBytes>>20, line)
}

// decode gives UTF-8 text with no byte order mark: spreadsheets and
// PowerShell write one, UTF-16 included (a lone surrogate or an odd last
// byte becomes U+FFFD). Anything else with a NUL byte is not text.
func decode(name string, data []byte) ([]byte, error) {
	if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
		data, _, _ = transform.Bytes(unicode.BOMOverride(transform.Nop), data)
	}
	// A file saved twice with a mark, or UTF-16 holding one, has another.
	for bytes.HasPrefix(data, []byte(jsontext.BOM)) {
		data = data[len(jsontext.BOM):]
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, refuse(name, "it holds binary content, not CSV text")
	}
	if bytes.IndexByte(data, '\n') < 0 && bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n")) // classic Mac line ends
	}
	return data, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

// Columns maps the header onto the columns a kind of lookup knows: for
// each known column, the position of its cell in a row, or -1 when the
// file has no such column, which then matches anything. Header names are
// compared without regard to ASCII case. A column named twice refuses the
// file: which of its cells was meant is a guess, and a wrong guess widens
// rows.
//
// A named column the lookup does not know (src_ip, sourceIPs{}, expiry, a
// header behind a second byte order mark) was most likely meant to
// restrict its rows, and ignoring it would widen them: a row written for
// one address would hide its user agent from every address, and a row
// meant to expire would never do so. So the rows that fill such a column
// are left out of t.Rows, with one warning per column; a column without a
// name, or that no row fills, is only reported.
func (t *Table) Columns(known []string, w *Warnings) ([]int, error) {
	pos := make([]int, len(known))
	for i := range pos {
		pos[i] = -1
	}
	var unknown []int
	for i, h := range t.Header {
		k := -1
		for j, name := range known {
			if strings.EqualFold(h, name) && isASCII(h) {
				k = j
			}
		}
		switch {
		case k < 0:
			unknown = append(unknown, i)
		case pos[k] >= 0:
			return nil, refuse(t.Name, "column %s is named twice in its header (line %d, columns %d and %d)", known[k], t.HeaderLine, pos[k]+1, i+1)
		default:
			pos[k] = i
		}
	}
	for _, i := range unknown {
		h := t.Header[i]
		var left []int
		if h != "" {
			kept := t.Rows[:0]
			for _, r := range t.Rows {
				if r.Cells[i] != "" {
					left = append(left, r.Line)
					continue
				}
				kept = append(kept, r)
			}
			t.Rows = kept
		}
		if len(left) == 0 {
			w.Add("%s line %d: unknown column %s ignored; columns are %s", t.Name, t.HeaderLine, Quote(h), strings.Join(known, ", "))
			continue
		}
		w.Add("%s line %d: unknown column %s; the %d rows that fill it are left out, since ignoring it would widen them (lines %s): rename it to one of %s, or move notes to comment",
			t.Name, t.HeaderLine, Quote(h), len(left), Lines(left), strings.Join(known, ", "))
	}
	return pos, nil
}

// Lines lists line numbers for a warning: the first ten, then how many more.
func Lines(ns []int) string {
	var b strings.Builder
	for i, n := range ns {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == 10 {
			fmt.Fprintf(&b, "and %d more", len(ns)-10)
			break
		}
		fmt.Fprint(&b, n)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Quote renders a value for a warning: quoted, at most 60 characters.
func Quote(v string) string {
	if len(v) > 60 {
		return fmt.Sprintf("%.60q...", v)
	}
	return fmt.Sprintf("%q", v)
}

// parser splits CSV text (RFC 4180) into records, and on a record it
// cannot read gives up that record's first line only.
type parser struct {
	s     string
	pos   int
	line  int // the line at pos
	cells []string
}

// next reads the record at pos: the line it starts on, its cells, trimmed
// (valid until the next call), or why it cannot be read. ok is false at
// the end of the text.
func (p *parser) next() (line int, cells []string, why string, ok bool) {
	s := p.s
	if p.pos >= len(s) {
		return 0, nil, "", false
	}
	line, start := p.line, p.pos
	p.cells = p.cells[:0]
	// fail gives up the record, resuming on the line after from, the
	// place (on line fromLine) where reading it went wrong. Up to there
	// its quotes were read as quotes, so text inside a closed quote (a
	// comment over several lines) is never read as rows; a quote never
	// closed has no such place, and costs its first line only.
	fail := func(from, fromLine int, w string) (int, []string, string, bool) {
		if nl := strings.IndexByte(s[from:], '\n'); nl >= 0 {
			p.pos, p.line = from+nl+1, fromLine+1
		} else {
			p.pos = len(s)
		}
		return line, nil, w, true
	}
	i := p.pos
	for {
		j := skipBlanks(s, i)
		if j < len(s) && s[j] == '"' {
			val, end, ok := quoted(s, j+1)
			if !ok {
				return fail(start, line, "a quote that is never closed")
			}
			p.line += strings.Count(s[j:end], "\n")
			p.cells = append(p.cells, val)
			i = skipBlanks(s, end)
		} else {
			k := i
			for k < len(s) && s[k] != ',' && s[k] != '\n' {
				if s[k] == '"' {
					return fail(k, p.line, `a quote inside a cell that does not start with one (quote the whole cell and double the quote: "a""b")`)
				}
				k++
			}
			p.cells = append(p.cells, strings.TrimSpace(s[i:k]))
			i = k
		}
		switch {
		case i >= len(s):
			p.pos = len(s)
			return line, p.cells, "", true
		case s[i] == ',':
			i++
		case s[i] == '\n':
			p.pos, p.line = i+1, p.line+1
			return line, p.cells, "", true
		case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
			p.pos, p.line = i+2, p.line+1
			return line, p.cells, "", true
		default:
			return fail(i, p.line, "text after a closing quote")
		}
	}
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// quoted reads a quoted cell whose text starts at i: its value with
// doubled quotes undone, and where the text after the closing quote starts.
func quoted(s string, i int) (val string, end int, ok bool) {
	var b []byte
	from := i
	for {
		q := strings.IndexByte(s[i:], '"')
		if q < 0 {
			return "", 0, false
		}
		q += i
		if q+1 < len(s) && s[q+1] == '"' {
			b = append(b, s[from:q+1]...)
			i = q + 2
			from = i
			continue
		}
		if b == nil {
			return strings.TrimSpace(s[from:q]), q + 1, true
		}
		return strings.TrimSpace(string(append(b, s[from:q]...))), q + 1, true
	}
}

// MaxWarnings is how many lookup warnings of each kind (about a whole
// file, about a row or column) one run reports in full.
const MaxWarnings = 20

// Warnings collects what one run has to say about its lookups: the first
// MaxWarnings messages of each kind, and a count of the rest, so that a
// lookup of a million bad rows makes one short message list, not a 100 MB
// reply.
//
// A warning about a whole file (left out, cut short, kept private) says
// what the run does not apply at all, so those come first and row
// warnings never push them out of the list.
type Warnings struct {
	files, rows []string
	extra       int
}

// Add records a warning about part of a lookup: a row, a column.
func (w *Warnings) Add(format string, a ...any) { w.rows = w.add(w.rows, format, a) }

// AddFile records a warning about a whole lookup.
func (w *Warnings) AddFile(format string, a ...any) { w.files = w.add(w.files, format, a) }

func (w *Warnings) add(msgs []string, format string, a []any) []string {
	if len(msgs) < MaxWarnings {
		return append(msgs, fmt.Sprintf(format, a...))
	}
	w.extra++
	return msgs
}

// Messages are the warnings kept, those about whole files first, then how
// many more there were.
func (w *Warnings) Messages() []string {
	msgs := append(w.files[:len(w.files):len(w.files)], w.rows...)
	if w.extra > 0 {
		msgs = append(msgs, fmt.Sprintf("and %d more lookup warnings not shown", w.extra))
	}
	return msgs
}
