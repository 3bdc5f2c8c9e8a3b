// Package bysource is the per-source stage of the detection: it gathers the
// rows of a run into one fingerprint per source address (src_ip) and says
// which sources look like a scan. It is scan --summary's detect.Sink, and
// its thresholds are those of the by-source rule's macro, so that the
// command line and the rule fire on the same sources.
package bysource

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"github.com/kubefingerprint/kubefingerprint/internal/detect"
	"github.com/kubefingerprint/kubefingerprint/internal/splunktime"
)

// Thresholds decide when a source looks like a scan: any one suffices.
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
//
// What cannot be bounded is the number of sources: an exact group-by keeps
// one fingerprint for each, and an attacker with an IPv6 prefix has as many
// addresses as requests. So a fingerprint is kept small: its values are
// shared between sources (a verb, a code, a cluster, a tool's user agent
// are the same for thousands of them) and a short list of URI hashes comes
// before a map. A source that sent one request takes about 400 bytes.
const (
	maxSamples      = 10
	maxSampleLen    = 200
	maxDistinctURIs = 100_000
	maxShared       = 50_000 // distinct values shared between sources
	fewURIs         = 16     // URI hashes kept in a list before a map
)

// A Column is one column of the summary.
type Column struct {
	Name   string
	List   bool // a list of samples
	Time   bool // Splunk's _time
	Number bool // a count
}

// Columns are the summary's columns, named as the by-source rule's stats
// names them.
var Columns = []Column{
	{Name: "src_ip"},
	{Name: "count", Number: true},
	{Name: "firstTime", Time: true},
	{Name: "lastTime", Time: true},
	{Name: "uri_count", Number: true},
	{Name: "count_401", Number: true},
	{Name: "requestURIs", List: true},
	{Name: "verbs", List: true},
	{Name: "codes", List: true},
	{Name: "users", List: true},
	{Name: "scanners", List: true},
	{Name: "clusters", List: true},
	{Name: "userAgents", List: true},
}

// The lists of a fingerprint, in the order of Columns, and the row value
// each gathers.
const (
	listURIs = iota
	listVerbs
	listCodes
	listUsers
	listScanners
	listClusters
	listUserAgents
	nLists
)

var listValues = [nLists]func(*detect.Row) []byte{
	listURIs:       func(r *detect.Row) []byte { return r.Event.RequestURI },
	listVerbs:      func(r *detect.Row) []byte { return r.Event.Verb },
	listCodes:      func(r *detect.Row) []byte { return r.Event.CodeText },
	listUsers:      func(r *detect.Row) []byte { return r.Event.User },
	listScanners:   func(r *detect.Row) []byte { return r.Scanner },
	listClusters:   func(r *detect.Row) []byte { return r.Event.Cluster },
	listUserAgents: func(r *detect.Row) []byte { return r.Event.UserAgent },
}

// An Aggregator gathers rows by source. The rows of an event wait in
// pending until the event is committed, so that a withdrawn event leaves
// no trace.
type Aggregator struct {
	th      Thresholds
	seed    maphash.Seed
	sources map[string]*fingerprint
	pending map[string]*fingerprint
	shared  map[string]string // values kept once for every source that sent them
}

// New returns an Aggregator that fires on th.
func New(th Thresholds) *Aggregator {
	return &Aggregator{th: th, seed: maphash.MakeSeed(), sources: map[string]*fingerprint{},
		pending: map[string]*fingerprint{}, shared: map[string]string{}}
}

// A fingerprint is what one source address did.
type fingerprint struct {
	srcIP           string
	count, count401 int
	first, last     int64 // Splunk's _time of the first and last row, in microseconds
	timed           bool  // first and last are set
	urisCapped      bool
	more            uint8         // one bit per list: a further distinct value was seen and not kept
	n               [nLists]uint8 // how many values of each list vals holds
	uris            uriSet
	// vals holds the first distinct values of each field, at most
	// maxSamples a list, list after list: one slice rather than seven.
	vals []string
}

// Row adds a row to its source's pending fingerprint.
func (a *Aggregator) Row(r *detect.Row) {
	ev := r.Event
	fp := a.pending[string(ev.SrcIP())]
	if fp == nil {
		ip := string(ev.SrcIP())
		fp = &fingerprint{srcIP: ip}
		a.pending[ip] = fp
	}
	fp.count++
	if ev.Code == 401 {
		fp.count401++
	}
	if t, ok := splunktime.Parse(r.Time); ok {
		fp.time(t, t)
	}
	if len(ev.RequestURI) > 0 { // as the rule's dc(requestURI) leaves an absent URI out
		fp.addURI(maphash.Bytes(a.seed, ev.RequestURI))
	}
	for i, value := range listValues {
		a.add(fp, i, value(r))
	}
}

// Commit merges the pending fingerprints into their sources'.
func (a *Aggregator) Commit() {
	for ip, p := range a.pending {
		fp := a.sources[ip]
		if fp == nil {
			a.sources[ip] = p
			continue
		}
		fp.count += p.count
		fp.count401 += p.count401
		if p.timed {
			fp.time(p.first, p.last)
		}
		fp.urisCapped = fp.urisCapped || p.urisCapped
		for _, h := range p.uris.few {
			fp.addURI(h)
		}
		for h := range p.uris.many {
			fp.addURI(h)
		}
		for i := range nLists {
			kept, _ := p.kept(i)
			for _, v := range kept {
				a.addShared(fp, i, v)
			}
			fp.more |= p.more & (1 << i)
		}
	}
	clear(a.pending)
}

// Withdraw forgets the pending fingerprints.
func (a *Aggregator) Withdraw() { clear(a.pending) }

