package conf

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	f, err := Parse(strings.NewReader("top = 1\n# comment\n\n[a b]\nk = v = w\nlong = one \\\ntwo\n[c]\n  x=  y  \n"))
	require.NoError(t, err)
	assert.Equal(t, File{
		"default": {"top": "1"},
		"a b":     {"k": "v = w", "long": "one \ntwo"},
		"c":       {"x": "y"},
	}, f)
}

func TestParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		"[a\n":            "line 1: stanza header",
		"[a]\nnovalue\n":  "line 2",
		"[a]\n= v\n":      "line 2",
		"[a]\nk=1\nk=2\n": "line 3: k set twice",
		"[a]\n[b]\n[a]\n": "line 3: stanza [a] appears twice",
	} {
		_, err := Parse(strings.NewReader(in))
		assert.ErrorContains(t, err, want, in)
	}
}
