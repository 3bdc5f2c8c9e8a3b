// Package allowlist decides whether a reported audit event is covered by a
// row of the kubefingerprint filter lookups, CSV tables in which analysts
// list known-benign sources of unauthenticated requests. Reading the files
// safely is internal/lookup's; this package gives the cells their meaning
// and indexes the rows.
//
// A row covers an event when every non-empty matching cell matches:
//
//	sourceIP    an address, a CIDR block (IPv4 or IPv6) or a * glob; it must
//	            match every address in sourceIPs{}, so a client-supplied
//	            X-Forwarded-For address cannot pull a request under it
//	userAgent   a * glob, case-insensitive
//	verb        exact, case-insensitive
//	requestURI  a * glob, case-sensitive
//	cluster     a * glob over the AKS cluster name, case-insensitive
//	expires     empty for never, a date YYYY-MM-DD (holds through that UTC
//	            day) or an RFC 3339 time
//	comment     why the row exists; not matched
//
// A cell of stars only is empty. A row that cannot be understood, or whose
// matching cells are all empty, never covers anything: it is left out with
// a warning, and the rows around it still apply.
package allowlist

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/lookup"
)

// Columns are the header names a lookup may use.
var Columns = [...]string{"sourceIP", "userAgent", "verb", "requestURI", "cluster", "expires", "comment"}

const (
	colSourceIP = iota
	colUserAgent
	colVerb
	colRequestURI
	colCluster
	colExpires
	colComment
)

// A List is the usable rows of one lookup file, indexed.
//
// Each row is filed once, under its most selective cell: an address or
// CIDR block under its prefix, else the literal start of its sourceIP,
// userAgent, requestURI or cluster glob, else the literal end of one
// (*/healthz), else its verb. Rows with none of these are looked at for
// every event, and at most lookup.MaxUnindexed of them are kept. So the
// cost of a match does not grow with the number of rows, only with the
// rows that share a key.
type List struct {
	Name string
	rows []row

	ip4, ip6                                       addrIndex
	sourceIP, userAgent, verb, requestURI, cluster *lookup.Index
	// the same by the literal end of a glob that starts with a star
	sourceIPEnd, userAgentEnd, requestURIEnd, clusterEnd *lookup.Index
	unindexed                                            int // rows filed for every event

	addrs []netip.Addr // the event's addresses, parsed once per Match
	best  int32
}

type row struct {
	line       int
	sourceIP   *addrPattern
	userAgent  lookup.Glob
	verb       string // folded
	requestURI lookup.Glob
	cluster    lookup.Glob
}

// Len is the number of rows that apply.
func (l *List) Len() int { return len(l.rows) }

// New gives the rows of a lookup table their meaning. Rows that expired
// before now are left out, with one warning that lists them; each row that
// cannot be used is left out with one warning. The error is a
// *lookup.RefusedError for a header that names a column twice.
func New(t *lookup.Table, now time.Time, w *lookup.Warnings) (*List, error) {
	pos, err := t.Columns(Columns[:], w)
	if err != nil {
		return nil, err
	}
	l := &List{
		Name:       t.Name,
		sourceIP:   lookup.NewIndex(true),
		userAgent:  lookup.NewIndex(true),
		verb:       lookup.NewIndex(true),
		requestURI: lookup.NewIndex(false),
		cluster:    lookup.NewIndex(true),

		sourceIPEnd:   lookup.NewEndIndex(true),
		userAgentEnd:  lookup.NewEndIndex(true),
		requestURIEnd: lookup.NewEndIndex(false),
		clusterEnd:    lookup.NewEndIndex(true),
	}
	var expired, unindexed, claimed []int
	for _, r := range t.Rows {
		var cells [len(Columns)]string
		for c, p := range pos {
			if p >= 0 {
				cells[c] = r.Cells[p]
			}
		}
		rw, expires, err := parseRow(cells)
		if err != nil {
			w.Add("%s line %d: %v; row ignored", t.Name, r.Line, err)
			continue
		}
		if !expires.IsZero() && !now.Before(expires) {
			expired = append(expired, r.Line)
			continue
		}
		rw.line = r.Line
		if rw.onlyUserAgent() {
			claimed = append(claimed, r.Line)
		}
		if !l.add(rw) {
			unindexed = append(unindexed, r.Line)
		}
	}
	if len(unindexed) > 0 {
		w.AddFile("%s: %d rows left out (lines %s): past the first %d rows whose every cell starts and ends with *, which are tried against every result; give them a literal start or end, such as kube-probe/* or */healthz",
			t.Name, len(unindexed), lookup.Lines(unindexed), lookup.MaxUnindexed)
	}
	if len(claimed) > 0 {
		w.AddFile("%s: %d rows match on the user agent alone (lines %s): a user agent is what a client claims, so they hide any scanner that sends it; add a sourceIP, cluster or requestURI",
			t.Name, len(claimed), lookup.Lines(claimed))
	}
	if len(expired) > 0 {
		w.AddFile("%s: %d expired rows no longer suppress anything (lines %s); renew or delete them", t.Name, len(expired), lookup.Lines(expired))
	}
	return l, nil
}

