// Package detect is the scan-fingerprint detection itself, the part the
// search command and the command line share: which events are reported
// (Options), what a reported row holds (Row and its one table of Fields),
// the allowlists that suppress rows, and the one way rows leave (a Sink).
// Both front ends hand it events and get the same rows for the same events.
package detect

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/splunktime"
)

// A Sink takes the rows of the detection, event by event. The rows of one
// event are final only at Commit: an event whose handling failed half way
// is withdrawn, and none of its rows may reach any output.
type Sink interface {
	// Row takes one row; its slices are valid only during the call.
	Row(r *Row)
	// Commit makes the rows since the last Commit or Withdraw final.
	Commit()
	// Withdraw forgets the rows since the last Commit or Withdraw.
	Withdraw()
}

// stats count what one run saw.
type stats struct {
	Read       int // events read
	Emitted    int // rows taken by the sink and committed
	Skipped    int // events whose audit data is not JSON, or that may match but cannot be read
	Damaged    int // events read as far as they go, part of them cut off (TRUNCATE, a file cut short)
	CutRows    int // rows of audit events cut before their code
	Other      int // Cloud Audit Log entries of other services than k8s.io
	Health     int // health checks of unauthenticated callers left out (Options.Health)
	Suppressed []int
	Why        [numReasons]int // Skipped by reason
}

// Why events are skipped, as the closing message says it.
type reason int

const (
	reasonNotJSON reason = iota
	reasonNoField
	reasonUnreadable
	reasonCut
	reasonNotAudit
	reasonPayload
	reasonInternal
	numReasons
)

var reasons = [numReasons]string{
	reasonNotJSON:    "not JSON (klog text, or not audit data)",
	reasonNoField:    "without the field that holds the audit data",
	reasonUnreadable: "not readable as a record",
	reasonCut:        "cut short or malformed before responseStatus.code",
	reasonNotAudit:   "JSON but no Kubernetes audit event",
	reasonPayload:    "base64 gzip payload (Firehose) damaged or cut short",
	reasonInternal:   "by an internal error",
}

func (d *Detection) skip(r reason) {
	d.stats.Skipped++
	d.stats.Why[r]++
}

// A Skip says whether and why an event was skipped, or that it was read
// as far as it goes, its later audit events cut off.
type Skip struct {
	r       reason
	set     bool
	damaged bool
}

// Damaged reports whether the event held several audit events and was cut
// short after those read (counted in the closing message).
func (s Skip) Damaged() bool { return s.damaged }

// Skipped reports whether the event was skipped.
func (s Skip) Skipped() bool { return s.set }

// String is why, as the closing message says it.
func (s Skip) String() string {
	if !s.set {
		return ""
	}
	return reasons[s.r]
}

// Lost reports whether audit data may have been lost: every skip but that
// of data that is no audit event at all, such as the klog text of another
// category of the same diagnostic setting.
func (s Skip) Lost() bool { return s.set && s.r != reasonNotJSON }

// A Source is one Splunk event, or one document of a file, as the
// detection meets it. Where its audit data lies, and in which shape, is
// the audit package's decision alone (audit.Extractor.Read).
type Source struct {
	MayMatch   bool // the audit data may hold a matching event; else it is not read
	NotJSON    bool // the audit data is not JSON at all: the event counts as skipped
	Time       []byte
	ChunkedIdx []byte
	Data       audit.Source
}

// A Detection runs the detection on events and hands their rows to a Sink.
type Detection struct {
	opts    Options
	x       *audit.Extractor
	allow   *Allowlists
	sink    Sink
	tag     func(userAgent []byte) []byte // the scanner tag; nil tags nothing
	stats   stats
	row     Row
	timeBf  []byte
	whereBf []byte // the allowlisted value of the current row
	emitCB  func(*audit.Event)
	pending int // rows of the current event

	auditSeen bool // some event held the mark of an audit event
}

