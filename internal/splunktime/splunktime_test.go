package splunktime

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestAppendRFC3339(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-20T09:00:04.25Z":             "1795165204.250000",
		"2026-11-20T09:00:00Z":                "1795165200.000000",
		"2026-11-20T10:00:00.123456789+01:00": "1795165200.123456",
		"1970-01-01T00:00:00Z":                "0.000000",
		"1969-12-31T23:59:55.5Z":              "-4.500000", // sign and magnitude, not -5 + .5
		"1969-12-31T23:59:59.999999Z":         "-0.000001",
		"not a time":                          "",
		"":                                    "",
	} {
		assert.Equal(t, want, string(AppendRFC3339(nil, []byte(in))), in)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]int64{
		"1795165204.250000": 1795165204_250000,
		"1795165204":        1795165204_000000,
		"-4.500000":         -4_500000,
		"-0.000001":         -1,
		"0.5":               500000,
		"1.123456789":       1_123456, // Splunk keeps microseconds
	} {
		got, ok := Parse([]byte(in))
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "-", ".5", "1.", "1.2.3", "x", "1e9", "--1", "+1", "1.1234567890", "99999999999999999999"} {
		_, ok := Parse([]byte(in))
		assert.False(t, ok, "%q", in)
	}
}

// What one writer writes, every reader reads back as the same instant.
func TestRoundTrip(t *testing.T) {
	for _, us := range []int64{0, 1, -1, -4_500000, 1795165204_250000, -1795165204_999999, 1<<62 - 1, -(1 << 62)} {
		got, ok := Parse(Append(nil, us))
		assert.True(t, ok, us)
		assert.Equal(t, us, got)
	}
	assert.Equal(t, "1969-12-31T23:59:55.5Z", RFC3339(string(AppendRFC3339(nil, []byte("1969-12-31T23:59:55.5Z")))))
	assert.Equal(t, "2026-11-20T09:00:00.25Z", RFC3339("1795165200.250000"))
	assert.Equal(t, "1970-01-01T00:00:00.000001Z", RFC3339("0.000001"))
	assert.Equal(t, "not a time", RFC3339("not a time"))
	assert.Equal(t, "", RFC3339(""))
}

func FuzzRoundTrip(f *testing.F) {
	f.Add(int64(-4_500000))
	f.Add(int64(1795165204_250000))
	f.Fuzz(func(t *testing.T, us int64) {
		if us == -1<<63 {
			return // no magnitude in int64
		}
		got, ok := Parse(Append(nil, us))
		if !ok || got != us {
			t.Fatalf("%d written as %s read back as %d, %v", us, Append(nil, us), got, ok)
		}
		if tm := time.UnixMicro(us); tm.Year() > 0 && tm.Year() < 10000 {
			back, _ := Parse(AppendRFC3339(nil, []byte(tm.UTC().Format(time.RFC3339Nano))))
			if back != us {
				t.Fatalf("%d through RFC 3339 read back as %d", us, back)
			}
		}
	})
}
