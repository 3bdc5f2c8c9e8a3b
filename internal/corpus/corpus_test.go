package corpus

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestColumns(t *testing.T) {
	for _, tc := range []struct {
		name     string
		required []string
		want     []string
		err      bool
	}{
		{"release 0.1.0's getinfo", []string{"_time", "_raw", "properties.log", "body.properties.log", "resourceId", "body.resourceId"},
			[]string{"_time", "_raw", "properties.log", "resourceId", "_chunked_idx"}, false},
		{"_time and _raw only", []string{"_time", "_raw"}, []string{"_time", "_raw", "_chunked_idx"}, false},
		{"_chunked_idx named once", []string{"_raw", "_chunked_idx"}, []string{"_raw", "_chunked_idx"}, false},
		{"a field the corpus cannot make", []string{"_time", "_raw", "category"}, nil, true},
		{"Event Hub fields only", []string{"body.properties.log"}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Columns(tc.required)
			if tc.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestPercent401(t *testing.T) {
	for _, percent := range []int{0, 2, 40, 100} {
		g := New(7)
		g.Percent401 = percent
		counts := map[int]int{}
		const n = 20000
		for range n {
			counts[g.Next().Code]++
		}
		assert.InDelta(t, float64(percent)/100, float64(counts[401])/n, 0.01, "401 share at %d%%: %v", percent, counts)
		if percent < 100 {
			// The other codes keep their proportions: 200 is 80/98 of the rest.
			assert.InDelta(t, 80.0/98, float64(counts[200])/float64(n-counts[401]), 0.02, "at %d%%: %v", percent, counts)
		}
	}
}