// add files a row under its most selective cell; false, and the row left
// out, when it would be one too many of the rows tried for every event.
func (l *List) add(rw row) bool {
	id := int32(len(l.rows))
	p := rw.sourceIP
	var ipGlob lookup.Glob
	if p != nil && !p.prefix.IsValid() {
		ipGlob = p.glob
	}
	indexed := p != nil && p.prefix.IsValid() || ipGlob.Literal() != "" || rw.userAgent.Literal() != "" ||
		rw.requestURI.Literal() != "" || rw.cluster.Literal() != "" || ipGlob.End() != "" ||
		rw.userAgent.End() != "" || rw.requestURI.End() != "" || rw.cluster.End() != "" || rw.verb != ""
	if !indexed {
		if l.unindexed == lookup.MaxUnindexed {
			return false
		}
		l.unindexed++
	}
	l.rows = append(l.rows, rw)
	switch {
	case p != nil && p.prefix.IsValid() && p.prefix.Addr().Is4():
		l.ip4.add(p.prefix, id)
	case p != nil && p.prefix.IsValid():
		l.ip6.add(p.prefix, id)
	case ipGlob.Literal() != "":
		l.sourceIP.Add(ipGlob.Literal(), id)
	case rw.userAgent.Literal() != "":
		l.userAgent.Add(rw.userAgent.Literal(), id)
	case rw.requestURI.Literal() != "":
		l.requestURI.Add(rw.requestURI.Literal(), id)
	case rw.cluster.Literal() != "":
		l.cluster.Add(rw.cluster.Literal(), id)
	case ipGlob.End() != "":
		l.sourceIPEnd.Add(ipGlob.End(), id)
	case rw.userAgent.End() != "":
		l.userAgentEnd.Add(rw.userAgent.End(), id)
	case rw.requestURI.End() != "":
		l.requestURIEnd.Add(rw.requestURI.End(), id)
	case rw.cluster.End() != "":
		l.clusterEnd.Add(rw.cluster.End(), id)
	case rw.verb != "":
		l.verb.Add(rw.verb, id)
	default:
		l.userAgent.Add("", id)
	}
	return true
}

func parseRow(cells [len(Columns)]string) (row, time.Time, error) {
	var rw row
	var expires time.Time
	if v := cells[colSourceIP]; strings.Trim(v, "*") != "" {
		p, err := parseAddrPattern(v)
		if err != nil {
			return rw, expires, err
		}
		rw.sourceIP = p
	}
	rw.userAgent = lookup.NewGlob(cells[colUserAgent], true)
	if v := cells[colVerb]; strings.Trim(v, "*") != "" {
		rw.verb = string(lookup.Fold(nil, []byte(v)))
	}
	rw.requestURI = lookup.NewGlob(cells[colRequestURI], false)
	rw.cluster = lookup.NewGlob(cells[colCluster], true)
	if rw.hidesEverything() {
		return rw, expires, errors.New("every matching cell is empty (or *) or matches anything (a /0 block, *.*, a requestURI of /*), so the row would hide every result")
	}
	if v := cells[colExpires]; v != "" {
		var err error
		if expires, err = parseExpires(v); err != nil {
			return rw, expires, err
		}
	}
	return rw, expires, nil
}

