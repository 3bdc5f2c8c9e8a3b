// Package audit finds Kubernetes audit events (audit.k8s.io Event) in every
// shape in which AKS and other clusters deliver them to Splunk, and extracts
// the fields the scan-fingerprint detection reports. It uses jsonparser's
// scanning calls only: no reflection, and no allocation per event once its
// buffers have grown.
//
// Shapes understood by Document:
//
//   - an Azure diagnostic record whose properties.log is the audit event as
//     a JSON string (blob input, one record per line) or as a JSON object;
//   - the same record under an Event Hub "body" wrapper;
//   - a {"records":[...]} batch of such records;
//   - a bare audit event (self-managed clusters, EKS);
//   - any of these cut short, as long as responseStatus lies before the cut.
package audit

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/buger/jsonparser"
)

// Reasons a document yields no event. They are counted, never fatal.
var (
	ErrNotJSON   = errors.New("not a JSON object")
	ErrNotAudit  = errors.New("no Kubernetes audit event in it")
	ErrCategory  = errors.New("record of a category other than kube-audit")
	ErrMalformed = errors.New("audit event malformed or cut short before responseStatus.code")
)

// maxDepth bounds how deep wrappers may nest: body, then records.
const maxDepth = 3

// An Event holds what the detection reports of one audit event. Its slices
// point into the document or into the Extractor's buffers and are valid
// only until the callback that received it returns.
type Event struct {
	Code       int
	CodeText   []byte   // responseStatus.code as the event carries it
	SourceIPs  [][]byte // sourceIPs, every address in order
	UserAgent  []byte
	Verb       []byte
	RequestURI []byte
	Reason     []byte   // responseStatus.reason
	Time       []byte   // requestReceivedTimestamp, else the record's time
	Cluster    []byte   // AKS cluster name, the last segment of the record's resourceId
	User       []byte   // user.username; empty for a rejected credential ("user":{})
	Groups     [][]byte // user.groups
	AuditID    []byte
	Stage      []byte
}

// SrcIP is the address the API server itself saw: the last entry of
// sourceIPs. Every earlier entry comes from X-Forwarded-For or X-Real-Ip,
// which the client sets.
func (ev *Event) SrcIP() []byte {
	if len(ev.SourceIPs) == 0 {
		return nil
	}
	return ev.SourceIPs[len(ev.SourceIPs)-1]
}

// Anonymous reports whether the API server served the request as an
// unauthenticated caller: user system:anonymous or group
// system:unauthenticated.
func (ev *Event) Anonymous() bool {
	if string(ev.User) == "system:anonymous" {
		return true
	}
	for _, g := range ev.Groups {
		if string(g) == "system:unauthenticated" {
			return true
		}
	}
	return false
}

// An Extractor reports the audit events whose responseStatus.code is one of
// its codes. It is not safe for concurrent use.
type Extractor struct {
	codes     []int
	codeTexts [][]byte // the codes in decimal, for MayMatch

	ev   Event
	log  []byte // properties.log, unescaped
	str  []byte // event field values, unescaped
	rec  []byte // record field values, unescaped
	recT []byte // the record's time

	top     [len(topPaths)][]byte
	topType [len(topPaths)]jsonparser.ValueType
	topCB   func(int, []byte, jsonparser.ValueType, error)
	fieldCB func(int, []byte, jsonparser.ValueType, error)
	ipCB    func([]byte, jsonparser.ValueType, int, error)
	groupCB func([]byte, jsonparser.ValueType, int, error)
}

var topPaths = [...][]string{
	{"properties", "log"},
	{"body"},
	{"records"},
	{"category"},
	{"resourceId"},
	{"time"},
}

const (
	topLog = iota
	topBody
	topRecords
	topCategory
	topResourceID
	topTime
)

var fieldPaths = [...][]string{
	{"sourceIPs"},
	{"userAgent"},
	{"verb"},
	{"requestURI"},
	{"responseStatus", "reason"},
	{"requestReceivedTimestamp"},
	{"user", "username"},
	{"user", "groups"},
	{"auditID"},
	{"stage"},
}

// NewExtractor returns an Extractor for the given response codes.
func NewExtractor(codes []int) *Extractor {
	x := &Extractor{codes: codes}
	for _, c := range codes {
		x.codeTexts = append(x.codeTexts, strconv.AppendInt(nil, int64(c), 10))
	}
	// The callbacks are made once so that passing them to jsonparser costs
	// no allocation per event.
	x.topCB = func(i int, v []byte, vt jsonparser.ValueType, err error) {
		if i >= 0 && err == nil {
			x.top[i], x.topType[i] = v, vt
		}
	}
	x.fieldCB = x.setField
	x.ipCB = func(v []byte, vt jsonparser.ValueType, _ int, err error) {
		if err == nil {
			x.ev.SourceIPs = append(x.ev.SourceIPs, x.value(v, vt))
		}
	}
	x.groupCB = func(v []byte, vt jsonparser.ValueType, _ int, err error) {
		if err == nil {
			x.ev.Groups = append(x.ev.Groups, x.value(v, vt))
		}
	}
	return x
}

