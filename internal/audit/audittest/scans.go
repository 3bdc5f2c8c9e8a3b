package audittest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// A Run is what one source did: a scanning tool's run, or benign traffic
// that looks like scanning. Tool is the name a behavioural match should
// give it ("" for benign sources); Benign says what kind of benign source
// it is (health, monitor, openshift, background), "" for a tool.
type Run struct {
	Tool    string
	Variant string
	Benign  string
	SrcIP   string
	Events  []Event
}

// A request as a tool sends it: an HTTP method and a path with its query.
type request struct{ method, path string }

// Tool runs are written here from each tool's request set as its source
// sends it (see docs/tools.md for the files): HTTP methods and concrete
// paths, with the object names and namespaces a real run would use. The
// shipped signatures are written as probes, in the lookup; this generator
// does not read them.
var toolRuns = []struct {
	tool, variant string
	agent         func(rng *rand.Rand) string // the tool's own user agent
	requests      func(rng *rand.Rand) []request
}{
	{"kube-hunter", "passive", fixed("python-requests/2.31.0"), func(rng *rand.Rand) []request {
		return kubeHunter(rng, false)
	}},
	{"kube-hunter", "active", fixed("python-requests/2.28.1"), func(rng *rand.Rand) []request {
		return kubeHunter(rng, true)
	}},
	{"nuclei", "", browser, func(rng *rand.Rand) []request {
		return shuffle(rng, gets("/version", "/version", "/pods", "/api/v1/pods", "/api/v1/namespaces", "/api/v1/nodes",
			"/api/v1/namespaces/default/pods", "/api/v1/namespaces/default/secrets", "/api/v1/namespaces/default/services",
			"/apis/apps/v1/namespaces/default/deployments", "/metrics", "/metrics", "/"))
	}},
	{"metasploit", "", fixed("kubectl/v1.22.2 (linux/amd64) kubernetes/8b5a191"), func(rng *rand.Rand) []request {
		r := gets("/version", "/api/v1/namespaces")
		for _, ns := range []string{"default", "dev", "staging", "production", "kube-public", "kube-node-lease", "kube-lease", "kube-system"} {
			r = append(r, request{"POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"},
				request{"GET", "/api/v1/namespaces/" + ns + "/pods"}, request{"GET", "/api/v1/namespaces/" + ns + "/secrets"})
		}
		return r
	}},
	{"kdigger", "", clientGo("kdigger"), func(rng *rand.Rand) []request {
		return kdigger(rng, false)
	}},
	{"kdigger", "side-effects", clientGo("kdigger"), func(rng *rand.Rand) []request {
		return kdigger(rng, true)
	}},
	{"peirates", "", fixed("Go-http-client/1.1"), func(rng *rand.Rand) []request {
		ns := namespace(rng)
		var r []request
		review := request{"POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"}
		for _, p := range []string{"/api/v1/namespaces?limit=500", "/api/v1/namespaces/" + ns + "/pods?limit=500",
			"/api/v1/namespaces/" + ns + "/secrets?limit=500", "/api/v1/nodes?limit=500"} {
			r = append(r, review, request{"GET", p})
			if rng.IntN(2) == 0 { // its embedded kubectl's discovery, when not cached
				r = append(r, request{"GET", "/api?timeout=32s"}, request{"GET", "/apis?timeout=32s"})
			}
		}
		return append(r, request{"GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/" + ns + "/roles?limit=500"})
	}},
	{"kubiscan", "", fixed("Swagger-Codegen/6.0.0/python"), func(rng *rand.Rand) []request {
		rbac := "/apis/rbac.authorization.k8s.io/v1/"
		r := gets(rbac+"roles", rbac+"clusterroles", rbac+"roles", rbac+"clusterroles", rbac+"rolebindings", rbac+"clusterrolebindings")
		r = append(r, gets(rbac+"roles", rbac+"clusterroles", rbac+"rolebindings", rbac+"clusterrolebindings", "/api/v1/pods?watch=False")...)
		return append(r, gets(rbac+"roles", rbac+"clusterroles", rbac+"rolebindings", rbac+"clusterrolebindings")...)
	}},
	{"kubescape", "", clientGo("kubescape"), func(rng *rand.Rand) []request {
		return gets("/api", "/apis", "/api/v1/namespaces/kubescape/configmaps?labelSelector=kubescape.io%2Finfra%3Dconfig",
			"/api/v1/namespaces/kubescape/configmaps/kubescape-config",
			"/api/v1/namespaces/kubescape/secrets?labelSelector=kubescape.io%2Finfra%3Dcredentials",
			"/apis/kubescape.io/v1/controlinputs/default", "/apis/kubescape.io/v1beta1/securityexceptions?limit=100",
			"/apis/kubescape.io/v1beta1/clustersecurityexceptions?limit=100", "/api/v1/pods?limit=500",
			"/apis/apps/v1/deployments?limit=500", "/api/v1/nodes?limit=100", "/version",
			"/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies?limit=500",
			"/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings?limit=500")
	}},
	{"trivy", "cluster", clientGo("trivy"), func(rng *rand.Rand) []request {
		return trivy(rng, "")
	}},
	{"trivy", "namespace", clientGo("trivy"), func(rng *rand.Rand) []request {
		return trivy(rng, namespace(rng))
	}},
	{"nmap", "-sV -sC", fixed("Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"), func(rng *rand.Rand) []request {
		return nmap(rng, false)
	}},
	{"nmap", "http-enum", fixed("Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"), func(rng *rand.Rand) []request {
		return nmap(rng, true)
	}},
}

