package allowlist

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/lookup"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func event(ips ...string) *audit.Event {
	ev := &audit.Event{
		Code:       401,
		UserAgent:  []byte("Kube-Hunter/0.6.8"),
		Verb:       []byte("list"),
		RequestURI: []byte("/api/v1/namespaces/kube-system/secrets"),
		Reason:     []byte("Unauthorized"),
		Cluster:    []byte("AKS-PROD-WEU"),
	}
	for _, ip := range ips {
		ev.SourceIPs = append(ev.SourceIPs, []byte(ip))
	}
	return ev
}

// load reads a lookup as the command does: through internal/lookup.
func load(name, csv string, now time.Time) (*List, []string, error) {
	var w lookup.Warnings
	t, err := lookup.Parse(name, []byte(csv), &w)
	if err != nil {
		return nil, nil, err
	}
	l, err := New(t, now, &w)
	return l, w.Messages(), err
}

func parse(t *testing.T, csv string) (*List, []string) {
	t.Helper()
	l, warnings, err := load("test.csv", csv, now)
	require.NoError(t, err)
	return l, warnings
}

func matches(l *List, ev *audit.Event) bool {
	_, ok := l.Match(ev)
	return ok
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name  string
		row   string // cells for the header below
		ev    *audit.Event
		match bool
	}{
		{"ipv4 exact", "203.0.113.7,,,,", event("203.0.113.7"), true},
		{"ipv4 other", "203.0.113.7,,,,", event("203.0.113.8"), false},
		{"ipv4 cidr in", "203.0.113.0/24,,,,", event("203.0.113.250"), true},
		{"ipv4 cidr out", "203.0.113.0/24,,,,", event("203.0.114.1"), false},
		{"ipv4 cidr unmasked bits", "203.0.113.77/24,,,,", event("203.0.113.1"), true},
		{"ipv6 exact", "2001:db8::1,,,,", event("2001:db8::1"), true},
		{"ipv6 cidr in", "2001:db8:abcd::/48,,,,", event("2001:db8:abcd:12::5"), true},
		{"ipv6 cidr out", "2001:db8:abcd::/48,,,,", event("2001:db8:abce::5"), false},
		{"ipv4 block never matches ipv6", "0.0.0.0/0,,list,,", event("2001:db8::1"), false},
		{"mapped ipv4", "203.0.113.0/24,,,,", event("::ffff:203.0.113.9"), true},
		{"ip glob", "10.1.*,,,,", event("10.1.2.3"), true},
		{"every address must match", "10.0.0.0/8,,,,", event("10.0.0.1", "203.0.113.7"), false},
		{"spoofed forwarded-for cannot pull under", "10.0.0.0/8,,,,", event("203.0.113.7", "10.0.0.1"), false},
		{"all addresses inside", "10.0.0.0/8,,,,", event("10.0.0.1", "10.9.9.9"), true},
		{"no address never matches a sourceIP row", "10.0.0.0/8,,,,", event(), false},
		{"not an address", "10.0.0.0/8,,,,", event("garbage"), false},
		{"user agent glob case-insensitive", ",kube-hunter*,,,", event("1.1.1.1"), true},
		{"user agent glob other", ",kubectl*,,,", event("1.1.1.1"), false},
		{"user agent inner star", ",*HUNTER/0.*,,,", event("1.1.1.1"), true},
		{"verb case-insensitive", ",,LIST,,", event("1.1.1.1"), true},
		{"verb exact, no glob", ",,li*,,", event("1.1.1.1"), false},
		{"uri glob", ",,,/api/v1/namespaces/*/secrets,", event("1.1.1.1"), true},
		{"uri case-sensitive", ",,,/API/*,", event("1.1.1.1"), false},
		{"cluster glob case-insensitive", ",,,,aks-prod-*", event("1.1.1.1"), true},
		{"cluster other", ",,,,aks-dev-*", event("1.1.1.1"), false},
		{"every cell must match", "203.0.113.7,kube-hunter*,get,,", event("203.0.113.7"), false},
		{"all cells match", "203.0.113.0/24,kube-hunter*,list,/api/*,aks-prod-weu", event("203.0.113.7"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, warnings := parse(t, "sourceIP,userAgent,verb,requestURI,cluster\n"+tt.row+"\n")
			if strings.Trim(tt.row, ",") == strings.Split(tt.row, ",")[1] { // a user agent alone
				require.Len(t, warnings, 1)
				require.Contains(t, warnings[0], "1 rows match on the user agent alone (lines 2)")
			} else {
				require.Empty(t, warnings)
			}
			require.Equal(t, 1, l.Len())
			assert.Equal(t, tt.match, matches(l, tt.ev))
		})
	}
}

