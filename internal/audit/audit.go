// Package audit owns every decision about where a Kubernetes audit event
// (audit.k8s.io Event) lies in what Splunk or a file holds, and which of its
// fields the scan-fingerprint detection reports. The search command and the
// scan command line both hand an Extractor what they have of one event or
// document (a Source) and get Events back with every derived field, so the
// two cannot disagree on any shape.
//
// Shapes understood, alone or several in a row (line merging, concatenated
// JSON), each possibly cut short (Splunk's TRUNCATE, AKS's 16 KiB limit on
// properties.log) and read as far as it goes:
//
//   - an Azure diagnostic record (blob input, PT1H.json) whose
//     properties.log is the audit event as a JSON string or object, of any
//     category: klog text in properties.log is not JSON and is skipped;
//   - the same record under an Event Hub "body" wrapper;
//   - a {"records":[...]} batch of such records, also under "body";
//   - a top-level JSON array of any of these;
//   - a bare audit event (self-managed clusters, EKS);
//   - properties.log as Splunk's search-time extraction produced it, with
//     the record's resourceId beside it;
//   - and what other clouds deliver (clouds.go): a GKE Cloud Audit Log
//     entry, also under the GCP add-on's data; a row of the AKSAudit or
//     AKSAuditAdmin table; CloudWatch Logs events of an EKS log group, as a
//     subscription delivers them or the aws CLI prints them, also gzip
//     compressed and base64 encoded as Firehose carries them.
//
// It reads with its own one-pass reader, on jsontext's lexer, and with
// jsonparser's scanning calls where that reader declines an event (see
// Extractor.general): no reflection, and no allocation per event once its
// buffers have grown.
package audit

import "errors"

// Reasons an event or document yields no audit event. They are counted,
// never fatal.
var (
	ErrNotJSON   = errors.New("not JSON")
	ErrNotAudit  = errors.New("no Kubernetes audit event in it")
	ErrMalformed = errors.New("audit event malformed or cut short before responseStatus.code")
	// ErrOtherService: a Cloud Audit Log entry of another service than
	// Kubernetes (k8s.io), such as compute, IAM or GKE's own cluster
	// operations (container.googleapis.com). It is no audit event, and no
	// audit data is lost by passing it over.
	ErrOtherService = errors.New("a Cloud Audit Log entry of another service than k8s.io")
	// ErrTruncated: a batch, array or delivery of several audit events that
	// the input ends inside (Splunk's TRUNCATE, a file cut short) after
	// the events read: those after the cut are lost, and no one can say
	// how many.
	ErrTruncated = errors.New("several audit events cut short after those read")
	// ErrLogText: a CloudWatch Logs message that is not JSON, such as the
	// klog text of the API server's other streams in an EKS log group.
	ErrLogText = errors.New("log message not JSON (klog text)")
	// ErrPayload: a base64 payload (a Firehose record) that is not gzip
	// data, or that is cut short: what it held up to the damage is read.
	ErrPayload = errors.New("base64 gzip payload damaged or cut short")
)

// An Event holds what the detection reports of one audit event. Its slices
// point into the Source or into the Extractor's buffers and are valid only
// until the callback that received it returns.
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

	// Batched says the event is one of several that one Splunk event or
	// document holds: an element of a records[] batch or of an array, or
	// a record after the first of line-merged or concatenated ones. Such
	// an event's row carries its own time (Time), not the Splunk event's.
	Batched bool

	// Cut is empty for an event read up to its code, else what a row says
	// of an event the input ends inside before it: CutCodeInferred or
	// CutCodeUnknown (see Extractor.beforeCode).
	Cut []byte

	// ListsCut says sourceIPs or user.groups held more than MaxList
	// entries and only the first MaxList-1 and the last were kept. A client
	// can make sourceIPs that long (1 MiB of X-Forwarded-For holds some
	// 100,000 addresses), though AKS's 16 KiB cut of properties.log keeps
	// a few hundred at most, and a crafted file could hold any number:
	// keeping every entry would let one document take gigabytes. What was
	// dropped can neither narrow a report nor widen an allowlist row: see
	// Anonymous and the allowlist.
	ListsCut bool
}

// MaxList is how many entries of sourceIPs or user.groups an Event keeps.
const MaxList = 1000

// appendCapped appends v to list, keeping at most MaxList entries: the
// first MaxList-1 and the latest, so that the last address, src_ip, is
// always the one the API server saw.
func (ev *Event) appendCapped(list [][]byte, v []byte) [][]byte {
	if len(list) < MaxList {
		return append(list, v)
	}
	ev.ListsCut = true
	list[len(list)-1] = v
	return list
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
//
// An event whose lists were cut counts as anonymous: a dropped group could
// have been system:unauthenticated, and a report beats a silent miss.
func (ev *Event) Anonymous() bool {
	if string(ev.User) == userAnonymous || ev.ListsCut {
		return true
	}
	for _, g := range ev.Groups {
		if string(g) == groupUnauthenticated {
			return true
		}
	}
	return false
}

// The names the API server gives a caller without credentials when
// anonymous authentication is on (the Kubernetes default).
const (
	userAnonymous        = "system:anonymous"
	groupUnauthenticated = "system:unauthenticated"
)

// A Source is what the caller has of one Splunk event, or one document of
// a file. Each method returns a field's values (several for a multivalue
// field), none when the field is absent; the Extractor calls only those it
// needs, at most once per Read, so a Source may decode fields lazily.
type Source interface {
	// Raw is the audit data as it was indexed: _raw, the field input= names,
	// or a document read from a file. It is read first, in any shape.
	Raw() [][]byte
	// Log is properties.log (or body.properties.log) as Splunk's search-time
	// extraction produced it. It is read only when Raw holds no audit data.
	Log() [][]byte
	// ResourceID is resourceId (or body.resourceId) as Splunk extracted
	// it: the cluster of an event whose own record does not name one.
	ResourceID() []byte
}

// A QuotedSource is a Source that can also hand over Raw as it lies in a
// chunk body, its CSV quoting not undone: a record is then read in one walk
// that undoes both quotings, and Raw is asked for only when that cannot be
// (see Extractor.quoted).
type QuotedSource interface {
	Source
	// RawQuoted is the one value of _raw as it lies in the CSV body, every
	// quote doubled, or nil.
	RawQuoted() []byte
}

// A Document is a Source that is one piece of text, such as a document
// read from a file: it is read as _raw is.
type Document struct{ text [1][]byte }

// NewDocument returns the Source for text.
func NewDocument(text []byte) *Document { return &Document{text: [1][]byte{text}} }

// Raw returns the text.
func (d *Document) Raw() [][]byte { return d.text[:] }

// Log returns nothing: a document has no extracted fields.
func (d *Document) Log() [][]byte { return nil }

// ResourceID returns nothing: a document has no extracted fields.
func (d *Document) ResourceID() []byte { return nil }
