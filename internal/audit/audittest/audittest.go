// Package audittest builds Kubernetes audit events and the AKS records that
// carry them, in the key order real data has (responseStatus before
// requestObject, properties before resourceId), for tests of every input
// shape: storage-blob records, Event Hub wrappers, batches, bare events.
package audittest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// An Event describes one audit event.
type Event struct {
	AuditID   string
	Stage     string // default ResponseComplete
	URI       string
	Verb      string // default get
	User      string // user.username; empty gives "user":{}, as a rejected credential has
	Groups    []string
	SourceIPs []string
	UserAgent string
	Code      int    // responseStatus.code; 0 leaves responseStatus out (stage RequestReceived)
	CodeJSON  string // the code as written, when not the plain number (`"401"`)
	Reason    string
	Time      string // requestReceivedTimestamp
	Padding   int    // bytes of requestObject after responseStatus, to reach AKS's 16 KiB cut
}

// Anonymous is the caller the API server makes of a request without
// credentials when anonymous authentication is on.
func Anonymous(e Event) Event {
	e.User, e.Groups = "system:anonymous", []string{"system:unauthenticated"}
	return e
}

// JSON renders the event as the API server writes it, on one line.
func (e Event) JSON() string {
	var b strings.Builder
	b.WriteString(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata"`)
	field := func(k, v string) { fmt.Fprintf(&b, `,%q:%s`, k, jsonText(v)) }
	field("auditID", e.AuditID)
	field("stage", or(e.Stage, "ResponseComplete"))
	field("requestURI", e.URI)
	field("verb", or(e.Verb, "get"))
	b.WriteString(`,"user":{`)
	if e.User != "" {
		fmt.Fprintf(&b, `"username":%s,"uid":"0b7f3c4e-1111-4000-8000-000000000000"`, jsonText(e.User))
		if e.Groups != nil {
			g, _ := json.Marshal(e.Groups)
			fmt.Fprintf(&b, `,"groups":%s`, g)
		}
	} else if e.Groups != nil {
		g, _ := json.Marshal(e.Groups)
		fmt.Fprintf(&b, `"groups":%s`, g)
	}
	b.WriteString(`}`)
	ips, _ := json.Marshal(e.SourceIPs)
	fmt.Fprintf(&b, `,"sourceIPs":%s`, ips)
	field("userAgent", e.UserAgent)
	b.WriteString(`,"objectRef":{"resource":"secrets","namespace":"kube-system","apiVersion":"v1"}`)
	if e.Code != 0 || e.CodeJSON != "" {
		code := e.CodeJSON
		if code == "" {
			code = fmt.Sprint(e.Code)
		}
		b.WriteString(`,"responseStatus":{"metadata":{}`)
		if e.Reason != "" {
			fmt.Fprintf(&b, `,"status":"Failure","message":%s,"reason":%s`, jsonText(e.Reason), jsonText(e.Reason))
		}
		fmt.Fprintf(&b, `,"code":%s}`, code)
	}
	if e.Padding > 0 {
		fmt.Fprintf(&b, `,"requestObject":{"kind":"ConfigMap","apiVersion":"v1","data":{"config.yaml":%s}}`,
			jsonText(strings.Repeat("key: value # padding\n", e.Padding/20+1)))
	}
	field("requestReceivedTimestamp", e.Time)
	field("stageTimestamp", e.Time)
	b.WriteString(`,"annotations":{"authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":""}}`)
	return b.String()
}

// ResourceID is the Azure resource ID of an AKS cluster in a resource
// group.
func ResourceID(group, cluster string) string {
	return "/SUBSCRIPTIONS/6C0D5B6E-0000-4000-8000-00000000CAFE/RESOURCEGROUPS/" + group +
		"/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/" + cluster
}

// Record is the diagnostic record of the storage-blob input: log, the
// audit event's JSON (or klog text), as the JSON string properties.log
// ending in a newline, as AKS writes it.
func Record(category, log, resourceID, time string) string {
	return `{"category":` + jsonText(category) +
		`,"operationName":"Microsoft.ContainerService/managedClusters/diagnosticLogs/Read","properties":{"log":` +
		jsonText(log+"\n") + `,"containerID":"a64cba7fefbf5020788dc29d9247157585bbb64826bf7209623ca7bb49b15fe7","stream":"stdout","pod":"kube-apiserver-869d7bb754-kkg69"},"resourceId":` +
		jsonText(resourceID) + `,"serviceBuild":"na","time":` + jsonText(time) + `}`
}

// ObjectRecord is a diagnostic record whose properties.log is the audit
// event as a JSON object, as some exports write it.
func ObjectRecord(event, resourceID, time string) string {
	return `{"category":"kube-audit","properties":{"log":` + event + `,"stream":"stdout"},"resourceId":` +
		jsonText(resourceID) + `,"time":` + jsonText(time) + `}`
}

// EventHub wraps a record, or a batch, as the Event Hub input indexes it.
func EventHub(record string) string {
	return `{"body":` + record + `,"x-opt-sequence-number":4711,"x-opt-enqueued-time":1795165200000}`
}

// Batch is a {"records":[...]} batch, as Event Hub and Azure exports carry
// records.
func Batch(records ...string) string {
	return `{"records":[` + strings.Join(records, ",") + `]}`
}

// Log is properties.log as Splunk's search-time JSON extraction yields it
// for a record built by Record: the event's JSON and its newline.
func Log(event string) string { return event + "\n" }

func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// CutRows checks how many rows a reading of the first n bytes of a text
// gave, where the wanted records of the whole text end at ends and a
// shorter cut gave last rows: every record that ends by the cut is a row,
// at most one more is (the record the cut falls in, when its code comes
// before the cut), and a longer cut never gives fewer rows.
func CutRows(n, rows, last int, ends []int) error {
	complete := 0
	for _, end := range ends {
		if end <= n {
			complete++
		}
	}
	switch {
	case rows < complete:
		return fmt.Errorf("prefix of %d bytes: %d rows, but %d records are complete: a complete record lost", n, rows, complete)
	case rows > complete+1:
		return fmt.Errorf("prefix of %d bytes: %d rows, but %d records are complete", n, rows, complete)
	case rows < last:
		return fmt.Errorf("prefix of %d bytes: %d rows, fewer than a shorter prefix gave (%d)", n, rows, last)
	}
	return nil
}
