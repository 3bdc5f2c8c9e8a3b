package allowlist

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
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

func parse(t *testing.T, csv string) (*List, []string) {
	t.Helper()
	l, warnings, err := Parse("test.csv", strings.NewReader(csv), now)
	require.NoError(t, err)
	return l, warnings
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
		{"ipv4 block never matches ipv6", "0.0.0.0/0,,,,", event("2001:db8::1"), false},
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
			require.Empty(t, warnings)
			require.Equal(t, 1, l.Len())
			assert.Equal(t, tt.match, l.Match(tt.ev))
		})
	}
}

func TestMissingColumnsMeanAny(t *testing.T) {
	l, warnings := parse(t, "comment,verb\nhealth probes,list\n")
	assert.Empty(t, warnings)
	assert.True(t, l.Match(event("1.2.3.4")))
	assert.False(t, (&List{}).Match(event("1.2.3.4")), "an empty list matches nothing")
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
			assert.Equal(t, tt.applies, l.Match(event("1.2.3.4")))
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
	l, _, err := Parse("t.csv", strings.NewReader("verb,expires\nlist,2026-11-26\n"), time.Date(2026, 11, 26, 23, 59, 59, 0, time.UTC))
	require.NoError(t, err)
	assert.True(t, l.Match(event("1.1.1.1")))
	l, _, err = Parse("t.csv", strings.NewReader("verb,expires\nlist,2026-11-26\n"), time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.False(t, l.Match(event("1.1.1.1")))
}

func TestBadEntriesAreIgnoredAndReported(t *testing.T) {
	csv := "sourceIP,userAgent,verb,expires,comment,owner\n" +
		"203.0.113.0/33,,,,bad cidr,x\n" +
		"not-an-ip,,,,bad address,x\n" +
		"2001:db8::/129,,,,bad v6 cidr,x\n" +
		",,list,2026-13-01,bad date,x\n" +
		",,list,tomorrow,bad date,x\n" +
		",,,,hides everything,x\n" +
		",,,2027-01-01,still hides everything,x\n" +
		",,get\n" +
		"198.51.100.0/24,,,,good,x\n" +
		",,,2026-01-01,expired and empty,x\n" +
		",,delete,2026-01-01,expired,x\n"
	l, warnings := parse(t, csv)
	assert.Equal(t, 1, l.Len(), "only the good row applies")
	assert.True(t, l.Match(event("198.51.100.1")))
	assert.False(t, l.Match(event("203.0.113.1")))
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
	for i, w := range want {
		assert.Contains(t, warnings[i], w)
	}
}

func TestNotCSVIsAnError(t *testing.T) {
	_, _, err := Parse("broken.csv", strings.NewReader("verb\n\"list\n"), now)
	assert.ErrorContains(t, err, "broken.csv")
	l, warnings, err := Parse("empty.csv", strings.NewReader(""), now)
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.Zero(t, l.Len())
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, text string
		fold, match   bool
	}{
		{"", "anything", false, true},
		{"*", "", false, true},
		{"abc", "abc", false, true},
		{"abc", "abcd", false, false},
		{"a*c", "abbbc", false, true},
		{"a*c", "abbbd", false, false},
		{"*a*b*c*", "xxaxxbxxcxx", false, true},
		{"*.env", "/.env", false, true},
		{"ABC*", "abcdef", true, true},
		{"ABC*", "abcdef", false, false},
		{"a**b", "ab", false, true},
		{"*aab", "aaab", false, true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.match, newGlob(tt.pattern, tt.fold).match([]byte(tt.text)), "%q ~ %q", tt.pattern, tt.text)
	}
}

// TestGlobHostile is the input that makes backtracking regex engines
// explode; here it is linear in practice and bounded by |p|*|t|.
func TestGlobHostile(t *testing.T) {
	g := newGlob(strings.Repeat("*a", 30)+"b", false)
	assert.False(t, g.match([]byte(strings.Repeat("a", 100000))))
}
