// Package searchtest runs the search command in-process on a request
// stream, as splunkd would send it, for the tests of every package that
// checks what a search returns.
package searchtest

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/search"
)

// A Run is what one search returned.
type Run struct {
	Replies []chunkedtest.Reply
	Stderr  string
	Code    int
}

// Drive runs a search on the request stream in, from the app folder
// appDir ("" for none), and checks that its replies are well framed.
func Drive(t testing.TB, in []byte, appDir string) Run {
	t.Helper()
	return drive(t, search.Run, in, appDir)
}

// DriveSummary runs kubefingerprintsummary as Drive runs the search.
func DriveSummary(t testing.TB, in []byte, appDir string) Run {
	t.Helper()
	return drive(t, search.RunSummary, in, appDir)
}

func drive(t testing.TB, run func(io.Reader, io.Writer, io.Writer, string) int, in []byte, appDir string) Run {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(bytes.NewReader(in), &out, &errOut, appDir)
	replies, err := chunkedtest.ReadReplies(&out)
	require.NoError(t, err, "replies must be well-framed, with nothing outside the counted bytes")
	return Run{replies, errOut.String(), code}
}

// Stream joins request chunks into one stream.
func Stream(chunks ...[]byte) []byte { return bytes.Join(chunks, nil) }

// Rows parses a CSV reply body, or scan's CSV output, into one map per
// row, keyed by column.
func Rows(t testing.TB, body string) []map[string]string {
	t.Helper()
	if body == "" {
		return nil
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	require.NoError(t, err)
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, col := range recs[0] {
			row[col] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}

// WithoutMV renders a reply body as scan's CSV prints it: the same columns
// less splunkd's __mv_ companions.
func WithoutMV(t testing.TB, body string) string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	require.NoError(t, err, body)
	var out []byte
	var keep []int
	for i, row := range recs {
		if i == 0 {
			for j, name := range row {
				if !strings.HasPrefix(name, chunked.MVPrefix) {
					keep = append(keep, j)
				}
			}
		}
		for k, j := range keep {
			if k > 0 {
				out = append(out, ',')
			}
			out = chunked.AppendField(out, []byte(row[j]))
		}
		out = append(out, '\n')
	}
	return string(out)
}
