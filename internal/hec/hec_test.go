package hec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const token = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

// A collector answers as HEC's documented API does
// (/services/collector/event): a token in "Authorization: Splunk <token>",
// event objects one after another in the body, {"text","code"} replies.
type collector struct {
	mu       sync.Mutex
	events   []Event
	bodies   []int // the size of every request accepted
	requests int
	reply    func(n int, events []Event) (status int, body string, header http.Header) // nil: success
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests++
	if r.URL.Path != "/services/collector/event" || r.Method != http.MethodPost {
		http.Error(w, `{"text":"The requested URL was not found on this server.","code":404}`, http.StatusNotFound)
		return
	}
	if r.Header.Get("Authorization") != "Splunk "+token {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"text":"Invalid token","code":4}`)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var batch []Event
	dec := json.NewDecoder(bytes.NewReader(body))
	for dec.More() {
		var e Event
		if err := dec.Decode(&e); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"text":"Invalid data format","code":6,"invalid-event-number":0}`)
			return
		}
		batch = append(batch, e)
	}
	if c.reply != nil {
		if status, text, h := c.reply(c.requests, batch); status != 0 {
			for k, v := range h {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			io.WriteString(w, text)
			return
		}
	}
	c.events = append(c.events, batch...)
	c.bodies = append(c.bodies, len(body))
	io.WriteString(w, `{"text":"Success","code":0}`)
}

func events(n int) []Event {
	var out []Event
	for i := range n {
		out = append(out, Event{Time: 1795165200 + float64(i), Sourcetype: "mscs:storage:blob:json",
			Event: fmt.Sprintf(`{"category":"kube-audit","n":%d,"pad":%q}`, i, strings.Repeat("x", 1000)), Fields: map[string]string{"category": "kube-audit"}})
	}
	return out
}

func TestSendBatches(t *testing.T) {
	c := &collector{}
	srv := httptest.NewTLSServer(c)
	defer srv.Close()
	cl := &Client{URL: srv.URL + "/", Token: token, HTTP: srv.Client(), MaxBatch: 16 << 10}
	want := events(200)
	sent, err := cl.Send(context.Background(), want)
	require.NoError(t, err)
	assert.Equal(t, 200, sent)
	assert.Equal(t, want, c.events, "every event, in order, as sent")
	assert.Greater(t, len(c.bodies), 10, "in batches")
	for _, b := range c.bodies {
		assert.LessOrEqual(t, b, 16<<10, "each batch under the limit")
	}
}

func TestReplies(t *testing.T) {
	busy := func(times int) func(int, []Event) (int, string, http.Header) {
		return func(n int, _ []Event) (int, string, http.Header) {
			if n <= times {
				return http.StatusServiceUnavailable, `{"text":"Server is busy","code":9}`, http.Header{"Retry-After": {"1"}}
			}
			return 0, "", nil
		}
	}
	for _, tc := range []struct {
		name  string
		token string
		reply func(int, []Event) (int, string, http.Header)
		sent  int
		err   string // "" for none
	}{
		{"success", token, nil, 30, ""},
		{"bad token", "wrong-token-value", nil, 0, "HEC replied 403 Forbidden: Invalid token (code 4): the token is not known"},
		{"token required", token, func(int, []Event) (int, string, http.Header) {
			return http.StatusUnauthorized, `{"text":"Token is required","code":2}`, nil
		}, 0, "Token is required (code 2): no token was sent"},
		{"token disabled", token, func(int, []Event) (int, string, http.Header) {
			return http.StatusForbidden, `{"text":"Token disabled","code":1}`, nil
		}, 0, "Token disabled (code 1): the token is disabled"},
		{"busy, then through", token, busy(2), 30, ""},
		{"busy for good", token, busy(100), -1, "Server is busy (code 9): HEC is busy (tried 3 times)"},
		{"invalid data", token, func(n int, _ []Event) (int, string, http.Header) {
			if n == 2 {
				return http.StatusBadRequest, `{"text":"Invalid data format","code":6,"invalid-event-number":3}`, nil
			}
			return 0, "", nil
		}, -1, "Invalid data format (code 6): HEC could not read an event; event %d of this run"},
		{"incorrect index", token, func(int, []Event) (int, string, http.Header) {
			return http.StatusBadRequest, `{"text":"Incorrect index","code":7,"invalid-event-number":1}`, nil
		}, 0, "Incorrect index (code 7): the index does not exist"},
		{"not HEC", token, func(int, []Event) (int, string, http.Header) {
			return http.StatusBadGateway, "<html>bad gateway</html>", nil
		}, 0, "HEC replied 502 Bad Gateway: not HEC's reply (is --url the collector, port 8088 by default, not Splunk Web?): <html>bad gateway</html>"},
		{"a web page's 200", token, func(int, []Event) (int, string, http.Header) {
			return http.StatusOK, "<html>Splunk Web login</html>", nil
		}, 0, "HEC replied 200 OK: not HEC's reply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &collector{reply: tc.reply}
			srv := httptest.NewTLSServer(c)
			defer srv.Close()
			cl := &Client{URL: srv.URL, Token: tc.token, HTTP: srv.Client(), MaxBatch: 10 * 1100, Retries: 2, Backoff: time.Millisecond}
			// The first batch of "busy for good" goes through; the rest are busy.
			if tc.name == "busy for good" {
				c.reply = func(n int, _ []Event) (int, string, http.Header) {
					if n == 1 {
						return 0, "", nil
					}
					return http.StatusServiceUnavailable, `{"text":"Server is busy","code":9}`, nil
				}
			}
			start := time.Now()
			sent, err := cl.Send(context.Background(), events(30))
			want := tc.sent
			if want < 0 { // the first batch, and no more
				want = len(c.events)
				assert.Positive(t, want)
				assert.Less(t, want, 30)
			}
			assert.Equal(t, want, sent)
			assert.Equal(t, len(c.events), sent, "the events said sent are those HEC took")
			if sent > 0 {
				assert.Equal(t, c.events, events(30)[:sent])
			}
			if tc.err == "" {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				if strings.Contains(tc.err, "%d") {
					tc.err = fmt.Sprintf(tc.err, sent+3+1) // the fourth of the second batch
				}
				assert.Contains(t, err.Error(), tc.err)
				assert.NotContains(t, err.Error(), tc.token, "the token is never said")
			}
			if tc.name == "busy, then through" {
				assert.GreaterOrEqual(t, time.Since(start), 2*time.Second, "Retry-After honoured")
			}
		})
	}
}

