package audit

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"io"
	"slices"
	"strconv"

	"github.com/buger/jsonparser"

	"github.com/kubefingerprint/kubefingerprint/internal/jsontext"
)

// What an object is, besides an AKS diagnostic record or a bare audit
// event, by a member only that shape has.
type cloud uint8

const (
	cloudNone cloud = iota
	// cloudEntry: a Cloud Audit Log entry (GKE), by its protoPayload.
	cloudEntry
	// cloudRow: a row of the AKSAudit or AKSAuditAdmin table of Log
	// Analytics, by its PascalCase columns.
	cloudRow
	// cloudEnvelope: CloudWatch Logs events (EKS): a subscription's
	// delivery (logEvents) or what aws logs filter-log-events and
	// get-log-events print (events).
	cloudEnvelope
)

func cloudOf(key []byte) cloud {
	switch {
	case keyIs(key, "protoPayload"):
		return cloudEntry
	case keyIs(key, "AuditId"), keyIs(key, "RequestUri"):
		return cloudRow
	case keyIs(key, "logEvents"), keyIs(key, "events"):
		return cloudEnvelope
	}
	return cloudNone
}

// entry reads a Cloud Audit Log entry of GKE (protoPayload.serviceName
// k8s.io) into the row every other shape gives: verb from methodName,
// requestURI from resourceName, the code from the google.rpc status, the
// user from principalEmail, the one caller address, callerSuppliedUserAgent,
// the cluster from resource.labels.cluster_name, the auditID from insertId,
// the time from timestamp. GKE logs no query string, no stage and no
// groups. An entry the input ends inside before its status is read as a
// bare event cut before its code is (inferCut): authenticationInfo
// without a principal is a failed authentication, system:anonymous an
// unauthenticated caller.
func (x *Extractor) entry(e []byte, fn func(*Event)) error {
	x.startEvent(e, nil)
	var r reader
	r.reset(e)
	r.open('{')
	var service, method, resource, rpc []byte
	// What an entry cut before its methodName still says of itself:
	// operation.producer, before protoPayload in gcloud's order, and the
	// first authorizationInfo's permission and resource (the method and
	// resource name again), before methodName.
	var producer, permission, authorized []byte
	payloadWhole := false
	// rejected: authenticationInfo read whole without a principal, which
	// GKE writes for a failed authentication, and for nothing else
	rejected := false
	for key, ok := r.next(); ok; key, ok = r.next() {
		switch {
		case keyIs(key, "protoPayload") && r.peek() == '{' && !payloadWhole:
			r.open('{')
			for k, ok := r.next(); ok; k, ok = r.next() {
				switch {
				case keyIs(k, "serviceName"):
					service = x.cutString(&r, false)
				case keyIs(k, "methodName"):
					method = x.cutString(&r, false)
				case keyIs(k, "resourceName"):
					resource = x.cutString(&r, true)
					if r.err == errCut && bytes.IndexByte(resource, '/') < 0 {
						resource = nil // cut before it says core or another group
					}
				case keyIs(k, "authorizationInfo") && r.peek() == '[':
					r.open('[')
					for r.element() {
						if permission != nil || authorized != nil {
							r.skip()
							continue
						}
						x.members(&r, func(k []byte) bool {
							switch {
							case keyIs(k, "permission"):
								permission = x.cutString(&r, false)
							case keyIs(k, "resource"):
								authorized = x.cutString(&r, true)
							default:
								return false
							}
							return true
						})
					}
				case keyIs(k, "authenticationInfo"):
					principal := false
					x.members(&r, func(k []byte) bool {
						if keyIs(k, "principalEmail") {
							x.ev.User, principal = x.cutString(&r, false), true
							return true
						}
						return false
					})
					rejected = !principal && r.err == nil
				case keyIs(k, "requestMetadata"):
					x.members(&r, func(k []byte) bool {
						switch {
						case keyIs(k, "callerIp"):
							if ip := x.cutString(&r, false); ip != nil {
								x.ev.SourceIPs = append(x.ev.SourceIPs[:0], ip)
							}
						case keyIs(k, "callerSuppliedUserAgent"):
							x.ev.UserAgent = x.cutString(&r, true)
						default:
							return false
						}
						return true
					})
				case keyIs(k, "status"):
					x.members(&r, func(k []byte) bool {
						switch {
						case keyIs(k, "code"):
							if v := r.skip(); r.err == nil {
								rpc = v
							}
						case keyIs(k, "message"):
							x.ev.Reason = x.cutString(&r, false)
						default:
							return false
						}
						return true
					})
				default:
					r.skip()
				}
			}
			payloadWhole = r.err == nil
		case keyIs(key, "resource"):
			x.members(&r, func(k []byte) bool {
				if !keyIs(k, "labels") {
					return false
				}
				x.members(&r, func(k []byte) bool {
					if keyIs(k, "cluster_name") {
						x.ev.Cluster = x.cutString(&r, false)
						return true
					}
					return false
				})
				return true
			})
		case keyIs(key, "operation"):
			x.members(&r, func(k []byte) bool {
				if keyIs(k, "producer") {
					producer = x.cutString(&r, false)
					return true
				}
				return false
			})
		case keyIs(key, "insertId"):
			x.ev.AuditID = x.cutString(&r, false)
		case keyIs(key, "timestamp"):
			x.ev.Time = x.cutString(&r, false)
		default:
			r.skip()
		}
	}
	if method == nil {
		method = permission
	}
	if resource == nil && bytes.IndexByte(authorized, '/') >= 0 {
		resource = authorized
	}
	kubernetes := string(service) == gkeService || service == nil &&
		(bytes.HasPrefix(method, []byte(gkeMethod)) || string(producer) == gkeService)
	switch {
	case r.err == errSyntax:
		return ErrNotJSON
	case service != nil && !kubernetes:
		return ErrOtherService
	case !kubernetes && r.err == nil:
		return ErrNotAudit
	case !kubernetes:
		return ErrMalformed // cut before it says whose entry it is
	}
	if i := bytes.LastIndexByte(method, '.'); i >= 0 {
		x.ev.Verb = method[i+1:]
	}
	if resource != nil {
		x.ev.RequestURI = x.gkeURI(method, resource)
	}
	// An entry without a status, or with an empty one, is OK; which it is
	// is known once protoPayload is read whole.
	switch {
	case rpc != nil:
		x.ev.CodeText = httpOfRPC(rpc)
		x.ev.Code, _ = parseCode(x.ev.CodeText, jsonparser.Number)
	case !payloadWhole:
		return x.inferCut(rejected, fn)
	default:
		x.ev.CodeText, x.ev.Code = httpStatus[0], 200
	}
	x.seen++
	if x.wants(x.ev.Code) || x.anonymous && x.ev.Anonymous() {
		x.report(fn)
	}
	return nil
}

