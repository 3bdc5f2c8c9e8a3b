package command

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/jsonstream"
	"github.com/kubefingerprint/kubefingerprint/internal/lookup"
)

// Sample is a small set of AKS kube-audit records, written for this project,
// that scan reads when it is started in a terminal with no file: a
// kube-hunter run against one cluster, a script trying a bad token against
// two, RBAC denials of a signed-in user and ordinary traffic.
//
//go:embed testdata/sample.ndjson
var Sample []byte

const scanUsage = `usage: kubefingerprint scan [flags] [FILE...]

Runs the Kubernetes scan fingerprint detection on exported audit logs and
prints the rows the search command would return or, with --summary, one
line per source address that looks like a scan.

FILEs hold JSON: NDJSON exports, Azure storage blobs (PT1H.json), Event Hub
batches (one a line or pretty-printed), bare audit events and top-level
arrays of these, gzipped or not, in UTF-8 or UTF-16. FILE - is standard
input, which is also read when no FILE is given and it is not a terminal;
in a terminal, with no FILE, a bundled sample is scanned. Flags may come
before or after the FILEs; -- ends them.

  --codes LIST       responseStatus.code values to report, comma-separated
                     (default 401); repeatable, the lists add up
  --anonymous        also report every response to an unauthenticated
                     caller (system:anonymous, system:unauthenticated),
                     whatever its code
  --filter FILE      allowlist lookup CSV to apply; repeatable
  --scanners FILE    site scanner-tag lookup CSV, tried before the shipped rows; repeatable
  --format STYLE     table (default), csv or json
  --summary          one line per source (src_ip) that looks like a scan,
                     sorted by first seen; a source fires on any of:
  --min-uris N         N or more distinct requestURIs (default 5; 0: off)
  --min-401 N          N or more 401 responses (default 1; 0: off)
  --fire-on-scanner    a scanner tag (default true; =false: off)
  -h, --help         print this help

Exit status: 0; 2 for a usage error or when a file could not be read in
full. Every problem is reported on stderr with its file and line.
`

// maxBadLines is how many bad lines of one file are described on stderr.
const maxBadLines = 10

// scanConfig is what the command line asked for.
type scanConfig struct {
	opts       Options
	style      string // table, csv or json
	filters    []string
	scanners   []string // site scanner-tag lookups, tried before the shipped rows
	summary    bool
	thresholds Thresholds
	files      []string
}

// Scan runs the command line's scan subcommand and returns the exit status:
// 0, or 2 for a usage error, an output error or a file that could not be
// read in full. A reader that goes away (scan | head) ends it quietly.
func Scan(args []string, stdin Stdin, stdout, stderr io.Writer) int {
	cfg, err := parseScan(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, scanUsage)
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "kubefingerprint scan: %v\nRun 'kubefingerprint scan --help' for usage.\n", err)
		return 2
	}
	var lw lookup.Warnings
	allow, err := readAllowlists(cfg.filters, "", true, time.Now(), &lw)
	if err != nil {
		say(stderr, fmt.Sprintf("kubefingerprint: %v", err))
		return 2
	}
	tags := scannerTags(cfg.scanners, "", &lw)
	for _, w := range lw.Messages() {
		say(stderr, "kubefingerprint: WARN "+w)
	}
	f := cfg.format()
	d := newDetection(cfg.opts, allow, f)
	d.tag = tags.Tag
	return cfg.run(d, f, stdin, stdout, stderr)
}

