package search

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/detect"
)

// A withdrawn row never reaches the reply, nor does the header it started.
func TestReplyWithdraw(t *testing.T) {
	var f reply
	ev := &audit.Event{UserAgent: []byte("kept"), SourceIPs: [][]byte{[]byte("a"), []byte("b")}}
	f.Row(&detect.Row{Time: []byte("1"), Event: ev})
	f.Withdraw()
	assert.Empty(t, f.take(), "nothing committed")
	f.Row(&detect.Row{Time: []byte("1"), Event: ev})
	f.Commit()
	ev2 := &audit.Event{UserAgent: []byte("withdrawn")}
	f.Row(&detect.Row{Time: []byte("2"), Event: ev2})
	f.Withdraw()
	assert.Equal(t, "_time,sourceIPs{},userAgent,verb,requestURI,responseStatus.reason,cluster,src_ip,user,responseStatus.code,cut,scanner,auditID,stage,user.groups{},__mv_sourceIPs{},__mv_user.groups{}\n"+
		"1,\"a\nb\",kept,,,,,b,,,,,,,,$a$;$b$,\n", string(f.take()))
	assert.Empty(t, f.take(), "take starts the next body")
}

// BenchmarkRowEncode renders reported events as rows of the reply: a 401
// with the fingerprint fields filled as the corpus fills them, and one whose
// user agent needs quoting and whose URI holds bytes that are not UTF-8.
func BenchmarkRowEncode(b *testing.B) {
	for _, bc := range []struct {
		name string
		ev   *audit.Event
	}{
		{"401", &audit.Event{
			SourceIPs: [][]byte{[]byte("203.0.113.7"), []byte("10.224.0.4")},
			UserAgent: []byte("nuclei - Open-source project (github.com/projectdiscovery/nuclei)"), Verb: []byte("list"),
			RequestURI: []byte("/api/v1/namespaces/kube-system/secrets"), Reason: []byte("Unauthorized"),
			Cluster: []byte("AKS-PROD-WEU"), CodeText: []byte("401"), AuditID: []byte("5d1a3f0e-0013-4000-8000-000000000013"),
			Stage: []byte("ResponseStarted"),
		}},
		{"hostile", &audit.Event{
			SourceIPs: [][]byte{[]byte("203.0.113.7"), []byte("10.224.0.4")},
			UserAgent: []byte(`Mozilla/5.0 (compatible; "Scanner", v1.0)`), Verb: []byte("get"),
			RequestURI: []byte("/api/v1/\xff\xfe\"x\",\r\n/caf\xc3\xa9?q=\xe2\x82"), Reason: []byte("Unauthorized"),
			Cluster: []byte("AKS-DEV"), User: []byte("system:anonymous"), CodeText: []byte("403"),
			Groups: [][]byte{[]byte("system:unauthenticated")}, AuditID: []byte("5d1a3f0e-0013-4000-8000-000000000014"),
			Stage: []byte("ResponseComplete"),
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := reply{withIdx: true}
			row := &detect.Row{Time: []byte("1795165200.500118"), Event: bc.ev, Scanner: []byte("nuclei"), ChunkedIdx: []byte("4711")}
			f.Row(row)
			f.Commit()
			b.SetBytes(int64(len(f.take())))
			b.ReportAllocs()
			for b.Loop() {
				f.Row(row)
				f.Commit()
				f.take()
			}
		})
	}
}
