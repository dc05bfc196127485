package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A script answers each request with the next step; the last step repeats.
type step struct {
	status     int
	retryAfter string
	hangUp     bool // close the connection without answering
	block      bool // wait until the client gives up
}

type recorder struct {
	mu       sync.Mutex
	requests []recorded
}

type recorded struct {
	id, idempotencyKey, timestamp, signature string
	body                                     string
}

func scriptedServer(t *testing.T, steps ...step) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		n := len(rec.requests)
		rec.requests = append(rec.requests, recorded{
			id: r.Header.Get(HeaderID), idempotencyKey: r.Header.Get(HeaderIdempotencyKey),
			timestamp: r.Header.Get(HeaderTimestamp), signature: r.Header.Get(HeaderSignature), body: string(body),
		})
		rec.mu.Unlock()
		s := steps[min(n, len(steps)-1)]
		switch {
		case s.hangUp:
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		case s.block:
			<-r.Context().Done()
			return
		}
		if s.retryAfter != "" {
			w.Header().Set("Retry-After", s.retryAfter)
		}
		w.WriteHeader(s.status)
		io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

// virtual holds the test clock and records the sleeps instead of sleeping.
type virtual struct {
	now    time.Time
	sleeps []time.Duration
}

func (v *virtual) Now() time.Time { return v.now }
func (v *virtual) Sleep(ctx context.Context, d time.Duration) error {
	v.sleeps = append(v.sleeps, d)
	v.now = v.now.Add(d)
	return ctx.Err()
}

func testClient(t *testing.T, v *virtual, mod func(*ClientOptions)) *Client {
	t.Helper()
	opts := ClientOptions{
		Policy:    loopbackPolicy(),
		Secrets:   []Secret{otherSecret(t, 1), otherSecret(t, 2)},
		Now:       v.Now,
		Sleep:     v.Sleep,
		Rand:      func() float64 { return 0.5 },
		BaseDelay: time.Second,
		MaxDelay:  8 * time.Second,
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientSend(t *testing.T) {
	tests := []struct {
		name       string
		steps      []step
		wantStatus int
		wantErr    []error // every one must match with errors.Is
		attempts   int
		sleeps     []time.Duration
	}{
		{name: "ok first time", steps: []step{{status: 204}}, wantStatus: 204, attempts: 1},
		{name: "5xx then ok", steps: []step{{status: 500}, {status: 503}, {status: 200}}, wantStatus: 200, attempts: 3,
			sleeps: []time.Duration{500 * time.Millisecond, time.Second}},
		{name: "429 honours Retry-After seconds", steps: []step{{status: 429, retryAfter: "7"}, {status: 202}}, wantStatus: 202, attempts: 2,
			sleeps: []time.Duration{7 * time.Second}},
		{name: "429 honours Retry-After date", steps: []step{{status: 429, retryAfter: "Thu, 01 Jan 2026 00:00:30 GMT"}, {status: 200}}, wantStatus: 200, attempts: 2,
			sleeps: []time.Duration{30 * time.Second}},
		{name: "429 without Retry-After backs off", steps: []step{{status: 429}, {status: 200}}, wantStatus: 200, attempts: 2,
			sleeps: []time.Duration{500 * time.Millisecond}},
		{name: "429 asking too long gives up", steps: []step{{status: 429, retryAfter: "3600"}}, attempts: 1, wantErr: []error{ErrTransient}},
		{name: "network error retried", steps: []step{{hangUp: true}, {status: 200}}, wantStatus: 200, attempts: 2,
			sleeps: []time.Duration{500 * time.Millisecond}},
		{name: "5xx exhausted", steps: []step{{status: 502}}, attempts: 4, wantErr: []error{ErrTransient},
			sleeps: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}},
		{name: "400 is permanent", steps: []step{{status: 400}}, attempts: 1, wantErr: []error{ErrPermanent}},
		{name: "404 is permanent", steps: []step{{status: 404}}, attempts: 1, wantErr: []error{ErrPermanent}},
		{name: "408 is permanent", steps: []step{{status: 408}}, attempts: 1, wantErr: []error{ErrPermanent}},
		{name: "410 is gone", steps: []step{{status: 410}}, attempts: 1, wantErr: []error{ErrPermanent, ErrGone}},
		{name: "redirect without location is permanent", steps: []step{{status: 302}}, attempts: 1, wantErr: []error{ErrPermanent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := scriptedServer(t, tt.steps...)
			v := &virtual{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			c := testClient(t, v, nil)
			resp, err := c.Send(context.Background(), Message{URL: srv.URL + "/hook?sig=s3cret", ID: "exec-1/step-2", Body: []byte(`{"n":1}`)})
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("err = %v, want %v", err, want)
				}
			}
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				if resp.StatusCode != tt.wantStatus || resp.Attempts != tt.attempts || (tt.wantStatus != 204 && string(resp.Body) != `{"ok":true}`) {
					t.Errorf("resp = %d after %d attempts, body %q", resp.StatusCode, resp.Attempts, resp.Body)
				}
			} else {
				var de *DeliveryError
				if !errors.As(err, &de) || de.Attempts != tt.attempts {
					t.Errorf("err = %#v, want a DeliveryError after %d attempts", err, tt.attempts)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("error %q leaks the URL's query", err)
				}
			}
			if diff := cmp.Diff(tt.sleeps, v.sleeps); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			checkRecorded(t, rec, tt.attempts)
		})
	}
}

