package signatures

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint"
	"github.com/kubefingerprint/kubefingerprint/internal/lookup"
)

func shipped(t testing.TB) *Set {
	var w lookup.Warnings
	tb, err := lookup.Parse("kubefingerprint_tools.csv", kubefingerprint.Tools, &w)
	require.NoError(t, err)
	s := New()
	require.NoError(t, s.Add(tb, &w))
	require.Empty(t, w.Messages())
	return s
}

func TestProbe(t *testing.T) {
	s := shipped(t)
	s.finish()
	for _, c := range []struct{ verb, uri, want string }{
		{"GET", "/version?timeout=32s", "get /version"},
		{"list", "/api/v1/namespaces/dev/pods?limit=500", "list /api/v1/namespaces/{ns}/pods"},
		{"list", "/api/v1/namespaces/kube-lease/secrets", "list /api/v1/namespaces/kube-lease/secrets"},
		{"list", "/api/v1/namespaces/default/pods", "list /api/v1/namespaces/default/pods"},
		{"get", "/api/v1/namespaces/trivy-temp", "get /api/v1/namespaces/trivy-temp"},
		{"delete", "/api/v1/namespaces/a1b2c", "delete /api/v1/namespaces/{ns}"},
		{"get", "/api/v1/namespaces/kubescape/configmaps/kubescape-config", "get /api/v1/namespaces/kubescape/configmaps/kubescape-config"},
		{"get", "/api/v1/namespaces/web/pods/web-7f9c/log", "get /api/v1/namespaces/{ns}/pods/{name}/log"},
		{"get", "/api/v1/nodes/aks-nodepool1-123/proxy/configz", "get /api/v1/nodes/{name}/proxy/configz"},
		{"get", "/apis/apps/v1", "get /apis/apps/v1"},
		{"get", "/api/v1/", "get /api/v1/"},
		{"get", "/apis", "get /apis"},
		{"get", "/nmaplowercheck1733400000", "get /nmaplowercheck{epoch}"},
		{"get", "/Nmap/folder/check1733400000", "get /Nmap/folder/check{epoch}"},
		{"get", "/build/1234567", "get /build/1234567"},
		{"get", "/healthz/etcd", "get /healthz/etcd"},
		{"", "", " "},
	} {
		got := string(appendProbe(nil, []byte(c.verb), []byte(c.uri), s.keep))
		assert.Equal(t, c.want, got, "%s %s", c.verb, c.uri)
	}
}

// Every probe of the shipped lookup is one a request can give: written as
// the probe of a request would be, it is its own probe.
func TestShippedProbesAreProbes(t *testing.T) {
	s := shipped(t)
	s.finish()
	for p, id := range s.ids {
		if id < numSignals {
			continue
		}
		verb, path, _ := cut(p)
		if verb == "*" {
			verb = "get"
		}
		assert.Equal(t, verb+" "+path, string(appendProbe(nil, []byte(verb), []byte(path), s.keep)))
	}
	assert.Equal(t, []string{"kube-hunter", "nuclei", "metasploit", "kdigger", "peirates", "kubiscan", "kubescape", "trivy", "nmap"}, s.Tools())
}

func cut(p string) (string, string, bool) {
	for i := range len(p) {
		if p[i] == ' ' {
			return p[:i], p[i+1:], true
		}
	}
	return p, "", false
}