// New returns a Detection of opts that suppresses what allow covers, tags
// rows with tag (nil for none) and sends them to sink.
func New(opts Options, allow *Allowlists, tag func([]byte) []byte, sink Sink) *Detection {
	if allow == nil {
		allow = &Allowlists{}
	}
	d := &Detection{opts: opts, x: audit.NewExtractor(opts.Codes, opts.Anonymous), allow: allow, tag: tag, sink: sink}
	d.stats.Suppressed = make([]int, len(allow.lists))
	d.emitCB = d.emit
	return d
}

// MayMatch reports whether text, audit data in any shape, may hold an event
// this detection reports (audit.Extractor.MayMatch). Until one does, it
// also looks for the mark of an audit event, so that a run over data that
// holds none says so rather than look like a quiet day; with real data
// the first event has it, and the look costs nothing after.
func (d *Detection) MayMatch(text []byte) bool {
	if !d.auditSeen {
		for _, mark := range auditMarks {
			if bytes.Contains(text, mark) {
				d.auditSeen = true
				break
			}
		}
	}
	return d.x.MayMatch(text)
}

// The marks of an audit event, in any quoting (JSON, a JSON string in
// properties.log, or CSV): the keys of every audit event, the column of
// an AKSAudit row, the methods of GKE's Kubernetes entries. A payload
// (base64 gzip) shows none: it counts once read.
var auditMarks = [][]byte{[]byte("auditID"), []byte("requestURI"), []byte("AuditId"), []byte("io.k8s.")}

// Event runs the detection on one Splunk event or document, and says
// whether and why it was skipped. A panic inside it, which no input
// should cause, costs that event only: its rows are withdrawn from the
// sink and it is counted as skipped.
func (d *Detection) Event(src *Source) (skip Skip) {
	if !src.MayMatch {
		d.Drop(src.NotJSON)
		return Skip{r: reasonNotJSON, set: src.NotJSON}
	}
	d.stats.Read++
	d.row.Time, d.row.ChunkedIdx = src.Time, src.ChunkedIdx
	d.pending = 0
	defer func() {
		if recover() != nil {
			d.sink.Withdraw()
			d.skip(reasonInternal)
			skip = Skip{r: reasonInternal, set: true}
		}
	}()
	err := d.x.Read(src.Data, d.emitCB)
	// A damaged payload may have held audit events no one can see.
	d.auditSeen = d.auditSeen || d.x.Seen() > 0 || err == audit.ErrPayload
	switch err {
	case nil:
	case audit.ErrOtherService:
		d.stats.Other++ // no audit data: neither skipped nor lost
	case audit.ErrTruncated:
		d.stats.Damaged++ // read as far as it goes, not skipped
		skip.damaged = true
	case audit.ErrNotAudit:
		skip = Skip{r: reasonNotAudit, set: true}
	case audit.ErrLogText:
		skip = Skip{r: reasonNotJSON, set: true}
	case audit.ErrPayload:
		skip = Skip{r: reasonPayload, set: true}
	case audit.ErrNotJSON:
		skip = Skip{r: reasonCut, set: true} // JSON that breaks off
		if src.NotJSON {
			skip.r = reasonNotJSON // no JSON at all
		}
	default:
		skip = Skip{r: reasonCut, set: true}
	}
	if skip.set {
		d.skip(skip.r)
	}
	d.sink.Commit()
	d.stats.Emitted += d.pending
	return skip
}

// Drop counts an event that cannot match: read, and skipped if its audit
// data is not JSON at all.
func (d *Detection) Drop(notJSON bool) {
	d.stats.Read++
	if notJSON {
		d.skip(reasonNotJSON)
	}
}

// NoField counts an event that has none of the fields audit data is read
// from: read and skipped.
func (d *Detection) NoField() {
	d.stats.Read++
	d.skip(reasonNoField)
}

// Unreadable counts an event that could not even be taken apart, such as
// a CSV record splunkd could not have written: read and skipped.
func (d *Detection) Unreadable() {
	d.stats.Read++
	d.skip(reasonUnreadable)
}

// Damaged counts an event already read whose document was cut short in
// the file: it was read as far as it goes (what it lost past the cut is
// the detection's to count, as for a _raw that TRUNCATE cut), and it is
// not skipped, but the closing message says the file is damaged.
func (d *Detection) Damaged() { d.stats.Damaged++ }

