package jsonstream

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kubefingerprint/kubefingerprint/internal/jsontext"
)

// FuzzReader splits arbitrary input. It never panics and always advances;
// the pieces the input is read in change nothing; every whole document is
// an object; and where the input is valid JSON (one value, or one object a
// line) the documents are exactly its objects.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		`{"a":1}` + "\n" + `{"b":[1,2,{"c":"}"}]}`,
		"{\n \"records\": [\n  {\"a\": 1},\n  {\"b\": 2}\n ]\n}\n",
		"{\"kind\":\"Event\",\"userAgent\":\"cut mid-str\n{\"a\":1}\n",
		`["", {}]`,
		"[[[[{\"a\":1}]]]]\n[1,\"x\",null]",
		"\xEF\xBB\xBF{\"a\":\"\\\"\"}",
		"I1120 klog\n{\"a\":1} x\n{\"b\":2",
		"2026-11-20T10:00:00.123456789Z stdout P {\"a\":\n2026-11-20T10:00:00.123456789Z stdout F 1}\n\n\n{\"b\":2}",
		"H4sIAAAA\r\n{\"a\":1}\nH4sI",
	} {
		f.Add([]byte(s))
	}
	f.Add(utf16Text("{\"a\":\"\U0001F433\"}\r\n{\"b\":1}", false))
	f.Add(utf16Text("[{\"a\":1},\n{\"b\":", true))
	f.Fuzz(func(t *testing.T, in []byte) {
		small, errSmall := readAll(t, in, 16)
		large, errLarge := readAll(t, in, 4096)
		if (errSmall == nil) != (errLarge == nil) {
			t.Fatalf("errors differ with the buffer size: %v, %v", errSmall, errLarge)
		}
		if len(small) != len(large) {
			t.Fatalf("%d documents with a 16-byte buffer, %d with a large one:\n%+v\n%+v", len(small), len(large), small, large)
		}
		for i := range small {
			a, b := small[i], large[i]
			if a.Line != b.Line || a.Text != b.Text || a.Skipped != b.Skipped || (a.Problem == "") != (b.Problem == "") {
				t.Fatalf("document %d differs with the buffer size:\n%+v\n%+v", i, a, b)
			}
			object := strings.HasPrefix(a.Text, "{") && strings.HasSuffix(a.Text, "}")
			if a.Problem == "" && !object && !jsontext.IsPayload([]byte(a.Text)) {
				t.Fatalf("whole document %d is neither an object nor a payload: %q", i, a.Text)
			}
		}
		if want, ok := oracle(in); ok {
			if len(want) != len(large) {
				t.Fatalf("valid JSON: want %d documents, got %+v", len(want), large)
			}
			for i, w := range want {
				got := large[i]
				if w == "" {
					if !got.Skipped {
						t.Fatalf("element %d: want it skipped, got %+v", i, got)
					}
				} else if got.Text != w || got.Problem != "" {
					t.Fatalf("document %d: want %q, got %+v", i, w, got)
				}
			}
		}
	})
}

// oracle returns the documents valid JSON input holds, with "" for an
// array element that is not an object, using encoding/json; ok is false
// when the input is not one valid value nor valid objects one a line.
func oracle(in []byte) ([]string, bool) {
	if json.Valid(in) {
		var out []string
		collect(trimJSONSpace(in), &out)
		return out, true
	}
	var out []string
	for _, line := range bytes.Split(in, []byte("\n")) {
		line = trimJSONSpace(line)
		if len(line) == 0 {
			continue
		}
		if line[0] != '{' || !json.Valid(line) {
			return nil, false
		}
		out = append(out, string(line))
	}
	return out, true
}

func collect(v []byte, out *[]string) {
	switch v[0] {
	case '{':
		*out = append(*out, string(v))
	case '[':
		var elems []json.RawMessage
		if json.Unmarshal(v, &elems) == nil {
			for _, e := range elems {
				collect(trimJSONSpace(e), out)
			}
		}
	default:
		*out = append(*out, "")
	}
}

// trimJSONSpace trims the blanks JSON allows, which are fewer than Unicode's.
func trimJSONSpace(b []byte) []byte { return bytes.Trim(b, " \t\r\n") }
