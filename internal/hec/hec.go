// Package hec sends events to a Splunk HTTP Event Collector (HEC) as its
// documented API takes them: event objects posted to
// /services/collector/event, several to a request, the token in an
// Authorization header; and it names HEC's error replies. It owns nothing
// of what the events are.
package hec

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// An Event is one Splunk event as HEC's event endpoint takes it.
type Event struct {
	Time       float64           `json:"time,omitempty"` // epoch seconds
	Host       string            `json:"host,omitempty"`
	Source     string            `json:"source,omitempty"`
	Sourcetype string            `json:"sourcetype,omitempty"`
	Index      string            `json:"index,omitempty"`
	Event      string            `json:"event"`            // _raw, as it is
	Fields     map[string]string `json:"fields,omitempty"` // indexed fields
}

// MaxBatch is how many bytes of events one request carries at most, well
// under HEC's max_content_length (limits.conf [http_input], 800 MB by
// default, 1 MB on old releases). An event larger than it goes alone.
const MaxBatch = 512 << 10

// A Client posts events to one collector.
type Client struct {
	URL   string // the collector's base URL, https://splunk.example.com:8088
	Token string // never printed
	HTTP  *http.Client
	// Retries is how often a batch is tried again when HEC says it is busy
	// or failed inside (503, 500) or cannot be reached; Backoff the first
	// wait, doubled each time, unless HEC says how long (Retry-After).
	Retries int
	Backoff time.Duration
	// MaxBatch overrides MaxBatch, for tests.
	MaxBatch int
	// Waiting, when set, is told of every wait before a batch is tried
	// again, so that a person sees why nothing happens.
	Waiting func(wait time.Duration, err error)
}

// MaxRetryAfter bounds the wait HEC may ask for: a Retry-After of a day
// would otherwise hang the run without a word.
const MaxRetryAfter = time.Minute

// A ReplyError is an error reply of HEC: its HTTP status and, when it sent
// one, its JSON body's code and text. Event is the number, from 0 in the
// whole Send, of the event HEC named as invalid, or -1.
type ReplyError struct {
	Status int
	Code   int
	Text   string
	Event  int

	retryAfter time.Duration // Retry-After, if HEC sent one
}

func (e *ReplyError) Error() string {
	msg := fmt.Sprintf("HEC replied %d %s", e.Status, http.StatusText(e.Status))
	if e.Text != "" {
		msg += fmt.Sprintf(": %s (code %d)", e.Text, e.Code)
	}
	if hint := hints[e.Code]; hint != "" && e.Text != "" {
		msg += ": " + hint
	}
	if e.Event >= 0 {
		msg += fmt.Sprintf("; event %d of this run", e.Event+1)
	}
	return msg
}

// hints say what to do about HEC's documented error codes.
var hints = map[int]string{
	1:  "the token is disabled; enable it in Settings > Data inputs > HTTP Event Collector",
	2:  "no token was sent; give one with --token or KUBEFINGERPRINT_HEC_TOKEN",
	3:  "the Authorization header was refused",
	4:  "the token is not known to this Splunk; check --token or KUBEFINGERPRINT_HEC_TOKEN",
	6:  "HEC could not read an event",
	7:  "the index does not exist, or the token may not write to it; check --index and the token's allowed indexes",
	9:  "HEC is busy",
	10: "the token requires indexer acknowledgement (a channel); turn it off for this token",
}

// retryable says whether trying the same batch again may succeed.
func (e *ReplyError) retryable() bool {
	return e.Status == http.StatusServiceUnavailable || e.Status == http.StatusInternalServerError ||
		e.Status == http.StatusTooManyRequests || e.Code == 9 || e.Code == 8
}

// Send posts events in batches and returns how many HEC accepted, in
// order: it stops at the first batch HEC refuses for good.
func (c *Client) Send(ctx context.Context, events []Event) (int, error) {
	limit := c.MaxBatch
	if limit <= 0 {
		limit = MaxBatch
	}
	sent := 0
	var body bytes.Buffer
	first, n := 0, 0 // the first event of the batch in body, and how many it holds
	flush := func() error {
		if n == 0 {
			return nil
		}
		if err := c.post(ctx, body.Bytes(), first); err != nil {
			return err
		}
		sent += n
		body.Reset()
		first, n = first+n, 0
		return nil
	}
	for i := range events {
		b, err := json.Marshal(&events[i])
		if err != nil {
			return sent, err
		}
		if n > 0 && body.Len()+len(b) > limit {
			if err := flush(); err != nil {
				return sent, err
			}
		}
		body.Write(b)
		body.WriteByte('\n')
		n++
	}
	return sent, flush()
}

// post sends one batch, trying again while HEC is busy.
func (c *Client) post(ctx context.Context, body []byte, first int) error {
	wait := c.Backoff
	if wait <= 0 {
		wait = time.Second
	}
	for try := 0; ; try++ {
		err := c.postOnce(ctx, body, first)
		var reply *ReplyError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &reply) && !reply.retryable():
			return err
		case reply == nil && !transient(err):
			return err
		case try >= c.Retries:
			return fmt.Errorf("%w (tried %d times)", err, try+1)
		}
		if reply != nil && reply.retryAfter > 0 {
			wait = min(reply.retryAfter, MaxRetryAfter)
		}
		if c.Waiting != nil {
			c.Waiting(wait, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (c *Client) postOnce(ctx context.Context, body []byte, first int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.URL, "/")+"/services/collector/event", bytes.NewReader(body))
	if err != nil {
		return errURL
	}
	req.Header.Set("Authorization", "Splunk "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	hc := http.Client{}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	// A redirect is never followed: Go keeps the Authorization header on
	// a redirect to the same host, whatever its port or scheme (https to
	// http would send the token in the clear), and a POST turned into a
	// GET would look like success.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("posting to HEC: %w", redact(err, c.Token))
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var r struct {
		Text    string `json:"text"`
		Code    *int   `json:"code"`
		Invalid *int   `json:"invalid-event-number"`
	}
	parsed := json.Unmarshal(reply, &r) == nil && r.Code != nil
	if resp.StatusCode == http.StatusOK && parsed && *r.Code == 0 {
		return nil // only HEC's own success counts: a 200 from a web page is none
	}
	e := &ReplyError{Status: resp.StatusCode, Event: -1}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		e.Code, e.Text = -1, fmt.Sprintf("a redirect to %q, not followed: give --url the collector itself (port 8088 by default)", resp.Header.Get("Location"))
	case !parsed:
		e.Code, e.Text = -1, "not HEC's reply (is --url the collector, port 8088 by default, not Splunk Web?): "+strings.TrimSpace(string(reply[:min(len(reply), 200)]))
	default:
		e.Code, e.Text = *r.Code, r.Text
		if r.Invalid != nil {
			e.Event = first + *r.Invalid
		}
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		e.retryAfter = time.Duration(s) * time.Second
	}
	return e
}

// errURL names no URL: the URL may hold a password.
var errURL = errors.New("HEC URL: not a URL (give https://<host>:8088)")

// transient tells an error of the connection that may pass (refused,
// reset, a timeout) from one that will not: a certificate that does not
// verify, a URL that cannot be one.
func transient(err error) bool {
	var cert *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var urlErr *url.Error
	switch {
	case errors.As(err, &cert), errors.As(err, &unknown), errors.As(err, &host):
		return false
	case errors.As(err, &urlErr) && urlErr.Op == "parse":
		return false
	case errors.Is(err, errURL), strings.Contains(err.Error(), "unsupported protocol scheme"):
		return false
	}
	return true
}

// redact keeps the token out of an error that quotes the request.
func redact(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "<token>"))
}
