package lookup

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, text string
		fold, match   bool
	}{
		{"", "anything", false, true},
		{"*", "", false, true},
		{"abc", "abc", false, true},
		{"abc", "abcd", false, false},
		{"a*c", "abbbc", false, true},
		{"a*c", "abbbd", false, false},
		{"*a*b*c*", "xxaxxbxxcxx", false, true},
		{"*.env", "/.env", false, true},
		{"ABC*", "abcdef", true, true},
		{"ABC*", "abcdef", false, false},
		{"a**b", "ab", false, true},
		{"*aab", "aaab", false, true},
		// Issue 8 defect 10: one folding, ASCII only, for pattern and text.
		{"CAFÉ-Scanner/*", "CAFÉ-Scanner/1.0", true, true},
		{"CAFÉ-Scanner/*", "café-scanner/1.0", true, false},
		{"\u212a*", "kube-hunter", true, false}, // the Kelvin sign is not k
		{"k*", "\u212aube-hunter", true, false},
		{"kube-hunter*", "KUBE-HUNTER/0.6", true, true},
		{"\u017f*", "scanner", true, false}, // nor is the long s an s
		{"ab*ba", "aba", false, false},      // the first and last parts may not overlap
		{"ab*ba", "abba", false, true},
		{"*abab*", "aabaabab", false, true}, // a part found after a false start
		{"a*b*b*c", "abbc", false, true},
		{"a*b*b*c", "abc", false, false},
		{"*Engine*", "Nmap Scripting Engin", false, false},
		{"*", "", false, true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.match, NewGlob(tt.pattern, tt.fold).Match([]byte(tt.text)), "%q ~ %q", tt.pattern, tt.text)
	}
}

func TestGlobStarsOnlyIsEmpty(t *testing.T) {
	for _, p := range []string{"", "*", "***"} {
		assert.True(t, NewGlob(p, true).Any(), p)
	}
	assert.False(t, NewGlob("*a*", true).Any())
}

func TestGlobLiteral(t *testing.T) {
	for p, want := range map[string]string{"Kube-Probe/*": "kube-probe/", "*x": "", "abc": "abc", "a*b*": "a", "*": ""} {
		assert.Equal(t, want, NewGlob(p, true).Literal(), p)
	}
}

// TestGlobHostile is the input that makes backtracking regex engines
// explode, and the input that made the first, greedy, matcher take
// |p|*|t| steps: a lookup row "*aaa…ab*" (4,000 a) against a user agent of
// runs of 4,000 a took 96 ms for 64 KiB; the time a match may take is
// checked by BenchmarkGlobHostile, this only that the answers are right.
func TestGlobHostile(t *testing.T) {
	g := NewGlob(strings.Repeat("*a", 30)+"b", false)
	assert.False(t, g.Match([]byte(strings.Repeat("a", 100000))))
	row := NewGlob("*"+strings.Repeat("a", 4000)+"b*", true)
	agent := []byte(strings.Repeat(strings.Repeat("a", 4000)+"c", 16))
	assert.False(t, row.Match(agent))
	assert.True(t, row.Match(append(agent, strings.Repeat("A", 4000)+"B"...)))
}

// BenchmarkGlobHostile: a hostile lookup row against a hostile 64 KiB
// user agent; per byte of text, as for any other glob.
func BenchmarkGlobHostile(b *testing.B) {
	row := NewGlob("*"+strings.Repeat("a", 4000)+"b*", true)
	agent := []byte(strings.Repeat(strings.Repeat("a", 4000)+"c", 16))
	b.SetBytes(int64(len(agent)))
	for b.Loop() {
		row.Match(agent)
	}
}

func TestEqualFold(t *testing.T) {
	assert.True(t, EqualFold("list", []byte("LIST")))
	assert.False(t, EqualFold("list", []byte("lis")))
	assert.False(t, EqualFold("kill", []byte("\u212aill")))
}

func TestIndex(t *testing.T) {
	x := NewIndex(true)
	for id, lit := range []string{"kube-probe/", "", "kube-", "curl/", "kube-probe/"} {
		x.Add(lit, int32(id))
	}
	got := func(text string) [][]int32 {
		var out [][]int32
		x.Each([]byte(text), func(ids []int32) bool { out = append(out, ids); return true })
		return out
	}
	assert.Equal(t, [][]int32{{1}, {2}, {0, 4}}, got("KUBE-PROBE/1.30"), "shortest prefix first, text folded")
	assert.Equal(t, [][]int32{{1}}, got("wget/1"))
	assert.Equal(t, [][]int32{{1}}, got(""))
	assert.Equal(t, [][]int32{{1}}, got("cur"))
	var n int
	x.Each([]byte("kube-probe/1"), func([]int32) bool { n++; return false })
	assert.Equal(t, 1, n, "stops when told")
	assert.NotPanics(t, func() { NewIndex(false).Each([]byte("x"), func([]int32) bool { return true }) })
}
