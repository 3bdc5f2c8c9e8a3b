package search_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/applookups"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/detect"
	"github.com/kubefingerprint/kubefingerprint/internal/scan"
	"github.com/kubefingerprint/kubefingerprint/internal/search/searchtest"
)

// splunkHome lays out $SPLUNK_HOME/etc/apps/kubefingerprint/lookups and
// returns the home and the app folder.
func splunkHome(t *testing.T) (home, app string) {
	t.Helper()
	home = t.TempDir()
	app = filepath.Join(home, "etc", "apps", "kubefingerprint")
	require.NoError(t, os.MkdirAll(filepath.Join(app, "lookups"), 0o755))
	shipped, err := os.ReadFile(filepath.Join("..", "..", "lookups", applookups.ScannersLookup))
	require.NoError(t, err)
	writeLookup(t, app, applookups.ScannersLookup, string(shipped))
	return home, app
}

func writeLookup(t *testing.T, app, name, content string) string {
	t.Helper()
	p := filepath.Join(app, "lookups", name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

// event401 is a bare audit event answered 401.
func event401(ip, ua, uri string) string {
	return `{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseStarted","requestURI":"` + uri +
		`","verb":"get","user":{},"sourceIPs":["` + ip + `"],"userAgent":"` + ua +
		`","responseStatus":{"metadata":{},"reason":"Unauthorized","code":401},"requestReceivedTimestamp":"2026-11-20T09:00:00Z"}`
}

// lookupEvents are three 401s: a pentest vendor, kube-hunter, curl.
func lookupEvents() []byte {
	tb := chunkedtest.Table{Columns: []string{"_time", "_raw"}}
	tb.AppendRow("1795165200", event401("198.51.100.20", "nuclei", "/api"))
	tb.AppendRow("1795165201", event401("203.0.113.5", "kube-hunter", "/api/v1/secrets"))
	tb.AppendRow("1795165202", event401("192.0.2.1", "curl/8.5.0", "/version"))
	return tb.Body()
}

// searchWith runs a whole search over lookupEvents with the given getinfo,
// and returns the getinfo warnings, the result rows (header first) and the
// closing message.
func searchWith(t *testing.T, app string, getinfo []byte) (warnings []string, rows [][]string, summary string) {
	t.Helper()
	done := make(chan searchtest.Run, 1)
	go func() {
		done <- searchtest.Drive(t, searchtest.Stream(getinfo, chunkedtest.Execute(true, lookupEvents())), app)
	}()
	var r searchtest.Run
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the search hangs")
	}
	require.Equal(t, 0, r.Code, r.Stderr)
	require.Len(t, r.Replies, 2)
	if insp, ok := r.Replies[0].Meta["inspector"].(map[string]any); ok {
		for _, m := range insp["messages"].([]any) {
			msg := m.([]any)
			assert.Equal(t, "WARN", msg[0])
			warnings = append(warnings, msg[1].(string))
		}
	}
	rows, err := csv.NewReader(strings.NewReader(r.Replies[1].Body)).ReadAll()
	require.NoError(t, err)
	return warnings, rows, fmt.Sprint(r.Replies[1].Meta["inspector"])
}

// userAgents are the userAgent cells of result rows.
func userAgents(rows [][]string) []string {
	var uas []string
	for _, r := range rows[1:] {
		uas = append(uas, r[2])
	}
	return uas
}

const siteRows = "sourceIP,userAgent,cluster,comment\n198.51.100.0/24,,,pentest vendor\n"

// TestLookupNotRegular: a FIFO named like the site lookup hung getinfo
// forever, and a link to /dev/zero grew memory without end (issue 8
// defect 5). Both are refused with a warning; the search reports every
// row; the default lookup still applies.
func TestLookupNotRegular(t *testing.T) {
	for name, make := range map[string]func(path string) error{
		"fifo":           func(p string) error { return syscall.Mkfifo(p, 0o644) },
		"link /dev/zero": func(p string) error { return os.Symlink("/dev/zero", p) },
		"link outside":   func(p string) error { return os.Symlink("/etc/passwd", p) },
		"directory":      func(p string) error { return os.Mkdir(p, 0o755) },
		"dangling link":  func(p string) error { return os.Symlink("gone.csv", p) },
	} {
		t.Run(name, func(t *testing.T) {
			_, app := splunkHome(t)
			writeLookup(t, app, applookups.DefaultLookup, "userAgent,requestURI,comment\ncurl/*,/version,default row\n")
			require.NoError(t, make(filepath.Join(app, "lookups", applookups.SiteLookup)))
			warnings, rows, _ := searchWith(t, app, chunkedtest.Getinfo())
			require.Len(t, warnings, 1, "%q", warnings)
			assert.Contains(t, warnings[0], "lookup kubefingerprint_filter.csv is not applied: it ")
			assert.Contains(t, warnings[0], "results are reported unfiltered by it")
			assert.NotContains(t, warnings[0], "root:", "nothing of the file is echoed")
			assert.Equal(t, []string{"nuclei", "kube-hunter"}, userAgents(rows), "only the default lookup's row is hidden")
		})
	}
}

// TestLookupBadQuote: one bare quote in the site lookup stopped the search
// with an error, so the detection reported nothing (issue 8 defect 7).
func TestLookupBadQuote(t *testing.T) {
	_, app := splunkHome(t)
	writeLookup(t, app, applookups.SiteLookup, siteRows+"203.0.113.5,kube\"hunter,,typo\n")
	warnings, rows, summary := searchWith(t, app, chunkedtest.Getinfo())
	assert.Equal(t, []string{`kubefingerprint_filter.csv line 3: a quote inside a cell that does not start with one (quote the whole cell and double the quote: "a""b"); row ignored`}, warnings)
	assert.Equal(t, []string{"kube-hunter", "curl/8.5.0"}, userAgents(rows), "the good row applies, the bad one hides nothing")
	assert.Contains(t, summary, "1 by kubefingerprint_filter.csv (1 rows)")
}

// TestLookupBinary: content that cannot be a lookup filters nothing, and
// the warning says so (fail open).
func TestLookupBinary(t *testing.T) {
	_, app := splunkHome(t)
	writeLookup(t, app, applookups.SiteLookup, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03secret")
	warnings, rows, summary := searchWith(t, app, chunkedtest.Getinfo())
	assert.Equal(t, []string{"lookup kubefingerprint_filter.csv is not applied: it holds binary content, not CSV text; results are reported unfiltered by it"}, warnings)
	assert.Len(t, rows, 4)
	assert.Contains(t, summary, "no allowlist lookup applied")
}

// TestLookupDuplicateColumn: the duplicated sourceIP column hid kube-hunter
// from every address (issue 8 defect 6).
func TestLookupDuplicateColumn(t *testing.T) {
	_, app := splunkHome(t)
	writeLookup(t, app, applookups.SiteLookup, "sourceIP,userAgent,sourceIP\n198.51.100.99,kube-hunter*,\n")
	warnings, rows, _ := searchWith(t, app, chunkedtest.Getinfo())
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "lookup kubefingerprint_filter.csv is not applied: column sourceIP is named twice")
	assert.Contains(t, userAgents(rows), "kube-hunter")
}

// TestLookupUnknownColumn: a site lookup written with the results' own
// field names (src_ip, sourceIPs{}) or a misspelt expires column had those
// columns ignored, so a row written for one address hid python-requests,
// stock kube-hunter's agent, from every address, and a row meant to expire
// in 2020 never did. Now those rows are left out with a warning.
func TestLookupUnknownColumn(t *testing.T) {
	for _, header := range []string{"src_ip,userAgent,verb,comment", "sourceIPs{},userAgent,verb,comment", "expiry,userAgent,verb,comment"} {
		t.Run(header, func(t *testing.T) {
			_, app := splunkHome(t)
			column, _, _ := strings.Cut(header, ",")
			writeLookup(t, app, applookups.SiteLookup, header+"\n2020-01-01,kube-hunter*,get,vendor\n,curl/*,get,probe\n")
			warnings, rows, summary := searchWith(t, app, chunkedtest.Getinfo())
			require.Len(t, warnings, 1, "%q", warnings)
			assert.Contains(t, warnings[0], `kubefingerprint_filter.csv line 1: unknown column "`+column+`"; the 1 rows that fill it are left out`)
			assert.Equal(t, []string{"nuclei", "kube-hunter"}, userAgents(rows), "kube-hunter is reported, curl hidden by the row without the column")
			assert.Contains(t, summary, "1 by kubefingerprint_filter.csv (1 rows)")
		})
	}
}

// TestLookupWarningsCapped: a million bad rows made a 110 MB getinfo
// reply (issue 8 defect 9). Twenty warnings and a count now.
func TestLookupWarningsCapped(t *testing.T) {
	_, app := splunkHome(t)
	writeLookup(t, app, applookups.SiteLookup, siteRows+strings.Repeat("not-an-ip,,,\n", 99_000))
	warnings, rows, _ := searchWith(t, app, chunkedtest.Getinfo())
	require.Len(t, warnings, 21)
	assert.Equal(t, "and 98980 more lookup warnings not shown", warnings[20])
	assert.Len(t, rows, 3, "the good row still applies")
}

// TestLookupWarningsFileFirst: the 20 warnings shown were the first 20 of
// any kind, so a site lookup with many bad rows pushed out the warnings
// that say a whole file does nothing: the scanner site lookup left out,
// the allowlist the user keeps private. Those now come first.
func TestLookupWarningsFileFirst(t *testing.T) {
	home, app := splunkHome(t)
	writeLookup(t, app, applookups.SiteLookup, siteRows+strings.Repeat("not-an-ip,,,\n", 30))
	writeLookup(t, app, applookups.SiteScannersLookup, "scanner,userAgent,scanner\nvendor,nuclei,\n")
	private := filepath.Join(home, "etc", "users", "alice", "kubefingerprint", "lookups")
	require.NoError(t, os.MkdirAll(private, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(private, "kubefingerprint_filter_default.csv"), []byte(siteRows), 0o644))

	warnings, _, _ := searchWith(t, app, getinfoAs("alice"))
	require.Len(t, warnings, 2+20+1, "%q", warnings)
	assert.Contains(t, warnings[0], "lookup kubefingerprint_scanners_site.csv is not applied: column scanner is named twice")
	assert.Contains(t, warnings[1], "lookup kubefingerprint_filter_default.csv found but private to user alice")
	assert.Contains(t, warnings[2], "kubefingerprint_filter.csv line 3: sourceIP \"not-an-ip\"")
	assert.Equal(t, "and 10 more lookup warnings not shown", warnings[22])
}

// TestFilterMissing: a file named in filter= that is not in the lookups
// folder stopped the search with an error, so a scheduled search lost
// every detection once the file was deleted or not yet replicated to an
// indexer. It is a warning now, and the results are reported unfiltered by
// it; the other named files still apply. A name that is not a file name
// stays an argument error.
func TestFilterMissing(t *testing.T) {
	_, app := splunkHome(t)
	writeLookup(t, app, "vendor.csv", "userAgent,verb\nnuclei,get\n")
	warnings, rows, summary := searchWith(t, app, chunkedtest.Getinfo("filter=gone.csv,vendor.csv"))
	assert.Equal(t, []string{"lookup gone.csv named in filter= is not in the app's lookups folder; results are reported unfiltered by it"}, warnings)
	assert.Equal(t, []string{"kube-hunter", "curl/8.5.0"}, userAgents(rows))
	assert.Contains(t, summary, "1 by vendor.csv (1 rows)")

	r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo("filter=gone.csv"), chunkedtest.Execute(true, lookupEvents())), "")
	require.Equal(t, 0, r.Code, r.Stderr)
	assert.Contains(t, fmt.Sprint(r.Replies[0].Meta["inspector"]), "filter=gone.csv: the app folder could not be found from the executable's location; results are reported unfiltered by it")
	assert.Equal(t, 3, strings.Count(r.Replies[1].Body, "Unauthorized"))
}

