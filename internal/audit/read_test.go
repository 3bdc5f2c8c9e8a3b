package audit

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/audit/audittest"
)

// row is what a test compares of a reported event.
type row struct {
	ID, Cluster, Code, User, URI, Reason, Time, UserAgent, SrcIP string
	Cut                                                          string
}

func rowOf(ev *Event) row {
	return row{string(ev.AuditID), string(ev.Cluster), string(ev.CodeText), string(ev.User), string(ev.RequestURI),
		string(ev.Reason), string(ev.Time), string(ev.UserAgent), string(ev.SrcIP()), string(ev.Cut)}
}

// fields is a Source with every field at hand.
type fields struct {
	raw, log [][]byte
	rid      []byte
}

func (f *fields) Raw() [][]byte      { return f.raw }
func (f *fields) Log() [][]byte      { return f.log }
func (f *fields) ResourceID() []byte { return f.rid }

func read(x *Extractor, src Source) ([]row, error) {
	var rows []row
	err := x.Read(src, func(ev *Event) { rows = append(rows, rowOf(ev)) })
	return rows, err
}

func readText(x *Extractor, text string) ([]row, error) {
	return read(x, NewDocument([]byte(text)))
}

func ids(rows []row) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

// ev returns an event of the given code; 401s carry "user":{} as real
// rejected credentials do.
func ev(id string, code int) audittest.Event {
	e := audittest.Event{AuditID: id, URI: "/api/v1/namespaces/kube-system/secrets?probe=" + id, Verb: "list",
		User: "system:serviceaccount:kube-system:generic-garbage-collector", Groups: []string{"system:serviceaccounts", "system:authenticated"},
		SourceIPs: []string{"198.51.100.7", "203.0.113.9"}, UserAgent: "kube-hunter/0.6.8", Code: code,
		Time: "2026-11-20T10:00:00.123456Z"}
	switch code {
	case 401:
		e.User, e.Groups, e.Reason, e.Stage = "", nil, "Unauthorized", "ResponseStarted"
	case 403:
		e.Reason = "Forbidden"
	}
	return e
}

func rec(e audittest.Event, cluster string) string {
	return audittest.Record("kube-audit", e.JSON(), audittest.ResourceID("RG-PROD-SHARED", cluster), "2026-11-20T10:00:01Z")
}

// TestCutBatch: a {"records":[...]} batch cut short, as Splunk's TRUNCATE
// cuts _raw, yields every record that is complete before the cut (issue 8,
// defect 1), bare or under an Event Hub body; the record the cut falls in
// yields its row when its code lies before the cut or, cut before its
// code, when it is a failed authentication (its 401 inferred).
func TestCutBatch(t *testing.T) {
	x := NewExtractor([]int{401}, false)
	threeRecords := audittest.Batch(rec(ev("a", 200), "C1"), rec(ev("b", 401), "C2"), rec(ev("c", 401), "C3"))
	fourAfter200 := audittest.Batch(rec(ev("a", 200), "C1"), rec(ev("b", 401), "C2"), rec(ev("c", 401), "C3"),
		rec(ev("d", 401), "C4"), rec(ev("e", 401), "C5"), rec(ev("f", 401), "C6"))
	straddle := audittest.Batch(rec(ev("a", 401), "C1"), rec(ev("b", 401), "C2"))
	codeAt := strings.LastIndex(straddle, `401}`)
	authenticated := ev("b", 401)
	authenticated.User = "alice"
	straddleUser := audittest.Batch(rec(ev("a", 401), "C1"), rec(authenticated, "C2"))
	userCodeAt := strings.LastIndex(straddleUser, `401}`)
	for _, tt := range []struct {
		name string
		text string
		want []string
	}{
		{"200, 401, 401, last 5 bytes cut", threeRecords[:len(threeRecords)-5], []string{"b", "c"}},
		{"the same under body", audittest.EventHub(threeRecords)[:len(audittest.EventHub(threeRecords))-80], []string{"b", "c"}},
		{"a 200 and four complete 401s before the cut", fourAfter200[:strings.Index(fourAfter200, `"auditID\":\"f`)], []string{"b", "c", "d", "e"}},
		{"straddling record cut after its code", straddle[:codeAt+len(`401}`)], []string{"a", "b"}},
		{"straddling failed authentication cut inside its code", straddle[:codeAt+2], []string{"a", "b"}},
		{"straddling failed authentication cut before its code", straddle[:codeAt-30], []string{"a", "b"}},
		{"straddling record of a user cut after its code", straddleUser[:userCodeAt+len(`401}`)], []string{"a", "b"}},
		{"straddling record of a user cut inside its code", straddleUser[:userCodeAt+2], []string{"a"}},
		{"straddling record of a user cut before its code", straddleUser[:userCodeAt-30], []string{"a"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rows, _ := readText(x, tt.text)
			assert.Equal(t, tt.want, ids(rows))
		})
	}
	rows, err := readText(x, threeRecords)
	require.NoError(t, err)
	assert.Equal(t, []string{"C2", "C3"}, []string{rows[0].Cluster, rows[1].Cluster}, "each record's own cluster")
}

