package app

// Tests of what the app's configuration says, read from default/ as the
// package carries it: the rules' searches, risk and annotations, the
// macros, and every search of the dashboard.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	ruleSeed     = "kubefingerprint - Kubernetes Azure scan fingerprint - Rule"
	ruleBySource = "kubefingerprint - Kubernetes scan fingerprint by source - Rule"
)

// filterMacro is the ESCU-style filter macro name for a rule: the app
// prefix and the detection's name in snake case.
func filterMacro(rule string) string {
	name := strings.TrimSuffix(strings.TrimPrefix(rule, "kubefingerprint - "), " - Rule")
	return "kubefingerprint_" + strings.ToLower(strings.ReplaceAll(name, " ", "_")) + "_filter"
}

type riskEntry struct {
	RiskField   string `json:"risk_object_field"`
	RiskType    string `json:"risk_object_type"`
	Score       int    `json:"risk_score"`
	ThreatField string `json:"threat_object_field"`
	ThreatType  string `json:"threat_object_type"`
}

// Splunk substitutes $field$ in a risk message only for names made of
// letters, digits, _ and . (no {}).
var riskToken = regexp.MustCompile(`\$([^$]*)\$`)
var plainToken = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)

func TestRules(t *testing.T) {
	saved := readConf(t, "../default/savedsearches.conf")
	macros := readConf(t, "../default/macros.conf")
	for _, tc := range []struct {
		rule        string
		riskField   string
		score       int
		mitre       []string
		confidence  int
		firstPipe   string
		requireRows []string // fields each result must carry
	}{
		{ruleSeed, "cluster", 25, []string{"T1526"}, 50, "`kubefingerprint_data` `kubefingerprint_terms` | kubefingerprint | ",
			[]string{"_time", "sourceIPs{}", "userAgent", "verb", "requestURI", "responseStatus.reason", "cluster", "src_ip"}},
		{ruleBySource, "clusters", 49, []string{"T1526", "T1046"}, 70, "`kubefingerprint_data` `kubefingerprint_terms_anonymous` | kubefingerprint anonymous=true | ",
			[]string{"src_ip", "count", "firstTime", "lastTime", "uri_count", "count_401", "requestURIs", "verbs", "codes", "users", "scanners", "clusters", "userAgents"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			r := saved[tc.rule]
			require.NotNil(t, r)
			search := r["search"]
			assert.True(t, strings.HasPrefix(search, tc.firstPipe), search)
			assert.True(t, strings.HasSuffix(search, "| `"+filterMacro(tc.rule)+"`"), "ends in its own filter macro, as ESCU requires: %s", search)
			assert.Equal(t, "search *", macros[filterMacro(tc.rule)]["definition"])
			assert.NoError(t, checkSPL(search, macros))

			// The risk checks below run even when the search does not
			// parse; then no field counts as output.
			cmds, err := parseSPL(search, macros)
			assert.NoError(t, err)
			out := outputFields(cmds)
			for _, f := range tc.requireRows {
				assert.True(t, out[f], "the search outputs %s", f)
			}

			for key, want := range map[string]string{
				"disabled": "1", "enableSched": "1", "cron_schedule": "0 * * * *",
				"dispatch.earliest_time": "-70m@m", "dispatch.latest_time": "-10m@m",
				"action.correlationsearch.enabled": "1", "action.correlationsearch.label": tc.rule, "action.risk": "1",
			} {
				assert.Equal(t, want, r[key], key)
			}
			assert.Empty(t, r["action.notable"], "risk only, no notable (README, Rules)")

			// Risk lands on the attacked cluster; the source is a threat
			// object, by the address the API server saw, never sourceIPs{}.
			var risk []riskEntry
			require.NoError(t, json.Unmarshal([]byte(r["action.risk.param._risk"]), &risk))
			var objects, threats []riskEntry
			for _, e := range risk {
				if e.RiskField != "" {
					objects = append(objects, e)
				}
				if e.ThreatField != "" {
					threats = append(threats, e)
				}
				assert.NotContains(t, e.RiskField+e.ThreatField, "sourceIPs", "client-controlled addresses carry no risk")
			}
			if assert.Len(t, objects, 1) {
				assert.Equal(t, riskEntry{RiskField: tc.riskField, RiskType: "system", Score: tc.score}, objects[0])
			}
			if assert.Len(t, threats, 1) {
				assert.Equal(t, riskEntry{ThreatField: "src_ip", ThreatType: "ip_address"}, threats[0])
			}
			for _, e := range append(objects, threats...) {
				assert.True(t, out[e.RiskField+e.ThreatField], "the search outputs %s", e.RiskField+e.ThreatField)
			}

			message := r["action.risk.param._risk_message"]
			tokens := riskToken.FindAllStringSubmatch(message, -1)
			assert.NotEmpty(t, tokens)
			for _, m := range tokens {
				assert.Regexp(t, plainToken, m[1], "a token Splunk can substitute")
				assert.True(t, out[m[1]], "the message token %s is a field of the results", m[1])
			}
			assert.Contains(t, message, "$src_ip$")

			var ann struct {
				Story      []string `json:"analytic_story"`
				Mitre      []string `json:"mitre_attack"`
				KillChain  []string `json:"kill_chain_phases"`
				Confidence int      `json:"confidence"`
				Impact     int      `json:"impact"`
			}
			require.NoError(t, json.Unmarshal([]byte(r["action.correlationsearch.annotations"]), &ann))
			assert.Equal(t, []string{"Kubernetes Scanning Activity"}, ann.Story)
			assert.Equal(t, tc.mitre, ann.Mitre)
			assert.Equal(t, []string{"Reconnaissance"}, ann.KillChain)
			assert.Equal(t, tc.confidence, ann.Confidence)
			// ESCU's risk score is confidence x impact / 100.
			assert.Equal(t, ann.Confidence*ann.Impact/100, tc.score)
		})
	}
	assert.Len(t, saved, 2, "two rules")
}

