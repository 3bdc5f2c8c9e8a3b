// Package cri reads the prefix that a container runtime writes before
// every line a container prints, in the CRI logging format of the kubelet
// (/var/log/pods/.../0.log, and what `kubectl logs` reads):
//
//	2026-11-20T10:00:00.123456789Z stdout F {"kind":"Event",...}
//
// the time (RFC 3339), the stream (stdout or stderr), a tag (F for a full
// line, P for a partial one that the next line continues; more tags may
// follow after a colon) and one space. A self-managed API server that
// writes its audit log to standard output leaves its events behind such a
// prefix, and a long event split over P lines.
package cri

import (
	"bytes"
	"time"
)

// MaxPrefix is the longest prefix Prefix accepts: a time of nanoseconds
// with a zone offset, the stream and a tag of a few letters.
const MaxPrefix = 64

// Prefix returns the length of the CRI prefix that starts line, 0 when it
// has none (or a longer one than MaxPrefix), whether the line is stderr's
// rather than stdout's, and whether it is partial (tag P): its text
// continues on the next line of the same stream, without a line break
// between them. A line that ends right after its tag has an empty text.
func Prefix(line []byte) (n int, stderr, partial bool) {
	if len(line) == 0 || line[0] < '0' || line[0] > '9' {
		return 0, false, false // what starts no time: every line of JSON
	}
	ts := bytes.IndexByte(line, ' ')
	if ts < len("2006-01-02T15:04:05Z")-1 || ts > len(time.RFC3339Nano)+2 {
		return 0, false, false
	}
	if _, err := time.Parse(time.RFC3339Nano, string(line[:ts])); err != nil {
		return 0, false, false
	}
	rest := line[ts+1:]
	switch {
	case bytes.HasPrefix(rest, []byte("stdout ")):
	case bytes.HasPrefix(rest, []byte("stderr ")):
		stderr = true
	default:
		return 0, false, false
	}
	rest = rest[len("stdout "):]
	tag := bytes.IndexAny(rest, " \r\n")
	if tag < 0 {
		tag = len(rest)
	}
	if tag < 1 || (rest[0] != 'F' && rest[0] != 'P') || (tag > 1 && rest[1] != ':') {
		return 0, false, false
	}
	n = len(line) - len(rest) + tag
	if tag < len(rest) && rest[tag] == ' ' {
		n++
	}
	if n > MaxPrefix {
		return 0, false, false
	}
	return n, stderr, rest[0] == 'P'
}