// TestSeveralRecordsInOneEvent: line merging and concatenated JSON put
// several records in one event; every one is read (issue 8, defect 4), as
// is a top-level array, and text that is not JSON between them is passed
// over.
func TestSeveralRecordsInOneEvent(t *testing.T) {
	x := NewExtractor([]int{401}, false)
	a, b, c := rec(ev("a", 401), "C1"), rec(ev("b", 200), "C2"), rec(ev("c", 401), "C3")
	for _, tt := range []struct {
		name, text string
		want       []string
		err        error
	}{
		{"line-merged", a + "\n" + b + "\n" + c, []string{"a", "c"}, nil},
		{"line-merged, CRLF", a + "\r\n" + c + "\r\n", []string{"a", "c"}, nil},
		{"concatenated", a + c, []string{"a", "c"}, nil},
		{"top-level array", "[" + a + ",\n" + b + "," + c + "]", []string{"a", "c"}, nil},
		{"array of batches", "[" + audittest.Batch(a) + "," + audittest.EventHub(c) + "]", []string{"a", "c"}, nil},
		{"klog line between", a + "\nI1120 09:01:15.000123 controller.go:615] quota\n" + c, []string{"a", "c"}, ErrNotJSON},
		{"a record after a byte order mark", "\xef\xbb\xbf" + a, []string{"a"}, nil},
		{"a bare event and a record", ev("e", 401).JSON() + "\n" + c, []string{"e", "c"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readText(x, tt.text)
			assert.Equal(t, tt.want, ids(rows))
			assert.Equal(t, tt.err, err)
		})
	}
}

// TestCategory: the audit event is read whatever the record's category
// says (issue 8, defect 3); the data macro chooses categories. Klog text is
// not JSON: skipped, and reported as such.
func TestCategory(t *testing.T) {
	x := NewExtractor([]int{401}, false)
	event := ev("a", 401).JSON()
	rid := audittest.ResourceID("RG", "C1")
	for _, category := range []string{"kube-audit", "kube-audit-admin", "kube-apiserver", "guard", ""} {
		t.Run("category "+category, func(t *testing.T) {
			record := audittest.Record(category, event, rid, "2026-11-20T10:00:01Z")
			rows, err := readText(x, record)
			require.NoError(t, err)
			assert.Equal(t, []string{"a"}, ids(rows))
			// The same through the extracted field, with _raw not JSON.
			rows, err = read(x, &fields{raw: [][]byte{[]byte("<14>Nov 20 syslog " + record)}, log: [][]byte{[]byte(audittest.Log(event))}, rid: []byte(rid)})
			require.NoError(t, err)
			assert.Equal(t, []string{"a"}, ids(rows))
		})
	}
	klog := audittest.Record("kube-apiserver", "I1120 09:01:15.000123 1 controller.go:615] code 401", rid, "2026-11-20T10:00:01Z")
	rows, err := readText(x, klog)
	assert.Empty(t, rows)
	assert.Equal(t, ErrNotJSON, err)
	assert.False(t, HoldsJSON([]byte(klog)), "klog is counted when dropped unread")
	assert.False(t, HoldsJSON([]byte(strings.ReplaceAll(klog, `"`, `""`))), "also CSV-quoted")
	assert.True(t, HoldsJSON([]byte(audittest.Record("kube-apiserver", event, rid, ""))))
}

