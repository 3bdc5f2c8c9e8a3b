package detect

import "bytes"

// HealthCheck reports whether a request URI asks for the API server's
// health (/healthz, /livez, /readyz, their checks and query strings):
// what kube-probe, load balancers and monitors ask many times a minute,
// and the default system:public-info-viewer binding lets anyone ask.
func HealthCheck(uri []byte) bool {
	path := pathOf(uri)
	for _, p := range [...]string{"/healthz", "/livez", "/readyz"} {
		if bytes.HasPrefix(path, []byte(p)) && (len(path) == len(p) || path[len(p)] == '/') {
			return true
		}
	}
	return false
}

// PublicInfo reports whether a request URI asks only what anyone may ask:
// the health paths, /version (system:public-info-viewer), and OpenShift's
// OAuth discovery document. A source that asks nothing else is a monitor,
// never a scan, whatever the codes it gets.
func PublicInfo(uri []byte) bool {
	path := pathOf(uri)
	switch string(path) {
	case "/version", "/version/", "/.well-known/oauth-authorization-server":
		return true
	}
	return HealthCheck(uri)
}

func pathOf(uri []byte) []byte {
	if i := bytes.IndexAny(uri, "?#"); i >= 0 {
		return uri[:i]
	}
	return uri
}
