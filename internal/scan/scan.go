// Package scan is kubefingerprint's command line: `kubefingerprint scan`
// runs the detection on exported log files, or standard input, or the
// bundled sample, and prints the rows the search command would return (a
// table, CSV or JSON lines) or, with --summary, the sources that look like
// a scan. It owns the flags, the files, and what a person sees of them.
package scan

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/kubefingerprint/kubefingerprint"
	"github.com/kubefingerprint/kubefingerprint/internal/applookups"
	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/bysource"
	"github.com/kubefingerprint/kubefingerprint/internal/detect"
	"github.com/kubefingerprint/kubefingerprint/internal/jsonstream"
	"github.com/kubefingerprint/kubefingerprint/internal/signatures"
)

// Usage is scan's help.
const Usage = `usage: kubefingerprint scan [flags] [FILE...]

Runs the Kubernetes scan fingerprint detection on exported audit logs and
prints the rows the search command would return or, with --summary, one
line per source address that looks like a scan.

FILEs hold JSON: NDJSON exports, Azure storage blobs (PT1H.json), Event Hub
batches (one a line or pretty-printed), bare audit events and top-level
arrays of these, also as container output lines (<time> stdout F {...}),
gzipped or not, in UTF-8 or UTF-16. FILE - is standard
input, which is also read when no FILE is given and it is not a terminal;
in a terminal, with no FILE, the bundled sample is scanned, as --sample
does anywhere. Flags may come before or after the FILEs; -- ends them.

  --codes LIST       responseStatus.code values to report, comma-separated
                     (default 401); repeatable, the lists add up
                     (as --filter and --scanners do; any other flag
                     given twice must say the same thing)
  --anonymous        also report every response to an unauthenticated
                     caller (system:anonymous, system:unauthenticated),
                     whatever its code, but its health checks
  --health           with --anonymous, also report unauthenticated health
                     checks (/healthz, /livez, /readyz), left out by
                     default; a code of --codes is reported on any path
  --filter FILE      allowlist lookup CSV to apply; repeatable
  --scanners FILE    site scanner-tag lookup CSV, tried before the shipped rows; repeatable
  --tools FILE       site tool-signature lookup CSV, before the shipped rows
                     (a tool and variant it names replaces the shipped one); repeatable
  --format STYLE     table (default), csv or json (one object a line); with
                     no rows, table and csv still print their header
  --sample           scan the bundled sample of AKS audit records
  --summary          one line per source (src_ip) that looks like a scan,
                     sorted by first seen, with the tool its probes name
                     (tool, tool_score) and the identities its user agents
                     claim instead (disguise); a source fires on any of
                     these, unless it asked only public information
                     (/version, /healthz, /livez, /readyz):
  --min-tool-score X   a tool's signature fits X or better, 0 to 1
                       (default 0.5; 0: off)
  --min-uris N         N or more distinct requestURIs (default 5; 0: off)
  --min-401 N          N or more 401 responses (default 1; 0: off)
  --fire-on-scanner    a scanner tag (default true; =false: off)
  -h, --help         print this help

A table aligns columns up to 48 characters wide; a longer value is printed
whole and pushes the rest of its line along. In every format a value longer
than 32,000 bytes is cut and ends in "…" (a real API server takes at most
1 MiB of headers; a longer value comes from a forged or corrupt file).

Exit status: 0; 2 for a usage error, when a file could not be read in
full, or when something that may hold audit data was skipped: an event
cut short before its code, a line that is not JSON (an event behind a
prefix not understood?). Every problem is reported on stderr with its
file and line; the klog text of a diagnostic record (properties.log of
another category) is named but does not change the exit status.
`

// Stdin is the process's standard input and whether it is a terminal,
// where nothing is piped in.
type Stdin struct {
	io.Reader
	Terminal bool
}

// maxBadLines is how many bad lines of one file are described on stderr.
const maxBadLines = 10

// config is what the command line asked for.
type config struct {
	opts       detect.Options
	style      string // table, csv or json
	filters    []string
	scanners   []string // site scanner-tag lookups, tried before the shipped rows
	tools      []string // site tool-signature lookups, before the shipped rows
	summary    bool
	sample     bool // scan the bundled sample
	thresholds bysource.Thresholds
	files      []string
}

