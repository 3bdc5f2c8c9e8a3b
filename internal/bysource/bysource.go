// Package bysource is the per-source stage of the detection: it gathers the
// rows of a run into one fingerprint per source address (src_ip), names
// the tool whose signature its probes fit (internal/signatures), and says
// which sources look like a scan. The same Aggregator is scan --summary's
// detect.Sink and the search command kubefingerprintsummary, which the
// by-source rule runs on the streaming command's rows, so that the
// command line and the rule fire on the same sources by the same code.
package bysource

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"github.com/kubefingerprint/kubefingerprint/internal/detect"
	"github.com/kubefingerprint/kubefingerprint/internal/signatures"
	"github.com/kubefingerprint/kubefingerprint/internal/splunktime"
)

// Thresholds decide when a source looks like a scan: any one suffices,
// but a source that asked only public-information paths (/version,
// /healthz, /livez, /readyz: what anyone may ask) never fires.
type Thresholds struct {
	MinToolScore float64 // a tool's signature fits this well (tool_score); 0 switches the test off
	MinURIs      int     // distinct requestURIs; 0 switches the test off
	Min401       int     // responses with code 401; 0 switches the test off
	Scanner      bool    // any scanner tag
}

// DefaultThresholds: half a tool's signature, by weight (a run that lost
// half its requests still names its tool; /version and / together reach
// no tool's half); five distinct URIs, as Elastic's rule counts them per
// source (> 5 there with the user agent) and ESCU's successor counts events
// (count > 5); any scanner tag; any 401, which is a credential that was
// sent and rejected.
var DefaultThresholds = Thresholds{MinToolScore: 0.5, MinURIs: 5, Min401: 1, Scanner: true}

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

	// MaxSources bounds the fingerprints of a run, which take 300 to 800
	// bytes each by how many distinct values a source sends (one request:
	// TestManySources; ten: BenchmarkSources), so at most about 400 MB:
	// past it, the rows of new sources are counted in one fingerprint
	// whose src_ip is Overflow, and Note warns.
	MaxSources = 500_000
	// maxPublicURIs is how many distinct public-information URIs a
	// monitor may ask and still never fire: kube-probe's /livez, /readyz
	// and /healthz with ?verbose and ?exclude= make six. Past it a source
	// is fuzzing those paths (/version?a=1, ?a=2, ...), and fires.
	maxPublicURIs = 10

	// Overflow is the src_ip of the rows of sources past MaxSources.
	Overflow = "sources past the cap"
)

var overflowIP = []byte(Overflow)

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
	{Name: "tool"},
	{Name: "tool_score", Number: true},
	{Name: "disguise", List: true},
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

var listValues = [nLists]func(*Request) []byte{
	listURIs:       func(r *Request) []byte { return r.RequestURI },
	listVerbs:      func(r *Request) []byte { return r.Verb },
	listCodes:      func(r *Request) []byte { return r.Code },
	listUsers:      func(r *Request) []byte { return r.User },
	listScanners:   func(r *Request) []byte { return r.Scanner },
	listClusters:   func(r *Request) []byte { return r.Cluster },
	listUserAgents: func(r *Request) []byte { return r.UserAgent },
}

// A Request is one row of the detection as the per-source stage reads it,
// from a detect.Row (scan --summary) or from the fields of a row of the
// streaming command (kubefingerprintsummary). Its slices are valid only
// during the call.
type Request struct {
	SrcIP      []byte
	Time       []byte // Splunk's _time, or an RFC 3339 time
	RequestURI []byte
	Verb       []byte
	Code       []byte // responseStatus.code
	User       []byte
	Scanner    []byte
	Cluster    []byte
	UserAgent  []byte
}

// An Aggregator gathers rows by source. The rows of an event wait in
// pending until the event is committed, so that a withdrawn event leaves
// no trace.
type Aggregator struct {
	th       Thresholds
	sigs     *signatures.Set
	seed     maphash.Seed
	sources  map[string]*fingerprint
	pending  map[string]*fingerprint
	shared   map[string]string // values kept once for every source that sent them
	max      int               // MaxSources, lower in tests
	overflow int               // rows of sources past max
	req      Request
	tools    []string // the signatures' tools, for disguise

	pruned       int // sources after the last prune
	publicPruned int // public-information-only sources forgotten at the cap
	fired        int // sources Firing found firing, -1 until it ran on these rows
}

