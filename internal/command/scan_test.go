package command

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScanFilter(t *testing.T) {
	lookup := filepath.Join(t.TempDir(), "site.csv")
	require.NoError(t, os.WriteFile(lookup, []byte("userAgent,cluster,comment\nkube-hunter,aks-prod-*,our own weekly scan\n,,no cells\n"), 0o644))
	var out, errOut bytes.Buffer
	require.Equal(t, 0, Scan([]string{"--format", "json", "--filter", lookup}, &out, &errOut), errOut.String())
	assert.Equal(t, 7, strings.Count(out.String(), "\n"), "two kube-hunter rows suppressed:\n%s", out.String())
	assert.NotContains(t, out.String(), `"kube-hunter"`)
	assert.Contains(t, errOut.String(), "WARN site.csv line 3: every matching cell is empty")
	assert.Contains(t, errOut.String(), "2 by site.csv (1 rows)")

	errOut.Reset()
	assert.Equal(t, 2, Scan([]string{"--filter", "/nonexistent.csv"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "nonexistent.csv")
}

func TestScanUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"--codes", "x"}, {"--format", "xml"}, {"--bogus"}, {"/does/not/exist.json"}} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, Scan(args, &out, &errOut), "%v", args)
		assert.NotEmpty(t, errOut.String())
	}
}

func TestScanGzipAndPrettyJSON(t *testing.T) {
	dir := t.TempDir()
	// An Event Hub batch pretty-printed over many lines, then gzipped.
	pretty := "{\n  \"records\": [\n" + strings.Join(strings.Split(strings.TrimSpace(string(Sample)), "\n")[1:3], ",\n") + "\n  ]\n}\n"
	plain := filepath.Join(dir, "batch.json")
	require.NoError(t, os.WriteFile(plain, []byte(pretty), 0o644))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(pretty))
	zw.Close()
	zipped := filepath.Join(dir, "batch.json.gz")
	require.NoError(t, os.WriteFile(zipped, gz.Bytes(), 0o644))

	var a, b, errOut bytes.Buffer
	require.Equal(t, 0, Scan([]string{"--format", "csv", plain}, &a, &errOut), errOut.String())
	require.Equal(t, 0, Scan([]string{"--format", "csv", zipped}, &b, &errOut), errOut.String())
	assert.Equal(t, a.String(), b.String())
	assert.Equal(t, 2, strings.Count(a.String(), "Unauthorized"))
}