// MayMatch reports whether text, any text that holds the event (a record,
// an audit event, a CSV field still quoted), contains one of the codes in
// decimal. Without that no event in it can match: a code is accepted only
// as digits (parseCode), and neither JSON nor CSV escaping touches digits.
// It lets the command drop most events after one fast scan.
func (x *Extractor) MayMatch(text []byte) bool {
	for _, c := range x.codeTexts {
		if bytes.Contains(text, c) {
			return true
		}
	}
	return false
}

// StartsJSON reports whether text starts, after blanks, like a JSON object
// or array: the one check that is cheap enough to make on every event, and
// that tells klog text and other non-JSON data from audit events.
func StartsJSON(text []byte) bool {
	text = trimSpace(text)
	return len(text) > 0 && (text[0] == '{' || text[0] == '[')
}

// Document finds the audit events in one JSON document of any supported
// shape and calls fn for each whose code is wanted. It returns an error when
// some part of the document could not be read; fn may still have been
// called for the parts that could.
func (x *Extractor) Document(doc []byte, fn func(*Event)) error {
	return x.document(doc, fn, 0)
}

// Log reads one audit event given as JSON text, such as a properties.log
// field that Splunk has already extracted and unescaped. cluster may be nil.
func (x *Extractor) Log(log, cluster []byte, fn func(*Event)) error {
	x.rec = append(x.rec[:0], cluster...)
	x.recT = x.recT[:0]
	return x.event(log, fn)
}

func (x *Extractor) document(doc []byte, fn func(*Event), depth int) error {
	doc = trimSpace(doc)
	if len(doc) == 0 || doc[0] != '{' {
		return ErrNotJSON
	}
	if depth >= maxDepth {
		return ErrNotAudit
	}
	x.top, x.topType = [len(topPaths)][]byte{}, [len(topPaths)]jsonparser.ValueType{}
	jsonparser.EachKey(doc, x.topCB, topPaths[:]...)
	switch {
	case x.top[topLog] != nil:
		return x.record(x.top[topLog], x.topType[topLog] == jsonparser.String, fn)
	case x.topType[topBody] == jsonparser.Object:
		return x.document(x.top[topBody], fn, depth+1)
	case x.topType[topRecords] == jsonparser.Array:
		var first error
		records := x.top[topRecords]
		_, err := jsonparser.ArrayEach(records, func(v []byte, vt jsonparser.ValueType, _ int, _ error) {
			if err := x.document(v, fn, depth+1); err != nil && first == nil {
				first = err
			}
		})
		if first == nil && err != nil {
			first = ErrMalformed
		}
		return first
	}
	if log, isString, ok := looseLog(doc); ok {
		return x.record(log, isString, fn)
	}
	x.rec, x.recT = x.rec[:0], x.recT[:0]
	return x.event(doc, fn)
}

// record reads a diagnostic record whose top-level fields are in x.top.
func (x *Extractor) record(log []byte, isString bool, fn func(*Event)) error {
	if c := x.top[topCategory]; c != nil && !bytes.HasPrefix(c, []byte("kube-audit")) {
		return ErrCategory
	}
	x.rec = x.appendValue(x.rec[:0], clusterName(x.top[topResourceID]))
	x.recT = x.appendValue(x.recT[:0], x.top[topTime])
	if !isString {
		return x.event(log, fn)
	}
	var err error
	x.log, err = appendUnescaped(x.log[:0], trimPartialEscape(log))
	if err != nil {
		return ErrMalformed
	}
	return x.event(x.log, fn)
}

// event reads one audit event, possibly cut short.
func (x *Extractor) event(ev []byte, fn func(*Event)) error {
	ev = trimSpace(ev)
	if len(ev) == 0 || ev[0] != '{' {
		return ErrNotJSON
	}
	v, vt, _, err := jsonparser.Get(ev, "responseStatus", "code")
	if err != nil {
		switch {
		case err != jsonparser.KeyPathNotFoundError || ValueEnd(ev) != len(ev):
			return ErrMalformed
		case isAuditEvent(ev):
			return nil // an event without a response, such as stage RequestReceived
		default:
			return ErrNotAudit
		}
	}
	code, ok := parseCode(v, vt)
	if !ok || !x.wants(code) {
		return nil
	}
	if cap(x.str) < len(ev) {
		x.str = make([]byte, 0, len(ev)+len(ev)/4)
	}
	x.str = x.str[:0]
	x.ev = Event{Code: code, CodeText: v, SourceIPs: x.ev.SourceIPs[:0], Groups: x.ev.Groups[:0], Cluster: x.rec}
	jsonparser.EachKey(ev, x.fieldCB, fieldPaths[:]...)
	if len(x.ev.Time) == 0 {
		x.ev.Time = x.recT
	}
	fn(&x.ev)
	return nil
}