// hidesEverything reports whether every matching cell of the row matches
// anything. Empty and * cells do; so do cells that say "any" in other
// words, which must not get round the guard: a block of length 0, a
// sourceIP glob that matches the lowest and the highest address of a
// family (*.*, *:*), a requestURI glob that matches "/" and any other
// path (/*).
func (rw *row) hidesEverything() bool { return rw.userAgent.Any() && rw.onlyUserAgent() }

// onlyUserAgent reports whether every matching cell of the row but
// userAgent matches anything: what the row hides, a client chooses by the
// user agent it claims.
func (rw *row) onlyUserAgent() bool {
	return (rw.sourceIP == nil || rw.sourceIP.matchesEvery()) && rw.verb == "" &&
		(rw.requestURI.Any() || rw.requestURI.Match([]byte("/")) && rw.requestURI.Match([]byte("/~?~"))) && rw.cluster.Any()
}

// parseExpires reads the moment a row stops applying: the end of a UTC day,
// or an exact time.
func parseExpires(v string) (time.Time, error) {
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.AddDate(0, 0, 1), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("expires %s is neither a date YYYY-MM-DD nor an RFC 3339 time", lookup.Quote(v))
}

// Match reports the line of the first row of the list, in file order, that
// covers ev.
func (l *List) Match(ev *audit.Event) (line int, ok bool) {
	if len(l.rows) == 0 {
		return 0, false
	}
	l.best = int32(len(l.rows))
	l.addrs = l.addrs[:0]
	for _, ip := range ev.SourceIPs {
		a, err := netip.ParseAddr(string(ip))
		if err == nil {
			a = a.Unmap().WithZone("")
		}
		l.addrs = append(l.addrs, a) // the zero Addr when not an address
	}
	check := func(ids []int32) bool {
		for _, id := range ids {
			if id >= l.best {
				break
			}
			if l.rows[id].match(ev, l.addrs) {
				l.best = id
				break
			}
		}
		return true
	}
	if n := len(l.addrs); n > 0 {
		// A sourceIP row must match every address, so the last one, the
		// address the API server saw, is enough to find the candidates.
		if a := l.addrs[n-1]; a.Is4() {
			l.ip4.each(a, check)
		} else if a.Is6() {
			l.ip6.each(a, check)
		}
		l.sourceIP.Each(ev.SourceIPs[n-1], check)
		l.sourceIPEnd.Each(ev.SourceIPs[n-1], check)
	}
	l.userAgent.Each(ev.UserAgent, check)
	l.requestURI.Each(ev.RequestURI, check)
	l.cluster.Each(ev.Cluster, check)
	l.userAgentEnd.Each(ev.UserAgent, check)
	l.requestURIEnd.Each(ev.RequestURI, check)
	l.clusterEnd.Each(ev.Cluster, check)
	l.verb.Each(ev.Verb, check)
	if l.best == int32(len(l.rows)) {
		return 0, false
	}
	return l.rows[l.best].line, true
}

func (rw *row) match(ev *audit.Event, addrs []netip.Addr) bool {
	if rw.verb != "" && !lookup.EqualFold(rw.verb, ev.Verb) {
		return false
	}
	if !rw.userAgent.Match(ev.UserAgent) || !rw.cluster.Match(ev.Cluster) {
		return false
	}
	if !rw.requestURI.Any() && (dotSegment(ev.RequestURI) || !rw.requestURI.Match(ev.RequestURI)) {
		return false
	}
	if rw.sourceIP != nil {
		// Addresses dropped from a cut list were never checked, so a row
		// that names addresses cannot vouch for the event.
		if len(ev.SourceIPs) == 0 || ev.ListsCut {
			return false
		}
		for i, ip := range ev.SourceIPs {
			if !rw.sourceIP.match(ip, addrs[i]) {
				return false
			}
		}
	}
	return true
}

