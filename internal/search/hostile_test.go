package search_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/detect"
	"github.com/kubefingerprint/kubefingerprint/internal/search"
	"github.com/kubefingerprint/kubefingerprint/internal/search/searchtest"
)

// record401 is a storage-blob record holding a 401 audit event, with the
// audit event's JSON (inside the log string) bent by edit.
func record401(ua string, edit func(event string) string) string {
	event := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseStarted","requestURI":"/api","verb":"get","user":{},"sourceIPs":["203.0.113.1"],"userAgent":"` +
		jsonEscape(ua) + `","responseStatus":{"metadata":{},"reason":"Unauthorized","code":401}}`
	if edit != nil {
		event = edit(event)
	}
	return `{"category":"kube-audit","properties":{"log":"` + jsonEscape(event) + `"},"resourceId":"/x/MANAGEDCLUSTERS/C"}`
}

// jsonEscape escapes quotes and backslashes only, leaving every other
// byte, valid UTF-8 or not, as it is.
func jsonEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// TestHostileRecords sends records that no log source should produce; each
// is skipped or handled, the search goes on, and the good record after it
// is still reported.
func TestHostileRecords(t *testing.T) {
	good := record401("after", nil)
	deep := strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)
	ips := make([]string, 100000)
	for i := range ips {
		ips[i] = fmt.Sprintf(`"10.%d.%d.%d"`, i>>16, (i>>8)&255, i&255)
	}
	tests := []struct {
		name string
		body string // a chunk body; the good record is appended as a last row
		rows int    // rows expected before the good one
	}{
		{"unbalanced quotes", "_raw\n\"{\"\"a\"\":1\n", 0}, // swallows the rest of the body, good row included
		{"ragged rows", "_raw,_time\n" + csvField(record401("x", nil)) + "\n{}\n1,2,3\n", 0},
		{"invalid utf-8 and NUL", "_raw\n" + csvField(record401("bad \xff\xfe utf8 \x00 nul", nil)) + "\n", 1},
		{"10 MB _raw", "_raw\n" + csvField(record401(strings.Repeat("A", 10<<20), nil)) + "\n", 1},
		{"JSON nested 10,000 deep", "_raw\n" + csvField(`{"category":"kube-audit","properties":{"log":`+deep+`},"x":401}`) + "\n" + csvField(deep+"401") + "\n", 0},
		{"properties.log of 1 MB of [", "_raw\n" + csvField(`{"properties":{"log":"`+strings.Repeat("[", 1<<20)+`401"}}`) + "\n", 0},
		{"sourceIPs of 100,000 entries", "_raw\n" + csvField(record401("many", func(e string) string {
			return strings.Replace(e, `["203.0.113.1"]`, "["+strings.Join(ips, ",")+"]", 1)
		})) + "\n", 1},
		{"arrays nested 100,000 deep", "_raw\n" + csvField(strings.Repeat("[", 100000)+"401") + "\n", 0},
		{"wrappers nested 100,000 deep", "_raw\n" + csvField(strings.Repeat(`{"body":{"records":[`, 100000)+record401("deep", nil)) + "\n", 0},
		{"properties.log not a string", "_raw\n" + csvField(`{"properties":{"log":401}}`) + "\n", 0},
		{"code of every type", "_raw\n" + csvField(`{"kind":"Event","responseStatus":{"code":[401]}}`) + "\n" + csvField(`{"kind":"Event","responseStatus":{"code":{"401":1}}}`) + "\n" + csvField(`{"kind":"Event","responseStatus":{"code":401.5}}`) + "\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if tt.name != "unbalanced quotes" {
				body += csvField(good) + "\n"
				if strings.HasPrefix(tt.body, "_raw,_time") {
					body = strings.TrimSuffix(body, "\n") + ",1\n"
				}
			}
			in := searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Execute(false, []byte(body)),
				chunkedtest.Execute(true, []byte("_raw\n"+csvField(good)+"\n")))
			r := searchtest.Drive(t, in, "")
			require.Equal(t, 0, r.Code, r.Stderr)
			require.Len(t, r.Replies, 3)
			rows := strings.Count(r.Replies[1].Body, "Unauthorized")
			want := tt.rows
			if tt.name != "unbalanced quotes" {
				want++ // the good record
			}
			assert.Equal(t, want, rows, "rows of the first chunk")
			assert.Contains(t, r.Replies[2].Body, "after", "the next chunk is still read")
			assert.True(t, strings.Contains(r.Replies[1].Body, "after") || tt.name == "unbalanced quotes")
			assert.Empty(t, r.Stderr)
			if tt.name == "invalid utf-8 and NUL" {
				assert.Contains(t, r.Replies[1].Body, "bad \uFFFD utf8 \x00 nul", "invalid UTF-8 replaced, NUL kept")
			}
			if tt.name == "unbalanced quotes" || tt.name == "ragged rows" {
				assert.NotContains(t, fmt.Sprint(r.Replies[2].Meta), "skipped as unparsable: 0")
			}
		})
	}
}

