package audit

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzDocument: no document, however malformed, makes extraction panic or
// hang; an event reported has a wanted code or, with anonymous, an
// unauthenticated caller; a document that MayMatch rejects yields no event.
func FuzzDocument(f *testing.F) {
	files, _ := filepath.Glob("testdata/shapes/*.json")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"records":[{"properties":{"log":"{\"responseStatus\":{\"code\":401}}"}}]}`))
	f.Add([]byte(`{"body":{"body":{"body":{"kind":"Event","responseStatus":{"code":"401"}}}}}`))
	f.Add([]byte(`[{"kind":"Event","user":{"username":"system:anonymou\u0073"},"responseStatus":{"code":200}}]` + "\n{}"))
	plain, anon := NewExtractor([]int{401, 403}, false), NewExtractor([]int{401}, true)
	f.Fuzz(func(t *testing.T, doc []byte) {
		events := 0
		plain.Read(NewDocument(doc), func(ev *Event) {
			events++
			if ev.Code != 401 && ev.Code != 403 {
				t.Fatalf("reported code %d", ev.Code)
			}
		})
		if events > 0 && !plain.MayMatch(doc) {
			t.Fatalf("MayMatch rejects a document with %d matching events", events)
		}
		events = 0
		anon.Read(NewDocument(doc), func(ev *Event) {
			events++
			if ev.Code != 401 && !ev.Anonymous() {
				t.Fatalf("reported code %d of user %q", ev.Code, ev.User)
			}
		})
		if events > 0 && !anon.MayMatch(doc) {
			t.Fatalf("MayMatch rejects a document with %d matching anonymous events", events)
		}
		ValueEnd(doc)
	})
}

// FuzzUnescape: decoding never grows a string, and valid escapes of any
// rune decode to it.
func FuzzUnescape(f *testing.F) {
	f.Add([]byte(`caf\u00e9 \ud83d\ude00 \"q\" \\ \/`))
	f.Add([]byte(`\ud800`))
	f.Fuzz(func(t *testing.T, s []byte) {
		out, err := appendUnescaped(nil, s)
		if err == nil && len(out) > len(s) {
			t.Fatalf("%q unescaped to longer %q", s, out)
		}
		trimPartialEscape(s)
		if err == nil && utf8.Valid(s) && !utf8.Valid(out) {
			t.Fatalf("valid %q unescaped to invalid UTF-8 %q", s, out)
		}
	})
}