// New returns an Aggregator that names tools by sigs (nil: none) and fires
// on th.
func New(th Thresholds, sigs *signatures.Set) *Aggregator {
	if sigs == nil {
		sigs = signatures.New()
	}
	return &Aggregator{th: th, sigs: sigs, seed: maphash.MakeSeed(), sources: map[string]*fingerprint{},
		pending: map[string]*fingerprint{}, shared: map[string]string{}, max: MaxSources, tools: sigs.Tools(), fired: -1}
}

// A fingerprint is what one source address did.
type fingerprint struct {
	srcIP           string
	count, count401 int
	first, last     int64 // Splunk's _time of the first and last row, in microseconds
	timed           bool  // first and last are set
	urisCapped      bool
	asked           bool          // asked something other than public information
	more            uint8         // one bit per list: a further distinct value was seen and not kept
	n               [nLists]uint8 // how many values of each list vals holds
	uris            uriSet
	seen            signatures.Seen
	// vals holds the first distinct values of each field, at most
	// maxSamples a list, list after list: one slice rather than seven.
	vals []string
}

// Row adds a row of the detection to its source's pending fingerprint.
func (a *Aggregator) Row(r *detect.Row) {
	ev := r.Event
	a.req = Request{SrcIP: ev.SrcIP(), Time: r.Time, RequestURI: ev.RequestURI, Verb: ev.Verb, Code: ev.CodeText,
		User: ev.User, Scanner: r.Scanner, Cluster: ev.Cluster, UserAgent: ev.UserAgent}
	a.Request(&a.req)
}

// Request adds a request to its source's pending fingerprint.
func (a *Aggregator) Request(r *Request) { a.request(r, a.pending) }

// prune makes room at the cap: it forgets the sources that cannot fire
// because they asked only public information, so that a flood of
// monitor-like sources (an IPv6 prefix asking /version) cannot push a
// scan's address past the cap. It runs again only once the sources have
// grown by a tenth, so that a full table costs one pass, not one a row.
func (a *Aggregator) prune() {
	if len(a.sources) < a.pruned+a.max/10 {
		return
	}
	for ip, fp := range a.sources {
		if !fp.asked && fp.uris.len() <= maxPublicURIs && ip != Overflow {
			delete(a.sources, ip)
			a.publicPruned++
		}
	}
	a.pruned = len(a.sources)
}

// Committed adds a request that no Withdraw takes back straight to its
// source's fingerprint: a row of kubefingerprintsummary, final once read.
func (a *Aggregator) Committed(r *Request) { a.request(r, a.sources) }

