// Package send is the send subcommand: it puts the bundled sample, or
// given files, into a Splunk through its HTTP Event Collector, so that a
// new user sees the dashboard and rules work without live cluster data.
// Each document goes with the sourcetype and indexed fields that the
// app's data macros look for (default/macros.conf, kubefingerprint_data_*),
// and its times moved so that the latest is now.
package send

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/kubefingerprint/kubefingerprint"
	"github.com/kubefingerprint/kubefingerprint/internal/hec"
	"github.com/kubefingerprint/kubefingerprint/internal/jsonstream"
	"github.com/kubefingerprint/kubefingerprint/internal/jsontext"
)

// Usage is the send subcommand's help.
const Usage = `usage: kubefingerprint send [flags] [FILE...]

Sends the bundled sample (or FILEs of audit data in any shape scan reads)
to a Splunk HTTP Event Collector, each document with the sourcetype and
indexed fields the app's kubefingerprint_data macros look for, and its
times moved so that the latest is now. Then search the app's dashboard
over the last hour.

  --url URL        the collector, https://splunk.example.com:8088
                   (or KUBEFINGERPRINT_HEC_URL)
  --token TOKEN    the HEC token (or KUBEFINGERPRINT_HEC_TOKEN, which other
                   users of the machine cannot read from the process list)
  --index INDEX    the index (default: the token's default index)
  --ca-file FILE   PEM certificates to trust besides the system's
  --insecure       do not verify the collector's TLS certificate
  --keep-times     send the times as they are
  --dry-run        print the HEC events instead of sending them

The token is never printed. Exit status: 0 when every event was sent, 1
when HEC refused or could not be reached (the count of events sent is
said), 2 for bad usage.
`

// Env names.
const (
	EnvURL   = "KUBEFINGERPRINT_HEC_URL"
	EnvToken = "KUBEFINGERPRINT_HEC_TOKEN"
)

type config struct {
	url, token, index, caFile string
	insecure, keepTimes, dry  bool
	files                     []string
}

// Run runs the send subcommand and returns its exit status. getenv reads
// the environment; client, when not nil, replaces the HTTP client (tests).
func Run(args []string, getenv func(string) string, client *http.Client, stdout, stderr io.Writer) int {
	var cfg config
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.url, "url", getenv(EnvURL), "")
	fs.StringVar(&cfg.token, "token", getenv(EnvToken), "")
	fs.StringVar(&cfg.index, "index", "", "")
	fs.StringVar(&cfg.caFile, "ca-file", "", "")
	fs.BoolVar(&cfg.insecure, "insecure", false, "")
	fs.BoolVar(&cfg.keepTimes, "keep-times", false, "")
	fs.BoolVar(&cfg.dry, "dry-run", false, "")
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, Usage)
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "kubefingerprint send: %s\n\n%s", redact(err.Error(), cfg.token), Usage)
		return 2
	}
	if strings.HasPrefix(cfg.index, "-") {
		// --index --token T: the flag took the next flag as its value,
		// and the token would be read, and named, as a file
		fmt.Fprintf(stderr, "kubefingerprint send: --index needs an index name, not the flag %s\n\n%s", cfg.index, Usage)
		return 2
	}
	cfg.files = fs.Args()
	if !cfg.dry && (cfg.url == "" || cfg.token == "") {
		fmt.Fprintf(stderr, "kubefingerprint send: give the collector's URL and token (--url and --token, or %s and %s)\n", EnvURL, EnvToken)
		return 2
	}
	events, problems := read(cfg.files)
	for _, p := range problems {
		// a file name is whatever the shell gave, a misplaced token too
		fmt.Fprintln(stderr, "kubefingerprint send: "+redact(p, cfg.token))
	}
	if len(events) == 0 {
		fmt.Fprintln(stderr, "kubefingerprint send: nothing to send")
		return 1
	}
	if !cfg.keepTimes {
		moveTimes(events, time.Now())
	}
	for i := range events {
		events[i].Index = cfg.index
	}
	if cfg.dry {
		enc := json.NewEncoder(stdout)
		for i := range events {
			enc.Encode(&events[i])
		}
		fmt.Fprintf(stderr, "kubefingerprint send: %d events, not sent (--dry-run): %s\n", len(events), bySourcetype(events))
		return 0
	}
	if client == nil {
		var err error
		if client, err = httpClient(cfg); err != nil {
			fmt.Fprintf(stderr, "kubefingerprint send: %v\n", err)
			return 2
		}
	}
	if u, err := url.Parse(cfg.url); err == nil && u.Scheme == "http" {
		fmt.Fprintln(stderr, "kubefingerprint send: WARN the URL is http://: the token crosses the network in the clear")
	}
	c := &hec.Client{URL: cfg.url, Token: cfg.token, HTTP: client, Retries: 4, Backoff: time.Second,
		Waiting: func(wait time.Duration, err error) {
			fmt.Fprintf(stderr, "kubefingerprint send: %s; trying again in %s\n", redact(err.Error(), cfg.token), wait)
		}}
	sent, err := c.Send(context.Background(), events)
	if err != nil {
		fmt.Fprintf(stderr, "kubefingerprint send: %s; %d of %d events sent\n", redact(err.Error(), cfg.token), sent, len(events))
		return 1
	}
	fmt.Fprintf(stderr, "kubefingerprint send: %d events sent to %s: %s\n", sent, shownURL(cfg.url), bySourcetype(events))
	return 0
}