// checkRecorded checks each attempt carried the same id, matching
// Idempotency-Key, a valid signature for each active secret.
func checkRecorded(t *testing.T, rec *recorder, attempts int) {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.requests) != attempts {
		t.Fatalf("server saw %d requests, want %d", len(rec.requests), attempts)
	}
	for i, r := range rec.requests {
		if r.id != "exec-1/step-2" || r.idempotencyKey != r.id {
			t.Errorf("attempt %d: webhook-id %q, Idempotency-Key %q", i+1, r.id, r.idempotencyKey)
		}
		h := http.Header{}
		h.Set(HeaderID, r.id)
		h.Set(HeaderTimestamp, r.timestamp)
		h.Set(HeaderSignature, r.signature)
		ts, _ := ParseHeaders(h)
		for _, s := range []Secret{otherSecret(t, 1), otherSecret(t, 2)} {
			v := &Verifier{Secrets: []Secret{s}, Now: func() time.Time { return ts.Timestamp }}
			if _, err := v.Verify(context.Background(), h, []byte(r.body)); err != nil {
				t.Errorf("attempt %d: signature for one secret: %v", i+1, err)
			}
		}
	}
}

func TestClientSignsEachAttemptWithFreshTimestamp(t *testing.T) {
	srv, rec := scriptedServer(t, step{status: 503, retryAfter: "120"}, step{status: 200})
	v := &virtual{now: time.Unix(1_800_000_000, 0)}
	c := testClient(t, v, nil)
	if _, err := c.Send(context.Background(), Message{URL: srv.URL, ID: "m1", Body: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	got := []string{rec.requests[0].timestamp, rec.requests[1].timestamp}
	if diff := cmp.Diff([]string{"1800000000", "1800000120"}, got); diff != "" {
		t.Errorf("timestamps (-want +got):\n%s", diff)
	}
}

func TestClientAttemptTimeout(t *testing.T) {
	srv, rec := scriptedServer(t, step{block: true}, step{status: 200})
	v := &virtual{now: time.Unix(1_800_000_000, 0)}
	c := testClient(t, v, func(o *ClientOptions) { o.Timeout = 50 * time.Millisecond })
	resp, err := c.Send(context.Background(), Message{URL: srv.URL, ID: "m1"})
	if err != nil || resp.Attempts != 2 {
		t.Fatalf("Send = %v, %v; want success on attempt 2", resp, err)
	}
	if len(rec.requests) != 2 {
		t.Errorf("server saw %d requests", len(rec.requests))
	}
}

func TestClientRefusals(t *testing.T) {
	srv, rec := scriptedServer(t, step{status: 200})
	v := &virtual{now: time.Unix(1_800_000_000, 0)}
	tests := []struct {
		name string
		opts func(*ClientOptions)
		msg  Message
		want []error
	}{
		{"no id", nil, Message{URL: srv.URL}, []error{ErrPermanent}},
		{"id with comma", nil, Message{URL: srv.URL, ID: "a,b"}, []error{ErrPermanent}},
		{"metadata address", nil, Message{URL: "http://169.254.169.254/latest/meta-data/", ID: "m"}, []error{ErrPermanent, ErrBlocked}},
		{"host not allowed", nil, Message{URL: "https://example.org/", ID: "m"}, []error{ErrPermanent, ErrBlocked}},
		{"loopback not allowed by default", func(o *ClientOptions) {
			o.Policy = &Policy{AllowedHosts: []string{"127.0.0.1"}, HTTPHosts: []string{"127.0.0.1"}}
		}, Message{URL: srv.URL, ID: "m"}, []error{ErrPermanent, ErrBlocked}},
		{"bad URL", nil, Message{URL: "http://[::1", ID: "m"}, []error{ErrPermanent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testClient(t, v, tt.opts)
			_, err := c.Send(context.Background(), tt.msg)
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("err = %v, want %v", err, want)
				}
			}
		})
	}
	if len(rec.requests) != 0 {
		t.Errorf("server saw %d requests, want none", len(rec.requests))
	}
}

func TestClientUnsigned(t *testing.T) {
	srv, rec := scriptedServer(t, step{status: 200})
	v := &virtual{now: time.Unix(1_800_000_000, 0)}
	c := testClient(t, v, func(o *ClientOptions) { o.Secrets, o.Unsigned = nil, true })
	if _, err := c.Send(context.Background(), Message{URL: srv.URL, ID: "m1"}); err != nil {
		t.Fatal(err)
	}
	if r := rec.requests[0]; r.signature != "" || r.idempotencyKey != "m1" {
		t.Errorf("unsigned request carried signature %q, key %q", r.signature, r.idempotencyKey)
	}
	if _, err := NewClient(ClientOptions{Policy: loopbackPolicy()}); !errors.Is(err, ErrNoSecrets) {
		t.Errorf("NewClient without secrets: %v", err)
	}
}

func TestClientCancelledWhileWaiting(t *testing.T) {
	srv, _ := scriptedServer(t, step{status: 503})
	ctx, cancel := context.WithCancel(context.Background())
	v := &virtual{now: time.Unix(1_800_000_000, 0)}
	c := testClient(t, v, func(o *ClientOptions) {
		o.Sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	})
	_, err := c.Send(ctx, Message{URL: srv.URL, ID: "m1"})
	if !errors.Is(err, ErrTransient) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want transient and canceled", err)
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Base: time.Second, Max: 10 * time.Second, Rand: func() float64 { return 0.999999 }}
	var got []time.Duration
	for i := 0; i < 6; i++ {
		got = append(got, b.Delay(i).Round(time.Millisecond))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delays (-want +got):\n%s", diff)
	}
	if d := (Backoff{Base: time.Second, Max: time.Minute, Rand: func() float64 { return 0 }}).Delay(3); d != 0 {
		t.Errorf("full jitter lower bound = %v, want 0", d)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"Thu, 01 Jan 2026 00:01:00 GMT", time.Minute, true},
		{"Wed, 31 Dec 2025 23:00:00 GMT", 0, true},
		{"99999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
