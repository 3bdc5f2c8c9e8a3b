package command

import (
	"fmt"
	"strconv"
	"strings"
)

// Options are the command's arguments, the same in the search bar
// (codes=401,403 input=body.properties.log filter=none) and on the command
// line (--codes, --input, --filter).
type Options struct {
	Codes []int  // responseStatus.code values to report
	Input string // field holding the audit data; empty means automatic
	// Filter is the allowlist lookups: empty for the app's pair, "none",
	// "show" (the app's pair, covered rows kept and marked allowlisted
	// instead of dropped), or a comma list of files in the app's lookups/.
	Filter string

	// Anonymous also reports every response to an unauthenticated caller
	// (system:anonymous, system:unauthenticated), whatever its code.
	Anonymous bool
}

const validArguments = "codes=<code>[,<code>...] (default 401), anonymous=true|false (default false), input=<field> (default automatic), filter=none|show|<file>.csv[,<file>.csv...] (default the app's allowlist lookups)"

// DefaultCodes is what the original detection searches for.
var DefaultCodes = []int{401}

// ParseArgs reads Splunk's name=value arguments, as they arrive in
// searchinfo.args.
func ParseArgs(args []string) (Options, error) {
	opts := Options{Codes: DefaultCodes}
	for _, arg := range args {
		name, value, ok := strings.Cut(arg, "=")
		if !ok {
			return opts, fmt.Errorf("argument %q is not name=value; valid arguments: %s", arg, validArguments)
		}
		if err := opts.set(name, value); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

func (o *Options) set(name, value string) error {
	switch name {
	case "codes":
		codes, err := ParseCodes(value)
		if err != nil {
			return err
		}
		o.Codes = codes
	case "anonymous":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("anonymous=%s: use true or false; valid arguments: %s", value, validArguments)
		}
		o.Anonymous = b
	case "input":
		if value == "" {
			return fmt.Errorf("input= needs a field name; valid arguments: %s", validArguments)
		}
		o.Input = value
	case "filter":
		if err := checkFilter(value); err != nil {
			return err
		}
		o.Filter = value
	default:
		return fmt.Errorf("unknown argument %q; valid arguments: %s", name+"="+value, validArguments)
	}
	return nil
}

// ParseCodes reads codes= as the search bar gives it.
func ParseCodes(s string) ([]int, error) {
	codes, err := parseCodeList(s)
	if err != nil {
		return nil, fmt.Errorf("codes=%s: %v; valid arguments: %s", s, err, validArguments)
	}
	return codes, nil
}

// parseCodeList reads a comma list of HTTP status codes; its errors name no
// argument, so that the search bar and the command line can each name theirs.
func parseCodeList(s string) ([]int, error) {
	var codes []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 100 || n > 599 {
			return nil, fmt.Errorf("%q is not an HTTP status code", f)
		}
		codes = append(codes, n)
	}
	return codes, nil
}
