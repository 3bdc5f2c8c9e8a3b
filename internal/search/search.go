// Package search is kubefingerprint as splunkd runs it: a streaming search
// command over the chunked protocol (version 2). It owns the splunkd side:
// the name=value arguments, the getinfo exchange and the fields it asks
// for, reading the events of each execute request, the reply chunk, and
// finding the app folder the lookups live in.
package search

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/buger/jsonparser"

	"github.com/kubefingerprint/kubefingerprint/internal/applookups"
	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked"
	"github.com/kubefingerprint/kubefingerprint/internal/detect"
)

// The fields the command reads, in the order of the field* constants:
// those it asks splunkd for (requiredFields), and the extracted fields it
// still reads when splunkd sends them anyway.
var readFields = [...]string{
	"_time", "_chunked_idx", "_raw",
	"properties.log", "body.properties.log",
	"resourceId", "body.resourceId",
}

// requiredFields is what the getinfo reply asks splunkd for, so that it
// does not pipe every extracted field of every event to the command: _raw,
// which holds the whole record in every shape, and _time. The extracted
// properties.log is not asked for: it is the same record again, which
// splunkd would have to extract and serialise, and the command reads it
// only when _raw holds no audit event. With input=, that field, and
// resourceId for the cluster of an event whose record does not name one.
// splunkd adds _chunked_idx by itself.
func requiredFields(input string) []string {
	if input != "" {
		return []string{"_time", input, "resourceId", "body.resourceId"}
	}
	return []string{"_time", "_raw"}
}

const (
	fieldTime = iota
	fieldChunkedIdx
	fieldRaw
	fieldLog
	fieldBodyLog
	fieldResourceID
	fieldBodyResourceID
	fieldInput // the field named by input=, if any
	numFields
)

// A search is one run of the command under splunkd.
type search struct {
	r      *chunked.Reader
	w      *chunked.Writer
	stderr io.Writer
	appDir string

	args     args
	problems []string // the lookups' warnings and the search's own, for the closing message
	crHeader bool     // a name of the header holds a CR: the lines end in CR alone
	crWarned bool
	d        *detect.Detection
	csv      chunked.CSVReader
	rows     reply // the rows of the request being read

	plain, mv [numFields]int // column of each field and of its __mv_ companion, -1 if absent
	columns   int
	noField   bool // the chunk has none of the fields audit data is read from
	values    [numFields][][]byte
	loaded    [numFields]bool // values[f] holds the current record's field f
	src       detect.Source
	rec       chunked.Record
}

// Run runs the command as splunkd drives it: one getinfo exchange, then
// one reply per execute request until EOF. appDir is the app folder, ""
// outside one. It returns the exit status.
func Run(stdin io.Reader, stdout, stderr io.Writer, appDir string) int {
	s := &search{r: chunked.NewReader(stdin), w: chunked.NewWriter(stdout), stderr: stderr, appDir: appDir}
	return serve("kubefingerprint", s, s.r, s.w, stderr)
}

// reply is the rows of the request just read and, with the last, the
// closing message.
func (s *search) reply(last bool) ([]byte, [][2]string) {
	var messages [][2]string
	if last {
		level, text := s.d.Summary(s.problems)
		messages = [][2]string{{level, text}}
	}
	return s.rows.take(), messages
}