func kubeHunter(rng *rand.Rand, active bool) []request {
	r := gets("/", "/", "/version", "/api", "/api/v1/namespaces", "/apis/rbac.authorization.k8s.io/v1/roles",
		"/apis/rbac.authorization.k8s.io/v1/clusterroles", "/api/v1/pods", "/version")
	if !active {
		return r
	}
	name := func() string { return fmt.Sprintf("%05x", rng.IntN(1<<20)) }
	nsName, role := name(), name()
	rbac := "/apis/rbac.authorization.k8s.io/v1/"
	r = append(r, request{"POST", "/api/v1/namespaces"}, request{"DELETE", "/api/v1/namespaces/" + nsName},
		request{"POST", rbac + "clusterroles"}, request{"PATCH", rbac + "clusterroles/" + role}, request{"DELETE", rbac + "clusterroles/" + role})
	for _, ns := range []string{"default", namespace(rng)} {
		pod, role := name(), name()
		r = append(r, request{"POST", "/api/v1/namespaces/" + ns + "/pods"}, request{"DELETE", "/api/v1/namespaces/" + ns + "/pods/" + pod},
			request{"POST", "/api/v1/namespaces/" + ns + "/pods"}, request{"PATCH", "/api/v1/namespaces/" + ns + "/pods/" + pod},
			request{"POST", rbac + "namespaces/" + ns + "/roles"}, request{"PATCH", rbac + "namespaces/" + ns + "/roles/" + role},
			request{"DELETE", rbac + "namespaces/" + ns + "/roles/" + role})
	}
	return r
}

func kdigger(rng *rand.Rand, sideEffects bool) []request {
	var r []request
	if sideEffects {
		ns := namespace(rng)
		for range 6 {
			r = append(r, request{"POST", "/api/v1/namespaces/" + ns + "/pods?dryRun=All"})
		}
	}
	return append(r, request{"GET", "/api"}, request{"GET", "/apis"},
		request{"POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"}, request{"GET", "/version"})
}

