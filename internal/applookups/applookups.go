// Package applookups loads every lookup one run honours, behind one call:
// the allowlists and the scanner tags, from the app's lookups folder for a
// search, or from the files the command line names. It owns what a lookup
// that cannot be read costs: a warning, never a detection.
package applookups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kubefingerprint/kubefingerprint"
	"github.com/kubefingerprint/kubefingerprint/internal/allowlist"
	"github.com/kubefingerprint/kubefingerprint/internal/detect"
	"github.com/kubefingerprint/kubefingerprint/internal/lookup"
	"github.com/kubefingerprint/kubefingerprint/internal/scanners"
	"github.com/kubefingerprint/kubefingerprint/internal/signatures"
)

// The app's lookups, in its lookups/ folder. The site files are not
// shipped, so installing a new version of the app never overwrites them.
const (
	DefaultLookup      = "kubefingerprint_filter_default.csv"
	SiteLookup         = "kubefingerprint_filter.csv"
	ScannersLookup     = "kubefingerprint_scanners.csv"
	SiteScannersLookup = "kubefingerprint_scanners_site.csv"
	ToolsLookup        = "kubefingerprint_tools.csv"
	SiteToolsLookup    = "kubefingerprint_tools_site.csv"
)

// A Request says which lookups a run honours.
type Request struct {
	// App is the Splunk app folder the command runs from; "" outside one,
	// where only the scanner rows built into the command apply.
	App string
	// Filter is filter= of the search bar: "" for the app's pair of
	// allowlists, "none", "show" (the pair, covered rows marked instead of
	// dropped), or a comma list of files in the app's lookups folder.
	Filter string
	// User runs the search; a lookup kept private to that user is said to
	// do nothing.
	User string

	// Allowlists, Scanners and Tools are lookup files the command line
	// names. An allowlist named there must exist; scanner and tool files
	// come before the built-in rows.
	Allowlists []string
	Scanners   []string
	Tools      []string

	// Summary asks for the tool signatures too, which only the per-source
	// stage reads (scan --summary, kubefingerprintsummary).
	Summary bool
}

// Lookups are what a run read.
type Lookups struct {
	Allow    *detect.Allowlists
	Tags     *scanners.Tags
	Tools    *signatures.Set
	Warnings []string // one line each, for the job inspector or stderr
}

// Load reads every lookup req names: the app's, as filter= names them,
// for a request with App or Filter (a search); else the files the command
// line names, and the built-in scanner rows. A lookup that cannot be applied, or is
// not there, is a warning: it costs its suppression (or its tags), never a
// detection. The error is for a command-line allowlist that is missing.
func Load(req Request) (*Lookups, error) {
	var w lookup.Warnings
	var (
		allow *detect.Allowlists
		err   error
	)
	tags, tools := scanners.New(), signatures.New()
	scannerKind := kind{tags, SiteScannersLookup, ScannersLookup, kubefingerprint.Scanners, untagged}
	toolKind := kind{tools, SiteToolsLookup, ToolsLookup, kubefingerprint.Tools, unnamed}
	if req.App != "" || req.Filter != "" {
		var names []string
		allow, names = appAllowlists(req.App, req.Filter, &w)
		scannerKind.app(req.App, &w)
		names = append(names, SiteScannersLookup, ScannersLookup)
		if req.Summary {
			toolKind.app(req.App, &w)
			names = append(names, SiteToolsLookup, ToolsLookup)
		}
		if req.App != "" {
			privateLookups(req.App, req.User, names, &w)
		}
	} else {
		if allow, err = readAllowlists(req.Allowlists, "", true, time.Now(), &w); err != nil {
			return nil, err
		}
		scannerKind.files(req.Scanners, &w)
		if req.Summary {
			toolKind.files(req.Tools, &w)
		}
	}
	return &Lookups{Allow: allow, Tags: tags, Tools: tools, Warnings: w.Messages()}, nil
}

// appAllowlists reads the lookups that filter= names from the app's
// lookups/ folder: by default (and with show) both app lookups, either of
// which may be absent; "none" for none; or the given files. It also
// returns the names it looked for.
//
// A file named in filter= that is not there is a warning, not an error:
// the named file can go missing after the search was written (deleted, or
// not yet replicated to an indexer), and an error would then cost every
// detection of a scheduled search, where a warning costs its suppression.
func appAllowlists(app, filter string, w *lookup.Warnings) (*detect.Allowlists, []string) {
	if filter == "none" {
		return &detect.Allowlists{}, nil
	}
	show := filter == "show"
	names, named := []string{DefaultLookup, SiteLookup}, false
	if filter != "" && !show {
		names, named = strings.Split(filter, ","), true
	}
	if app == "" {
		if named {
			w.AddFile("filter=%s: the app folder could not be found from the executable's location; %s", filter, unfiltered)
		}
		return &detect.Allowlists{Show: show}, nil
	}
	dir := filepath.Join(app, "lookups")
	var paths []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if _, err := os.Lstat(p); named && errors.Is(err, fs.ErrNotExist) {
			w.AddFile("lookup %s named in filter= is not in the app's lookups folder; %s", n, unfiltered)
			continue
		}
		paths = append(paths, p)
	}
	a, _ := readAllowlists(paths, dir, false, time.Now(), w) // not required: no error
	a.Show = show
	return a, names
}

