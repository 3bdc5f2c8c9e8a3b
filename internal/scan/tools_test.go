package scan

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/audit/audittest"
	"github.com/kubefingerprint/kubefingerprint/internal/search/searchtest"
)

// TestToolsByBehaviour: runs of every tool, generated from the tools'
// request sets (internal/audit/audittest/scans.go) with spoofed user agents
// (a browser's, kubectl's), lost and repeated requests, varied object
// names and namespaces, on clusters that answer credential-less requests
// with 401, with system:anonymous, or both (KEP-4633), mixed with
// kube-probe, load balancers, uptime monitors, OpenShift's OAuth discovery
// and internet background. scan --anonymous --summary --format csv must
// name at least 95% of the runs by tool, fire on every run but one that
// kept only client discovery (at 15% loss; 98% of runs at 30%), never fire on
// a health check, monitor or OpenShift discovery, and never name a tool
// for a benign source. The confusion matrix is logged (go test -v).
func TestToolsByBehaviour(t *testing.T) {
	for _, tc := range []struct {
		seed uint64
		loss float64
	}{{1, 0.15}, {2, 0.15}, {3, 0.15}, {4, 0.3}, {5, 0.3}} {
		// At 30% loss a short run may keep too little to be a scan (kdigger
		// sends four requests): there every run must be named or fire at
		// 98%, not all.
		unfired := 0
		seed := tc.seed
		runs := audittest.Scans(rand.New(rand.NewPCG(seed, 18)), 30, 120, tc.loss)
		var b strings.Builder
		for _, r := range runs {
			for _, e := range r.Events {
				b.WriteString(e.JSON())
				b.WriteByte('\n')
			}
		}
		file := filepath.Join(t.TempDir(), "scans.ndjson")
		require.NoError(t, os.WriteFile(file, []byte(b.String()), 0o644))
		var out, errOut bytes.Buffer
		require.Equal(t, 0, Run([]string{"--anonymous", "--summary", "--format", "csv", file}, Stdin{}, &out, &errOut), errOut.String())
		named := map[string]string{}
		for _, row := range searchtest.Rows(t, out.String()) {
			named[row["src_ip"]] = row["tool"]
		}

		// confusion[truth][named], truth a tool or a benign kind; "(none)"
		// for a source that did not fire, "-" for one that fired unnamed.
		confusion := map[string]map[string]int{}
		right, tools := 0, 0
		for _, r := range runs {
			truth := r.Tool
			if truth == "" {
				truth = "benign " + r.Benign
			}
			got, fired := named[r.SrcIP]
			switch {
			case !fired:
				got = "(none)"
			case got == "":
				got = "-"
			}
			if confusion[truth] == nil {
				confusion[truth] = map[string]int{}
			}
			confusion[truth][got]++
			if r.Tool != "" {
				tools++
				if got == r.Tool {
					right++
				}
				if !fired {
					unfired++
					// A run that kept nothing but discovery (kdigger without
					// its access review) is what every client-go client
					// sends first: it need not fire, and the lost share
					// says how often that happens.
					assert.True(t, tc.loss > 0.2 || discoveryOnly(r), "seed %d: the %s %s run from %s fires", seed, r.Tool, r.Variant, r.SrcIP)
				}
				continue
			}
			if r.Benign != "background" {
				assert.False(t, fired, "seed %d: the %s source %s never fires", seed, r.Benign, r.SrcIP)
			}
			assert.True(t, got == "-" || got == "(none)", "seed %d: no tool named for the %s source %s (got %s)", seed, r.Benign, r.SrcIP, got)
		}
		share := float64(right) / float64(tools)
		assert.LessOrEqual(t, float64(unfired)/float64(tools), 0.02, "seed %d: runs that fire", seed)
		assert.GreaterOrEqual(t, share, 0.95, "seed %d: runs named by their tool", seed)
		t.Logf("seed %d, loss %.0f%%: %d of %d tool runs named right (%.1f%%), %d did not fire\n%s", seed, 100*tc.loss, right, tools, 100*share, unfired, matrix(confusion))
	}
}

// discoveryOnly tells a run whose every request is client discovery or
// public information: /, /version, /api, /apis.
func discoveryOnly(r audittest.Run) bool {
	for _, e := range r.Events {
		path, _, _ := strings.Cut(e.URI, "?")
		switch path {
		case "/", "/version", "/api", "/apis":
		default:
			return false
		}
	}
	return true
}

// matrix renders a confusion matrix: a line per truth, the count of each
// name it was given.
func matrix(m map[string]map[string]int) string {
	var truths []string
	names := map[string]bool{}
	for truth, row := range m {
		truths = append(truths, truth)
		for n := range row {
			names[n] = true
		}
	}
	sort.Strings(truths)
	var cols []string
	for n := range names {
		cols = append(cols, n)
	}
	sort.Strings(cols)
	var b strings.Builder
	fmt.Fprintf(&b, "%-20s", "truth \\ tool")
	for _, c := range cols {
		fmt.Fprintf(&b, " %11s", c)
	}
	b.WriteByte('\n')
	for _, truth := range truths {
		fmt.Fprintf(&b, "%-20s", truth)
		for _, c := range cols {
			fmt.Fprintf(&b, " %11d", m[truth][c])
		}
		b.WriteByte('\n')
	}
	return b.String()
}
