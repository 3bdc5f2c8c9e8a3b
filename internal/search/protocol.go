package search

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/buger/jsonparser"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked"
)

// A command is one of the app's search commands as the protocol drives
// it: the getinfo exchange, each execute request's body, and the reply
// owed for it.
type command interface {
	// getinfo reads the getinfo request and returns the reply to it.
	getinfo(meta []byte, body *chunked.Body) (replyMeta, error)
	execute(body *chunked.Body) error
	// reply is the body and inspector messages of the reply to the
	// execute request just read; last says it is the finished one.
	reply(last bool) (body []byte, messages [][2]string)
}

// serve runs a command as splunkd drives it: one getinfo exchange, then
// one reply per execute request until EOF. name prefixes its error, which
// is the reply still owed for the request that failed (what Splunk shows
// the user) and one stderr line (search.log). It returns the exit status.
func serve(name string, c command, r *chunked.Reader, w *chunked.Writer, stderr io.Writer) int {
	err := exchange(c, r, w)
	if err == nil {
		return 0
	}
	meta, _ := json.Marshal(replyMeta{Finished: ptr(true), Error: name + ": " + err.Error()})
	w.WriteChunk(meta, nil)
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	return 1
}

func exchange(c command, r *chunked.Reader, w *chunked.Writer) error {
	meta, body, err := r.Next()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	rm, err := c.getinfo(meta, body)
	if err != nil {
		return err
	}
	meta, _ = json.Marshal(rm)
	if err := w.WriteChunk(meta, nil); err != nil {
		return fmt.Errorf("writing the getinfo reply: %w", err)
	}
	for {
		meta, body, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		action, err := jsonparser.GetString(meta, "action")
		if err != nil || action != "execute" {
			return fmt.Errorf("chunk %d: expected an execute request, got metadata %.200q", r.Chunk(), meta)
		}
		finished, _ := jsonparser.GetBoolean(meta, "finished")
		if err := c.execute(body); err != nil {
			return fmt.Errorf("chunk %d: %w", r.Chunk(), err)
		}
		out, messages := c.reply(finished)
		rm := replyMeta{Finished: ptr(finished)}
		if len(messages) > 0 {
			rm.Inspector = &inspector{Messages: messages}
		}
		meta, _ = json.Marshal(rm)
		if err := w.WriteChunk(meta, out); err != nil {
			return fmt.Errorf("writing reply to chunk %d: %w", r.Chunk(), err)
		}
	}
}

type replyMeta struct {
	Type           string     `json:"type,omitempty"`
	RequiredFields []string   `json:"required_fields,omitempty"`
	Finished       *bool      `json:"finished,omitempty"`
	Error          string     `json:"error,omitempty"`
	Inspector      *inspector `json:"inspector,omitempty"`
}

type inspector struct {
	Messages [][2]string `json:"messages"`
}

func ptr[T any](v T) *T { return &v }
