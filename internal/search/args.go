package search

import (
	"fmt"
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

const validArguments = "codes=<code>[,<code>...] (default 401), anonymous=true|false (default false), input=<field> (default automatic), filter=none|show|<file>.csv[,<file>.csv...] (default the app's allowlist lookups)"

// parseArgs reads Splunk's name=value arguments.
func parseArgs(list []string) (args, error) {
	a := args{Options: detect.Options{Codes: detect.DefaultCodes}}
	for _, arg := range list {
		name, value, ok := strings.Cut(arg, "=")
		if !ok {
			return a, fmt.Errorf("argument %q is not name=value; valid arguments: %s", arg, validArguments)
		}
		if err := a.set(name, value); err != nil {
			return a, err
		}
	}
	return a, nil
}

func (a *args) set(name, value string) error {
	switch name {
	case "codes":
		codes, err := detect.ParseCodes(value)
		if err != nil {
			return fmt.Errorf("codes=%s: %v; valid arguments: %s", value, err, validArguments)
		}
		a.Codes = codes
	case "anonymous":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("anonymous=%s: use true or false; valid arguments: %s", value, validArguments)
		}
		a.Anonymous = b
	case "input":
		if value == "" {
			return fmt.Errorf("input= needs a field name; valid arguments: %s", validArguments)
		}
		a.Input = value
	case "filter":
		if err := applookups.CheckFilter(value); err != nil {
			return fmt.Errorf("filter=%s: %v; valid arguments: %s", value, err, validArguments)
		}
		a.Filter = value
	default:
		return fmt.Errorf("unknown argument %q; valid arguments: %s", name+"="+value, validArguments)
	}
	return nil
}
