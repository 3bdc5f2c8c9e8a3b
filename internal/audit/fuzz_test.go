package audit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/kubefingerprint/kubefingerprint/internal/jsontext"
)

// FuzzDocument: no document, however malformed, makes extraction panic or
// hang; an event reported has a wanted code or, with anonymous, an
// unauthenticated caller; a document that MayMatch rejects yields no event,
// but for the one gap mayBeCut documents: short text cut before a code
// just after a } or ].
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
	f.Add([]byte("2026-11-20T10:00:00.1Z stdout P {\"kind\":\"Event\",\"stage\":\"ResponseStarted\",\"user\":{},\n2026-11-20T10:00:00.1Z stdout F \"userAgent\":\"x"))
	plain, anon := NewExtractor([]int{401, 403}, false), NewExtractor([]int{401}, true)
	f.Fuzz(func(t *testing.T, doc []byte) {
		events := 0
		gap := len(doc) < MayBeCut && !mayBeCut(doc)
		// The prefilter's other documented gap: text that starts as an
		// AKS record or audit event is not searched for a GKE entry or a
		// payload after it (see startsAsAudit).
		mixed := startsAsAudit(doc) && (hasProtoPayload(doc) || bytes.Contains(doc, []byte(jsontext.GzipBase64)))
		plain.Read(NewDocument(doc), func(ev *Event) {
			if len(ev.Cut) == 0 || !gap {
				events++
			}
			if ev.Code != 401 && ev.Code != 403 {
				t.Fatalf("reported code %d", ev.Code)
			}
		})
		if events > 0 && !mixed && !plain.MayMatch(doc) {
			t.Fatalf("MayMatch rejects a document with %d matching events", events)
		}
		events = 0
		anon.Read(NewDocument(doc), func(ev *Event) {
			if len(ev.Cut) == 0 || !gap {
				events++
			}
			if ev.Code != 401 && !ev.Anonymous() {
				t.Fatalf("reported code %d of user %q", ev.Code, ev.User)
			}
		})
		if events > 0 && !mixed && !anon.MayMatch(doc) {
			t.Fatalf("MayMatch rejects a document with %d matching anonymous events", events)
		}
	})
}

// FuzzUnescape: decoding never grows a string, and valid escapes of any
// rune decode to it; decoding in the pass that finds a string's end
// (appendString) gives what finding the end and then decoding gives.
func FuzzUnescape(f *testing.F) {
	f.Add([]byte(`caf\u00e9 \ud83d\ude00 \"q\" \\ \/`))
	f.Add([]byte(`\ud800`))
	f.Add([]byte(`a\"b" tail`))
	f.Fuzz(func(t *testing.T, s []byte) {
		out, err := appendUnescaped(nil, s)
		if err == nil && len(out) > len(s) {
			t.Fatalf("%q unescaped to longer %q", s, out)
		}
		trimPartialEscape(s)
		if err == nil && utf8.Valid(s) && !utf8.Valid(out) {
			t.Fatalf("valid %q unescaped to invalid UTF-8 %q", s, out)
		}
		got, end, err := appendString(nil, s)
		if q := jsontext.StringEnd(s); q >= 0 {
			want, werr := appendUnescaped(nil, s[:q])
			if werr == nil && (err != nil || end != q+1 || string(got) != string(want)) {
				t.Fatalf("%q: appendString %q, %d, %v; want %q, %d", s, got, end, err, want, q+1)
			}
		} else if err == nil {
			t.Fatalf("%q has no end, appendString found one at %d", s, end)
		}
	})
}

// FuzzOnePass: on the same bytes, quick's one walk and general's
// jsonparser path, the oracle, give the same verdict and the same fields,
// with and without anonymous, whenever quick reads the event at all.
func FuzzOnePass(f *testing.F) {
	files, _ := filepath.Glob("testdata/shapes/*.json")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		x := NewExtractor([]int{401}, true)
		x.Read(NewDocument(b), func(*Event) {})
		f.Add(append([]byte(nil), x.log...)) // the decoded properties.log, when the shape has one
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"Event","user":{"username":"system:anonymous","groups":["system:unauthenticated"]},"sourceIPs":["1.2.3.4"],"responseStatus":{"code":403,"reason":"Forbidden"},"requestReceivedTimestamp":"2026-11-20T10:00:00Z"}`))
	f.Add([]byte(`{"user":{},"responseStatus":{"reason":"Unauthorized","code":"401"},"verb":"g\u0065t","userAgent":"a\"b"}`))
	f.Add([]byte(`{"responseStatus":{"code":401},"responseStatus":{"code":200}}`))
	f.Fuzz(func(t *testing.T, ev []byte) {
		ev = jsontext.TrimSpace(ev)
		if len(ev) == 0 || ev[0] != '{' {
			return
		}
		for _, anonymous := range []bool{false, true} {
			quick, general := NewExtractor([]int{401, 403}, anonymous), NewExtractor([]int{401, 403}, anonymous)
			var q, g []string
			record := func(out *[]string) func(*Event) {
				return func(ev *Event) { *out = append(*out, eventText(ev)) }
			}
			var r reader
			r.reset(ev)
			if !quick.quick(&r, []byte("C"), record(&q), true) {
				continue
			}
			err := general.general(ev, []byte("C"), record(&g))
			if err != nil || quick.seen != general.seen || fmt.Sprint(q) != fmt.Sprint(g) {
				t.Fatalf("anonymous=%v: quick %q (seen %d), general %q (seen %d, %v)", anonymous, q, quick.seen, g, general.seen, err)
			}
		}
	})
}

func eventText(ev *Event) string {
	return fmt.Sprintf("%d %q %q %q %q %q %q %q %q %q %q %q %q", ev.Code, ev.CodeText, ev.SourceIPs, ev.UserAgent, ev.Verb,
		ev.RequestURI, ev.Reason, ev.Time, ev.Cluster, ev.User, ev.Groups, ev.AuditID, ev.Stage)
}

// FuzzQuoted: a record read as it lies in a chunk body, every quote
// doubled, gives what the same record gives once unquoted, whenever the
// quoted reading takes it at all.
func FuzzQuoted(f *testing.F) {
	files, _ := filepath.Glob("testdata/shapes/*.json")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"Event","properties":{"log":"{\"responseStatus\":{\"code\":401}}"},"responseStatus":{"code":403}}`))
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, anonymous := range []bool{false, true} {
			plain, quoted := NewExtractor([]int{401, 403}, anonymous), NewExtractor([]int{401, 403}, anonymous)
			var p, q []string
			perr := plain.Read(NewDocument(text), func(ev *Event) { p = append(p, eventText(ev)) })
			quoted.src = NewDocument(nil)
			done, qerr := quoted.quoted(bytes.ReplaceAll(text, []byte(`"`), []byte(`""`)), func(ev *Event) { q = append(q, eventText(ev)) })
			if !done || quoted.seen == 0 {
				continue
			}
			if perr != qerr || quoted.seen != plain.seen || fmt.Sprint(p) != fmt.Sprint(q) {
				t.Fatalf("anonymous=%v: unquoted %q (%v, seen %d), quoted %q (%v, seen %d)", anonymous, p, perr, plain.seen, q, qerr, quoted.seen)
			}
		}
	})
}
