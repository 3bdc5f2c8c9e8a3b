package search

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRepeatedArguments: a repeated argument never silently replaces the
// first. codes=401 codes=403 reported only 403s, and filter=a.csv
// filter=b.csv dropped a.csv.
func TestRepeatedArguments(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		codes  []int
		filter string
	}{
		{[]string{"codes=401", "codes=403"}, []int{401, 403}, ""},
		{[]string{"codes=403", "codes=401,404"}, []int{403, 401, 404}, ""},
		{[]string{"codes=403"}, []int{403}, ""},
		{nil, []int{401}, ""},
		{[]string{"filter=a.csv", "filter=b.csv"}, []int{401}, "a.csv,b.csv"},
		{[]string{"filter=none", "filter=none"}, []int{401}, "none"},
		{[]string{"anonymous=true", "anonymous=true"}, []int{401}, ""},
		{[]string{"anonymous=true", "anonymous=1"}, []int{401}, ""},                 // one meaning
		{[]string{"filter=a.csv", "filter=a.csv,b.csv"}, []int{401}, "a.csv,b.csv"}, // each file once
	} {
		a, err := parseArgs(tc.args)
		require.NoError(t, err, "%v", tc.args)
		assert.Equal(t, tc.codes, a.Codes, "%v", tc.args)
		assert.Equal(t, tc.filter, a.Filter, "%v", tc.args)
	}
	for _, args := range [][]string{
		{"filter=none", "filter=a.csv"},
		{"filter=a.csv", "filter=show"},
		{"anonymous=true", "anonymous=false"},
		{"input=_raw", "input=body.properties.log"},
	} {
		_, err := parseArgs(args)
		require.Error(t, err, "%v", args)
		assert.Contains(t, err.Error(), "given twice", "%v", args)
		assert.Contains(t, err.Error(), args[0], "names the first")
		assert.Contains(t, err.Error(), args[1], "and the second")
	}
	_, err := parseArgs([]string{"codes=403", "codes=404"})
	require.NoError(t, err)
	a, err := parseArgs(nil)
	require.NoError(t, err)
	assert.Equal(t, []int{401}, a.Codes, "the default is left alone")
}
