package audit

import (
	"bytes"

	"github.com/buger/jsonparser"
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

// event reads one audit event, possibly cut short, of the record whose
// cluster is given; its time falls back to the record's, in x.recT. The
// event is reported when its code is wanted or, with anonymous, its caller
// was unauthenticated. A code the input ends inside is no code: "40" of a
// cut "401", or "401" of a cut "4012".
func (x *Extractor) event(ev, cluster []byte, fn func(*Event)) error {
	ev = trimSpace(ev)
	if len(ev) == 0 || ev[0] != '{' {
		return ErrNotJSON
	}
	v, vt, end, err := jsonparser.Get(ev, "responseStatus", "code")
	switch {
	case err == jsonparser.KeyPathNotFoundError && ValueEnd(ev) == len(ev):
		if !isAuditEvent(ev) {
			return ErrNotAudit
		}
		x.seen++
		return nil // an event without a response, such as stage RequestReceived
	case err != nil, vt == jsonparser.Number && end >= len(ev):
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
	if cap(x.str) < len(ev) {
		x.str = make([]byte, 0, len(ev)+len(ev)/4)
	}
	x.str = x.str[:0]
	x.ev = Event{Code: code, CodeText: v, SourceIPs: x.ev.SourceIPs[:0], Groups: x.ev.Groups[:0], Cluster: cluster}
	jsonparser.EachKey(ev, x.fieldCB, fieldPaths[:]...)
	if !wanted && !x.ev.Anonymous() {
		return nil
	}
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
