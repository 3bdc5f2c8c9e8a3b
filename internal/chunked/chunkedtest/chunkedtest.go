// Package chunkedtest plays splunkd's side of the chunked protocol: it
// writes requests as splunkd writes them and reads a command's replies. The
// tests, the end-to-end test and the benchmark corpus share it.
package chunkedtest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked"
)

// Chunk frames metadata and body.
func Chunk(meta, body []byte) []byte {
	out := fmt.Appendf(nil, "chunked 1.0,%d,%d\n", len(meta), len(body))
	return append(append(out, meta...), body...)
}

// Getinfo is a getinfo request as Splunk 8.2.1 sends it for a search that
// ends in "| kubefingerprint <args>".
func Getinfo(args ...string) []byte {
	if args == nil {
		args = []string{}
	}
	meta, _ := json.Marshal(map[string]any{
		"action":                         "getinfo",
		"preview":                        false,
		"streaming_command_will_restart": false,
		"searchinfo": map[string]any{
			"args": args, "raw_args": args,
			"dispatch_dir": "/opt/splunk/var/run/splunk/dispatch/1795165200.42",
			"sid":          "1795165200.42", "app": "search", "owner": "admin", "username": "admin",
			"session_key": "not-a-real-key", "splunkd_uri": "https://127.0.0.1:8089", "splunk_version": "9.4.1",
			"search":  "litsearch%20sourcetype%3Dmscs%3Astorage%3Ablob%3Ajson%20category%3Dkube-audit%20%7C%20kubefingerprint",
			"command": "kubefingerprint", "maxresultrows": 50000,
			"earliest_time": "0", "latest_time": "0",
		},
	})
	return Chunk(meta, nil)
}

// Execute is an execute request.
func Execute(finished bool, body []byte) []byte {
	return Chunk(fmt.Appendf(nil, `{"action":"execute","finished":%v}`, finished), body)
}

// A Table is a CSV body as splunkd writes it: every plain column, then the
// __mv_ companion of each; a cell with several values is multivalued.
type Table struct {
	Columns []string
	Rows    [][][]string // row, column, values
}

// AppendRow adds a row of single values.
func (t *Table) AppendRow(cells ...string) {
	row := make([][]string, len(cells))
	for i, c := range cells {
		if c != "" {
			row[i] = []string{c}
		}
	}
	t.Rows = append(t.Rows, row)
}

// Body renders the table.
func (t *Table) Body() []byte {
	return t.AppendBody(nil)
}

// AppendBody renders the table onto dst.
func (t *Table) AppendBody(dst []byte) []byte {
	for i, c := range t.Columns {
		dst = appendField(dst, i, c)
	}
	for _, c := range t.Columns {
		dst = appendField(dst, 1, chunked.MVPrefix+c)
	}
	dst = append(dst, '\n')
	vals := make([][]byte, 0, 4)
	for _, row := range t.Rows {
		for i, cell := range row {
			dst = appendField(dst, i, strings.Join(cell, "\n"))
		}
		for _, cell := range row {
			vals = vals[:0]
			for _, v := range cell {
				vals = append(vals, []byte(v))
			}
			dst = appendField(dst, 1, string(chunked.AppendMV(nil, vals)))
		}
		dst = append(dst, '\n')
	}
	return dst
}

// appendField quotes as splunkd does: any field holding a byte outside
// [A-Za-z0-9] is quoted.
func appendField(dst []byte, i int, v string) []byte {
	if i > 0 {
		dst = append(dst, ',')
	}
	plain := true
	for j := 0; j < len(v); j++ {
		c := v[j]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return append(dst, v...)
	}
	return append(append(dst, '"'), strings.ReplaceAll(v, `"`, `""`)+`"`...)
}

// A Reply is one chunk a command wrote.
type Reply struct {
	Meta map[string]any
	Body string
}

// ReadReply reads the next reply chunk from r.
func ReadReply(r *chunked.Reader) (Reply, error) {
	meta, body, err := r.Next()
	if err != nil {
		return Reply{}, err
	}
	var rep Reply
	if err := json.Unmarshal(meta, &rep.Meta); err != nil {
		return rep, fmt.Errorf("reply metadata %q: %w", meta, err)
	}
	b, err := io.ReadAll(body)
	rep.Body = string(b)
	return rep, err
}

// ReadReplies reads every reply chunk until EOF.
func ReadReplies(r io.Reader) ([]Reply, error) {
	cr := chunked.NewReader(r)
	var out []Reply
	for {
		rep, err := ReadReply(cr)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rep)
	}
}

// RequiredFields reads a command's getinfo reply from r and returns the
// fields it asks splunkd for; none means every field.
func RequiredFields(r io.Reader) ([]string, error) {
	rep, err := ReadReply(chunked.NewReader(r))
	if err != nil {
		return nil, fmt.Errorf("getinfo reply: %w", err)
	}
	if e, ok := rep.Meta["error"]; ok {
		return nil, fmt.Errorf("getinfo reply: error %v", e)
	}
	var fields []string
	list, _ := rep.Meta["required_fields"].([]any)
	for _, f := range list {
		s, ok := f.(string)
		if !ok {
			return nil, fmt.Errorf("getinfo reply: required_fields holds %v", f)
		}
		fields = append(fields, s)
	}
	return fields, nil
}

// Pieces reads b at most n bytes a read, as a pipe may hand a stream over,
// so that records straddle the reader's buffer refills.
type Pieces struct {
	B []byte
	N int
}

func (r *Pieces) Read(p []byte) (int, error) {
	if len(r.B) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.N)], r.B)
	r.B = r.B[k:]
	return k, nil
}
