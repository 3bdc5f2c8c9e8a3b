// Package allowlist reads the kubefingerprint filter lookups, CSV tables in
// which analysts list known-benign sources of unauthenticated requests, and
// decides whether a reported audit event is covered by one of their rows.
//
// A row suppresses an event when every non-empty matching cell matches:
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
// A row that cannot be understood never suppresses anything: it is left out
// with a warning, and the rows around it still apply.
package allowlist

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
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

// A List is the usable rows of one lookup file.
type List struct {
	Name string
	rows []row
}

type row struct {
	line       int
	sourceIP   *addrPattern
	userAgent  glob
	verb       string
	requestURI glob
	cluster    glob
}

// Len is the number of rows that apply.
func (l *List) Len() int { return len(l.rows) }

// Parse reads a lookup named name from r. Rows that expired before now are
// left out. Each row or column that cannot be used is left out and
// described by one warning; an error means the file is not CSV at all.
func Parse(name string, r io.Reader, now time.Time) (*List, []string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	l := &List{Name: name}
	var warnings []string
	warn := func(line int, format string, a ...any) {
		warnings = append(warnings, fmt.Sprintf("%s line %d: ", name, line)+fmt.Sprintf(format, a...)+"; row ignored")
	}

	header, err := cr.Read()
	if err == io.EOF {
		return l, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("lookup %s: %w", name, err)
	}
	index := make([]int, len(header)) // column kind of each header cell, -1 if unknown
	width := len(header)
	for i, h := range header {
		index[i] = -1
		h = strings.TrimPrefix(h, "\ufeff") // a BOM from spreadsheet exports
		for c, name := range Columns {
			if h == name {
				index[i] = c
			}
		}
		if index[i] < 0 {
			warnings = append(warnings, fmt.Sprintf("%s line 1: unknown column %q ignored; columns are %s", name, h, strings.Join(Columns[:], ", ")))
		}
	}

	var expired []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("lookup %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != width {
			warn(line, "%d cells where the header has %d", len(rec), width)
			continue
		}
		var cells [len(Columns)]string
		for i, v := range rec {
			if index[i] >= 0 {
				cells[index[i]] = strings.TrimSpace(v)
			}
		}
		if cells == ([len(Columns)]string{}) {
			continue // a blank row
		}
		rw, expires, err := parseRow(cells)
		if err != nil {
			warn(line, "%v", err)
			continue
		}
		if !expires.IsZero() && !now.Before(expires) {
			expired = append(expired, line)
			continue
		}
		rw.line = line
		l.rows = append(l.rows, rw)
	}
	if len(expired) > 0 {
		warnings = append(warnings, fmt.Sprintf("%s: %d expired rows no longer suppress anything (lines %s); renew or delete them", name, len(expired), joinInts(expired)))
	}
	return l, warnings, nil
}

func parseRow(cells [len(Columns)]string) (row, time.Time, error) {
	var rw row
	var expires time.Time
	if v := cells[colSourceIP]; v != "" {
		p, err := parseAddrPattern(v)
		if err != nil {
			return rw, expires, err
		}
		rw.sourceIP = p
	}
	rw.userAgent = newGlob(cells[colUserAgent], true)
	rw.verb = strings.ToLower(cells[colVerb])
	rw.requestURI = newGlob(cells[colRequestURI], false)
	rw.cluster = newGlob(cells[colCluster], true)
	if rw.sourceIP == nil && rw.userAgent.any() && rw.verb == "" && rw.requestURI.any() && rw.cluster.any() {
		return rw, expires, errors.New("every matching cell is empty, so the row would hide every result")
	}
	if v := cells[colExpires]; v != "" {
		var err error
		if expires, err = parseExpires(v); err != nil {
			return rw, expires, err
		}
	}
	return rw, expires, nil
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
	return time.Time{}, fmt.Errorf("expires %q is neither a date YYYY-MM-DD nor an RFC 3339 time", v)
}

// Match reports whether a row of the list covers ev.
func (l *List) Match(ev *audit.Event) bool {
	for i := range l.rows {
		if l.rows[i].match(ev) {
			return true
		}
	}
	return false
}

func (rw *row) match(ev *audit.Event) bool {
	if rw.verb != "" && !strings.EqualFold(rw.verb, string(ev.Verb)) {
		return false
	}
	if !rw.userAgent.match(ev.UserAgent) || !rw.requestURI.match(ev.RequestURI) || !rw.cluster.match(ev.Cluster) {
		return false
	}
	if rw.sourceIP != nil {
		if len(ev.SourceIPs) == 0 {
			return false
		}
		for _, ip := range ev.SourceIPs {
			if !rw.sourceIP.match(ip) {
				return false
			}
		}
	}
	return true
}

// An addrPattern is a sourceIP cell: an address, a block, or a glob.
type addrPattern struct {
	prefix netip.Prefix
	glob   glob
}

func parseAddrPattern(v string) (*addrPattern, error) {
	if strings.Contains(v, "*") {
		return &addrPattern{glob: newGlob(v, true)}, nil
	}
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return nil, fmt.Errorf("sourceIP %q is not a CIDR block", v)
		}
		return &addrPattern{prefix: p.Masked()}, nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return nil, fmt.Errorf("sourceIP %q is not an IP address, CIDR block or * glob", v)
	}
	a = a.Unmap()
	return &addrPattern{prefix: netip.PrefixFrom(a, a.BitLen())}, nil
}

func (p *addrPattern) match(ip []byte) bool {
	if !p.prefix.IsValid() {
		return p.glob.match(ip)
	}
	a, err := netip.ParseAddr(string(ip))
	if err != nil {
		return false
	}
	return p.prefix.Contains(a.Unmap())
}

func joinInts(ns []int) string {
	var b strings.Builder
	for i, n := range ns {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == 10 {
			fmt.Fprintf(&b, "and %d more", len(ns)-10)
			break
		}
		fmt.Fprint(&b, n)
	}
	return b.String()
}
