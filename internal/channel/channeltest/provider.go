// Package channeltest is a channel provider for tests that speaks
// docs/channel-protocol.md as a real one must: it verifies every request's
// Standard Webhooks signature, delivers each Idempotency-Key once and
// answers repeats with the first receipt, and can be told to fail requests
// (a 5xx, a 4xx, or holding the request until the caller gives up) to test
// how senders cope.
package channeltest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// Fault is what the provider does with one request instead of accepting it.
type Fault int

// Faults.
const (
	None Fault = iota
	Status500
	Status429
	Status400
	// Hang accepts the message, then holds the answer until the client
	// gives up: the sender sees a timeout although the message was taken,
	// as with a real provider whose answer is lost.
	Hang
)

// A Provider is a running fake provider. It is safe for concurrent use.
type Provider struct {
	URL    string
	server *httptest.Server
	verify *webhook.Verifier

	mu        sync.Mutex
	delivered map[string]channel.SendRequest // by idempotency key
	receipts  map[string]channel.Receipt
	order     []string
	requests  int
	rejected  int // bad signatures
	faults    func(key string, n int) Fault
	seen      map[string]int
	anyBody   bool
}

// Start starts a provider that accepts messages signed with secrets.
// faults (may be nil) picks a fault for the n-th request (1-based) of a
// key. The server stops at the end of the test.
func Start(t testing.TB, secrets []webhook.Secret, faults func(key string, n int) Fault) *Provider {
	t.Helper()
	p := &Provider{
		verify:    &webhook.Verifier{Secrets: secrets, Tolerance: time.Hour},
		delivered: map[string]channel.SendRequest{},
		receipts:  map[string]channel.Receipt{},
		faults:    faults,
		seen:      map[string]int{},
	}
	p.server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.server.Close)
	p.URL = p.server.URL + "/v1/messages"
	return p
}

// StartReceiver is Start for a plain signed-webhook receiver (a journey's
// webhook action): any JSON body is accepted, once per key.
func StartReceiver(t testing.TB, secrets []webhook.Secret, faults func(key string, n int) Fault) *Provider {
	p := Start(t, secrets, faults)
	p.anyBody = true
	return p
}

func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	body, err := webhook.ReadBody(w, r, 4<<20)
	if err != nil {
		http.Error(w, err.Error(), webhook.HTTPStatus(err))
		return
	}
	hd, err := p.verify.Verify(r.Context(), r.Header, body)
	key := r.Header.Get(webhook.HeaderIdempotencyKey)
	p.mu.Lock()
	p.requests++
	if err != nil || key == "" || key != hd.ID {
		p.rejected++
		p.mu.Unlock()
		http.Error(w, "bad signature or idempotency key", http.StatusUnauthorized)
		return
	}
	p.seen[key]++
	n := p.seen[key]
	fault := None
	if p.faults != nil {
		fault = p.faults(key, n)
	}
	switch fault {
	case Status500, Status429, Status400:
		p.mu.Unlock()
		http.Error(w, "injected fault", map[Fault]int{Status500: 500, Status429: 429, Status400: 400}[fault])
		return
	}
	rc, ok := p.receipts[key]
	if !ok {
		var req channel.SendRequest
		if err := json.Unmarshal(body, &req); err != nil || !p.anyBody && (req.Type != channel.TypeSend || req.ID == "") {
			p.mu.Unlock()
			http.Error(w, "not a message.send request", http.StatusBadRequest)
			return
		}
		rc = channel.Receipt{ProviderID: fmt.Sprintf("prov-%d", len(p.order)+1), Status: channel.StatusAccepted}
		p.receipts[key], p.delivered[key] = rc, req
		p.order = append(p.order, key)
	}
	p.mu.Unlock()
	if fault == Hang {
		<-r.Context().Done() // the client timed out; the message stays taken
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(rc)
}

// Stats counts what the provider saw.
type Stats struct {
	Requests  int // every request, retries included
	Rejected  int // refused for a bad signature or key
	Delivered int // distinct idempotency keys accepted
}

// Stats returns the counters.
func (p *Provider) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Requests: p.requests, Rejected: p.rejected, Delivered: len(p.order)}
}

// Messages returns the accepted messages in order of first acceptance.
func (p *Provider) Messages() []channel.SendRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]channel.SendRequest, 0, len(p.order))
	for _, k := range p.order {
		out = append(out, p.delivered[k])
	}
	return out
}
