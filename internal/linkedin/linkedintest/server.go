// Package linkedintest is a fake LinkedIn for tests: an httptest server that
// speaks the documented Lead Sync REST protocol (leads, forms, the owner
// finder with paging and time range, notification subscriptions), checks the
// headers and bearer token a real call must carry, and injects 429 and 5xx
// failures on demand; and a Sender that validates webhooks and posts signed
// notifications the way LinkedIn does.
//
// Tests seed it with linkedin.Lead and linkedin.Form values; it serialises
// them in LinkedIn's JSON shape.
package linkedintest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/linkedin"
)

// Route names, for Calls.
const (
	RouteLead          = "GET /rest/leadFormResponses/{id}"
	RouteLeads         = "GET /rest/leadFormResponses"
	RouteForm          = "GET /rest/leadForms/{id}"
	RouteSubscribe     = "POST /rest/leadNotifications"
	RouteSubscriptions = "GET /rest/leadNotifications"
	RouteUnsubscribe   = "DELETE /rest/leadNotifications/{id}"
)

// Options configure a Server. The zero value works: token "test-token", any
// YYYYMM version, plain-http webhooks allowed.
type Options struct {
	// Token is the bearer token accepted; "test-token" when empty.
	Token string
	// Versions lists accepted LinkedIn-Version values; any YYYYMM when empty.
	// Others get 426 NONEXISTENT_VERSION, as LinkedIn answers.
	Versions []string
	// ClientSecret signs notifications and checks challenge responses
	// (Publish, ValidateOnSubscribe).
	ClientSecret string
	// RequireHTTPS refuses subscriptions to http:// webhooks, as LinkedIn does.
	RequireHTTPS bool
	// ValidateOnSubscribe runs the challenge against a webhook before
	// accepting its subscription.
	ValidateOnSubscribe bool
	// HTTPClient is used to call webhooks; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// A Request is one call the server received.
type Request struct {
	Route    string
	Method   string
	Path     string
	RawQuery string
	Status   int
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to give linkedin.ClientOptions.BaseURL.
	URL string

	opts Options
	srv  *httptest.Server

	mu       sync.Mutex
	forms    map[linkedin.FormVersion]linkedin.Form
	latest   map[int64]int64 // form id -> highest version
	leads    map[string]linkedin.Lead
	subs     map[string]linkedin.Subscription
	nextSub  int
	failNext []failure
	rate     float64
	rateCode int
	rng      *rand.Rand
	calls    map[string]int
	requests []Request
}

type failure struct {
	status     int
	retryAfter time.Duration
}

// NewServer starts a fake LinkedIn and closes it when the test ends.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake LinkedIn on a loopback port outside a test (the
// demo runs one); Close stops it.
func Start(opts Options) (*Server, error) {
	if opts.Token == "" {
		opts.Token = "test-token"
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	s := &Server{
		opts: opts, forms: map[linkedin.FormVersion]linkedin.Form{}, latest: map[int64]int64{},
		leads: map[string]linkedin.Lead{}, subs: map[string]linkedin.Subscription{}, calls: map[string]int{},
	}
	mux := http.NewServeMux()
	s.route(mux, RouteLead, s.getLead)
	s.route(mux, RouteLeads, s.findLeads)
	s.route(mux, RouteForm, s.getForm)
	s.route(mux, RouteSubscribe, s.subscribe)
	s.route(mux, RouteSubscriptions, s.findSubscriptions)
	s.route(mux, RouteUnsubscribe, s.unsubscribe)
	// httptest.NewServer panics when it cannot listen; this reports it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the fake LinkedIn: %w", err)
	}
	s.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	s.srv.Start()
	s.URL = s.srv.URL
	return s, nil
}

// Close stops the server, waiting for the requests it is serving.
func (s *Server) Close() { s.srv.Close() }

// Token returns the bearer token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// AddForm seeds one form version. The highest version of a form id is what
// GET /rest/leadForms/{id} returns.
func (s *Server) AddForm(f linkedin.Form) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forms[f.Version()] = f
	if f.VersionID > s.latest[f.ID] {
		s.latest[f.ID] = f.VersionID
	}
}

// AddLead seeds one lead (keyed by its id).
func (s *Server) AddLead(l linkedin.Lead) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.leads[l.ID] = l
}

// DeleteLead removes a lead, as a member's deletion request does.
func (s *Server) DeleteLead(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.leads, id)
}