func TestBest(t *testing.T) {
	s := shipped(t)
	run := func(reqs ...string) *Seen {
		var seen Seen
		for _, r := range reqs {
			v, u, _ := cut(r)
			s.Observe(&seen, []byte(v), []byte(u))
		}
		return &seen
	}
	hunter := run("get /", "get /version", "get /api", "list /api/v1/namespaces",
		"list /apis/rbac.authorization.k8s.io/v1/roles", "list /apis/rbac.authorization.k8s.io/v1/clusterroles", "list /api/v1/pods")
	m := s.Best(hunter, false)
	assert.Equal(t, "kube-hunter", m.Tool)
	assert.InDelta(t, 1, m.Score, 1e-9)

	// Other requests of the same source do not dilute the match.
	more := run("get /", "get /version", "get /api", "list /api/v1/namespaces",
		"list /apis/rbac.authorization.k8s.io/v1/roles", "list /apis/rbac.authorization.k8s.io/v1/clusterroles", "list /api/v1/pods",
		"get /wp-login.php", "get /.env", "get /admin")
	assert.Equal(t, m, s.Best(more, false))

	kubiscan := run("list /apis/rbac.authorization.k8s.io/v1/roles", "list /apis/rbac.authorization.k8s.io/v1/rolebindings",
		"list /apis/rbac.authorization.k8s.io/v1/clusterroles", "list /apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "list /api/v1/pods")
	assert.Equal(t, "kubiscan", s.Best(kubiscan, false).Tool)

	// /version alone, or with /, names no tool well.
	m = s.Best(run("get /version", "get /"), false)
	assert.Less(t, m.Score, 0.5, m)

	// Peirates: an access review before each read.
	p := run("create /apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "list /api/v1/namespaces",
		"create /apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "list /api/v1/namespaces/web/pods",
		"create /apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "list /api/v1/namespaces/web/secrets")
	m = s.Best(p, false)
	assert.Equal(t, "peirates", m.Tool)
	assert.Greater(t, m.Score, 0.6)
}

func TestSiteOverrides(t *testing.T) {
	var w lookup.Warnings
	site, err := lookup.Parse("site.csv", []byte("tool,variant,verb,probe,comment\nnmap,,get,/only-this,x\nmytool,,get,/x,\nmytool,,get,/y,\nbad tool,,get,/z,\nmytool,,,@nope,\nmytool,,get,nopath,\n"), &w)
	require.NoError(t, err)
	s := New()
	require.NoError(t, s.Add(site, &w))
	tb, _ := lookup.Parse("kubefingerprint_tools.csv", kubefingerprint.Tools, &w)
	require.NoError(t, s.Add(tb, &w))
	assert.Len(t, w.Messages(), 4, w.Messages())
	assert.Contains(t, w.Messages(), "kubefingerprint_tools.csv: the signatures of nmap come from site.csv, which replaces these")

	// A site file of too many probes is cut with a warning, and the
	// shipped tools keep their places.
	var big strings.Builder
	big.WriteString("tool,verb,probe\n")
	for i := range MaxProbes + 5 {
		fmt.Fprintf(&big, "bigtool,get,/p%d\n", i)
	}
	var w2 lookup.Warnings
	tb2, err := lookup.Parse("big.csv", []byte(big.String()), &w2)
	require.NoError(t, err)
	s2 := New()
	require.NoError(t, s2.Add(tb2, &w2))
	assert.Contains(t, strings.Join(w2.Messages(), "\n"), "more than 1024 distinct probes")
	s.finish()
	for _, sig := range s.sigs {
		if sig.tool == "nmap" {
			assert.Len(t, sig.ids, 1, "the site's nmap replaces the shipped one")
		}
	}
	assert.Contains(t, s.Tools(), "mytool")
}

// FuzzProbe: any request reduces to a probe without a panic, its length
// bounded by the verb's and the path cap's, and a probe that fits the cap
// is its own probe (normalising twice changes nothing).
func FuzzProbe(f *testing.F) {
	f.Add("GET", "/api/v1/namespaces/dev/pods?limit=500")
	f.Add("list", "/apis/rbac.authorization.k8s.io/v1/namespaces/x/roles/y/z")
	f.Add("get", "/nmaplowercheck1733400000")
	f.Add("", "/api//v1//")
	s := shipped(f)
	s.finish()
	f.Fuzz(func(t *testing.T, verb, uri string) {
		p := appendProbe(nil, []byte(verb), []byte(uri), s.keep)
		if len(p) > len(verb)+1+maxProbePath+2*len("{name}")+len("/…") {
			t.Fatalf("probe of %d bytes: %q", len(p), p)
		}
		v, path, _ := strings.Cut(string(p), " ")
		if strings.ContainsAny(v, " /?#") {
			t.Fatalf("verb %q of probe %q is no word", v, p)
		}
		if len(path) < maxProbePath-2*len("{name}") && !strings.ContainsAny(path, "%?#") {
			if again := string(appendProbe(nil, []byte(v), []byte(path), s.keep)); again != string(p) && !strings.Contains(path, "…") {
				t.Fatalf("probe %q normalises to %q", p, again)
			}
		}
		var seen Seen
		s.Observe(&seen, []byte(verb), []byte(uri))
		s.Best(&seen, true)
	})
}

// TestEscapesAndAnyVerb: a path is compared as the API server routes it,
// escapes decoded, and a signature row with verb * matches any verb.
func TestEscapesAndAnyVerb(t *testing.T) {
	var w lookup.Warnings
	site, err := lookup.Parse("site.csv", []byte("tool,variant,verb,probe,comment\nmytool,,*,/api/v1/secrets,\nmytool,,*,/api/v1/configmaps,\n"), &w)
	require.NoError(t, err)
	s := New()
	require.NoError(t, s.Add(site, &w))
	var seen Seen
	s.Observe(&seen, []byte("list"), []byte("/api/v1/secrets"))
	s.Observe(&seen, []byte("watch"), []byte("/%61pi/v1/config%6Daps?watch=1"))
	m := s.Best(&seen, false)
	assert.Equal(t, "mytool", m.Tool)
	assert.InDelta(t, 1, m.Score, 1e-9)

	msf := shipped(t)
	seen = Seen{}
	for _, ns := range []string{"default", "kube%2Dlease", "k%75be-system"} {
		msf.Observe(&seen, []byte("list"), []byte("/api/v1/namespaces/"+ns+"/pods"))
		msf.Observe(&seen, []byte("list"), []byte("/api/v1/namespaces/"+ns+"/secrets"))
		msf.Observe(&seen, []byte("create"), []byte("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"))
	}
	msf.Observe(&seen, []byte("get"), []byte("/%76ersion"))
	assert.Equal(t, "metasploit", msf.Best(&seen, false).Tool)
}
