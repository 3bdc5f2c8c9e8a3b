package lookup

import (
	"bytes"
	"strings"
)

// A Glob is a pattern cell in which * stands for any run of bytes. It is
// matched without regular expressions and in time linear in the pattern
// and the text, however both were built: the text must start with the part
// before the first star and end with the part after the last, and the
// parts between are found leftmost, in order, each by a
// Knuth-Morris-Pratt search that never reads a byte of the text twice. A
// lookup row and a user agent, both written by whoever likes, cannot make
// matching slow together.
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
	parts   []string  // pattern split at its stars; nil without a star
	fail    [][]int32 // the KMP failure table of each part between stars
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
	g := Glob{pattern: pattern, fold: fold}
	if strings.IndexByte(pattern, '*') >= 0 {
		g.parts = strings.Split(pattern, "*")
		for _, part := range g.parts[1 : len(g.parts)-1] {
			g.fail = append(g.fail, failure(part))
		}
	}
	return g
}

// failure is the KMP failure table of p: for each prefix p[:i+1], the
// length of its longest proper prefix that is also its suffix.
func failure(p string) []int32 {
	f := make([]int32, len(p))
	for i, k := 1, int32(0); i < len(p); i++ {
		for k > 0 && p[i] != p[k] {
			k = f[k-1]
		}
		if p[i] == p[k] {
			k++
		}
		f[i] = k
	}
	return f
}

// Any reports whether the glob matches anything.
func (g Glob) Any() bool { return g.pattern == "" }

// Literal is the text every match starts with: the pattern up to its
// first star, folded when the glob folds.
func (g Glob) Literal() string {
	if g.parts != nil {
		return g.parts[0]
	}
	return g.pattern
}

// End is the text every match ends with: the pattern after its last
// star, folded when the glob folds; "" for a pattern without a star, whose
// Literal is all of it.
func (g Glob) End() string {
	if g.parts != nil {
		return g.parts[len(g.parts)-1]
	}
	return ""
}

// Match reports whether text matches the glob.
func (g Glob) Match(text []byte) bool {
	if g.pattern == "" {
		return true
	}
	if g.parts == nil {
		return g.equal(g.pattern, text)
	}
	first, last := g.parts[0], g.parts[len(g.parts)-1]
	if len(text) < len(first)+len(last) || !g.equal(first, text[:len(first)]) || !g.equal(last, text[len(text)-len(last):]) {
		return false
	}
	text = text[len(first) : len(text)-len(last)]
	for i, part := range g.parts[1 : len(g.parts)-1] {
		if part == "" {
			continue // two stars in a row
		}
		at := g.index(text, part, g.fail[i])
		if at < 0 {
			return false
		}
		text = text[at+len(part):]
	}
	return true
}

// equal reports whether text is p (folded when the glob folds).
func (g Glob) equal(p string, text []byte) bool {
	if g.fold {
		return EqualFold(p, text)
	}
	return p == string(text)
}

// index is where p, a part of the pattern with failure table fail, first
// occurs in text, or -1.
func (g Glob) index(text []byte, p string, fail []int32) int {
	k := int32(0)
	for i := 0; i < len(text); i++ {
		if k == 0 {
			// Nothing matched yet: skip to the part's first byte.
			if i = g.first(text, i, p[0]); i < 0 {
				return -1
			}
		}
		c := g.lower(text[i])
		for k > 0 && p[k] != c {
			k = fail[k-1]
		}
		if p[k] == c {
			k++
		}
		if int(k) == len(p) {
			return i + 1 - len(p)
		}
	}
	return -1
}

// first is where the first byte from i on that folds to c (folded) is,
// or -1.
func (g Glob) first(text []byte, i int, c byte) int {
	if g.fold && 'a' <= c && c <= 'z' {
		upper := c - 'a' + 'A'
		for ; i < len(text); i++ {
			if b := text[i]; b == c || b == upper {
				return i
			}
		}
		return -1
	}
	if j := bytes.IndexByte(text[i:], c); j >= 0 {
		return i + j
	}
	return -1
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
