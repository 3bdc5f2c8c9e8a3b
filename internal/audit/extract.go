package audit

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"strings"
	"unicode"

	"github.com/buger/jsonparser"

	"github.com/kubefingerprint/kubefingerprint/internal/cri"
	"github.com/kubefingerprint/kubefingerprint/internal/jsontext"
)

// maxDepth bounds how deep wrappers may nest around a record: a top-level
// array, body, records, and one more for an array inside an array.
const maxDepth = 4

// An Extractor reports the audit events that match: whose
// responseStatus.code is one of its codes or, with anonymous, whose caller
// was unauthenticated. It is not safe for concurrent use.
type Extractor struct {
	codes     []int
	anonymous bool
	codeTexts [][]byte // the codes in decimal, for MayMatch
	rpcTexts  [][]byte // the google.rpc codes of the codes, for MayMatch

	src       Source
	seen      int    // audit events seen in the current Read, matching or not
	extracted []byte // src.ResourceID(), once asked for
	asked     bool

	ev   Event
	log  []byte // properties.log, decoded
	rid  []byte // the record's resourceId, decoded
	recT []byte // the record's time, decoded
	str  []byte // event field values, decoded

	arrays int    // arrays around the event being read
	later  bool   // the event follows another value of the same text
	top    []byte // the text from the start of the top-level value being read
	cri    []byte // partial lines of container output, joined
	msg    []byte // the message of a CloudWatch Logs event, decoded
	zipped []byte // a base64 payload's JSON string, decoded
	b64    []byte // a base64 payload, decoded
	zr     bytes.Reader
	gz     *gzip.Reader
	text   []byte // a payload, uncompressed
	// unzipping: a payload is being read, and a payload inside it is
	// not opened
	unzipping bool
	emptyUser bool // the event walked has "user":{}
	// followed: the message of container output being read has more
	// lines after it
	followed bool

	list      *[][]byte // the list of x.ev that an array being read fills
	fieldCB   func(int, []byte, jsonparser.ValueType, error)
	elementCB func([]byte, jsonparser.ValueType, int, error)
}

// NewExtractor returns an Extractor for the given response codes and, with
// anonymous, every response to an unauthenticated caller.
func NewExtractor(codes []int, anonymous bool) *Extractor {
	x := &Extractor{codes: codes, anonymous: anonymous}
	for _, c := range codes {
		x.codeTexts = append(x.codeTexts, strconv.AppendInt(nil, int64(c), 10))
		x.rpcTexts = rpcOfHTTP(x.rpcTexts, c)
	}
	// The callbacks are made once so that passing them to jsonparser costs
	// no allocation per event.
	x.fieldCB, x.elementCB = x.setField, x.addElement
	return x
}

// MayMatch reports whether text, any text that holds the event (a record,
// an audit event, a CSV field still quoted), could hold a matching event.
// It lets the command drop most events after one fast scan.
//
// A code is accepted only as digits (parseCode), and neither JSON nor CSV
// escaping touches digits: without a code's digits no event in text has
// that code. An unauthenticated caller is named system:anonymous or
// system:unauthenticated; the API server writes those letters plainly, but
// JSON lets any of them be written as a \u escape, so text with an escape
// of one of their characters may match too. Text that may hold an event
// cut before its code is read too (mayBeCut). A Cloud Audit Log entry
// (GKE) carries a google.rpc code, other digits (16 for 401); a payload
// (base64 gzip) hides every digit, and is read.
func (x *Extractor) MayMatch(text []byte) bool {
	for _, c := range x.codeTexts {
		if bytes.Contains(text, c) {
			return true
		}
	}
	return x.anonymous && mayBeAnonymous(text) || mayBeCut(text) ||
		!startsAsAudit(text) && (x.mayBeEntry(text) || mayBePayload(text))
}

// mayBeEntry reports whether text may hold a Cloud Audit Log entry with
// a wanted code. It looks for protoPayload by its capital P, rare in
// audit data: a search for the whole word would stop at every p, and
// double the cost of MayMatch on the AKS events that make most of a
// stream.
func (x *Extractor) mayBeEntry(text []byte) bool {
	if len(x.rpcTexts) == 0 || !hasProtoPayload(text) {
		return false
	}
	for _, c := range x.rpcTexts {
		if bytes.Contains(text, c) {
			return true
		}
	}
	return false
}

