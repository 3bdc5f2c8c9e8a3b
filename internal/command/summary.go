package command

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
)

// Thresholds decide when a source looks like a scan: any one suffices.
// They are those of the by-source rule's macro
// kubefingerprint_by_source_threshold, so that scan --summary and the rule
// fire on the same sources.
type Thresholds struct {
	MinURIs int  // distinct requestURIs; 0 switches the test off
	Min401  int  // responses with code 401; 0 switches the test off
	Scanner bool // any scanner tag
}

// DefaultThresholds: five distinct URIs, as Elastic's rule counts them per
// source (> 5 there with the user agent) and ESCU's successor counts events
// (count > 5); any scanner tag; any 401, which is a credential that was
// sent and rejected.
var DefaultThresholds = Thresholds{MinURIs: 5, Min401: 1, Scanner: true}

// Per-source memory is bounded: every count is exact, but at most
// maxSamples distinct values of each field are kept, each cut to
// maxSampleLen bytes, and distinct URIs are counted exactly up to
// maxDistinctURIs, after which the count is shown as a lower bound.
const (
	maxSamples      = 10
	maxSampleLen    = 200
	maxDistinctURIs = 100_000
)

// summaryColumns are scan --summary's columns, named as the by-source
// rule's stats names them.
var summaryColumns = []column{
	{name: "src_ip"},
	{name: "count", number: true},
	{name: "firstTime", time: true},
	{name: "lastTime", time: true},
	{name: "uri_count", number: true},
	{name: "count_401", number: true},
	{name: "requestURIs", list: true},
	{name: "verbs", list: true},
	{name: "codes", list: true},
	{name: "users", list: true},
	{name: "scanners", list: true},
	{name: "clusters", list: true},
	{name: "userAgents", list: true},
}

// bySource is the format of scan --summary: it prints nothing per row, and
// gathers each source's fingerprint for the end.
type bySource struct {
	th      Thresholds
	p       *printer
	seed    maphash.Seed
	sources map[string]*fingerprint
}

// A fingerprint is what one source address did.
type fingerprint struct {
	srcIP           string
	count, count401 int
	first, last     string // Splunk's _time of the first and last row
	firstT, lastT   float64
	uris            map[uint64]struct{} // hashes of the distinct requestURIs
	urisCapped      bool
	requestURIs     samples
	verbs, codes    samples
	users, scanners samples
	clusters        samples
	userAgents      samples
}

// samples keeps the first distinct values of a field, at most maxSamples.
type samples struct {
	vals []string
	more bool // a further distinct value was seen and not kept
}

func (s *samples) add(v []byte) {
	if len(v) == 0 {
		return // an absent field, as values() leaves it out
	}
	if len(v) > maxSampleLen {
		v = append(v[:maxSampleLen:maxSampleLen], "…"...)
	}
	for _, k := range s.vals {
		if k == string(v) {
			return
		}
	}
	if len(s.vals) == maxSamples {
		s.more = true
		return
	}
	s.vals = append(s.vals, string(v))
}

// list returns the values sorted, as values() sorts them, and "…" for more.
func (s *samples) list() []string {
	out := slices.Clone(s.vals)
	slices.Sort(out)
	if s.more {
		out = append(out, "…")
	}
	return out
}

func newBySource(th Thresholds, p *printer) *bySource {
	p.cols = summaryColumns
	return &bySource{th: th, p: p, seed: maphash.MakeSeed(), sources: map[string]*fingerprint{}}
}

func (b *bySource) header(dst []byte) []byte { return dst }

func (b *bySource) row(dst []byte, r *Row) []byte {
	ev := r.Event
	ip := string(ev.SrcIP())
	fp := b.sources[ip]
	if fp == nil {
		fp = &fingerprint{srcIP: ip, uris: map[uint64]struct{}{}}
		b.sources[ip] = fp
	}
	fp.count++
	if ev.Code == 401 {
		fp.count401++
	}
	if t, err := strconv.ParseFloat(string(r.Time), 64); err == nil {
		if fp.first == "" || t < fp.firstT {
			fp.first, fp.firstT = string(r.Time), t
		}
		if fp.last == "" || t > fp.lastT {
			fp.last, fp.lastT = string(r.Time), t
		}
	}
	if len(fp.uris) < maxDistinctURIs {
		fp.uris[maphash.Bytes(b.seed, ev.RequestURI)] = struct{}{}
	} else if _, seen := fp.uris[maphash.Bytes(b.seed, ev.RequestURI)]; !seen {
		fp.urisCapped = true
	}
	fp.requestURIs.add(ev.RequestURI)
	fp.verbs.add(ev.Verb)
	fp.codes.add(ev.CodeText)
	fp.users.add(ev.User)
	fp.scanners.add(r.Scanner)
	fp.clusters.add(ev.Cluster)
	fp.userAgents.add(ev.UserAgent)
	return dst
}

// fires tells whether a source looks like a scan.
func (b *bySource) fires(fp *fingerprint) bool {
	return (b.th.MinURIs > 0 && len(fp.uris) >= b.th.MinURIs) ||
		(b.th.Min401 > 0 && fp.count401 >= b.th.Min401) ||
		(b.th.Scanner && len(fp.scanners.vals) > 0)
}

// firing returns the sources that fire, by first seen.
func (b *bySource) firing() []*fingerprint {
	var out []*fingerprint
	for _, fp := range b.sources {
		if b.fires(fp) {
			out = append(out, fp)
		}
	}
	slices.SortFunc(out, func(x, y *fingerprint) int {
		switch {
		case x.first == "" && y.first != "":
			return 1 // no time: last
		case x.first != "" && y.first == "":
			return -1
		}
		return cmp.Or(cmp.Compare(x.firstT, y.firstT), strings.Compare(x.srcIP, y.srcIP))
	})
	return out
}

func (b *bySource) finish(dst []byte) []byte {
	firing := b.firing()
	if len(firing) == 0 {
		return dst
	}
	dst = b.p.header(dst)
	for _, fp := range firing {
		uris := strconv.Itoa(len(fp.uris))
		if fp.urisCapped {
			uris += "+"
		}
		dst = b.p.record(dst, record{one([]byte(fp.srcIP)), {strconv.Itoa(fp.count)}, one([]byte(fp.first)),
			one([]byte(fp.last)), {uris}, {strconv.Itoa(fp.count401)}, fp.requestURIs.list(), fp.verbs.list(),
			fp.codes.list(), fp.users.list(), fp.scanners.list(), fp.clusters.list(), fp.userAgents.list()})
	}
	return b.p.finish(dst)
}

// note is the closing stderr line of scan --summary.
func (b *bySource) note() string {
	var tests []string
	if b.th.MinURIs > 0 {
		tests = append(tests, fmt.Sprintf("uri_count >= %d", b.th.MinURIs))
	}
	if b.th.Min401 > 0 {
		tests = append(tests, fmt.Sprintf("count_401 >= %d", b.th.Min401))
	}
	if b.th.Scanner {
		tests = append(tests, "a scanner tag")
	}
	rule := "never, every test is off"
	if len(tests) > 0 {
		rule = strings.Join(tests, " OR ")
	}
	return fmt.Sprintf("kubefingerprint: sources: %d, firing: %d (fires on %s)", len(b.sources), len(b.firing()), rule)
}
