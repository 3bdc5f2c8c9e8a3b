package signatures

import (
	"bytes"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
)

// A probe is what a request asks, with what varies from run to run taken
// out: "<verb> <path>". The query string is dropped and escapes decoded
// (the path as the API server routes it); an API path keeps
// its group, version, resource and subresource, and its namespace and
// object name become {ns} and {name} unless the signatures name them
// (default, kube-lease, trivy-temp: the names that give a tool away); in
// any other path a segment's trailing run of eight or more digits becomes
// {epoch} (nmap's /nmaplowercheck1733400000). The verb is the audit log's,
// in lower case.

const (
	maxProbePath = 256 // bytes of a path a probe keeps: no signature is longer
	maxSegments  = 10  // segments of an API path a probe keeps
	minEpoch     = 8   // digits that make an epoch
)

// segment roles in an API path
const (
	roleLiteral = iota
	roleNamespace
	roleName
)

// appendProbe appends the probe of a request to dst; keep says which
// namespace and object names stay literal.
func appendProbe(dst, verb, uri []byte, keep map[string]bool) []byte {
	for _, c := range verb {
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c == '*' && len(verb) == 1: // a signature's any verb
		case c < 'a' || c > 'z':
			c = '_' // a verb is a word: no byte of it can end it, or start the path
		}
		dst = append(dst, c)
	}
	dst = append(dst, ' ')
	path := audit.RoutedPath(uri) // /%61pi/v1/pods is /api/v1/pods
	if len(path) > maxProbePath {
		path = path[:maxProbePath]
	}
	prefix := apiPrefix(path)
	if prefix < 0 {
		return appendPlain(dst, path)
	}
	dst = append(dst, path[:prefix]...)
	rest := path[prefix:]
	for k := 0; len(rest) > 0; k++ {
		rest = rest[1:] // the slash
		seg := rest
		if i := bytes.IndexByte(rest, '/'); i >= 0 {
			seg, rest = rest[:i], rest[i:]
		} else {
			rest = nil
		}
		if k == maxSegments {
			dst = append(dst, "/…"...)
			break
		}
		dst = append(dst, '/')
		switch role(path[prefix:], k) {
		case roleNamespace:
			dst = appendName(dst, seg, "{ns}", keep)
		case roleName:
			dst = appendName(dst, seg, "{name}", keep)
		default:
			dst = append(dst, seg...)
		}
	}
	return dst
}

// apiPrefix returns the length of the /api/v1 or /apis/<group>/<version>
// start of a resource path, or -1 for any other path (discovery such as
// /apis/apps included, which is literal).
func apiPrefix(path []byte) int {
	var n int // segments of the prefix
	switch {
	case bytes.HasPrefix(path, []byte("/api/")):
		n = 2
	case bytes.HasPrefix(path, []byte("/apis/")):
		n = 3
	default:
		return -1
	}
	end := 0
	for range n {
		i := bytes.IndexByte(path[end+1:], '/')
		if i < 0 {
			return -1
		}
		end += 1 + i
	}
	if end == len(path)-1 { // a trailing slash: /api/v1/
		return -1
	}
	return end
}

// role tells what segment k of the resource part of an API path is:
// namespaces/<ns>/<resource>/<name>/<subresource>... or
// <resource>/<name>/<subresource>...
func role(rest []byte, k int) int {
	namespaced := bytes.HasPrefix(rest, []byte("/namespaces/")) || bytes.Equal(rest, []byte("/namespaces"))
	switch {
	case namespaced && k == 1:
		return roleNamespace
	case namespaced && k == 3, !namespaced && k == 1:
		return roleName
	}
	return roleLiteral
}

func appendName(dst, seg []byte, placeholder string, keep map[string]bool) []byte {
	if keep[string(seg)] {
		return append(dst, seg...)
	}
	return append(dst, placeholder...)
}

// appendPlain appends a path that is not a resource path, each segment's
// trailing epoch made {epoch}.
func appendPlain(dst, path []byte) []byte {
	for len(path) > 0 {
		seg := path
		i := bytes.IndexByte(path[1:], '/')
		if i >= 0 {
			seg, path = path[:i+1], path[i+1:]
		} else {
			path = nil
		}
		digits := 0
		for digits < len(seg) && isDigit(seg[len(seg)-1-digits]) {
			digits++
		}
		if digits >= minEpoch {
			dst = append(dst, seg[:len(seg)-digits]...)
			dst = append(dst, "{epoch}"...)
			continue
		}
		dst = append(dst, seg...)
	}
	return dst
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// keptNames adds to keep the literal namespace and object names of a
// signature's path: a name a signature writes is one that gives a tool
// away.
func keptNames(path string, keep map[string]bool) {
	p := []byte(path)
	prefix := apiPrefix(p)
	if prefix < 0 {
		return
	}
	rest := p[prefix:]
	for k, seg := range bytes.Split(rest[1:], []byte("/")) {
		if r := role(rest, k); r != roleLiteral && len(seg) > 0 && seg[0] != '{' {
			keep[string(seg)] = true
		}
	}
}
