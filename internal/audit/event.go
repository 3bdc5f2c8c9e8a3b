package audit

import (
	"bytes"

	"github.com/buger/jsonparser"

	"github.com/kubefingerprint/kubefingerprint/internal/jsontext"
)

// eventFields are the members of an audit event that general reads, and
// the field of Event each fills: text takes a string, number or boolean;
// list takes every element of an array and, with lone, a string alone as a
// list of one. quick reads the same members its own way, and FuzzOnePass
// holds the two to the same result.
var eventFields = [...]struct {
	path []string
	text func(*Event) *[]byte
	list func(*Event) *[][]byte
	lone bool
}{
	{path: []string{"sourceIPs"}, list: func(e *Event) *[][]byte { return &e.SourceIPs }, lone: true},
	{path: []string{"userAgent"}, text: func(e *Event) *[]byte { return &e.UserAgent }},
	{path: []string{"verb"}, text: func(e *Event) *[]byte { return &e.Verb }},
	{path: []string{"requestURI"}, text: func(e *Event) *[]byte { return &e.RequestURI }},
	{path: []string{"responseStatus", "reason"}, text: func(e *Event) *[]byte { return &e.Reason }},
	{path: []string{"requestReceivedTimestamp"}, text: func(e *Event) *[]byte { return &e.Time }},
	{path: []string{"user", "username"}, text: func(e *Event) *[]byte { return &e.User }},
	{path: []string{"user", "groups"}, list: func(e *Event) *[][]byte { return &e.Groups }},
	{path: []string{"auditID"}, text: func(e *Event) *[]byte { return &e.AuditID }},
	{path: []string{"stage"}, text: func(e *Event) *[]byte { return &e.Stage }},
}

// eventPaths are the paths of eventFields, in order, as jsonparser.EachKey
// takes them.
var eventPaths = func() [][]string {
	paths := make([][]string, len(eventFields))
	for i, f := range eventFields {
		paths[i] = f.path
	}
	return paths
}()

// event reads one audit event, all of ev but blanks, possibly cut short,
// of the record whose cluster is given; its time falls back to the
// record's, in x.recT. The event is reported when its code is wanted or,
// with anonymous, its caller was unauthenticated. The one walk of quick
// reads plain events; anything else, and every event cut short, is read by
// general.
func (x *Extractor) event(ev, cluster []byte, fn func(*Event)) error {
	ev = jsontext.TrimSpace(ev)
	if len(ev) == 0 || ev[0] != '{' {
		return ErrNotJSON
	}
	var r reader
	r.reset(ev)
	if x.quick(&r, cluster, fn, true) {
		return nil
	}
	return x.general(ev, cluster, fn)
}

// eventAt reads the audit event that starts at r, a value among others,
// and leaves r past it.
func (x *Extractor) eventAt(r *reader, cluster []byte, fn func(*Event)) error {
	start := *r
	if x.quick(r, cluster, fn, false) {
		return nil
	}
	*r = start
	end := jsontext.ValueEnd(r.b[r.i:])
	if end < 0 {
		end = len(r.b) - r.i
		r.fail(errCut)
	}
	ev := r.b[r.i : r.i+end]
	r.i += end
	return x.general(ev, cluster, fn)
}

// general reads an audit event with jsonparser, which tolerates what
// quick does not: escaped or repeated keys, values of unexpected kinds,
// input cut short. A code the input ends inside is no code: "40" of a cut
// "401", or "401" of a cut "4012". It is the oracle quick is tested
// against (FuzzOnePass).
func (x *Extractor) general(ev, cluster []byte, fn func(*Event)) error {
	ev = jsontext.TrimSpace(ev) // the line end after an event cut short
	v, vt, end, err := jsonparser.Get(ev, "responseStatus", "code")
	whole := jsontext.ValueEnd(ev) == len(ev)
	switch {
	case err == jsonparser.KeyPathNotFoundError && whole:
		if !isAuditEvent(ev) {
			return ErrNotAudit
		}
		x.seen++
		return nil // an event without a response, such as stage RequestReceived
	case err == nil && vt == jsonparser.Number && end >= len(ev) && len(v) != 3:
		// The input ends inside the code, or right after one or two digits
		// that may be the start of one. An HTTP status has three digits:
		// three at the cut are the whole code.
		return x.beforeCode(ev, cluster, fn)
	case err != nil && !whole:
		return x.beforeCode(ev, cluster, fn)
	case err != nil:
		return ErrMalformed
	}
	x.seen++
	code, ok := parseCode(v, vt)
	if !ok {
		return nil
	}
	wanted := x.wants(code)
	if !wanted && !x.anonymous {
		return nil
	}
	x.startEvent(ev, cluster)
	x.ev.Code, x.ev.CodeText = code, v
	jsonparser.EachKey(ev, x.fieldCB, eventPaths...)
	if !wanted && !x.ev.Anonymous() {
		return nil
	}
	x.report(fn)
	return nil
}

