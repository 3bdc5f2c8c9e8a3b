package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPeakMemoryOutput is the other side of TestPeakMemory: input within
// the 64 MiB document cap whose output is many times its size. A records
// batch of a million small 401s took 884 MB of RSS as JSON and 763 MB as a
// table; one 60 MB user agent of escape characters took 2.1 GB as JSON.
// Each now stays under 256 MiB. It streams hundreds of megabytes, so it
// runs only when asked:
//
//	KUBEFINGERPRINT_LARGE_TESTS=1 go test ./cmd/kubefingerprint -run PeakMemoryOutput -v
func TestPeakMemoryOutput(t *testing.T) {
	if os.Getenv("KUBEFINGERPRINT_LARGE_TESTS") == "" {
		t.Skip("SKIPPED: streams hundreds of megabytes; set KUBEFINGERPRINT_LARGE_TESTS=1 to run it")
	}
	bin := build(t, t.TempDir())
	const small = `{"kind":"Event","stage":"ResponseStarted","responseStatus":{"code":401}}`
	batch := func(w io.Writer) int {
		io.WriteString(w, `{"records":[`+small)
		n := 1
		for ; n < 60<<20/(len(small)+1); n++ {
			io.WriteString(w, ","+small)
		}
		io.WriteString(w, "]}\n")
		return n
	}
	escapes := func(w io.Writer) int {
		io.WriteString(w, `{"kind":"Event","stage":"ResponseStarted","responseStatus":{"code":401},"userAgent":"`)
		esc := bytes.Repeat([]byte{0x1b}, 1<<20)
		for i := 0; i < 60; i++ {
			w.Write(esc)
		}
		io.WriteString(w, "\"}\n")
		return 1
	}
	for _, tc := range []struct {
		name   string
		format string
		gen    func(w io.Writer) int
	}{
		{"a batch of a million 401s as JSON", "json", batch},
		{"a batch of a million 401s as a table", "table", batch},
		{"a 60 MB user agent of escapes as JSON", "json", escapes},
		{"a 60 MB user agent of escapes as a table", "table", escapes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, "scan", "--format", tc.format, "-")
			stdin, err := cmd.StdinPipe()
			require.NoError(t, err)
			var lines counter
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &lines, &stderr
			require.NoError(t, cmd.Start())
			rows := tc.gen(stdin)
			stdin.Close()
			require.NoError(t, cmd.Wait(), stderr.String())
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
			t.Logf("%d rows, peak RSS %d MiB", rows, rss>>20)
			assert.Less(t, rss, int64(256<<20))
			header := 1
			if tc.format == "json" {
				header = 0
			}
			assert.Equal(t, rows+header, lines.n, "every row")
			assert.True(t, strings.Contains(stderr.String(), "rows emitted: "), stderr.String())
		})
	}
}

// counter counts the lines written to it.
type counter struct{ n int }

func (c *counter) Write(p []byte) (int, error) {
	c.n += bytes.Count(p, []byte("\n"))
	return len(p), nil
}
