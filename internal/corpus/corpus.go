// Package corpus generates realistic AKS kube-audit data for benchmarks and
// property tests: diagnostic records as the storage-blob input indexes them,
// and the byte stream splunkd sends the command for them.
package corpus

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
)

// A Generator makes records from a seed; the same seed gives the same data.
type Generator struct {
	rng *rand.Rand
	n   int
	// MarkURIs appends ?event=<n> to every requestURI, so that tests can
	// tell which event a row came from.
	MarkURIs bool
	// Percent401 is the share of events answered 401, in percent. The
	// other codes keep their proportions, 403 : 404 : 200 = 8 : 10 : 80.
	// New sets 2: a realistic stream, where almost every event is dropped
	// unparsed; 40 makes a dense one, where parsing and replies dominate.
	Percent401 int
	// Columns are the columns of the bodies Bodies and Stream write. New
	// sets every field storage-blob data has, then _chunked_idx.
	Columns []string
}

// New returns a Generator seeded with seed.
func New(seed uint64) *Generator {
	columns, _ := Columns(Fields)
	return &Generator{rng: rand.New(rand.NewPCG(seed, 0x6b756265)), Percent401: 2, Columns: columns}
}

// An Event is one generated Splunk event.
type Event struct {
	Time       string // _time, epoch seconds
	Raw        string // the diagnostic record, as indexed
	Log        string // properties.log, as Splunk's JSON extraction yields it
	ResourceID string
	Code       int
	Marker     string // the event's auditID, unique
	URI        string // requestURI
}

var (
	clusters = []string{"AKS-PROD-WEU", "AKS-PROD-NEU", "AKS-DEV", "PAYMENTS-AKS-01"}
	scanners = []string{"kube-hunter", "python-requests/2.31.0", "Go-http-client/1.1", "curl/8.5.0",
		"zgrab/0.x", "Mozilla/5.0 zgrab/0.x", "nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
		"masscan/1.3", "kubeletctl/1.11", `Mozilla/5.0 (compatible; "Scanner", v1.0)`}
	clients = []string{"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225",
		"kube-controller-manager/v1.30.4 (linux/amd64) kubernetes/2f5c5a0/system:serviceaccount:kube-system:generic-garbage-collector",
		"kubelet/v1.30.4 (linux/amd64) kubernetes/2f5c5a0", "helm/3.14.2", "argocd-application-controller/v0.0.0",
		"cluster-autoscaler/v1.30.0", "kube-probe/1.30"}
	uris = []string{"/api/v1/namespaces/kube-system/secrets", "/apis/apps/v1/deployments?limit=500",
		"/api/v1/pods?watch=true&resourceVersion=93076016", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler",
		"/version", "/api", "/apis", "/healthz", "/api/v1/nodes", "/.env", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
		"/api/v1/namespaces/default/configmaps/app-config"}
	verbs = []string{"get", "list", "watch", "update", "create", "patch", "delete"}
)

