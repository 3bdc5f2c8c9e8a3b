package audittest

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// GKEEntry renders the event as GKE writes it to Cloud Audit Logs, keys
// sorted as gcloud prints them: the method and resource name from the
// verb and URI (the query string dropped), the google.rpc code of the
// HTTP status, the last source address only, no stage and no groups.
func (e Event) GKEEntry(cluster string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"insertId":%s,"labels":{"authorization.k8s.io/decision":"forbid"},"logName":"projects/p-1/logs/cloudaudit.googleapis.com%%2Fdata_access","operation":{"first":true,"id":%s,"last":true,"producer":"k8s.io"}`,
		jsonText(e.AuditID), jsonText(e.AuditID))
	b.WriteString(`,"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{`)
	if e.User != "" {
		fmt.Fprintf(&b, `"principalEmail":%s`, jsonText(e.User))
	}
	method, resource := gkeMethod(or(e.Verb, "get"), e.URI)
	fmt.Fprintf(&b, `},"authorizationInfo":[{"granted":false,"permission":%s,"resource":%s}],"methodName":%s,"requestMetadata":{`,
		jsonText(method), jsonText(resource), jsonText(method))
	if len(e.SourceIPs) > 0 {
		fmt.Fprintf(&b, `"callerIp":%s,`, jsonText(e.SourceIPs[len(e.SourceIPs)-1]))
	}
	fmt.Fprintf(&b, `"callerSuppliedUserAgent":%s},"resourceName":%s,"serviceName":"k8s.io"`, jsonText(e.UserAgent), jsonText(resource))
	if e.Code != 0 {
		fmt.Fprintf(&b, `,"status":{"code":%d`, rpcCodes[e.Code])
		if e.Reason != "" {
			fmt.Fprintf(&b, `,"message":%s`, jsonText(e.Reason))
		}
		b.WriteString(`}`)
	}
	if e.Padding > 0 {
		fmt.Fprintf(&b, `,"request":{"data":{"config.yaml":%s}}`, jsonText(strings.Repeat("key: value # padding\n", e.Padding/20+1)))
	}
	fmt.Fprintf(&b, `},"receiveTimestamp":%s,"resource":{"labels":{"cluster_name":%s,"location":"europe-west1","project_id":"p-1"},"type":"k8s_cluster"},"timestamp":%s}`,
		jsonText(e.Time), jsonText(cluster), jsonText(e.Time))
	return b.String()
}

// rpcCodes are the google.rpc codes GKE writes for HTTP statuses.
var rpcCodes = map[int]int{200: 0, 201: 0, 400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 429: 8, 500: 13, 503: 14, 504: 4}

// gkeMethod is the methodName and resourceName GKE logs for a request.
func gkeMethod(verb, uri string) (method, resource string) {
	path, _, _ := strings.Cut(uri, "?")
	path = strings.TrimPrefix(path, "/")
	parts := strings.Split(path, "/")
	var group, version string
	var rest []string
	switch {
	case len(parts) >= 3 && parts[0] == "api":
		group, version, rest = "core", parts[1], parts[2:]
	case len(parts) >= 4 && parts[0] == "apis":
		group, version, rest = parts[1], parts[2], parts[3:]
	default:
		return "io.k8s." + verb, path
	}
	kind := rest[0]
	if len(rest) >= 3 && rest[0] == "namespaces" {
		kind = rest[2]
	}
	return fmt.Sprintf("io.k8s.%s.%s.%s.%s", group, version, kind, verb), group + "/" + version + "/" + strings.Join(rest, "/")
}

// PubSub wraps an entry as the Splunk Add-on for Google Cloud Platform
// indexes a Pub/Sub message (sourcetype google:gcp:pubsub:message).
func PubSub(entry string) string {
	return `{"attributes":{"logging.googleapis.com/timestamp":"2026-11-20T10:00:00Z"},"data":` + entry +
		`,"message_id":"1234567890","publish_time":"2026-11-20T10:00:02Z"}`
}

// TableRow renders the event as a row of the AKSAudit table of Log
// Analytics; with strings, its dynamic columns are strings of JSON, as a
// query result exported from the portal writes them.
func (e Event) TableRow(resourceID string, strs bool) string {
	var ev map[string]json.RawMessage
	if err := json.Unmarshal([]byte(e.JSON()), &ev); err != nil {
		panic(err)
	}
	dynamic := func(k string) string {
		v := string(ev[k])
		if v == "" {
			return ""
		}
		if strs {
			return jsonText(v)
		}
		return v
	}
	var b strings.Builder
	fmt.Fprintf(&b, `{"TenantId":"6c0d5b6e-0000-4000-8000-00000000cafe","TimeGenerated":%s,"Level":"Metadata","AuditId":%s,"Stage":%s,"RequestUri":%s,"Verb":%s,"User":%s,"SourceIps":%s,"UserAgent":%s,"ObjectRef":%s`,
		jsonText(e.Time), ev["auditID"], ev["stage"], ev["requestURI"], ev["verb"], dynamic("user"), dynamic("sourceIPs"), ev["userAgent"], dynamic("objectRef"))
	if s := dynamic("responseStatus"); s != "" {
		fmt.Fprintf(&b, `,"ResponseStatus":%s`, s)
	}
	if s := dynamic("requestObject"); s != "" {
		fmt.Fprintf(&b, `,"RequestObject":%s`, s)
	}
	fmt.Fprintf(&b, `,"RequestReceivedTime":%s,"StageReceivedTime":%s,"Annotations":%s,"SourceSystem":"Azure","Type":"AKSAudit","_ResourceId":%s}`,
		ev["requestReceivedTimestamp"], ev["stageTimestamp"], dynamic("annotations"), jsonText(resourceID))
	return b.String()
}

// Envelope is a CloudWatch Logs subscription's delivery of the log events
// of an EKS cluster's log group, each message a line of the API server's
// audit log.
func Envelope(cluster string, messages ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/aws/eks/%s/cluster","logStream":"kube-apiserver-audit-0f1e2d3c4b5a69788796a5b4c3d2e1f0","subscriptionFilters":["kubefingerprint"],"logEvents":[`, cluster)
	for i, m := range messages {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id":"3792645716402436046732645172%05d","timestamp":1795165200%03d,"message":%s}`, i, i%1000, jsonText(m))
	}
	b.WriteString(`]}`)
	return b.String()
}

// FilterLogEvents is what aws logs filter-log-events prints for messages.
func FilterLogEvents(messages ...string) string {
	var b strings.Builder
	b.WriteString(`{"events":[`)
	for i, m := range messages {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"logStreamName":"kube-apiserver-audit-0f1e2d3c4b5a69788796a5b4c3d2e1f0","timestamp":1795165200%03d,"message":%s,"ingestionTime":1795165201000,"eventId":"3792645716402436046732645172%05d"}`, i%1000, jsonText(m), i)
	}
	b.WriteString(`],"searchedLogStreams":[]}`)
	return b.String()
}

// Firehose is data gzip-compressed and base64-encoded, as a Firehose
// record carries a CloudWatch Logs delivery.
func Firehose(data string) string {
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write([]byte(data))
	w.Close()
	return base64.StdEncoding.EncodeToString(z.Bytes())
}