// What GKE writes of the Kubernetes API server in a Cloud Audit Log entry.
const (
	gkeService = "k8s.io"
	gkeMethod  = "io.k8s."
)

// members reads the members of the object that comes next: each is
// offered to take, which reads its value and returns true, or returns
// false to have it passed over. It reports whether the object was there.
func (x *Extractor) members(r *reader, take func(key []byte) bool) bool {
	if r.peek() != '{' {
		r.skip()
		return false
	}
	r.open('{')
	for k, ok := r.next(); ok; k, ok = r.next() {
		if !take(k) {
			r.skip()
		}
	}
	return true
}

// gkeURI rebuilds the request URI of a GKE entry: a resource method
// (io.k8s.<group>.<version>.<resource>.<verb>) names its object as
// core/v1/... for the core group, served under /api, and
// <group>/<version>/... for the others, under /apis; a non-resource
// method (io.k8s.<verb>) names the path without its leading slash.
func (x *Extractor) gkeURI(method, resource []byte) []byte {
	start := len(x.str)
	switch rest, core := bytes.CutPrefix(resource, []byte("core/")); {
	case bytes.Count(method, []byte(".")) <= 2:
		x.str = append(x.str, '/')
		x.str = append(x.str, resource...)
	case core:
		x.str = append(x.str, "/api/"...)
		x.str = append(x.str, rest...)
	default:
		x.str = append(x.str, "/apis/"...)
		x.str = append(x.str, resource...)
	}
	return x.str[start:len(x.str):len(x.str)]
}

