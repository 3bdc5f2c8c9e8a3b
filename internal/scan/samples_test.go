package scan

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint"
	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/audit/audittest"
	"github.com/kubefingerprint/kubefingerprint/internal/golden"
)

// sampleEvents are the audit events of the bundled sample, in order, with
// the cluster each record names.
func sampleEvents(t *testing.T) (events []audittest.Event, clusters []string) {
	var codes []int
	for c := 100; c < 600; c++ {
		codes = append(codes, c)
	}
	x := audit.NewExtractor(codes, true)
	for _, line := range bytes.Split(bytes.TrimSpace(kubefingerprint.Sample), []byte("\n")) {
		x.Read(audit.NewDocument(line), func(ev *audit.Event) {
			e := audittest.Event{AuditID: string(ev.AuditID), Stage: string(ev.Stage), URI: string(ev.RequestURI),
				Verb: string(ev.Verb), User: string(ev.User), UserAgent: string(ev.UserAgent), Code: ev.Code,
				Reason: string(ev.Reason), Time: string(ev.Time)}
			for _, v := range ev.SourceIPs {
				e.SourceIPs = append(e.SourceIPs, string(v))
			}
			for _, v := range ev.Groups {
				e.Groups = append(e.Groups, string(v))
			}
			events = append(events, e)
			clusters = append(clusters, string(ev.Cluster))
		})
	}
	require.Greater(t, len(events), 20)
	return events, clusters
}

// providerSamples are the bundled sample's scan as each other provider
// writes it, as files in samples/: GKE entries as gcloud logging read
// --format=json prints them, AKSAudit rows as Log Analytics data export
// writes them, and CloudWatch Logs subscription deliveries of EKS log
// groups, one per run of events of one cluster.
func providerSamples(events []audittest.Event, clusters []string) map[string]string {
	var gke, rows, cw []string
	for i, e := range events {
		gke = append(gke, e.GKEEntry(clusters[i]))
		rid := ""
		if clusters[i] != "" {
			rid = audittest.ResourceID("RG-SAMPLE", clusters[i])
		}
		rows = append(rows, e.TableRow(rid, false))
	}
	for i := 0; i < len(events); {
		j := i
		var msgs []string
		for ; j < len(events) && clusters[j] == clusters[i]; j++ {
			msgs = append(msgs, events[j].JSON())
		}
		cw = append(cw, audittest.Envelope(clusters[i], msgs...))
		i = j
	}
	return map[string]string{
		"gke-entries.json":      "[\n" + strings.Join(gke, ",\n") + "\n]\n",
		"aksaudit.ndjson":       strings.Join(rows, "\n") + "\n",
		"eks-cloudwatch.ndjson": strings.Join(cw, "\n") + "\n",
	}
}

// TestProviderSamples: the provider samples in samples/ are the bundled
// sample's scan (go test -update writes them), and scan gives the same
// rows for each as for the bundled sample, where the provider records the
// field: GKE logs one caller address, no query string, no stage and no
// groups.
func TestProviderSamples(t *testing.T) {
	events, clusters := sampleEvents(t)
	scanRows := func(args ...string) []map[string]string {
		var out, errOut bytes.Buffer
		Run(append([]string{"--format", "csv", "--anonymous"}, args...), Stdin{}, &out, &errOut)
		return csvRows(t, out.String())
	}
	want := scanRows("--sample")
	require.NotEmpty(t, want)
	for name, text := range providerSamples(events, clusters) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "..", "samples", name)
			golden.Check(t, path, []byte(text))
			got := scanRows(path)
			w := scanRows("--sample")
			if strings.HasPrefix(name, "gke") {
				for _, r := range w {
					ips := strings.Fields(r["sourceIPs{}"])
					r["sourceIPs{}"] = ips[len(ips)-1]
					r["requestURI"], _, _ = strings.Cut(r["requestURI"], "?")
					r["stage"], r["user.groups{}"] = "", ""
				}
			}
			assert.Equal(t, w, got)
		})
	}
	_, err := os.Stat(filepath.Join("..", "..", "samples", "sample.ndjson"))
	require.NoError(t, err)
}

// csvRows parses scan --format csv output into one map per row.
func csvRows(t *testing.T, out string) []map[string]string {
	t.Helper()
	rows := scanCSV(t, out)
	require.NotEmpty(t, rows, "a header")
	var maps []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, col := range rows[0] {
			m[col] = r[i]
		}
		maps = append(maps, m)
	}
	return maps
}