func (x *Extractor) setField(i int, v []byte, vt jsonparser.ValueType, err error) {
	if err != nil {
		return
	}
	switch i {
	case 0:
		if vt == jsonparser.Array {
			jsonparser.ArrayEach(v, x.ipCB)
		} else if vt == jsonparser.String {
			x.ev.SourceIPs = append(x.ev.SourceIPs, x.value(v, vt))
		}
	case 1:
		x.ev.UserAgent = x.value(v, vt)
	case 2:
		x.ev.Verb = x.value(v, vt)
	case 3:
		x.ev.RequestURI = x.value(v, vt)
	case 4:
		x.ev.Reason = x.value(v, vt)
	case 5:
		x.ev.Time = x.value(v, vt)
	case 6:
		x.ev.User = x.value(v, vt)
	case 7:
		if vt == jsonparser.Array {
			jsonparser.ArrayEach(v, x.groupCB)
		}
	case 8:
		x.ev.AuditID = x.value(v, vt)
	case 9:
		x.ev.Stage = x.value(v, vt)
	}
}

// value returns a scalar as text: strings unescaped into x.str, which never
// reallocates because it was sized to hold the whole event; null as empty.
func (x *Extractor) value(v []byte, vt jsonparser.ValueType) []byte {
	switch vt {
	case jsonparser.String:
		if bytes.IndexByte(v, '\\') < 0 {
			return v
		}
		start := len(x.str)
		var err error
		if x.str, err = appendUnescaped(x.str, v); err != nil {
			x.str = x.str[:start]
			return v // an invalid escape: the text as it stands beats a cut value
		}
		return x.str[start:len(x.str):len(x.str)]
	case jsonparser.Number, jsonparser.Boolean:
		return v
	}
	return nil
}

func (x *Extractor) appendValue(dst, v []byte) []byte {
	if bytes.IndexByte(v, '\\') < 0 {
		return append(dst, v...)
	}
	dst, _ = appendUnescaped(dst, v)
	return dst
}

func (x *Extractor) wants(code int) bool {
	for _, c := range x.codes {
		if c == code {
			return true
		}
	}
	return false
}

// parseCode accepts the code as a JSON number or a string of digits, as
// Splunk's search responseStatus.code=401 would.
func parseCode(v []byte, vt jsonparser.ValueType) (int, bool) {
	if vt != jsonparser.Number && vt != jsonparser.String {
		return 0, false
	}
	v = trimSpace(v)
	if len(v) == 0 || len(v) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// isAuditEvent tells an audit event without a response from other JSON.
func isAuditEvent(ev []byte) bool {
	kind, err := jsonparser.GetUnsafeString(ev, "kind")
	if err == nil && kind == "Event" {
		return true
	}
	_, _, _, err = jsonparser.Get(ev, "auditID")
	return err == nil
}

// clusterName is the last path segment of an Azure resourceId,
// .../MANAGEDCLUSTERS/<name>.
func clusterName(resourceID []byte) []byte {
	if i := bytes.LastIndexByte(resourceID, '/'); i >= 0 {
		return resourceID[i+1:]
	}
	return resourceID
}

// looseLog finds properties.log in a record whose JSON never closes, such
// as an event cut by Splunk's TRUNCATE. It returns the raw string contents,
// possibly unterminated, or the object text.
func looseLog(doc []byte) (log []byte, isString, ok bool) {
	i := bytes.Index(doc, []byte(`"properties"`))
	if i < 0 {
		return nil, false, false
	}
	rest := doc[i:]
	j := bytes.Index(rest, []byte(`"log"`))
	if j < 0 {
		return nil, false, false
	}
	rest = trimSpace(rest[j+len(`"log"`):])
	if len(rest) == 0 || rest[0] != ':' {
		return nil, false, false
	}
	rest = trimSpace(rest[1:])
	switch {
	case len(rest) > 0 && rest[0] == '{':
		return rest, false, true
	case len(rest) > 0 && rest[0] == '"':
		rest = rest[1:]
		if end := stringEnd(rest); end >= 0 {
			rest = rest[:end]
		}
		return rest, true, true
	}
	return nil, false, false
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
