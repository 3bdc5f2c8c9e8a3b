package audit

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/audit/audittest"
)

// readEvents reads text and returns its events as renderEvent gives them,
// decoded, without batched (a shape's, not an event's).
func readEvents(t *testing.T, x *Extractor, text string) ([]map[string]any, error) {
	var out []map[string]any
	err := x.Read(NewDocument([]byte(text)), func(ev *Event) {
		var m map[string]any
		require.NoError(t, json.Unmarshal(renderEvent(t, ev), &m))
		delete(m, "batched")
		out = append(out, m)
	})
	return out, err
}

// TestCloudsAgree: the same generated scan written as AKS diagnostic
// records, AKSAudit rows (dynamic columns as JSON and as strings),
// CloudWatch Logs deliveries (a subscription's, through Firehose, and
// filter-log-events), and GKE entries (lines, a gcloud array, the GCP
// add-on's Pub/Sub wrapper) gives the same events field for field, where
// the provider records the field: GKE logs one caller address, no query
// string, no stage and no groups; filter-log-events names no cluster.
func TestCloudsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 2026))
	x := NewExtractor([]int{401, 403, 404}, true)
	const cluster = "PROD-1"
	rid := audittest.ResourceID("RG-PROD", cluster)
	for n := range 400 {
		e := audittest.Probe(rng, n)
		record := audittest.Record("kube-audit", e.JSON(), rid, "2026-11-20T11:00:00Z")
		want, err := readEvents(t, x, record)
		require.NoError(t, err)
		require.Len(t, want, map[bool]int{true: 1}[e.Code != 200 || e.User == "system:anonymous"], "reported from the record")
		noCluster := func(evs []map[string]any) []map[string]any {
			for _, m := range evs {
				m["cluster"] = ""
			}
			return evs
		}
		gke := func(evs []map[string]any) []map[string]any {
			for _, m := range evs {
				ips := m["sourceIPs"].([]any)
				m["sourceIPs"] = ips[len(ips)-1:]
				m["requestURI"], _, _ = strings.Cut(m["requestURI"].(string), "?")
				m["stage"], m["groups"] = "", []any{}
			}
			return evs
		}
		entry := e.GKEEntry(cluster)
		shapes := []struct {
			name, text string
			adjust     func([]map[string]any) []map[string]any
		}{
			{"AKSAudit row", e.TableRow(rid, false), nil},
			{"AKSAudit row, dynamic columns as strings", e.TableRow(rid, true), nil},
			{"CloudWatch subscription", audittest.Envelope(cluster, e.JSON()), nil},
			{"CloudWatch through Firehose", audittest.Firehose(audittest.Envelope(cluster, e.JSON())), nil},
			{"filter-log-events", audittest.FilterLogEvents(e.JSON()), noCluster},
			{"GKE entry", entry, gke},
			{"GKE array", "[\n" + entry + "\n]", gke},
			{"GKE Pub/Sub", audittest.PubSub(entry), gke},
		}
		for _, s := range shapes {
			got, err := readEvents(t, x, s.text)
			require.NoError(t, err, "%s of %s", s.name, e.JSON())
			w, _ := readEvents(t, x, record) // afresh: adjust changes it
			if s.adjust != nil {
				w = s.adjust(w)
			}
			require.Equal(t, w, got, "%s of %s", s.name, e.JSON())
		}
	}
}

// TestEnvelopeOf100000Events: one delivery of 100,000 CloudWatch Logs
// events, some of them klog text, reports every wanted event after the
// text, in order, and says that some message was not JSON.
func TestEnvelopeOf100000Events(t *testing.T) {
	var msgs []string
	var want []string
	for n := range 100000 {
		e := audittest.Event{AuditID: fmt.Sprint("e-", n), URI: "/api", Code: 200, User: "system:kube-scheduler", SourceIPs: []string{"10.0.0.1"}, Time: "2026-11-20T10:00:00Z"}
		switch {
		case n%997 == 0:
			msgs = append(msgs, "I1120 10:00:00.000000       1 trace.go:236] Trace[1]: \"List\"")
			continue
		case n%1000 == 0:
			e.Code, e.User, e.Stage = 401, "", "ResponseStarted"
			want = append(want, e.AuditID)
		}
		msgs = append(msgs, e.JSON())
	}
	var got []string
	err := NewExtractor([]int{401}, false).Read(NewDocument([]byte(audittest.Envelope("eks-1", msgs...))), func(ev *Event) {
		got = append(got, string(ev.AuditID))
		require.Equal(t, "eks-1", string(ev.Cluster))
	})
	require.Equal(t, ErrLogText, err)
	require.Equal(t, want, got)
}