// startsAsAudit reports whether text starts as an AKS diagnostic record or
// a bare audit event does, category or kind its first key, as AKS and the
// API server write them: it is one, and is spared the look for a Cloud
// Audit Log entry or a payload, which would cost a pass over every AKS
// event, most of a stream. Only a Splunk event that line merging made of
// an AKS record or audit event and then a GKE entry or payload (two
// providers' data in one sourcetype) could hide one from the prefilter:
// a client cannot write a top-level value, only strings inside one
// (docs/design/hostile-input.md).
func startsAsAudit(text []byte) bool {
	text = jsontext.TrimSpace(text[:min(len(text), 32)])
	if len(text) > 0 && text[0] == '"' {
		text = text[1:] // a CSV field with its quote
	}
	for _, start := range [...]string{`{"category":`, `{""category"":`, `{"kind":`, `{""kind"":`} {
		if bytes.HasPrefix(text, []byte(start)) {
			return true
		}
	}
	return false
}

func hasProtoPayload(text []byte) bool {
	const word, p = "protoPayload", len("proto")
	for i := p; i < len(text); {
		k := bytes.IndexByte(text[i:], 'P')
		if k < 0 {
			return false
		}
		i += k
		if i+len(word)-p <= len(text) && string(text[i-p:i-p+len(word)]) == word {
			return true
		}
		i++
	}
	return false
}

// mayBePayload reports whether text may hold a base64 gzip payload: at
// its start, or as the data of a Firehose record near its start.
func mayBePayload(text []byte) bool {
	return bytes.Contains(text[:min(len(text), 256)], []byte(jsontext.GzipBase64))
}

// MayBeCut is the length from which text may hold an audit event cut
// before its code: AKS cuts properties.log at 16 KiB and Splunk's TRUNCATE
// cuts _raw at 10,000 bytes by default (a site may set it lower; 4 KiB
// leaves room).
const MayBeCut = 4 << 10

// mayBeCut reports whether text may hold an audit event cut before its
// responseStatus. The user agent and request URI come before
// responseStatus, and the client sets both: a long one pushes the code past
// the cut, and no digit of it is left for MayMatch to find. Read, such an
// event is reported when what lies before the cut says who called (see
// Extractor.beforeCode), else counted as skipped, instead of dropped
// unseen.
//
// Text that does not end as JSON ends is read. Long text that does is taken
// as whole when it holds a responseStatus key for every auditID key (one
// an audit event; nested objects have kind keys, never these), each
// followed by its code's digits before the next auditID, all at the
// depth of escaping audit events lie at (inside a properties.log string or
// not, CSV-quoted or not): a client's text is a string value one escaping
// deeper, so it can write neither key. Long events are few and carry their
// responseStatus near their start, so this costs little; any doubt reads
// the text. Short text that ends as JSON ends is taken as whole without
// the count, which would double the cost of every event: it can be cut only
// by a TRUNCATE below MayBeCut, and then only where the cut falls just
// after a } or ] (docs/design/hostile-input.md).
func mayBeCut(text []byte) bool {
	i := len(text) - 1
	for i >= 0 && (text[i] == '"' || jsontext.IsSpace(text[i])) {
		i--
	}
	if i < 0 || (text[i] != '}' && text[i] != ']') {
		return true
	}
	if len(text) < MayBeCut {
		return false
	}
	depth := 0 // a log key: the events lie in properties.log strings
	if n, _ := keyCount(text, "log", 0, 1); n > 0 {
		depth = 1 // (a log object is read, its keys not found one deep)
	}
	events, _ := keyCount(text, "auditID", depth, -1)
	if events == 0 {
		return true
	}
	// Every responseStatus must hold its code, with digits the text goes on
	// after, before the next event begins: an event of a batch may be cut
	// inside its responseStatus (AKS's cut of its properties.log) while the
	// records after it are whole.
	statuses := 0
	for from := 0; ; statuses++ {
		_, end := keyAt(text, "responseStatus", depth, from)
		if end < 0 {
			break
		}
		code, after := keyAt(text, "code", depth, end)
		if code < 0 || !digitsGoOn(text[after:]) {
			return true
		}
		// Another event between the status and the code: the status had
		// none. After the last event's status no event follows.
		if statuses+1 < events {
			if next, _ := keyAt(text[:code], "auditID", depth, end); next >= 0 {
				return true
			}
		}
		from = after
	}
	return statuses < events
}