// What Event.Cut says of an event the input ends inside before its code.
var (
	// CutCodeInferred: a failed authentication, "user":{} at stage
	// ResponseStarted, which the API server writes for a rejected
	// credential and for nothing else; its code is 401.
	CutCodeInferred = []byte("code inferred")
	// CutCodeUnknown: an unauthenticated caller (anonymous mode); its code
	// is left empty.
	CutCodeUnknown = []byte("code unknown")
)

// Stage of the audit event the API server writes when authentication
// fails: the response has started, and no user is known.
const stageResponseStarted = "ResponseStarted"

// beforeCode reads an audit event that the input ends inside before its
// responseStatus.code: AKS's 16 KiB cut of properties.log, or Splunk's
// TRUNCATE, after a client padded its user agent or X-Forwarded-For so
// that the code falls past the cut. What lies before the cut may still say
// who called, and then the event is reported (see inferCut); else it is
// counted: ErrMalformed.
func (x *Extractor) beforeCode(ev, cluster []byte, fn func(*Event)) error {
	x.startEvent(ev, cluster)
	if w := x.walk(ev, &eventKeys); !w.cut {
		return ErrMalformed
	}
	return x.inferCut(x.rejected(), fn)
}

// rejected reports whether the event walked is a failed authentication:
// "user":{} at stage ResponseStarted, which the API server writes for a
// rejected credential and for nothing else.
func (x *Extractor) rejected() bool {
	return x.emptyUser && string(x.ev.Stage) == stageResponseStarted
}

// inferCut reports the event in x.ev, which the input ends inside before
// its code, when what lies before the cut says who called: a failed
// authentication (rejected; when 401 is wanted) with its code inferred,
// and with anonymous an unauthenticated caller with its code unknown. An
// event whose caller is authenticated or unknown is not reported, and is
// counted: ErrMalformed.
func (x *Extractor) inferCut(rejected bool, fn func(*Event)) error {
	switch {
	case rejected && x.wants(401):
		x.ev.Code, x.ev.CodeText, x.ev.Cut = 401, code401, CutCodeInferred
	case x.anonymous && x.ev.Anonymous():
		x.ev.Cut = CutCodeUnknown
	default:
		return ErrMalformed
	}
	x.seen++
	x.report(fn)
	return nil
}

// The names of an audit event's members, in the order of quick's bits:
// as the API server writes them, and as the AKSAudit and AKSAuditAdmin
// tables of Log Analytics name their columns.
type memberNames [9]string

var (
	eventKeys = memberNames{"sourceIPs", "userAgent", "verb", "requestURI", "responseStatus",
		"requestReceivedTimestamp", "user", "auditID", "stage"}
	tableColumns = memberNames{"SourceIps", "UserAgent", "Verb", "RequestUri", "ResponseStatus",
		"RequestReceivedTime", "User", "AuditId", "Stage"}
)

// A walked says what walk found of an event.
type walked struct {
	cut, syntax bool // the input ends inside the event; it is not JSON
	code        bool // x.ev.Code holds a whole code
	resourceID  []byte
	generated   []byte // TimeGenerated, a table row's time when it has no other
}

