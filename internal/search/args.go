package search

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kubefingerprint/kubefingerprint/internal/applookups"
	"github.com/kubefingerprint/kubefingerprint/internal/detect"
)

// args are the command's arguments in the search bar, as they arrive in
// searchinfo.args: codes=401,403 anonymous=true input=body.properties.log
// filter=none.
type args struct {
	detect.Options
	Input  string // field holding the audit data; empty means automatic
	Filter string // allowlist lookups: see applookups.Request.Filter
}

const validArguments = "codes=<code>[,<code>...] (default 401), anonymous=true|false (default false), health=true|false (default false: with anonymous=true, unauthenticated health checks are left out), input=<field> (default automatic), filter=none|show|<file>.csv[,<file>.csv...] (default the app's allowlist lookups)"

// parseArgs reads Splunk's name=value arguments. An argument given twice
// never silently replaces the first: codes= lists add up, as --codes does
// on the command line, and so do filter= lists of files; any other
// repetition that disagrees is an error that names it.
func parseArgs(list []string) (args, error) {
	a := args{Options: detect.Options{Codes: detect.DefaultCodes}}
	given := map[string]string{}
	for _, arg := range list {
		name, value, ok := strings.Cut(arg, "=")
		if !ok {
			return a, fmt.Errorf("argument %q is not name=value; valid arguments: %s", arg, validArguments)
		}
		first, again := given[name]
		if err := a.set(name, value, again); err != nil {
			return a, err
		}
		switch name {
		case "anonymous":
			value = strconv.FormatBool(a.Anonymous) // true and 1 say one thing
		case "health":
			value = strconv.FormatBool(a.Health)
		}
		if again && first != value && name != "codes" && (name != "filter" || !isFileList(first) || !isFileList(value)) {
			return a, fmt.Errorf("%s= given twice (%s=%s, then %s=%s): give it once; valid arguments: %s", name, name, first, name, value, validArguments)
		}
		given[name] = value
	}
	return a, nil
}

// isFileList tells a filter= list of lookup files from none and show.
func isFileList(filter string) bool { return filter != "none" && filter != "show" }

// addFiles adds the files of the filter= list more to list, each once.
func addFiles(list, more string) string {
	files := strings.Split(list, ",")
	for _, f := range strings.Split(more, ",") {
		if !slices.Contains(files, f) {
			files = append(files, f)
		}
	}
	return strings.Join(files, ",")
}

func (a *args) set(name, value string, again bool) error {
	switch name {
	case "codes":
		codes, err := detect.ParseCodes(value)
		if err != nil {
			return fmt.Errorf("codes=%s: %v; valid arguments: %s", value, err, validArguments)
		}
		if !again {
			a.Codes = nil // the first list replaces the default
		}
		a.Codes = append(a.Codes, codes...)
	case "anonymous":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("anonymous=%s: use true or false; valid arguments: %s", value, validArguments)
		}
		a.Anonymous = b
	case "health":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("health=%s: use true or false; valid arguments: %s", value, validArguments)
		}
		a.Health = b
	case "input":
		if value == "" {
			return fmt.Errorf("input= needs a field name; valid arguments: %s", validArguments)
		}
		a.Input = value
	case "filter":
		if err := applookups.CheckFilter(value); err != nil {
			return fmt.Errorf("filter=%s: %v; valid arguments: %s", value, err, validArguments)
		}
		if again && isFileList(a.Filter) && isFileList(value) {
			value = addFiles(a.Filter, value)
		}
		a.Filter = value
	default:
		return fmt.Errorf("unknown argument %q; valid arguments: %s", name+"="+value, validArguments)
	}
	return nil
}
