// Package signatures names the tool behind a source by what it probes,
// not by what its user agent claims: it owns the kubefingerprint_tools
// lookups (one row per request a tool makes, read from the tool's source),
// the probe a request is reduced to, and the score of a source's probes
// against every tool's.
//
// The score of a tool is weighted containment: the share of the tool's
// probes the source made, each probe weighed by how rare it is among
// tools (1 / the number of tools that make it), so /version, which six
// tools ask, counts little, and Metasploit's kube-lease namespace a lot.
// Containment, not similarity: whatever else a source asks does not dilute
// its match. Three behaviours a path set cannot show count as probes of
// their own (signals): many user agents from one source, an access review
// before each read, write verbs.
package signatures

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/kubefingerprint/kubefingerprint/internal/lookup"
)

// Columns are the header names of a tools lookup.
var Columns = [...]string{"tool", "variant", "verb", "probe", "comment"}

// Signals, written in the probe column as @name with an empty verb.
const (
	SignalAgents  = iota // many user agents from one source (nuclei)
	SignalReviews        // an access review before each read (Peirates)
	SignalWrites         // write verbs (kube-hunter --active)
	numSignals
)

var signalNames = [numSignals]string{
	SignalAgents:  "@agents",
	SignalReviews: "@reviews",
	SignalWrites:  "@writes",
}

// Bounds of a set: a site file cannot make scoring costly.
const (
	MaxSignatures = 100  // of one file
	MaxProbes     = 1024 // distinct probes of one file's signatures
	minProbes     = 2    // probes a source must share with a tool to be named, one of them more than discovery
)

// A Set is the signatures of one run: rows are added, site files first;
// the first file to name a tool gives all its signatures (its variants),
// so a site file replaces a shipped tool whole or adds one.
type Set struct {
	rows  []row
	owner map[string]string // tool -> the file that gave it
	ready bool

	keep      map[string]bool // namespace and object names kept literal
	ids       map[string]int  // probe -> id; ids below numSignals are signals
	discovery []bool          // by id: a probe every client makes first
	sigs      []signature
	weights   []float64 // by id
	buf, any  []byte    // a request's probe, and the same with verb *
}

type row struct {
	tool, variant, verb, probe string
}

type signature struct {
	tool  string
	ids   []int
	total float64 // the weight of all its probes
}

// New returns a Set without signatures.
func New() *Set { return &Set{owner: map[string]string{}} }

// Add adds the rows of a tools lookup table. A row that cannot be a
// signature is left out with a warning; a table without the columns tool
// and probe is refused whole (a *lookup.RefusedError).
func (s *Set) Add(tb *lookup.Table, w *lookup.Warnings) error {
	pos, err := tb.Columns(Columns[:], w)
	if err != nil {
		return err
	}
	if pos[0] < 0 || pos[3] < 0 {
		return &lookup.RefusedError{Name: tb.Name, Why: "it needs the columns tool and probe"}
	}
	cell := func(r lookup.Row, i int) string {
		if pos[i] < 0 {
			return ""
		}
		return r.Cells[pos[i]]
	}
	named := map[string]bool{}
	var replaced []string
	// The caps are per file: a site's cannot crowd out the shipped rows.
	probes, probesFull, signatures := map[string]bool{}, false, 0
	for _, r := range tb.Rows {
		x := row{tool: cell(r, 0), variant: cell(r, 1), verb: strings.ToLower(cell(r, 2)), probe: cell(r, 3)}
		if err := check(x); err != nil {
			w.Add("%s line %d: %v; row ignored", tb.Name, r.Line, err)
			continue
		}
		if owner, ok := s.owner[x.tool]; ok && !named[x.tool] {
			// an earlier file (the site's) gave this tool: said, since a
			// site row can replace a shipped tool with one that never fits
			if !slices.Contains(replaced, x.tool) {
				replaced = append(replaced, x.tool)
				w.AddFile("%s: the signatures of %s come from %s, which replaces these", tb.Name, x.tool, owner)
			}
			continue
		}
		if !strings.HasPrefix(x.probe, "@") {
			key := x.verb + " " + x.probe
			if !probes[key] {
				if len(probes) == MaxProbes {
					if !probesFull {
						w.AddFile("%s line %d: more than %d distinct probes; the rest are left out", tb.Name, r.Line, MaxProbes)
						probesFull = true
					}
					continue
				}
				probes[key] = true
			}
		}
		key := x.tool + "\x00" + x.variant
		if !named[key] {
			if signatures == MaxSignatures {
				w.AddFile("%s line %d: more than %d signatures; the rest are left out", tb.Name, r.Line, MaxSignatures)
				break
			}
			signatures++
			named[key], named[x.tool], s.owner[x.tool] = true, true, tb.Name
		}
		s.rows = append(s.rows, x)
	}
	s.ready = false
	return nil
}

