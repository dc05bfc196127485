package approval_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/approval/flowtest"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/webhook"
	"github.com/journeys-oss/journeys/internal/wire"
)

const (
	bu          = "northwind"
	execution   = "arn:aws:states:us-east-1:123456789012:execution:journeys-northwind-welcome:welcome-0123"
	callbackKey = "0123456789abcdef0123456789abcdef-callback"
)

// tasks records what the service tells Step Functions.
type tasks struct {
	mu    sync.Mutex
	calls []taskCall
	fail  error
}

type taskCall struct {
	Token, Output, Error, Cause string
}

func (r *tasks) SendTaskSuccess(_ context.Context, token, output string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.calls = append(r.calls, taskCall{Token: token, Output: output})
	return nil
}

func (r *tasks) SendTaskFailure(_ context.Context, token, errName, cause string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.calls = append(r.calls, taskCall{Token: token, Error: errName, Cause: cause})
	return nil
}

// hooks records decisions of non-step approvals.
type hooks struct {
	mu  sync.Mutex
	got []store.Approval
}

func (h *hooks) OnDecision(_ context.Context, a store.Approval) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, a)
	return nil
}

type fixture struct {
	t        testing.TB
	clock    *asl.VirtualClock
	st       *embedded.Store
	flow     *flowtest.Server
	tasks    *tasks
	hooks    *hooks
	svc      *approval.Service
	callback *httptest.Server
	secret   webhook.Secret

	mu   sync.Mutex
	keys []string // the callback keys the settings give, newest first
}

// setCallbackKeys rotates the business unit's callback keys.
func (f *fixture) setCallbackKeys(keys ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys = keys
}

func (f *fixture) callbackKeys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.keys
}

func newFixture(t *testing.T, flowOpts flowtest.Options) *fixture {
	return newBenchFixture(t, flowOpts)
}

// newBenchFixture is newFixture for tests and benchmarks alike.
func newBenchFixture(t testing.TB, flowOpts flowtest.Options) *fixture {
	t.Helper()
	return newLoggedFixture(t, flowOpts, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// newLoggedFixture is newFixture with the service and its webhook client
// logging to log.
func newLoggedFixture(t testing.TB, flowOpts flowtest.Options, log *slog.Logger) *fixture {
	t.Helper()
	f := &fixture{t: t, clock: asl.NewVirtualClock(time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)), tasks: &tasks{}, hooks: &hooks{},
		keys: []string{callbackKey}}
	st, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"), store.Config{Now: f.clock.Now}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	f.secret, _ = webhook.NewSecret(nil)
	flowOpts.Secrets, flowOpts.Now = []webhook.Secret{f.secret}, f.clock.Now
	f.flow = flowtest.NewServer(t, flowOpts)
	quiet := log
	loopback := netip.MustParsePrefix("127.0.0.1/32")
	client, err := webhook.NewClient(webhook.ClientOptions{
		Policy:   &webhook.Policy{AllowedHosts: []string{"127.0.0.1"}, HTTPHosts: []string{"127.0.0.1"}, AllowedNetworks: []netip.Prefix{loopback}},
		Unsigned: true, Now: f.clock.Now, Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }, Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	var handler httptestHandler
	f.callback = httptest.NewServer(&handler)
	t.Cleanup(f.callback.Close)
	f.svc, err = approval.New(approval.Options{
		Store: st, Tasks: f.tasks, Catalog: catalog.New(st, nil), Poster: client,
		Settings: func(_ context.Context, b string) (approval.Config, error) {
			if b != bu {
				return approval.Config{}, fmt.Errorf("settings of %s: %w", b, approval.ErrUnknownBU)
			}
			return approval.Config{FlowURL: f.flow.URL, Secrets: []string{f.secret.Text()}, CallbackKeys: f.callbackKeys()}, nil
		},
		CallbackURL: f.callback.URL + "/approvals/callback",
		Hooks:       map[store.ApprovalKind]approval.DecisionHook{store.ApprovalPublish: f.hooks},
		Now:         f.clock.Now, Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	handler.h = f.svc.Callback()
	f.publishWelcome()
	if _, err := st.UpsertContact(context.Background(), bu, store.ContactPatch{ID: "c-1", Email: ptr("ada@example.com"),
		FirstName: ptr("Ada"), LastName: ptr("Lovelace"), Company: ptr("Analytical Engines"), JobTitle: ptr("CTO")}); err != nil {
		t.Fatal(err)
	}
	return f
}

func ptr[T any](v T) *T { return &v }

func (f *fixture) publishWelcome() {
	t := f.t
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
	if err := f.st.CreateVersion(context.Background(), bu, store.JourneyVersion{Journey: "welcome", Version: 1, Source: src,
		ASL: []byte("{}"), PublishedBy: "test", PublishedAt: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
}

func stepRequest(token string) wire.StepRequest {
	return wire.StepRequest{V: 1, Op: wire.OpApproval, BU: bu, Journey: "welcome", Version: 1, Contact: "c-1",
		Entry: "lead-1", Execution: execution, Step: "ask-sales", Token: token}
}

// request runs the task and returns the flow's only request.
func (f *fixture) request(token string) flowtest.Request {
	f.t.Helper()
	res, err := f.svc.Task(context.Background(), stepRequest(token))
	if err != nil || res.Status != "requested" {
		f.t.Fatalf("task: %+v %v", res, err)
	}
	reqs := f.flow.Requests()
	if len(reqs) == 0 {
		f.t.Fatal("the flow got no request")
	}
	return reqs[len(reqs)-1]
}