// httpStatus is the HTTP status of each google.rpc code, by google.rpc's
// own mapping (google/rpc/code.proto).
var httpStatus = [...][]byte{
	0: []byte("200"), 1: []byte("499"), 2: []byte("500"), 3: []byte("400"), 4: []byte("504"),
	5: []byte("404"), 6: []byte("409"), 7: []byte("403"), 8: []byte("429"), 9: []byte("400"),
	10: []byte("409"), 11: []byte("400"), 12: []byte("501"), 13: []byte("500"), 14: []byte("503"),
	15: []byte("500"), 16: []byte("401"),
}

// httpOfRPC is the HTTP status of a google.rpc code as the entry writes
// it; a code google.rpc does not define is UNKNOWN, 500.
func httpOfRPC(rpc []byte) []byte {
	if n, ok := parseCode(rpc, jsonparser.Number); ok && n < len(httpStatus) {
		return httpStatus[n]
	}
	return httpStatus[2]
}

// rpcOfHTTP appends the google.rpc codes, as text, whose HTTP status is
// code.
func rpcOfHTTP(dst [][]byte, code int) [][]byte {
	for rpc, h := range httpStatus {
		if n, _ := parseCode(h, jsonparser.Number); n == code {
			dst = append(dst, strconv.AppendInt(nil, int64(rpc), 10))
		}
	}
	return dst
}

// row reads a row of the AKSAudit or AKSAuditAdmin table, as Log
// Analytics data export writes it or as a query result exported to JSON:
// the audit event's members as PascalCase columns, the cluster in
// _ResourceId. It is read as a bare event is, cut or whole.
func (x *Extractor) row(obj []byte, fn func(*Event)) error {
	x.startEvent(obj, nil)
	w := x.walk(obj, &tableColumns)
	x.ev.Cluster = clusterName(w.resourceID)
	if len(x.ev.Time) == 0 {
		x.ev.Time = w.generated
	}
	switch {
	case w.syntax:
		return ErrNotJSON
	case !w.code && w.cut:
		return x.inferCut(x.rejected(), fn)
	case !w.code:
		x.seen++
		return nil // no response: stage RequestReceived
	}
	x.seen++
	if x.wants(x.ev.Code) || x.anonymous && x.ev.Anonymous() {
		x.report(fn)
	}
	return nil
}

// envelope reads CloudWatch Logs events of an EKS cluster: each event's
// message is one audit event as a JSON string, and the log group,
// /aws/eks/<cluster>/cluster, names the cluster. A control message, which
// CloudWatch sends to check a subscription's destination, holds none.
func (x *Extractor) envelope(obj []byte, fn func(*Event)) error {
	var r reader
	r.reset(obj)
	r.open('{')
	var events []byte
	var group []byte
	for key, ok := r.next(); ok; key, ok = r.next() {
		switch {
		case events == nil && (keyIs(key, "logEvents") || keyIs(key, "events")) && r.peek() == '[':
			events = r.skip()
		case group == nil && keyIs(key, "logGroup") && r.peek() == '"':
			x.rid = r.str(x.rid[:0])
			if r.err == nil {
				group = x.rid
			}
		case keyIs(key, "messageType") && r.peek() == '"':
			if string(r.skip()) == `"CONTROL_MESSAGE"` {
				return nil
			}
		default:
			r.skip()
		}
	}
	cluster := eksCluster(group)
	if group == nil {
		cluster = x.cluster(false)
	}
	var first error
	if r.err == errSyntax {
		first = ErrNotJSON
	}
	seen, messages := x.seen, 0
	r.reset(events)
	r.open('[')
	x.arrays++
	for r.element() {
		el := r.skip()
		if len(el) == 0 || el[0] != '{' {
			continue
		}
		var err error
		cut := r.err == errCut
		switch {
		case x.logEvent(el, cluster, fn, &err):
			messages++
		case cut:
			// The tail of a delivery cut short: no message began.
		default:
			// No log event: an audit event, or whatever an export put in
			// an events array, read as an element of any batch.
			var e reader
			e.reset(el)
			err = x.element(&e, 1, fn)
		}
		if err != nil && first == nil {
			first = err
		}
	}
	x.arrays--
	switch {
	case first != nil:
	case r.err == errCut && x.seen == seen:
		first = ErrMalformed
	case r.err == errCut:
		first = ErrTruncated
	case x.seen == seen && messages == 0:
		first = ErrNotAudit
	}
	return first
}

