package command

import (
	"fmt"
	"strconv"
	"time"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked"
)

// Columns are the fields of every row. The original detection's table
// comes first, named as spath names them; the fingerprint fields follow:
// where (cluster, src_ip), who (user, user.groups{}), what (the code, the
// scanner the user agent names) and the audit event's own identity.
var Columns = []string{
	"_time", "sourceIPs{}", "userAgent", "verb", "requestURI", "responseStatus.reason",
	"cluster", "src_ip", "user", "responseStatus.code", "scanner", "auditID", "stage", "user.groups{}",
}

// AllowlistedColumn is added after Columns with filter=show: where the row
// would have been suppressed, as <file>:<line>, or empty.
const AllowlistedColumn = "allowlisted"

// A Row is one reported audit event. Its slices are valid only while a
// format renders it.
type Row struct {
	Time        []byte // Splunk's _time, else the event's time as epoch seconds
	Event       *audit.Event
	Scanner     []byte // the tool the user agent names, from the scanner lookups
	Allowlisted []byte // with filter=show, the <file>:<line> of the row that covers it
	ChunkedIdx  []byte // splunkd's _chunked_idx, echoed back; nil when absent
}

// A format renders rows: as a chunk body for splunkd, or as a table, CSV or
// JSON lines on the command line.
type format interface {
	header(dst []byte) []byte
	row(dst []byte, r *Row) []byte
}

// Stats count what one process saw.
type Stats struct {
	Read       int // events read
	Emitted    int // rows written
	Skipped    int // events whose audit data is not JSON, or that may match but cannot be read
	Panics     int // events whose processing panicked, also counted in Skipped
	Suppressed []int
}

// A detection is the scan-fingerprint detection proper: events in, rows out,
// shared by the search command and the command line so both give the same
// rows.
type detection struct {
	x       *audit.Extractor
	allow   *allowlists
	format  format
	out     []byte // rendered rows not yet taken
	started bool   // out has its header
	stats   Stats
	row     Row
	timeBf  []byte
	whereBf []byte // the allowlisted value of the current row
	emitCB  func(*audit.Event)
	tag     func(userAgent []byte) []byte // the scanner tag; nil tags nothing
}

func newDetection(opts Options, allow *allowlists, f format) *detection {
	d := &detection{x: audit.NewExtractor(opts.Codes, opts.Anonymous), allow: allow, format: f}
	d.stats.Suppressed = make([]int, allow.len())
	d.emitCB = d.emit
	return d
}

// A source is one Splunk event, or one document of a file, as the
// detection meets it. Where its audit data lies, and in which shape, is
// the audit package's decision alone (audit.Extractor.Read).
type source struct {
	mayMatch   bool // the audit data may hold a matching event; else it is not read
	notJSON    bool // the audit data is not JSON at all, so the event is counted as skipped
	time       []byte
	chunkedIdx []byte
	data       audit.Source
}

// event runs the detection on one Splunk event. A panic inside it, which no
// input should cause, costs that event only: its partial rows are withdrawn
// and it is counted as skipped.
func (d *detection) event(src *source) {
	if !src.mayMatch {
		d.drop(src.notJSON)
		return
	}
	d.stats.Read++
	d.row.Time, d.row.ChunkedIdx = src.time, src.chunkedIdx
	mark, started, emitted := len(d.out), d.started, d.stats.Emitted
	defer func() {
		if recover() != nil {
			d.out, d.started, d.stats.Emitted = d.out[:mark], started, emitted
			d.stats.Skipped++
			d.stats.Panics++
		}
	}()
	if d.x.Read(src.data, d.emitCB) != nil {
		d.stats.Skipped++
	}
}

// drop counts an event that cannot match: read, and skipped if its audit
// data is not JSON at all.
func (d *detection) drop(notJSON bool) {
	d.stats.Read++
	if notJSON {
		d.stats.Skipped++
	}
}

