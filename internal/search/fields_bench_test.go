package search_test

import (
	"fmt"
	"testing"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/corpus"
)

// BenchmarkSearchFields runs the whole command in-process on the stream
// splunkd sends for 20,000 generated AKS events in chunks of 10,000, with
// the fields a getinfo reply asks for: all 0.1.0 asked for (_raw,
// properties.log and resourceId), or _raw alone, as the command asks now.
// "realistic" has the generator's 2% of 401s, "dense" 40%: most events of a
// dense stream are parsed.
func BenchmarkSearchFields(b *testing.B) {
	for _, density := range []struct {
		name    string
		percent int
	}{{"realistic", 0}, {"dense", 40}} {
		for _, fields := range []struct {
			name    string
			columns []string
		}{
			{"raw+extracted", []string{"_time", "_raw", "properties.log", "resourceId", "_chunked_idx"}},
			{"raw", []string{"_time", "_raw", "_chunked_idx"}},
		} {
			b.Run(density.name+"/"+fields.name, func(b *testing.B) {
				benchSearch(b, fieldStream(20000, 10000, density.percent, fields.columns), 20000)
			})
		}
	}
}

// fieldStream is the request stream for n generated events with the given
// columns. With percent > 0, the generated 401s and other events are
// interleaved so that percent of every hundred events are 401s.
func fieldStream(n, chunk, percent int, columns []string) []byte {
	g := corpus.New(1)
	var events, hits, other []corpus.Event
	for len(events) < n {
		e := g.Next()
		if percent == 0 {
			events = append(events, e)
			continue
		}
		if e.Code == 401 {
			hits = append(hits, e)
		} else {
			other = append(other, e)
		}
		for len(events) < n {
			if len(events)%100 < percent {
				if len(hits) == 0 {
					break
				}
				events, hits = append(events, hits[0]), hits[1:]
			} else {
				if len(other) == 0 {
					break
				}
				events, other = append(events, other[0]), other[1:]
			}
		}
	}
	out := chunkedtest.Getinfo()
	for start := 0; start < n; start += chunk {
		t := chunkedtest.Table{Columns: columns}
		for i := start; i < min(n, start+chunk); i++ {
			e := events[i]
			var cells []string
			for _, c := range columns {
				switch c {
				case "_time":
					cells = append(cells, e.Time)
				case "_raw":
					cells = append(cells, e.Raw)
				case "properties.log":
					cells = append(cells, e.Log)
				case "resourceId":
					cells = append(cells, e.ResourceID)
				case "_chunked_idx":
					cells = append(cells, fmt.Sprint(i-start))
				}
			}
			t.AppendRow(cells...)
		}
		out = append(out, chunkedtest.Execute(start+chunk >= n, t.Body())...)
	}
	return out
}
