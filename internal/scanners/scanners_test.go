package scanners

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint"
	"github.com/kubefingerprint/kubefingerprint/internal/lookup"
)

func table(t *testing.T, name, csv string, w *lookup.Warnings) *lookup.Table {
	t.Helper()
	tb, err := lookup.Parse(name, []byte(csv), w)
	require.NoError(t, err)
	return tb
}

func shipped(t *testing.T) *Tags {
	t.Helper()
	var w lookup.Warnings
	tags := New()
	require.NoError(t, tags.Add(table(t, "kubefingerprint_scanners.csv", string(kubefingerprint.Scanners), &w), &w))
	require.Empty(t, w.Messages(), "the shipped lookup is clean")
	return tags
}

// shippedAgents are real or documented user agents, one or more for every
// shipped row, and agents that must get no tag.
var shippedAgents = []struct{ ua, tag string }{
	{"kube-hunter", "kube-hunter"},
	{"Kube-Hunter/0.6.8", "kube-hunter"},
	{"kubescape/v3.0.3 (linux/amd64) kubernetes/$Format", "kubescape"},
	{"kubeletctl/1.11", "kubeletctl"},
	{"kubectl-access_matrix/v1.2.0 (linux/amd64) kubernetes/3c5a7e1", "rakkess"},
	{"kubectl-access_matrix/v0.0.0 (linux/amd64) kubernetes/$Format", ""}, // client-go's unstamped shape: never a tag
	{"TruffleHog", "trufflehog"},
	{"azurehound/v2.1.7", "azurehound"},
	{"micro-scanner/1.0", "micro-scanner"},
	{"Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", "nmap"},
	{"nmap scripting engine", "nmap"},
	{"masscan/1.3 (https://github.com/robertdavidgraham/masscan)", "masscan"},
	{"Mozilla/5.0 zgrab/0.x", "zgrab"},
	{"zgrab/0.x", "zgrab"},
	{"Nuclei - Open-source project (github.com/projectdiscovery/nuclei)", "nuclei"},
	{"Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)", "nikto"},
	{"sqlmap/1.7.2#stable (https://sqlmap.org)", "sqlmap"},
	{"gobuster/3.6", "gobuster"},
	{"feroxbuster/2.10.1", "feroxbuster"},
	{"Fuzz Faster U Fool v2.1.0-dev", "ffuf"},
	{"Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)", "censys"},
	{"l9explore/1.2.2", "leakix"},
	{"l9tcpid/v1.1.0", "leakix"},
	{"l9scan/2.0.1343e2136313e2231383e2630; +https://leakix.net)", "leakix"},
	{"ivre-masscan/1.3 https://github.com/cea-sec/ivre/", "masscan"},
	{"Expanse, a Palo Alto Networks company, searches across the global IPv4 space multiple times per day", "expanse"},
	{"curl/8.5.0", "curl"},
	{"Wget/1.21.4", "wget"},
	{"python-requests/2.31.0", "python-requests"},
	{"Python-urllib/3.11", "python-urllib"},
	{"python-httpx/0.27.0", "python-httpx"},
	{"Go-http-client/1.1", "go-http-client"},
	{"Go-http-client/2.0", "go-http-client"},
	// No tag: browsers, Kubernetes' own clients, unknown and empty agents,
	// and agents that merely say "scanner".
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36", ""},
	{"kubectl/v1.30.1 (darwin/arm64) kubernetes/6911225", ""},
	{"kube-probe/1.30", ""},
	{"kube-scheduler/v1.30.4 (linux/amd64) kubernetes/2f5c5a0/leader-election", ""},
	{"helm/3.14.2", ""},
	{`Mozilla/5.0 (compatible; "Scanner", café $HOME) Gecko`, ""},
	{"my-scanner", ""},
	{"", ""},
	{"curl", ""},
}

