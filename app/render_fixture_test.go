package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/golden"
	"github.com/kubefingerprint/kubefingerprint/internal/search/searchtest"
)

// TestRenderFixture: dashboard-check/render/rows.json, the rows the
// browser render test feeds the dashboard's base search, is what the
// command itself gives for the bundled sample as the dashboard runs it
// (filter=show anonymous=true), with a site allowlist row that hides the
// zgrab probe, so that the last panel has something to show. When the
// command's output changes, this fails until go test -update rewrites the
// file, and the render test follows.
func TestRenderFixture(t *testing.T) {
	app := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(app, "lookups"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(app, "lookups", "kubefingerprint_filter.csv"),
		[]byte("userAgent,requestURI,comment\nzgrab/*,/.env,our own external scanner\n"), 0o644))
	table := chunkedtest.Table{Columns: []string{"_raw"}}
	sc := bufio.NewScanner(bytes.NewReader(kubefingerprint.Sample))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		table.AppendRow(sc.Text())
	}
	r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo("filter=show", "anonymous=true"), chunkedtest.Execute(true, table.Body())), app)
	require.Equal(t, 0, r.Code, r.Stderr)
	rows := searchtest.Rows(t, r.Replies[1].Body)
	require.NotEmpty(t, rows)
	hidden := 0
	for _, row := range rows {
		if row["allowlisted"] != "" {
			hidden++
		}
	}
	require.Positive(t, hidden, "a row for the allowlist panel")
	golden.Check(t, "../dashboard-check/render/rows.json", jsonLines(t, rows))

	// The top-sources panel runs kubefingerprintsummary on the rows the
	// allowlists leave: render/sources.json is what it returns.
	r = searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo("anonymous=true"), chunkedtest.Execute(true, table.Body())), app)
	require.Equal(t, 0, r.Code, r.Stderr)
	s := searchtest.DriveSummary(t, searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Execute(true, []byte(r.Replies[1].Body))), app)
	require.Equal(t, 0, s.Code, s.Stderr)
	sources := searchtest.Rows(t, s.Replies[1].Body)
	named := 0
	for _, row := range sources {
		if row["tool"] != "" {
			named++
		}
	}
	require.Positive(t, named, "a source named by its probes")
	golden.Check(t, "../dashboard-check/render/sources.json", jsonLines(t, sources))
}

// jsonLines writes rows as a JSON array, one row a line, without the
// __mv_ companions: multivalues come joined in the plain field.
func jsonLines(t *testing.T, rows []map[string]string) []byte {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, row := range rows {
		for k := range row {
			if strings.HasPrefix(k, "__mv_") {
				delete(row, k)
			}
		}
		line, err := json.Marshal(row) // keys sorted
		require.NoError(t, err)
		b.Write(line)
		if i < len(rows)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	return b.Bytes()
}
