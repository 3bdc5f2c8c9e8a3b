package chunked

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// The encoder of release 0.1.0, kept as the oracle that AppendField and
// AppendText must match byte for byte: utf8.Valid, then bytes.ToValidUTF8,
// then bytes.ContainsAny for quoting.
func appendFieldV010(dst, v []byte) []byte {
	if !bytes.ContainsAny(v, ",\"\r\n") {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for {
		j := bytes.IndexByte(v, '"')
		if j < 0 {
			break
		}
		dst = append(dst, v[:j+1]...)
		dst = append(dst, '"')
		v = v[j+1:]
	}
	dst = append(dst, v...)
	return append(dst, '"')
}

func appendTextV010(dst, v []byte) []byte {
	if !utf8.Valid(v) {
		v = bytes.ToValidUTF8(v, []byte("\uFFFD"))
	}
	return appendFieldV010(dst, v)
}

// hostileValues are the bytes an audit event can carry into a reply field.
var hostileValues = []string{
	"", "plain", "kubectl/v1.30.1 (linux/amd64) kubernetes/6911225", "a,b", `say "hi"`, `"`, `""`, ",\n\"",
	"two\nlines", "cr\rx", "\r\n", "$HOME", "ทt", "caf\u00e9", "\uFFFD", "\uFFFD\xff", "\xff", "\xff\xfe",
	"a\xffb\xfec", "\xff,\xfe", "\xc3", "\xc3,", "\xc3\"", "\xe2\x82", "\xe2\x82\"x", "\xf0\x9f\x98", "\xf0\x9f\x98\x80",
	"\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "\x00\x01\x7f", "12345678", "1234567,", "123456789\xff",
	"/api/v1/\xff\xfe\"x\",\r\n/caf\xc3\xa9?q=\xe2\x82",
}

func TestAppendMatchesRelease010(t *testing.T) {
	for _, v := range hostileValues {
		assert.Equal(t, string(appendFieldV010(nil, []byte(v))), string(AppendField(nil, []byte(v))), "AppendField %q", v)
		assert.Equal(t, string(appendTextV010(nil, []byte(v))), string(AppendText(nil, []byte(v))), "AppendText %q", v)
		got := AppendText([]byte("prefix,"), []byte(v))
		assert.True(t, utf8.Valid(got), "AppendText %q wrote invalid UTF-8 %q", v, got)
	}
}

// TestAppendMatchesRelease010Random compares the encoders on random values
// drawn mostly from the bytes that matter: the quoting bytes, ASCII, lead
// and continuation bytes of UTF-8, and bytes that are never UTF-8.
func TestAppendMatchesRelease010Random(t *testing.T) {
	alphabet := []byte(",\"\r\nab/ \x00\x7f\x80\xbf\xc0\xc1\xc2\xc3\xdf\xe0\xe2\xed\xef\xf0\xf4\xf5\xfe\xff")
	rng := rand.New(rand.NewPCG(11, 0))
	var v, want, got []byte
	for range 200000 {
		v = v[:0]
		for n := rng.IntN(24); n > 0; n-- {
			if rng.IntN(4) == 0 {
				v = append(v, byte(rng.IntN(256)))
			} else {
				v = append(v, alphabet[rng.IntN(len(alphabet))])
			}
		}
		want, got = appendTextV010(want[:0], v), AppendText(got[:0], v)
		if !bytes.Equal(want, got) {
			t.Fatalf("AppendText(%q) = %q, release 0.1.0 wrote %q", v, got, want)
		}
		want, got = appendFieldV010(want[:0], v), AppendField(got[:0], v)
		if !bytes.Equal(want, got) {
			t.Fatalf("AppendField(%q) = %q, release 0.1.0 wrote %q", v, got, want)
		}
	}
}

// FuzzAppend: for any bytes, AppendField and AppendText write what release
// 0.1.0's encoder wrote.
func FuzzAppend(f *testing.F) {
	for _, v := range hostileValues {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		if want, got := appendFieldV010(nil, v), AppendField(nil, v); !bytes.Equal(want, got) {
			t.Fatalf("AppendField(%q) = %q, release 0.1.0 wrote %q", v, got, want)
		}
		if want, got := appendTextV010(nil, v), AppendText(nil, v); !bytes.Equal(want, got) {
			t.Fatalf("AppendText(%q) = %q, release 0.1.0 wrote %q", v, got, want)
		}
	})
}

// BenchmarkAppendText writes the values of a typical reply row.
func BenchmarkAppendText(b *testing.B) {
	values := [][]byte{[]byte("1795165200.500118"), []byte("203.0.113.7\n10.224.0.4"),
		[]byte("nuclei - Open-source project (github.com/projectdiscovery/nuclei)"), []byte("list"),
		[]byte("/api/v1/namespaces/kube-system/secrets"), []byte("Unauthorized"), []byte("AKS-PROD-WEU"),
		[]byte("203.0.113.7"), nil, []byte("401"), []byte("nuclei"), []byte("5d1a3f0e-0013-4000-8000-000000000013"),
		[]byte("ResponseStarted"), nil, []byte("$203.0.113.7$;$10.224.0.4$"), nil, []byte("4711")}
	n := 0
	for _, v := range values {
		n += len(v)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	var dst []byte
	for b.Loop() {
		dst = dst[:0]
		for _, v := range values {
			dst = AppendText(dst, v)
		}
	}
}