// TestPayloadBounded: a payload that uncompresses past MaxPayload is read
// up to it and said to be cut; one that is not gzip, or not base64, is
// named; a payload inside a payload is not opened.
func TestPayloadBounded(t *testing.T) {
	x := NewExtractor([]int{401}, false)
	event := audittest.Event{AuditID: "first", URI: "/api", Code: 401, Stage: "ResponseStarted", SourceIPs: []string{"203.0.113.1"}}.JSON()
	bomb := audittest.Firehose(event + "\n" + strings.Repeat(" ", MaxPayload) + event)
	require.Less(t, len(bomb), MaxPayload/500, "a bomb: small, and large once uncompressed")
	var got []string
	err := x.Read(NewDocument([]byte(bomb)), func(ev *Event) { got = append(got, string(ev.AuditID)) })
	require.Equal(t, ErrPayload, err)
	require.Equal(t, []string{"first"}, got, "read up to the bound, not past it")

	for _, text := range []string{"H4sI!!!!", "H4sIAAAA", audittest.Firehose(audittest.Firehose(event))} {
		got = nil
		err := x.Read(NewDocument([]byte(text)), func(ev *Event) { got = append(got, string(ev.AuditID)) })
		require.Error(t, err, text)
		require.Empty(t, got)
	}
}

// BenchmarkShapes reads the same generated events in each provider's
// shape, every document read whole (no MayMatch), and reports audit
// events per second side by side: go test -bench Shapes ./internal/audit.
func BenchmarkShapes(b *testing.B) {
	rng := rand.New(rand.NewPCG(19, 1))
	var events []audittest.Event
	for n := range 1000 {
		events = append(events, audittest.Probe(rng, n))
	}
	each := func(text func(audittest.Event) string) []string {
		var docs []string
		for _, e := range events {
			docs = append(docs, text(e))
		}
		return docs
	}
	// per100 puts 100 events in one document, as a delivery does.
	per100 := func(doc func(msgs ...string) string) []string {
		var docs []string
		for i := 0; i < len(events); i += 100 {
			var msgs []string
			for _, e := range events[i:min(i+100, len(events))] {
				msgs = append(msgs, e.JSON())
			}
			docs = append(docs, doc(msgs...))
		}
		return docs
	}
	rid := audittest.ResourceID("RG", "AKS-1")
	shapes := []struct {
		name string
		docs []string
	}{
		{"bare", each(func(e audittest.Event) string { return e.JSON() })},
		{"AKS record", each(func(e audittest.Event) string { return audittest.Record("kube-audit", e.JSON(), rid, e.Time) })},
		{"AKSAudit row", each(func(e audittest.Event) string { return e.TableRow(rid, false) })},
		{"GKE entry", each(func(e audittest.Event) string { return e.GKEEntry("gke-1") })},
		{"CloudWatch envelope", per100(func(m ...string) string { return audittest.Envelope("eks-1", m...) })},
		{"Firehose", per100(func(m ...string) string { return audittest.Firehose(audittest.Envelope("eks-1", m...)) })},
	}
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) {
			x := NewExtractor([]int{401}, false)
			docs := make([]*Document, len(s.docs))
			size := 0
			for i, d := range s.docs {
				docs[i], size = NewDocument([]byte(d)), size+len(d)
			}
			b.SetBytes(int64(size / len(docs)))
			b.ReportAllocs()
			seen, i := 0, 0
			for b.Loop() {
				x.Read(docs[i%len(docs)], func(*Event) {})
				seen += x.Seen()
				i++
			}
			b.ReportMetric(float64(seen)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// TestCloudsCutEverywhere reads every prefix of one document of each new
// shape, as TRUNCATE or a broken transfer cuts it: never more events
// than the whole document has, each the event the whole one has at its
// place, with every field either whole, empty, or (the user agent and
// request URI, a client's free text) cut short; a cut code only ever
// inferred (401) or unknown. Nothing lost after a cut is counted as read.
func TestCloudsCutEverywhere(t *testing.T) {
	failed := audittest.Event{AuditID: "cut-401", URI: "/api/v1/secrets?limit=5", Verb: "list", Code: 401, Reason: "Unauthorized",
		Stage: "ResponseStarted", SourceIPs: []string{"10.0.0.1", "203.0.113.5"}, UserAgent: "kube-hunter/0.6.8", Time: "2026-11-20T10:00:00Z"}
	anon := audittest.Anonymous(audittest.Event{AuditID: "cut-403", URI: "/version", Verb: "get", Code: 403, Reason: "Forbidden",
		SourceIPs: []string{"198.51.100.9"}, UserAgent: "curl/8", Time: "2026-11-20T10:00:01Z"})
	env := audittest.Envelope("eks-1", failed.JSON(), anon.JSON())
	docs := map[string]string{
		"GKE entry":   failed.GKEEntry("gke-1"),
		"GKE array":   "[" + failed.GKEEntry("gke-1") + "," + anon.GKEEntry("gke-1") + "]",
		"GKE Pub/Sub": audittest.PubSub(anon.GKEEntry("gke-1")),
		"AKSAudit":    failed.TableRow(audittest.ResourceID("RG", "AKS-1"), true),
		"envelope":    env,
		"Firehose":    audittest.Firehose(env),
	}
	x := NewExtractor([]int{401, 403}, true)
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			whole, err := readEvents(t, x, doc)
			require.NoError(t, err)
			require.NotEmpty(t, whole)
			for n := 1; n < len(doc); n++ {
				got, _ := readEvents(t, x, doc[:n])
				require.LessOrEqual(t, len(got), len(whole), "prefix %d", n)
				for i, ev := range got {
					w := whole[i]
					for k, v := range ev {
						switch {
						case fmt.Sprint(v) == fmt.Sprint(w[k]), k == "anonymous", k == "batched":
						case k == "cut":
							require.Contains(t, []any{"code inferred", "code unknown"}, v, "prefix %d", n)
						case k == "code" || k == "codeText":
							require.Contains(t, []any{float64(401), "401", float64(0), ""}, v, "prefix %d: %s", n, k)
						case k == "userAgent" || k == "requestURI":
							require.True(t, strings.HasPrefix(w[k].(string), v.(string)), "prefix %d: %s %q of %q", n, k, v, w[k])
						case v == "", fmt.Sprint(v) == "[]":
						default:
							t.Fatalf("prefix %d: %s is %v, whole %v", n, k, v, w[k])
						}
					}
				}
			}
		})
	}
}