// TestShippedTags exercises every shipped row: each is the first match of
// at least one agent above.
func TestShippedTags(t *testing.T) {
	tags := shipped(t)
	hit := make([]bool, tags.Len())
	for _, tt := range shippedAgents {
		assert.Equal(t, tt.tag, string(tags.Tag([]byte(tt.ua))), "%q", tt.ua)
		if i := tags.match([]byte(tt.ua)); i >= 0 {
			hit[i] = true
		}
	}
	for i, h := range hit {
		assert.True(t, h, "shipped row %d (%s %s) is exercised by no agent", i+2, tags.rows[i].tag, tags.rows[i].ua.Literal())
	}
}

// TestSiteFirst: the site's rows are tried first, so a site can name its
// own tools and rename a shipped one; its bad rows are reported.
func TestSiteFirst(t *testing.T) {
	var w lookup.Warnings
	site := table(t, "kubefingerprint_scanners_site.csv", "scanner,userAgent,comment\n"+
		"acme-audit,python-requests/2.31.0 acme*,our weekly audit\n"+
		"Hunter,kube-hunter*,renamed\n"+
		",curl/*,no tag\n"+
		"bad tag,wget/*,space\n"+
		"everything,*,too wide\n", &w)
	tags := New()
	require.NoError(t, tags.Add(site, &w))
	require.NoError(t, tags.Add(table(t, "kubefingerprint_scanners.csv", string(kubefingerprint.Scanners), &w), &w))
	assert.Equal(t, "acme-audit", string(tags.Tag([]byte("python-requests/2.31.0 acme/1"))))
	assert.Equal(t, "python-requests", string(tags.Tag([]byte("python-requests/2.31.0"))))
	assert.Equal(t, "hunter", string(tags.Tag([]byte("kube-hunter"))), "tags are folded to lower case")
	assert.Equal(t, "curl", string(tags.Tag([]byte("curl/8"))))
	assert.Equal(t, []string{
		"kubefingerprint_scanners_site.csv line 4: scanner is empty; row ignored",
		`kubefingerprint_scanners_site.csv line 5: scanner "bad tag" is not a tool name (letters, digits, - _ . only); row ignored`,
		"kubefingerprint_scanners_site.csv line 6: userAgent is empty (or *), so the row would tag every user agent; row ignored",
	}, w.Messages())
}

func TestRefusedTable(t *testing.T) {
	var w lookup.Warnings
	dup := table(t, "s.csv", "scanner,userAgent,scanner\nx,curl/*,y\n", &w)
	missing := table(t, "m.csv", "scanner,comment\nx,y\n", &w)
	tags := New()
	for tb, why := range map[*lookup.Table]string{
		dup:     "lookup s.csv is not applied: column scanner is named twice in its header (line 1, columns 1 and 3)",
		missing: "lookup m.csv is not applied: it needs the columns scanner and userAgent",
	} {
		err := tags.Add(tb, &w)
		var refused *lookup.RefusedError
		require.ErrorAs(t, err, &refused)
		assert.Equal(t, why, err.Error())
	}
	assert.Zero(t, tags.Len())
	assert.Nil(t, tags.Tag([]byte("curl/8")))
	assert.Empty(t, w.Messages())
}

// TestTagCache: the cache never returns a stale tag.
func TestTagCache(t *testing.T) {
	tags := shipped(t)
	ua := []byte("curl/8.5.0")
	assert.Equal(t, "curl", string(tags.Tag(ua)))
	copy(ua, "Wget/")
	assert.Equal(t, "wget", string(tags.Tag(ua)), "the cache keeps its own copy")
	assert.Equal(t, "", string(tags.Tag([]byte("kubectl/v1"))))
	var nilTags *Tags
	assert.Nil(t, nilTags.Tag(ua))
}