// Run runs the scan subcommand and returns the exit status: 0, or 2 for a
// usage error, an output error, a file that could not be read in full or
// an event skipped that may have held audit data.
// A reader that goes away (scan | head) ends it quietly.
func Run(args []string, stdin Stdin, stdout, stderr io.Writer) int {
	cfg, err := parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, Usage)
		return 0
	case err != nil:
		say(stderr, fmt.Sprintf("kubefingerprint scan: %v", err)) // a flag is whatever the shell expanded
		fmt.Fprintln(stderr, "Run 'kubefingerprint scan --help' for usage.")
		return 2
	}
	lk, err := applookups.Load(applookups.Request{Allowlists: cfg.filters, Scanners: cfg.scanners, Tools: cfg.tools, Summary: cfg.summary})
	if err != nil {
		say(stderr, fmt.Sprintf("kubefingerprint: %v", err))
		return 2
	}
	for _, w := range lk.Warnings {
		say(stderr, "kubefingerprint: WARN "+w)
	}

	return cfg.run(lk.Allow, lk.Tags.Tag, lk.Tools, stdin, stdout, stderr)
}

// run scans what cfg names, with the allowlists, scanner tags and tool
// signatures loaded.
func (cfg *config) run(allow *detect.Allowlists, tag func([]byte) []byte, tools *signatures.Set, stdin Stdin, stdout, stderr io.Writer) int {
	out := &output{w: stdout}
	buffered := bufio.NewWriterSize(out, 64<<10)
	p := &printer{style: cfg.style, cols: rowColumns, out: buffered}
	defer p.spool.close()
	var sink detect.Sink = p
	var agg *bysource.Aggregator
	if cfg.summary {
		agg = bysource.New(cfg.thresholds, tools)
		sink, p.cols = agg, summaryColumns
	}
	d := detect.New(cfg.opts, allow, tag, sink)
	sc := &scanner{d: d, stderr: stderr, out: out}
	sc.inputs(cfg.files, cfg.sample, stdin)
	if agg != nil && out.err == nil {
		agg.Firing(func(values [][]string) {
			rec := make(record, len(values))
			for i, vs := range values {
				rec[i] = bounded(vs)
			}
			p.print(rec)
			p.Commit()
		})
	}
	p.finish()
	buffered.Flush()
	switch {
	case errors.Is(out.err, syscall.EPIPE):
		return 0 // the reader has all it wanted (scan | head)
	case out.err != nil:
		say(stderr, fmt.Sprintf("kubefingerprint: writing output: %v", out.err))
		return 2
	case p.spool.err != nil:
		say(stderr, fmt.Sprintf("kubefingerprint: holding the rows of an event in a temporary file: %v", p.spool.err))
		return 2
	}
	_, summary := d.Summary(nil) // the lookups' warnings are on stderr already
	say(stderr, summary)
	if p.spool.noFile != nil {
		say(stderr, fmt.Sprintf("kubefingerprint: WARN no temporary file for the rows of large events (%v): they were held in memory; set TMPDIR to a writable folder", p.spool.noFile))
	}
	if agg != nil {
		say(stderr, agg.Note())
	}
	if sc.failed {
		return 2
	}
	return 0
}

// bounded cuts each value of a summary cell to maxValue bytes.
func bounded(vs []string) []string {
	for i, v := range vs {
		if len(v) > maxValue {
			vs[i] = one([]byte(v))[0]
		}
	}
	return vs
}

// parse reads the flags, wherever they stand among the FILEs.
func parse(args []string) (*config, error) {
	cfg := &config{opts: detect.Options{Codes: detect.DefaultCodes}, style: "table", thresholds: bysource.DefaultThresholds}
	flags := flag.NewFlagSet("scan", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.Usage = func() {}
	// Repeated --codes add up, as --filter does: a later list that replaced
	// an earlier one would drop its codes without a word.
	codesGiven := false
	flags.Func("codes", "", func(v string) error {
		codes, err := detect.ParseCodes(v)
		if err != nil {
			return err
		}
		if !codesGiven {
			cfg.opts.Codes, codesGiven = nil, true // the first list replaces the default
		}
		cfg.opts.Codes = append(cfg.opts.Codes, codes...)
		return nil
	})
	flags.Var(&once{Value: (*boolFlag)(&cfg.opts.Anonymous)}, "anonymous", "")
	flags.Func("filter", "", func(v string) error {
		if !slices.Contains(cfg.filters, v) { // each file once
			cfg.filters = append(cfg.filters, v)
		}
		return nil
	})
	flags.Func("scanners", "", func(v string) error {
		if !slices.Contains(cfg.scanners, v) {
			cfg.scanners = append(cfg.scanners, v)
		}
		return nil
	})
	flags.Func("tools", "", func(v string) error {
		if !slices.Contains(cfg.tools, v) {
			cfg.tools = append(cfg.tools, v)
		}
		return nil
	})
	flags.Var(&once{Value: (*boolFlag)(&cfg.opts.Health)}, "health", "")
	flags.Var(&once{Value: funcFlag(score(&cfg.thresholds.MinToolScore))}, "min-tool-score", "")
	flags.Var(&once{Value: funcFlag(func(v string) error {
		if v != "table" && v != "csv" && v != "json" {
			return errors.New("use table, csv or json")
		}
		cfg.style = v
		return nil
	})}, "format", "")
	flags.Var(&once{Value: (*boolFlag)(&cfg.summary)}, "summary", "")
	flags.Var(&once{Value: (*boolFlag)(&cfg.sample)}, "sample", "")
	flags.Var(&once{Value: funcFlag(count(&cfg.thresholds.MinURIs))}, "min-uris", "")
	flags.Var(&once{Value: funcFlag(count(&cfg.thresholds.Min401))}, "min-401", "")
	flags.Var(&once{Value: (*boolFlag)(&cfg.thresholds.Scanner)}, "fire-on-scanner", "")

	// The flag package stops at the first FILE; parsing goes on after it,
	// so that flags may follow FILEs, until -- ends the flags.
	for {
		if err := flags.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, flagError(err)
		}
		rest := flags.Args()
		if len(rest) == 0 {
			return cfg, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			cfg.files = append(cfg.files, rest...)
			return cfg, nil
		}
		cfg.files = append(cfg.files, rest[0]) // "-" is standard input
		args = rest[1:]
	}
}