// TestReviewFindings: inputs an attacker's review of the clouds found to
// lose a row silently, each now reported or counted.
func TestReviewFindings(t *testing.T) {
	failed := audittest.Event{AuditID: "f-401", URI: "/api/v1/secrets", Verb: "list", Code: 401, Reason: "Unauthorized",
		Stage: "ResponseStarted", SourceIPs: []string{"198.51.100.7"}, UserAgent: "x", Time: "2026-11-20T10:00:00Z"}
	anon := audittest.Anonymous(audittest.Event{AuditID: "a-403", URI: "/api/v1/namespaces/default/secrets/" + strings.Repeat("s", 12000),
		Verb: "get", Code: 403, Reason: "Forbidden", SourceIPs: []string{"203.0.113.9"}, UserAgent: "curl/8", Time: "2026-11-20T10:00:01Z"})
	env := audittest.Envelope("eks-1", failed.JSON(), failed.JSON(), failed.JSON())
	rng := rand.New(rand.NewPCG(6, 6))
	var varied []string
	for n := range 60 {
		e := audittest.Probe(rng, n)
		e.Code, e.User, e.Groups, e.Stage = 401, "", nil, "ResponseStarted"
		varied = append(varied, e.JSON())
	}
	fire := audittest.Firehose(audittest.Envelope("eks-1", varied...))
	for _, tc := range []struct {
		name, doc string
		anonymous bool
		rows      []string // auditID and cut of each row
		err       error
	}{
		{"an events array of audit events", `{"events":[` + failed.JSON() + `]}`, false, []string{"f-401 "}, nil},
		{"a log event whose message is an object", `{"logGroup":"/aws/eks/eks-1/cluster","logEvents":[{"id":"1","message":` + failed.JSON() + `}]}`, false, []string{"f-401 "}, nil},
		{"a log event whose message is null", `{"logEvents":[{"id":"1","message":null}]}`, false, nil, ErrLogText},
		{"an events array of something else", `{"events":[{"name":"deploy"}]}`, false, nil, ErrNotAudit},
		{"a dynamic column string holding JSON cut before the code",
			`{"AuditId":"r1","Stage":"ResponseStarted","RequestUri":"/api/v1/secrets","Verb":"list","User":"{}","SourceIps":"[\"198.51.100.7\"]","UserAgent":"x","ResponseStatus":"{\"metadata\":{},\"status\":\"Failure\",\"message\":\"Unauth","_ResourceId":"/x/MANAGEDCLUSTERS/aks-prod"}`,
			false, []string{"r1 code inferred"}, nil},
		{"a GKE anonymous 403 cut in its path, before methodName", anon.GKEEntry("gke-1")[:10000], true, []string{"a-403 code unknown"}, nil},
		{"a delivery cut between its events", env[:strings.LastIndex(env, `{"id"`)+10], false, []string{"f-401 ", "f-401 "}, ErrTruncated},
		{"a payload with a bad character half way", fire[:len(fire)*3/4] + "!" + fire[len(fire)*3/4+1:], false, nil, ErrPayload},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rows []string
			err := NewExtractor([]int{401}, tc.anonymous).Read(NewDocument([]byte(tc.doc)), func(ev *Event) {
				rows = append(rows, string(ev.AuditID)+" "+string(ev.Cut))
			})
			assert.Equal(t, tc.err, err)
			if tc.name == "a payload with a bad character half way" {
				assert.NotEmpty(t, rows, "what decodes before the bad character is read")
				return
			}
			assert.Equal(t, tc.rows, rows)
		})
	}
}
