package command

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kubefingerprint/kubefingerprint/internal/allowlist"
	"github.com/kubefingerprint/kubefingerprint/internal/audit"
)

// The app's allowlist lookups, in its lookups/ folder. The site file is not
// shipped, so installing a new version of the app never overwrites it.
const (
	DefaultLookup = "kubefingerprint_filter_default.csv"
	SiteLookup    = "kubefingerprint_filter.csv"
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

// allowlists are the lookups one run honours.
type allowlists struct {
	lists []*allowlist.List
}

// loadAllowlists reads the lookups that filter= names from the app's
// lookups/ folder: by default both app lookups, either of which may be
// absent; "none" for none; or the given files, which must exist.
func loadAllowlists(appDir, filter string) (*allowlists, []string, error) {
	if filter == "none" {
		return &allowlists{}, nil, nil
	}
	names, required := []string{DefaultLookup, SiteLookup}, false
	if filter != "" {
		names, required = strings.Split(filter, ","), true
	}
	if appDir == "" {
		if required {
			return nil, nil, fmt.Errorf("filter=%s: the app folder could not be found from the executable's location", filter)
		}
		return &allowlists{}, nil, nil
	}
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(appDir, "lookups", n)
	}
	return readAllowlists(paths, required, time.Now())
}

// readAllowlists parses lookup files. A missing file is an error only when
// required; a file that is not CSV always is.
func readAllowlists(paths []string, required bool, now time.Time) (*allowlists, []string, error) {
	a := &allowlists{}
	var warnings []string
	for _, path := range paths {
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) && !required {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("lookup: %w", err)
		}
		l, w, err := allowlist.Parse(filepath.Base(path), f, now)
		f.Close()
		if err != nil {
			return nil, nil, err
		}
		a.lists = append(a.lists, l)
		warnings = append(warnings, w...)
	}
	return a, warnings, nil
}

// checkFilter validates filter=: "none", or lookup file names in the app's
// lookups/ folder, never a path out of it.
func checkFilter(value string) error {
	if value == "none" {
		return nil
	}
	for _, name := range strings.Split(value, ",") {
		if name == "" || strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") || !strings.HasSuffix(name, ".csv") {
			return fmt.Errorf("filter=%s: %q must be none or the name of a .csv file in the app's lookups folder; valid arguments: %s", value, name, validArguments)
		}
	}
	return nil
}

func (a *allowlists) len() int { return len(a.lists) }

// suppress returns the index of the first list that covers ev, or -1.
func (a *allowlists) suppress(ev *audit.Event) int {
	for i, l := range a.lists {
		if l.Match(ev) {
			return i
		}
	}
	return -1
}

// summary describes the suppressed counts for the closing message.
func (a *allowlists) summary(counts []int) string {
	if len(a.lists) == 0 {
		return "; no allowlist lookup applied"
	}
	var b strings.Builder
	b.WriteString("; rows suppressed by allowlist:")
	for i, l := range a.lists {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " %d by %s (%d rows)", counts[i], l.Name, l.Len())
	}
	return b.String()
}
