package allowlist

import (
	"testing"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
)

// FuzzParse: no lookup, however broken, makes reading it panic; a row that
// was accepted never matches anything in every matching cell; and the indexed match
// agrees with a scan of every row.
func FuzzParse(f *testing.F) {
	f.Add("sourceIP,userAgent,verb,requestURI,cluster,expires,comment\n10.0.0.0/8,kube-probe*,get,/healthz,aks-*,2026-12-31,probes\n")
	f.Add("sourceIP\n2001:db8::/32\n*\n::ffff:10.0.0.0/104\n")
	f.Add("verb,expires\nlist,2026-11-26T10:00:00Z\n,,\n\"a\"\"b\",x\n")
	f.Add("\ufeffsourceIP,owner\n1.2.3.4,me\n")
	f.Add("sourceIP,userAgent,sourceIP\n198.51.100.99,kube-hunter*,\n")
	f.Add("sourceIP,requestURI\n0.0.0.0/0,\n::ffff:0:0/96,\n*.*,\n,/*\n::/0,/api*\n")
	f.Fuzz(func(t *testing.T, csv string) {
		l, _, err := load("fuzz.csv", csv, now)
		if err != nil {
			return
		}
		for _, r := range l.rows {
			if r.hidesEverything() {
				t.Fatalf("row at line %d matches everything", r.line)
			}
		}
		for _, ev := range []*audit.Event{event("10.0.0.1", "2001:db8::1"), event("::ffff:10.0.0.1"), event()} {
			line, ok := l.Match(ev)
			want := 0
			for i := range l.rows {
				if l.rows[i].match(ev, l.addrs) {
					want = l.rows[i].line
					break
				}
			}
			if ok != (want != 0) || line != want {
				t.Fatalf("Match gave line %d (%v), a scan line %d", line, ok, want)
			}
		}
	})
}
