package scan

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/kubefingerprint/kubefingerprint/internal/bysource"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked"
	"github.com/kubefingerprint/kubefingerprint/internal/detect"
	"github.com/kubefingerprint/kubefingerprint/internal/splunktime"
)

// A column of the command line's output.
type column struct {
	name   string
	list   bool // any number of values: a multivalue field, a list of samples
	time   bool // Splunk's _time, epoch seconds: RFC 3339 in a table
	number bool // a count: a JSON number
}

// rowColumns are detect.Fields as the command line prints them.
var rowColumns = func() []column {
	cols := make([]column, len(detect.Fields))
	for i, f := range detect.Fields {
		cols[i] = column{name: f.Name, list: f.List, time: f.Name == "_time"}
	}
	return cols
}()

// summaryColumns are bysource.Columns as the command line prints them.
var summaryColumns = func() []column {
	cols := make([]column, len(bysource.Columns))
	for i, c := range bysource.Columns {
		cols[i] = column{name: c.Name, list: c.List, time: c.Time, number: c.Number}
	}
	return cols
}()

// A record is one line of output: the values of each column.
type record [][]string

// rowRecord returns a row's values in the order of detect.Fields.
func rowRecord(r *detect.Row) record {
	rec := make(record, len(detect.Fields))
	for i, f := range detect.Fields {
		if f.List {
			rec[i] = many(f.Values(r))
		} else {
			rec[i] = one(f.Value(r))
		}
	}
	return rec
}

// maxValue is the most of one field a line of output holds, in bytes: a
// value, or a list's values together. A real API server takes at most
// 1 MiB of request headers, a user agent is rarely longer than a few
// hundred bytes, and a spreadsheet cell holds at most 32,767 characters;
// what is longer comes from a forged or corrupt file, and printing it whole
// would take memory many times its size (a 60 MB user agent of escape
// characters would become 2 GB of JSON). The detection always reads the
// whole value: this cuts only what is printed.
const maxValue = 32_000

// one returns a field's value; longer than maxValue, it is cut and ends
// in "…".
func one(v []byte) []string {
	if len(v) == 0 {
		return nil
	}
	if len(v) > maxValue {
		return []string{string(detect.Cut(v, maxValue)) + "…"}
	}
	return []string{string(v)}
}

// many returns a list's values, as many as fit in maxValue bytes (each
// counted with its separator, so empty values are bounded too); "…" as a
// last value says that more were left out, as in a summary's lists.
func many(vs [][]byte) []string {
	out := make([]string, 0, min(len(vs), 16))
	left := maxValue
	for _, v := range vs {
		if len(v)+1 > left {
			if len(out) == 0 { // one value longer than the whole budget
				out = append(out, string(detect.Cut(v, maxValue)))
			}
			return append(out, "…")
		}
		left -= len(v) + 1
		out = append(out, string(v))
	}
	return out
}

// A printer renders records for people, in one of three styles:
//
//   - table: columns aligned for a terminal, _time in RFC 3339 UTC, a list
//     comma-joined, "-" for nothing. The widths are those of the first
//     tableSample records (or tableSampleBytes of them), so the table
//     streams: a wider cell later pushes the rest of its line along;
//   - csv: one column per field, a list joined with newlines as Splunk's own
//     CSV export joins a multivalue field, for a spreadsheet: a cell that a
//     spreadsheet would run as a formula starts with ' (see defuse);
//   - json: one object per line, a list as an array, every value exact.
//
// What a client sent is attacker's text, and none of it reaches a terminal
// as anything but visible characters: in a table or CSV cell every
// character that is not printable (control characters, but also bidi
// overrides, zero-width and line-separator characters) is escaped as Go
// escapes it (\x1b, \u202e), so no value can move the cursor, recolour,
// reorder or hide a line, or start a forged one; JSON escapes the same
// characters as \uXXXX, which every JSON reader decodes back.
type printer struct {
	style string
	cols  []column
	out   io.Writer // where committed lines go
	spool spool     // the lines of the event being read, until it is committed

	started, startedCommitted bool // the header is out, or in the spool or held

	held      []record // table records waiting for the widths, the header first
	committed int      // how many of held are committed
	heldBytes int
	widths    []int

	line []byte // a line being rendered
	cell []byte // a CSV cell being written
}

