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
// explode; here it is linear in practice and bounded by |p|*|t|.
func TestGlobHostile(t *testing.T) {
	g := NewGlob(strings.Repeat("*a", 30)+"b", false)
	assert.False(t, g.Match([]byte(strings.Repeat("a", 100000))))
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