// TestLookupCaps: past 16 MiB or 100,000 rows the rest of a lookup is left
// out with a warning, and what came before applies.
func TestLookupCaps(t *testing.T) {
	_, app := splunkHome(t)
	var b strings.Builder
	b.WriteString(siteRows)
	for i := 0; b.Len() <= 17<<20; i++ {
		fmt.Fprintf(&b, "10.%d.%d.0/24,%s,,filler\n", i>>8&255, i&255, strings.Repeat("x", 200))
	}
	writeLookup(t, app, applookups.SiteLookup, b.String())
	warnings, rows, _ := searchWith(t, app, chunkedtest.Getinfo())
	require.Len(t, warnings, 1, "%q", warnings)
	assert.Regexp(t, `^kubefingerprint_filter.csv is larger than 16 MiB: rows from line \d+ on are not applied$`, warnings[0])
	assert.Len(t, rows, 3)
}

// TestFilterShow: filter=show keeps the rows the allowlist covers and
// marks each with <file>:<line> of its row, in a column after the others;
// nothing else changes.
func TestFilterShow(t *testing.T) {
	_, app := splunkHome(t)
	writeLookup(t, app, applookups.DefaultLookup, "userAgent,requestURI,comment\ncurl/*,/version,default row\n")
	writeLookup(t, app, applookups.SiteLookup, siteRows+",kube-hunter*,,second row\n")

	_, all, _ := searchWith(t, app, chunkedtest.Getinfo("filter=none"))
	_, shown, summary := searchWith(t, app, chunkedtest.Getinfo("filter=show"))
	_, filtered, _ := searchWith(t, app, chunkedtest.Getinfo())

	require.Len(t, shown, len(all))
	at := len(detect.Fields)
	assert.Equal(t, detect.Allowlisted.Name, shown[0][at])
	assert.Equal(t, "__mv_sourceIPs{}", shown[0][at+1])
	var where []string
	for i, r := range shown {
		without := append(append([]string(nil), r[:at]...), r[at+1:]...)
		assert.Equal(t, all[i], without, "row %d: only the allowlisted column is added", i)
		if i > 0 {
			where = append(where, r[at])
		}
	}
	assert.Equal(t, []string{"kubefingerprint_filter.csv:2", "kubefingerprint_filter.csv:3", "kubefingerprint_filter_default.csv:2"}, where)
	assert.Empty(t, filtered, "without show every row is covered, so none is reported")
	assert.Contains(t, summary, "kept and marked in the allowlisted field (filter=show): 1 by kubefingerprint_filter_default.csv (1 rows), 2 by kubefingerprint_filter.csv (2 rows)")
}

