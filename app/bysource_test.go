package app

// The per-source rule and `kubefingerprint scan --summary` must fire on
// the same sources. The rule's threshold is SPL in the macro
// kubefingerprint_by_source_threshold; scan --summary has Go flags with
// defaults. These tests pin the macro to the shared defaults below, and
// run the built command on a fixture to check that the sources its
// summary reports are exactly those the macro selects from its rows.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The per-source detection's defaults (common to the rule and scan
// --summary): a source looks like a scan with at least minURIs distinct
// request URIs, or any scanner tag, or any HTTP 401.
const (
	minURIs    = 5
	anyScanner = true
	any401     = true
)

// A source is one src_ip's aggregate, the fields the threshold reads.
type source struct {
	URICount int
	Count401 int
	Scanners []string
}

// threshold reads the macro's definition, `where` and terms joined by OR,
// each `field >= N`, `field > N` or `isnotnull(field)`, into a predicate.
func threshold(def string) (func(source) bool, []string, error) {
	expr, ok := strings.CutPrefix(def, "where ")
	if !ok {
		return nil, nil, fmt.Errorf("%q: not a where clause", def)
	}
	var terms []func(source) bool
	var names []string
	cmp := regexp.MustCompile(`^(\w+)\s*(>=|>)\s*(\d+)$`)
	notnull := regexp.MustCompile(`^isnotnull\((\w+)\)$`)
	for _, term := range strings.Split(expr, " OR ") {
		term = strings.TrimSpace(term)
		field := func(s source, name string) (int, bool) {
			switch name {
			case "uri_count":
				return s.URICount, true
			case "count_401":
				return s.Count401, true
			case "scanners":
				return len(s.Scanners), true
			}
			return 0, false
		}
		switch {
		case cmp.MatchString(term):
			m := cmp.FindStringSubmatch(term)
			n, _ := strconv.Atoi(m[3])
			if _, ok := field(source{}, m[1]); !ok {
				return nil, nil, fmt.Errorf("%q: unknown field", term)
			}
			names = append(names, m[1])
			terms = append(terms, func(s source) bool {
				v, _ := field(s, m[1])
				return v > n || (m[2] == ">=" && v == n)
			})
		case notnull.MatchString(term):
			name := notnull.FindStringSubmatch(term)[1]
			if _, ok := field(source{}, name); !ok {
				return nil, nil, fmt.Errorf("%q: unknown field", term)
			}
			names = append(names, name)
			terms = append(terms, func(s source) bool { v, _ := field(s, name); return v > 0 })
		default:
			return nil, nil, fmt.Errorf("%q: not a term this test reads", term)
		}
	}
	return func(s source) bool {
		for _, t := range terms {
			if t(s) {
				return true
			}
		}
		return false
	}, names, nil
}

func shippedThreshold(t *testing.T) (func(source) bool, []string) {
	def := readConf(t, "../default/macros.conf")["kubefingerprint_by_source_threshold"]["definition"]
	fires, fields, err := threshold(def)
	require.NoError(t, err)
	return fires, fields
}

func TestBySourceThresholdDefaults(t *testing.T) {
	fires, fields := shippedThreshold(t)
	for name, tc := range map[string]struct {
		s    source
		want bool
	}{
		"one URI short":               {source{URICount: minURIs - 1}, false},
		"enough URIs":                 {source{URICount: minURIs}, true},
		"many requests, few URIs":     {source{URICount: 1}, false},
		"a scanner tag":               {source{URICount: 1, Scanners: []string{"kube-hunter"}}, anyScanner},
		"one 401":                     {source{URICount: 1, Count401: 1}, any401},
		"nothing":                     {source{}, false},
		"401 and a tag and many URIs": {source{URICount: 40, Count401: 3, Scanners: []string{"nuclei"}}, true},
	} {
		assert.Equal(t, tc.want, fires(tc.s), name)
	}

	// Every field the threshold reads comes out of the rule's stats.
	cmds, err := parseSPL(readConf(t, "../default/savedsearches.conf")[ruleBySource]["search"], readConf(t, "../default/macros.conf"))
	require.NoError(t, err)
	var beforeThreshold []command
	for _, c := range cmds {
		if c.name == "where" {
			break
		}
		beforeThreshold = append(beforeThreshold, c)
	}
	out := outputFields(beforeThreshold)
	for _, f := range fields {
		assert.True(t, out[f], "the rule's stats computes %s before the threshold", f)
	}
}

// The built command's own rows, summed up per src_ip and put through the
// macro, select exactly the sources its --summary prints.
func TestBySourceRuleAgreesWithScanSummary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "kubefingerprint")
	build := exec.Command("go", "build", "-o", bin, "./cmd/kubefingerprint")
	build.Dir = ".."
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	fixture, err := filepath.Abs("testdata/by_source.ndjson")
	require.NoError(t, err)

	run := func(args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, append([]string{"scan"}, args...)...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if err != nil {
			return stderr.String(), err
		}
		return stdout.String(), nil
	}
	rows, err := run("--anonymous", "--format", "json", fixture)
	require.NoError(t, err, rows)

	agg := map[string]*source{}
	uris := map[string]map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(rows))
	for sc.Scan() {
		var row map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &row), sc.Text())
		ip := fmt.Sprint(row["src_ip"])
		if agg[ip] == nil {
			agg[ip], uris[ip] = &source{}, map[string]bool{}
		}
		uris[ip][fmt.Sprint(row["requestURI"])] = true
		if fmt.Sprint(row["responseStatus.code"]) == "401" {
			agg[ip].Count401++
		}
		if tag, _ := row["scanner"].(string); tag != "" {
			agg[ip].Scanners = append(agg[ip].Scanners, tag)
		}
	}
	require.NotEmpty(t, agg, "the fixture has rows")
	assert.NotContains(t, agg, "198.51.100.65", "authenticated RBAC denials are not rows")
	assert.NotContains(t, agg, "10.0.0.5", "src_ip is the last sourceIPs entry")

	fires, _ := shippedThreshold(t)
	var want []string
	for ip, s := range agg {
		s.URICount = len(uris[ip])
		if fires(*s) {
			want = append(want, ip)
		}
	}
	sort.Strings(want)
	assert.Subset(t, want, []string{"198.51.100.21", "198.51.100.54", "198.51.100.76"})
	assert.NotContains(t, want, "198.51.100.32", "four URIs are not a scan")

	summary, err := run("--anonymous", "--summary", fixture)
	require.NoError(t, err, summary)
	var got []string
	for ip := range agg {
		if regexp.MustCompile(`(^|[^0-9.])` + regexp.QuoteMeta(ip) + `($|[^0-9.])`).MatchString(summary) {
			got = append(got, ip)
		}
	}
	sort.Strings(got)
	assert.Equal(t, want, got, "scan --summary reports the sources the rule's threshold selects:\n%s", summary)
}