// tableSample is how many records size the table's columns, tableSampleBytes
// the most of their cells held for it, and maxWidth the widest a column is
// made for them.
const (
	tableSample      = 100
	tableSampleBytes = 1 << 20
	maxWidth         = 48
)

// Row prints a row of the detection: the printer is the command line's
// detect.Sink.
func (p *printer) Row(r *detect.Row) { p.print(rowRecord(r)) }

// Commit sends the lines of the event out.
func (p *printer) Commit() {
	p.spool.commitTo(p.out)
	p.committed = len(p.held)
	p.startedCommitted = p.started
}

// Withdraw forgets the lines of the event.
func (p *printer) Withdraw() {
	p.spool.reset()
	p.held = p.held[:p.committed]
	p.started = p.startedCommitted
}

// print renders a record after the header, or holds it while the table's
// widths are not known.
func (p *printer) print(rec record) {
	if !p.started {
		p.started = true
		p.header()
	}
	switch p.style {
	case "table":
		cells := make(record, len(rec))
		for i, vs := range rec {
			cells[i] = []string{p.tableCell(p.cols[i], vs)}
			p.heldBytes += len(cells[i][0])
		}
		if p.widths != nil {
			p.line = p.tableLine(p.line[:0], cells)
			p.spool.write(p.line)
			return
		}
		p.held = append(p.held, cells)
		if len(p.held) > 1+tableSample || p.heldBytes > tableSampleBytes { // the header and tableSample records
			p.size()
		}
	case "csv":
		p.line = p.csvLine(p.line[:0], rec)
		p.spool.write(p.line)
	default:
		p.line = p.jsonLine(p.line[:0], rec)
		p.spool.write(p.line)
	}
}

func (p *printer) header() {
	switch p.style {
	case "table":
		h := make(record, len(p.cols))
		for i, c := range p.cols {
			h[i] = []string{c.name}
		}
		p.held = append(p.held, h)
	case "csv":
		line := p.line[:0]
		for i, c := range p.cols {
			if i > 0 {
				line = append(line, ',')
			}
			line = chunked.AppendField(line, []byte(c.name))
		}
		p.line = append(line, '\n')
		p.spool.write(p.line)
	}
}

func (p *printer) csvLine(dst []byte, rec record) []byte {
	for i, vs := range rec {
		if i > 0 {
			dst = append(dst, ',')
		}
		cell := p.cell[:0]
		for j, v := range vs {
			if j > 0 {
				cell = append(cell, '\n')
			}
			cell = appendCell(cell, v)
		}
		p.cell = cell
		if _, ok := splunktime.Parse(cell); !ok || !p.cols[i].time {
			cell = defuse(cell) // a time before 1970 starts with - and is no formula
		}
		dst = chunked.AppendField(dst, cell)
	}
	return append(dst, '\n')
}

func (p *printer) jsonLine(dst []byte, rec record) []byte {
	dst = append(dst, '{')
	for i, vs := range rec {
		c := p.cols[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, c.name)
		dst = append(dst, ':')
		switch {
		case c.list:
			dst = append(dst, '[')
			for j, v := range vs {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = appendJSONString(dst, v)
			}
			dst = append(dst, ']')
		case c.number && len(vs) == 1 && isNumber(vs[0]):
			dst = append(dst, vs[0]...)
		default:
			dst = appendJSONString(dst, strings.Join(vs, ""))
		}
	}
	return append(dst, "}\n"...)
}

// size fixes the table's widths from the records held, and prints them:
// the committed ones out, the rest of the event into the spool.
func (p *printer) size() {
	p.widths = make([]int, len(p.cols))
	for _, rec := range p.held {
		for i, cell := range rec {
			p.widths[i] = min(max(p.widths[i], utf8.RuneCountInString(cell[0])), maxWidth)
		}
	}
	for i, rec := range p.held {
		p.line = p.tableLine(p.line[:0], rec)
		if i < p.committed {
			p.out.Write(p.line)
		} else {
			p.spool.write(p.line)
		}
	}
	p.held, p.committed = nil, 0
}