// TestUserAgentAlone: a row that matches on the user agent alone hides
// any client that claims it, so it is named with a WARN (and still applies:
// the site chose it); a row with any other cell that narrows it is not, and
// cells that match anything do not narrow.
func TestUserAgentAlone(t *testing.T) {
	for row, warned := range map[string]bool{
		",kube-probe/*,,,":           true,
		"*,kube-probe/*,*,/*,*":      true,
		"0.0.0.0/0,kube-probe/*,,,":  true,
		",kube-probe/*,get,,":        false,
		",kube-probe/*,,/healthz,":   false,
		",kube-probe/*,,,aks-*":      false,
		"10.0.0.0/8,kube-probe/*,,,": false,
	} {
		l, warnings := parse(t, "sourceIP,userAgent,verb,requestURI,cluster\n"+row+"\n")
		require.Equal(t, 1, l.Len(), row)
		if warned {
			require.Len(t, warnings, 1, row)
			assert.Contains(t, warnings[0], "match on the user agent alone", row)
		} else {
			assert.Empty(t, warnings, row)
		}
	}
}

func TestMissingColumnsMeanAny(t *testing.T) {
	l, warnings := parse(t, "comment,verb\nhealth probes,list\n")
	assert.Empty(t, warnings)
	assert.True(t, matches(l, event("1.2.3.4")))
	assert.False(t, matches(&List{}, event("1.2.3.4")), "an empty list matches nothing")
}

