package leads_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/linkedintest"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/workflow"
)

const (
	bu           = "northwind"
	owner        = "urn:li:sponsoredAccount:507404993"
	formID       = 6840193257
	clientSecret = "li-client-secret"
	versionArn   = "arn:aws:states:us-east-1:123456789012:stateMachine:journeys-northwind-welcome:1"
	queueName    = "linkedin-leads"
)

// starter records starts like Step Functions: a used name with another
// input is ErrExecutionExists. It survives restarts of the receiving side,
// as the real service does.
type starter struct {
	mu       sync.Mutex
	inputs   map[string]string
	calls    map[string]int
	stopped  map[string]int
	resumed  map[string]string // token -> output
	throttle int               // how many more SendTaskSuccess calls fail
}

func newStarter() *starter {
	return &starter{inputs: map[string]string{}, calls: map[string]int{}, stopped: map[string]int{}, resumed: map[string]string{}}
}

func (s *starter) SendTaskSuccess(_ context.Context, token, output string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.throttle > 0 {
		s.throttle--
		return errors.New("ThrottlingException: rate exceeded")
	}
	s.resumed[token] = output
	return nil
}

func (s *starter) Start(_ context.Context, target, name, input string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[name]++
	if old, ok := s.inputs[name]; ok && old != input {
		return "", workflow.ErrExecutionExists
	}
	s.inputs[name] = input
	return enrol.ExecutionArn(target, name), nil
}

func (s *starter) Stop(_ context.Context, arn, errName, cause string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped[arn]++
	return nil
}

// fixture is the receiving side (webhook, inbox, worker) over an embedded
// store, the fake LinkedIn, and a recording Step Functions.
type fixture struct {
	t       testing.TB
	clock   *asl.VirtualClock
	path    string
	li      *linkedintest.Server
	starter *starter
	cfg     leads.Config
	webhook *httptest.Server
	handler atomic.Value // http.Handler, swapped on restart

	st     *embedded.Store
	client *linkedin.Client
	q      *queue.Store
	inbox  *leads.Inbox
	proc   *leads.Processor
	worker *queue.Worker
	log    *slog.Logger // the receiving side's logger; discarded when nil
}

func newFixture(t *testing.T) *fixture { return newBenchFixture(t) }

// newBenchFixture is newFixture for tests and benchmarks alike.
func newBenchFixture(t testing.TB) *fixture {
	t.Helper()
	return newLoggedFixture(t, nil)
}

// newLoggedFixture is newFixture with the receiving side logging to log
// (discarded when nil).
func newLoggedFixture(t testing.TB, log *slog.Logger) *fixture {
	t.Helper()
	f := &fixture{log: log,
		t: t, clock: asl.NewVirtualClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)),
		path: filepath.Join(t.TempDir(), "store.db"), starter: newStarter(),
		li: linkedintest.NewServer(t, linkedintest.Options{ClientSecret: clientSecret}),
		cfg: leads.Config{
			Owners: []string{owner},
			Mapping: leads.MappingConfig{Default: leads.FormMappingConfig{
				Questions: map[string]string{"plan": "plan"},
				Consents:  map[int64]leads.ConsentConfig{1: {Channel: "email", Topic: "product-news"}},
			}},
		},
	}
	f.li.AddForm(testForm())
	f.webhook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.handler.Load().(http.Handler).ServeHTTP(w, r)
	}))
	t.Cleanup(f.webhook.Close)
	f.open()
	t.Cleanup(func() { f.st.Close() })
	f.publishWelcome()
	return f
}

