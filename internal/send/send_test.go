package send

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/hec"
	"github.com/kubefingerprint/kubefingerprint/internal/scan"
)

const token = "5a4b3c2d-1e0f-4a1b-9c8d-7e6f5a4b3c2d"

// hecServer takes events as HEC's event endpoint does, or refuses the
// token as it does.
func hecServer(t *testing.T) (*httptest.Server, *[]hec.Event) {
	var mu sync.Mutex
	var got []hec.Event
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Splunk "+token {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"text":"Invalid token","code":4}`)
			return
		}
		dec := json.NewDecoder(r.Body)
		mu.Lock()
		defer mu.Unlock()
		for dec.More() {
			var e hec.Event
			require.NoError(t, dec.Decode(&e))
			got = append(got, e)
		}
		io.WriteString(w, `{"text":"Success","code":0}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestSendSample: the bundled sample reaches HEC whole, each document with
// the sourcetype and indexed fields its data macro looks for, its times
// moved so that the latest is now and the gaps between them kept, and
// what HEC got gives the rows scan gives for the sample.
func TestSendSample(t *testing.T) {
	srv, got := hecServer(t)
	var out, errOut bytes.Buffer
	code := Run(nil, env(map[string]string{EnvURL: srv.URL, EnvToken: token}), srv.Client(), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, errOut.String(), "39 events sent to "+srv.URL)
	assert.NotContains(t, errOut.String()+out.String(), token)
	require.Len(t, *got, 39)

	var raws []string
	latest := 0.0
	sourcetypes := map[string]int{}
	for _, e := range *got {
		raws = append(raws, e.Event)
		latest = max(latest, e.Time)
		sourcetypes[e.Sourcetype]++
		switch e.Sourcetype {
		case blob:
			assert.Contains(t, []string{"kube-audit", "kube-apiserver"}, e.Fields["category"])
		case eventHub:
			assert.True(t, e.Fields["body.category"] == "kube-audit" || e.Fields["body.records{}.category"] == "kube-audit", e.Fields)
		}
	}
	assert.Equal(t, map[string]int{blob: 36, eventHub: 2, cloudwatch: 1}, sourcetypes)
	assert.InDelta(t, float64(time.Now().Unix()), latest, 5, "the latest event is now")

	// The rows of what HEC got are the sample's, at their new times.
	rows := func(args ...string) []string {
		var out, errOut bytes.Buffer
		scan.Run(append([]string{"--anonymous", "--format", "csv"}, args...), scan.Stdin{Reader: strings.NewReader(strings.Join(raws, "\n"))}, &out, &errOut)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		for i, l := range lines {
			if i > 0 {
				_, lines[i], _ = strings.Cut(l, ",") // _time moved
			}
		}
		return lines
	}
	assert.Equal(t, rows("--sample"), rows(), "same rows but for _time")
}

func TestSendNeedsURLAndToken(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, Run(nil, env(nil), nil, &out, &errOut))
	assert.Contains(t, errOut.String(), "give the collector's URL and token")
}

// TestTokenRefused: HEC's refusal is said with the count of events sent,
// and the token never.
func TestTokenRefused(t *testing.T) {
	srv, got := hecServer(t)
	var out, errOut bytes.Buffer
	wrong := "11111111-2222-3333-4444-555555555555"
	code := Run([]string{"--url", srv.URL, "--token", wrong}, env(nil), srv.Client(), &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "Invalid token (code 4)")
	assert.Contains(t, errOut.String(), "0 of 39 events sent")
	assert.NotContains(t, errOut.String()+out.String(), wrong)
	assert.Empty(t, *got)
}

// TestSendProviderSamples: each provider's sample goes with its input's
// sourcetype and the field its data macro searches.
func TestSendProviderSamples(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Run([]string{"--dry-run", "../../samples/gke-entries.json", "../../samples/aksaudit.ndjson", "../../samples/eks-cloudwatch.ndjson"}, env(nil), nil, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	dec := json.NewDecoder(&out)
	n := map[string]int{}
	for dec.More() {
		var e hec.Event
		require.NoError(t, dec.Decode(&e))
		n[e.Sourcetype]++
		switch e.Sourcetype {
		case pubsub:
			assert.Equal(t, "k8s.io", e.Fields["protoPayload.serviceName"])
		case blob:
			assert.Equal(t, "AKSAudit", e.Fields["Type"])
		case cloudwatch:
			assert.Contains(t, e.Event, `"logGroup":"/aws/eks/`)
		}
	}
	assert.Equal(t, map[string]int{pubsub: 39, blob: 39, cloudwatch: 5}, n)
}

// TestMoveTimes: every time moves by the same whole seconds, keeping its
// digits; the latest becomes now.
func TestMoveTimes(t *testing.T) {
	events := []hec.Event{
		{Event: `{"time":"2026-11-20T09:00:40.021764Z","x":"2026-11-20T09:00:41Z"}`},
		{Event: `{"log":"{\"t\":\"2026-11-20T09:07:00.1Z\"}"}`},
		{Event: `no time`},
	}
	now := time.Date(2026, 12, 5, 12, 0, 0, 500, time.UTC)
	moveTimes(events, now)
	assert.Equal(t, `{"time":"2026-12-05T11:53:40.021764Z","x":"2026-12-05T11:53:41Z"}`, events[0].Event)
	assert.Equal(t, `{"log":"{\"t\":\"2026-12-05T12:00:00.1Z\"}"}`, events[1].Event)
	assert.InDelta(t, float64(now.Unix())+0.1, events[1].Time, 1e-6, "an event's time is its latest")
	assert.InDelta(t, float64(now.UnixNano())/1e9, events[2].Time, 1e-3, "now, for an event without a time")
}

// TestNothingSecretPrinted: a token that lands where a file name goes (a
// flag left without its value), or a password in the URL, is never
// printed; an http:// URL is warned about.
func TestNothingSecretPrinted(t *testing.T) {
	const secret = "SeCrEt-0000-1111-2222"
	var out, errOut bytes.Buffer
	Run([]string{"--dry-run", "--index", "--token", secret}, env(nil), nil, &out, &errOut)
	assert.NotContains(t, errOut.String(), secret)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"text":"Success","code":0}`)
	}))
	defer srv.Close()
	withPassword := strings.Replace(srv.URL, "http://", "http://admin:hunter2@", 1)
	errOut.Reset()
	code := Run([]string{"--url", withPassword, "--token", token}, env(nil), srv.Client(), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.NotContains(t, errOut.String(), "hunter2")
	assert.NotContains(t, errOut.String(), token)
	assert.Contains(t, errOut.String(), "WARN the URL is http://")
	assert.Contains(t, errOut.String(), "39 events sent to "+srv.URL)
}