// check accepts a row: a tool name as the scanner lookup writes one, and
// a probe that is a path or a signal.
func check(x row) error {
	if x.tool == "" || len(x.tool) > 64 || strings.Trim(x.tool, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != "" {
		return fmt.Errorf("tool %s is not a tool name (letters, digits, - _ . only)", lookup.Quote(x.tool))
	}
	if strings.HasPrefix(x.probe, "@") {
		for _, n := range signalNames {
			if x.probe == n {
				return nil
			}
		}
		return fmt.Errorf("probe %s is no signal (%s)", lookup.Quote(x.probe), strings.Join(signalNames[:], ", "))
	}
	if !strings.HasPrefix(x.probe, "/") || len(x.probe) > maxProbePath {
		return fmt.Errorf("probe %s is not a path (it starts with /, at most %d bytes)", lookup.Quote(x.probe), maxProbePath)
	}
	if x.verb == "" {
		return fmt.Errorf("probe %s has no verb (an audit verb such as get, list, create, or * for any)", lookup.Quote(x.probe))
	}
	return nil
}

// finish builds the probes, their ids and weights from the rows.
func (s *Set) finish() {
	if s.ready {
		return
	}
	s.ready = true
	s.keep, s.ids, s.sigs = map[string]bool{}, map[string]int{}, nil
	for i, n := range signalNames {
		s.ids[n] = i
	}
	for _, x := range s.rows {
		if x.verb != "" {
			keptNames(x.probe, s.keep)
		}
	}
	bySig := map[string]int{}
	for _, x := range s.rows {
		key := x.tool + "\x00" + x.variant
		i, ok := bySig[key]
		if !ok {
			i = len(s.sigs)
			bySig[key] = i
			s.sigs = append(s.sigs, signature{tool: x.tool})
		}
		p := x.probe
		if x.verb != "" || !strings.HasPrefix(p, "@") {
			p = string(appendProbe(nil, []byte(x.verb), []byte(x.probe), s.keep))
		}
		id, ok := s.ids[p]
		if !ok {
			id = len(s.ids)
			s.ids[p] = id
		}
		if !slices.Contains(s.sigs[i].ids, id) {
			s.sigs[i].ids = append(s.sigs[i].ids, id)
		}
	}
	// A probe's weight: 1 / the number of tools (not variants) that make it.
	tools := make([]map[string]bool, len(s.ids))
	for _, sig := range s.sigs {
		for _, id := range sig.ids {
			if tools[id] == nil {
				tools[id] = map[string]bool{}
			}
			tools[id][sig.tool] = true
		}
	}
	s.discovery = make([]bool, len(s.ids))
	for p, id := range s.ids {
		s.discovery[id] = isDiscovery(p)
	}
	s.weights = make([]float64, len(s.ids))
	for id, t := range tools {
		if len(t) > 0 {
			s.weights[id] = 1 / float64(len(t))
		}
	}
	for i := range s.sigs {
		for _, id := range s.sigs[i].ids {
			s.sigs[i].total += s.weights[id]
		}
	}
}

// words is the size of a Seen's probe bits for this set.
func (s *Set) words() int { s.finish(); return (len(s.ids) + 63) / 64 }

// Seen is what one source did, as far as signatures care: the probes it
// made and the counts behind the signals. About 40 bytes, plus the probe
// bits once it makes a probe of some signature.
type Seen struct {
	bits                  []uint64
	reads, reviews, write uint32
}

// Observe adds a request to what a source did.
func (s *Set) Observe(seen *Seen, verb, uri []byte) {
	s.finish()
	switch v, review := string(verb), isReview(uri); {
	case v == "get" || v == "list" || v == "watch":
		seen.reads++
	case v == "create" && review:
		seen.reviews++
	case isWrite(v) && !review:
		seen.write++
	}
	s.buf = appendProbe(s.buf[:0], verb, uri, s.keep)
	id, ok := s.ids[string(s.buf)]
	if !ok { // a signature row with verb * matches any verb
		s.any = append(append(s.any[:0], '*'), s.buf[len(verb):]...)
		if id, ok = s.ids[string(s.any)]; !ok {
			return
		}
	}
	if seen.bits == nil {
		seen.bits = make([]uint64, s.words())
	}
	seen.bits[id/64] |= 1 << (id % 64)
}

// Merge adds what other saw to seen.
func (s *Set) Merge(seen, other *Seen) {
	seen.reads += other.reads
	seen.reviews += other.reviews
	seen.write += other.write
	if other.bits == nil {
		return
	}
	if seen.bits == nil {
		seen.bits = make([]uint64, len(other.bits))
	}
	for i, b := range other.bits {
		seen.bits[i] |= b
	}
}

// isDiscovery tells a probe that every client makes before it asks
// anything (client-go's discovery, a version check, a first GET /): on its
// own it names no tool, however well it fits one. Client-go discovery by
// an anonymous inventory tool is /api, /apis and /version, which is also
// all of kdigger but its access review.
func isDiscovery(probe string) bool {
	path, ok := strings.CutPrefix(probe, "get ")
	if !ok {
		return false
	}
	switch path {
	case "/", "/version", "/api", "/apis", "/api/v1":
		return true
	}
	rest, ok := strings.CutPrefix(path, "/apis/")
	return ok && strings.Count(rest, "/") <= 1 // /apis/<group>, /apis/<group>/<version>
}

func isWrite(verb string) bool {
	switch verb {
	case "create", "update", "patch", "delete", "deletecollection", "post", "put":
		return true
	}
	return false
}

// isReview tells an access or rules review, which a tool creates to ask
// what it may do, from a write that changes the cluster.
func isReview(uri []byte) bool {
	for _, r := range reviews {
		if bytes.Contains(uri, r) {
			return true
		}
	}
	return false
}

// reviews end the path of every access, rules and token review (the
// local and self-subject ones hold subjectaccessreviews).
var reviews = [...][]byte{[]byte("subjectaccessreviews"), []byte("/selfsubjectrulesreviews"), []byte("/tokenreviews")}

// A Match is the tool whose signature a source's probes fit best.
type Match struct {
	Tool  string
	Score float64 // weighted containment, 0 to 1
}

// Best returns the signature a source's probes fit best; agents says the
// source sent many user agents in a short time.
//
// Its score is containment (recall): how much of the tool's signature,
// by weight, the source made. Which signature is best is decided by the
// F2 measure, which weighs that recall four times the precision: the share
// of the source's signature probes, by weight, that the tool's signature
// holds. Containment alone would name KubiScan for every Trivy run, whose
// twenty lists hold KubiScan's five; precision alone would let a source's
// other probes dilute its match. Of two equal measures the signature with
// more weight wins: it says more.
func (s *Set) Best(seen *Seen, agents bool) Match {
	s.finish()
	var signals [numSignals]bool
	signals[SignalAgents] = agents
	signals[SignalReviews] = seen.reviews >= 2 && 2*seen.reviews >= seen.reads
	signals[SignalWrites] = seen.write > 0
	hit := func(id int) bool {
		if id < numSignals {
			return signals[id]
		}
		return seen.bits != nil && seen.bits[id/64]&(1<<(id%64)) != 0
	}
	var made float64 // the weight of every signature probe the source made
	for id, w := range s.weights {
		if hit(id) {
			made += w
		}
	}
	var best Match
	var bestF, bestTotal float64
	for _, sig := range s.sigs {
		var got float64
		n, asked := 0, false
		for _, id := range sig.ids {
			if hit(id) {
				got += s.weights[id]
				if id >= numSignals {
					n++
					asked = asked || !s.discovery[id]
				}
			}
		}
		if sig.total == 0 || n < minProbes || !asked {
			continue
		}
		recall, precision := got/sig.total, got/made
		f := 5 * precision * recall / (4*precision + recall)
		if f > bestF || (f == bestF && sig.total > bestTotal) {
			best, bestF, bestTotal = Match{Tool: sig.tool, Score: recall}, f, sig.total
		}
	}
	return best
}

// Tools are the names of the tools the set knows, each once.
func (s *Set) Tools() []string {
	s.finish()
	var out []string
	for _, sig := range s.sigs {
		if !slices.Contains(out, sig.tool) {
			out = append(out, sig.tool)
		}
	}
	return out
}