// httpClient verifies the collector's certificate, against the system's
// roots and the ca-file's, unless told not to.
func httpClient(cfg config) (*http.Client, error) {
	tc := &tls.Config{InsecureSkipVerify: cfg.insecure}
	if cfg.caFile != "" {
		pem, err := os.ReadFile(cfg.caFile)
		if err != nil {
			return nil, err
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", cfg.caFile)
		}
		tc.RootCAs = pool
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	return &http.Client{Transport: tr, Timeout: time.Minute}, nil
}

// read takes the documents of the files, or of the bundled sample, as
// scan reads them, and makes each an event.
func read(files []string) ([]hec.Event, []string) {
	type input struct {
		name string
		r    io.Reader
	}
	var inputs []input
	if len(files) == 0 {
		inputs = append(inputs, input{"kubefingerprint:sample", bytes.NewReader(kubefingerprint.Sample)})
	}
	var problems []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		defer fh.Close()
		inputs = append(inputs, input{f, fh})
	}
	var events []hec.Event
	for _, in := range inputs {
		docs := jsonstream.NewReader(in.r)
		for {
			doc, err := docs.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s line %d: %v", in.name, docs.Line(), err))
				break
			}
			if doc.Text == nil || doc.Problem != "" {
				problems = append(problems, fmt.Sprintf("%s line %d: not sent: %s", in.name, doc.Line, doc.Problem))
				continue
			}
			sourcetype, fields := classify(doc.Text)
			events = append(events, hec.Event{Source: in.name, Sourcetype: sourcetype, Fields: fields, Event: string(doc.Text)})
		}
	}
	return events, problems
}

// Sourcetypes of the inputs the data macros name.
const (
	blob       = "mscs:storage:blob:json"
	eventHub   = "mscs:azure:eventhub"
	cloudwatch = "aws:cloudwatchlogs:eks"
	pubsub     = "google:gcp:pubsub:message"
)

// classify gives a document the sourcetype of the input that would have
// indexed it, and as indexed fields the fields its data macro searches,
// which Splunk extracts at search time only where that input's add-on is
// installed.
func classify(doc []byte) (string, map[string]string) {
	if jsontext.IsPayload(doc) {
		return cloudwatch, nil
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(doc, &top) != nil {
		return cloudwatch, nil // as a bare event that json cannot read
	}
	str := func(m map[string]json.RawMessage, k string) string {
		var s string
		json.Unmarshal(m[k], &s)
		return s
	}
	sub := func(k string) map[string]json.RawMessage {
		var m map[string]json.RawMessage
		json.Unmarshal(top[k], &m)
		return m
	}
	switch {
	case top["category"] != nil:
		return blob, map[string]string{"category": str(top, "category")}
	case top["Type"] != nil:
		return blob, map[string]string{"Type": str(top, "Type")}
	case top["body"] != nil:
		return eventHub, map[string]string{"body.category": str(sub("body"), "category")}
	case top["records"] != nil:
		var recs []map[string]json.RawMessage
		json.Unmarshal(top["records"], &recs)
		if len(recs) > 0 && recs[0]["Type"] != nil {
			return eventHub, map[string]string{"body.records{}.Type": str(recs[0], "Type")}
		}
		if len(recs) > 0 {
			return eventHub, map[string]string{"body.records{}.category": str(recs[0], "category")}
		}
		return eventHub, nil
	case top["protoPayload"] != nil:
		return pubsub, map[string]string{"protoPayload.serviceName": str(sub("protoPayload"), "serviceName")}
	case top["data"] != nil:
		var d struct {
			ProtoPayload struct {
				ServiceName string `json:"serviceName"`
			} `json:"protoPayload"`
		}
		json.Unmarshal(top["data"], &d)
		return pubsub, map[string]string{"data.protoPayload.serviceName": d.ProtoPayload.ServiceName}
	}
	return cloudwatch, nil // a bare audit event, or CloudWatch deliveries
}

// stamp is an RFC 3339 time in UTC as the API server, AKS and Cloud
// Logging write them.
var stamp = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z`)

// moveTimes shifts every time in the events by whole seconds, so that the
// latest is now, and sets each event's time to its latest.
func moveTimes(events []hec.Event, now time.Time) {
	var latest time.Time
	for _, e := range events {
		for _, s := range stamp.FindAllString(e.Event, -1) {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil && t.After(latest) {
				latest = t
			}
		}
	}
	shift := now.Truncate(time.Second).Sub(latest.Truncate(time.Second))
	if latest.IsZero() {
		shift = 0
	}
	for i := range events {
		e := &events[i]
		var own time.Time
		e.Event = stamp.ReplaceAllStringFunc(e.Event, func(s string) string {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return s
			}
			t = t.Add(shift)
			if t.After(own) {
				own = t
			}
			frac := ""
			if dot := strings.IndexByte(s, '.'); dot >= 0 {
				frac = s[dot : len(s)-1]
				frac = t.Format(".000000000")[:len(frac)]
			}
			return t.UTC().Format("2006-01-02T15:04:05") + frac + "Z"
		})
		if own.IsZero() {
			own = now
		}
		e.Time = float64(own.UnixNano()/1e6) / 1e3
	}
}

func bySourcetype(events []hec.Event) string {
	n := map[string]int{}
	for _, e := range events {
		n[e.Sourcetype]++
	}
	var parts []string
	for st, c := range n {
		parts = append(parts, fmt.Sprintf("%d as %s", c, st))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// shownURL is the collector's URL without any user or password in it.
func shownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the collector"
	}
	u.User = nil
	return u.String()
}

func redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "<token>")
}
