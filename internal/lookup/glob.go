package lookup

import "strings"

// A Glob is a pattern cell in which * stands for any run of bytes. It is
// matched without regular expressions, by the greedy algorithm that
// retries only from the last star: time is bounded by
// len(pattern)*len(text), so no user agent, however hostile, can make
// matching blow up.
//
// Case-insensitive globs fold ASCII letters only, in the pattern and in
// the text alike. User agents, cluster names and addresses are ASCII
// tokens; Unicode folding would make look-alikes equal (the Kelvin sign K
// folds to k, the long s ſ to s), and folding one side by other rules than
// the other would miss exact matches (CAFÉ-Scanner/* against
// CAFÉ-Scanner/1.0).
type Glob struct {
	pattern string // folded when fold
	fold    bool
}

// NewGlob reads a pattern cell. A cell of stars only is the empty pattern:
// both match anything, and both are "empty" to the rules that refuse a row
// that would hide everything.
func NewGlob(pattern string, fold bool) Glob {
	if strings.Trim(pattern, "*") == "" {
		pattern = ""
	}
	if fold {
		pattern = string(Fold(nil, []byte(pattern)))
	}
	return Glob{pattern: pattern, fold: fold}
}

// Any reports whether the glob matches anything.
func (g Glob) Any() bool { return g.pattern == "" }

// Literal is the text every match starts with: the pattern up to its
// first star, folded when the glob folds.
func (g Glob) Literal() string {
	if i := strings.IndexByte(g.pattern, '*'); i >= 0 {
		return g.pattern[:i]
	}
	return g.pattern
}

// Match reports whether text matches the glob.
func (g Glob) Match(text []byte) bool {
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

func (g Glob) lower(c byte) byte {
	if g.fold {
		return lower(c)
	}
	return c
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Fold appends text with ASCII letters lower-cased to dst: the one case
// folding of every case-insensitive pattern and text.
func Fold(dst, text []byte) []byte {
	for _, c := range text {
		dst = append(dst, lower(c))
	}
	return dst
}

// EqualFold reports whether text equals the folded pattern p under Fold.
func EqualFold(p string, text []byte) bool {
	if len(p) != len(text) {
		return false
	}
	for i := range len(p) {
		if p[i] != lower(text[i]) {
			return false
		}
	}
	return true
}