func (a *Aggregator) request(r *Request, to map[string]*fingerprint) {
	a.fired = -1
	ip := r.SrcIP
	if len(a.sources)+len(a.pending) >= a.max && a.sources[string(ip)] == nil && a.pending[string(ip)] == nil {
		a.prune()
		if len(a.sources)+len(a.pending) >= a.max {
			ip = overflowIP
			a.overflow++
		}
	}
	fp := to[string(ip)]
	if fp == nil {
		fp = &fingerprint{srcIP: string(ip)}
		to[fp.srcIP] = fp
	}
	fp.count++
	if string(r.Code) == "401" {
		fp.count401++
	}
	if t, ok := splunktime.Parse(r.Time); ok {
		fp.time(t, t)
	}
	if len(r.RequestURI) > 0 { // as the rule's dc(requestURI) leaves an absent URI out
		fp.addURI(maphash.Bytes(a.seed, r.RequestURI))
	}
	if !detect.PublicInfo(r.RequestURI) {
		fp.asked = true
	}
	a.sigs.Observe(&fp.seen, r.Verb, r.RequestURI)
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
		fp.asked = fp.asked || p.asked
		a.sigs.Merge(&fp.seen, &p.seen)
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

// disguiseScore is how well a tool must fit before its source's agents are
// said to disguise it: a kubectl user with an expired token who lists
// namespaces, pods and cluster roles fits kube-hunter's set at 0.57, and
// to call that user a disguised kube-hunter would mislead.
const disguiseScore = 0.75

// agentsWindow is the time in which many user agents from one source
// are a signal: nuclei draws a new one for every request of a run.
const agentsWindow = 15 * 60 * 1_000_000 // µs

// verdict is what the per-source stage concludes of a source.
type verdict struct {
	match    signatures.Match
	tool     string // match.Tool when its score reaches the threshold
	disguise []string
	fires    bool
}

func (a *Aggregator) judge(fp *fingerprint) verdict {
	agents := int(fp.n[listUserAgents])
	if fp.more&(1<<listUserAgents) != 0 {
		agents = maxSamples + 1
	}
	v := verdict{match: a.sigs.Best(&fp.seen, agents >= 3 && (!fp.timed || fp.last-fp.first <= agentsWindow))}
	if a.th.MinToolScore > 0 && v.match.Score >= a.th.MinToolScore {
		v.tool = v.match.Tool
		if v.match.Score >= disguiseScore {
			v.disguise = a.disguise(fp, v.tool)
		}
	}
	v.fires = (fp.asked || fp.uris.len() > maxPublicURIs) && (v.tool != "" ||
		(a.th.MinURIs > 0 && fp.uris.len() >= a.th.MinURIs) ||
		(a.th.Min401 > 0 && fp.count401 >= a.th.Min401) ||
		(a.th.Scanner && fp.n[listScanners] > 0))
	return v
}

// disguise returns what the source's user agents claim to be, where that
// is not tool: kubectl, a browser, or another tool of the signatures. A
// library's agent (python-requests, Go-http-client, curl) claims no
// identity, and one that names the tool is honest.
func (a *Aggregator) disguise(fp *fingerprint, tool string) []string {
	var out []string
	uas, _ := fp.kept(listUserAgents)
	for _, ua := range uas {
		lower := strings.ToLower(ua)
		claim := ""
		switch {
		case strings.Contains(lower, tool):
			continue
		case strings.HasPrefix(lower, "kubectl/"):
			claim = "kubectl"
		case strings.HasPrefix(lower, "mozilla/"):
			claim = "browser"
		}
		for _, other := range a.tools {
			if other != tool && strings.Contains(lower, other) {
				claim = other
			}
		}
		if claim != "" && !slices.Contains(out, claim) {
			out = append(out, claim)
		}
	}
	slices.Sort(out)
	return out
}

// Firing calls fn with the values of each source that fires, in the order
// of Columns, by first seen; a source without a time comes last.
func (a *Aggregator) Firing(fn func(values [][]string)) {
	type judged struct {
		fp *fingerprint
		v  verdict
	}
	var out []judged
	for _, fp := range a.sources {
		if v := a.judge(fp); v.fires {
			out = append(out, judged{fp, v})
		}
	}
	a.fired = len(out)
	slices.SortFunc(out, func(x, y judged) int {
		switch {
		case !x.fp.timed && y.fp.timed:
			return 1
		case x.fp.timed && !y.fp.timed:
			return -1
		}
		return cmp.Or(cmp.Compare(x.fp.first, y.fp.first), strings.Compare(x.fp.srcIP, y.fp.srcIP))
	})
	for _, j := range out {
		fp := j.fp
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
		var tool []string
		if j.v.tool != "" {
			tool = []string{j.v.tool}
		}
		rec := [][]string{ip, {strconv.Itoa(fp.count)}, first, last, tool,
			{strconv.FormatFloat(j.v.match.Score, 'f', 2, 64)}, j.v.disguise,
			{uris}, {strconv.Itoa(fp.count401)}}
		for i := range nLists {
			rec = append(rec, fp.list(i))
		}
		fn(rec)
	}
}

// Note is the closing line of a summary: how many sources, how many fire,
// and on what; a WARN when sources went past the cap.
func (a *Aggregator) Note() string {
	var tests []string
	if a.th.MinToolScore > 0 {
		tests = append(tests, fmt.Sprintf("tool_score >= %g", a.th.MinToolScore))
	}
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
		rule = strings.Join(tests, " OR ") + ", unless a source asked public information only"
	}
	firing := a.fired // judging every source again would cost a second pass
	if firing < 0 {
		firing = 0
		for _, fp := range a.sources {
			if a.judge(fp).fires {
				firing++
			}
		}
	}
	note := fmt.Sprintf("kubefingerprint: sources: %d, firing: %d (fires on %s)", len(a.sources), firing, rule)
	if a.publicPruned > 0 {
		note += fmt.Sprintf("; at the cap of %d sources, %d that asked only public information (and so cannot fire) were forgotten", a.max, a.publicPruned)
	}
	if a.overflow > 0 {
		note += fmt.Sprintf("; WARN more than %d sources: the %d rows of the sources past them are counted under src_ip %q", a.max, a.overflow, Overflow)
	}
	return note
}