// getinfoAs is a getinfo request from the given user.
func getinfoAs(user string, args ...string) []byte {
	var meta map[string]any
	raw := chunkedtest.Getinfo(args...)
	head, body, _ := strings.Cut(string(raw), "\n")
	var n int
	fmt.Sscanf(head, "chunked 1.0,%d,", &n)
	json.Unmarshal([]byte(body[:n]), &meta)
	meta["searchinfo"].(map[string]any)["username"] = user
	b, _ := json.Marshal(meta)
	return chunkedtest.Chunk(b, nil)
}

// TestPrivateLookup: a lookup uploaded through Splunk Web stays private
// to its owner, in etc/users/<user>/<app>/lookups/, where the command
// never looks. The user who owns one is told to share it.
func TestPrivateLookup(t *testing.T) {
	home, app := splunkHome(t)
	private := filepath.Join(home, "etc", "users", "alice", "kubefingerprint", "lookups")
	require.NoError(t, os.MkdirAll(private, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(private, applookups.SiteLookup), []byte(siteRows), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(private, applookups.SiteScannersLookup), []byte("scanner,userAgent\nx,y\n"), 0o644))

	warnings, rows, _ := searchWith(t, app, getinfoAs("alice"))
	assert.Equal(t, []string{
		"lookup kubefingerprint_filter.csv found but private to user alice (etc/users/alice/kubefingerprint/lookups): share it with the app (Settings > Lookups > Lookup table files > Permissions: This app only); until then the command does not read it",
		"lookup kubefingerprint_scanners_site.csv found but private to user alice (etc/users/alice/kubefingerprint/lookups): share it with the app (Settings > Lookups > Lookup table files > Permissions: This app only); until then the command does not read it",
	}, warnings)
	assert.Len(t, rows, 4, "the private file is not applied")

	for _, user := range []string{"bob", "", "..", "../alice", "alice/../alice"} {
		warnings, _, _ := searchWith(t, app, getinfoAs(user))
		assert.Empty(t, warnings, "user %q", user)
	}
	// Outside etc/apps/ (a test folder, the command line) nothing is looked for.
	other := filepath.Join(home, "etc", "users", "alice", "kubefingerprint")
	shipped, err := os.ReadFile(filepath.Join(app, "lookups", applookups.ScannersLookup))
	require.NoError(t, err)
	writeLookup(t, other, applookups.ScannersLookup, string(shipped))
	warnings, _, _ = searchWith(t, other, getinfoAs("alice"))
	assert.Empty(t, warnings)
}

