package detect

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
)

// rowsOf is a Sink that keeps the user agents of committed rows, and
// panics on the row of a user agent "boom", after a first row of the same
// event was taken.
type rowsOf struct {
	committed, pending []string
}

func (s *rowsOf) Row(r *Row) {
	s.pending = append(s.pending, string(r.Event.UserAgent))
	if string(r.Event.UserAgent) == "boom" {
		panic("rendering failed")
	}
}
func (s *rowsOf) Commit()   { s.committed, s.pending = append(s.committed, s.pending...), nil }
func (s *rowsOf) Withdraw() { s.pending = nil }

// batch is an Event Hub records batch of 401s, one per user agent.
func batch(uas ...string) []byte {
	var recs []string
	for _, ua := range uas {
		recs = append(recs, `{"kind":"Event","stage":"ResponseStarted","sourceIPs":["203.0.113.1"],"userAgent":"`+ua+`","responseStatus":{"code":401}}`)
	}
	return []byte(`{"records":[` + strings.Join(recs, ",") + `]}`)
}

// TestPerEventGuard: a panic while handling one event costs that event
// only: every row it gave is withdrawn from the sink, even those taken
// before the panic, it is counted, and the rest goes on.
func TestPerEventGuard(t *testing.T) {
	sink := &rowsOf{}
	d := New(Options{Codes: DefaultCodes}, nil, nil, sink)
	for _, doc := range [][]byte{batch("first"), batch("before", "boom", "after"), batch("last")} {
		d.Event(&Source{Data: audit.NewDocument(doc), MayMatch: d.MayMatch(doc)})
	}
	assert.Equal(t, []string{"first", "last"}, sink.committed, "no row of the failed event")
	assert.Equal(t, 3, d.stats.Read)
	assert.Equal(t, 2, d.stats.Emitted, "the withdrawn rows are not counted as emitted")
	assert.Equal(t, 1, d.stats.Skipped)
	assert.Equal(t, 1, d.stats.Why[reasonInternal])
	level, text := d.Summary(nil)
	assert.Equal(t, "WARN", level)
	assert.Contains(t, text, "rows emitted: 2, events skipped as unparsable: 1 (1 of them by an internal error)")
	assert.Contains(t, text, "skipped: 1 by an internal error")
}

// Every field of Fields reads a row without a panic, even an empty one,
// and names are unique.
func TestFields(t *testing.T) {
	r := &Row{Event: &audit.Event{}}
	seen := map[string]bool{}
	for _, f := range Fields {
		assert.False(t, seen[f.Name], f.Name)
		seen[f.Name] = true
		if f.List {
			assert.NotNil(t, f.Values, f.Name)
			assert.Nil(t, f.Value, f.Name)
			f.Values(r)
		} else {
			assert.NotNil(t, f.Value, f.Name)
			assert.Nil(t, f.Values, f.Name)
			f.Value(r)
		}
		assert.Equal(t, strings.HasSuffix(f.Name, "{}"), f.List, "multivalue fields are named as spath names them: %s", f.Name)
	}
	assert.Equal(t, "_time", Fields[0].Name)
}

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc"},
		{"aé", 2, "a"}, // é is two bytes: not cut in half
		{"日本", 4, "日"}, // three bytes each
		{"\xff\xff\xff\xff\xff", 2, "\xff\xff"},
	} {
		assert.Equal(t, tc.want, string(Cut([]byte(tc.in), tc.n)), "%q", tc.in)
	}
}

// TestSummaryLevel: the closing message is INFO only when nothing may have
// cost a row: no event skipped, audit data seen, every lookup applied.
func TestSummaryLevel(t *testing.T) {
	run := func(docs ...string) *Detection {
		d := New(Options{Codes: DefaultCodes}, nil, nil, &rowsOf{})
		for _, doc := range docs {
			d.Event(&Source{Data: audit.NewDocument([]byte(doc)), MayMatch: d.MayMatch([]byte(doc)), NotJSON: !audit.HoldsJSON([]byte(doc))})
		}
		return d
	}
	ok := `{"kind":"Event","auditID":"a","stage":"ResponseComplete","responseStatus":{"code":200}}`
	level, text := run(ok).Summary(nil)
	assert.Equal(t, "INFO", level, text)
	level, text = run().Summary(nil)
	assert.Equal(t, "INFO", level, "nothing read is no problem of the data: %s", text)

	level, text = run(ok, "I1120 klog text 401").Summary(nil)
	assert.Equal(t, "WARN", level)
	assert.Contains(t, text, "skipped: 1 not JSON")

	level, text = run(`{"kind":"Event","auditID":"b","requestURI":"/401","responseStatus":{"code":4`).Summary(nil)
	assert.Equal(t, "WARN", level)
	assert.Contains(t, text, "1 cut short or malformed before responseStatus.code")

	level, text = run(`{"message":"hello"}`, `{"a":1}`).Summary(nil)
	assert.Equal(t, "WARN", level, "JSON, but no audit event in any of it")
	assert.Contains(t, text, "no event held a Kubernetes audit event")

	level, text = run(ok).Summary([]string{"lookup x.csv is not applied: bad"})
	assert.Equal(t, "WARN", level)
	assert.Contains(t, text, "; problems: lookup x.csv is not applied: bad")
}

func TestHealthCheckPaths(t *testing.T) {
	for uri, want := range map[string]bool{
		"/healthz": true, "/livez?verbose": true, "/readyz?exclude=etcd&exclude=kms": true, "/healthz/etcd": true,
		"/readyz/poststarthook/start-kube-aggregator-informers": true, "/%68ealthz": true,
		"/healthzfoo": false, "/readyz-evil": false, "/healthz/../api/v1/secrets": false, "/livez/../../api": false,
		"/healthz/%2e%2e/api": false, "/healthz//x": false, "/healthz/a/b/c": false, "/version": false, "/": false,
	} {
		assert.Equal(t, want, HealthCheck([]byte(uri)), uri)
	}
	for uri, want := range map[string]bool{
		"/version": true, "/version?timeout=32s": true, "/.well-known/oauth-authorization-server": true, "/healthz": true,
		"/version/../api": false, "/versions": false, "/%76ersion": true,
	} {
		assert.Equal(t, want, PublicInfo([]byte(uri)), uri)
	}
}
