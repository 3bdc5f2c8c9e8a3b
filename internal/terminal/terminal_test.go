package terminal_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/terminal"
	"github.com/kubefingerprint/kubefingerprint/internal/terminal/terminaltest"
)

// A pipe, a regular file and /dev/null are not terminals.
func TestNotTerminals(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.False(t, terminal.Is(r))

	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, terminal.Is(f))

	null, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer null.Close()
	assert.False(t, terminal.Is(null))
}

// The far end of a pseudo-terminal, where a shell reads, is one.
func TestPseudoTerminal(t *testing.T) {
	assert.True(t, terminal.Is(terminaltest.Open(t)))
}