// readAllowlists reads allowlist lookups; dir, when not empty, is the
// folder they must resolve into. A missing file is an error only when
// required. A file that cannot be applied is a warning and filters
// nothing.
func readAllowlists(paths []string, dir string, required bool, now time.Time, w *lookup.Warnings) (*detect.Allowlists, error) {
	a := &detect.Allowlists{}
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
		a.Add(l)
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
	unnamed    = "its signatures name no tool"
)

// A kind is a lookup the app ships that a site file extends: the scanner
// tags and the tool signatures. The site's rows come first, so a site can
// name its own tools and override shipped ones.
type kind struct {
	to interface {
		Add(*lookup.Table, *lookup.Warnings) error
	}
	site    string // the site file's name in the app's lookups folder
	shipped string // the shipped file's name
	builtin []byte // the shipped file, built into the binary
	leftOut string // what a file left out costs
}

// app reads the site and shipped files of the app. Outside an app folder,
// and whenever the shipped file cannot be applied, the copy built into the
// binary is used: a shipped file broken by an edit must not cost the tags
// or signatures, which feed the per-source detection.
func (k kind) app(app string, w *lookup.Warnings) {
	if app == "" {
		k.files(nil, w)
		return
	}
	dir := filepath.Join(app, "lookups")
	for _, name := range []string{k.site, k.shipped} {
		switch err := k.add(filepath.Join(dir, name), dir, w); {
		case err == nil:
		case errors.Is(err, fs.ErrNotExist) && name == k.site:
		case name == k.shipped:
			w.AddFile("lookup %s cannot be applied (%v); the copy built into the command applies", name, errorText(err))
			k.addBuiltin(w)
		default:
			notApplied(w, name, err, k.leftOut)
		}
	}
}

// files reads the site files the command line names, then the shipped
// rows built into the binary.
func (k kind) files(paths []string, w *lookup.Warnings) {
	for _, path := range paths {
		if err := k.add(path, "", w); err != nil {
			notApplied(w, path, err, k.leftOut)
		}
	}
	k.addBuiltin(w)
}

func (k kind) addBuiltin(w *lookup.Warnings) {
	t, err := lookup.Parse(k.shipped, k.builtin, w)
	if err == nil {
		err = k.to.Add(t, w)
	}
	if err != nil { // its test keeps it clean
		w.AddFile("the lookup %s built into the command cannot be applied: %v", k.shipped, err)
	}
}

// add reads the lookup at path (dir as for readAllowlists); the error
// says why no row was added.
func (k kind) add(path, dir string, w *lookup.Warnings) error {
	t, err := lookup.Load(path, dir, w)
	if err != nil {
		return err
	}
	return k.to.Add(t, w)
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

// privateLookups warns about lookups the user running the search keeps
// private in this app. Splunk Web stores an uploaded lookup file in
// etc/users/<user>/<app>/lookups/ until it is shared; the command reads
// only the app's own lookups/ folder, so such a file silently does nothing.
// The app lies in etc/apps/ (or a knowledge bundle's apps/), beside users/.
func privateLookups(app, user string, names []string, w *lookup.Warnings) {
	if user == "" || user == "." || user == ".." || strings.ContainsAny(user, "/\\\x00") ||
		filepath.Base(filepath.Dir(app)) != "apps" {
		return
	}
	name := filepath.Base(app)
	dir := filepath.Join(filepath.Dir(filepath.Dir(app)), "users", user, name, "lookups")
	for _, n := range names {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			w.AddFile("lookup %s found but private to user %s (etc/users/%s/%s/lookups): share it with the app "+
				"(Settings > Lookups > Lookup table files > Permissions: This app only); until then the command does not read it",
				n, user, user, name)
		}
	}
}

// CheckFilter validates filter=: "none", "show", or lookup file names in
// the app's lookups/ folder, never a path out of it.
func CheckFilter(value string) error {
	if value == "none" || value == "show" {
		return nil
	}
	for _, name := range strings.Split(value, ",") {
		if name == "" || strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") || !strings.HasSuffix(name, ".csv") {
			return fmt.Errorf("%q must be none, show or the name of a .csv file in the app's lookups folder", name)
		}
	}
	return nil
}