func (d *detection) emit(ev *audit.Event) {
	d.row.Allowlisted = nil
	if i, line := d.allow.suppress(ev); i >= 0 {
		d.stats.Suppressed[i]++
		if !d.allow.show {
			return
		}
		// filter=show: the row stays, marked with the row that covers it.
		d.whereBf = d.allow.appendWhere(d.whereBf[:0], i, line)
		d.row.Allowlisted = d.whereBf
	}
	d.row.Event = ev
	d.row.Scanner = nil
	if d.tag != nil {
		d.row.Scanner = d.tag(ev.UserAgent)
	}
	time := d.row.Time
	if len(time) == 0 {
		d.timeBf = appendEpoch(d.timeBf[:0], ev.Time)
		d.row.Time = d.timeBf
	}
	if !d.started {
		d.out = d.format.header(d.out)
		d.started = true
	}
	d.out = d.format.row(d.out, &d.row)
	d.row.Time = time
	d.stats.Emitted++
}

// take returns the rows rendered so far and forgets them. With newHeader
// the next row starts a new header, as every chunk body needs one.
func (d *detection) take(newHeader bool) []byte {
	out := d.out
	d.out = d.out[:0]
	if newHeader {
		d.started = false
	}
	return out
}

// appendEpoch renders an RFC 3339 timestamp as Splunk's _time, epoch seconds
// with microseconds; a value that is no timestamp gives nothing.
func appendEpoch(dst, ts []byte) []byte {
	t, err := time.Parse(time.RFC3339Nano, string(ts))
	if err != nil {
		return dst
	}
	// Sign and magnitude, so that 4.5 s before 1970 is -4.500000, not the
	// -5.500000 of whole seconds floored plus a positive fraction.
	us := t.UnixMicro()
	if us < 0 {
		dst, us = append(dst, '-'), -us
	}
	dst = strconv.AppendInt(dst, us/1e6, 10)
	return fmt.Appendf(dst, ".%06d", us%1e6)
}

// summary is the closing INFO message.
func (d *detection) summary() string {
	s := fmt.Sprintf("kubefingerprint: events read: %d, rows emitted: %d, events skipped as unparsable: %d",
		d.stats.Read, d.stats.Emitted, d.stats.Skipped)
	if d.stats.Panics > 0 {
		s += fmt.Sprintf(" (%d of them by an internal error)", d.stats.Panics)
	}
	return s + d.allow.summary(d.stats.Suppressed)
}

// chunkCSV renders rows as a chunk body: the columns of Columns, the
// multivalue companion of sourceIPs{} and, when splunkd sent one,
// _chunked_idx. The command line's csv format is the same without it.
type chunkCSV struct {
	withIdx     bool
	allowlisted bool // filter=show: the allowlisted column follows Columns
	scratch     []byte
}

func (c *chunkCSV) header(dst []byte) []byte {
	for i, col := range Columns {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, col...)
	}
	if c.allowlisted {
		dst = append(append(dst, ','), AllowlistedColumn...)
	}
	dst = append(dst, ",__mv_sourceIPs{},__mv_user.groups{}"...)
	if c.withIdx {
		dst = append(dst, ",_chunked_idx"...)
	}
	return append(dst, '\n')
}

func (c *chunkCSV) row(dst []byte, r *Row) []byte {
	ev := r.Event
	dst = chunked.AppendField(dst, r.Time)
	c.scratch = chunked.AppendJoined(c.scratch[:0], ev.SourceIPs)
	dst = appendCSVText(append(dst, ','), c.scratch)
	for _, v := range [...][]byte{ev.UserAgent, ev.Verb, ev.RequestURI, ev.Reason,
		ev.Cluster, ev.SrcIP(), ev.User, ev.CodeText, r.Scanner, ev.AuditID, ev.Stage} {
		dst = appendCSVText(append(dst, ','), v)
	}
	c.scratch = chunked.AppendJoined(c.scratch[:0], ev.Groups)
	dst = appendCSVText(append(dst, ','), c.scratch)
	if c.allowlisted {
		dst = appendCSVText(append(dst, ','), r.Allowlisted)
	}
	c.scratch = chunked.AppendMV(c.scratch[:0], ev.SourceIPs)
	dst = appendCSVText(append(dst, ','), c.scratch)
	c.scratch = chunked.AppendMV(c.scratch[:0], ev.Groups)
	dst = appendCSVText(append(dst, ','), c.scratch)
	if c.withIdx {
		dst = chunked.AppendField(append(dst, ','), r.ChunkedIdx)
	}
	return append(dst, '\n')
}

// appendCSVText writes v as a CSV field of valid UTF-8: splunkd reads
// bodies as UTF-8, and an audit log holds whatever a client sent.
func appendCSVText(dst, v []byte) []byte {
	return chunked.AppendText(dst, v)
}
