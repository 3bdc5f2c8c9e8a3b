package search

import (
	"github.com/kubefingerprint/kubefingerprint/internal/chunked"
	"github.com/kubefingerprint/kubefingerprint/internal/detect"
)

// A reply is the body of the chunk that answers an execute request: the
// rows as CSV of valid UTF-8 (splunkd reads bodies as UTF-8, and an audit
// log holds whatever a client sent), with detect.Fields for columns (and allowlisted with
// filter=show), the __mv_ companion of each multivalue field and, when
// splunkd sent one, _chunked_idx. It is the search's detect.Sink.
type reply struct {
	withIdx     bool
	allowlisted bool
	body        []byte
	committed   int // body[:committed] holds final rows
	scratch     []byte
}

func (c *reply) Row(r *detect.Row) {
	dst := c.body
	if len(dst) == 0 {
		dst = c.header(dst)
	}
	for i := range detect.Fields {
		f := &detect.Fields[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		if f.List {
			c.scratch = chunked.AppendJoined(c.scratch[:0], f.Values(r))
			dst = chunked.AppendText(dst, c.scratch)
		} else {
			dst = chunked.AppendText(dst, f.Value(r))
		}
	}
	if c.allowlisted {
		dst = chunked.AppendText(append(dst, ','), r.Allowlisted)
	}
	for i := range detect.Fields {
		if f := &detect.Fields[i]; f.List {
			c.scratch = chunked.AppendMV(c.scratch[:0], f.Values(r))
			dst = chunked.AppendText(append(dst, ','), c.scratch)
		}
	}
	if c.withIdx {
		dst = chunked.AppendField(append(dst, ','), r.ChunkedIdx)
	}
	c.body = append(dst, '\n')
}

func (c *reply) header(dst []byte) []byte {
	for i, f := range detect.Fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, f.Name...)
	}
	if c.allowlisted {
		dst = append(append(dst, ','), detect.Allowlisted.Name...)
	}
	for _, f := range detect.Fields {
		if f.List {
			dst = append(append(append(dst, ','), chunked.MVPrefix...), f.Name...)
		}
	}
	if c.withIdx {
		dst = append(dst, ",_chunked_idx"...)
	}
	return append(dst, '\n')
}

func (c *reply) Commit() { c.committed = len(c.body) }

func (c *reply) Withdraw() { c.body = c.body[:c.committed] }

// take returns the committed body and starts the next one.
func (c *reply) take() []byte {
	out := c.body[:c.committed]
	c.body, c.committed = c.body[:0], 0
	return out
}