func (s *search) getinfo(meta []byte, body *chunked.Body) (replyMeta, error) {
	action, err := jsonparser.GetString(meta, "action")
	switch {
	case err != nil || action != "getinfo":
		return replyMeta{}, fmt.Errorf("chunk 1: expected a getinfo request, got metadata %.200q", meta)
	case body.Remaining() != 0:
		return replyMeta{}, errors.New("chunk 1: a getinfo request carries no body")
	}
	var list []string
	jsonparser.ArrayEach(meta, func(v []byte, vt jsonparser.ValueType, _ int, _ error) {
		if vt == jsonparser.String {
			a, _ := jsonparser.ParseString(v)
			list = append(list, a)
		}
	}, "searchinfo", "args")
	if s.args, err = parseArgs(list); err != nil {
		return replyMeta{}, err
	}
	user, _ := jsonparser.GetString(meta, "searchinfo", "username")
	lk, err := applookups.Load(applookups.Request{App: s.appDir, Filter: s.args.Filter, User: user})
	if err != nil {
		return replyMeta{}, err
	}
	s.d = detect.New(s.args.Options, lk.Allow, lk.Tags.Tag, &s.rows)
	s.problems = lk.Warnings
	s.rows.allowlisted = lk.Allow.Show

	rm := replyMeta{Type: "streaming", RequiredFields: requiredFields(s.args.Input)}
	if len(lk.Warnings) > 0 {
		rm.Inspector = &inspector{}
		for _, w := range lk.Warnings {
			rm.Inspector.Messages = append(rm.Inspector.Messages, [2]string{"WARN", w})
		}
	}
	return rm, nil
}

// execute runs the detection on the events of one execute request; the rows
// wait in s.rows until the reply is written.
func (s *search) execute(body *chunked.Body) error {
	s.csv.Reset(body)
	header, err := s.csv.Read()
	if err == io.EOF {
		return nil // no events, not even a header
	}
	if err != nil {
		return fmt.Errorf("CSV header: %w", err)
	}
	if err := header.Err(); err != nil {
		return fmt.Errorf("CSV header: %w", err)
	}
	s.mapColumns(header)
	if s.crHeader && !s.crWarned {
		// splunkd ends lines with LF; a body whose lines end in CR alone is
		// one header line, and no event of it is read.
		s.crWarned = true
		s.problems = append(s.problems, fmt.Sprintf("chunk %d: its lines end in CR alone, so its events were not read", s.r.Chunk()))
	}
	for {
		rec, err := s.csv.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if _, ok := err.(*chunked.RecordError); !ok {
				return err
			}
			s.d.Unreadable() // a record splunkd could not have written: count it, go on
			continue
		}
		if s.columns > 1 && rec.Blank() {
			continue // a blank line is no event (nor an empty first field to peek at)
		}
		// Most events cannot match, and their audit field shows it; that
		// field is found without splitting the record (Peek), and such a
		// record is dropped without its fields being counted. Only a record
		// that may match must have as many fields as the header.
		if s.noField {
			s.d.NoField()
			continue
		}
		s.rec = rec
		may, notJSON, known := s.mayMatch(peek)
		if known && !may {
			s.d.Drop(notJSON)
			continue
		}
		if rec.Len() != s.columns {
			s.d.Unreadable()
			continue
		}
		if !known {
			may, notJSON, _ = s.mayMatch(escaped)
		}
		s.d.Event(s.source(may, notJSON))
	}
}

func (s *search) mapColumns(header chunked.Record) {
	s.columns = header.Len()
	s.crHeader = false
	for f := range s.plain {
		s.plain[f], s.mv[f] = -1, -1
	}
	for i := 0; i < header.Len(); i++ {
		name := string(header.Field(i)) // the header is read once a chunk
		s.crHeader = s.crHeader || strings.IndexByte(name, '\r') >= 0
		col := &s.plain
		if len(name) > len(chunked.MVPrefix) && name[:len(chunked.MVPrefix)] == chunked.MVPrefix {
			name, col = name[len(chunked.MVPrefix):], &s.mv
		}
		for f, field := range readFields {
			if name == field {
				col[f] = i
			}
		}
		if s.args.Input != "" && name == s.args.Input {
			col[fieldInput] = i
		}
	}
	s.rows.withIdx = s.plain[fieldChunkedIdx] >= 0
	s.noField = true
	for _, f := range s.auditFields() {
		s.noField = s.noField && s.plain[f] < 0
	}
}

// auditFields are the fields audit data is read from.
func (s *search) auditFields() []int {
	if s.args.Input != "" {
		return inputField
	}
	return dataFields
}

var (
	dataFields = []int{fieldRaw, fieldLog, fieldBodyLog}
	inputField = []int{fieldInput}
)