// TestClusterEveryPath: the cluster is the last segment of the record's
// own resourceId on every path (issue 8, defect 2), else of the resourceId
// Splunk extracted; never the whole resourceId.
func TestClusterEveryPath(t *testing.T) {
	x := NewExtractor([]int{401}, false)
	event := ev("a", 401)
	rid := audittest.ResourceID("RG-PROD-SHARED", "AKS-DEV")
	record := audittest.Record("kube-audit", event.JSON(), rid, "2026-11-20T10:00:01Z")
	extracted := []byte(audittest.ResourceID("RG-OTHER", "FROM-SPLUNK"))
	for _, tt := range []struct {
		name string
		src  Source
		want string
	}{
		{"record in _raw", NewDocument([]byte(record)), "AKS-DEV"},
		{"record in _raw, resourceId extracted too", &fields{raw: [][]byte{[]byte(record)}, rid: []byte(rid)}, "AKS-DEV"},
		{"extracted properties.log and resourceId", &fields{log: [][]byte{[]byte(audittest.Log(event.JSON()))}, rid: []byte(rid)}, "AKS-DEV"},
		{"Event Hub record in _raw", NewDocument([]byte(audittest.EventHub(record))), "AKS-DEV"},
		{"object log", NewDocument([]byte(audittest.ObjectRecord(event.JSON(), rid, ""))), "AKS-DEV"},
		{"bare event with an extracted resourceId", &fields{raw: [][]byte{[]byte(event.JSON())}, rid: extracted}, "FROM-SPLUNK"},
		{"bare event", NewDocument([]byte(event.JSON())), ""},
		{"resourceId with escapes", NewDocument([]byte(strings.Replace(record, "/MANAGEDCLUSTERS/", `\/MANAGEDCLUSTERS\/`, 1))), "AKS-DEV"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := read(x, tt.src)
			require.NoError(t, err)
			require.Len(t, rows, 1)
			assert.Equal(t, tt.want, rows[0].Cluster)
		})
	}
	// A batch: each record's own cluster, not the first's.
	rows, err := readText(x, audittest.Batch(rec(ev("a", 401), "C1"), rec(ev("b", 401), "C2"), rec(ev("c", 401), "C3")))
	require.NoError(t, err)
	assert.Equal(t, []row{{Cluster: "C1"}, {Cluster: "C2"}, {Cluster: "C3"}}, clustersOnly(rows))
	// A resourceId the input ends inside names no cluster.
	cut := record[:strings.Index(record, "AKS-DEV")+3]
	rows, _ = readText(x, cut)
	require.Len(t, rows, 1)
	assert.Empty(t, rows[0].Cluster, "a cut AKS-DEV is not AKS")
}

func clustersOnly(rows []row) []row {
	out := make([]row, len(rows))
	for i, r := range rows {
		out[i] = row{Cluster: r.Cluster}
	}
	return out
}

