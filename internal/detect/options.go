package detect

import (
	"fmt"
	"strconv"
	"strings"
)

// Options say which events are reported, the same in the search bar
// (codes=401,403 anonymous=true) and on the command line (--codes,
// --anonymous).
type Options struct {
	Codes []int // responseStatus.code values to report

	// Anonymous also reports every response to an unauthenticated caller
	// (system:anonymous, system:unauthenticated), whatever its code.
	Anonymous bool

	// Health keeps, in anonymous mode, the responses to unauthenticated
	// callers on the health paths (HealthCheck), which are otherwise left
	// out: kube-probe and load balancers ask them all day. A code in Codes
	// is reported whatever the path.
	Health bool
}

// DefaultCodes is what the original detection searches for.
var DefaultCodes = []int{401}

// ParseCodes reads a comma list of HTTP status codes. Its errors name no
// argument, so that the search bar and the command line can each name
// theirs.
func ParseCodes(s string) ([]int, error) {
	var codes []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 100 || n > 599 {
			return nil, fmt.Errorf("%q is not an HTTP status code", f)
		}
		codes = append(codes, n)
	}
	return codes, nil
}