// digitsGoOn reports whether v, the text after a code's colon, is a whole
// code: digits (inside quotes, as they were opened, for a code written as
// a string) followed by what ends a value in an object, a } or a comma. A
// code the text ends inside, or whose string the cut closed (the end of a
// properties.log string), may be cut.
func digitsGoOn(v []byte) bool {
	v = bytes.TrimLeft(v, " ")
	digits := bytes.TrimLeft(v, "\\\"")
	quote := v[:len(v)-len(digits)]
	n := 0
	for n < len(digits) && digits[n] >= '0' && digits[n] <= '9' {
		n++
	}
	rest := digits[n:]
	if n == 0 || !bytes.HasPrefix(rest, quote) {
		return false
	}
	rest = bytes.TrimLeft(rest[len(quote):], " ")
	return len(rest) > 0 && (rest[0] == '}' || rest[0] == ',')
}

// keyCount counts the occurrences of name in text as an object key behind
// depth backslashes: name, then exactly depth backslashes, a quote (doubled
// when CSV-quoted) and a colon. It stops at limit, unless limit < 0. end is
// the offset just past the colon of the last key counted.
func keyCount(text []byte, name string, depth, limit int) (n, end int) {
	for from := 0; n != limit; n++ {
		_, e := keyAt(text, name, depth, from)
		if e < 0 {
			break
		}
		end, from = e, e
	}
	return n, end
}

// keyAt finds the first occurrence of name as keyCount counts them at or
// after from: the offset of its first letter and the offset past its
// colon, or -1, -1. It looks for the first capital of name (the I of
// auditID, the S of responseStatus), rare in audit data, which is faster
// than a search for all of name; a name without one is searched whole.
func keyAt(text []byte, name string, depth, from int) (start, end int) {
	a := strings.IndexFunc(name, unicode.IsUpper)
	for i := from + max(a, 0); i < len(text); {
		var k int
		if a < 0 {
			k = bytes.Index(text[i:], []byte(name)) // no rare letter: the whole name
		} else {
			k = bytes.IndexByte(text[i:], name[a])
		}
		if k < 0 {
			break
		}
		i += k + 1
		start := i - 1 - max(a, 0)
		if start < 1 || start < from || start+len(name) > len(text) || text[start-1] != '"' || string(text[start:start+len(name)]) != name {
			continue
		}
		j := start + len(name)
		for j < len(text) && text[j] == '\\' {
			j++
		}
		if j-start-len(name) != depth || j >= len(text) || text[j] != '"' {
			continue
		}
		j++
		if j < len(text) && text[j] == '"' {
			j++
		}
		if j < len(text) && text[j] == ':' {
			return start, j + 1
		}
	}
	return -1, -1
}

func mayBeAnonymous(text []byte) bool {
	if bytes.Contains(text, []byte(userAnonymous)) || bytes.Contains(text, []byte(groupUnauthenticated)) {
		return true
	}
	for i := 0; ; {
		k := bytes.Index(text[i:], []byte(`\u`))
		if k < 0 {
			return false
		}
		i += k + 2
		if r, ok := hex4(text[i:]); ok && r < 0x80 &&
			strings.IndexByte(userAnonymous+groupUnauthenticated, byte(r)) >= 0 {
			return true
		}
	}
}

// HoldsJSON reports whether text, audit data as a field or a file holds
// it (CSV quoting allowed), could hold an audit event: it starts, after
// blanks, like a JSON object or array and, when it is a diagnostic record,
// its properties.log is not plain text, as the log of klog categories
// (kube-apiserver, guard, ...) is. It looks at the first bytes of each only:
// it is cheap enough for every event, so that events dropped unparsed can
// still be counted when their audit data is not JSON.
func HoldsJSON(text []byte) bool {
	text = jsontext.TrimBOM(jsontext.TrimSpace(text))
	if n, _, _ := cri.Prefix(text); n > 0 {
		text = jsontext.TrimSpace(text[n:])
	}
	if len(text) == 0 || (text[0] != '{' && text[0] != '[') {
		return false
	}
	p := bytes.Index(text, []byte(`properties"`))
	if p < 0 {
		return true
	}
	window := text[p:min(len(text), p+256)]
	l := bytes.Index(window, []byte(`"log"`))
	if l < 0 {
		return true
	}
	for _, c := range window[l+len(`"log"`):] {
		switch c {
		case '"', ':', ' ', '\t', '\r', '\n':
			continue
		}
		return c == '{' || c == '\\'
	}
	return true
}