// Next returns the next event: Percent401 of them 401s, the rest mostly
// 200s, with 404s and 403s; one to three source addresses; a few events
// with a large request object.
func (g *Generator) Next() Event {
	g.n++
	r := g.rng
	var code int
	s := min(max(g.Percent401, 0), 100)
	switch p := r.IntN(100); {
	case p < s:
		code = 401
	case p < s+8*(100-s)/98:
		code = 403
	case p < s+18*(100-s)/98:
		code = 404
	default:
		code = 200
	}
	ips := []string{g.ip(code)}
	for k := r.IntN(3); k > 0; k-- {
		ips = append(ips, g.ip(200))
	}
	ua := clients[r.IntN(len(clients))]
	if code == 401 || code == 403 {
		ua = scanners[r.IntN(len(scanners))]
	}
	marker := fmt.Sprintf("%08x-%04x-4000-8000-%012x", r.Uint32(), g.n%0xffff, g.n)
	sec := 1795165200 + g.n/10
	ts := fmt.Sprintf("2026-11-20T%02d:%02d:%02d.%06dZ", (sec/3600)%24, (sec/60)%60, sec%60, r.IntN(1000000))
	uri := uris[r.IntN(len(uris))]
	if g.MarkURIs {
		uri = fmt.Sprintf("/api/v1/namespaces?event=%d", g.n)
	}
	event := auditEvent{
		Kind: "Event", APIVersion: "audit.k8s.io/v1", Level: "Metadata", AuditID: marker,
		Stage: "ResponseComplete", RequestURI: uri, Verb: verbs[r.IntN(len(verbs))],
		User:      map[string]any{"username": "system:serviceaccount:kube-system:generic-garbage-collector", "uid": marker, "groups": []string{"system:serviceaccounts", "system:authenticated"}},
		SourceIPs: ips, UserAgent: ua,
		ObjectRef:                map[string]any{"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"},
		ResponseStatus:           map[string]any{"metadata": map[string]any{}, "code": code},
		RequestReceivedTimestamp: ts, StageTimestamp: ts,
		Annotations: map[string]string{"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": `RBAC: allowed by ClusterRoleBinding "system:controller:generic-garbage-collector"`},
	}
	switch code {
	case 401:
		event.Stage = "ResponseStarted"
		event.User = map[string]any{}
		event.ResponseStatus = map[string]any{"metadata": map[string]any{}, "status": "Failure", "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
		event.Annotations = nil
	case 403:
		event.User = map[string]any{"username": "system:anonymous", "groups": []string{"system:unauthenticated"}}
		event.ResponseStatus = map[string]any{"metadata": map[string]any{}, "status": "Failure", "reason": "Forbidden", "code": 403}
	}
	if r.IntN(20) == 0 {
		event.Level = "RequestResponse"
		event.RequestObject = map[string]any{"kind": "ConfigMap", "apiVersion": "v1",
			"data": map[string]string{"config.yaml": strings.Repeat("key: value # padding\n", 200+r.IntN(200))}}
	}
	logText, _ := json.Marshal(event)
	cluster := clusters[r.IntN(len(clusters))]
	rid := "/SUBSCRIPTIONS/6C0D5B6E-0000-4000-8000-00000000CAFE/RESOURCEGROUPS/RG-" + cluster + "/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/" + cluster
	record := diagnosticRecord{
		Category: "kube-audit", OperationName: "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
		Properties: recordProperties{Log: string(logText) + "\n", ContainerID: "a64cba7fefbf5020788dc29d9247157585bbb64826bf7209623ca7bb49b15fe7", Stream: "stdout", Pod: "kube-apiserver-869d7bb754-kkg69"},
		ResourceID: rid, ServiceBuild: "na", Time: ts,
	}
	raw, _ := json.Marshal(record)
	return Event{Time: fmt.Sprint(sec), Raw: string(raw), Log: string(logText) + "\n", ResourceID: rid, Code: code, Marker: marker, URI: uri}
}

// auditEvent and diagnosticRecord keep the key order of real AKS data:
// responseStatus before requestObject, properties before resourceId.
type auditEvent struct {
	Kind                     string            `json:"kind"`
	APIVersion               string            `json:"apiVersion"`
	Level                    string            `json:"level"`
	AuditID                  string            `json:"auditID"`
	Stage                    string            `json:"stage"`
	RequestURI               string            `json:"requestURI"`
	Verb                     string            `json:"verb"`
	User                     map[string]any    `json:"user"`
	SourceIPs                []string          `json:"sourceIPs"`
	UserAgent                string            `json:"userAgent"`
	ObjectRef                map[string]any    `json:"objectRef"`
	ResponseStatus           map[string]any    `json:"responseStatus"`
	RequestObject            map[string]any    `json:"requestObject,omitempty"`
	RequestReceivedTimestamp string            `json:"requestReceivedTimestamp"`
	StageTimestamp           string            `json:"stageTimestamp"`
	Annotations              map[string]string `json:"annotations,omitempty"`
}

type diagnosticRecord struct {
	Category      string           `json:"category"`
	OperationName string           `json:"operationName"`
	Properties    recordProperties `json:"properties"`
	ResourceID    string           `json:"resourceId"`
	ServiceBuild  string           `json:"serviceBuild"`
	Time          string           `json:"time"`
}

type recordProperties struct {
	Log         string `json:"log"`
	ContainerID string `json:"containerID"`
	Stream      string `json:"stream"`
	Pod         string `json:"pod"`
}

func (g *Generator) ip(code int) string {
	r := g.rng
	if code == 401 || code == 403 {
		if r.IntN(4) == 0 {
			return fmt.Sprintf("2001:db8:%x::%x", r.IntN(0xffff), r.IntN(0xffff))
		}
		return fmt.Sprintf("203.0.%d.%d", 113+r.IntN(3), 1+r.IntN(254))
	}
	return fmt.Sprintf("10.224.%d.%d", r.IntN(4), 1+r.IntN(254))
}

// Fields are the fields of a storage-blob record that splunkd can send a
// command, as Event.Field gives them.
var Fields = []string{"_time", "_raw", "properties.log", "resourceId"}

// eventHubFields only Event Hub data has: Splunk extracts them from the
// body wrapper, which storage-blob records lack.
var eventHubFields = []string{"body.properties.log", "body.resourceId"}

// Columns returns the columns splunkd sends for storage-blob data to a
// command whose getinfo reply asks for required: each field the data has,
// in that order, then _chunked_idx, which splunkd adds. Event Hub fields
// get no column, as no event has them. Any other field is an error: the
// corpus cannot make it, and a stream without it would not be what splunkd
// sends.
func Columns(required []string) ([]string, error) {
	var columns []string
	for _, f := range required {
		switch {
		case slices.Contains(Fields, f):
			columns = append(columns, f)
		case slices.Contains(eventHubFields, f), f == "_chunked_idx":
		default:
			return nil, fmt.Errorf("corpus: no field %q in generated storage-blob data (it has %s)", f, strings.Join(Fields, ", "))
		}
	}
	if len(columns) == 0 {
		return nil, fmt.Errorf("corpus: required_fields %q name no field of storage-blob data", required)
	}
	return append(columns, "_chunked_idx"), nil
}

// Field returns the value splunkd sends for the named field of Fields.
func (e Event) Field(name string) string {
	switch name {
	case "_time":
		return e.Time
	case "_raw":
		return e.Raw
	case "properties.log":
		return e.Log
	case "resourceId":
		return e.ResourceID
	}
	return ""
}

// Bodies returns the CSV bodies splunkd sends for n events in execute
// chunks of chunk events, with the generator's Columns, and the generated
// events.
func (g *Generator) Bodies(n, chunk int) ([][]byte, []Event) {
	var bodies [][]byte
	var events []Event
	cells := make([]string, len(g.Columns))
	for start := 0; start < n; start += chunk {
		t := chunkedtest.Table{Columns: g.Columns}
		for i := start; i < min(n, start+chunk); i++ {
			e := g.Next()
			events = append(events, e)
			for c, name := range g.Columns {
				cells[c] = e.Field(name)
				if name == "_chunked_idx" {
					cells[c] = fmt.Sprint(i - start)
				}
			}
			t.AppendRow(cells...)
		}
		bodies = append(bodies, t.Body())
	}
	return bodies, events
}

// Stream returns the bytes splunkd sends for n events in execute chunks
// of chunk events: getinfo, the chunks, the last with finished:true. It
// also returns the generated events.
func (g *Generator) Stream(n, chunk int) ([]byte, []Event) {
	bodies, events := g.Bodies(n, chunk)
	out := chunkedtest.Getinfo()
	for i, b := range bodies {
		out = append(out, chunkedtest.Execute(i == len(bodies)-1, b)...)
	}
	return out, events
}