func TestExpiry(t *testing.T) {
	tests := []struct {
		expires string
		applies bool
	}{
		{"", true},
		{"2026-11-26", true},  // holds through the whole UTC day
		{"2026-11-25", false}, // ended at midnight
		{"2026-11-27", true},
		{"2026-11-26T11:59:59Z", false},
		{"2026-11-26T12:00:01Z", true},
		{"2026-11-26T13:00:00+02:00", false}, // 11:00 UTC
	}
	for _, tt := range tests {
		t.Run(tt.expires, func(t *testing.T) {
			l, warnings := parse(t, "verb,expires\nlist,"+tt.expires+"\n")
			assert.Equal(t, tt.applies, matches(l, event("1.2.3.4")))
			if tt.applies {
				assert.Empty(t, warnings)
			} else {
				require.Len(t, warnings, 1)
				assert.Contains(t, warnings[0], "test.csv: 1 expired rows")
				assert.Contains(t, warnings[0], "lines 2")
			}
		})
	}

	// The day boundary itself: the last second of the day applies, midnight does not.
	l, _, err := load("t.csv", "verb,expires\nlist,2026-11-26\n", time.Date(2026, 11, 26, 23, 59, 59, 0, time.UTC))
	require.NoError(t, err)
	assert.True(t, matches(l, event("1.1.1.1")))
	l, _, err = load("t.csv", "verb,expires\nlist,2026-11-26\n", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.False(t, matches(l, event("1.1.1.1")))
}

func TestBadEntriesAreIgnoredAndReported(t *testing.T) {
	csv := "sourceIP,userAgent,verb,expires,comment,owner\n" +
		"203.0.113.0/33,,,,bad cidr,\n" +
		"not-an-ip,,,,bad address,\n" +
		"2001:db8::/129,,,,bad v6 cidr,\n" +
		",,list,2026-13-01,bad date,\n" +
		",,list,tomorrow,bad date,\n" +
		",,,,hides everything,\n" +
		",,,2027-01-01,still hides everything,\n" +
		",,get\n" +
		"198.51.100.0/24,,,,good,\n" +
		",,,2026-01-01,expired and empty,\n" +
		",,delete,2026-01-01,expired,\n"
	l, warnings := parse(t, csv)
	assert.Equal(t, 1, l.Len(), "only the good row applies")
	assert.True(t, matches(l, event("198.51.100.1")))
	assert.False(t, matches(l, event("203.0.113.1")))
	want := []string{
		`test.csv line 1: unknown column "owner"`,
		"test.csv line 2: sourceIP \"203.0.113.0/33\" is not a CIDR block",
		"test.csv line 3: sourceIP \"not-an-ip\"",
		"test.csv line 4: sourceIP \"2001:db8::/129\"",
		"test.csv line 5: expires \"2026-13-01\"",
		"test.csv line 6: expires \"tomorrow\"",
		"test.csv line 7: every matching cell is empty",
		"test.csv line 8: every matching cell is empty",
		"test.csv line 9: 3 cells where the header has 6",
		"test.csv line 11: every matching cell is empty",
		"test.csv: 1 expired rows no longer suppress anything (lines 12)",
	}
	require.Len(t, warnings, len(want), "%q", warnings)
	for _, w := range want {
		assert.True(t, slices.ContainsFunc(warnings, func(s string) bool { return strings.Contains(s, w) }), "%q not in %q", w, warnings)
	}
}

// TestBadQuoteCostsOneRow: one bare or unclosed quote, or a BOM before a
// quoted header (PowerShell's Export-Csv), stopped the search with an
// error and so silenced the whole detection (issue 8 defect 7). Now the
// row is skipped with a warning and every other row applies.
func TestBadQuoteCostsOneRow(t *testing.T) {
	l, warnings := parse(t, "verb,userAgent\nlist,\"kube-hunter*\ndelete,bad\"quote\nget,curl/*\n")
	assert.Equal(t, 1, l.Len())
	ev := event("1.1.1.1")
	ev.Verb, ev.UserAgent = []byte("get"), []byte("curl/8.5.0")
	assert.True(t, matches(l, ev), "the row after the bad ones applies")
	assert.False(t, matches(l, event("1.1.1.1")), "the unclosed row applies to nothing")
	// The quote opened on line 2 closes on line 3, so lines 2 and 3 are
	// one record, given up whole.
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "test.csv line 2: text after a closing quote; row ignored")

	l, warnings = parse(t, "\ufeff\"sourceIP\",\"userAgent\",\"comment\"\r\n\"198.51.100.0/24\",\"\",\"pentest\"\r\n")
	assert.Empty(t, warnings)
	assert.True(t, matches(l, event("198.51.100.9")))
}

// TestDuplicateColumnRefused: sourceIP,userAgent,sourceIP with the row
// 198.51.100.99,kube-hunter*, hid kube-hunter from every address (issue 8
// defect 6). The file is refused whole, so nothing is hidden.
func TestDuplicateColumnRefused(t *testing.T) {
	_, _, err := load("dup.csv", "sourceIP,userAgent,sourceIP\n198.51.100.99,kube-hunter*,\n", now)
	var refused *lookup.RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Contains(t, err.Error(), "lookup dup.csv is not applied: column sourceIP is named twice")
}

// TestStarCellIsEmpty: a cell of only * hid everything and got round the
// all-empty guard (issue 8 defect 10).
func TestStarCellIsEmpty(t *testing.T) {
	l, warnings := parse(t, "sourceIP,userAgent,verb,requestURI,cluster\n*,,,,\n,*,,,\n,,*,,\n**,*,*,***,*\n,*,list,,\n")
	assert.Equal(t, 1, l.Len(), "only the row with a real cell applies")
	require.Len(t, warnings, 4)
	for i, w := range warnings {
		assert.Contains(t, w, fmt.Sprintf("test.csv line %d: every matching cell is empty (or *)", i+2))
	}
	assert.True(t, matches(l, event("1.1.1.1")), "list from anywhere")
}