// walk reads the members of an audit event, or of a table row of one (the
// names given), into x.ev as far as the input goes, tolerating any kind of
// value: a table's dynamic columns may be JSON objects or strings that
// hold them. x.emptyUser says whether the user was read whole and empty:
// "user":{}, the mark of a failed authentication.
//
// Values are taken whole, the first of a repeated key as jsonparser
// takes it, except the user agent and request URI the cut falls in, which
// are kept as far as they go: both are a client's free text. sourceIPs
// the cut falls in are dropped whole: the address the API server saw is
// the last entry, and every entry before it is the client's
// X-Forwarded-For. A code the input ends inside is no code, unless it has
// the three digits of an HTTP status.
func (x *Extractor) walk(ev []byte, names *memberNames) walked {
	var w walked
	var r reader
	r.reset(ev)
	r.open('{')
	var seen int
	x.emptyUser = false
	table := names == &tableColumns
	for key, ok := r.next(); ok; key, ok = r.next() {
		bit := 0
		for i, name := range names {
			if keyIs(key, name) {
				bit = 1 << i
				break
			}
		}
		if bit == 0 && table {
			switch {
			case len(w.resourceID) == 0 && keyIs(key, "_ResourceId"):
				w.resourceID = x.cutString(&r, false)
			case len(w.generated) == 0 && keyIs(key, "TimeGenerated"):
				w.generated = x.cutString(&r, false)
			default:
				r.skip()
			}
			continue
		}
		if bit == 0 || seen&bit != 0 {
			r.skip()
			continue
		}
		seen |= bit
		switch bit {
		case qSourceIPs, qUser, qResponseStatus:
			in := &r
			var inner reader
			if table && r.peek() == '"' {
				// A dynamic column written as a string of JSON.
				inner.reset(x.cutString(&r, false))
				in = &inner
			}
			switch bit {
			case qSourceIPs:
				if !x.cutStrings(in, &x.ev.SourceIPs) {
					x.ev.SourceIPs = x.ev.SourceIPs[:0]
				}
			case qUser:
				x.emptyUser = x.cutUser(in)
			default:
				w.code = x.cutStatus(in)
			}
			// JSON cut short inside a string (Log Analytics cuts a long
			// dynamic value) is a row cut before what it lost.
			w.cut = w.cut || in == &inner && inner.err == errCut
		default:
			*beforeCodeText[bit](&x.ev) = x.cutString(&r, bit == qUserAgent || bit == qRequestURI)
		}
	}
	w.cut, w.syntax = w.cut || r.err == errCut, r.err == errSyntax
	return w
}

// cutStatus reads responseStatus as far as the input goes: its reason,
// and its code, which it reports whether it read whole.
func (x *Extractor) cutStatus(r *reader) bool {
	if r.peek() != '{' {
		r.skip()
		return false
	}
	r.open('{')
	code := false
	for k, ok := r.next(); ok; k, ok = r.next() {
		switch {
		case keyIs(k, "reason") && len(x.ev.Reason) == 0:
			x.ev.Reason = x.cutString(r, false)
		case keyIs(k, "code") && !code:
			v, vt := r.skip(), jsonparser.Number
			if len(v) > 1 && v[0] == '"' {
				v, vt = v[1:len(v)-1], jsonparser.String
			}
			if r.err == errCut && (vt == jsonparser.String || len(v) != 3) {
				continue // "40" of a cut "401", or "401" of a cut "4012"
			}
			x.ev.Code, code = parseCode(v, vt)
			x.ev.CodeText = v
		default:
			r.skip()
		}
	}
	return code
}

var code401 = []byte("401")

// beforeCodeText are the members walk reads as plain strings.
var (
	beforeCodeText = map[int]func(*Event) *[]byte{
		qUserAgent:  func(e *Event) *[]byte { return &e.UserAgent },
		qVerb:       func(e *Event) *[]byte { return &e.Verb },
		qRequestURI: func(e *Event) *[]byte { return &e.RequestURI },
		qTime:       func(e *Event) *[]byte { return &e.Time },
		qAuditID:    func(e *Event) *[]byte { return &e.AuditID },
		qStage:      func(e *Event) *[]byte { return &e.Stage },
	}
)

// cutString reads a string value decoded into x.str: nil for another
// kind of value or, unless partial, for a string the input ends inside.
func (x *Extractor) cutString(r *reader, partial bool) []byte {
	if r.peek() != '"' {
		r.skip()
		return nil
	}
	start := len(x.str)
	x.str = r.str(x.str)
	if r.err != nil && !partial {
		return nil
	}
	return x.str[start:len(x.str):len(x.str)]
}

// cutStrings reads an array of strings onto dst and reports whether the
// array was read whole.
func (x *Extractor) cutStrings(r *reader, dst *[][]byte) bool {
	if r.peek() != '[' {
		r.skip()
		return r.err == nil
	}
	r.open('[')
	for r.element() {
		if v := x.cutString(r, false); r.err == nil {
			*dst = x.ev.appendCapped(*dst, v)
		}
	}
	return r.err == nil
}