// TestAnonymousRule: with anonymous, every event with a response whose
// caller was unauthenticated is reported, whatever its code; the codes
// still apply; each event once. An event without a response never is.
func TestAnonymousRule(t *testing.T) {
	base := audittest.Event{AuditID: "x", URI: "/", SourceIPs: []string{"203.0.113.9"}, UserAgent: "curl/8.5.0", Time: "2026-11-20T10:00:00Z"}
	with := func(f func(*audittest.Event)) string {
		e := base
		f(&e)
		return e.JSON()
	}
	for _, tt := range []struct {
		name            string
		event           string
		plain, anonMode bool // reported with codes=401, without and with anonymous
		anonymous       bool // Event.Anonymous
	}{
		{"system:anonymous alone, 403", with(func(e *audittest.Event) { e.User, e.Code = "system:anonymous", 403 }), false, true, true},
		{"system:anonymous alone, 200", with(func(e *audittest.Event) { e.User, e.Code = "system:anonymous", 200 }), false, true, true},
		{"system:unauthenticated group alone", with(func(e *audittest.Event) { e.Groups, e.Code = []string{"system:unauthenticated"}, 403 }), false, true, true},
		{"both, 403", with(func(e *audittest.Event) { *e = audittest.Anonymous(*e); e.Code = 403 }), false, true, true},
		{"authenticated user, 403", with(func(e *audittest.Event) {
			e.User, e.Groups, e.Code = "alice", []string{"system:authenticated"}, 403
		}), false, false, false},
		{`"user":{} with 401`, with(func(e *audittest.Event) { e.Code = 401 }), true, true, false},
		{"anonymous 401, reported once", with(func(e *audittest.Event) { *e = audittest.Anonymous(*e); e.Code = 401 }), true, true, true},
		{"no responseStatus", with(func(e *audittest.Event) { *e = audittest.Anonymous(*e); e.Stage = "RequestReceived" }), false, false, true},
		{"code as a string", with(func(e *audittest.Event) { *e = audittest.Anonymous(*e); e.CodeJSON = `"403"` }), false, true, true},
		{"401 as a string", with(func(e *audittest.Event) { e.CodeJSON = `"401"` }), true, true, false},
		{"username escaped", strings.Replace(with(func(e *audittest.Event) { e.User, e.Code = "system:anonymous", 403 }),
			"system:anonymous", `system:anonymou\u0073`, 1), false, true, true},
		{"group escaped", strings.Replace(with(func(e *audittest.Event) { e.Groups, e.Code = []string{"system:unauthenticated"}, 403 }),
			"system:unauthenticated", `\u0073ystem:unauthenticated`, 1), false, true, true},
		{"a lookalike user", with(func(e *audittest.Event) { e.User, e.Code = "system:anonymous ", 403 }), false, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, anonymous := range []bool{false, true} {
				x := NewExtractor([]int{401}, anonymous)
				record := audittest.Record("kube-audit", tt.event, audittest.ResourceID("RG", "C"), "")
				for _, text := range []string{tt.event, record} {
					var got []*Event
					err := x.Read(NewDocument([]byte(text)), func(ev *Event) {
						e := *ev
						got = append(got, &e)
						assert.Equal(t, tt.anonymous, ev.Anonymous())
					})
					require.NoError(t, err)
					want := tt.plain
					if anonymous {
						want = tt.anonMode
					}
					assert.Equal(t, want, len(got) == 1, "anonymous=%v: %d rows", anonymous, len(got))
					assert.LessOrEqual(t, len(got), 1, "each event once")
					if want {
						assert.True(t, x.MayMatch([]byte(text)), "the prefilter lets it through")
						assert.True(t, x.MayMatch([]byte(strings.ReplaceAll(text, `"`, `""`))), "also CSV-quoted")
					}
				}
			}
		})
	}
}

// TestMayMatch: the prefilter drops only what cannot match.
func TestMayMatch(t *testing.T) {
	plain := NewExtractor([]int{401}, false)
	anon := NewExtractor([]int{401}, true)
	for _, tt := range []struct {
		text        string
		plain, anon bool
	}{
		{`{"user":{"username":"system:anonymous"},"responseStatus":{"code":403}}`, false, true},
		{`{"user":{"groups":["system:unauthenticated"]}}`, false, true},
		{`{"user":{"username":"alice"},"responseStatus":{"code":403},"requestURI":"/a?b=1\u0026c=2"}`, false, false},
		{`{"user":{"username":"\u0073ystem:anonymous"}}`, false, true},
		{`{"user":{"username":"system\u003aanonymous"}}`, false, true},
		{`{"user":{"username":"SYSTEM:ANONYMOUS"}}`, false, false},
		{`{"responseStatus":{"code":401}}`, true, true},
	} {
		assert.Equal(t, tt.plain, plain.MayMatch([]byte(tt.text)), tt.text)
		assert.Equal(t, tt.anon, anon.MayMatch([]byte(tt.text)), tt.text)
	}
}

