package allowlist

import (
	"strings"
	"testing"
)

// FuzzParse: no lookup, however broken, makes Parse panic, and a row that
// Parse accepted never has every matching cell empty.
func FuzzParse(f *testing.F) {
	f.Add("sourceIP,userAgent,verb,requestURI,cluster,expires,comment\n10.0.0.0/8,kube-probe*,get,/healthz,aks-*,2026-12-31,probes\n")
	f.Add("sourceIP\n2001:db8::/32\n*\n")
	f.Add("verb,expires\nlist,2026-11-26T10:00:00Z\n,,\n\"a\"\"b\",x\n")
	f.Add("\ufeffsourceIP,owner\n1.2.3.4,me\n")
	f.Fuzz(func(t *testing.T, csv string) {
		l, _, err := Parse("fuzz.csv", strings.NewReader(csv), now)
		if err != nil {
			return
		}
		for _, r := range l.rows {
			if r.sourceIP == nil && r.userAgent.any() && r.verb == "" && r.requestURI.any() && r.cluster.any() {
				t.Fatalf("row at line %d matches everything", r.line)
			}
		}
		l.Match(event("10.0.0.1", "2001:db8::1"))
	})
}

func FuzzGlob(f *testing.F) {
	f.Add("*a*b", "xxaxxb", true)
	f.Add("kube-*", "KUBE-probe", true)
	f.Fuzz(func(t *testing.T, pattern, text string, fold bool) {
		g := newGlob(pattern, fold)
		got := g.match([]byte(text))
		if !strings.Contains(pattern, "*") && !fold && got != (pattern == "" || pattern == text) {
			t.Fatalf("%q ~ %q = %v", pattern, text, got)
		}
	})
}