func BenchmarkTag(b *testing.B) {
	var w lookup.Warnings
	tb, _ := lookup.Parse("s.csv", kubefingerprint.Scanners, &w)
	tags := New()
	if err := tags.Add(tb, &w); err != nil {
		b.Fatal(err)
	}
	uas := [][]byte{[]byte("kubectl/v1.30.1 (darwin/arm64) kubernetes/6911225"), []byte("Go-http-client/1.1")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tags.Tag(uas[i%2])
	}
}

// TestTagCacheAgrees: many user agents, more than the cache has entries,
// some sharing a slot (same length, same sampled bytes), asked in turns
// and again: every answer is the one a fresh match gives.
func TestTagCacheAgrees(t *testing.T) {
	tags := shipped(t)
	var uas [][]byte
	for _, base := range []string{"curl/8.%d.0", "kubectl/v1.%d.0", "python-requests/2.%d", "Go-http-client/1.%d",
		"kube-hunter %d", "Mozilla/5.0 (X11) %d", "curl/7.%d.0", "xurl/8.%d.0"} {
		for i := range 20 {
			uas = append(uas, fmt.Appendf(nil, base, i))
		}
	}
	uas = append(uas, []byte("curl/8"), []byte("xurl/8"), []byte("a"), bytes.Repeat([]byte("curl/"), 200))
	for round := range 3 {
		for i, ua := range uas {
			want := tags.rows[0].tag[:0]
			if j := tags.match(ua); j >= 0 {
				want = tags.rows[j].tag
			}
			assert.Equal(t, string(want), string(tags.Tag(ua)), "round %d, user agent %d %q", round, i, ua)
		}
	}
}

// TestStarRowsBounded: rows whose userAgent starts with * are indexed by
// their literal end (*/zgrab); of those with none (*tool*), at most
// lookup.MaxUnindexed are kept, and the rest are left out with one
// warning, so no site file makes every tag cost thousands of glob matches.
func TestStarRowsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("scanner,userAgent\n")
	const ends, contains = 50_000, lookup.MaxUnindexed + 10
	for i := range ends {
		fmt.Fprintf(&b, "tool-e%d,*/end-%d\n", i, i)
	}
	for i := range contains {
		fmt.Fprintf(&b, "tool-c%d,*mid-%05d*\n", i, i)
	}
	var w lookup.Warnings
	tags := New()
	require.NoError(t, tags.Add(table(t, "site.csv", b.String(), &w), &w))
	assert.Equal(t, ends+lookup.MaxUnindexed, tags.Len())
	msgs := w.Messages()
	require.Len(t, msgs, 1)
	assert.Contains(t, msgs[0], "10 rows left out")
	assert.Equal(t, "tool-e49999", string(tags.Tag([]byte("x/end-49999"))))
	assert.Equal(t, "tool-c999", string(tags.Tag([]byte("a mid-00999 b"))))
	assert.Nil(t, tags.Tag([]byte("a mid-01005 b")), "left out")
}

// TestClientGoNeverTagged: client-go's unstamped agent is what in-cluster
// controllers send; no row, shipped or a site's, tags it.
func TestClientGoNeverTagged(t *testing.T) {
	tags := shipped(t)
	for _, ua := range []string{
		"kubescape/v0.0.0 (linux/amd64) kubernetes/$Format",
		"cert-manager-webhook/v0.0.0 (linux/arm64) kubernetes/$Format",
		"kdigger/v0.0.0 (darwin/arm64) kubernetes/$Format",
	} {
		assert.Nil(t, tags.Tag([]byte(ua)), ua)
	}
	for ua, want := range map[string]string{
		"kubescape/v3.0.21 (linux/amd64) kubernetes/1a2b3c4":         "kubescape",
		"ivre-masscan/1.3 https://github.com/cea-sec/ivre/":          "masscan",
		"l9scan/2.0.1343e2136313e2231383e2630; +https://leakix.net)": "leakix",
	} {
		assert.Equal(t, want, string(tags.Tag([]byte(ua))), ua)
	}
}
