package command

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kubefingerprint/kubefingerprint"
	"github.com/kubefingerprint/kubefingerprint/internal/allowlist"
	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/lookup"
	"github.com/kubefingerprint/kubefingerprint/internal/scanners"
)

// The app's lookups, in its lookups/ folder. The site files are not
// shipped, so installing a new version of the app never overwrites them.
const (
	DefaultLookup      = "kubefingerprint_filter_default.csv"
	SiteLookup         = "kubefingerprint_filter.csv"
	ScannersLookup     = "kubefingerprint_scanners.csv"
	SiteScannersLookup = "kubefingerprint_scanners_site.csv"
)

// platformDirs are the folders in which Splunk looks for a platform's
// binary before <app>/bin (commands.conf.spec, filename).
var platformDirs = []string{"linux_x86_64", "linux_x86", "windows_x86_64", "windows_x86", "darwin_x86_64"}

// AppDir returns the Splunk app folder that holds the executable exe, at
// <app>/bin/ or <app>/<platform>/bin/, or "" when exe is elsewhere. On
// indexers this is the app's copy in the replicated knowledge bundle.
func AppDir(exe string) string {
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	bin := filepath.Dir(exe)
	if filepath.Base(bin) != "bin" {
		return ""
	}
	app := filepath.Dir(bin)
	for _, p := range platformDirs {
		if filepath.Base(app) == p {
			return filepath.Dir(app)
		}
	}
	return app
}

// lookups are what one search reads from the app's lookups/ folder.
type lookups struct {
	allow    *allowlists
	tags     *scanners.Tags
	warnings []string
}

// loadLookups reads every lookup a search honours, and says when the user
// running it keeps one of them private. A lookup that cannot be applied,
// or is not there, is a warning, never an error: it costs its suppression
// (or its tags), never a detection.
func loadLookups(appDir string, opts Options, user string) (*lookups, error) {
	var w lookup.Warnings
	allow, names, err := loadAllowlists(appDir, opts.Filter, &w)
	if err != nil {
		return nil, err
	}
	tags := appScanners(appDir, &w)
	if appDir != "" {
		privateLookups(appDir, user, append(names, SiteScannersLookup, ScannersLookup), &w)
	}
	return &lookups{allow: allow, tags: tags, warnings: w.Messages()}, nil
}

// allowlists are the allowlist lookups one run honours.
type allowlists struct {
	lists []*allowlist.List
	show  bool // filter=show: mark covered rows instead of dropping them
}

// loadAllowlists reads the lookups that filter= names from the app's
// lookups/ folder: by default (and with show) both app lookups, either of
// which may be absent; "none" for none; or the given files. It also
// returns the names it looked for.
//
// A file named in filter= that is not there is a warning, not an error:
// the named file can go missing after the search was written (deleted, or
// not yet replicated to an indexer), and an error would then cost every
// detection of a scheduled search, where a warning costs its suppression.
func loadAllowlists(appDir, filter string, w *lookup.Warnings) (*allowlists, []string, error) {
	if filter == "none" {
		return &allowlists{}, nil, nil
	}
	show := filter == "show"
	names, named := []string{DefaultLookup, SiteLookup}, false
	if filter != "" && !show {
		names, named = strings.Split(filter, ","), true
	}
	if appDir == "" {
		if named {
			w.AddFile("filter=%s: the app folder could not be found from the executable's location; %s", filter, unfiltered)
		}
		return &allowlists{show: show}, nil, nil
	}
	dir := filepath.Join(appDir, "lookups")
	var paths []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if _, err := os.Lstat(p); named && errors.Is(err, fs.ErrNotExist) {
			w.AddFile("lookup %s named in filter= is not in the app's lookups folder; %s", n, unfiltered)
			continue
		}
		paths = append(paths, p)
	}
	a, err := readAllowlists(paths, dir, false, time.Now(), w)
	if err != nil {
		return nil, nil, err
	}
	a.show = show
	return a, names, nil
}

// readAllowlists reads allowlist lookups; dir, when not empty, is the
// folder they must resolve into. A missing file is an error only when
// required. A file that cannot be applied is a warning and filters
// nothing.
func readAllowlists(paths []string, dir string, required bool, now time.Time, w *lookup.Warnings) (*allowlists, error) {
	a := &allowlists{}
	for _, path := range paths {
		t, err := lookup.Load(path, dir, w)
		if errors.Is(err, fs.ErrNotExist) {
			if required {
				return nil, err
			}
			continue
		}
		var l *allowlist.List
		if err == nil {
			l, err = allowlist.New(t, now, w)
		}
		if err != nil {
			notApplied(w, path, err, unfiltered)
			continue
		}
		a.lists = append(a.lists, l)
	}
	return a, nil
}

// notApplied reports a lookup file that is left out whole; effect says
// what that costs.
func notApplied(w *lookup.Warnings, path string, err error, effect string) {
	var refused *lookup.RefusedError
	if errors.As(err, &refused) {
		w.AddFile("%v; %s", err, effect)
		return
	}
	w.AddFile("lookup %s is not applied: %v; %s", filepath.Base(path), err, effect)
}

// The effect of a lookup left out, for notApplied.
const (
	unfiltered = "results are reported unfiltered by it"
	untagged   = "its rows tag nothing"
)

