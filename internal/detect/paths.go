package detect

import (
	"bytes"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
)

// HealthCheck reports whether a request URI asks for the API server's
// health: /healthz, /livez or /readyz, alone or with the name of one
// check (/readyz/etcd, /readyz/poststarthook/<name>), any query string:
// what kube-probe, load balancers and monitors ask many times a minute,
// and the default system:public-info-viewer binding lets anyone ask. The
// path is read as the API server routes it (escapes decoded); a segment
// that is not a plain name (.., an empty one) makes it no health check,
// so /healthz/../api/v1/secrets is what it is.
func HealthCheck(uri []byte) bool {
	path := audit.RoutedPath(uri)
	for _, p := range [...]string{"/healthz", "/livez", "/readyz"} {
		rest, ok := bytes.CutPrefix(path, []byte(p))
		if !ok {
			continue
		}
		if len(rest) == 0 {
			return true
		}
		if rest[0] != '/' {
			return false // /healthzfoo
		}
		segs := bytes.Split(rest[1:], []byte("/"))
		if len(segs) > 2 {
			return false
		}
		for _, s := range segs {
			if !checkName(s) {
				return false
			}
		}
		return true
	}
	return false
}

// checkName accepts the name of a health check: letters, digits, '-',
// '_' and '.', not . or .. alone.
func checkName(s []byte) bool {
	if len(s) == 0 || string(s) == "." || string(s) == ".." {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// PublicInfo reports whether a request URI asks only what anyone may ask:
// the health checks, /version (system:public-info-viewer), and OpenShift's
// OAuth discovery document.
func PublicInfo(uri []byte) bool {
	switch string(audit.RoutedPath(uri)) {
	case "/version", "/version/", "/.well-known/oauth-authorization-server":
		return true
	}
	return HealthCheck(uri)
}
