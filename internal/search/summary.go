package search

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/buger/jsonparser"

	"github.com/kubefingerprint/kubefingerprint/internal/applookups"
	"github.com/kubefingerprint/kubefingerprint/internal/bysource"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked"
)

// SummaryArg is the argument commands.conf gives the binary
// (command.arg.1) for the second search command, kubefingerprintsummary:
// a reporting command that reads the streaming command's rows on the
// search head and returns one row per source that looks like a scan, by
// the same Go code as scan --summary (internal/bysource).
const SummaryArg = "summary"

// The fields of a row the per-source stage reads, as the streaming
// command names them.
var summaryFields = [...]string{"_time", "src_ip", "requestURI", "verb", "responseStatus.code", "user", "scanner", "cluster", "userAgent"}

const summaryValidArguments = "min_tool_score=<0 to 1> (default 0.5), min_uris=<n> (default 5), min_401=<n> (default 1), fire_on_scanner=true|false (default true); 0 or false switches a test off"

// RunSummary runs kubefingerprintsummary as splunkd drives it: one getinfo
// exchange, then every execute request's rows gathered by source, and the
// sources that fire in the reply to the last one. It returns the exit
// status.
func RunSummary(stdin io.Reader, stdout, stderr io.Writer, appDir string) int {
	s := &summary{appDir: appDir}
	return serve("kubefingerprintsummary", s, chunked.NewReader(stdin), chunked.NewWriter(stdout), stderr)
}

type summary struct {
	appDir   string
	agg      *bysource.Aggregator
	problems []string
	csv      chunked.CSVReader
	plain    [len(summaryFields)]int
	mv       [len(summaryFields)]int
	values   [len(summaryFields)][]byte
	scratch  [][]byte
	req      bysource.Request
	rows     int
	missing  bool // a chunk had no src_ip or requestURI column
}

// reply is empty until the last request: then the sources that fire, and
// the closing message.
func (s *summary) reply(last bool) ([]byte, [][2]string) {
	if !last {
		return nil, nil
	}
	table := s.table() // first: Note counts the sources it found firing
	level, text := "INFO", s.agg.Note()
	if strings.Contains(text, "WARN") || len(s.problems) > 0 {
		level = "WARN"
	}
	if s.missing {
		s.problems = append(s.problems, "some rows had no src_ip or requestURI field: run kubefingerprintsummary right after kubefingerprint")
		level = "WARN"
	}
	if len(s.problems) > 0 {
		text += "; problems: " + strings.Join(s.problems, "; ")
	}
	return table, [][2]string{{level, fmt.Sprintf("kubefingerprintsummary: rows read: %d; %s", s.rows, strings.TrimPrefix(text, "kubefingerprint: "))}}
}

func (s *summary) getinfo(meta []byte, body *chunked.Body) (replyMeta, error) {
	if action, err := jsonparser.GetString(meta, "action"); err != nil || action != "getinfo" {
		return replyMeta{}, fmt.Errorf("chunk 1: expected a getinfo request, got metadata %.200q", meta)
	}
	if body.Remaining() != 0 {
		return replyMeta{}, errors.New("chunk 1: a getinfo request carries no body")
	}
	th := bysource.DefaultThresholds
	given := map[string]bool{}
	var argErr error
	jsonparser.ArrayEach(meta, func(v []byte, vt jsonparser.ValueType, _ int, _ error) {
		if vt != jsonparser.String || argErr != nil {
			return
		}
		a, _ := jsonparser.ParseString(v)
		name, value, _ := strings.Cut(a, "=")
		if given[name] {
			argErr = fmt.Errorf("%s= given twice: give it once; valid arguments: %s", name, summaryValidArguments)
			return
		}
		given[name] = true
		argErr = setThreshold(&th, name, value)
	}, "searchinfo", "args")
	if argErr != nil {
		return replyMeta{}, argErr
	}
	user, _ := jsonparser.GetString(meta, "searchinfo", "username")
	lk, err := applookups.Load(applookups.Request{App: s.appDir, Filter: "none", User: user, Summary: true})
	if err != nil {
		return replyMeta{}, err
	}
	s.agg = bysource.New(th, lk.Tools)
	s.problems = lk.Warnings
	rm := replyMeta{Type: "reporting", RequiredFields: summaryFields[:]}
	if len(lk.Warnings) > 0 {
		rm.Inspector = &inspector{}
		for _, w := range lk.Warnings {
			rm.Inspector.Messages = append(rm.Inspector.Messages, [2]string{"WARN", w})
		}
	}
	return rm, nil
}