// TestAnyInOtherWords: a row whose cells say "any" in other words than *
// got round the guard against rows that hide everything: 0.0.0.0/0,
// ::ffff:0:0/96 and *.* hid every IPv4 source, ::/0 and *:* every IPv6
// one, and a requestURI of /* every result. They are left out like a row
// of stars; the same cells next to a real one still apply.
func TestAnyInOtherWords(t *testing.T) {
	rows := []string{"0.0.0.0/0,", "::ffff:0:0/96,", "*.*,", "*.*.*.*,", "::/0,", "*:*,", ",/*", ",*/*", "0.0.0.0/0,/*"}
	l, warnings := parse(t, "sourceIP,requestURI\n"+strings.Join(rows, "\n")+"\n")
	assert.Zero(t, l.Len())
	require.Len(t, warnings, len(rows), "%q", warnings)
	for i, w := range warnings {
		assert.Contains(t, w, fmt.Sprintf("test.csv line %d: every matching cell is empty (or *) or matches anything", i+2))
	}
	for _, ev := range []*audit.Event{event("203.0.113.5"), event("2001:db8::1")} {
		assert.False(t, matches(l, ev))
	}

	l, warnings = parse(t, "sourceIP,requestURI,cluster\n0.0.0.0/0,,aks-dev-*\n*.*,/api*,\n10.0.0.0/8,/*,\n")
	assert.Empty(t, warnings)
	assert.Equal(t, 3, l.Len())
	ev := event("203.0.113.5")
	ev.RequestURI = []byte("/version")
	assert.False(t, matches(l, ev))
	ev.Cluster = []byte("aks-dev-1")
	assert.True(t, matches(l, ev), "0.0.0.0/0 on a dev cluster is a real row")
}

// TestDotSegments: the client writes requestURI and the audit log keeps it
// as sent, so with the README's own row (kube-probe/*, get, /healthz*) a
// client claiming to be kube-probe hid any probe written as
// /healthz/../<path>. A URI with a "." or ".." segment, plain or
// percent-encoded, is never covered by a requestURI pattern; rows that
// leave requestURI empty still cover it. The API server reads the path
// decoded (URL.Path), so an encoded slash (%2F) separates segments too:
// /healthz%2F..%2Fapi is /healthz/../api.
func TestDotSegments(t *testing.T) {
	l, warnings := parse(t, "userAgent,verb,requestURI\nkube-probe/*,get,/healthz*\n")
	require.Empty(t, warnings)
	for uri, covered := range map[string]bool{
		"/healthz":                          true,
		"/healthz?verbose":                  true,
		"/healthz/etcd":                     true,
		"/healthz/...":                      true,
		"/healthz/..etcd":                   true,
		"/healthz?x=/../api":                true,
		"/healthz/../api/v1/secrets":        false,
		"/healthz/./../api":                 false,
		"/healthz/%2e%2E/api/v1/namespaces": false,
		"/healthz/.%2e/api":                 false,
		"/healthz/..":                       false,
		"/healthz/.":                        false,
		"/healthz%2F..%2Fapi/v1/secrets":    false,
		"/healthz%2f.%2fapi":                false,
		"/healthz/%2e%2e%2Fapi":             false,
		"/healthz%2Fetcd":                   true,
		"/healthz%2F...":                    true,
	} {
		ev := event("198.51.100.7")
		ev.UserAgent, ev.Verb, ev.RequestURI = []byte("kube-probe/1.30"), []byte("get"), []byte(uri)
		assert.Equal(t, covered, matches(l, ev), uri)
	}

	l, _ = parse(t, "userAgent\nkube-probe/*\n")
	ev := event("198.51.100.7")
	ev.UserAgent, ev.RequestURI = []byte("kube-probe/1.30"), []byte("/healthz/../api")
	assert.True(t, matches(l, ev), "a row without a requestURI cell covers any URI")
}