func trivy(rng *rand.Rand, ns string) []request {
	kinds := []string{"/apis/apps/v1/deployments", "/api/v1/pods", "/apis/apps/v1/replicasets", "/api/v1/replicationcontrollers",
		"/apis/apps/v1/statefulsets", "/apis/apps/v1/daemonsets", "/apis/batch/v1/cronjobs", "/apis/batch/v1/jobs", "/api/v1/services",
		"/api/v1/serviceaccounts", "/api/v1/configmaps", "/apis/rbac.authorization.k8s.io/v1/roles",
		"/apis/rbac.authorization.k8s.io/v1/rolebindings", "/apis/networking.k8s.io/v1/networkpolicies",
		"/apis/networking.k8s.io/v1/ingresses", "/api/v1/resourcequotas", "/api/v1/limitranges"}
	r := gets("/api", "/apis", "/version")
	if ns != "" {
		r = append(r, request{"GET", "/api/v1/namespaces/openshift-kube-apiserver"})
		for _, k := range kinds {
			r = append(r, request{"GET", strings.Replace(k, "/v1/", "/v1/namespaces/"+ns+"/", 1)})
		}
	} else {
		for _, k := range kinds {
			r = append(r, request{"GET", k})
		}
		r = append(r, gets("/apis/rbac.authorization.k8s.io/v1/clusterroles", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
			"/api/v1/nodes", "/api/v1/pods?labelSelector=component", "/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app")...)
	}
	node := fmt.Sprintf("aks-nodepool1-%08d-vmss%06d", rng.IntN(1e8), rng.IntN(10))
	job := fmt.Sprintf("node-collector-%x", rng.Uint32())
	return append(r, request{"GET", "/api/v1/nodes"}, request{"GET", "/version"}, request{"GET", "/api/v1/namespaces/trivy-temp"},
		request{"POST", "/api/v1/namespaces"}, request{"GET", "/api/v1/nodes/" + node + "/proxy/configz"},
		request{"POST", "/apis/batch/v1/namespaces/trivy-temp/jobs"},
		request{"GET", "/apis/batch/v1/namespaces/trivy-temp/jobs?watch=true"},
		request{"GET", "/apis/batch/v1/namespaces/trivy-temp/jobs/" + job},
		request{"GET", "/api/v1/namespaces/trivy-temp/pods?labelSelector=controller-uid%3Dabc"},
		request{"GET", "/api/v1/namespaces/trivy-temp/pods/" + job + "-x7k2p/log?container=node-collector&follow=true"},
		request{"DELETE", "/apis/batch/v1/namespaces/trivy-temp/jobs/" + job}, request{"DELETE", "/api/v1/namespaces/trivy-temp"})
}

func nmap(rng *rand.Rand, enum bool) []request {
	r := []request{{"GET", "/"}, {"GET", "/"}, {"OPTIONS", "/"}, {"GET", "/nice%20ports%2C/Tri%6Eity.txt%2ebak"},
		{"GET", "/robots.txt"}, {"GET", "/favicon.ico"}, {"GET", "/.git/HEAD"}, {"OPTIONS", "/"}, {"PROPFIND", "/"},
		{string([]byte{byte('A' + rng.IntN(26)), byte('A' + rng.IntN(26)), byte('A' + rng.IntN(26)), byte('A' + rng.IntN(26))}), "/"}}
	if enum {
		epoch := 1733400000 + rng.IntN(1e6)
		r = append(r, request{"GET", fmt.Sprintf("/nmaplowercheck%d", epoch)}, request{"GET", fmt.Sprintf("/NmapUpperCheck%d", epoch)},
			request{"GET", fmt.Sprintf("/Nmap/folder/check%d", epoch)}, request{"GET", "/admin/"}, request{"GET", "/backup/"},
			request{"GET", "/.svn/entries"}, request{"GET", "/phpmyadmin/"})
	}
	return r
}

func gets(paths ...string) []request {
	r := make([]request, len(paths))
	for i, p := range paths {
		r[i] = request{"GET", p}
	}
	return r
}

func shuffle(rng *rand.Rand, r []request) []request {
	rng.Shuffle(len(r), func(i, j int) { r[i], r[j] = r[j], r[i] })
	return r
}

func fixed(ua string) func(*rand.Rand) string { return func(*rand.Rand) string { return ua } }