// TestRaggedRecords: a record with more or fewer fields than the header is
// skipped and counted, with one exception. Its audit field is found
// without splitting the record, from the fields before it and those after
// it (chunked.Record.Peek); when what lies between looks like one quoted
// field and cannot match, the record is dropped like any event that cannot
// match, and its fields are never counted. splunkd writes no such record
// ("a","b" where one quoted field belongs), and counting fields would cost
// a search per comma of every event (README, Hostile input).
func TestRaggedRecords(t *testing.T) {
	plain := csvField(`{"category":"kube-audit","properties":{"log":"{}"}}`)
	body := "_time,_raw,_chunked_idx\n" +
		"1," + plain + "\n" + // too few fields: skipped
		"2," + plain + ",2,extra\n" + // too many: skipped
		"3," + csvField(record401("ragged", nil)) + "\n" + // too few, may match: skipped
		"4," + plain + "," + plain + ",4\n" + // two quoted fields where one belongs, cannot match: read
		"5," + csvField(record401("good", nil)) + ",5\n"
	r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(), chunkedtest.Execute(true, []byte(body))), "")
	require.Equal(t, 0, r.Code, r.Stderr)
	require.Len(t, r.Replies, 2)
	assert.Contains(t, r.Replies[1].Body, "good")
	assert.NotContains(t, r.Replies[1].Body, "ragged")
	assert.Contains(t, fmt.Sprint(r.Replies[1].Meta["inspector"]),
		"events read: 5, rows emitted: 1, events skipped as unparsable: 3")
}

// TestBlankLines: a blank line is no event, wherever the audit field
// lies. A line with nothing on it is one empty field, so when the audit
// field is the first column (or there is none) a look at that field alone
// finds an empty event; it must be passed over before that look, as the
// record split out would have been, and not be counted read and skipped.
func TestBlankLines(t *testing.T) {
	good := csvField(record401("good", nil))
	tests := []struct {
		name, args, body, summary string
	}{
		{"_raw first", "", "_raw,_time\n\n" + good + ",1\n\n", "events read: 1, rows emitted: 1, events skipped as unparsable: 0"},
		{"_raw first, CRLF", "", "_raw,_time\r\n\r\n" + good + ",1\r\n", "events read: 1, rows emitted: 1, events skipped as unparsable: 0"},
		{"_raw first, a lone CR at the end", "", "_raw,_time\n" + good + ",1\n\r", "events read: 1, rows emitted: 1, events skipped as unparsable: 0"},
		{"_raw first, an empty quoted field", "", "_raw,_time\n\"\"\n" + good + ",1\n", "events read: 1, rows emitted: 1, events skipped as unparsable: 0"},
		{"_raw second", "", "_time,_raw\n\n1," + good + "\n", "events read: 1, rows emitted: 1, events skipped as unparsable: 0"},
		{"no audit field", "", "_time,host\n\n1,h\n", "events read: 1, rows emitted: 0, events skipped as unparsable: 1"},
		{"input= field first", "input=log", "log,_time\n\n" + good + ",1\n", "events read: 1, rows emitted: 1, events skipped as unparsable: 0"},
		{"one column: an empty event", "", "_raw\n\n" + good + "\n", "events read: 2, rows emitted: 1, events skipped as unparsable: 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args []string
			if tt.args != "" {
				args = []string{tt.args}
			}
			r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(args...), chunkedtest.Execute(true, []byte(tt.body))), "")
			require.Equal(t, 0, r.Code, r.Stderr)
			require.Len(t, r.Replies, 2)
			assert.Contains(t, fmt.Sprint(r.Replies[1].Meta["inspector"]), tt.summary)
		})
	}
}

func csvField(v string) string {
	return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
}

// TestNoAllocationPerEvent: once buffers have grown, an event that does
// not match costs no heap allocation, whether it is dropped by the digit
// scan or parsed in full (its text holds "401", its code is 200).
func TestNoAllocationPerEvent(t *testing.T) {
	parsed := strings.Replace(record401("kubectl", nil), `\"code\":401`, `\"code\":200`, 1)
	parsed = strings.Replace(parsed, `/api`, `/api/401`, 1)
	require.True(t, audit.NewExtractor(detect.DefaultCodes, false).MayMatch([]byte(parsed)))
	dropped := strings.Replace(parsed, `/api/401`, `/api`, 1)
	anonymous := strings.Replace(parsed, `\"user\":{}`, `\"user\":{\"username\":\"alice\",\"groups\":[\"system:authenticated\"]},\"x\":\"system:anonymous\"`, 1)
	require.NotEqual(t, parsed, anonymous)
	for name, tc := range map[string]struct {
		rec  string
		args []string
	}{
		"dropped unparsed":               {dropped, nil},
		"parsed in full":                 {parsed, nil},
		"parsed in full, anonymous=true": {anonymous, []string{"anonymous=true"}},
	} {
		rec := tc.rec
		t.Run(name, func(t *testing.T) {
			in := func(events int) []byte {
				tb := chunkedtest.Table{Columns: []string{"_time", "_raw", "_chunked_idx"}}
				for i := 0; i < events; i++ {
					tb.AppendRow("1795165200", rec, fmt.Sprint(i))
				}
				return searchtest.Stream(chunkedtest.Getinfo(tc.args...), chunkedtest.Execute(true, tb.Body()))
			}
			small, large := in(1000), in(5000)
			allocs := func(in []byte) float64 {
				return testing.AllocsPerRun(3, func() {
					var out bytes.Buffer
					search.Run(bytes.NewReader(in), &out, &out, "")
				})
			}
			a, b := allocs(small), allocs(large)
			assert.Less(t, b-a, 4.0, "4,000 more events cost %.0f more allocations (%.0f vs %.0f)", b-a, b, a)
		})
	}
}