// Subscriptions returns the current subscriptions ordered by id.
func (s *Server) Subscriptions() []linkedin.Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]linkedin.Subscription, 0, len(s.subs))
	for _, sub := range s.subs {
		out = append(out, sub)
	}
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].ID, out[j].ID) })
	return out
}

// FailNext makes the next n calls fail with status (429 or 5xx, say), with
// a Retry-After header when retryAfter is positive (whole seconds).
func (s *Server) FailNext(n int, status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.failNext = append(s.failNext, failure{status: status, retryAfter: retryAfter})
	}
}

// FailRandomly makes each call fail with status at the given rate, drawn
// from a generator seeded with seed so a test run is repeatable. A rate of
// 0 turns it off.
func (s *Server) FailRandomly(rate float64, seed uint64, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rate, s.rateCode = rate, status
	s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Calls returns how many requests reached route (failed ones included).
func (s *Server) Calls(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[route]
}

// Requests returns every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

type routeFunc func(w http.ResponseWriter, r *http.Request) int

// route registers h behind the checks every call goes through: counting,
// injected failures, headers and token.
func (s *Server) route(mux *http.ServeMux, name string, h routeFunc) {
	mux.HandleFunc(name, func(w http.ResponseWriter, r *http.Request) {
		status := s.serve(name, w, r, h)
		s.mu.Lock()
		s.requests = append(s.requests, Request{Route: name, Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Status: status})
		s.mu.Unlock()
	})
}

func (s *Server) serve(name string, w http.ResponseWriter, r *http.Request, h routeFunc) int {
	s.mu.Lock()
	s.calls[name]++
	f, failing := s.nextFailure()
	s.mu.Unlock()
	if failing {
		if f.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(f.retryAfter/time.Second)))
		}
		return writeError(w, f.status, "INJECTED_FAILURE", "injected failure")
	}
	if code, status, msg := s.checkHeaders(r); status != 0 {
		return writeError(w, status, code, msg)
	}
	return h(w, r)
}

// nextFailure pops a queued failure or draws a random one; s.mu is held.
func (s *Server) nextFailure() (failure, bool) {
	if len(s.failNext) > 0 {
		f := s.failNext[0]
		s.failNext = s.failNext[1:]
		return f, true
	}
	if s.rate > 0 && s.rng.Float64() < s.rate {
		return failure{status: s.rateCode}, true
	}
	return failure{}, false
}

var versionHeader = regexp.MustCompile(`^[0-9]{6}$`)

// checkHeaders returns LinkedIn's error for a call without the required
// headers: 401 for a bad token, 426 for an unknown version, 400 otherwise.
func (s *Server) checkHeaders(r *http.Request) (code string, status int, msg string) {
	if r.Header.Get("Authorization") != "Bearer "+s.opts.Token {
		return "INVALID_ACCESS_TOKEN", http.StatusUnauthorized, "Invalid access token"
	}
	v := r.Header.Get("LinkedIn-Version")
	if !versionHeader.MatchString(v) {
		return "VERSION_MISSING", http.StatusBadRequest, "A version must be present. Please specify a version by adding the LinkedIn-Version header."
	}
	if len(s.opts.Versions) > 0 && !contains(s.opts.Versions, v) {
		return "NONEXISTENT_VERSION", http.StatusUpgradeRequired, "Requested version " + v + " is not active"
	}
	if r.Header.Get("X-Restli-Protocol-Version") != linkedin.RestliProtocolVersion {
		return "ILLEGAL_ARGUMENT", http.StatusBadRequest, "X-Restli-Protocol-Version 2.0.0 is required"
	}
	return "", 0, ""
}

func contains(list []string, v string) bool {
	for _, e := range list {
		if e == v {
			return true
		}
	}
	return false
}

func idLess(a, b string) bool {
	ai, errA := strconv.Atoi(a)
	bi, errB := strconv.Atoi(b)
	if errA == nil && errB == nil {
		return ai < bi
	}
	return a < b
}

// writeError writes LinkedIn's error document and returns the status.
func writeError(w http.ResponseWriter, status int, code, msg string) int {
	return writeJSON(w, status, map[string]any{"status": status, "serviceErrorCode": 100, "code": code, "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(fmt.Sprintf(`{"status":500,"message":%q}`, "linkedintest: "+err.Error()))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-RestLi-Protocol-Version", linkedin.RestliProtocolVersion)
	w.WriteHeader(status)
	w.Write(b)
	return status
}
