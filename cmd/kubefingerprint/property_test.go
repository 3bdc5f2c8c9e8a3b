package main

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/corpus"
	"github.com/kubefingerprint/kubefingerprint/internal/search/searchtest"
)

// TestNothingLost: over thousands of generated events in random shapes and
// random chunkings, every 401 event appears exactly once in the output, in
// order, and nothing else does; with anonymous=true, every 401 and every
// anonymous 403 (the generator's 403s are all anonymous).
func TestNothingLost(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		anonymous := seed%2 == 0
		t.Run(fmt.Sprint("seed", seed, " anonymous=", anonymous), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			g := corpus.New(seed)
			g.MarkURIs = true
			columns := []string{"_time", "_raw", "properties.log", "body.properties.log", "resourceId", "_chunked_idx"}
			var want []string
			var in []byte
			if anonymous {
				in = append(in, chunkedtest.Getinfo("anonymous=true")...)
			} else {
				in = append(in, chunkedtest.Getinfo()...)
			}
			table := chunkedtest.Table{Columns: columns}
			flush := func(last bool) {
				in = append(in, chunkedtest.Execute(last, table.Body())...)
				table.Rows = nil
			}
			chunkLeft := 1 + rng.IntN(300)
			for n := 0; n < 3000; {
				// One Splunk event, in one of the shapes, holding one or more records.
				e := g.Next()
				n++
				records := []corpus.Event{e}
				raw, log, bodyLog := e.Raw, "", ""
				more := func() []string { // up to three more records in the same event
					parts := []string{e.Raw}
					for k := rng.IntN(4); k > 0; k-- {
						m := g.Next()
						n++
						records = append(records, m)
						parts = append(parts, m.Raw)
					}
					return parts
				}
				switch shape := rng.IntN(10); shape {
				case 0: // the record in _raw, nothing extracted
				case 1: // properties.log extracted, as with KV_MODE=json
					log = e.Log
				case 2: // extraction cut short: _raw must be read
					log = e.Log[:rng.IntN(len(e.Log))]
				case 3: // Event Hub wrapper, body.properties.log extracted
					raw, bodyLog = `{"body":`+e.Raw+`,"x-opt-sequence-number":7}`, e.Log
				case 4: // a records batch of up to four records
					raw = `{"records":[` + strings.Join(more(), ",") + `]}`
				case 5: // a bare audit event
					raw = e.Log
				case 6: // properties.log as an object
					raw = `{"category":"kube-audit","properties":{"log":` + strings.TrimSpace(e.Log) + `,"stream":"stdout"}}`
				case 7: // the record cut by TRUNCATE after responseStatus
					cut := strings.Index(e.Raw, `requestReceivedTimestamp`)
					raw = e.Raw[:cut]
				case 8: // records line-merged into one event, the first's log extracted
					raw, log = strings.Join(more(), "\n"), e.Log
				case 9: // a top-level array
					raw = "[" + strings.Join(more(), ",\n") + "]"
				}
				for _, r := range records {
					if r.Code == 401 || anonymous && r.Code == 403 {
						want = append(want, r.URI)
					}
				}
				table.AppendRow(e.Time, raw, log, bodyLog, e.ResourceID, fmt.Sprint(len(table.Rows)))
				if chunkLeft--; chunkLeft == 0 {
					flush(false)
					chunkLeft = 1 + rng.IntN(300)
				}
			}
			flush(true)
			require.Greater(t, len(want), 30)

			r := searchtest.Drive(t, in, "")
			require.Equal(t, 0, r.Code, r.Stderr)
			var got []string
			for _, rep := range r.Replies[1:] {
				if rep.Body == "" {
					continue
				}
				rows, err := csv.NewReader(strings.NewReader(rep.Body)).ReadAll()
				require.NoError(t, err)
				for _, row := range rows[1:] {
					assert.Contains(t, []string{"Unauthorized", "Forbidden"}, row[5])
					assert.Equal(t, row[5] == "Forbidden", row[8] == "system:anonymous", "403s are anonymous")
					got = append(got, row[4])
				}
			}
			assert.Equal(t, want, got)
		})
	}
}