// healthMark is the allowlisted value of a health check that filter=show
// keeps.
var healthMark = []byte("health check of an unauthenticated caller (health=true reports it)")

func (d *Detection) emit(ev *audit.Event) {
	d.row.Allowlisted = nil
	if d.opts.Anonymous && !d.opts.Health && len(ev.Cut) == 0 && !slices.Contains(d.opts.Codes, ev.Code) &&
		HealthCheck(ev.RequestURI) {
		d.stats.Health++
		if !d.allow.Show {
			return
		}
		d.row.Allowlisted = healthMark
	} else if i, line := d.allow.match(ev); i >= 0 {
		d.stats.Suppressed[i]++
		if !d.allow.Show {
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
	// A row's time is the Splunk event's, unless there is none (a file)
	// or the Splunk event holds several audit events (a records[] batch):
	// then it is the audit event's own, when it has one that reads.
	t := d.row.Time
	if len(t) == 0 || ev.Batched {
		if d.timeBf = splunktime.AppendRFC3339(d.timeBf[:0], ev.Time); len(d.timeBf) > 0 || len(t) == 0 {
			d.row.Time = d.timeBf
		}
	}
	d.sink.Row(&d.row)
	d.row.Time = t
	d.pending++
	if len(ev.Cut) > 0 {
		d.stats.CutRows++ // counted when read: a withdrawn row was still a padded event
	}
}

// Summary is the closing message of a run: what was read, reported,
// skipped and suppressed, and every problem that may have cost rows. Its
// level is WARN when there is such a problem (events skipped, no audit
// event in the data, or one of problems, such as a lookup that could
// not be applied), so that a scheduled search that read
// nothing does not look like a quiet day; else INFO.
func (d *Detection) Summary(problems []string) (level, text string) {
	var b strings.Builder
	fmt.Fprintf(&b, "kubefingerprint: events read: %d, rows emitted: %d, events skipped as unparsable: %d",
		d.stats.Read, d.stats.Emitted, d.stats.Skipped)
	if n := d.stats.Why[reasonInternal]; n > 0 {
		fmt.Fprintf(&b, " (%d of them by an internal error)", n)
	}
	b.WriteString(d.allow.summary(d.stats.Suppressed))
	level = "INFO"
	if d.stats.Skipped > 0 {
		level = "WARN"
		b.WriteString("; skipped:")
		sep := " "
		for r, n := range d.stats.Why {
			if n > 0 {
				fmt.Fprintf(&b, "%s%d %s", sep, n, reasons[r])
				sep = ", "
			}
		}
	}
	if d.stats.CutRows > 0 {
		level = "WARN"
		fmt.Fprintf(&b, "; rows of audit events cut before their code: %d (column cut: the client may have padded its request to push its code past the cut)", d.stats.CutRows)
	}
	if d.stats.Health > 0 {
		verb := "left out"
		if d.allow.Show {
			verb = "kept and marked in the allowlisted field (filter=show)"
		}
		fmt.Fprintf(&b, "; health checks (/healthz, /livez, /readyz) of unauthenticated callers %s: %d (health=true, or --health, reports them)", verb, d.stats.Health)
	}
	if d.stats.Other > 0 {
		fmt.Fprintf(&b, "; Cloud Audit Log entries of other services than Kubernetes (k8s.io) passed over: %d", d.stats.Other)
	}
	if d.stats.Damaged > 0 {
		level = "WARN"
		fmt.Fprintf(&b, "; events cut short, read as far as they go, what lay past the cut lost: %d (in Splunk, raise TRUNCATE for the sourcetype)", d.stats.Damaged)
	}
	if d.stats.Read > 0 && !d.auditSeen {
		level = "WARN"
		b.WriteString("; no event held a Kubernetes audit event (auditID, requestURI, AuditId, io.k8s.): check what the search reads (the kubefingerprint_data macro, input=)")
	}
	if len(problems) > 0 {
		level = "WARN"
		b.WriteString("; problems: ")
		b.WriteString(strings.Join(problems, "; "))
	}
	return level, b.String()
}
