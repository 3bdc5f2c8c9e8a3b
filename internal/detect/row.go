package detect

import (
	"unicode/utf8"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
)

// A Row is one reported audit event. Its slices are valid only while a
// Sink takes it.
type Row struct {
	Time        []byte // Splunk's _time, else the event's time as _time
	Event       *audit.Event
	Scanner     []byte // the tool the user agent names, from the scanner lookups
	Allowlisted []byte // with filter=show, the <file>:<line> of the row that covers it
	ChunkedIdx  []byte // splunkd's _chunked_idx, echoed back; nil when absent
}

// A Field is one column of every row: its name as spath names it, and how
// to read it from a row. A multivalue field (List) has Values, any other
// Value.
type Field struct {
	Name   string
	List   bool
	Value  func(*Row) []byte
	Values func(*Row) [][]byte
}

// Fields are the columns of every row, in order, for every output: the
// chunk reply, the command line's table, CSV and JSON, and the per-source
// summary. The original detection's table comes first; the fingerprint
// fields follow: where (cluster, src_ip), who (user, user.groups{}), what
// (the code, the scanner the user agent names) and the audit event's own
// identity. Adding a field is one line here.
var Fields = []Field{
	{Name: "_time", Value: func(r *Row) []byte { return r.Time }},
	{Name: "sourceIPs{}", List: true, Values: func(r *Row) [][]byte { return r.Event.SourceIPs }},
	{Name: "userAgent", Value: func(r *Row) []byte { return r.Event.UserAgent }},
	{Name: "verb", Value: func(r *Row) []byte { return r.Event.Verb }},
	{Name: "requestURI", Value: func(r *Row) []byte { return r.Event.RequestURI }},
	{Name: "responseStatus.reason", Value: func(r *Row) []byte { return r.Event.Reason }},
	{Name: "cluster", Value: func(r *Row) []byte { return r.Event.Cluster }},
	{Name: "src_ip", Value: func(r *Row) []byte { return r.Event.SrcIP() }},
	{Name: "user", Value: func(r *Row) []byte { return r.Event.User }},
	{Name: "responseStatus.code", Value: func(r *Row) []byte { return r.Event.CodeText }},
	{Name: "cut", Value: func(r *Row) []byte { return r.Event.Cut }},
	{Name: "scanner", Value: func(r *Row) []byte { return r.Scanner }},
	{Name: "auditID", Value: func(r *Row) []byte { return r.Event.AuditID }},
	{Name: "stage", Value: func(r *Row) []byte { return r.Event.Stage }},
	{Name: "user.groups{}", List: true, Values: func(r *Row) [][]byte { return r.Event.Groups }},
}

// Allowlisted is the column added after Fields with filter=show: where the
// row would have been suppressed, as <file>:<line>, or empty.
var Allowlisted = Field{Name: "allowlisted", Value: func(r *Row) []byte { return r.Allowlisted }}

// Cut returns v cut to at most n bytes, at the start of a character: how
// every output bounds a value a client could make arbitrarily long.
func Cut(v []byte, n int) []byte {
	if len(v) <= n {
		return v
	}
	for i := n; i > n-utf8.UTFMax && i > 0; i-- {
		if utf8.RuneStart(v[i]) {
			return v[:i]
		}
	}
	return v[:n]
}