// finish prints what the table still holds, once every row is committed.
// With no rows, a table or CSV is its header alone, so that a pipeline
// can tell no rows from no output. JSON lines have no header: their empty
// document is no line at all.
func (p *printer) finish() {
	if !p.started && p.style != "json" {
		p.started = true
		p.header()
		p.Commit()
	}
	if p.style == "table" && p.widths == nil && len(p.held) > 0 {
		p.size()
	}
}

func (p *printer) tableLine(dst []byte, cells record) []byte {
	pad := 0 // how far the line runs past where the cell should start
	for i, cell := range cells {
		if i > 0 {
			dst = append(dst, "  "...)
		}
		dst = append(dst, cell[0]...)
		if i == len(cells)-1 {
			break
		}
		n := utf8.RuneCountInString(cell[0]) + pad
		pad = max(n-p.widths[i], 0)
		for ; n < p.widths[i]; n++ {
			dst = append(dst, ' ')
		}
	}
	return append(dst, '\n')
}

// tableCell renders values for a terminal: no control character of an
// attacker's choosing reaches it.
func (p *printer) tableCell(c column, vs []string) string {
	if len(vs) == 0 {
		return "-"
	}
	if c.time && len(vs) == 1 {
		return splunktime.RFC3339(vs[0])
	}
	var b []byte
	for i, v := range vs {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendCell(b, v)
	}
	return string(b)
}

// appendCell writes v with every character that is not printable escaped
// as Go escapes it (\x1b, \u009b, \u202e), so that none reaches a
// terminal, and invalid UTF-8 replaced.
func appendCell(dst []byte, v string) []byte {
	for len(v) > 0 {
		i := 0 // the common case: a run of printable ASCII, copied as it is
		for i < len(v) && v[i] >= ' ' && v[i] < 0x7f {
			i++
		}
		dst, v = append(dst, v[:i]...), v[i:]
		if len(v) == 0 {
			break
		}
		r, n := utf8.DecodeRuneInString(v)
		switch {
		case r == utf8.RuneError && n == 1:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		case !strconv.IsPrint(r): // the ASCII space is printable; every other space is not
			q := strconv.QuoteRune(r)
			dst = append(dst, q[1:len(q)-1]...)
		default:
			dst = append(dst, v[:n]...)
		}
		v = v[n:]
	}
	return dst
}

// defuse keeps a spreadsheet from running a CSV cell as a formula: a cell
// that starts with =, +, - or @ (or their full-width forms, which some
// spreadsheets take for them) gets a leading ', which spreadsheets show as
// text and do not run (OWASP's advice on CSV injection). Tab and carriage
// return, which OWASP lists too, are already escaped. The value then
// differs from the log by that quote; --format json prints it exactly.
func defuse(cell []byte) []byte {
	r, _ := utf8.DecodeRune(cell)
	switch r {
	case '=', '+', '-', '@', '＝', '＋', '－', '＠':
		return append([]byte{'\''}, cell...)
	}
	return cell
}

// isNumber tells a count or a score (digits, then perhaps a point and
// digits) from a lower bound such as 100000+, which stays a string.
func isNumber(s string) bool {
	point := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '.' && !point && i > 0 && i < len(s)-1:
			point = true
		case s[i] < '0' || s[i] > '9':
			return false
		}
	}
	return s != ""
}

// appendJSONString writes s as a JSON string: exact, with invalid UTF-8
// replaced, and every character that is not printable written as a \u
// escape, so that a JSON line shown in a terminal is as safe as a table.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, `\ufffd`...)
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == '\n':
			dst = append(dst, `\n`...)
		case r == '\t':
			dst = append(dst, `\t`...)
		case r == '\r':
			dst = append(dst, `\r`...)
		case !strconv.IsPrint(r):
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				dst = appendU(appendU(dst, r1), r2)
			} else {
				dst = appendU(dst, r)
			}
		default:
			dst = append(dst, s[:n]...)
		}
		s = s[n:]
	}
	return append(dst, '"')
}

// appendU writes \uXXXX.
func appendU(dst []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	return append(dst, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
}
