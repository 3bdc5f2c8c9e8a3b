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

// TestReadFileSwappedForLink: the file was resolved, checked to lie in the
// folder, then opened by its resolved name; whoever could write to the
// folder could swap that name for a link out of it in between, and the
// outside file was read and its first line echoed in a warning. The file
// is now opened through the folder, which follows links only inside it.
func TestReadFileSwappedForLink(t *testing.T) {
	dir, outside := app(t)
	target := filepath.Join(dir, "real.csv")
	require.NoError(t, os.WriteFile(target, []byte("sourceIP\n198.51.100.7\n"), 0o644))
	link := filepath.Join(dir, "kubefingerprint_filter.csv")
	require.NoError(t, os.Symlink("real.csv", link))
	swap := func() {
		require.NoError(t, os.Remove(target))
		require.NoError(t, os.Symlink(outside, target))
	}
	testHookResolved = swap
	t.Cleanup(func() { testHookResolved = func() {} })

	data, err := ReadFile(link, dir)
	assert.NotContains(t, string(data), "SECRET", "the file outside the folder is never read")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lookup kubefingerprint_filter.csv: ")
	assert.Contains(t, err.Error(), "path escapes from parent")
	assert.NotContains(t, err.Error(), dir, "the message names the lookup, not paths")
}