// once is a flag that a later value would replace: given again with
// another meaning, it is an error rather than a silent replacement, as in
// the search command. (--codes, --filter and --scanners add up instead.)
type once struct {
	flag.Value
	first string // the first value, as its meaning: true and 1 are one
	set   bool
}

func (o *once) Set(v string) error {
	meaning := v
	if b, err := strconv.ParseBool(v); err == nil && o.IsBoolFlag() {
		meaning = strconv.FormatBool(b)
	} else if n, err := strconv.Atoi(v); err == nil {
		meaning = strconv.Itoa(n) // 5 and 05 are one number
	}
	switch {
	case !o.set:
		o.first, o.set = meaning, true
		return o.Value.Set(v)
	case meaning != o.first:
		return fmt.Errorf("given twice (%s, then %s): give it once", o.first, meaning)
	}
	return nil
}

func (o *once) IsBoolFlag() bool {
	b, ok := o.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// boolFlag is a bool flag: --name alone is --name=true.
type boolFlag bool

func (b *boolFlag) Set(v string) error {
	x, err := strconv.ParseBool(v)
	if err != nil {
		return errors.New("use true or false")
	}
	*b = boolFlag(x)
	return nil
}
func (b *boolFlag) String() string   { return strconv.FormatBool(bool(*b)) }
func (b *boolFlag) IsBoolFlag() bool { return true }

// funcFlag is a flag set by a function.
type funcFlag func(string) error

func (f funcFlag) Set(v string) error { return f(v) }
func (f funcFlag) String() string     { return "" }

// flagError restates the flag package's errors as the command line spells
// flags (--codes x: why), from the error's own words.
func flagError(err error) error {
	msg := err.Error()
	if m := flagErrors.FindStringSubmatch(msg); m != nil {
		switch {
		case m[1] != "":
			return fmt.Errorf("unknown flag --%s", m[1])
		case m[2] != "":
			return fmt.Errorf("--%s needs a value", m[2])
		case m[4] != "":
			value, _ := strconv.Unquote(m[3])
			return fmt.Errorf("--%s=%s: %s", m[4], value, m[5])
		default:
			value, _ := strconv.Unquote(m[6])
			return fmt.Errorf("--%s %s: %s", m[7], value, m[8])
		}
	}
	return errors.New(strings.Replace(msg, " -", " --", 1))
}

// flagErrors matches the flag package's four errors about one flag.
var flagErrors = regexp.MustCompile(`^(?:flag provided but not defined: -(.*)|flag needs an argument: -(.*)|invalid boolean value ("(?:[^"\\]|\\.)*") for -([^:]*): (.*)|invalid value ("(?:[^"\\]|\\.)*") for flag -([^:]*): (.*))$`)

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

// score parses a flag's value as a score from 0 to 1.
func score(x *float64) func(string) error {
	return func(v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= 0 && f <= 1) {
			return errors.New("use a number from 0 to 1")
		}
		*x = f
		return nil
	}
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

// A scanner reads the inputs of one run.
type scanner struct {
	d       *detect.Detection
	stderr  io.Writer
	out     *output
	failed  bool
	bad     int // bad lines reported in the current file
	notices int // lines that lose nothing (klog records) reported in it
	src     detect.Source
}

// inputs scans the files, or the sample, or standard input.
func (sc *scanner) inputs(files []string, sample bool, stdin Stdin) {
	switch {
	case sample && len(files) == 0:
		sc.sample()
	case len(files) > 0:
		if sample {
			sc.sample()
		}
		for _, name := range files {
			if sc.out.err != nil {
				break
			}
			if name == "-" {
				sc.read("standard input", stdin)
				continue
			}
			sc.file(name)
		}
	case stdin.Terminal:
		sc.sample()
	default:
		in := &counted{r: stdin}
		sc.read("standard input", in)
		if in.n == 0 && sc.out.err == nil {
			// Run from an IDE, a CI job or ssh host cmd, standard input is
			// empty, not a terminal: say so, and where the sample is.
			fmt.Fprintln(sc.stderr, "kubefingerprint: standard input was empty; give FILEs or pipe logs in, or run kubefingerprint scan --sample to scan the bundled sample")
		}
	}
}

func (sc *scanner) sample() {
	fmt.Fprintln(sc.stderr, "kubefingerprint: scanning the bundled sample; give FILEs, or pipe logs in, to scan your own")
	sc.read("bundled sample", bytes.NewReader(kubefingerprint.Sample))
}

// counted counts the bytes read through it.
type counted struct {
	r io.Reader
	n int64
}

func (c *counted) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
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
	sc.bad, sc.notices = 0, 0
	docs := jsonstream.NewReader(r)
	defer func() {
		// No input is known to cause a panic; if one does, the rows found
		// so far are still printed and the other files still read.
		if p := recover(); p != nil {
			sc.fail("%s line %d: internal error, the rest of the file is skipped: %v", name, docs.Line(), p)
		}
	}()
	for sc.out.err == nil {
		doc, err := docs.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			sc.fail("%s line %d: %v", name, docs.Line(), err)
			break
		}
		if doc.Container && doc.Text == nil {
			// Container output that is not JSON, such as the API server's
			// own klog lines in its pod log: named, counted as not JSON,
			// as klog text in a diagnostic record is, and loses nothing.
			sc.line(name, doc.Line, "container output "+doc.Problem, false)
			sc.d.Drop(true)
			continue
		}
		if doc.Problem != "" {
			sc.badLine(name, doc.Line, "%s", doc.Problem)
		}
		// Every document or line reported as bad is one event skipped as
		// unparsable, as the search counts an event that is not JSON, even
		// when rows were read from the part of it that is there.
		switch {
		case doc.Text != nil:
			skip := sc.document(doc.Text, doc.Problem != "")
			switch {
			case doc.Problem != "" && !skip.Skipped() && !skip.Damaged():
				sc.d.Damaged()
			case doc.Problem == "" && skip.Skipped():
				sc.skipped(name, doc.Line, skip)
			}
		case doc.Skipped:
			sc.d.Unreadable()
		}
	}
	if sc.notices > maxBadLines {
		say(sc.stderr, fmt.Sprintf("kubefingerprint: %s: %d more records without audit data not shown", name, sc.notices-maxBadLines))
	}
	if sc.bad > maxBadLines {
		say(sc.stderr, fmt.Sprintf("kubefingerprint: %s: %d more bad lines not shown", name, sc.bad-maxBadLines))
	}
}