// dotSegment reports whether the path of a request URI has a "." or ".."
// segment, plain or percent-encoded. The client writes the URI, and the
// audit log keeps it as sent: /healthz/../api/v1/secrets names another
// path than it starts with, so a requestURI pattern (/healthz*) never
// covers it. The API server routes on the decoded path, where an encoded
// slash (%2F) separates segments as "/" does.
func dotSegment(uri []byte) bool {
	if q := bytes.IndexByte(uri, '?'); q >= 0 {
		uri = uri[:q]
	}
	for len(uri) > 0 {
		seg, sep := uri, len(uri)
		for i := range uri {
			if uri[i] == '/' {
				seg, sep = uri[:i], i+1
				break
			}
			if encodedSlash(uri[i:]) {
				seg, sep = uri[:i], i+3
				break
			}
		}
		if dots := dots(seg); dots == 1 || dots == 2 {
			return true
		}
		uri = uri[sep:]
	}
	return false
}

// encodedSlash reports whether s starts with %2F or %2f.
func encodedSlash(s []byte) bool {
	return len(s) >= 3 && s[0] == '%' && s[1] == '2' && s[2]|0x20 == 'f'
}

// dots is the number of dots a path segment is made of, or -1 when it
// holds anything else.
func dots(seg []byte) int {
	n := 0
	for len(seg) > 0 {
		switch {
		case seg[0] == '.':
			seg = seg[1:]
		case len(seg) >= 3 && seg[0] == '%' && seg[1] == '2' && seg[2]|0x20 == 'e':
			seg = seg[3:]
		default:
			return -1
		}
		n++
	}
	return n
}

// An addrPattern is a sourceIP cell: an address or block, or a glob.
type addrPattern struct {
	prefix netip.Prefix // an address is a block of its full length
	glob   lookup.Glob
}

// parseAddrPattern reads a sourceIP cell. An IPv4-mapped IPv6 address or
// block (::ffff:203.0.113.0/120) is the IPv4 one (203.0.113.0/24), as
// addresses are compared unmapped: both name the same hosts.
func parseAddrPattern(v string) (*addrPattern, error) {
	if strings.Contains(v, "*") {
		return &addrPattern{glob: lookup.NewGlob(v, true)}, nil
	}
	var p netip.Prefix
	if strings.Contains(v, "/") {
		var err error
		if p, err = netip.ParsePrefix(v); err != nil {
			return nil, fmt.Errorf("sourceIP %s is not a CIDR block", lookup.Quote(v))
		}
	} else {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("sourceIP %s is not an IP address, CIDR block or * glob", lookup.Quote(v))
		}
		a = a.WithZone("")
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return &addrPattern{prefix: p.Masked()}, nil
}

// matchesEvery reports whether the pattern matches every address of a
// family; see row.hidesEverything.
func (p *addrPattern) matchesEvery() bool {
	if p.prefix.IsValid() {
		return p.prefix.Bits() == 0
	}
	every := func(lo, hi string) bool { return p.glob.Match([]byte(lo)) && p.glob.Match([]byte(hi)) }
	return every("0.0.0.0", "255.255.255.255") || every("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
}

// match takes the address as text (for a glob) and parsed, unmapped (for
// a block); a is the zero Addr when the text is no address.
func (p *addrPattern) match(ip []byte, a netip.Addr) bool {
	if !p.prefix.IsValid() {
		return p.glob.Match(ip)
	}
	return a.IsValid() && p.prefix.Contains(a)
}

// An addrIndex files rows by block, one map probe per distinct prefix
// length in the lookup.
type addrIndex struct {
	rows    map[netip.Prefix][]int32
	lengths []int
}

func (x *addrIndex) add(p netip.Prefix, id int32) {
	if x.rows == nil {
		x.rows = map[netip.Prefix][]int32{}
	}
	if i, found := slices.BinarySearch(x.lengths, p.Bits()); !found {
		x.lengths = slices.Insert(x.lengths, i, p.Bits())
	}
	x.rows[p] = append(x.rows[p], id)
}

func (x *addrIndex) each(a netip.Addr, fn func([]int32) bool) {
	for _, n := range x.lengths {
		p, err := a.Prefix(n)
		if err != nil {
			continue
		}
		if ids, ok := x.rows[p]; ok && !fn(ids) {
			return
		}
	}
}