// TestTruncation: a batch of records, and the same records line-merged or
// in a top-level array, cut at every byte offset. The rows never shrink
// as the prefix grows, each is the next of the uncut rows, and a field of
// a row is either the uncut value or empty (or, in an event cut before its
// code, the start of the text the cut falls in): a cut never invents or
// alters a value, nor a cluster that an allowlist would match.
func TestTruncation(t *testing.T) {
	x := NewExtractor([]int{401}, true)
	var records []string
	codes := []int{401, 200, 401, 403, 401, 401}
	for i, code := range codes {
		e := ev(fmt.Sprint("r", i), code)
		if code == 403 {
			e = audittest.Anonymous(e)
		}
		records = append(records, rec(e, fmt.Sprintf("AKS-%d", i)))
	}
	for name, text := range map[string]string{
		"batch":           audittest.Batch(records...),
		"Event Hub batch": audittest.EventHub(audittest.Batch(records...)),
		"line-merged":     strings.Join(records, "\n"),
		"array":           "[" + strings.Join(records, ",") + "]",
	} {
		t.Run(name, func(t *testing.T) {
			full, err := readText(x, text)
			require.NoError(t, err)
			require.Len(t, full, 5)
			var ends []int // where each wanted record ends
			for i, r := range records {
				if codes[i] != 200 {
					ends = append(ends, strings.Index(text, r)+len(r))
				}
			}
			last := 0
			for n := 0; n <= len(text); n++ {
				rows, _ := readText(x, text[:n])
				require.NoError(t, audittest.CutRows(n, len(rows), last, ends))
				require.LessOrEqual(t, len(rows), len(full))
				last = len(rows)
				for i, r := range rows {
					if r != full[i] {
						require.Equal(t, full[i].ID, r.ID, "prefix of %d bytes, row %d", n, i)
						require.Equal(t, len(rows)-1, i, "prefix of %d bytes: only the record the cut falls in may lack fields", n)
						assertPartOf(t, full[i], r, n)
					}
				}
			}
			assert.Equal(t, len(full), last)
		})
	}
}

func assertPartOf(t *testing.T, full, cut row, n int) {
	t.Helper()
	f := []string{full.ID, full.Cluster, full.Code, full.User, full.URI, full.Reason, full.Time, full.UserAgent, full.SrcIP}
	c := []string{cut.ID, cut.Cluster, cut.Code, cut.User, cut.URI, cut.Reason, cut.Time, cut.UserAgent, cut.SrcIP}
	for i := range f {
		if cut.Cut != "" && (i == 4 || i == 7) && strings.HasPrefix(f[i], c[i]) {
			continue // the request URI or user agent the cut falls in, as far as it goes
		}
		if c[i] != "" && c[i] != f[i] {
			t.Fatalf("prefix of %d bytes: field %d is %q, uncut %q", n, i, c[i], f[i])
		}
	}
}

// TestAKSCut: properties.log cut at 16 KiB by AKS, inside the record, the
// record itself complete: read as far as it goes.
func TestAKSCut(t *testing.T) {
	x := NewExtractor([]int{401}, false)
	e := ev("a", 401)
	e.Padding = 20000
	log := e.JSON()
	cut := log[:16*1024]
	record := audittest.Record("kube-audit", cut, audittest.ResourceID("RG", "AKS-PROD"), "2026-11-20T10:00:01Z")
	record = strings.Replace(record, `\n",`, `",`, 1) // AKS cuts the newline too
	rows, err := readText(x, record)
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, ids(rows))
	assert.Equal(t, "AKS-PROD", rows[0].Cluster)
	assert.Equal(t, "2026-11-20T10:00:01Z", rows[0].Time, "the event's own time lies past the cut: the record's")
}