// document runs the detection on one document, in any shape the audit
// package reads (a top-level array is a list of documents), and says
// whether and why it was skipped.
// A document cut short in the file is always read: the prefilter cannot
// tell every cut text from a whole one (a short text cut just after a }).
func (sc *scanner) document(doc []byte, cut bool) detect.Skip {
	sc.src = detect.Source{Data: audit.NewDocument(doc), MayMatch: sc.d.MayMatch(doc) || cut, NotJSON: !audit.HoldsJSON(doc)}
	return sc.d.Event(&sc.src)
}

// skipped reports an event that the detection skipped, with its line. Exit
// status 2 says that audit data may have been lost; a record that holds
// no audit event at all (the klog text of another category) is said, but
// loses nothing.
func (sc *scanner) skipped(name string, line int, skip detect.Skip) {
	sc.failed = sc.failed || skip.Lost()
	sc.line(name, line, "event skipped: "+skip.String(), skip.Lost())
}

func (sc *scanner) badLine(name string, line int, format string, a ...any) {
	sc.failed = true
	sc.line(name, line, fmt.Sprintf(format, a...), true)
}

// line says what is wrong at a line of a file, for the first maxBadLines
// of them. Notices that lose nothing (klog records) have a bound of their
// own, so that a file full of them still names every line where audit data
// may have been lost, up to the bound.
func (sc *scanner) line(name string, line int, problem string, lost bool) {
	n := &sc.notices
	if lost {
		n = &sc.bad
	}
	*n++
	if *n <= maxBadLines {
		say(sc.stderr, fmt.Sprintf("kubefingerprint: %s line %d: %s", name, line, problem))
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