// parseScan reads the flags, wherever they stand among the FILEs.
func parseScan(args []string) (*scanConfig, error) {
	cfg := &scanConfig{opts: Options{Codes: DefaultCodes}, style: "table", thresholds: DefaultThresholds}
	flags := flag.NewFlagSet("scan", flag.ContinueOnError)
	// Repeated --codes add up, as --filter does: a later list that replaced
	// an earlier one would drop its codes without a word (--codes 401
	// --codes 403 reported no 401).
	codesGiven := false
	flags.Func("codes", "", func(v string) error {
		codes, err := parseCodeList(v)
		if err != nil {
			return err
		}
		if !codesGiven {
			cfg.opts.Codes, codesGiven = nil, true // the first list replaces the default
		}
		cfg.opts.Codes = append(cfg.opts.Codes, codes...)
		return nil
	})
	flags.BoolVar(&cfg.opts.Anonymous, "anonymous", false, "")
	flags.Func("filter", "", func(v string) error {
		cfg.filters = append(cfg.filters, v)
		return nil
	})
	flags.Func("scanners", "", func(v string) error {
		cfg.scanners = append(cfg.scanners, v)
		return nil
	})
	flags.Func("format", "", func(v string) error {
		if v != "table" && v != "csv" && v != "json" {
			return errors.New("use table, csv or json")
		}
		cfg.style = v
		return nil
	})
	flags.BoolVar(&cfg.summary, "summary", false, "")
	flags.Func("min-uris", "", count(&cfg.thresholds.MinURIs))
	flags.Func("min-401", "", count(&cfg.thresholds.Min401))
	flags.BoolVar(&cfg.thresholds.Scanner, "fire-on-scanner", true, "")

	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			cfg.files = append(cfg.files, args[i+1:]...)
			break
		}
		if len(arg) < 2 || arg[0] != '-' {
			cfg.files = append(cfg.files, arg) // "-" is standard input
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if name == "h" || name == "help" {
			return nil, flag.ErrHelp
		}
		f := flags.Lookup(name)
		if f == nil {
			return nil, fmt.Errorf("unknown flag --%s", name)
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			if !hasValue {
				value = "true"
			}
			if _, err := strconv.ParseBool(value); err != nil {
				return nil, fmt.Errorf("--%s=%s: use true or false", name, value)
			}
		} else if !hasValue {
			if i+1 == len(args) {
				return nil, fmt.Errorf("--%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if err := f.Value.Set(value); err != nil {
			return nil, fmt.Errorf("--%s %s: %v", name, value, err)
		}
	}
	return cfg, nil
}

// count parses a flag's value as a number of 0 or more.
func count(n *int) func(string) error {
	return func(v string) error {
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 {
			return errors.New("use a whole number, 0 or more")
		}
		*n = i
		return nil
	}
}

// format returns how rows are rendered, or gathered per source.
func (c *scanConfig) format() format {
	p := &printer{style: c.style}
	if c.summary {
		return newBySource(c.thresholds, p)
	}
	p.cols = rowColumns
	return rowFormat{p}
}

// run scans the files, or standard input, or the sample.
func (c *scanConfig) run(d *detection, f format, stdin Stdin, stdout, stderr io.Writer) int {
	out := &output{w: stdout}
	sink := bufio.NewWriterSize(out, 64<<10)
	sc := &scanner{d: d, sink: sink, stderr: stderr, out: out}
	if s, ok := f.(streamer); ok {
		s.streamTo(sink)
	}
	switch {
	case len(c.files) > 0:
		for _, name := range c.files {
			if out.err != nil {
				break
			}
			if name == "-" {
				sc.read("standard input", stdin)
				continue
			}
			sc.file(name)
		}
	case stdin.Terminal:
		fmt.Fprintln(stderr, "kubefingerprint: scanning the bundled sample; give FILEs, or pipe logs in, to scan your own")
		sc.read("bundled sample", bytes.NewReader(Sample))
	default:
		sc.read("standard input", stdin)
	}
	if fin, ok := f.(finisher); ok && out.err == nil {
		sink.Write(fin.finish(nil))
	}
	sink.Flush()
	switch {
	case errors.Is(out.err, syscall.EPIPE):
		return 0 // the reader has all it wanted (scan | head)
	case out.err != nil:
		say(stderr, fmt.Sprintf("kubefingerprint: writing output: %v", out.err))
		return 2
	}
	say(stderr, d.summary()) // it names the --filter files
	if s, ok := f.(*bySource); ok {
		fmt.Fprintln(stderr, s.note())
	}
	if sc.failed {
		return 2
	}
	return 0
}

// A streamer is a format that writes rows out as it renders them, rather
// than once the document that holds them is read.
type streamer interface {
	streamTo(w io.Writer)
}

// A finisher is a format that holds rows back: the table until it knows its
// column widths, the summary until every row is in.
type finisher interface {
	finish(dst []byte) []byte
}

// output is scan's standard output; it keeps the first write error, after
// which nothing more is read.
type output struct {
	w   io.Writer
	err error
}

func (o *output) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	o.err = err
	return n, err
}

type scanner struct {
	d      *detection
	sink   io.Writer
	stderr io.Writer
	out    *output
	failed bool
	bad    int // bad lines reported in the current file
	src    source
}

func (sc *scanner) file(name string) {
	f, err := os.Open(name)
	if err != nil {
		sc.fail("%v", err)
		return
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		sc.fail("%s is a directory: name the files in it, for example %s", name, strings.TrimRight(name, "/")+"/*.json")
		return
	}
	sc.read(name, f)
}

// read runs the detection on every document of a file. Whatever is wrong
// with a part of the file is reported with its line, and the rest is read.
func (sc *scanner) read(name string, r io.Reader) {
	sc.bad = 0
	docs := jsonstream.NewReader(r)
	defer func() {
		// No input is known to cause a panic; if one does, the rows found
		// so far are still printed and the other files still read.
		if p := recover(); p != nil {
			sc.fail("%s line %d: internal error, the rest of the file is skipped: %v", name, docs.Line(), p)
		}
	}()
	for sc.out == nil || sc.out.err == nil {
		doc, err := docs.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			sc.fail("%s line %d: %v", name, docs.Line(), err)
			break
		}
		if doc.Problem != "" {
			sc.badLine(name, doc.Line, "%s", doc.Problem)
		}
		// Every document or line reported as bad is one event skipped as
		// unparsable, as the search counts an event that is not JSON, even
		// when rows were read from the part of it that is there.
		skipped := sc.d.stats.Skipped
		switch {
		case doc.Text != nil:
			sc.document(doc.Text)
		case doc.Skipped:
			sc.d.stats.Read++
		}
		if (doc.Skipped || doc.Problem != "" && doc.Text != nil) && sc.d.stats.Skipped == skipped {
			sc.d.stats.Skipped++
		}
	}
	if sc.bad > maxBadLines {
		say(sc.stderr, fmt.Sprintf("kubefingerprint: %s: %d more bad lines not shown", name, sc.bad-maxBadLines))
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
		say(sc.stderr, fmt.Sprintf("kubefingerprint: %s line %d: %s", name, line, fmt.Sprintf(format, a...)))
	}
}

func (sc *scanner) fail(format string, a ...any) {
	sc.failed = true
	say(sc.stderr, "kubefingerprint: "+fmt.Sprintf(format, a...))
}

// say writes a line on stderr with every character that is not printable
// escaped, as in a table: a file name, or a read error that quotes one, is
// whatever the file's creator chose, and a name holding escape sequences
// would otherwise reach the terminal.
func say(w io.Writer, line string) {
	w.Write(append(appendCell(nil, line), '\n'))
}
