package command

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked"
)

// A column of the command line's output.
type column struct {
	name   string
	list   bool // any number of values: a multivalue field, a list of samples
	time   bool // Splunk's _time, epoch seconds: RFC 3339 in a table
	number bool // a count: a JSON number
}

// rowColumns are the columns of Columns as the command line prints them.
var rowColumns = func() []column {
	cols := make([]column, len(Columns))
	for i, name := range Columns {
		cols[i] = column{name: name, list: strings.HasSuffix(name, "{}"), time: name == "_time"}
	}
	return cols
}()

// A record is one line of output: the values of each column.
type record [][]string

// rowRecord returns a row's values in the order of Columns.
func rowRecord(r *Row) record {
	ev := r.Event
	return record{one(r.Time), many(ev.SourceIPs), one(ev.UserAgent), one(ev.Verb), one(ev.RequestURI),
		one(ev.Reason), one(ev.Cluster), one(ev.SrcIP()), one(ev.User), one(ev.CodeText), one(r.Scanner),
		one(ev.AuditID), one(ev.Stage), many(ev.Groups)}
}

func one(v []byte) []string {
	if len(v) == 0 {
		return nil
	}
	return []string{string(v)}
}

func many(vs [][]byte) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, string(v))
	}
	return out
}

// rowFormat prints rows on the command line.
type rowFormat struct{ p *printer }

func (f rowFormat) header(dst []byte) []byte      { return f.p.header(dst) }
func (f rowFormat) row(dst []byte, r *Row) []byte { return f.p.record(dst, rowRecord(r)) }
func (f rowFormat) finish(dst []byte) []byte      { return f.p.finish(dst) }

// A printer renders records for people, in one of three styles:
//
//   - table: columns aligned for a terminal, _time in RFC 3339 UTC, a list
//     comma-joined, control characters escaped, "-" for nothing. The widths
//     are those of the first tableSample records, so the table streams: a
//     wider cell later pushes the rest of its line along;
//   - csv: one column per field, a list joined with newlines as Splunk's own
//     CSV export joins a multivalue field;
//   - json: one object per line, a list as an array.
type printer struct {
	style  string
	cols   []column
	held   []record // table records waiting for the widths, the header first
	widths []int
}

// tableSample is how many records size the table's columns, and maxWidth
// the widest a column is made for them.
const (
	tableSample = 100
	maxWidth    = 48
)

func (p *printer) header(dst []byte) []byte {
	switch p.style {
	case "table":
		h := make(record, len(p.cols))
		for i, c := range p.cols {
			h[i] = []string{c.name}
		}
		p.held = append(p.held, h)
	case "csv":
		for i, c := range p.cols {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = chunked.AppendField(dst, []byte(c.name))
		}
		dst = append(dst, '\n')
	}
	return dst
}

func (p *printer) record(dst []byte, rec record) []byte {
	switch p.style {
	case "table":
		cells := make(record, len(rec))
		for i, vs := range rec {
			cells[i] = []string{p.tableCell(p.cols[i], vs)}
		}
		if p.widths != nil {
			return p.tableLine(dst, cells)
		}
		p.held = append(p.held, cells)
		if len(p.held) > 1+tableSample { // the header and tableSample records
			dst = p.finish(dst)
		}
		return dst
	case "csv":
		for i, vs := range rec {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = chunked.AppendField(dst, []byte(strings.ToValidUTF8(strings.Join(vs, "\n"), "\uFFFD")))
		}
		return append(dst, '\n')
	}
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
		case c.number && len(vs) == 1 && isDigits(vs[0]):
			dst = append(dst, vs[0]...)
		default:
			dst = appendJSONString(dst, strings.Join(vs, ""))
		}
	}
	return append(dst, "}\n"...)
}

// finish prints the table records held back: the widths are now known.
func (p *printer) finish(dst []byte) []byte {
	if p.style != "table" || p.widths != nil {
		return dst
	}
	p.widths = make([]int, len(p.cols))
	for _, rec := range p.held {
		for i, cell := range rec {
			p.widths[i] = min(max(p.widths[i], utf8.RuneCountInString(cell[0])), maxWidth)
		}
	}
	for _, rec := range p.held {
		dst = p.tableLine(dst, rec)
	}
	p.held = nil
	return dst
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
		return rfc3339(vs[0])
	}
	var b []byte
	for i, v := range vs {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendCell(b, []byte(v))
	}
	return string(b)
}

// appendCell writes v with its control characters escaped as Go escapes
// them (\x1b, \u009b), so that none reaches the terminal, and invalid
// UTF-8 replaced.
func appendCell(dst, v []byte) []byte {
	for len(v) > 0 {
		r, n := utf8.DecodeRune(v)
		switch {
		case r == utf8.RuneError && n == 1:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		case r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0):
			q := strconv.QuoteRune(r)
			dst = append(dst, q[1:len(q)-1]...)
		default:
			dst = append(dst, v[:n]...)
		}
		v = v[n:]
	}
	return dst
}

// rfc3339 renders Splunk's _time, epoch seconds with a fraction, as an
// RFC 3339 time in UTC; anything else is returned as it is.
func rfc3339(epoch string) string {
	sec, frac, _ := strings.Cut(epoch, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || len(frac) > 9 || !isDigits(frac+"0") {
		return epoch
	}
	ns, _ := strconv.Atoi((frac + "000000000")[:9])
	return time.Unix(s, int64(ns)).UTC().Format(time.RFC3339Nano)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func appendJSONString(dst []byte, s string) []byte {
	b, err := json.Marshal(s) // invalid UTF-8 becomes U+FFFD
	if err != nil {
		panic(fmt.Sprintf("marshalling a string: %v", err)) // cannot happen
	}
	return append(dst, b...)
}
