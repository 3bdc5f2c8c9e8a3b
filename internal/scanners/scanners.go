// Package scanners names the scanning or scripting tool a request's user
// agent belongs to (the row field scanner), from the
// kubefingerprint_scanners lookups: columns scanner, userAgent and
// comment; userAgent is a case-insensitive * glob, and the first row that
// matches wins. A user agent is set by the client, so a tag says what the
// client claims to be, never who it is: it labels rows and feeds the
// per-source detection, and an attacker can always leave it empty.
package scanners

import (
	"bytes"
	"fmt"

	"github.com/kubefingerprint/kubefingerprint/internal/lookup"
)

// Columns are the header names a scanner lookup may use.
var Columns = [...]string{"scanner", "userAgent", "comment"}

// Tags are the scanner rows of one run, in the order they are tried.
type Tags struct {
	rows      []tagRow
	index     *lookup.Index // by a pattern's literal start
	ends      *lookup.Index // by the literal end of a pattern that starts with a star
	unindexed int           // rows tried for every user agent: *tool*

	// Recent user agents and their tags, by a hash of each: a scan repeats
	// one user agent, and a cluster's own clients are a handful, so most
	// rows are tagged without matching a glob. Bounded: cacheSize entries
	// of at most cachedLen bytes.
	cache [cacheSize]cached
}

const (
	cacheSize = 64
	cachedLen = 512
)

type cached struct {
	ua, tag []byte
	ok      bool
}

type tagRow struct {
	tag []byte
	ua  lookup.Glob
}

// New returns tags without rows; Add gives them rows.
func New() *Tags {
	return &Tags{index: lookup.NewIndex(true), ends: lookup.NewEndIndex(true)}
}

// Add appends the rows of a scanner lookup table, tried after the rows
// added before. A row without a usable tag or pattern is left out with a
// warning. A table that cannot tag anything (a column named twice, no
// scanner or userAgent column) adds no row and is the error, a
// *lookup.RefusedError, so the caller can say what applies instead.
func (t *Tags) Add(tb *lookup.Table, w *lookup.Warnings) error {
	pos, err := tb.Columns(Columns[:], w)
	if err != nil {
		return err
	}
	if pos[0] < 0 || pos[1] < 0 {
		return &lookup.RefusedError{Name: tb.Name, Why: "it needs the columns scanner and userAgent"}
	}
	var unindexed []int
	t.unindexed = 0 // the bound is per file: a site file cannot push out shipped rows
	for _, r := range tb.Rows {
		tag, ua := r.Cells[pos[0]], r.Cells[pos[1]]
		if err := checkTag(tag); err != nil {
			w.Add("%s line %d: %v; row ignored", tb.Name, r.Line, err)
			continue
		}
		g := lookup.NewGlob(ua, true)
		if g.Any() {
			w.Add("%s line %d: userAgent is empty (or *), so the row would tag every user agent; row ignored", tb.Name, r.Line)
			continue
		}
		id := int32(len(t.rows))
		switch {
		case g.Literal() != "":
			t.index.Add(g.Literal(), id)
		case g.End() != "":
			t.ends.Add(g.End(), id)
		case t.unindexed == lookup.MaxUnindexed:
			unindexed = append(unindexed, r.Line)
			continue
		default:
			t.unindexed++
			t.index.Add("", id)
		}
		t.rows = append(t.rows, tagRow{tag: lookup.Fold(nil, []byte(tag)), ua: g})
	}
	if len(unindexed) > 0 {
		w.AddFile("%s: %d rows left out (lines %s): past the first %d rows whose userAgent starts and ends with *, which are tried against every user agent; give them a literal start or end, such as nuclei* or */zgrab",
			tb.Name, len(unindexed), lookup.Lines(unindexed), lookup.MaxUnindexed)
	}
	return nil
}

// checkTag accepts a tool name: letters, digits, '-', '_' and '.', as a
// field value that alert messages and risk rules can carry as it is.
func checkTag(tag string) error {
	if tag == "" {
		return fmt.Errorf("scanner is empty")
	}
	if len(tag) > 64 {
		return fmt.Errorf("scanner %s is longer than 64 characters", lookup.Quote(tag))
	}
	for i := 0; i < len(tag); i++ {
		switch c := tag[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
		default:
			return fmt.Errorf("scanner %s is not a tool name (letters, digits, - _ . only)", lookup.Quote(tag))
		}
	}
	return nil
}

// Len is the number of rows that apply.
func (t *Tags) Len() int { return len(t.rows) }

// Tag returns the scanner tag of a user agent, or nil. The result is valid
// until the next call.
func (t *Tags) Tag(ua []byte) []byte {
	if t == nil || len(ua) == 0 || len(t.rows) == 0 || ClientGo(ua) {
		return nil
	}
	c := &t.cache[slot(ua)]
	if c.ok && bytes.Equal(ua, c.ua) {
		return c.tag
	}
	var tag []byte
	if i := t.match(ua); i >= 0 {
		tag = t.rows[i].tag
	}
	if len(ua) <= cachedLen {
		c.ua, c.tag, c.ok = append(c.ua[:0], ua...), tag, true
	}
	return tag
}

// ClientGo reports the user agent client-go gives a binary built without
// Kubernetes' version stamps, <binary>/v0.0.0 (<os>/<arch>)
// kubernetes/$Format: in-cluster controllers, operators and webhooks send
// it all day, so it is never a scanner tag, whatever binary it names (a
// scanner built on client-go is named by its requests instead).
//
// The whole agent must have that shape, so that a scanner cannot hide its
// own agent by appending one (zgrab/0.x x/v0.0.0 (a) kubernetes/$Format).
func ClientGo(ua []byte) bool {
	i := bytes.Index(ua, []byte("/v0.0.0 ("))
	if i <= 0 || bytes.ContainsAny(ua[:i], " /") {
		return false
	}
	rest := ua[i+len("/v0.0.0 ("):]
	j := bytes.IndexByte(rest, ')')
	if j < 0 || bytes.ContainsAny(rest[:j], "()") {
		return false
	}
	tail, ok := bytes.CutPrefix(rest[j:], []byte(") kubernetes/$Format"))
	return ok && (len(tail) == 0 || tail[0] == '/' && !bytes.ContainsAny(tail, " "))
}

// slot is the cache entry of a user agent: FNV-1a over its length and a
// few of its bytes, which is enough to tell a handful of agents apart
// without reading a long one whole (a miss costs one glob match only).
func slot(ua []byte) int {
	h := uint32(2166136261)
	for _, c := range [...]byte{byte(len(ua)), byte(len(ua) >> 8), ua[0], ua[len(ua)/2], ua[len(ua)-1], ua[len(ua)*3/4]} {
		h = (h ^ uint32(c)) * 16777619
	}
	return int(h % cacheSize)
}

// match returns the index of the first row whose pattern ua matches, or -1.
func (t *Tags) match(ua []byte) int {
	best := int32(len(t.rows))
	check := func(ids []int32) bool {
		for _, id := range ids {
			if id >= best {
				break
			}
			if t.rows[id].ua.Match(ua) {
				best = id
				break
			}
		}
		return true
	}
	t.index.Each(ua, check)
	t.ends.Each(ua, check)
	if best == int32(len(t.rows)) {
		return -1
	}
	return int(best)
}
