package command

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeWorkedExample: the README pastes what the two front-door
// commands print on the bundled sample, and the paste had gone stale (no
// scanner tags, 192.0.2.77 said not to fire) after scan gained the
// built-in scanner lookup. Every "$ go run ./cmd/kubefingerprint scan"
// block of the README is run and compared line by line: the first stderr
// line, then standard output, then the rest of stderr, as a terminal
// shows them.
func TestReadmeWorkedExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	const prompt = "    $ go run ./cmd/kubefingerprint "
	blocks := 0
	for rest := string(readme); ; {
		i := strings.Index(rest, prompt)
		if i < 0 {
			break
		}
		rest = rest[i+len(prompt):]
		end := strings.Index(rest, "\n\n")
		require.Positive(t, end)
		lines := strings.Split(rest[:end], "\n")
		args := strings.Fields(lines[0])
		var want []string
		for _, l := range lines[1:] {
			want = append(want, strings.TrimPrefix(l, "    "))
		}
		require.Equal(t, "scan", args[0])
		var out, errOut bytes.Buffer
		require.Equal(t, 0, Scan(args[1:], Stdin{Terminal: true}, &out, &errOut), errOut.String())
		stderr := strings.SplitAfterN(errOut.String(), "\n", 2)
		got := strings.Split(strings.TrimSuffix(stderr[0]+out.String()+stderr[1], "\n"), "\n")
		assert.Equal(t, want, got, "README block %q", lines[0])
		blocks++
	}
	assert.Equal(t, 2, blocks, "the README's two worked examples")
}