// The seed rule keeps the original detection's semantics: codes=401 only,
// one row per request, the original columns first.
func TestSeedRuleKeepsTheOriginalDetection(t *testing.T) {
	search := readConf(t, "../default/savedsearches.conf")[ruleSeed]["search"]
	assert.NotContains(t, search, "anonymous=")
	assert.NotContains(t, search, "stats")
	assert.Contains(t, search, "| table _time sourceIPs{} userAgent verb requestURI responseStatus.reason cluster src_ip ")
}

func TestMacros(t *testing.T) {
	macros := readConf(t, "../default/macros.conf")
	for _, name := range escuMacros {
		assert.NotContains(t, macros, name, "ESCU owns %s", name)
	}
	for name := range macros {
		assert.True(t, strings.HasPrefix(name, "kubefingerprint_"), "app-prefixed: %s", name)
		assert.NotEmpty(t, macros[name]["description"], name)
	}
	// One macro per provider, each one parenthesised expression that the
	// default ORs together, so that a site can narrow or set each.
	providers := map[string][]string{
		"kubefingerprint_data_aks": {"sourcetype=mscs:storage:blob:json (category=kube-audit", "sourcetype=mscs:azure:eventhub", "body.category=kube-audit", "AuditId"},
		"kubefingerprint_data_eks": {"sourcetype=aws:cloudwatchlogs", `source="*/aws/eks/*"`},
		"kubefingerprint_data_gke": {"sourcetype=google:gcp:pubsub:message", "protoPayload", "k8s.io OR io.k8s"},
	}
	data := macros["kubefingerprint_data"]["definition"]
	for name, parts := range providers {
		assert.Contains(t, data, "`"+name+"`")
		def := macros[name]["definition"]
		for _, part := range parts {
			assert.Contains(t, def, part, name)
		}
		_, err := pipeline(def)
		require.NoError(t, err, name)
		assert.True(t, strings.HasPrefix(def, "(") && strings.HasSuffix(def, ")"), "%s: one parenthesised expression, safe before or after other terms", name)
	}
	parts, err := pipeline(data)
	require.NoError(t, err)
	require.Len(t, parts, 1, "search terms only")
	assert.True(t, strings.HasPrefix(data, "(") && strings.HasSuffix(data, ")"), "one parenthesised expression, safe before or after other terms")
}

