package search_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/scan"
	"github.com/kubefingerprint/kubefingerprint/internal/search/searchtest"
)

// TestSummaryMatchesScan: kubefingerprintsummary, fed the streaming
// command's rows for the sample in several chunks, returns exactly the
// sources scan --summary prints for the same options: one implementation.
func TestSummaryMatchesScan(t *testing.T) {
	tb := chunkedtest.Table{Columns: []string{"_raw"}}
	for _, l := range strings.Split(strings.TrimSpace(string(kubefingerprint.Sample)), "\n") {
		tb.AppendRow(l)
	}
	for _, tc := range []struct {
		search, summary, scan []string
	}{
		{nil, nil, nil},
		{[]string{"anonymous=true"}, nil, []string{"--anonymous"}},
		{[]string{"anonymous=true", "health=true"}, []string{"min_uris=3"}, []string{"--anonymous", "--health", "--min-uris", "3"}},
		{[]string{"codes=401,403"}, []string{"min_tool_score=0", "fire_on_scanner=false"}, []string{"--codes", "401,403", "--min-tool-score", "0", "--fire-on-scanner=false"}},
	} {
		r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(tc.search...), chunkedtest.Execute(true, tb.Body())), "")
		require.Equal(t, 0, r.Code, r.Stderr)
		rows := strings.SplitAfter(r.Replies[1].Body, "\n")
		header, rows := rows[0], rows[1:]
		half := len(rows) / 2
		in := searchtest.Stream(chunkedtest.Getinfo(tc.summary...),
			chunkedtest.Execute(false, []byte(header+strings.Join(rows[:half], ""))),
			chunkedtest.Execute(false, nil),
			chunkedtest.Execute(true, []byte(header+strings.Join(rows[half:], ""))))
		s := searchtest.DriveSummary(t, in, "")
		require.Equal(t, 0, s.Code, s.Stderr)
		require.Len(t, s.Replies, 4)
		assert.Equal(t, "reporting", s.Replies[0].Meta["type"])
		assert.Empty(t, s.Replies[1].Body, "rows come with the last reply")

		var scanOut, scanErr bytes.Buffer
		require.Equal(t, 0, scan.Run(append(tc.scan, "--summary", "--format", "csv"), scan.Stdin{Terminal: true}, &scanOut, &scanErr), scanErr.String())
		assert.Greater(t, strings.Count(scanOut.String(), "\n"), 1, "some source fires")
		assert.Equal(t, scanOut.String(), searchtest.WithoutMV(t, s.Replies[3].Body), "%v", tc.search)
		assert.Contains(t, fmt.Sprint(s.Replies[3].Meta["inspector"]), "kubefingerprintsummary: rows read: ")
	}
}

func TestSummaryArguments(t *testing.T) {
	for _, args := range [][]string{{"min_uris=x"}, {"min_tool_score=2"}, {"bogus=1"}, {"min_401=1", "min_401=2"}, {"fire_on_scanner=maybe"}} {
		s := searchtest.DriveSummary(t, chunkedtest.Getinfo(args...), "")
		assert.Equal(t, 1, s.Code)
		require.Len(t, s.Replies, 1)
		assert.Contains(t, s.Replies[0].Meta["error"], strings.Split(args[0], "=")[0], "names the argument")
	}
}
