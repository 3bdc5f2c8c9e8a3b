package app

// A small reader of the app's SPL, enough to check what the app ships:
// every macro a search uses is one the app defines, every command is
// kubefingerprint or one of the Splunk commands listed below, quotes and
// brackets balance, kubefingerprint's arguments are valid, and the fields a
// rule's risk settings name come out of its search.

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/bysource"
	"github.com/kubefingerprint/kubefingerprint/internal/conf"
)

// splunkCommands are the Splunk commands the app's searches may use.
var splunkCommands = map[string]bool{
	"search": true, "where": true, "eval": true, "stats": true, "chart": true, "timechart": true,
	"table": true, "fields": true, "sort": true, "head": true, "convert": true, "bin": true,
	"rename": true, "fillnull": true, "dedup": true,
}

// escuMacros are ESCU's macros, which the app must not define.
var escuMacros = []string{
	"kubernetes_azure", "kubernetes_azure_scan_fingerprint_filter", "kubernetes_azure_pod_scan_fingerprint_filter",
	"kube_audit", "security_content_ctime", "security_content_summariesonly",
}

var macroRef = regexp.MustCompile("`([^`(]+)(?:\\(([^`]*)\\))?`")

// expand replaces every macro reference with its definition, recursively.
func expand(search string, macros conf.File) (string, error) {
	for depth := 0; strings.Contains(search, "`"); depth++ {
		if depth > 10 {
			return "", fmt.Errorf("macros nest more than 10 deep")
		}
		var missing []string
		search = macroRef.ReplaceAllStringFunc(search, func(ref string) string {
			m := macroRef.FindStringSubmatch(ref)
			name, stanza, args := m[1], m[1], []string(nil)
			if m[2] != "" {
				args = strings.Split(m[2], ",")
				stanza = fmt.Sprintf("%s(%d)", name, len(args))
			}
			def, ok := macros[stanza]
			if !ok {
				missing = append(missing, stanza)
				return ""
			}
			out := def["definition"]
			for i, a := range strings.Fields(def["args"]) {
				out = strings.ReplaceAll(out, "$"+strings.TrimSuffix(a, ",")+"$", strings.TrimSpace(args[i]))
			}
			return out
		})
		if missing != nil {
			return "", fmt.Errorf("macros the app does not define: %s", strings.Join(missing, ", "))
		}
		if strings.Count(search, "`")%2 != 0 {
			return "", fmt.Errorf("unbalanced backquote")
		}
	}
	return search, nil
}

// pipeline splits a search into its commands at the pipes that lie outside
// quotes, parentheses and subsearch brackets.
func pipeline(search string) ([]string, error) {
	var parts []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(search); i++ {
		c := search[i]
		switch {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced %q at byte %d", c, i)
			}
		case c == '|' && depth == 0:
			parts = append(parts, strings.TrimSpace(search[start:i]))
			start = i + 1
		}
	}
	if quoted {
		return nil, fmt.Errorf("unbalanced quote")
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced parenthesis or bracket")
	}
	return append(parts, strings.TrimSpace(search[start:])), nil
}

// A command is one stage of a pipeline: its name and its text.
type command struct{ name, args string }

// parseSPL expands the macros of a search and returns its commands. A
// search that does not start with a pipe starts with an implicit search.
func parseSPL(search string, macros conf.File) ([]command, error) {
	expanded, err := expand(search, macros)
	if err != nil {
		return nil, err
	}
	parts, err := pipeline(expanded)
	if err != nil {
		return nil, err
	}
	var cmds []command
	for i, p := range parts {
		if i == 0 {
			if p != "" {
				cmds = append(cmds, command{"search", p})
			}
			continue
		}
		name, args, _ := strings.Cut(p, " ")
		if name == "" {
			return nil, fmt.Errorf("empty command after pipe %d", i)
		}
		cmds = append(cmds, command{name, strings.TrimSpace(args)})
	}
	return cmds, nil
}

// checkSPL reports what is wrong with a search the app ships.
func checkSPL(search string, macros conf.File) error {
	cmds, err := parseSPL(search, macros)
	if err != nil {
		return err
	}
	for _, c := range cmds {
		switch {
		case c.name == "kubefingerprint":
			if err := checkArgs(c.name, c.args, validArg); err != nil {
				return err
			}
		case c.name == "kubefingerprintsummary":
			if err := checkArgs(c.name, c.args, validSummaryArg); err != nil {
				return err
			}
		case !splunkCommands[c.name]:
			return fmt.Errorf("unknown command %q", c.name)
		}
	}
	return nil
}

var validArg = map[string]*regexp.Regexp{
	"codes":     regexp.MustCompile(`^[1-5][0-9][0-9](,[1-5][0-9][0-9])*$`),
	"anonymous": regexp.MustCompile(`^(true|false)$`),
	"health":    regexp.MustCompile(`^(true|false)$`),
	"input":     regexp.MustCompile(`^\S+$`),
	"filter":    regexp.MustCompile(`^(none|show|[\w.-]+\.csv(,[\w.-]+\.csv)*)$`),
}