// TestScannerLookups: search reads the scanner tags from the app's
// lookups/ folder, the site file first; without the shipped file it warns
// and uses the copy built into the binary.
func TestScannerLookups(t *testing.T) {
	_, app := splunkHome(t)
	writeLookup(t, app, applookups.SiteScannersLookup, "scanner,userAgent,comment\nvendor-pentest,nuclei,our vendor\n")
	col := slices.IndexFunc(detect.Fields, func(f detect.Field) bool { return f.Name == "scanner" })
	tagAt := func(rows [][]string) []string {
		var tags []string
		for _, r := range rows[1:] {
			tags = append(tags, r[col])
		}
		return tags
	}

	warnings, rows, _ := searchWith(t, app, chunkedtest.Getinfo("filter=none"))
	assert.Empty(t, warnings)
	assert.Equal(t, []string{"vendor-pentest", "kube-hunter", "curl"}, tagAt(rows))

	require.NoError(t, os.Remove(filepath.Join(app, "lookups", applookups.ScannersLookup)))
	warnings, rows, _ = searchWith(t, app, chunkedtest.Getinfo("filter=none"))
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "lookup kubefingerprint_scanners.csv cannot be applied (it is missing from the app's lookups folder)")
	assert.Contains(t, warnings[0], "the copy built into the command applies")
	assert.Equal(t, []string{"vendor-pentest", "kube-hunter", "curl"}, tagAt(rows))

	// A shipped file broken by an edit tagged nothing (the built-in copy
	// applied only to a file missing or unreadable), and the tags feed the
	// per-source detection.
	for header, why := range map[string]string{
		"scanner,userAgent,scanner": "column scanner is named twice in its header (line 1, columns 1 and 3)",
		"tool,userAgent,comment":    "it needs the columns scanner and userAgent",
	} {
		writeLookup(t, app, applookups.ScannersLookup, header+"\nkube-hunter,kube-hunter*,\n")
		warnings, rows, _ = searchWith(t, app, chunkedtest.Getinfo("filter=none"))
		require.NotEmpty(t, warnings)
		assert.Equal(t, "lookup kubefingerprint_scanners.csv cannot be applied ("+why+"); the copy built into the command applies", warnings[0])
		assert.Equal(t, []string{"vendor-pentest", "kube-hunter", "curl"}, tagAt(rows), header)
	}
}