// source describes the current record to the detection, as mayMatch
// judged it; its slices alias the record, and its fields are decoded only
// when read.
func (s *search) source(may, notJSON bool) *detect.Source {
	s.loaded = [numFields]bool{}
	src := &s.src
	*src = detect.Source{Data: (*splunkEvent)(s), MayMatch: may, NotJSON: notJSON}
	if !may {
		return src
	}
	src.Time = first(s.field(fieldTime))
	if p := s.plain[fieldChunkedIdx]; p >= 0 {
		src.ChunkedIdx = s.rec.Field(p)
	}
	return src
}

// How mayMatch finds a field of the current record: split (escaped), or
// peeked at, which is exact when the record has as many fields as the
// header (the only records whose verdict counts).
func escaped(s *search, p int) ([]byte, bool) { return s.rec.Escaped(p), true }
func peek(s *search, p int) ([]byte, bool)    { return s.rec.Peek(p, s.columns) }

// mayMatch scans the fields that can hold audit data, still CSV-quoted,
// for what a matching event must contain (detect.Detection.MayMatch): most
// events have none of it and are done with. notJSON tells whether none of
// those fields holds JSON audit data. known is false when a field could
// not be found.
func (s *search) mayMatch(find func(*search, int) ([]byte, bool)) (may, notJSON, known bool) {
	holdsJSON := false
	for _, f := range s.auditFields() {
		p := s.plain[f]
		if p < 0 {
			continue
		}
		v, ok := find(s, p)
		if !ok {
			return false, false, false
		}
		holdsJSON = holdsJSON || audit.HoldsJSON(v)
		if s.d.MayMatch(v) {
			return true, !holdsJSON, true
		}
	}
	return false, !holdsJSON, true
}

// A splunkEvent is the audit.Source of the record being read.
type splunkEvent search

// Raw is _raw or, with input=, the field it names.
func (e *splunkEvent) Raw() [][]byte {
	s := (*search)(e)
	if s.args.Input != "" {
		return s.field(fieldInput)
	}
	return s.field(fieldRaw)
}

// RawQuoted is _raw as it lies in the chunk body, quotes still doubled,
// while it is one value not yet unquoted: the audit package reads a record
// from it without a pass to undo the quoting first.
func (e *splunkEvent) RawQuoted() []byte {
	s := (*search)(e)
	p := s.plain[fieldRaw]
	if s.args.Input != "" || p < 0 || s.loaded[fieldRaw] {
		return nil
	}
	if m := s.mv[fieldRaw]; m >= 0 && len(s.rec.Escaped(m)) > 0 {
		return nil
	}
	return s.rec.Escaped(p)
}

// Log is properties.log, else body.properties.log.
func (e *splunkEvent) Log() [][]byte {
	s := (*search)(e)
	if s.args.Input != "" {
		return nil
	}
	if log := s.field(fieldLog); len(log) > 0 {
		return log
	}
	return s.field(fieldBodyLog)
}

// ResourceID is resourceId, else body.resourceId.
func (e *splunkEvent) ResourceID() []byte {
	s := (*search)(e)
	if rid := first(s.field(fieldResourceID)); len(rid) > 0 {
		return rid
	}
	return first(s.field(fieldBodyResourceID))
}

// field reads the values of field f of the current record, once: several
// when its __mv_ companion holds them, else the plain value, if not empty.
func (s *search) field(f int) [][]byte {
	if s.loaded[f] {
		return s.values[f]
	}
	s.loaded[f] = true
	s.values[f] = s.values[f][:0]
	if m := s.mv[f]; m >= 0 {
		if cell := s.rec.Field(m); len(cell) > 0 {
			if vals, err := chunked.SplitMV(s.values[f], cell); err == nil {
				s.values[f] = vals
				return vals
			}
			s.values[f] = s.values[f][:0]
		}
	}
	if p := s.plain[f]; p >= 0 {
		if v := s.rec.Field(p); len(v) > 0 {
			s.values[f] = append(s.values[f], v)
		}
	}
	return s.values[f]
}

func first(vals [][]byte) []byte {
	if len(vals) == 0 {
		return nil
	}
	return vals[0]
}