// setThreshold reads one argument of kubefingerprintsummary.
func setThreshold(th *bysource.Thresholds, name, value string) error {
	bad := func(want string) error {
		return fmt.Errorf("%s=%s: use %s; valid arguments: %s", name, value, want, summaryValidArguments)
	}
	switch name {
	case "min_tool_score":
		f, err := strconv.ParseFloat(value, 64)
		if err != nil || !(f >= 0 && f <= 1) {
			return bad("a number from 0 to 1")
		}
		th.MinToolScore = f
	case "min_uris", "min_401":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return bad("a whole number, 0 or more")
		}
		if name == "min_uris" {
			th.MinURIs = n
		} else {
			th.Min401 = n
		}
	case "fire_on_scanner":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return bad("true or false")
		}
		th.Scanner = b
	default:
		return fmt.Errorf("unknown argument %q; valid arguments: %s", name+"="+value, summaryValidArguments)
	}
	return nil
}

// execute gathers the rows of one execute request by source.
func (s *summary) execute(body *chunked.Body) error {
	s.csv.Reset(body)
	header, err := s.csv.Read()
	if err == io.EOF {
		return nil
	}
	if err == nil {
		err = header.Err()
	}
	if err != nil {
		return fmt.Errorf("CSV header: %w", err)
	}
	for f := range summaryFields {
		s.plain[f], s.mv[f] = -1, -1
	}
	for i := 0; i < header.Len(); i++ {
		name, col := string(header.Field(i)), &s.plain
		if strings.HasPrefix(name, chunked.MVPrefix) {
			name, col = name[len(chunked.MVPrefix):], &s.mv
		}
		for f, field := range summaryFields {
			if name == field {
				col[f] = i
			}
		}
	}
	s.missing = s.missing || s.plain[1] < 0 || s.plain[2] < 0
	for {
		rec, err := s.csv.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var re *chunked.RecordError
			if !errors.As(err, &re) {
				return err
			}
			continue // a record splunkd could not have written
		}
		if rec.Blank() {
			continue
		}
		s.rows++
		for f := range summaryFields {
			s.values[f] = s.value(rec, f)
		}
		v := &s.values
		s.req = bysource.Request{Time: v[0], SrcIP: v[1], RequestURI: v[2], Verb: v[3], Code: v[4], User: v[5],
			Scanner: v[6], Cluster: v[7], UserAgent: v[8]}
		s.agg.Committed(&s.req)
	}
}

// value is field f of a record: its first value when it holds several.
func (s *summary) value(rec chunked.Record, f int) []byte {
	if m := s.mv[f]; m >= 0 && m < rec.Len() {
		if cell := rec.Field(m); len(cell) > 0 {
			if vals, err := chunked.SplitMV(s.scratch[:0], cell); err == nil && len(vals) > 0 {
				s.scratch = vals
				return vals[0]
			}
		}
	}
	if p := s.plain[f]; p >= 0 && p < rec.Len() {
		return rec.Field(p)
	}
	return nil
}

// table is the reply to the last request: the sources that fire, with the
// __mv_ companion of every list column.
func (s *summary) table() []byte {
	var dst []byte
	for i, c := range bysource.Columns {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, c.Name...)
	}
	for _, c := range bysource.Columns {
		if c.List {
			dst = append(append(append(dst, ','), chunked.MVPrefix...), c.Name...)
		}
	}
	dst = append(dst, '\n')
	var vals [][]byte
	s.agg.Firing(func(values [][]string) {
		for i, c := range bysource.Columns {
			if i > 0 {
				dst = append(dst, ',')
			}
			vals = bytesOf(vals[:0], values[i])
			if c.List {
				dst = chunked.AppendText(dst, chunked.AppendJoined(nil, vals))
			} else if len(vals) > 0 {
				dst = chunked.AppendText(dst, vals[0])
			}
		}
		for i, c := range bysource.Columns {
			if c.List {
				vals = bytesOf(vals[:0], values[i])
				dst = chunked.AppendText(append(dst, ','), chunked.AppendMV(nil, vals))
			}
		}
		dst = append(dst, '\n')
	})
	return dst
}

func bytesOf(dst [][]byte, vs []string) [][]byte {
	for _, v := range vs {
		dst = append(dst, []byte(v))
	}
	return dst
}