// dashboard is the part of a Dashboard Studio definition the SPL check
// reads.
type dashboard struct {
	DataSources map[string]struct {
		Type    string `json:"type"`
		Options struct {
			Query  string `json:"query"`
			Extend string `json:"extend"` // where Splunk's framework reads it
		} `json:"options"`
	} `json:"dataSources"`
	Inputs map[string]struct {
		Type    string `json:"type"`
		Options struct {
			Token        string          `json:"token"`
			DefaultValue json.RawMessage `json:"defaultValue"`
		} `json:"options"`
	} `json:"inputs"`
}

func readDashboard(t *testing.T, path string) (xml string, d dashboard) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	xml = string(b)
	_, rest, ok := strings.Cut(xml, "<definition><![CDATA[")
	require.True(t, ok, "%s: definition in CDATA", path)
	body, _, ok := strings.Cut(rest, "]]></definition>")
	require.True(t, ok)
	require.NoError(t, json.Unmarshal([]byte(body), &d), path)
	return xml, d
}

// queries returns every search of a dashboard as Splunk runs it: a chain
// after the searches it extends, tokens replaced by their inputs' default
// values (a drilldown token by a sample address).
func (d dashboard) queries(t *testing.T) map[string]string {
	values := map[string]string{"src": "203.0.113.9"}
	for _, in := range d.Inputs {
		var s string
		var list []string
		switch {
		case json.Unmarshal(in.Options.DefaultValue, &s) == nil:
			values[in.Options.Token] = s
		case json.Unmarshal(in.Options.DefaultValue, &list) == nil:
			values[in.Options.Token] = strings.Join(list, ",")
		}
	}
	token := regexp.MustCompile(`\$([\w.]+)(\|s)?\$`)
	out := map[string]string{}
	for id, ds := range d.DataSources {
		q := ds.Options.Query
		for cur := ds; cur.Type == "ds.chain"; {
			parent, ok := d.DataSources[cur.Options.Extend]
			require.True(t, ok, "%s extends %s", id, cur.Options.Extend)
			q = parent.Options.Query + " " + q
			cur = parent
		}
		out[id] = token.ReplaceAllStringFunc(q, func(tok string) string {
			m := token.FindStringSubmatch(tok)
			v, ok := values[m[1]]
			assert.True(t, ok, "%s: token %s has a value", id, m[1])
			if m[2] == "|s" {
				return `"` + v + `"`
			}
			return v
		})
	}
	return out
}

func TestDashboardSearches(t *testing.T) {
	macros := readConf(t, "../default/macros.conf")
	views, err := filepath.Glob("../default/data/ui/views/*.xml")
	require.NoError(t, err)
	require.NotEmpty(t, views)
	for _, view := range views {
		xml, d := readDashboard(t, view)
		assert.True(t, strings.HasPrefix(xml, `<dashboard version="2"`), view)
		qs := d.queries(t)
		require.NotEmpty(t, qs)
		ids := make([]string, 0, len(qs))
		for id := range qs {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			q := qs[id]
			assert.NoError(t, checkSPL(q, macros), "%s %s: %s", view, id, q)
			assert.True(t, strings.HasPrefix(q, "`kubefingerprint_data` `kubefingerprint_terms_anonymous` | kubefingerprint "), "%s %s goes through the data macro, the index terms and the command", view, id)
		}
	}
}

// The dashboard's allowlist view comes from filter=show, and its "what the
// allowlist hid" panel reads the rows the command marked.
func TestDashboardAllowlistPanel(t *testing.T) {
	_, d := readDashboard(t, "../default/data/ui/views/kubernetes_scan_fingerprint.xml")
	qs := d.queries(t)
	assert.Contains(t, qs["ds_base"], "kubefingerprint filter=show anonymous=true ")
	assert.Contains(t, qs["ds_hidden"], `where allowlisted!="-"`)
	assert.Contains(t, qs["ds_view"], `where allowlisted="-"`, "allowlist on by default")
}
