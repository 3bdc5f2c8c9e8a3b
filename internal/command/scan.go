package command

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
)

// Sample is a small set of AKS kube-audit records, written for this project,
// that scan reads when it is given no file.
//
//go:embed testdata/sample.ndjson
var Sample []byte

const scanUsage = `usage: kubefingerprint scan [--codes 401] [--format table|csv|json] [--filter FILE] [FILE...]

Runs the Kubernetes Azure scan fingerprint detection on exported logs and
prints the rows the search command would return. FILEs hold JSON documents:
NDJSON exports, Azure storage blobs (PT1H.json), Event Hub batches, bare
audit events, gzipped or not. With no FILE it reads a built-in sample.
`

// maxBadLines is how many bad lines of one file are described on stderr.
const maxBadLines = 10

// Scan runs the command line's scan subcommand and returns the exit status:
// 0, or 2 for a usage error or a file that could not be read in full.
func Scan(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("scan", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, scanUsage); flags.PrintDefaults() }
	codes := flags.String("codes", "401", "comma list of responseStatus.code values to report")
	formatName := flags.String("format", "table", "output format: table, csv or json")
	var filters []string
	flags.Func("filter", "allowlist lookup CSV to apply (repeatable)", func(v string) error {
		filters = append(filters, v)
		return nil
	})
	if err := flags.Parse(args); err != nil {
		return 2
	}
	opts := Options{}
	var err error
	if opts.Codes, err = ParseCodes(*codes); err != nil {
		fmt.Fprintf(stderr, "kubefingerprint: %v\n", err)
		return 2
	}
	allow, warnings, err := readAllowlists(filters, true, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "kubefingerprint: %v\n", err)
		return 2
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "kubefingerprint: WARN %s\n", w)
	}

	out := bufio.NewWriter(stdout)
	var sink io.Writer = out
	var tw *tabwriter.Writer
	var f format
	switch *formatName {
	case "table":
		tw = tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
		sink, f = tw, tableFormat{}
	case "csv":
		f = &chunkCSV{}
	case "json":
		f = jsonFormat{}
	default:
		fmt.Fprintf(stderr, "kubefingerprint: --format %q: use table, csv or json\n", *formatName)
		return 2
	}

	sc := &scanner{d: newDetection(opts, allow, f), sink: sink, stderr: stderr}
	files := flags.Args()
	if len(files) == 0 {
		sc.read("sample", bytes.NewReader(Sample))
	}
	for _, name := range files {
		sc.file(name)
	}
	if tw != nil {
		tw.Flush()
	}
	out.Flush()
	fmt.Fprintln(stderr, sc.d.summary())
	if sc.failed {
		return 2
	}
	return 0
}

type scanner struct {
	d      *detection
	sink   io.Writer
	stderr io.Writer
	failed bool
	bad    int // bad lines reported in the current file
	src    source
	docs   [1][]byte
}

func (sc *scanner) file(name string) {
	f, err := os.Open(name)
	if err != nil {
		sc.fail("%v", err)
		return
	}
	defer f.Close()
	sc.read(name, f)
}

// read splits a file into JSON documents, wherever lines break them, and
// runs the detection on each. Text that is not JSON is reported with its
// line and skipped; the rest of the file is still read.
func (sc *scanner) read(name string, r io.Reader) {
	sc.bad = 0
	br := bufio.NewReaderSize(r, 256<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			sc.fail("%s: %v", name, err)
			return
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 256<<10)
	}
	var (
		split     audit.Splitter
		pending   []byte
		line, at  int // current line, and the line where pending starts
		lineBuf   []byte
		readError error
	)
	for readError == nil {
		lineBuf, readError = readLine(br, lineBuf[:0])
		if len(lineBuf) == 0 && readError != nil {
			break
		}
		line++
		rest := lineBuf
		for len(rest) > 0 {
			if len(pending) == 0 {
				rest = bytes.TrimLeft(rest, " \t\r\n")
				if len(rest) == 0 {
					break
				}
				if rest[0] != '{' && rest[0] != '[' {
					sc.badLine(name, line, "not JSON: %.60q", rest)
					break
				}
				split.Reset()
				at = line
			}
			end := split.Feed(rest)
			if end < 0 {
				pending = append(pending, rest...)
				break
			}
			pending = append(pending, rest[:end]...)
			sc.document(pending)
			pending, rest = pending[:0], rest[end:]
		}
	}
	if readError != io.EOF {
		sc.fail("%s line %d: %v", name, line, readError)
	}
	if len(pending) > 0 {
		sc.badLine(name, at, "JSON document never ends (file cut short?); read as far as it goes")
		sc.document(pending)
	}
	if sc.bad > maxBadLines {
		fmt.Fprintf(sc.stderr, "kubefingerprint: %s: %d more bad lines not shown\n", name, sc.bad-maxBadLines)
	}
}

