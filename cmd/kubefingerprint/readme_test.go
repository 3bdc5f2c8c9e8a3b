package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/scan"
)

// TestDocExamples: the README and the docs paste what scan prints on the
// bundled sample, and a paste goes stale whenever the sample, the scanner
// lookup or the output changes. Every "$ go run ./cmd/kubefingerprint
// scan" block of README.md and docs/ is run as in a terminal and compared
// line by line as a terminal shows them: what stderr says while the files
// are read, then standard output (a table is printed once its widths are
// known), then stderr's closing lines.
func TestDocExamples(t *testing.T) {
	t.Chdir("../..") // where the README's commands run, with its paths
	docs, err := filepath.Glob("docs/*.md")
	require.NoError(t, err)
	more, err := filepath.Glob("docs/*/*.md")
	require.NoError(t, err)
	const prompt = "    $ go run ./cmd/kubefingerprint "
	blocks := map[string]int{}
	for _, path := range append(append([]string{"README.md"}, docs...), more...) {
		text, err := os.ReadFile(path)
		require.NoError(t, err)
		for rest := string(text); ; {
			i := strings.Index(rest, prompt)
			if i < 0 {
				break
			}
			rest = rest[i+len(prompt):]
			end := strings.Index(rest, "\n\n")
			require.Positive(t, end, "%s: a block ends with a blank line", path)
			lines := strings.Split(rest[:end], "\n")
			args := strings.Fields(lines[0])
			var want []string
			for _, l := range lines[1:] {
				want = append(want, strings.TrimPrefix(l, "    "))
			}
			require.Equal(t, "scan", args[0], path)
			var out, errOut bytes.Buffer
			require.Equal(t, 0, scan.Run(args[1:], scan.Stdin{Terminal: true}, &out, &errOut), errOut.String())
			stderr := errOut.String()
			closing := strings.Index(stderr, "kubefingerprint: events read:")
			require.GreaterOrEqual(t, closing, 0, stderr)
			got := strings.Split(strings.TrimSuffix(stderr[:closing]+out.String()+stderr[closing:], "\n"), "\n")
			assert.Equal(t, want, got, "%s block %q", path, lines[0])
			blocks[filepath.Base(path)]++
		}
	}
	assert.Equal(t, 4, blocks["README.md"], "the README's worked examples: the sample, and two providers' shapes of it")
}
