package lookup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad: any file content, opened and read as a lookup, never panics;
// reading from the file gives what parsing the bytes gives; every row kept
// has one cell per column and starts after the header, in order; and the
// warnings stay capped.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("sourceIP,userAgent,verb,requestURI,cluster,expires,comment\n10.0.0.0/8,kube-probe*,get,/healthz,aks-*,2026-12-31,probes\n"))
	f.Add([]byte("\ufeff\"sourceIP\",\"comment\"\n\"198.51.100.7\",\"a \"\"b\"\"\"\n"))
	f.Add([]byte("a,b\nkube\"hunter,1\n\"never closed,2\n3,4\r\n\"x\"y,5\n"))
	f.Add([]byte("\xff\xfea\x00,\x00b\x00\n\x001\x00,\x002\x00\n\x00"))
	f.Add([]byte("a\r1\r2\r"))
	f.Add([]byte("\x00\x01\x02"))
	dir := filepath.Join(f.TempDir(), "lookups")
	if err := os.Mkdir(dir, 0o755); err != nil {
		f.Fatal(err)
	}
	path := filepath.Join(dir, "fuzz.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var w1, w2 Warnings
		tb, err := Load(path, dir, &w1)
		tb2, err2 := Parse("fuzz.csv", data, &w2)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("Load: %v, Parse: %v", err, err2)
		}
		if err != nil {
			if _, ok := err.(*RefusedError); !ok {
				t.Fatalf("not a RefusedError: %v", err)
			}
			return
		}
		if len(tb.Rows) != len(tb2.Rows) {
			t.Fatalf("Load gave %d rows, Parse %d", len(tb.Rows), len(tb2.Rows))
		}
		last := tb.HeaderLine
		for _, r := range tb.Rows {
			if len(r.Cells) != len(tb.Header) {
				t.Fatalf("line %d: %d cells, header %d", r.Line, len(r.Cells), len(tb.Header))
			}
			if r.Line <= last {
				t.Fatalf("line %d after line %d", r.Line, last)
			}
			last = r.Line
		}
		if len(w1.Messages()) > MaxWarnings+1 {
			t.Fatalf("%d warnings", len(w1.Messages()))
		}
	})
}

// FuzzGlob: the matcher answers as the reference matcher does; a pattern
// without a star matches exactly itself, and folding is one rule on both
// sides: a folding glob answers as a plain glob over the folded pattern
// and text.
func FuzzGlob(f *testing.F) {
	f.Add("*a*b", "xxaxxb", true)
	f.Add("kube-*", "KUBE-probe", true)
	f.Add("CAFÉ-*", "café-x", true)
	f.Fuzz(func(t *testing.T, pattern, text string, fold bool) {
		g := NewGlob(pattern, fold)
		got := g.Match([]byte(text))
		if !strings.Contains(pattern, "*") && !fold && got != (pattern == "" || pattern == text) {
			t.Fatalf("%q ~ %q = %v", pattern, text, got)
		}
		if fold {
			plain := NewGlob(string(Fold(nil, []byte(pattern))), false)
			if want := plain.Match(Fold(nil, []byte(text))); got != want {
				t.Fatalf("%q ~ %q: folding %v, folded plain %v", pattern, text, got, want)
			}
		}
		if want := greedy(g.pattern, g.fold, []byte(text)); got != want {
			t.Fatalf("%q ~ %q: %v, the reference matcher %v", pattern, text, got, want)
		}
		if lit := g.Literal(); got && !strings.HasPrefix(string(Fold(nil, []byte(text))), lit) && !strings.HasPrefix(text, lit) {
			t.Fatalf("%q matches %q but does not start with its literal %q", pattern, text, lit)
		}
	})
}

// greedy is the first release's matcher, kept as the reference: right, and
// simple enough to see so, but |pattern|*|text| steps at worst. p is
// folded when fold.
func greedy(p string, fold bool, text []byte) bool {
	if p == "" {
		return true
	}
	var pi, ti int
	star, next := -1, 0
	for ti < len(text) {
		if pi < len(p) {
			c := text[ti]
			if fold {
				c = lower(c)
			}
			switch {
			case p[pi] == '*':
				star, next = pi, ti
				pi++
				continue
			case p[pi] == c:
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