// document runs the detection on one document, in any shape the audit
// package reads: a top-level array is a list of documents.
func (sc *scanner) document(doc []byte) {
	sc.src = source{data: audit.NewDocument(doc), mayMatch: sc.d.x.MayMatch(doc), notJSON: !audit.HoldsJSON(doc)}
	sc.d.event(&sc.src)
	sc.sink.Write(sc.d.take(false))
}

func (sc *scanner) badLine(name string, line int, format string, a ...any) {
	sc.failed = true
	sc.bad++
	if sc.bad <= maxBadLines {
		fmt.Fprintf(sc.stderr, "kubefingerprint: %s line %d: %s\n", name, line, fmt.Sprintf(format, a...))
	}
}

func (sc *scanner) fail(format string, a ...any) {
	sc.failed = true
	fmt.Fprintf(sc.stderr, "kubefingerprint: "+format+"\n", a...)
}

// readLine appends one line, of any length, to dst.
func readLine(br *bufio.Reader, dst []byte) ([]byte, error) {
	for {
		part, err := br.ReadSlice('\n')
		dst = append(dst, part...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return dst, err
		}
	}
}

// tableFormat renders rows for a terminal: tab-separated cells for a
// tabwriter, addresses comma-joined, control characters escaped.
type tableFormat struct{}

func (tableFormat) header(dst []byte) []byte {
	return append(dst, strings.Join(Columns, "\t")+"\n"...)
}

func (tableFormat) row(dst []byte, r *Row) []byte {
	ev := r.Event
	dst = appendCell(dst, r.Time)
	dst = append(dst, '\t')
	for i, ip := range ev.SourceIPs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCell(dst, ip)
	}
	for _, v := range [...][]byte{ev.UserAgent, ev.Verb, ev.RequestURI, ev.Reason,
		ev.Cluster, ev.SrcIP(), ev.User, ev.CodeText, r.Scanner, ev.AuditID, ev.Stage} {
		dst = appendCell(append(dst, '\t'), v)
	}
	dst = append(dst, '\t')
	for i, g := range ev.Groups {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCell(dst, g)
	}
	if len(ev.Groups) == 0 {
		dst = append(dst, '-')
	}
	return append(dst, '\n')
}

func appendCell(dst, v []byte) []byte {
	if len(v) == 0 {
		return append(dst, '-')
	}
	if bytes.IndexFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }) < 0 {
		return append(dst, bytes.ToValidUTF8(v, []byte("\uFFFD"))...)
	}
	q := fmt.Sprintf("%q", v)
	return append(dst, q[1:len(q)-1]...)
}

// jsonFormat renders one JSON object per row, sourceIPs{} as an array.
type jsonFormat struct{}

type jsonRow struct {
	Time       string   `json:"_time"`
	SourceIPs  []string `json:"sourceIPs{}"`
	UserAgent  string   `json:"userAgent"`
	Verb       string   `json:"verb"`
	RequestURI string   `json:"requestURI"`
	Reason     string   `json:"responseStatus.reason"`
	Cluster    string   `json:"cluster"`
	SrcIP      string   `json:"src_ip"`
	User       string   `json:"user"`
	Code       string   `json:"responseStatus.code"`
	Scanner    string   `json:"scanner"`
	AuditID    string   `json:"auditID"`
	Stage      string   `json:"stage"`
	Groups     []string `json:"user.groups{}"`
}

func (jsonFormat) header(dst []byte) []byte { return dst }

func (jsonFormat) row(dst []byte, r *Row) []byte {
	ev := r.Event
	strs := func(vs [][]byte) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = string(v)
		}
		return out
	}
	b, _ := json.Marshal(jsonRow{string(r.Time), strs(ev.SourceIPs), string(ev.UserAgent), string(ev.Verb),
		string(ev.RequestURI), string(ev.Reason), string(ev.Cluster), string(ev.SrcIP()), string(ev.User),
		string(ev.CodeText), string(r.Scanner), string(ev.AuditID), string(ev.Stage), strs(ev.Groups)})
	return append(append(dst, b...), '\n')
}