// cutUser reads the user object as far as the input goes, and reports
// whether it was read whole and empty: "user":{}, the mark of a failed
// authentication.
func (x *Extractor) cutUser(r *reader) bool {
	if r.peek() != '{' {
		r.skip()
		return false
	}
	r.open('{')
	members := 0
	for key, ok := r.next(); ok; key, ok = r.next() {
		members++
		switch {
		case keyIs(key, "username") && len(x.ev.User) == 0:
			x.ev.User = x.cutString(r, false)
		case keyIs(key, "groups") && len(x.ev.Groups) == 0:
			x.cutStrings(r, &x.ev.Groups)
		default:
			r.skip()
		}
	}
	return r.err == nil && members == 0
}

// startEvent empties x.ev for event ev and sizes x.str to hold all of its
// decoded strings, so that it never reallocates while they are taken.
func (x *Extractor) startEvent(ev, cluster []byte) {
	if cap(x.str) < len(ev) {
		x.str = make([]byte, 0, len(ev)+len(ev)/4)
	}
	x.str = x.str[:0]
	x.ev = Event{SourceIPs: x.ev.SourceIPs[:0], Groups: x.ev.Groups[:0], Cluster: cluster}
}

func (x *Extractor) report(fn func(*Event)) {
	if len(x.ev.Time) == 0 {
		x.ev.Time = x.recT
	}
	x.ev.Batched = x.batched()
	fn(&x.ev)
}

// The members of an audit event that quick reads, as bits.
const (
	qSourceIPs = 1 << iota
	qUserAgent
	qVerb
	qRequestURI
	qResponseStatus
	qTime
	qUser
	qAuditID
	qStage
)

// quick reads the plain audit event that starts at r in one walk that
// takes the wanted fields on its way, and stops as soon as the event cannot
// match: its code known and unwanted (responseStatus precedes requestObject
// in real events) and, with anonymous, its caller known and authenticated;
// the rest of the event is then only passed over. A matching event is
// walked to its end, which proves it complete; with whole, nothing but
// blanks may follow it. quick returns false, having reported nothing, for
// anything it does not read exactly as general would: an escaped or
// repeated key among those it reads, a value of another kind than the API
// server writes, input cut short or not JSON, an event without a code. On
// true, r is past the event.
func (x *Extractor) quick(r *reader, cluster []byte, fn func(*Event), whole bool) bool {
	if !r.open('{') {
		return false
	}
	x.startEvent(r.b[r.i:], cluster)
	var seen int
	wanted, known := false, false
	for key, ok := r.next(); ok; key, ok = r.next() {
		var bit int
		switch string(key) {
		case "sourceIPs":
			bit = qSourceIPs
			if !x.quickStrings(r, &x.ev.SourceIPs) {
				return false
			}
		case "userAgent":
			bit = qUserAgent
			x.ev.UserAgent = x.quickString(r)
		case "verb":
			bit = qVerb
			x.ev.Verb = x.quickString(r)
		case "requestURI":
			bit = qRequestURI
			x.ev.RequestURI = x.quickString(r)
		case "requestReceivedTimestamp":
			bit = qTime
			x.ev.Time = x.quickString(r)
		case "auditID":
			bit = qAuditID
			x.ev.AuditID = x.quickString(r)
		case "stage":
			bit = qStage
			x.ev.Stage = x.quickString(r)
		case "user":
			bit = qUser
			if !x.quickUser(r) {
				return false
			}
		case "responseStatus":
			bit = qResponseStatus
			code, ok := x.quickStatus(r)
			if !ok || seen&bit != 0 {
				return false
			}
			known = true
			if code < 0 {
				x.seen++ // a code that is no number: never a match, as in general
				r.rest()
				return true
			}
			x.ev.Code, wanted = code, x.wants(code)
		default:
			if bytes.IndexByte(key, '\\') >= 0 {
				return false
			}
			r.skipValid()
		}
		if r.err != nil || seen&bit != 0 {
			return false
		}
		seen |= bit
		if known && !wanted && (!x.anonymous || seen&qUser != 0 && !x.ev.Anonymous()) {
			x.seen++
			r.rest()
			return true
		}
	}
	if r.err != nil || !known || whole && len(jsontext.TrimSpace(r.b[r.i:])) > 0 {
		return false
	}
	x.seen++
	if wanted || x.ev.Anonymous() {
		x.report(fn)
	}
	return true
}

