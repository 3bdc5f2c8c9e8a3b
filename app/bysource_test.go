package app

// The by-source rule and `kubefingerprint scan --summary` must fire on the
// same sources. Both run the same Go code (internal/bysource): the rule
// through the reporting command kubefingerprintsummary, whose arguments
// are the macro kubefingerprint_by_source_threshold. These tests pin the
// macro to the command line's defaults and run the rule's two commands on
// a fixture, against scan --summary.

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/bysource"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/scan"
	"github.com/kubefingerprint/kubefingerprint/internal/search/searchtest"
)

// thresholdArgs are the macro's arguments of kubefingerprintsummary.
func thresholdArgs(t *testing.T) []string {
	return strings.Fields(readConf(t, "../default/macros.conf")["kubefingerprint_by_source_threshold"]["definition"])
}

func TestBySourceThresholdDefaults(t *testing.T) {
	th := bysource.DefaultThresholds
	assert.Equal(t, []string{
		"min_tool_score=" + strconv.FormatFloat(th.MinToolScore, 'g', -1, 64),
		"min_uris=" + strconv.Itoa(th.MinURIs),
		"min_401=" + strconv.Itoa(th.Min401),
		"fire_on_scanner=" + strconv.FormatBool(th.Scanner),
	}, thresholdArgs(t), "the macro says what scan --summary does by default")

	// The rule and the dashboard hand the macro to the command; no SPL
	// of theirs decides which source fires.
	macros := readConf(t, "../default/macros.conf")
	for _, query := range []string{readConf(t, "../default/savedsearches.conf")[ruleBySource]["search"], dashboardQuery(t, "ds_sources")} {
		cmds, err := parseSPL(query, macros)
		require.NoError(t, err)
		var names []string
		for _, c := range cmds {
			names = append(names, c.name)
		}
		assert.Contains(t, query, "| kubefingerprintsummary `kubefingerprint_by_source_threshold` |")
		assert.NotContains(t, names, "stats")
		assert.NotContains(t, names, "where")
	}
}

// The rule's commands on a fixture give exactly the sources scan --summary
// prints for it.
func TestBySourceRuleAgreesWithScanSummary(t *testing.T) {
	data, err := os.ReadFile("testdata/by_source.ndjson")
	require.NoError(t, err)
	table := chunkedtest.Table{Columns: []string{"_raw"}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		table.AppendRow(sc.Text())
	}
	r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo("anonymous=true"), chunkedtest.Execute(true, table.Body())), "")
	require.Equal(t, 0, r.Code, r.Stderr)
	s := searchtest.DriveSummary(t, searchtest.Stream(chunkedtest.Getinfo(thresholdArgs(t)...), chunkedtest.Execute(true, []byte(r.Replies[1].Body))), "")
	require.Equal(t, 0, s.Code, s.Stderr)
	var got []string
	for _, row := range searchtest.Rows(t, s.Replies[1].Body) {
		got = append(got, row["src_ip"])
	}
	assert.Subset(t, got, []string{"198.51.100.21", "198.51.100.54", "198.51.100.76"})
	assert.NotContains(t, got, "198.51.100.32", "four URIs are not a scan")
	assert.NotContains(t, got, "198.51.100.65", "authenticated RBAC denials are not rows")
	assert.NotContains(t, got, "10.0.0.5", "src_ip is the last sourceIPs entry")

	var out, errOut bytes.Buffer
	require.Equal(t, 0, scan.Run([]string{"--anonymous", "--summary", "--format", "csv", "testdata/by_source.ndjson"}, scan.Stdin{}, &out, &errOut), errOut.String())
	var want []string
	for _, row := range searchtest.Rows(t, out.String()) {
		want = append(want, row["src_ip"])
	}
	assert.Equal(t, want, got, "scan --summary reports the rule's sources, in the same order")
}

// dashboardQuery is a data source's query in the hunting dashboard, as
// its tokens' defaults make it.
func dashboardQuery(t *testing.T, id string) string {
	_, d := readDashboard(t, "../default/data/ui/views/kubernetes_scan_fingerprint.xml")
	q, ok := d.queries(t)[id]
	require.True(t, ok, id)
	return q
}
