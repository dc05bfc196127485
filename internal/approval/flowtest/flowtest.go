// Package flowtest is a local stand-in for a Power Automate approval flow:
// an HTTP server that receives approval requests as the project sends them
// (verifying their Standard Webhooks signature and timestamp), and answers
// each by posting the approval outcome to the request's callback URL the
// way a flow's "Start and wait for an approval" action ends, approving or
// rejecting as configured per request. Tests answer synchronously
// (Respond, RespondAll) or let the server answer on its own (Options.Auto,
// then Wait).
package flowtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// A Decision is how a reviewer answers one request. Outcome "" leaves the
// request pending.
type Decision struct {
	Outcome   string // approval.OutcomeApprove or approval.OutcomeReject
	Responder string // display name
	Email     string // sent, as a flow does; the project must not keep it
	Comments  string
}

// Options configure a Server.
type Options struct {
	// Secrets verify incoming requests (and sign callbacks when
	// SignCallbacks is set). Required.
	Secrets []webhook.Secret
	// Now is the clock the signatures are checked against; time.Now when nil.
	Now func() time.Time
	// Decide picks the answer to a request; approve by "Flow Tester" when nil.
	Decide func(approval.FlowRequest) Decision
	// SignCallbacks adds Standard Webhooks headers to callback posts.
	SignCallbacks bool
	// Auto answers every request on its own, right after accepting it.
	Auto bool
	// HTTPClient posts callbacks; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// A Request is one accepted approval request.
type Request struct {
	approval.FlowRequest
	WebhookID string
	// Posts counts deliveries of this approval (retries included).
	Posts int
}

// An Answer is one callback post and what the project answered.
type Answer struct {
	Approval string
	Outcome  string
	Status   int
	Body     string
	Err      error
}

// Server is the fake flow. Its methods are safe for concurrent use.
type Server struct {
	// URL is the flow's HTTP trigger URL (with a sig parameter, as Power
	// Automate's carry: it must never reach a log).
	URL string

	opts     Options
	verifier webhook.Verifier
	mu       sync.Mutex
	reqs     map[string]*Request
	order    []string
	answers  []Answer
	failNext []int
	answered chan struct{}
}

// NewServer starts a fake flow and closes it when the test ends.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if len(opts.Secrets) == 0 {
		t.Fatal("flowtest: Options.Secrets is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	s := &Server{opts: opts, reqs: map[string]*Request{}, answered: make(chan struct{}, 1<<16)}
	s.verifier = webhook.Verifier{Secrets: opts.Secrets, Now: opts.Now}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/workflows/approvals/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=test-signature"
	return s
}

// FailNext makes the next n requests fail with status (a 5xx to test
// retries, a 4xx to test permanent failures).
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.failNext = append(s.failNext, status)
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Query().Get("sig") != "test-signature" {
		http.Error(w, `{"error":{"code":"DirectApiAuthorizationRequired"}}`, http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	if status := s.nextFailure(); status != 0 {
		http.Error(w, `{"error":"injected"}`, status)
		return
	}
	hd, err := s.verifier.Verify(r.Context(), r.Header, body)
	if err != nil {
		http.Error(w, err.Error(), webhook.HTTPStatus(err))
		return
	}
	var fr approval.FlowRequest
	if err := json.Unmarshal(body, &fr); err != nil || fr.Approval == "" || fr.CallbackURL == "" {
		http.Error(w, `{"error":"body does not match the trigger schema"}`, http.StatusBadRequest)
		return
	}
	first := s.record(fr, hd.ID)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	w.Write([]byte(`{"status":"waiting for approval"}`))
	if first && s.opts.Auto {
		go s.Respond(context.Background(), fr.Approval, s.decision(fr))
	}
}

func (s *Server) nextFailure() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failNext) == 0 {
		return 0
	}
	st := s.failNext[0]
	s.failNext = s.failNext[1:]
	return st
}

// record keeps a request; a repeat of the same approval only counts.
func (s *Server) record(fr approval.FlowRequest, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.reqs[fr.Approval]; ok {
		r.Posts++
		return false
	}
	s.reqs[fr.Approval] = &Request{FlowRequest: fr, WebhookID: id, Posts: 1}
	s.order = append(s.order, fr.Approval)
	return true
}

func (s *Server) decision(fr approval.FlowRequest) Decision {
	if s.opts.Decide != nil {
		return s.opts.Decide(fr)
	}
	return Decision{Outcome: approval.OutcomeApprove, Responder: "Flow Tester", Email: "tester@example.com", Comments: "ok"}
}

// Requests returns the accepted requests in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, *s.reqs[id])
	}
	return out
}

// Answers returns the callback posts made so far.
func (s *Server) Answers() []Answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Answer(nil), s.answers...)
}

// RespondAll answers every request with Options.Decide, in arrival order,
// and returns the answers.
func (s *Server) RespondAll(ctx context.Context) []Answer {
	var out []Answer
	for _, r := range s.Requests() {
		if d := s.decision(r.FlowRequest); d.Outcome != "" {
			out = append(out, s.Respond(ctx, r.Approval, d))
		}
	}
	return out
}

// Respond posts d to the callback URL of approval id, as the flow does
// when the reviewer answers, and returns what the project answered.
func (s *Server) Respond(ctx context.Context, id string, d Decision) Answer {
	s.mu.Lock()
	r, ok := s.reqs[id]
	s.mu.Unlock()
	a := Answer{Approval: id, Outcome: d.Outcome}
	if !ok {
		a.Err = fmt.Errorf("flowtest: no request for approval %s", id)
		return s.done(a)
	}
	a.Status, a.Body, a.Err = s.Post(ctx, r.CallbackURL, d)
	return s.done(a)
}

func (s *Server) done(a Answer) Answer {
	s.mu.Lock()
	s.answers = append(s.answers, a)
	s.mu.Unlock()
	s.answered <- struct{}{}
	return a
}

// Post sends an outcome body to any URL (tests use it to tamper with one)
// and returns the status and body of the answer.
func (s *Server) Post(ctx context.Context, url string, d Decision) (int, string, error) {
	body := OutcomeBody(d, s.opts.Now())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.opts.SignCallbacks {
		id := fmt.Sprintf("msg_%d", s.opts.Now().UnixNano())
		if err := webhook.SignHeaders(req.Header, s.opts.Secrets, id, s.opts.Now(), body); err != nil {
			return 0, "", err
		}
	}
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, string(b), nil
}

// Wait blocks until n callbacks have been posted in all (Auto mode), or
// ctx ends.
func (s *Server) Wait(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		got := len(s.answers)
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-s.answered:
		case <-ctx.Done():
			return fmt.Errorf("flowtest: %d of %d answers: %w", got, n, ctx.Err())
		}
	}
}

// OutcomeBody is the body a flow posts: Power Automate's approval outcome
// with one response, the responder's email included.
func OutcomeBody(d Decision, now time.Time) []byte {
	b, _ := json.Marshal(map[string]any{
		"outcome": d.Outcome,
		"responses": []map[string]any{{
			"responder": map[string]string{
				"id": "00000000-0000-0000-0000-000000000001", "displayName": d.Responder, "email": d.Email,
				"tenantId": "00000000-0000-0000-0000-0000000000aa", "userPrincipalName": d.Email,
			},
			"requestDate":      now.Add(-time.Minute).UTC().Format(time.RFC3339),
			"responseDate":     now.UTC().Format(time.RFC3339),
			"approverResponse": d.Outcome,
			"comments":         d.Comments,
		}},
	})
	return b
}
