// Package splunktime is the one codec for Splunk's _time: epoch seconds
// with up to six decimals, written sign and magnitude, so that 4.5 s
// before 1970 is -4.500000 (not Go's floored -5 plus a positive .5). Every
// writer and reader of _time in the command goes through it, so a time
// read back is the time written.
package splunktime

import (
	"strconv"
	"time"
)

// AppendRFC3339 renders an RFC 3339 timestamp, as audit events carry them,
// as _time; text that is no timestamp appends nothing.
func AppendRFC3339(dst, ts []byte) []byte {
	t, err := time.Parse(time.RFC3339Nano, string(ts))
	if err != nil {
		return dst
	}
	return Append(dst, t.UnixMicro())
}

// Append renders microseconds since 1970 as _time.
func Append(dst []byte, us int64) []byte {
	mag := uint64(us)
	if us < 0 {
		dst, mag = append(dst, '-'), uint64(-us) // -MinInt64 wraps to its own magnitude as uint64
	}
	dst = strconv.AppendUint(dst, mag/1_000_000, 10)
	frac := mag % 1_000_000
	dst = append(dst, '.')
	for div := uint64(100_000); div > 0; div /= 10 {
		dst = append(dst, byte('0'+frac/div%10))
	}
	return dst
}

// Parse reads _time as microseconds since 1970: an optional sign, whole
// seconds, and an optional fraction of up to nine digits, of which the
// first six count (Splunk keeps microseconds). ok is false for anything
// else, or a time too far from 1970 for int64 microseconds.
func Parse(t []byte) (us int64, ok bool) {
	neg := len(t) > 0 && t[0] == '-'
	if neg {
		t = t[1:]
	}
	var sec, frac []byte = t, nil
	for i, c := range t {
		if c == '.' {
			sec, frac = t[:i], t[i+1:]
			break
		}
	}
	if len(sec) == 0 || len(frac) > 9 || len(t) > len(sec) && len(frac) == 0 {
		return 0, false
	}
	var s uint64
	for _, c := range sec {
		if c < '0' || c > '9' || s > maxSeconds {
			return 0, false
		}
		s = s*10 + uint64(c-'0')
	}
	var f uint64
	for i := 0; i < 6; i++ {
		f *= 10
		if i < len(frac) {
			f += uint64(frac[i] - '0')
		}
	}
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	mag := s*1_000_000 + f
	if s > maxSeconds || mag > 1<<63-1 {
		return 0, false
	}
	if neg {
		return -int64(mag), true
	}
	return int64(mag), true
}

// maxSeconds is the most whole seconds int64 microseconds hold.
const maxSeconds = (1<<63 - 1) / 1_000_000

// RFC3339 renders _time in UTC for people; text that is not _time is
// returned as it is.
func RFC3339(t string) string {
	us, ok := Parse([]byte(t))
	if !ok {
		return t
	}
	return time.UnixMicro(us).UTC().Format(time.RFC3339Nano)
}