// TestEscapedKeys: keys written with escapes are the same keys.
func TestEscapedKeys(t *testing.T) {
	x := NewExtractor([]int{401}, false)
	record := rec(ev("a", 401), "C1")
	for _, edit := range [][2]string{
		{`"properties"`, `"propert\u0069es"`},
		{`"log"`, `"\u006cog"`},
		{`"resourceId"`, `"resource\u0049d"`},
	} {
		rows, err := readText(x, strings.Replace(record, edit[0], edit[1], 1))
		require.NoError(t, err, edit[1])
		require.Len(t, rows, 1, edit[1])
		assert.Equal(t, "C1", rows[0].Cluster, edit[1])
	}
}

// TestReadPrefersRaw: _raw, which holds the whole record, is read first;
// the extracted properties.log only when _raw holds no audit event. An
// extracted field cut short (autokv) loses nothing.
func TestReadPrefersRaw(t *testing.T) {
	x := NewExtractor([]int{401}, false)
	a, b := ev("a", 401), ev("b", 401)
	record := rec(a, "C1")
	log := []byte(audittest.Log(a.JSON()))
	for _, tt := range []struct {
		name string
		src  *fields
		want []string
	}{
		{"both", &fields{raw: [][]byte{[]byte(record)}, log: [][]byte{log}}, []string{"a"}},
		{"extracted cut short", &fields{raw: [][]byte{[]byte(record)}, log: [][]byte{log[:100]}}, []string{"a"}},
		{"line-merged, first record extracted", &fields{raw: [][]byte{[]byte(record + "\n" + rec(b, "C2"))}, log: [][]byte{log}}, []string{"a", "b"}},
		{"_raw not JSON", &fields{raw: [][]byte{[]byte("Nov 20 " + record)}, log: [][]byte{log}}, []string{"a"}},
		{"_raw JSON without an audit event", &fields{raw: [][]byte{[]byte(`{"message":"x"}`)}, log: [][]byte{log}}, []string{"a"}},
		{"extracted only, multivalued", &fields{log: [][]byte{log, []byte(b.JSON())}}, []string{"a", "b"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rows, _ := read(x, tt.src)
			assert.Equal(t, tt.want, ids(rows))
		})
	}
}

func TestAppendString(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		end      int
		err      error
	}{
		{`plain" rest`, "plain", 6, nil},
		{`a\"b\\c\/d\n\u00e9\ud83d\ude00" x`, "a\"b\\c/d\né😀", 31, nil},
		{`cut short`, "cut short", 9, errCut},
		{`cut in an escape \`, "cut in an escape ", 18, errCut},
		{`cut in \u00e`, "cut in ", 12, errCut},
		{`bad \x escape"`, "bad ", 14, errSyntax},
		{`"`, "", 1, nil},
	} {
		got, end, err := appendString(nil, []byte(tt.in))
		assert.Equal(t, tt.want, string(got), tt.in)
		assert.Equal(t, tt.end, end, tt.in)
		assert.Equal(t, tt.err, err, tt.in)
	}
}

func TestSkipValid(t *testing.T) {
	for _, tt := range []struct {
		in  string
		end int
		err error
	}{
		{`{"a":[1,-2.5e3,true,null,"x\"]"],"b":{}} ,`, 40, nil},
		{`[]`, 2, nil},
		{`"s" x`, 3, nil},
		{`{]`, 0, errSyntax},
		{`[1,]`, 0, errSyntax},
		{`{"a" 1}`, 0, errSyntax},
		{`{"a":01}`, 0, errSyntax},
		{`{"a":tru}`, 0, errSyntax},
		{`{"a":1`, 0, errCut},
		{`{"a":"x`, 0, errCut},
		{`{"a":12`, 0, errCut},
		{strings.Repeat("[", maxValidDepth) + strings.Repeat("]", maxValidDepth), 2 * maxValidDepth, nil},
		{strings.Repeat("[", maxValidDepth+1) + strings.Repeat("]", maxValidDepth+1), 0, errSyntax},
	} {
		var r reader
		r.reset([]byte(tt.in))
		v := r.skipValid()
		assert.Equal(t, tt.err, r.err, tt.in)
		if tt.err == nil {
			assert.Equal(t, tt.in[:tt.end], string(v), tt.in)
		}
	}
}