// open (re)builds the receiving side over the store file.
func (f *fixture) open() {
	t := f.t
	st, err := embedded.Open(f.path, store.Config{Now: f.clock.Now}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	f.st = st
	f.q = queue.NewStore(st, queueName, queue.StoreOptions{Visibility: time.Minute, MaxAttempts: 8})
	routes, err := leads.NewRoutes(map[string]leads.Config{bu: f.cfg})
	if err != nil {
		t.Fatal(err)
	}
	quiet := f.log
	if quiet == nil {
		quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	f.inbox, err = leads.NewInbox(leads.InboxOptions{Store: st, Queue: f.q, Routes: routes, Now: f.clock.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	client, err := linkedin.NewClient(linkedin.ClientOptions{
		BaseURL: f.li.URL, Version: "202601", Tokens: linkedin.StaticToken(f.li.Token()),
		Now: f.clock.Now, Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }, Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.client = client
	enroller := enrol.New(st, catalog.New(st, nil), f.starter, f.clock.Now)
	f.proc, err = leads.NewProcessor(leads.Options{
		Store: st, API: client, Enroller: enroller, Catalog: catalog.New(st, nil), Stopper: f.starter, Tasks: f.starter,
		Settings: func(context.Context, string) (leads.Config, error) { return f.cfg, nil },
		Now:      f.clock.Now, Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.worker = &queue.Worker{Receiver: f.q, Handler: f.proc.Handle, RetryBase: 10 * time.Second, RetryMax: time.Minute, Logger: quiet}
	h, err := linkedin.NewHandler(linkedin.HandlerOptions{ClientSecrets: []string{clientSecret}, Inbox: f.inbox, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	f.handler.Store(h)
}

// restart closes the store (dropping whatever was in flight) and rebuilds
// the receiving side, as a new Lambda container or a restarted dev server.
func (f *fixture) restart() {
	if err := f.st.Close(); err != nil {
		f.t.Fatal(err)
	}
	f.open()
}

func (f *fixture) publishWelcome() {
	t := f.t
	ctx := context.Background()
	dir := filepath.Join("..", "..", "journeys")
	lib, probs := journey.LoadDir(dir)
	checked, more := journey.ReadJourney(filepath.Join(dir, "welcome.journey.yaml"), lib)
	if probs = append(probs, more...); len(probs) > 0 {
		t.Fatal(probs)
	}
	b, err := journey.NewBundle(checked, lib)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := b.Marshal()
	if err := f.st.CreateVersion(ctx, bu, store.JourneyVersion{Journey: "welcome", Version: 1, Source: src, ASL: []byte("{}"),
		StateMachineVersion: versionArn, PublishedBy: "test", PublishedAt: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.PutJourney(ctx, bu, store.Journey{ID: "welcome", Name: "Welcome", Status: store.JourneyActive, Current: 1}); err != nil {
		t.Fatal(err)
	}
}

// testForm is version 1 of the welcome journey's form: name, email,
// company, a custom "plan" question and one consent (id 1).
func testForm() linkedin.Form {
	text := func(s string) linkedin.MultiLocaleString {
		return linkedin.MultiLocaleString{Localized: map[string]string{"en_US": s}}
	}
	q := func(id int64, name, predefined string) linkedin.Question {
		return linkedin.Question{QuestionID: id, Name: name, Question: text(name), PredefinedField: predefined,
			QuestionDetails: linkedin.QuestionDetails{TextQuestionDetails: &linkedin.TextQuestionDetails{MaxResponseLength: 300}}}
	}
	return linkedin.Form{
		ID: formID, VersionID: 1, Name: "Welcome", Owner: &linkedin.Union{Kind: "sponsoredAccount", URN: owner},
		CreationLocale: &linkedin.Locale{Country: "US", Language: "en"},
		Content: linkedin.FormContent{
			Questions: []linkedin.Question{
				q(11, "firstName", "FIRST_NAME"), q(12, "lastName", "LAST_NAME"), q(13, "email", "EMAIL"),
				q(14, "company", "COMPANY_NAME"), q(15, "plan", ""),
			},
			LegalInfo: &linkedin.LegalInfo{Consents: []linkedin.ConsentDef{{ID: 1, Consent: text("Email me product news")}}},
		},
	}
}

// leadSpec says what a test lead answers.
type leadSpec struct {
	n       int
	email   string // "" for none
	consent bool
	test    bool
	plan    string
}

func leadID(n int) string { return fmt.Sprintf("%08x-d272-44ba-a7db-c2bdce579507-%d", n, n%7) }

func emailOf(n int) string { return fmt.Sprintf("lead%d@example.com", n) }

func makeLead(s leadSpec) linkedin.Lead {
	answer := func(q int64, v string) linkedin.Answer {
		return linkedin.Answer{QuestionID: q, AnswerDetails: linkedin.AnswerDetails{TextQuestionAnswer: &linkedin.TextQuestionAnswer{Answer: v}}}
	}
	answers := []linkedin.Answer{answer(11, "Ada"), answer(12, fmt.Sprintf("Lovelace %d", s.n)), answer(14, "Analytical Engines")}
	if s.email != "" {
		answers = append(answers, answer(13, s.email))
	}
	if s.plan != "" {
		answers = append(answers, answer(15, s.plan))
	}
	return linkedin.Lead{
		ID: leadID(s.n), Owner: linkedin.Union{Kind: "sponsoredAccount", URN: owner}, LeadType: linkedin.LeadTypeSponsored,
		FormURN:     linkedin.FormVersion{FormID: formID, Version: 1}.URN(),
		SubmittedAt: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(s.n) * time.Second).UnixMilli(),
		TestLead:    s.test,
		FormResponse: linkedin.FormResponse{Answers: answers,
			ConsentResponses: []linkedin.ConsentResponse{{ConsentID: 1, Accepted: s.consent}}},
	}
}

// notify posts a signed notification to the webhook, fails the test
// unless it is answered 200, and reports whether it was a duplicate.
func (f *fixture) notify(l linkedin.Lead, action string) bool {
	f.t.Helper()
	body := linkedintest.NotificationFor(l, action, f.clock.Now())
	req, _ := http.NewRequest(http.MethodPost, f.webhook.URL, bytes.NewReader(body))
	req.Header.Set(linkedin.SignatureHeader, linkedin.Sign(clientSecret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("notify %s %s: %v", l.ID, action, err)
	}
	defer resp.Body.Close()
	var answer struct{ Status string }
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != http.StatusOK {
		f.t.Fatalf("notify %s %s: %d %v", l.ID, action, resp.StatusCode, err)
	}
	return answer.Status == "duplicate"
}

// drain runs the worker until the queue is empty, moving the clock past
// retry delays and leases between rounds.
func (f *fixture) drain() {
	f.t.Helper()
	ctx := context.Background()
	for round := 0; round < 50; round++ {
		if _, err := f.worker.Drain(ctx); err != nil {
			f.t.Fatal(err)
		}
		if waiting, _, _ := f.q.Depth(ctx); waiting == 0 {
			return
		}
		f.clock.Advance(3 * time.Minute)
	}
	f.t.Fatal("queue not empty after 50 rounds")
}

func (f *fixture) contactByEmail(email string) (store.Contact, bool) {
	f.t.Helper()
	c, err := f.st.FindContactByEmail(context.Background(), bu, email)
	if err != nil {
		return c, false
	}
	return c, true
}

func (f *fixture) allContacts() []store.Contact {
	f.t.Helper()
	var out []store.Contact
	cursor := ""
	for {
		page, err := f.st.ListContacts(context.Background(), bu, store.ContactScan{Segment: 0, Segments: 1, Cursor: cursor, Limit: 1000})
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, page.Items...)
		if cursor = page.Next; cursor == "" {
			return out
		}
	}
}

func (f *fixture) interactions(contact string) []store.Interaction {
	f.t.Helper()
	page, err := f.st.ListInteractions(context.Background(), bu, contact, store.InteractionQuery{Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	return page.Items
}
