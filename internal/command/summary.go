package command

import (
	"bytes"
	"cmp"
	"fmt"
	"hash/maphash"
	"io"
	"math"
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
//
// What cannot be bounded is the number of sources: an exact group-by keeps
// one fingerprint for each, and an attacker with an IPv6 prefix has as many
// addresses as requests. So a fingerprint is kept small: its values are
// shared between sources (a verb, a code, a cluster, a tool's user agent
// are the same for thousands of them) and a short list of URI hashes comes
// before a map. A source that sent one request takes about 400 bytes,
// where it took 740.
const (
	maxSamples      = 10
	maxSampleLen    = 200
	maxDistinctURIs = 100_000
	maxShared       = 50_000 // distinct values shared between sources
	fewURIs         = 16     // URI hashes kept in a list before a map
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

// The lists of a fingerprint, in the order of summaryColumns.
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

// bySource is the format of scan --summary: it prints nothing per row, and
// gathers each source's fingerprint for the end.
type bySource struct {
	th      Thresholds
	p       *printer
	seed    maphash.Seed
	sources map[string]*fingerprint
	shared  map[string]string // values kept once for every source that sent them
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

// add keeps v in list i if it is new and there is room; an empty value is
// left out, as values() leaves an absent field out.
func (b *bySource) add(fp *fingerprint, i int, v []byte) {
	if len(v) == 0 {
		return
	}
	cutV := len(v) > maxSampleLen
	v = cut(v, maxSampleLen)
	kept, end := fp.kept(i)
	for _, k := range kept {
		if cutV && strings.HasSuffix(k, ellipsis) && k[:len(k)-len(ellipsis)] == string(v) || !cutV && k == string(v) {
			return
		}
	}
	if len(kept) == maxSamples {
		fp.more |= 1 << i
		return
	}
	fp.vals = slices.Insert(fp.vals, end, b.share(v, cutV))
	fp.n[i]++
}

const ellipsis = "…"

// share returns v as a string, with "…" when it was cut, kept once for
// every source that sends it while there is room for it.
func (b *bySource) share(v []byte, cutV bool) string {
	if cutV {
		return string(v) + ellipsis // long values are seldom shared
	}
	if s, ok := b.shared[string(v)]; ok {
		return s
	}
	s := string(v)
	if len(b.shared) < maxShared {
		b.shared[s] = s
	}
	return s
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

func newBySource(th Thresholds, p *printer) *bySource {
	p.cols = summaryColumns
	return &bySource{th: th, p: p, seed: maphash.MakeSeed(), sources: map[string]*fingerprint{}, shared: map[string]string{}}
}

func (b *bySource) header(dst []byte) []byte { return dst }

func (b *bySource) row(dst []byte, r *Row) []byte {
	ev := r.Event
	fp := b.sources[string(ev.SrcIP())]
	if fp == nil {
		ip := string(ev.SrcIP())
		fp = &fingerprint{srcIP: ip}
		b.sources[ip] = fp
	}
	fp.count++
	if ev.Code == 401 {
		fp.count401++
	}
	if t, ok := micros(r.Time); ok {
		if !fp.timed || t < fp.first {
			fp.first = t
		}
		if !fp.timed || t > fp.last {
			fp.last = t
		}
		fp.timed = true
	}
	h := maphash.Bytes(b.seed, ev.RequestURI)
	if fp.uris.len() < maxDistinctURIs {
		fp.uris.add(h)
	} else if !fp.uris.has(h) {
		fp.urisCapped = true
	}
	b.add(fp, listURIs, ev.RequestURI)
	b.add(fp, listVerbs, ev.Verb)
	b.add(fp, listCodes, ev.CodeText)
	b.add(fp, listUsers, ev.User)
	b.add(fp, listScanners, r.Scanner)
	b.add(fp, listClusters, ev.Cluster)
	b.add(fp, listUserAgents, ev.UserAgent)
	return dst
}

// micros reads Splunk's _time, epoch seconds with up to six decimals, as
// microseconds. The detection writes a time before 1970 as Go's Unix
// seconds, rounded down, plus a positive fraction ("-5.500000" is 4.5 s
// before 1970), and so it is read.
func micros(t []byte) (int64, bool) {
	sec, frac, _ := bytes.Cut(t, []byte("."))
	s, err := strconv.ParseInt(string(sec), 10, 64)
	if err != nil || len(frac) > 6 || s > math.MaxInt64/1_000_000-1 || s < math.MinInt64/1_000_000+1 {
		return 0, false
	}
	var f int64
	for i := 0; i < 6; i++ {
		f *= 10
		if i < len(frac) {
			if frac[i] < '0' || frac[i] > '9' {
				return 0, false
			}
			f += int64(frac[i] - '0')
		}
	}
	return s*1_000_000 + f, true
}

// epoch writes microseconds as Splunk's _time, as the detection writes it.
func epoch(us int64) string {
	sec := us / 1_000_000
	if us%1_000_000 < 0 {
		sec--
	}
	return fmt.Sprintf("%d.%06d", sec, us-sec*1_000_000)
}

// fires tells whether a source looks like a scan.
func (b *bySource) fires(fp *fingerprint) bool {
	return (b.th.MinURIs > 0 && fp.uris.len() >= b.th.MinURIs) ||
		(b.th.Min401 > 0 && fp.count401 >= b.th.Min401) ||
		(b.th.Scanner && fp.n[listScanners] > 0)
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
		case !x.timed && y.timed:
			return 1 // no time: last
		case x.timed && !y.timed:
			return -1
		}
		return cmp.Or(cmp.Compare(x.first, y.first), strings.Compare(x.srcIP, y.srcIP))
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
		uris := strconv.Itoa(fp.uris.len())
		if fp.urisCapped {
			uris += "+"
		}
		var first, last []string
		if fp.timed {
			first, last = []string{epoch(fp.first)}, []string{epoch(fp.last)}
		}
		rec := record{one([]byte(fp.srcIP)), {strconv.Itoa(fp.count)}, first, last, {uris}, {strconv.Itoa(fp.count401)}}
		for i := range nLists {
			rec = append(rec, fp.list(i))
		}
		dst = b.p.flush(b.p.record(dst, rec)) // a million sources are not held twice
	}
	return b.p.finish(dst)
}

// streamTo sends the summary's lines to w as they are rendered.
func (b *bySource) streamTo(w io.Writer) { b.p.w = w }

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
	firing := 0
	for _, fp := range b.sources {
		if b.fires(fp) {
			firing++
		}
	}
	return fmt.Sprintf("kubefingerprint: sources: %d, firing: %d (fires on %s)", len(b.sources), firing, rule)
}