// TestUnreachable: a collector that cannot be reached is tried again, and
// the error names the address but never the token.
func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	cl := &Client{URL: url, Token: token, Retries: 1, Backoff: time.Millisecond}
	sent, err := cl.Send(context.Background(), events(1))
	assert.Zero(t, sent)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tried 2 times")
	assert.NotContains(t, err.Error(), token)
}

// TestTLSVerified: a client that does not trust the collector's
// certificate does not send to it.
func TestTLSVerified(t *testing.T) {
	c := &collector{}
	srv := httptest.NewUnstartedServer(c)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	defer srv.Close()
	cl := &Client{URL: srv.URL, Token: token, HTTP: &http.Client{}}
	_, err := cl.Send(context.Background(), events(1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")
	assert.Empty(t, c.events)
}

// TestNoRedirect: a redirect is an error that names where it points, and
// the token never reaches its target, not even on the same host.
func TestNoRedirect(t *testing.T) {
	var leaked []string
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = append(leaked, r.Header.Get("Authorization"))
		io.WriteString(w, `{"text":"Success","code":0}`)
	}))
	defer target.Close()
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/services/collector/event", status)
		}))
		cl := &Client{URL: srv.URL, Token: token, HTTP: srv.Client(), Retries: 2, Backoff: time.Millisecond}
		sent, err := cl.Send(context.Background(), []Event{{Event: "x"}})
		srv.Close()
		require.Error(t, err, "status %d", status)
		assert.Equal(t, 0, sent)
		assert.Contains(t, err.Error(), "a redirect to \""+target.URL)
	}
	assert.Empty(t, leaked, "the token never followed a redirect")
}

// TestRetryAfterBounded: HEC's Retry-After is obeyed up to MaxRetryAfter,
// and each wait is told.
func TestRetryAfterBounded(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "86400")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"text":"Server is busy","code":9}`)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var waits []time.Duration
	cl := &Client{URL: srv.URL, Token: token, HTTP: srv.Client(), Retries: 3, Waiting: func(d time.Duration, err error) {
		waits = append(waits, d)
		assert.Contains(t, err.Error(), "Server is busy")
		cancel() // no need to wait a minute here
	}}
	_, err := cl.Send(ctx, []Event{{Event: "x"}})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []time.Duration{MaxRetryAfter}, waits)
}

// TestCertificateNotRetried: a certificate that does not verify will not
// verify a second later.
func TestCertificateNotRetried(t *testing.T) {
	srv := httptest.NewTLSServer(&collector{})
	defer srv.Close()
	tries := 0
	cl := &Client{URL: srv.URL, Token: token, HTTP: &http.Client{}, Retries: 4, Backoff: time.Millisecond,
		Waiting: func(time.Duration, error) { tries++ }}
	_, err := cl.Send(context.Background(), []Event{{Event: "x"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")
	assert.Equal(t, 0, tries)
}
