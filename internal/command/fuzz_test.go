package command

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
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
		in := stream(chunkedtest.Getinfo(), chunkedtest.Execute(false, body), chunkedtest.Execute(true, body))
		var out, errOut bytes.Buffer
		code := Search(bytes.NewReader(in), &out, &errOut, "")
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