// quickString reads a string value, decoded only when it has escapes;
// anything else fails r.
func (x *Extractor) quickString(r *reader) []byte {
	if r.peek() != '"' {
		r.fail(errSyntax)
		return nil
	}
	end := jsontext.StringEnd(r.b[r.i+1:])
	if end < 0 {
		r.fail(errCut)
		return nil
	}
	v := r.b[r.i+1 : r.i+1+end]
	r.i += end + 2
	if bytes.IndexByte(v, '\\') < 0 {
		return v
	}
	start := len(x.str)
	var err error
	if x.str, err = appendUnescaped(x.str, v); err != nil {
		r.fail(errSyntax)
		return nil
	}
	return x.str[start:len(x.str):len(x.str)]
}

// quickStrings reads an array of strings onto dst.
func (x *Extractor) quickStrings(r *reader, dst *[][]byte) bool {
	if !r.open('[') {
		return false
	}
	for r.element() {
		*dst = x.ev.appendCapped(*dst, x.quickString(r))
	}
	return r.err == nil
}

// quickUser reads the user object: username and groups.
func (x *Extractor) quickUser(r *reader) bool {
	if !r.open('{') {
		return false
	}
	seen := 0
	for key, ok := r.next(); ok; key, ok = r.next() {
		bit := 0
		switch string(key) {
		case "username":
			bit = 1
			x.ev.User = x.quickString(r)
		case "groups":
			bit = 2
			if !x.quickStrings(r, &x.ev.Groups) {
				return false
			}
		default:
			if bytes.IndexByte(key, '\\') >= 0 {
				return false
			}
			r.skipValid()
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
	}
	return r.err == nil
}

// quickStatus reads responseStatus: its reason into x.ev, and its code,
// -1 for a number or string that is no code. It fails for a status
// without a code, or a code of another kind.
func (x *Extractor) quickStatus(r *reader) (int, bool) {
	if !r.open('{') {
		return 0, false
	}
	seen, code := 0, 0
	for key, ok := r.next(); ok; key, ok = r.next() {
		bit := 0
		switch string(key) {
		case "code":
			bit = 1
			v, vt := r.skipValid(), jsonparser.Number
			switch {
			case len(v) > 1 && v[0] == '"':
				v, vt = v[1:len(v)-1], jsonparser.String
			case !jsontext.IsNumber(v):
				return 0, false
			}
			x.ev.CodeText = v
			var ok bool
			if code, ok = parseCode(v, vt); !ok {
				code = -1
			}
		case "reason":
			bit = 2
			x.ev.Reason = x.quickString(r)
		default:
			if bytes.IndexByte(key, '\\') >= 0 {
				return 0, false
			}
			r.skipValid()
		}
		if seen&bit != 0 {
			return 0, false
		}
		seen |= bit
	}
	return code, r.err == nil && seen&1 != 0
}

// setField takes the value jsonparser found of eventFields[i]. On an
// error i may be -1.
func (x *Extractor) setField(i int, v []byte, vt jsonparser.ValueType, err error) {
	if err != nil {
		return
	}
	switch f := &eventFields[i]; {
	case f.text != nil:
		*f.text(&x.ev) = x.value(v, vt)
	case vt == jsonparser.Array:
		x.list = f.list(&x.ev)
		jsonparser.ArrayEach(v, x.elementCB)
	case vt == jsonparser.String && f.lone:
		x.list = f.list(&x.ev)
		x.addElement(v, vt, 0, nil)
	}
}

// addElement appends an element of the array being read to x.list.
func (x *Extractor) addElement(v []byte, vt jsonparser.ValueType, _ int, err error) {
	if err == nil {
		*x.list = x.ev.appendCapped(*x.list, x.value(v, vt))
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
	v = jsontext.TrimSpace(v)
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

// RoutedPath is the path of a requestURI as the API server routes it: the
// query string and fragment dropped, percent-escapes decoded. The audit
// log keeps what the client wrote (/%61pi/v1/pods), which routes as
// /api/v1/pods; whoever compares paths compares this. It allocates only
// for a path that holds an escape.
func RoutedPath(uri []byte) []byte {
	if i := bytes.IndexAny(uri, "?#"); i >= 0 {
		uri = uri[:i]
	}
	if bytes.IndexByte(uri, '%') < 0 {
		return uri
	}
	out := make([]byte, 0, len(uri))
	for i := 0; i < len(uri); i++ {
		if uri[i] == '%' && i+2 < len(uri) && isHex(uri[i+1]) && isHex(uri[i+2]) {
			out = append(out, unhex(uri[i+1])<<4|unhex(uri[i+2]))
			i += 2
			continue
		}
		out = append(out, uri[i])
	}
	return out
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