// clientGo is client-go's default user agent for a binary built without
// Kubernetes' version stamps.
func clientGo(binary string) func(*rand.Rand) string {
	return fixed(binary + "/v0.0.0 (linux/amd64) kubernetes/$Format")
}

func browser(rng *rand.Rand) string {
	return []string{
		fmt.Sprintf("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36", 100+rng.IntN(32)),
		fmt.Sprintf("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_%d) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.%d Safari/605.1.15", rng.IntN(8), rng.IntN(6)),
		fmt.Sprintf("Mozilla/5.0 (X11; Linux x86_64; rv:%d.0) Gecko/20100101 Firefox/%d.0", 100+rng.IntN(30), 100+rng.IntN(30)),
		fmt.Sprintf("Mozilla/5.0 (iPhone; CPU iPhone OS 17_%d like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148", rng.IntN(6)),
	}[rng.IntN(4)]
}

func kubectl(rng *rand.Rand) string {
	return fmt.Sprintf("kubectl/v1.%d.%d (linux/amd64) kubernetes/%07x", 24+rng.IntN(8), rng.IntN(10), rng.IntN(1<<28))
}

func namespace(rng *rand.Rand) string {
	return []string{"web", "payments", "monitoring", "team-a", "ci", "ingress-nginx", "argocd", "data"}[rng.IntN(8)]
}

// verb is the audit verb the API server gives a request (its RequestInfo):
// a resource path's GET is get with a name and list without one (watch
// with ?watch=true), POST create, PUT update, PATCH patch, DELETE delete;
// any other path keeps its method in lower case.
func verb(method, uri string) string {
	path, query, _ := strings.Cut(uri, "?")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var rest []string
	switch {
	case len(segs) > 2 && segs[0] == "api":
		rest = segs[2:]
	case len(segs) > 3 && segs[0] == "apis":
		rest = segs[3:]
	default:
		return strings.ToLower(method)
	}
	named := len(rest) >= 2
	if rest[0] == "namespaces" && len(rest) >= 3 {
		named = len(rest) >= 4
	}
	switch method {
	case "GET":
		switch {
		case strings.Contains(query, "watch=true"):
			return "watch"
		case named:
			return "get"
		}
		return "list"
	case "POST":
		return "create"
	case "PUT":
		return "update"
	case "PATCH":
		return "patch"
	case "DELETE":
		if !named {
			return "deletecollection"
		}
		return "delete"
	}
	return strings.ToLower(method)
}

// How a run reaches the audit log.
type cluster int

const (
	anonymousOff cluster = iota // every request without credentials is a 401 with an empty user
	anonymousOn                 // system:anonymous, 403 (200 on public information)
	limited                     // KEP-4633 / GKE LIMITED: 401 with an empty user, but the health paths
)