var validSummaryArg = map[string]*regexp.Regexp{
	"min_tool_score":  regexp.MustCompile(`^(0(\.[0-9]+)?|1(\.0+)?)$`),
	"min_uris":        regexp.MustCompile(`^[0-9]+$`),
	"min_401":         regexp.MustCompile(`^[0-9]+$`),
	"fire_on_scanner": regexp.MustCompile(`^(true|false)$`),
}

// checkArgs checks a command's arguments as its option parser would.
func checkArgs(command, args string, valid map[string]*regexp.Regexp) error {
	for _, a := range strings.Fields(args) {
		name, value, ok := strings.Cut(a, "=")
		re := valid[name]
		if !ok || re == nil || !re.MatchString(value) {
			return fmt.Errorf("%s: bad argument %q", command, a)
		}
	}
	return nil
}

var (
	asName   = regexp.MustCompile(`(?i)\bas\s+("[^"]+"|\S+)`)
	evalName = regexp.MustCompile(`(?:^|,)\s*([\w.{}]+)\s*=[^=]`)
)

// outputFields returns the fields a search's results have, as far as the
// commands this app uses tell: table, stats (aggregates and by fields),
// then eval and rename.
func outputFields(cmds []command) map[string]bool {
	fields := map[string]bool{}
	for _, c := range cmds {
		switch c.name {
		case "kubefingerprintsummary":
			fields = map[string]bool{}
			for _, col := range bysource.Columns {
				fields[col.Name] = true
			}
		case "table", "fields":
			fields = map[string]bool{}
			for _, f := range strings.Fields(strings.ReplaceAll(c.args, ",", " ")) {
				fields[f] = true
			}
		case "stats":
			fields = map[string]bool{}
			aggs, by, _ := strings.Cut(c.args, " by ")
			for _, m := range asName.FindAllStringSubmatch(aggs, -1) {
				fields[strings.Trim(m[1], `"`)] = true
			}
			if regexp.MustCompile(`(^|\s)count(\s|$)`).MatchString(aggs) {
				fields["count"] = true
			}
			for _, f := range strings.Fields(strings.ReplaceAll(by, ",", " ")) {
				fields[f] = true
			}
		case "eval":
			for _, m := range evalName.FindAllStringSubmatch(c.args, -1) {
				fields[m[1]] = true
			}
		case "rename":
			for _, m := range regexp.MustCompile(`(\S+)\s+as\s+(\S+)`).FindAllStringSubmatch(c.args, -1) {
				delete(fields, m[1])
				fields[m[2]] = true
			}
		}
	}
	return fields
}

func readConf(t *testing.T, path string) conf.File {
	t.Helper()
	r, err := os.Open(path)
	require.NoError(t, err)
	defer r.Close()
	f, err := conf.Parse(r)
	require.NoError(t, err, path)
	return f
}

// The checker itself: each broken search is refused, each good one passes.
func TestCheckSPL(t *testing.T) {
	macros := conf.File{
		"data":      {"definition": "(sourcetype=a category=b)"},
		"threshold": {"definition": "where n >= 5"},
		"two(2)":    {"definition": "eval $x$=$y$", "args": "x, y"},
	}
	for search, want := range map[string]string{
		"`data` | kubefingerprint | table _time src_ip":                                 "",
		"`data` | kubefingerprint anonymous=true | stats count by src_ip | `threshold`": "",
		"`data` | `two(a, 1)` | kubefingerprint codes=401,403 filter=show":              "",
		`| search x="a|b" | where y="(" | eval z=if(a, "|", "]")`:                       "",
		"`nosuch` | kubefingerprint":                                                    "macros the app does not define: nosuch",
		"`two(a)` | kubefingerprint":                                                    "macros the app does not define: two(1)",
		"`data` | kubefingerprint | spath":                                              `unknown command "spath"`,
		"`data` | kubefingerprint anonymous=yes":                                        "bad argument",
		"`data` | kubefingerprint filter=../x.csv":                                      "bad argument",
		"`data` | kubefingerprint nosuch=1":                                             "bad argument",
		`| search x="a`:                                                                 "unbalanced quote",
		"| eval x=if(a, b, c":                                                           "unbalanced parenthesis",
		"`data | kubefingerprint":                                                       "unbalanced backquote",
		"| stats count |":                                                               "empty command",
	} {
		err := checkSPL(search, macros)
		switch {
		case want == "":
			assert.NoError(t, err, search)
		default:
			if assert.Error(t, err, search) {
				assert.Contains(t, err.Error(), want, search)
			}
		}
	}

	cmds, err := parseSPL(`| stats count min(_time) as firstTime dc(requestURI) as uri_count values(x) as "y z" by src_ip | eval a=1, b=if(c==d, 1, 0) | rename a as b2`, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]bool{"count": true, "firstTime": true, "uri_count": true, "y z": true, "src_ip": true, "b": true, "b2": true}, outputFields(cmds))
}