// TestPlainEnd: the run of plain string bytes ends at the first quote or
// backslash wherever it lies in an eight-byte word, or at the end.
func TestPlainEnd(t *testing.T) {
	for n := range 20 {
		for at := range n + 1 {
			for _, c := range []byte{'"', '\\'} {
				s := bytes.Repeat([]byte{'a'}, n)
				want := n
				if at < n {
					s[at], want = c, at
				}
				for from := 0; from <= min(at, n); from++ {
					assert.Equal(t, want, plainEnd(s, from), "len %d, %q at %d, from %d", n, c, at, from)
				}
			}
		}
	}
	// Bytes that differ from a quote or a backslash by one bit, or by a
	// borrow, are plain.
	s := []byte("!#[]\x22\x00\xa2\xdc\x21\x23\x5b\x5d\xff\x80\x01")
	assert.Equal(t, 4, plainEnd(s, 0))
	assert.Equal(t, len(s), plainEnd(s, 5))
}

// TestListsCapped: a crafted sourceIPs or user.groups of any length keeps
// MaxList entries, the last address always among them, on the quick path
// and on the general one (an escaped key sends the event there). Release
// 0.1.0 kept every entry: 20 million empty addresses took 2 GB.
func TestListsCapped(t *testing.T) {
	many := func(n int, last string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("192.0.2.%d", i%250)
		}
		out[n-1] = last
		return out
	}
	for _, general := range []bool{false, true} {
		for _, n := range []int{MaxList, MaxList + 1, 5 * MaxList} {
			e := ev("big", 401)
			e.SourceIPs = many(n, "203.0.113.66")
			e.Groups = many(n, "system:authenticated")
			text := e.JSON()
			if general {
				text = strings.Replace(text, `"verb"`, `"v\u0065rb"`, 1)
			}
			var got []Event
			err := NewExtractor([]int{401}, false).Read(NewDocument([]byte(text)), func(ev *Event) {
				c := *ev
				c.SourceIPs = append([][]byte(nil), ev.SourceIPs...)
				got = append(got, c)
			})
			require.NoError(t, err)
			require.Len(t, got, 1)
			name := fmt.Sprintf("general=%v n=%d", general, n)
			assert.Len(t, got[0].SourceIPs, min(n, MaxList), name)
			assert.Equal(t, "203.0.113.66", string(got[0].SrcIP()), name)
			assert.Equal(t, n > MaxList, got[0].ListsCut, name)
			assert.Equal(t, n > MaxList, got[0].Anonymous(), "%s: a cut group list may have hidden system:unauthenticated", name)
		}
	}
}

// TestReadAllocatesNothing: once its buffers have grown, an Extractor
// reads a matching event without a heap allocation, on the quick path and
// on the general one, where every field of eventFields is taken (a lone
// string for sourceIPs sends the event there; an escaped key would too,
// but jsonparser allocates to unescape it).
func TestReadAllocatesNothing(t *testing.T) {
	e := ev("a1", 401)
	e.Groups = []string{"system:unauthenticated", `g\"1`}
	for name, text := range map[string]string{
		"quick":   e.JSON(),
		"general": strings.Replace(e.JSON(), `"sourceIPs":["198.51.100.7","203.0.113.9"]`, `"sourceIPs":"203.0.113.9"`, 1),
		"record":  audittest.Record("kube-audit", e.JSON(), audittest.ResourceID("rg", "c1"), "2026-11-20T10:00:00Z"),
	} {
		x := NewExtractor([]int{401}, true)
		doc := NewDocument([]byte(text))
		rows := 0
		fn := func(ev *Event) { rows++ }
		x.Read(doc, fn)
		require.Equal(t, 1, rows, name)
		assert.Zero(t, testing.AllocsPerRun(100, func() { x.Read(doc, fn) }), name)
	}
}