// Read finds the audit events in what src holds and calls fn for each that
// matches, in order. Raw is read first, in any shape; the extracted
// properties.log only when Raw holds no audit event at all. It returns an
// error when some part could not be read; fn may still have been called
// for the parts that could.
func (x *Extractor) Read(src Source, fn func(*Event)) error {
	x.src, x.seen, x.extracted, x.asked = src, 0, nil, false
	x.arrays, x.later, x.top, x.followed = 0, false, nil, false
	if q, ok := src.(QuotedSource); ok {
		if text := q.RawQuoted(); text != nil {
			if done, err := x.quoted(text, fn); done && x.seen > 0 {
				return err
			}
		}
	}
	err := ErrNotAudit
	if raw := src.Raw(); len(raw) > 0 {
		if err = x.texts(raw, fn); x.seen > 0 {
			return err
		}
	}
	if logs := src.Log(); len(logs) > 0 {
		err = x.texts(logs, fn)
	}
	return err
}

// Seen is how many audit events, matching or not, the last Read found.
func (x *Extractor) Seen() int { return x.seen }

// texts reads each value of a field.
func (x *Extractor) texts(texts [][]byte, fn func(*Event)) error {
	var first error
	for _, t := range texts {
		if err := x.values(t, fn); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// values reads the JSON values of text one after another, by the rule of
// jsontext.TopLevel: line merging and concatenated JSON put several records
// in one event. A value cut short ends the text, as TRUNCATE cut it; a
// value that breaks, and text that is not JSON, cost the rest of their
// line. A byte order mark is passed over where Windows tools write one, at
// the start.
func (x *Extractor) values(text []byte, fn func(*Event)) error {
	text = jsontext.TrimBOM(text)
	var (
		first error
		found bool
		r     reader
	)
	x.later, x.top = false, nil
	for i := 0; i < len(text); {
		err, lineLost := ErrNotJSON, true
		switch jsontext.TopLevel(text[i]) {
		case jsontext.Blank, jsontext.Newline:
			i++
			continue
		case jsontext.Value:
			r.reset(text[i:])
			x.top = text[i:]
			err = x.element(&r, 0, fn)
			x.later = true
			i += r.i
			if r.err == errCut {
				i = len(text)
			}
			lineLost = r.err != nil
		case jsontext.NotJSON:
			atLine := i == 0 || text[i-1] == '\n'
			if jsontext.IsPayload(text[i:]) && len(jsontext.TrimSpace(text[bytes.LastIndexByte(text[:i], '\n')+1:i])) == 0 {
				end := bytes.IndexByte(text[i:], '\n')
				if end < 0 {
					end = len(text) - i
				}
				err, lineLost = x.payload(text[i:i+end], fn), false
				i += end
				x.later = true
				break
			}
			if n, _, _ := cri.Prefix(text[i:]); n > 0 && atLine {
				var msg []byte
				msg, i = x.containerLines(text, i)
				x.followed = len(jsontext.TrimSpace(text[i:])) > 0
				err, lineLost = x.containerMessage(msg, fn), false
				x.followed = false
			}
		}
		found = true
		if err != nil && first == nil {
			first = err
		}
		if lineLost {
			nl := bytes.IndexByte(text[i:], '\n')
			if nl < 0 {
				break
			}
			i += nl + 1
		}
	}
	if !found {
		return ErrNotJSON
	}
	return first
}

// containerLines joins the lines of container output that start at
// text[i], each behind a CRI prefix (package cri): a partial line and the
// lines of the same stream that continue it, up to the full line that ends
// it, or one full line. It returns the message and the offset past its
// last line. A partial line that the next line does not continue (a line
// of the other stream, or one without the prefix, which is then read on
// its own) is a message cut short.
func (x *Extractor) containerLines(text []byte, i int) ([]byte, int) {
	x.cri = x.cri[:0]
	first := true
	var stream bool
	for i < len(text) {
		n, stderr, partial := cri.Prefix(text[i:])
		if n == 0 || !first && stderr != stream {
			break
		}
		first, stream = false, stderr
		end, next := len(text), len(text)
		if nl := bytes.IndexByte(text[i:], '\n'); nl >= 0 {
			end, next = i+nl, i+nl+1
		}
		msg := bytes.TrimSuffix(text[i+n:end], []byte("\r"))
		i = next
		if !partial && len(x.cri) == 0 {
			return msg, i // one full line: no copy
		}
		x.cri = append(x.cri, msg...)
		if !partial {
			break
		}
	}
	return x.cri, i
}

// containerMessage reads the message of container output: a JSON value
// as any other, else no JSON.
func (x *Extractor) containerMessage(msg []byte, fn func(*Event)) error {
	msg = jsontext.TrimSpace(msg)
	if len(msg) == 0 || jsontext.TopLevel(msg[0]) != jsontext.Value {
		return ErrNotJSON
	}
	var r reader
	r.reset(msg)
	x.top = msg
	err := x.element(&r, 0, fn)
	x.later = true
	return err
}

// batched reports whether the event being reported is one of several in
// its text: inside an array, after another value, or before one. The last
// is looked for only here, when an event is reported, which is rare.
func (x *Extractor) batched() bool {
	if x.arrays > 0 || x.later || x.followed {
		return true
	}
	if x.top == nil {
		return false
	}
	end := jsontext.ValueEnd(x.top)
	if end < 0 {
		return false // cut short: nothing follows
	}
	rest := jsontext.TrimSpace(x.top[end:])
	return len(rest) > 0 && (rest[0] == '{' || rest[0] == '[')
}

// element reads the object or array at r, a value of the input or an
// element of an array in it: an array is a list of elements.
func (x *Extractor) element(r *reader, depth int, fn func(*Event)) error {
	seen := x.seen
	var err error
	c := r.peek()
	switch {
	case depth > maxDepth:
		r.skip()
		return ErrNotAudit
	case c == '{':
		err = x.object(r, depth, fn)
	case c == '[':
		r.open('[')
		x.arrays++
		for r.element() {
			if e := x.element(r, depth+1, fn); e != nil && err == nil {
				err = e
			}
		}
		x.arrays--
	default:
		r.skip()
		return ErrNotAudit
	}
	switch {
	case err != nil:
		return err
	case r.err == errSyntax:
		return ErrNotJSON
	case r.err == errCut && x.seen == seen:
		return ErrMalformed
	case r.err == errCut && c == '[':
		return ErrTruncated // events after the cut are lost
	}
	return nil
}

// object reads a diagnostic record, an Event Hub wrapper, a batch, or a
// bare audit event, or what another cloud delivers (clouds.go). Values
// the input ends inside are trusted only where the audit event itself is
// read (see event); a cut resourceId or time is not used.
func (x *Extractor) object(r *reader, depth int, fn func(*Event)) error {
	start := r.i
	if isEvent(r.b[r.i:], false) {
		x.recT = x.recT[:0]
		return x.eventAt(r, x.cluster(false), fn)
	}
	rec := x.record(r)
	var inner reader
	switch {
	case rec.logObj != nil:
		return x.event(rec.logObj, x.cluster(rec.hasRID), fn)
	case rec.hasLog:
		return x.event(x.log, x.cluster(rec.hasRID), fn)
	case rec.cloud == cloudEntry:
		return x.entry(r.b[start:r.i], fn)
	case rec.cloud == cloudRow:
		return x.row(r.b[start:r.i], fn)
	case rec.cloud == cloudEnvelope:
		return x.envelope(r.b[start:r.i], fn)
	case rec.body != nil:
		inner.reset(rec.body)
		return x.element(&inner, depth+1, fn)
	case rec.records != nil:
		inner.reset(rec.records)
		return x.element(&inner, depth+1, fn)
	case len(rec.data) > 0 && rec.data[0] == '{':
		inner.reset(rec.data)
		return x.element(&inner, depth+1, fn)
	case rec.data != nil:
		return x.payload(rec.data, fn)
	}
	return x.event(r.b[start:r.i], x.cluster(false), fn)
}

// A recordWalk is what one walk of an object's members found of a
// diagnostic record: properties.log decoded into x.log (or, as an object,
// here), the record's resourceId in x.rid and time in x.recT, or the
// wrappers an Event Hub batch comes in; or the members that make it what
// another cloud delivers.
type recordWalk struct {
	hasLog, hasRID        bool
	logObj, body, records []byte
	// data is the GCP add-on's wrapper of a Cloud Audit Log entry (an
	// object), or a Firehose record's payload (a string)
	data  []byte
	cloud cloud
}

// record walks the members of the object at r once.
func (x *Extractor) record(r *reader) recordWalk {
	var rec recordWalk
	hasTime := false
	r.open('{')
	for key, ok := r.next(); ok; key, ok = r.next() {
		switch {
		case !rec.hasLog && keyIs(key, "properties") && r.peek() == '{':
			r.open('{')
			for k, ok := r.next(); ok; k, ok = r.next() {
				switch {
				case rec.hasLog || !keyIs(k, "log"):
					r.skip()
				case r.peek() == '"':
					x.log, rec.hasLog = r.str(x.log[:0]), true
				case r.peek() == '{':
					rec.logObj, rec.hasLog = r.skip(), true
				default:
					r.skip()
				}
			}
		case rec.body == nil && keyIs(key, "body") && r.peek() == '{':
			rec.body = r.skip()
		case rec.records == nil && keyIs(key, "records") && r.peek() == '[':
			rec.records = r.skip()
		case !rec.hasRID && keyIs(key, "resourceId") && r.peek() == '"':
			x.rid = r.str(x.rid[:0])
			rec.hasRID = r.err == nil
		case !hasTime && keyIs(key, "time") && r.peek() == '"':
			x.recT = r.str(x.recT[:0])
			hasTime = r.err == nil
		case rec.data == nil && keyIs(key, "data") && (r.peek() == '{' || r.peek() == '"'):
			rec.data = r.skip()
		default:
			if c := cloudOf(key); c != cloudNone && (c != cloudEnvelope || r.peek() == '[') {
				rec.cloud = c
			}
			r.skip()
		}
	}
	if !hasTime {
		x.recT = x.recT[:0]
	}
	return rec
}

// quoted reads _raw as it lies in a chunk body, every quote doubled, when
// it is one diagnostic record whose properties.log is a string, and then
// only: that spares undoing its CSV quoting, a pass over the whole record,
// since the walk of the record decodes both quotings at once. Anything else
// (another shape, a record cut short, text after it) reports nothing and
// returns false, to be read once unquoted.
func (x *Extractor) quoted(text []byte, fn func(*Event)) (bool, error) {
	text = jsontext.TrimSpace(text)
	if !bytes.HasPrefix(text, []byte(`{""`)) || isEvent(text, true) {
		return false, nil
	}
	var r reader
	r.reset(text)
	r.csv = true
	rec := x.record(&r)
	if r.err != nil || !rec.hasLog || rec.logObj != nil || len(jsontext.TrimSpace(text[r.i:])) > 0 {
		return false, nil
	}
	return true, x.event(x.log, x.cluster(rec.hasRID), fn)
}

// isEvent reports whether the object that starts obj is an audit event by
// its first key: the API server writes kind first, and no wrapper of an
// audit event has a kind. Events that an export reordered are found too,
// as what an object is when it is nothing else, after a walk of its keys.
// With csv, obj is still CSV-quoted.
func isEvent(obj []byte, csv bool) bool {
	i := 1
	for i < len(obj) && jsontext.IsSpace(obj[i]) {
		i++
	}
	if csv {
		return bytes.HasPrefix(obj[i:], []byte(`""kind""`))
	}
	return bytes.HasPrefix(obj[i:], []byte(`"kind"`))
}

// cluster returns the AKS cluster name for the record being read: the last
// segment of its own resourceId when it has one, else of the resourceId
// Splunk extracted for the event. Every path takes it from here.
func (x *Extractor) cluster(own bool) []byte {
	if own {
		return clusterName(x.rid)
	}
	if !x.asked {
		x.extracted, x.asked = x.src.ResourceID(), true
	}
	return clusterName(x.extracted)
}

// clusterName is the last path segment of an Azure resourceId,
// .../MANAGEDCLUSTERS/<name>.
func clusterName(resourceID []byte) []byte {
	if i := bytes.LastIndexByte(resourceID, '/'); i >= 0 {
		return resourceID[i+1:]
	}
	return resourceID
}