// TestScanScanners: the command line tags with the built-in rows, and
// --scanners adds site rows before them.
func TestScanScanners(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "audit.ndjson")
	require.NoError(t, os.WriteFile(logs, []byte(event401("198.51.100.20", "nuclei", "/api")+"\n"+event401("203.0.113.5", "kube-hunter", "/api")+"\n"), 0o644))
	site := filepath.Join(dir, "site.csv")
	require.NoError(t, os.WriteFile(site, []byte("scanner,userAgent\nvendor,nuclei*\n"), 0o644))
	var out, errOut strings.Builder
	require.Equal(t, 0, scan.Run([]string{"--format", "json", "--scanners", site, logs}, scan.Stdin{}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), `"userAgent":"nuclei"`)
	assert.Contains(t, out.String(), `"scanner":"vendor"`)
	assert.Contains(t, out.String(), `"scanner":"kube-hunter"`)
}

// TestLookupMatching: the small matching defects of issue 8 (defect 10),
// end to end. A row of * hid everything; an IPv4-mapped block missed a
// mapped address; the pattern was folded by Unicode rules and the text by
// ASCII ones, so CAFÉ-Scanner/* missed CAFÉ-Scanner/1.0 and the Kelvin
// sign matched k.
func TestLookupMatching(t *testing.T) {
	_, app := splunkHome(t)
	writeLookup(t, app, applookups.SiteLookup, "sourceIP,userAgent,comment\n"+
		"*,,star row\n"+
		",*,star row\n"+
		"::ffff:203.0.113.0/120,,mapped block\n"+
		",CAFÉ-Scanner/*,accented agent\n"+
		",\u212aube-hunter*,Kelvin sign\n")
	tb := chunkedtest.Table{Columns: []string{"_time", "_raw"}}
	tb.AppendRow("1795165200", event401("::ffff:203.0.113.9", "a", "/api"))
	tb.AppendRow("1795165201", event401("198.51.100.1", "CAFÉ-Scanner/1.0", "/api"))
	tb.AppendRow("1795165202", event401("198.51.100.2", "kube-hunter", "/api"))
	tb.AppendRow("1795165203", event401("198.51.100.3", "curl/8.5.0", "/api"))
	r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Execute(true, tb.Body())), app)
	require.Equal(t, 0, r.Code, r.Stderr)
	warnings := fmt.Sprint(r.Replies[0].Meta["inspector"])
	assert.Contains(t, warnings, "kubefingerprint_filter.csv line 2: every matching cell is empty (or *)")
	assert.Contains(t, warnings, "kubefingerprint_filter.csv line 3: every matching cell is empty (or *)")
	rows, err := csv.NewReader(strings.NewReader(r.Replies[1].Body)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"kube-hunter", "curl/8.5.0"}, userAgents(rows))
}

// TestLookupProblemsRepeated: a lookup that could not be applied is said
// again in the closing WARN, whether or not splunkd shows the getinfo
// reply's messages.
func TestLookupProblemsRepeated(t *testing.T) {
	_, app := splunkHome(t)
	writeLookup(t, app, applookups.SiteLookup, "sourceIP,sourceIP,comment\n203.0.113.5,,twice\n")
	done := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Execute(true, lookupEvents())), app)
	require.Equal(t, 0, done.Code, done.Stderr)
	getinfo := fmt.Sprint(done.Replies[0].Meta["inspector"])
	require.Contains(t, getinfo, "WARN")
	msgs := done.Replies[1].Meta["inspector"].(map[string]any)["messages"].([]any)
	require.Len(t, msgs, 1)
	assert.Equal(t, "WARN", msgs[0].([]any)[0])
	assert.Contains(t, msgs[0].([]any)[1], "; problems: ")
	assert.Contains(t, msgs[0].([]any)[1], applookups.SiteLookup)
}
