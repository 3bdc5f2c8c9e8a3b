// Package golden serves the tests: golden files in testdata/, rewritten
// with go test -update, and the shared reference data that lies beside the
// repository (../shared/refdata).
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Check compares got with the golden file at path, or rewrites it with -update.
func Check(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), string(got))
}

// Refdata returns the path of rel in the shared reference data beside the
// repository. CI always has it; elsewhere its absence is said, not hidden.
func Refdata(t *testing.T, rel string) string {
	t.Helper()
	dir, _ := os.Getwd()
	for ; dir != "/"; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
	}
	p := filepath.Join(filepath.Dir(dir), "shared", "refdata", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("reference data %s not found beside the repository", p)
		}
		t.Skipf("SKIPPED: reference data %s not found beside the repository", p)
	}
	return p
}