// TestMappedAddresses: an IPv4-mapped block (::ffff:203.0.113.0/120) did
// not match ::ffff:203.0.113.9 (issue 8 defect 10). Mapped and plain forms
// name the same host, so each matches both.
func TestMappedAddresses(t *testing.T) {
	for _, cell := range []string{"::ffff:203.0.113.0/120", "203.0.113.0/24", "::ffff:203.0.113.9", "203.0.113.9", "::FFFF:203.0.113.9/128"} {
		l, warnings := parse(t, "sourceIP\n"+cell+"\n")
		require.Empty(t, warnings, cell)
		assert.True(t, matches(l, event("::ffff:203.0.113.9")), cell)
		assert.True(t, matches(l, event("203.0.113.9")), cell)
		assert.False(t, matches(l, event("203.0.114.9")), cell)
		assert.False(t, matches(l, event("2001:db8::cb00:7109")), cell)
	}
	// A block shorter than the mapped prefix is IPv6, and covers no IPv4.
	l, _ := parse(t, "sourceIP,verb\n::/0,list\n")
	assert.False(t, matches(l, event("203.0.113.9")))
	assert.True(t, matches(l, event("2001:db8::1")))
	// Zones are not part of the address.
	l, _ = parse(t, "sourceIP\nfe80::1%eth0\n")
	assert.True(t, matches(l, event("fe80::1")))
}

// TestCaseFolding: one folding, ASCII, for pattern and text (issue 8
// defect 10): CAFÉ-Scanner/* matches CAFÉ-Scanner/1.0; the Kelvin sign
// is not k.
func TestCaseFolding(t *testing.T) {
	ev := func(ua, cluster string) *audit.Event {
		e := event("1.1.1.1")
		e.UserAgent, e.Cluster = []byte(ua), []byte(cluster)
		return e
	}
	l, _ := parse(t, "userAgent\nCAFÉ-Scanner/*\n")
	assert.True(t, matches(l, ev("CAFÉ-Scanner/1.0", "")))
	assert.True(t, matches(l, ev("café-scanner/1.0", "")) == false, "É and é are not folded")
	l, _ = parse(t, "userAgent\n\u212aube-hunter*\n")
	assert.False(t, matches(l, ev("kube-hunter", "")))
	l, _ = parse(t, "cluster,verb\nAKS-prod,LIST\n")
	assert.True(t, matches(l, ev("x", "aks-PROD")))
	l, _ = parse(t, "cluster,verb\naks-prod,\u212aill\n")
	assert.Len(t, l.rows, 1)
	e := ev("x", "aks-prod")
	e.Verb = []byte("kill")
	assert.False(t, matches(l, e))
}

// TestMatchReportsFirstRow: the line reported (filter=show) is the first
// covering row in file order, whichever index found it.
func TestMatchReportsFirstRow(t *testing.T) {
	l, _ := parse(t, "sourceIP,userAgent,requestURI,verb\n"+
		",,/api/*,\n"+ // line 2, filed by URI
		"203.0.113.0/24,,,\n"+ // line 3, filed by block
		",kube-*,,\n"+ // line 4, filed by user agent
		",,,list\n") // line 5, filed by verb
	line, ok := l.Match(event("203.0.113.7"))
	require.True(t, ok)
	assert.Equal(t, 2, line)
	ev := event("198.51.100.1")
	ev.RequestURI = []byte("/apis/x")
	line, ok = l.Match(ev)
	require.True(t, ok)
	assert.Equal(t, 4, line)
	ev.UserAgent = []byte("curl/8")
	line, _ = l.Match(ev)
	assert.Equal(t, 5, line)
}