// logEvent reads a CloudWatch Logs event, el, if it has a message: a
// string of text, an audit event, as CloudWatch writes it, or the audit
// event as an object.
func (x *Extractor) logEvent(el, cluster []byte, fn func(*Event), err *error) bool {
	var m reader
	m.reset(el)
	m.open('{')
	for key, ok := m.next(); ok; key, ok = m.next() {
		if !keyIs(key, "message") {
			m.skip()
			continue
		}
		switch m.peek() {
		case '"':
			x.msg = m.str(x.msg[:0])
			*err = x.message(x.msg, cluster, fn)
		case '{':
			*err = x.event(m.skip(), cluster, fn)
		default:
			m.skip()
			*err = ErrLogText
		}
		return true
	}
	return false
}

// message reads the message of a CloudWatch Logs event: an audit event,
// else text.
func (x *Extractor) message(msg, cluster []byte, fn func(*Event)) error {
	msg = jsontext.TrimSpace(msg)
	if len(msg) == 0 || msg[0] != '{' {
		return ErrLogText
	}
	return x.event(msg, cluster, fn)
}

// eksCluster is the cluster an EKS log group names:
// /aws/eks/<cluster>/cluster. Another group names none.
func eksCluster(group []byte) []byte {
	rest, ok := bytes.CutPrefix(group, []byte("/aws/eks/"))
	if name, ok2 := bytes.CutSuffix(rest, []byte("/cluster")); ok && ok2 && bytes.IndexByte(name, '/') < 0 {
		return name
	}
	return nil
}

// MaxPayload bounds what one payload (base64 gzip: CloudWatch Logs hands
// a subscription's events to Firehose gzip-compressed, and Firehose's
// records carry them base64-encoded) may uncompress to: more is read as
// input cut short, so that a small payload cannot take gigabytes.
const MaxPayload = 16 << 20

// payload reads a base64 gzip payload, a JSON string or plain text, as
// any text is read once uncompressed. A payload inside a payload is not
// opened.
func (x *Extractor) payload(p []byte, fn func(*Event)) error {
	p = jsontext.TrimSpace(p)
	if len(p) > 0 && p[0] == '"' {
		end := jsontext.StringEnd(p[1:])
		if end < 0 {
			return ErrMalformed
		}
		var err error
		if x.zipped, err = appendUnescaped(x.zipped[:0], p[1:1+end]); err != nil {
			return ErrNotJSON
		}
		p = x.zipped
	}
	if x.unzipping || !jsontext.IsPayload(p) {
		return ErrPayload
	}
	// A payload cut short is read as far as it goes: its whole quanta of
	// base64, and what they uncompress to.
	p = p[:len(p)/4*4]
	n := base64.StdEncoding.DecodedLen(len(p))
	if cap(x.b64) < n {
		x.b64 = make([]byte, n)
	}
	// What decodes before a bad character is read, as a payload cut there.
	n, bad := base64.StdEncoding.Decode(x.b64[:n], p)
	var cut error
	x.text, cut = x.gunzip(x.text[:0], x.b64[:n])
	if bad != nil {
		cut = bad
	}
	if len(x.text) == 0 {
		return ErrPayload
	}
	x.unzipping = true
	defer func() { x.unzipping = false }()
	later, top := x.later, x.top
	err := x.values(x.text, fn)
	x.later, x.top = later, top
	if cut != nil {
		err = ErrPayload // the cause, rather than what it cut short
	}
	return err
}

// gunzip appends what gzip data z uncompresses to, up to MaxPayload, to
// dst; an error says it was cut short or bad after what was appended. Its
// decompressor is made once.
func (x *Extractor) gunzip(dst, z []byte) ([]byte, error) {
	x.zr.Reset(z)
	var err error
	if x.gz == nil {
		x.gz, err = gzip.NewReader(&x.zr)
	} else {
		err = x.gz.Reset(&x.zr)
	}
	if err != nil {
		return dst, err
	}
	for len(dst) < MaxPayload {
		if len(dst) == cap(dst) {
			// Grown by doubling, never past MaxPayload.
			dst = slices.Grow(dst, min(max(cap(dst), 64<<10), MaxPayload-len(dst)))
		}
		n, err := x.gz.Read(dst[len(dst):min(cap(dst), MaxPayload)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
	if _, err := x.gz.Read(make([]byte, 1)); err == io.EOF {
		return dst, nil // exactly MaxPayload
	}
	return dst, errCut
}
