package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/audit/audittest"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/scan"
	"github.com/kubefingerprint/kubefingerprint/internal/search/searchtest"
)

// TestCloudsThroughSearchAndScan: generated scans, written in every shape
// of the matrix (AKS records in every wrapper, bare events, container
// output, GKE entries, AKSAudit rows, CloudWatch deliveries), give the
// same rows field for field in search and in scan as the AKS records do,
// where the provider records the field: GKE logs one caller address, no
// query string, no stage and no groups; a bare event, container output
// and filter-log-events name no cluster.
func TestCloudsThroughSearchAndScan(t *testing.T) {
	clusters := []string{"AKS-PROD-WEU", "PROD-GKE-1", "EKS-DEV"}
	for seed := uint64(1); seed <= 3; seed++ {
		rng := rand.New(rand.NewPCG(seed, 19))
		var recs []matrixRecord
		for n := range 40 {
			recs = append(recs, matrixRecord{audittest.Probe(rng, n), "RG-" + fmt.Sprint(n%2), clusters[rng.IntN(len(clusters))]})
		}
		reference := matrixShapes[0] // blob extracted: AKS records
		require.Equal(t, "blob extracted", reference.name)
		for _, mode := range [][2][]string{{{"anonymous=true"}, {"--anonymous"}}, {nil, {}}} {
			want := searchRows(t, reference, recs, mode[0])
			require.NotEmpty(t, want)
			for _, shape := range matrixShapes {
				if shape.beforeCode || strings.Contains(shape.name, "cut") {
					continue // shapes that lose data by design, tested in TestShapeMatrix
				}
				t.Run(fmt.Sprintf("seed %d/%s/%v", seed, shape.name, mode[0]), func(t *testing.T) {
					w := providerRows(shape.name, comparable(want))
					assert.Equal(t, w, comparable(searchRows(t, shape, recs, mode[0])), "search")
					file := filepath.Join(t.TempDir(), "audit")
					require.NoError(t, os.WriteFile(file, []byte(shape.file(recs)), 0o644))
					var out, errOut bytes.Buffer
					scan.Run(append(append([]string{"--format", "csv"}, mode[1]...), file), scan.Stdin{}, &out, &errOut)
					assert.Equal(t, w, comparable(searchtest.Rows(t, out.String())), "scan; stderr %s", errOut.String())
				})
			}
		}
	}
}

func searchRows(t *testing.T, shape matrixShape, recs []matrixRecord, args []string) []map[string]string {
	table := shape.search(recs)
	table.Columns = append(table.Columns, "_time")
	for i := range table.Rows {
		table.Rows[i] = append(table.Rows[i], []string{splunkTime})
	}
	r := searchtest.Drive(t, searchtest.Stream(chunkedtest.Getinfo(args...), chunkedtest.Execute(true, table.Body())), "")
	require.Equal(t, 0, r.Code, r.Stderr)
	require.Len(t, r.Replies, 2)
	return searchtest.Rows(t, r.Replies[1].Body)
}

// providerRows is what a shape gives of the rows of AKS records.
func providerRows(shape string, rows []map[string]string) []map[string]string {
	var out []map[string]string
	for _, r := range rows {
		c := map[string]string{}
		for k, v := range r {
			c[k] = v
		}
		switch {
		case strings.HasPrefix(shape, "GKE"):
			ips := strings.Fields(c["sourceIPs{}"])
			c["sourceIPs{}"] = ips[len(ips)-1]
			c["requestURI"], _, _ = strings.Cut(c["requestURI"], "?")
			c["stage"], c["user.groups{}"] = "", ""
		case shape == "bare event", strings.HasPrefix(shape, "container output"), shape == "aws logs filter-log-events":
			c["cluster"] = ""
		}
		out = append(out, c)
	}
	return out
}