// Scans returns runs of every tool (perTool of each signature), each from
// its own source, with a user agent that is the tool's own, a browser's
// or kubectl's; requests lost (each at the rate loss, less than half a run) and repeated
// (10%); and benign
// sources: kube-probe, load balancers and uptime monitors, OpenShift's
// OAuth discovery, internet background.
func Scans(rng *rand.Rand, perTool, benign int, loss float64) []Run {
	var runs []Run
	ip := 0
	next := func() string { ip++; return fmt.Sprintf("198.18.%d.%d", ip/250, 1+ip%250) }
	t0 := 0
	for _, tr := range toolRuns {
		for range perTool {
			agent, asBrowser := tr.agent, false
			switch rng.IntN(3) {
			case 1:
				agent, asBrowser = browser, true
			case 2:
				agent = kubectl
			}
			ua := agent(rng)
			run := Run{Tool: tr.tool, Variant: tr.variant, SrcIP: next()}
			c := cluster(rng.IntN(3))
			reqs := tr.requests(rng)
			if rng.IntN(3) == 0 { // the same source also tries what every web scanner tries
				for _, p := range []string{"/.env", "/wp-login.php", "/admin", "/server-status", "/actuator/health"}[:1+rng.IntN(5)] {
					reqs = append(reqs, request{"GET", p})
				}
			}
			lost := make([]bool, len(reqs))
			for n := len(reqs); n > 0 && 2*n >= len(reqs); {
				// each request lost at the rate loss, but less than half the run: a
				// run of four that kept only /version says nothing
				n = 0
				for i := range lost {
					lost[i] = rng.Float64() < loss
					if lost[i] {
						n++
					}
				}
			}
			for i, req := range reqs {
				if lost[i] {
					continue
				}
				if tr.tool == "nuclei" && (asBrowser || tr.variant == "") && rng.IntN(2) == 0 {
					ua = browser(rng)
				}
				n := 1
				if rng.Float64() < 0.1 {
					n = 2
				}
				for range n {
					t0++
					run.Events = append(run.Events, event(c, req, ua, run.SrcIP, t0))
				}
			}
			runs = append(runs, run)
		}
	}
	for i := range benign {
		run := Run{SrcIP: next()}
		c := cluster(rng.IntN(3))
		var reqs []request
		var ua string
		switch i % 6 {
		case 0:
			run.Benign, ua = "health", fmt.Sprintf("kube-probe/1.%d", 26+rng.IntN(6))
			run.SrcIP = fmt.Sprintf("10.224.%d.%d", rng.IntN(4), 2+rng.IntN(250))
			reqs = gets("/livez", "/readyz", "/healthz", "/readyz?verbose", "/livez?exclude=etcd", "/healthz/etcd", "/readyz?exclude=etcd&exclude=kms-providers")
		case 1:
			run.Benign, ua = "health", "ELB-HealthChecker/2.0"
			reqs = gets("/readyz", "/healthz", "/livez")
		case 2:
			run.Benign = "monitor"
			ua = []string{"Blackbox-Exporter/0.25.0", "Uptime-Kuma/1.23.11", "Datadog Agent/7.52.0", "Pingdom.com_bot_version_1.4"}[rng.IntN(4)]
			reqs = gets("/version", "/version?timeout=32s", "/healthz", "/readyz")
		case 3:
			run.Benign, ua = "openshift", "oauth-proxy/v4.15"
			reqs = gets("/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server", "/version")
		case 4:
			run.Benign = "background"
			ua = []string{"Mozilla/5.0 zgrab/0.x", "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)", "ivre-masscan/1.3 https://github.com/cea-sec/ivre/", "l9scan/2.0.1343e2136313e2231383e2630; +https://leakix.net)"}[rng.IntN(4)]
			reqs = gets("/")
		case 5:
			run.Benign, ua = "background", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
			reqs = gets("/", "/favicon.ico")
		}
		for k := 0; k < 1+rng.IntN(20); k++ {
			t0++
			run.Events = append(run.Events, event(c, reqs[rng.IntN(len(reqs))], ua, run.SrcIP, t0))
		}
		runs = append(runs, run)
	}
	return runs
}

// event is the audit event of req on a cluster of kind c.
func event(c cluster, req request, ua, src string, n int) Event {
	e := Event{
		AuditID:   fmt.Sprintf("5ca7c0de-%04x-4000-8000-%012x", n>>16&0xffff, n),
		URI:       req.path,
		Verb:      verb(req.method, req.path),
		UserAgent: ua,
		SourceIPs: []string{src},
		Time:      fmt.Sprintf("2026-12-01T%02d:%02d:%02d.%06dZ", 8+n/3600%12, n/60%60, n%60, n*7919%1000000),
	}
	path, _, _ := strings.Cut(req.path, "?")
	public := path == "/version" || path == "/.well-known/oauth-authorization-server"
	for _, h := range []string{"/healthz", "/livez", "/readyz"} {
		public = public || path == h || strings.HasPrefix(path, h+"/")
	}
	switch {
	case c == anonymousOff || (c == limited && !public):
		e.Code, e.Reason, e.Stage = 401, "Unauthorized", "ResponseStarted"
	case public:
		e = Anonymous(e)
		e.Code = 200
	default:
		e = Anonymous(e)
		e.Code, e.Reason = 403, "Forbidden"
	}
	return e
}