func (fp *fingerprint) time(first, last int64) {
	if !fp.timed || first < fp.first {
		fp.first = first
	}
	if !fp.timed || last > fp.last {
		fp.last = last
	}
	fp.timed = true
}

func (fp *fingerprint) addURI(h uint64) {
	if fp.uris.len() < maxDistinctURIs {
		fp.uris.add(h)
	} else if !fp.uris.has(h) {
		fp.urisCapped = true
	}
}

// kept returns list i's values as kept, and where the list ends in vals.
func (fp *fingerprint) kept(i int) ([]string, int) {
	start := 0
	for _, n := range fp.n[:i] {
		start += int(n)
	}
	end := start + int(fp.n[i])
	return fp.vals[start:end], end
}

// uriSet holds the hashes of a source's distinct requestURIs: a short list,
// since most sources ask few URIs, then a map.
type uriSet struct {
	few  []uint64
	many map[uint64]struct{}
}

func (u *uriSet) len() int { return len(u.few) + len(u.many) }

func (u *uriSet) has(h uint64) bool {
	if u.many != nil {
		_, ok := u.many[h]
		return ok
	}
	return slices.Contains(u.few, h)
}

func (u *uriSet) add(h uint64) {
	switch {
	case u.has(h):
	case u.many != nil:
		u.many[h] = struct{}{}
	case len(u.few) < fewURIs:
		u.few = append(u.few, h)
	default:
		u.many = make(map[uint64]struct{}, 2*fewURIs)
		for _, k := range u.few {
			u.many[k] = struct{}{}
		}
		u.many[h] = struct{}{}
		u.few = nil
	}
}

const ellipsis = "…"

// add keeps v in list i if it is new and there is room; an empty value is
// left out, as Splunk's values() leaves an absent field out.
func (a *Aggregator) add(fp *fingerprint, i int, v []byte) {
	if len(v) == 0 {
		return
	}
	if len(v) > maxSampleLen {
		a.addShared(fp, i, string(detect.Cut(v, maxSampleLen))+ellipsis) // long values are seldom shared
		return
	}
	kept, _ := fp.kept(i)
	for _, k := range kept {
		if k == string(v) {
			return
		}
	}
	if s, ok := a.shared[string(v)]; ok {
		a.addShared(fp, i, s)
		return
	}
	s := string(v)
	if len(a.shared) < maxShared {
		a.shared[s] = s
	}
	a.addShared(fp, i, s)
}

// addShared keeps s, a value as kept (cut, shared), in list i if it is new
// and there is room.
func (a *Aggregator) addShared(fp *fingerprint, i int, s string) {
	kept, end := fp.kept(i)
	if slices.Contains(kept, s) {
		return
	}
	if len(kept) == maxSamples {
		fp.more |= 1 << i
		return
	}
	fp.vals = slices.Insert(fp.vals, end, s)
	fp.n[i]++
}

// list returns list i's values sorted, as values() sorts them, and "…" for more.
func (fp *fingerprint) list(i int) []string {
	kept, _ := fp.kept(i)
	out := slices.Clone(kept)
	slices.Sort(out)
	if fp.more&(1<<i) != 0 {
		out = append(out, ellipsis)
	}
	return out
}

// fires tells whether a source looks like a scan.
func (a *Aggregator) fires(fp *fingerprint) bool {
	return (a.th.MinURIs > 0 && fp.uris.len() >= a.th.MinURIs) ||
		(a.th.Min401 > 0 && fp.count401 >= a.th.Min401) ||
		(a.th.Scanner && fp.n[listScanners] > 0)
}

// Firing calls fn with the values of each source that fires, in the order
// of Columns, by first seen; a source without a time comes last.
func (a *Aggregator) Firing(fn func(values [][]string)) {
	var out []*fingerprint
	for _, fp := range a.sources {
		if a.fires(fp) {
			out = append(out, fp)
		}
	}
	slices.SortFunc(out, func(x, y *fingerprint) int {
		switch {
		case !x.timed && y.timed:
			return 1
		case x.timed && !y.timed:
			return -1
		}
		return cmp.Or(cmp.Compare(x.first, y.first), strings.Compare(x.srcIP, y.srcIP))
	})
	for _, fp := range out {
		uris := strconv.Itoa(fp.uris.len())
		if fp.urisCapped {
			uris += "+"
		}
		var first, last []string
		if fp.timed {
			first = []string{string(splunktime.Append(nil, fp.first))}
			last = []string{string(splunktime.Append(nil, fp.last))}
		}
		var ip []string
		if fp.srcIP != "" {
			ip = []string{fp.srcIP}
		}
		rec := [][]string{ip, {strconv.Itoa(fp.count)}, first, last, {uris}, {strconv.Itoa(fp.count401)}}
		for i := range nLists {
			rec = append(rec, fp.list(i))
		}
		fn(rec)
	}
}

// Note is the closing line of a summary: how many sources, how many fire,
// and on what.
func (a *Aggregator) Note() string {
	var tests []string
	if a.th.MinURIs > 0 {
		tests = append(tests, fmt.Sprintf("uri_count >= %d", a.th.MinURIs))
	}
	if a.th.Min401 > 0 {
		tests = append(tests, fmt.Sprintf("count_401 >= %d", a.th.Min401))
	}
	if a.th.Scanner {
		tests = append(tests, "a scanner tag")
	}
	rule := "never, every test is off"
	if len(tests) > 0 {
		rule = strings.Join(tests, " OR ")
	}
	firing := 0
	for _, fp := range a.sources {
		if a.fires(fp) {
			firing++
		}
	}
	return fmt.Sprintf("kubefingerprint: sources: %d, firing: %d (fires on %s)", len(a.sources), firing, rule)
}
