//go:build unix

package lookup

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadFileFIFO: a FIFO named like a lookup hung the getinfo reply
// forever (issue 8 defect 5). It is refused without waiting for a writer.
func TestReadFileFIFO(t *testing.T) {
	dir, _ := app(t)
	fifo := filepath.Join(dir, "kubefingerprint_filter.csv")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	done := make(chan error, 1)
	go func() {
		_, err := ReadFile(fifo, dir)
		done <- err
	}()
	select {
	case err := <-done:
		var refused *RefusedError
		require.ErrorAs(t, err, &refused)
		assert.Equal(t, "it is not a regular file (a FIFO)", refused.Why)
	case <-time.After(10 * time.Second):
		// Unblock the reader so the test process can end, then fail.
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		t.Fatal("reading a FIFO lookup hangs")
	}
}