// appScanners reads the scanner lookups of the app: the site's rows first,
// so a site can name its own tools and rename shipped ones, then the
// shipped rows. Outside an app folder, and whenever the shipped file
// cannot be applied, the copy built into the binary is used: a shipped
// file broken by an edit must not cost the tags, which feed the
// per-source detection.
func appScanners(appDir string, w *lookup.Warnings) *scanners.Tags {
	if appDir == "" {
		return scannerTags(nil, "", w)
	}
	dir := filepath.Join(appDir, "lookups")
	tags := scanners.New()
	for _, name := range []string{SiteScannersLookup, ScannersLookup} {
		switch err := addScanners(tags, filepath.Join(dir, name), dir, w); {
		case err == nil:
		case errors.Is(err, fs.ErrNotExist) && name == SiteScannersLookup:
		case name == ScannersLookup:
			w.AddFile("lookup %s cannot be applied (%v); the copy built into the command applies", name, errorText(err))
			builtinScanners(tags, w)
		default:
			notApplied(w, name, err, untagged)
		}
	}
	return tags
}

// builtinScanners adds the shipped scanner rows built into the binary.
func builtinScanners(tags *scanners.Tags, w *lookup.Warnings) {
	t, err := lookup.Parse(ScannersLookup, kubefingerprint.Scanners, w)
	if err == nil {
		err = tags.Add(t, w)
	}
	if err != nil { // its test keeps it clean
		w.AddFile("the scanner lookup built into the command cannot be applied: %v", err)
	}
}

func errorText(err error) string {
	var refused *lookup.RefusedError
	switch {
	case errors.As(err, &refused):
		return refused.Why
	case errors.Is(err, fs.ErrNotExist):
		return "it is missing from the app's lookups folder"
	}
	return err.Error()
}

// scannerTags reads a site scanner lookup from path, if given (dir as for
// readAllowlists), then the shipped rows built into the binary.
func scannerTags(paths []string, dir string, w *lookup.Warnings) *scanners.Tags {
	tags := scanners.New()
	for _, path := range paths {
		if err := addScanners(tags, path, dir, w); err != nil {
			notApplied(w, path, err, untagged)
		}
	}
	builtinScanners(tags, w)
	return tags
}

// addScanners reads the scanner lookup at path (dir as for readAllowlists)
// and adds its rows to tags; the error says why none were added.
func addScanners(tags *scanners.Tags, path, dir string, w *lookup.Warnings) error {
	t, err := lookup.Load(path, dir, w)
	if err != nil {
		return err
	}
	return tags.Add(t, w)
}

// privateLookups warns about lookups the user running the search keeps
// private in this app. Splunk Web stores an uploaded lookup file in
// etc/users/<user>/<app>/lookups/ until it is shared; the command reads
// only the app's own lookups/ folder, so such a file silently does nothing.
// The app lies in etc/apps/ (or a knowledge bundle's apps/), beside users/.
func privateLookups(appDir, user string, names []string, w *lookup.Warnings) {
	if user == "" || user == "." || user == ".." || strings.ContainsAny(user, "/\\\x00") ||
		filepath.Base(filepath.Dir(appDir)) != "apps" {
		return
	}
	app := filepath.Base(appDir)
	dir := filepath.Join(filepath.Dir(filepath.Dir(appDir)), "users", user, app, "lookups")
	for _, name := range names {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			w.AddFile("lookup %s found but private to user %s (etc/users/%s/%s/lookups): share it with the app "+
				"(Settings > Lookups > Lookup table files > Permissions: This app only); until then the command does not read it",
				name, user, user, app)
		}
	}
}

// checkFilter validates filter=: "none", "show", or lookup file names in
// the app's lookups/ folder, never a path out of it.
func checkFilter(value string) error {
	if value == "none" || value == "show" {
		return nil
	}
	for _, name := range strings.Split(value, ",") {
		if name == "" || strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") || !strings.HasSuffix(name, ".csv") {
			return fmt.Errorf("filter=%s: %q must be none, show or the name of a .csv file in the app's lookups folder; valid arguments: %s", value, name, validArguments)
		}
	}
	return nil
}

func (a *allowlists) len() int { return len(a.lists) }

// suppress returns the index of the first list that covers ev and the line
// of its row, or -1.
func (a *allowlists) suppress(ev *audit.Event) (list, line int) {
	for i, l := range a.lists {
		if line, ok := l.Match(ev); ok {
			return i, line
		}
	}
	return -1, 0
}

// appendWhere renders where a row is covered: <file>:<line>.
func (a *allowlists) appendWhere(dst []byte, list, line int) []byte {
	dst = append(dst, a.lists[list].Name...)
	return strconv.AppendInt(append(dst, ':'), int64(line), 10)
}

// summary describes the suppressed counts for the closing message.
func (a *allowlists) summary(counts []int) string {
	if len(a.lists) == 0 {
		return "; no allowlist lookup applied"
	}
	var b strings.Builder
	if a.show {
		b.WriteString("; rows an allowlist covers, kept and marked in the allowlisted field (filter=show):")
	} else {
		b.WriteString("; rows suppressed by allowlist:")
	}
	for i, l := range a.lists {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " %d by %s (%d rows)", counts[i], l.Name, l.Len())
	}
	return b.String()
}
