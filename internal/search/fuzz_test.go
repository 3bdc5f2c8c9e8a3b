package search_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/search"
	"github.com/kubefingerprint/kubefingerprint/internal/search/searchtest"
)

// FuzzSearch drives the whole command with arbitrary execute bodies after a
// valid getinfo: it never panics and answers every request with one
// well-framed reply; a body whose CSV header is broken is a malformed chunk,
// which ends the search with an error reply and one stderr line.
func FuzzSearch(f *testing.F) {
	f.Add([]byte("_raw\n" + csvField(record401("ua", nil)) + "\n"))
	f.Add([]byte("_time,properties.log,__mv_properties.log\n1,x,\"$a$;$b$\"\n"))
	f.Add([]byte("_raw,\"__mv__raw\"\n\"{\"\"records\"\":[1,2,401]}\",\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		in := searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Execute(false, body), chunkedtest.Execute(true, body))
		var out, errOut bytes.Buffer
		code := search.Run(bytes.NewReader(in), &out, &errOut, "")
		replies, err := chunkedtest.ReadReplies(&out)
		if err != nil {
			t.Fatalf("replies not well-framed: %v", err)
		}
		switch {
		case code == 0 && len(replies) == 3:
		case code == 1 && len(replies) == 2 && replies[1].Meta["error"] != nil &&
			strings.Contains(errOut.String(), "CSV header") && strings.Count(errOut.String(), "\n") == 1:
		default:
			t.Fatalf("exit status %d, %d replies, stderr %q", code, len(replies), errOut.String())
		}
	})
}

// FuzzPeekSearch holds the search that drops an event after a Peek at its
// audit field to the search that splits every record first (as e4d95b6
// did), on any valid CSV body splunkd could write: columns in any order,
// quoted as splunkd quotes or minimally, LF or CRLF, blank lines, values
// with quotes, commas and newlines, read in pieces of any size. The
// splitting search is the same command on the same body with one more
// first column whose value holds a quote, so that no Peek succeeds; that
// column is no field the command reads, so the replies must be identical.
//
// cells holds the values: rows are separated by 0x1e, cells by 0x1f; a row
// of just 0x01 is a blank line. layout picks the columns, their quoting,
// line end and the command's arguments. Run it with -fuzzminimizetime 0:
// minimizing a failure of this target stalled the fuzzing engine here.
// Its first find (kept) is the blank line of TestBlankLines.
func FuzzPeekSearch(f *testing.F) {
	u := "\x1f"
	f.Add(uint16(0), uint8(0), "1795165200.5"+u+record401("ua", nil)+u+"0\x1e\x01\x1e1"+u+record401("kube-hunter", nil)+u+"1")
	f.Add(uint16(0x155), uint8(7), record401("a\"b,c\nd", nil)+u+"1.5"+u+"3\x1e\x01\x1e"+u+u)
	f.Add(uint16(0x2a6), uint8(1), `{"kind":"Event","responseStatus":{"code":401}}`+u+`x"y`+u+"7")
	f.Fuzz(func(t *testing.T, layout uint16, piece uint8, cells string) {
		names := []string{"_time", "_raw", "_chunked_idx", "properties.log", "resourceId", "host"}
		perm := [][3]int{{0, 1, 2}, {1, 0, 2}, {2, 1, 0}, {1, 2, 0}, {0, 2, 1}, {2, 0, 1}}[int(layout%6)]
		columns := []string{names[perm[0]], names[perm[1]], names[perm[2]]}
		for k, name := range names[3:] {
			if layout>>(3+k)&1 == 1 {
				columns = append(columns, name)
			}
		}
		mv := layout>>6&1 == 1
		minimal := layout>>7&1 == 1
		eol := []string{"\n", "\r\n"}[layout>>8&1]
		args := [][]string{nil, {"anonymous=true"}, {"codes=401,403"}, {"input=properties.log"}, {"filter=show"}}[int(layout>>9)%5]
		quote := func(v string) string {
			if minimal && !strings.ContainsAny(v, ",\"\r\n") || !minimal && !strings.ContainsFunc(v, func(c rune) bool {
				return !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9')
			}) {
				return v
			}
			return csvField(v)
		}
		line := func(prefix string, vals []string) string {
			out := prefix
			for k, v := range vals {
				if k > 0 {
					out += ","
				}
				out += quote(v)
			}
			return out + eol
		}
		header := columns
		if mv {
			for _, c := range columns {
				header = append(header, "__mv_"+c)
			}
		}
		peeked, split := line("", header), line("x,", header)
		for _, row := range strings.Split(cells, "\x1e") {
			if row == "\x01" {
				peeked, split = peeked+eol, split+eol
				continue
			}
			vals := make([]string, len(header)) // missing cells empty, extra ones dropped: never ragged
			copy(vals[:len(columns)], strings.Split(row, "\x1f"))
			peeked, split = peeked+line("", vals), split+line(`"""",`, vals)
		}
		reply := func(body string) string {
			in := searchtest.Stream(chunkedtest.Getinfo(args...), chunkedtest.Execute(true, []byte(body)))
			var out, errOut bytes.Buffer
			code := search.Run(&chunkedtest.Pieces{B: in, N: int(piece) + 1}, &out, &errOut, "")
			return fmt.Sprintf("%d %q %q", code, errOut.String(), out.String())
		}
		if got, want := reply(peeked), reply(split); got != want {
			t.Fatalf("body %q\npeeked: %s\nsplit:  %s", peeked, got, want)
		}
	})
}

// FuzzSummary drives kubefingerprintsummary with arbitrary execute bodies
// after a valid getinfo: it never panics and answers every request with one
// well-framed reply; the last carries the sources, which are CSV with the
// summary's header, or a broken CSV header ends it with an error reply.
func FuzzSummary(f *testing.F) {
	f.Add([]byte("_time,src_ip,requestURI,verb,responseStatus.code,user,scanner,cluster,userAgent\n1,192.0.2.1,/api,get,401,,,AKS,curl/8\n"))
	f.Add([]byte("src_ip,__mv_src_ip,requestURI\n\"a\nb\",\"$a$;$b$\",/version\n"))
	f.Add([]byte("requestURI\n/api/v1/namespaces/kube-lease/secrets\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		in := searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Execute(false, body), chunkedtest.Execute(true, body))
		var out, errOut bytes.Buffer
		code := search.RunSummary(bytes.NewReader(in), &out, &errOut, "")
		replies, err := chunkedtest.ReadReplies(&out)
		if err != nil {
			t.Fatalf("replies not well-framed: %v", err)
		}
		switch {
		case code == 0 && len(replies) == 3:
			if !strings.HasPrefix(replies[2].Body, "src_ip,count,firstTime,") {
				t.Fatalf("last reply without the summary's header: %.200q", replies[2].Body)
			}
			searchtest.Rows(t, replies[2].Body) // valid CSV
		case code == 1 && len(replies) == 2 && replies[1].Meta["error"] != nil && strings.Count(errOut.String(), "\n") == 1:
		default:
			t.Fatalf("exit status %d, %d replies, stderr %q", code, len(replies), errOut.String())
		}
	})
}
