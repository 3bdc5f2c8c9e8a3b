package chunked

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitMV(t *testing.T) {
	tests := []struct {
		cell string
		want []string
		ok   bool
	}{
		{"", nil, true},
		{"$a$", []string{"a"}, true},
		{"$a$;$b$", []string{"a", "b"}, true},
		{"$a$$b$;$$;$c$", []string{"a$b", "", "c"}, true}, // the example of scpv2.md §4.3
		{"$$$$", []string{"$"}, true},
		{"$a$$$;$b$", []string{"a$", "b"}, true},
		{"$10.0.0.1$;$2001:db8::1$", []string{"10.0.0.1", "2001:db8::1"}, true},
		{"$a;b$", []string{"a;b"}, true},
		{"a", nil, false},
		{"$a", nil, false},
		{"$a$;", nil, false},
		{"$a$b", nil, false},
		{"$a$,$b$", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.cell, func(t *testing.T) {
			vals, err := SplitMV(nil, []byte(tt.cell))
			if !tt.ok {
				assert.ErrorIs(t, err, ErrMultivalue)
				return
			}
			require.NoError(t, err)
			got := make([]string, len(vals))
			for i, v := range vals {
				got[i] = string(v)
			}
			if tt.want == nil {
				assert.Empty(t, got)
			} else {
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

func TestMVRoundTrip(t *testing.T) {
	for _, vals := range [][]string{
		{"a", "b"},
		{"$", "$$", ""},
		{"", ""},
		{"x;y", "$a$;$b$", "new\nline"},
		{"203.0.113.5", "10.0.0.1", "2001:db8::1"},
	} {
		in := make([][]byte, len(vals))
		for i, v := range vals {
			in[i] = []byte(v)
		}
		cell := AppendMV(nil, in)
		out, err := SplitMV(nil, cell)
		require.NoError(t, err, "cell %q", cell)
		got := make([]string, len(out))
		for i, v := range out {
			got[i] = string(v)
		}
		assert.Equal(t, vals, got)
	}
	assert.Empty(t, AppendMV(nil, [][]byte{[]byte("one")}), "a single value has no __mv_ cell")
	assert.Equal(t, "a\nb", string(AppendJoined(nil, [][]byte{[]byte("a"), []byte("b")})))
}
