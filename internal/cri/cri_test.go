package cri

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPrefix(t *testing.T) {
	for _, tt := range []struct {
		line, text string // text: what follows the prefix; the whole line when there is none
		partial    bool
	}{
		{`2026-11-20T10:00:00.123456789Z stdout F {"kind":"Event"}`, `{"kind":"Event"}`, false},
		{`2026-11-20T10:00:00.123456789Z stderr P {"kind":"Ev`, `{"kind":"Ev`, true},
		{`2026-11-20T10:00:00Z stdout F {}`, `{}`, false},
		{`2026-11-20T10:00:00.5+01:00 stdout F x`, `x`, false},
		{`2026-11-20T10:00:00.5Z stdout F:x {}`, `{}`, false},
		{`2026-11-20T10:00:00.5Z stdout F `, ``, false}, // an empty line
		{`{"kind":"Event"}`, `{"kind":"Event"}`, false},
		{`2026-11-20T10:00:00.5Z stdin F {}`, `2026-11-20T10:00:00.5Z stdin F {}`, false},
		{`2026-11-20T10:00:00.5Z stdout X {}`, `2026-11-20T10:00:00.5Z stdout X {}`, false},
		{`2026-11-20T10:00:00.5Z stdout F`, ``, false}, // an empty line, its blank trimmed
		{"2026-11-20T10:00:00.5Z stdout P\n", "\n", true},
		{`2026-13-20T10:00:00.5Z stdout F {}`, `2026-13-20T10:00:00.5Z stdout F {}`, false},
		{`1795165200 stdout F {}`, `1795165200 stdout F {}`, false},
		{`I1120 10:00:00.000000 1 controller.go:615] quota`, `I1120 10:00:00.000000 1 controller.go:615] quota`, false},
		{``, ``, false},
		{`2`, `2`, false},
	} {
		n, _, partial := Prefix([]byte(tt.line))
		assert.Equal(t, tt.text, tt.line[n:], tt.line)
		assert.Equal(t, tt.partial, partial, tt.line)
	}
}

func TestStream(t *testing.T) {
	_, stderr, _ := Prefix([]byte("2026-11-20T10:00:00Z stderr F x"))
	assert.True(t, stderr)
	_, stderr, _ = Prefix([]byte("2026-11-20T10:00:00Z stdout F x"))
	assert.False(t, stderr)
}

func FuzzPrefix(f *testing.F) {
	f.Add([]byte(`2026-11-20T10:00:00.123456789Z stdout P {"kind"`))
	f.Fuzz(func(t *testing.T, line []byte) {
		if n, _, _ := Prefix(line); n < 0 || n > len(line) {
			t.Fatalf("prefix of %d bytes in %d", n, len(line))
		}
	})
}
