package allowlist

import "strings"

// A glob is a pattern in which * stands for any run of bytes. It is matched
// without regular expressions, by the greedy algorithm that retries only
// from the last star: time is bounded by len(pattern)*len(text), so no user
// agent, however hostile, can make matching blow up.
type glob struct {
	pattern string
	fold    bool // ASCII case-insensitive; the pattern is stored lower-cased
}

func newGlob(pattern string, fold bool) glob {
	if fold {
		pattern = strings.ToLower(pattern)
	}
	return glob{pattern: pattern, fold: fold}
}

// any reports whether the cell was empty, which matches anything.
func (g glob) any() bool { return g.pattern == "" }

func (g glob) match(text []byte) bool {
	p := g.pattern
	if p == "" {
		return true
	}
	var pi, ti int
	star, next := -1, 0 // last star in p, and where in text its match ends
	for ti < len(text) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '*':
				star, next = pi, ti
				pi++
				continue
			case c == g.lower(text[ti]):
				pi++
				ti++
				continue
			}
		}
		if star < 0 {
			return false
		}
		next++
		pi, ti = star+1, next
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func (g glob) lower(c byte) byte {
	if g.fold && 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