// TestIndexAgreesWithScan: for random rows and events, the indexed match
// gives exactly the first row that a scan of every row in order gives.
func TestIndexAgreesWithScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(vs ...string) string { return vs[r.IntN(len(vs))] }
	ips := []string{"203.0.113.7", "203.0.113.200", "198.51.100.1", "::ffff:198.51.100.1", "2001:db8::1", "2001:db8:1::9", "10.1.2.3", "garbage"}
	uas := []string{"kube-probe/1.30", "Kube-Hunter/0.6", "curl/8.5.0", "", "python-requests/2.31", "kubectl/v1.30.1 (linux/amd64) kubernetes/6911225"}
	uris := []string{"/healthz", "/api/v1/secrets", "/apis/apps/v1", "/", "/.env"}
	clusters := []string{"aks-prod-weu", "AKS-DEV", ""}
	verbs := []string{"get", "list", "LIST", "create"}
	for round := range 50 {
		var b strings.Builder
		b.WriteString("sourceIP,userAgent,verb,requestURI,cluster\n")
		for range 1 + r.IntN(60) {
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s\n",
				pick("", "", "203.0.113.0/24", "203.0.113.7", "198.51.100.0/25", "::ffff:198.51.100.0/120", "2001:db8::/32", "2001:db8::1", "10.1.*", "*.7", "0.0.0.0/0"),
				pick("", "", "kube-probe/*", "KUBE-*", "*hunter*", "curl/*", "python-requests/2.31", "*"),
				pick("", "", "get", "list", "LIST"),
				pick("", "", "/healthz*", "/api/*", "*secrets", "/"),
				pick("", "", "aks-*", "*dev", "aks-prod-weu"))
		}
		l, _ := parse(t, b.String())
		for range 200 {
			ev := event()
			for range 1 + r.IntN(2) {
				ev.SourceIPs = append(ev.SourceIPs, []byte(pick(ips...)))
			}
			ev.UserAgent, ev.RequestURI = []byte(pick(uas...)), []byte(pick(uris...))
			ev.Cluster, ev.Verb = []byte(pick(clusters...)), []byte(pick(verbs...))
			got, ok := l.Match(ev) // parses ev's addresses into l.addrs
			want := 0
			for i := range l.rows {
				if l.rows[i].match(ev, l.addrs) {
					want = l.rows[i].line
					break
				}
			}
			require.Equal(t, want != 0, ok, "round %d: %s\n%s", round, ev.SourceIPs, b.String())
			require.Equal(t, want, got, "round %d", round)
		}
	}
}

// TestCutListNeverCovered: when the extractor had to drop addresses from a
// crafted sourceIPs (audit.MaxList), the dropped ones were never checked, so
// no sourceIP row may vouch for the event; rows that name no address still
// apply.
func TestCutListNeverCovered(t *testing.T) {
	l, _ := parse(t, "sourceIP,userAgent,comment\n198.51.100.0/24,,pentest range\n,kube-hunter*,our scanner\n")
	ev := event("198.51.100.7", "198.51.100.8")
	_, ok := l.Match(ev)
	require.True(t, ok)
	ev.ListsCut = true
	ev.UserAgent = []byte("curl/8.5.0")
	_, ok = l.Match(ev)
	assert.False(t, ok, "a cut address list is covered by no sourceIP row")
	ev.UserAgent = []byte("kube-hunter/0.6.8")
	line, ok := l.Match(ev)
	assert.True(t, ok)
	assert.Equal(t, 3, line)
}

// TestStarRowsBounded: rows whose every cell starts with * are tried
// against every result, so 100,000 of them cost milliseconds a result.
// Those that end in a literal are indexed by it (*/healthz); of the rest,
// at most lookup.MaxUnindexed are kept, and the others are left out with
// one warning that names them, which costs their suppression, never a row.
func TestStarRowsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("userAgent,requestURI,comment\n")
	const ends, contains = 50_000, lookup.MaxUnindexed + 500
	for i := range ends {
		fmt.Fprintf(&b, "*/tool-%d,,\n", i)
	}
	for i := range contains {
		fmt.Fprintf(&b, "*hunter-%05d*,,\n", i)
	}
	l, w := parse(t, b.String())
	assert.Equal(t, ends+lookup.MaxUnindexed, l.Len())
	assert.Equal(t, lookup.MaxUnindexed, l.unindexed)
	require.Len(t, w, 2)
	assert.Contains(t, w[1], "rows match on the user agent alone")
	assert.Contains(t, w[0], "500 rows left out (lines 51002")
	assert.Contains(t, w[0], "give them a literal start or end")

	ev := event()
	ev.UserAgent = []byte("scanner/tool-49999")
	line, ok := l.Match(ev)
	assert.True(t, ok)
	assert.Equal(t, 50_001, line, "found by its end")
	ev.UserAgent = []byte("x-hunter-00999-y")
	line, ok = l.Match(ev)
	assert.True(t, ok)
	assert.Equal(t, ends+2+999, line, "a kept row with no literal end")
	ev.UserAgent = []byte("x-hunter-01200-y")
	_, ok = l.Match(ev)
	assert.False(t, ok, "a row left out covers nothing: the result is reported")
}
