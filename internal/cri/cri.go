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
// has none (or a longer one than MaxPrefix), and whether the line is partial (tag P): its text continues on
// the next line, without a line break between them.
func Prefix(line []byte) (n int, partial bool) {
	if len(line) == 0 || line[0] < '0' || line[0] > '9' {
		return 0, false // what starts no time: every line of JSON
	}
	ts := bytes.IndexByte(line, ' ')
	if ts < len("2006-01-02T15:04:05Z")-1 || ts > len(time.RFC3339Nano)+2 {
		return 0, false
	}
	if _, err := time.Parse(time.RFC3339Nano, string(line[:ts])); err != nil {
		return 0, false
	}
	rest := line[ts+1:]
	switch {
	case bytes.HasPrefix(rest, []byte("stdout ")), bytes.HasPrefix(rest, []byte("stderr ")):
		rest = rest[len("stdout "):]
	default:
		return 0, false
	}
	tag := bytes.IndexByte(rest, ' ')
	if tag < 1 || (rest[0] != 'F' && rest[0] != 'P') || (tag > 1 && rest[1] != ':') {
		return 0, false
	}
	if n := len(line) - len(rest) + tag + 1; n <= MaxPrefix {
		return n, rest[0] == 'P'
	}
	return 0, false
}
