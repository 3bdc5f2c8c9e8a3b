package audittest

import (
	"fmt"
	"math/rand/v2"
)

// Probe generates the n-th request of a scan: a failed authentication,
// an unauthenticated caller or an authenticated one, with a code every
// provider logs, on URIs of every kind GKE rebuilds (core, named groups,
// non-resource paths), with and without a query string.
func Probe(rng *rand.Rand, n int) Event {
	uris := []string{"/api/v1/namespaces/kube-system/secrets", "/api/v1/namespaces/default/pods/web-7d4b9", "/apis/apps/v1/deployments",
		"/apis/rbac.authorization.k8s.io/v1/clusterroles/admin", "/version", "/healthz", "/api", "/apis", "/api/v1/nodes"}
	agents := []string{"kube-hunter/0.6.8", "python-requests/2.31.0", `Mozilla/5.0 ("quoted") \ back`, "kubectl/v1.30.1 (linux/amd64) kubernetes/6911225", "nuclei ✓"}
	e := Event{
		AuditID:   fmt.Sprintf("0b7f3c4e-%04d-4000-8000-000000000000", n),
		URI:       uris[rng.IntN(len(uris))],
		Verb:      []string{"get", "list", "watch", "create", "delete"}[rng.IntN(5)],
		UserAgent: agents[rng.IntN(len(agents))],
		Time:      fmt.Sprintf("2026-11-20T10:%02d:%02d.%06dZ", n/60%60, n%60, rng.IntN(1000000)),
	}
	if rng.IntN(3) == 0 {
		e.URI += "?limit=500"
	}
	for k := 1 + rng.IntN(3); k > 0; k-- {
		e.SourceIPs = append(e.SourceIPs, fmt.Sprintf("203.0.113.%d", rng.IntN(256)))
	}
	switch rng.IntN(4) {
	case 0:
		e.Code, e.Reason, e.Stage = 401, "Unauthorized", "ResponseStarted"
	case 1:
		e = Anonymous(e)
		e.Code, e.Reason = []int{403, 200, 404}[rng.IntN(3)], "Forbidden"
	default:
		e.User, e.Groups = "system:serviceaccount:kube-system:default", []string{"system:serviceaccounts", "system:authenticated"}
		e.Code = []int{200, 403, 404}[rng.IntN(3)]
		if e.Code != 200 {
			e.Reason = "Forbidden"
		}
	}
	if e.Code == 200 {
		e.Reason = ""
	}
	return e
}
