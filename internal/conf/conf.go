// Package conf reads Splunk .conf files: [stanza] headers, key = value
// settings, lines continued by a trailing backslash, # comments. It is
// stricter than splunkd on purpose: splunkd merges a stanza given twice and
// keeps the last of a setting given twice, but in the app's own files a
// repeat is a mistake to catch, so Parse refuses it. The app's package test
// checks default/ with it, and app/pack the version settings of app.conf.
package conf

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// A File maps stanza names to their settings. Settings before the first
// stanza belong to "default", as in Splunk.
type File map[string]map[string]string

// Parse reads a .conf file. A line that is neither a stanza, a setting, a
// comment nor blank is an error naming its line, as is a stanza given twice
// or a setting given twice in one stanza, which splunkd would accept.
func Parse(r io.Reader) (File, error) {
	f := File{}
	stanza := "default"
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	line := 0
	for sc.Scan() {
		line++
		start := line
		text := sc.Text()
		for strings.HasSuffix(text, `\`) && sc.Scan() {
			line++
			text = text[:len(text)-1] + "\n" + sc.Text()
		}
		trimmed := strings.TrimSpace(text)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case strings.HasPrefix(trimmed, "["):
			if !strings.HasSuffix(trimmed, "]") {
				return nil, fmt.Errorf("line %d: stanza header %q has no closing ]", start, trimmed)
			}
			stanza = trimmed[1 : len(trimmed)-1]
			if _, dup := f[stanza]; dup {
				return nil, fmt.Errorf("line %d: stanza [%s] appears twice", start, stanza)
			}
			f[stanza] = map[string]string{}
		default:
			key, value, ok := strings.Cut(trimmed, "=")
			key = strings.TrimSpace(key)
			if !ok || key == "" {
				return nil, fmt.Errorf("line %d: %q is not key = value", start, trimmed)
			}
			if f[stanza] == nil {
				f[stanza] = map[string]string{}
			}
			if _, dup := f[stanza][key]; dup {
				return nil, fmt.Errorf("line %d: %s set twice in [%s]", start, key, stanza)
			}
			f[stanza][key] = strings.TrimSpace(value)
		}
	}
	return f, sc.Err()
}
