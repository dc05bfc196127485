package cost_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/cost"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/tracking"
	"github.com/journeys-oss/journeys/internal/webhook"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

var update = flag.Bool("update", false, "rewrite handlers.json from this measurement")

type opKey struct{}

func withOp(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, opKey{}, op)
}

// counting is the embedded store counting every call of the methods
// cost.StoreUnits prices, by the operation in the call's context. Journey
// versions (GetVersion) are not counted: the catalog reads each once per
// container, not per contact.
type counting struct {
	*embedded.Store
	mu    sync.Mutex
	calls map[string]map[string]int
}

func (c *counting) count(ctx context.Context, method string) {
	op, _ := ctx.Value(opKey{}).(string)
	if op == "" {
		op = "unattributed"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls[op] == nil {
		c.calls[op] = map[string]int{}
	}
	c.calls[op][method]++
}

func (c *counting) GetJourney(ctx context.Context, bu, id string) (store.Journey, error) {
	c.count(ctx, "GetJourney")
	return c.Store.GetJourney(ctx, bu, id)
}
func (c *counting) GetContact(ctx context.Context, bu, id string) (store.Contact, error) {
	c.count(ctx, "GetContact")
	return c.Store.GetContact(ctx, bu, id)
}
func (c *counting) GetOwner(ctx context.Context, bu, id string) (store.Owner, error) {
	c.count(ctx, "GetOwner")
	return c.Store.GetOwner(ctx, bu, id)
}
func (c *counting) GetSuppression(ctx context.Context, bu string, k store.AddressKind, a string) (store.Suppression, error) {
	c.count(ctx, "GetSuppression")
	return c.Store.GetSuppression(ctx, bu, k, a)
}
func (c *counting) GetEnrolment(ctx context.Context, bu, j, ct, e string) (store.Enrolment, error) {
	c.count(ctx, "GetEnrolment")
	return c.Store.GetEnrolment(ctx, bu, j, ct, e)
}
func (c *counting) ListInteractions(ctx context.Context, bu, ct string, q store.InteractionQuery) (store.Page[store.Interaction], error) {
	c.count(ctx, "ListInteractions")
	return c.Store.ListInteractions(ctx, bu, ct, q)
}
func (c *counting) CountInteractions(ctx context.Context, bu, ct string, k store.InteractionKind, ch string, since time.Time) (int, error) {
	c.count(ctx, "CountInteractions")
	return c.Store.CountInteractions(ctx, bu, ct, k, ch, since)
}
func (c *counting) ListStepLogs(ctx context.Context, bu, ct, ex string) ([]store.StepLog, error) {
	c.count(ctx, "ListStepLogs")
	return c.Store.ListStepLogs(ctx, bu, ct, ex)
}
func (c *counting) LatestEnrolment(ctx context.Context, bu, j, ct string) (store.Enrolment, error) {
	c.count(ctx, "LatestEnrolment")
	return c.Store.LatestEnrolment(ctx, bu, j, ct)
}
func (c *counting) WaitingCallbacks(ctx context.Context, bu, ct, ev string) ([]store.Callback, error) {
	c.count(ctx, "WaitingCallbacks")
	return c.Store.WaitingCallbacks(ctx, bu, ct, ev)
}
func (c *counting) AppendInteraction(ctx context.Context, bu string, i store.Interaction) (store.Interaction, error) {
	c.count(ctx, "AppendInteraction")
	return c.Store.AppendInteraction(ctx, bu, i)
}
func (c *counting) AppendStepLog(ctx context.Context, bu string, l store.StepLog) (store.StepLog, error) {
	c.count(ctx, "AppendStepLog")
	return c.Store.AppendStepLog(ctx, bu, l)
}
func (c *counting) IncrementFunnel(ctx context.Context, bu, j string, v int, step, outcome string, n int64) error {
	c.count(ctx, "IncrementFunnel")
	return c.Store.IncrementFunnel(ctx, bu, j, v, step, outcome, n)
}
func (c *counting) CreateEnrolment(ctx context.Context, bu string, e store.Enrolment) (store.Enrolment, error) {
	c.count(ctx, "CreateEnrolment")
	return c.Store.CreateEnrolment(ctx, bu, e)
}
func (c *counting) UpdateEnrolment(ctx context.Context, bu, j, ct, e string, u store.EnrolmentUpdate) (store.Enrolment, error) {
	c.count(ctx, "UpdateEnrolment")
	return c.Store.UpdateEnrolment(ctx, bu, j, ct, e, u)
}
func (c *counting) CreateCallback(ctx context.Context, bu string, cb store.Callback) (store.Callback, error) {
	c.count(ctx, "CreateCallback")
	return c.Store.CreateCallback(ctx, bu, cb)
}
func (c *counting) CreateApproval(ctx context.Context, bu string, a store.Approval) (store.Approval, error) {
	c.count(ctx, "CreateApproval")
	return c.Store.CreateApproval(ctx, bu, a)
}
func (c *counting) DecideApproval(ctx context.Context, bu, id string, d store.Decision) (store.Approval, error) {
	c.count(ctx, "DecideApproval")
	return c.Store.DecideApproval(ctx, bu, id, d)
}
func (c *counting) GetApproval(ctx context.Context, bu, id string) (store.Approval, error) {
	c.count(ctx, "GetApproval")
	return c.Store.GetApproval(ctx, bu, id)
}
func (c *counting) ClaimCallback(ctx context.Context, bu, id string) (store.Callback, error) {
	c.count(ctx, "ClaimCallback")
	return c.Store.ClaimCallback(ctx, bu, id)
}
func (c *counting) BeginIdempotency(ctx context.Context, bu, key string, lease time.Duration) (store.Idempotency, error) {
	c.count(ctx, "BeginIdempotency")
	return c.Store.BeginIdempotency(ctx, bu, key, lease)
}
func (c *counting) CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error {
	c.count(ctx, "CompleteIdempotency")
	return c.Store.CompleteIdempotency(ctx, bu, key, token, result, keep)
}
func (c *counting) ReleaseIdempotency(ctx context.Context, bu, key, token string) error {
	c.count(ctx, "ReleaseIdempotency")
	return c.Store.ReleaseIdempotency(ctx, bu, key, token)
}
func (c *counting) CreateSalesTask(ctx context.Context, bu string, t store.SalesTask) (store.SalesTask, bool, error) {
	c.count(ctx, "CreateSalesTask")
	return c.Store.CreateSalesTask(ctx, bu, t)
}
func (c *counting) UpsertContact(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, error) {
	c.count(ctx, "UpsertContact")
	return c.Store.UpsertContact(ctx, bu, p)
}
func (c *counting) Suppress(ctx context.Context, bu string, k store.AddressKind, a string, r store.SuppressionReason) error {
	c.count(ctx, "Suppress")
	return c.Store.Suppress(ctx, bu, k, a, r)
}

// engineTasks answers task tokens on the local engine, for the handlers
// and the tracking endpoint.
type engineTasks struct{ e *asl.Engine }

func (t engineTasks) SendTaskSuccess(ctx context.Context, token, output string) error {
	return t.e.SendTaskSuccess(ctx, token, []byte(output))
}

func (t engineTasks) SendTaskFailure(ctx context.Context, token, errName, cause string) error {
	return t.e.SendTaskFailure(ctx, token, errName, cause)
}

// engineStarter starts the enroller's executions on the local engine.
type engineStarter struct {
	e    *asl.Engine
	m    *asl.Machine
	name string
}

func (s engineStarter) Start(ctx context.Context, target, name, input string) (string, error) {
	arn, err := s.e.Start(ctx, asl.StartRequest{Machine: s.m, StateMachineArn: target[:strings.LastIndexByte(target, ':')],
		StateMachineName: s.name, Name: name, Input: []byte(input)})
	if errors.Is(err, asl.ErrExecutionAlreadyExists) {
		return "", workflow.ErrExecutionExists
	}
	return arn, err
}

// approvalFunction serves the approval-request function with the approval
// package's handler (its requests go to an outbox, as in local runs).
type approvalFunction struct{ svc *approval.Service }

func (a approvalFunction) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var req wire.StepRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, err
	}
	res, err := a.svc.Task(withOp(ctx, req.Op), req)
	if err != nil {
		return nil, wire.LambdaError(err)
	}
	return json.Marshal(res)
}

// taskFunction serves one task function with the handlers, counting its
// invocations by op.
type taskFunction struct {
	h     *handler.Handlers
	mu    *sync.Mutex
	calls map[string]int
}

func (f taskFunction) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var req wire.StepRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.calls[req.Op]++
	f.mu.Unlock()
	res, err := f.h.Handle(withOp(ctx, req.Op), req)
	if err != nil {
		return nil, wire.LambdaError(err)
	}
	return json.Marshal(res)
}

// TestMeasureWelcome runs the bundled welcome journey's typical path for
// 20 contacts on the local engine with the real task handlers, enroller
// and tracking endpoint over a counting store: every contact opens the
// introduction (the tracking pixel) and is approved for sales. It checks
// that the machine runs exactly the transitions and Lambda invocations
// compile.Stats and TypicalPath predict, and that what each operation
// does to the store is what handlers.json records (-update rewrites it).
func TestMeasureWelcome(t *testing.T) {
	const contacts = 20
	ctx := context.Background()
	dir := t.TempDir()
	vc := asl.NewVirtualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) // 10:00 in Berlin, outside quiet hours
	emb, err := embedded.Open(filepath.Join(dir, "store.db"), store.Config{Now: vc.Now}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	st := &counting{Store: emb, calls: map[string]map[string]int{}}
	root := filepath.Join("..", "..", "journeys")
	quiet := slog.New(slog.DiscardHandler)

	// Publish welcome (placeholders become function names the engine serves).
	fns := map[string]string{}
	for name, fn := range compile.Placeholders {
		fns[name] = "arn:aws:lambda:us-east-1:123456789012:function:journeys-" + fn
	}
	lib, probs := journey.LoadDir(root)
	checked, more := journey.ReadJourney(filepath.Join(root, "welcome.journey.yaml"), lib)
	if probs = append(probs, more...); len(probs) > 0 {
		t.Fatal(probs)
	}
	bundle, err := journey.NewBundle(checked, lib)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := publish.New(emb, local.NewWorkflow(local.WorkflowConfig{Clock: vc, Logger: quiet}), publish.Config{RoleArn: "arn:aws:iam::123456789012:role/j", Functions: fns}, vc.Now, publish.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	res, err := pub.Publish(ctx, publish.Request{BU: "northwind", Bundle: bundle, By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	version, _ := emb.GetVersion(ctx, "northwind", "welcome", res.Version)
	machine, err := asl.Load(version.ASL)
	if err != nil {
		t.Fatal(err)
	}

	// Handlers, content, settings (every channel to an outbox), tracking.
	secrets := &settings.LocalSecrets{File: filepath.Join(dir, "secrets.yaml")}
	sdir := settings.NewDir(filepath.Join(root, "settings"))
	src, cprobs := content.LoadFiles(os.DirFS(filepath.Join(root, "content")), "journeys/content")
	if len(cprobs) > 0 {
		t.Fatal(cprobs)
	}
	renderers := handler.NewContentRenderers(src, sdir, secrets, "https://t.example/t")
	out := handler.NewOutbound(sdir, secrets, handler.OutboundOptions{Outbox: filepath.Join(dir, "outbox"), Now: vc.Now, Logger: quiet})
	var mu sync.Mutex
	invocations := map[string]int{}
	functions := asl.Functions{}
	engine := asl.NewEngine(asl.WithClock(vc), asl.WithLogger(quiet), asl.WithInvoker(functions))
	approvals, err := approval.NewFromDeps(approval.Deps{Store: st, Tasks: engineTasks{engine}, Catalog: catalog.New(st, nil),
		Settings: sdir, Secrets: secrets, CallbackURL: "https://api.example/approvals/callback", Outbox: filepath.Join(dir, "flows"),
		Client: webhook.ClientOptions{Logger: quiet}})
	if err != nil {
		t.Fatal(err)
	}
	functions["journeys-approval-request"] = approvalFunction{approvals}
	h, err := handler.New(handler.Config{Store: st, Catalog: catalog.New(st, nil), Settings: sdir, Channels: out, Actions: out,
		Content: renderers, Tasks: engineTasks{engine}, Now: vc.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for name, fn := range compile.Placeholders {
		if name != "ApprovalRequestFunctionArn" {
			functions["journeys-"+fn] = taskFunction{h: h, mu: &mu, calls: invocations}
		}
	}
	track, err := tracking.New(tracking.Config{Store: st, Links: renderers, Settings: sdir, Secrets: secrets, Tasks: engineTasks{engine}, Now: vc.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	en := enrol.New(st, catalog.New(st, nil), engineStarter{e: engine, m: machine, name: "journeys-northwind_welcome"}, vc.Now)

	// Contacts: warm leads (score 70, an MQL with an owner), consenting.
	if err := emb.PutOwner(ctx, "northwind", store.Owner{ID: "o-1", Name: "Olga"}); err != nil {
		t.Fatal(err)
	}
	for i := range contacts {
		id := fmt.Sprintf("c-%03d", i)
		_, err := emb.UpsertContact(ctx, "northwind", store.ContactPatch{ID: id, Email: store.String(id + "@example.com"),
			FirstName: store.String("Pat"), Owner: store.String("o-1"), LifecycleStage: store.String("mql"), Locale: store.String("en"),
			Attributes: map[string]store.Value{"leadScore": store.NumberValue(70)},
			Channels:   map[string]store.Consent{"email": {Status: store.ConsentGranted, At: vc.Now()}}})
		if err != nil {
			t.Fatal(err)
		}
		if out, err := en.Enrol(withOp(ctx, "enrol"), enrol.Request{BU: "northwind", Journey: "welcome", Contact: id, Entry: "lead-" + id}); err != nil || out.Status != enrol.Enrolled {
			t.Fatalf("enrol %s: %+v, %v", id, out, err)
		}
	}
	if err := engine.RunUntil(ctx, vc.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// Every contact opens the introduction: the tracking pixel.
	links, err := renderers.Links(ctx, "northwind")
	if err != nil {
		t.Fatal(err)
	}
	for i := range contacts {
		id := fmt.Sprintf("c-%03d", i)
		page, _ := emb.ListInteractions(ctx, "northwind", id, store.InteractionQuery{Limit: 10})
		var message string
		for _, in := range page.Items {
			if in.Kind == store.InteractionSent {
				message = in.Message
			}
		}
		if message == "" {
			t.Fatalf("no message sent to %s: %+v", id, page.Items)
		}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, strings.TrimPrefix(links.Open(message), "https://t.example/t"), nil).WithContext(withOp(ctx, "track.open"))
		track.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("open pixel of %s: %d %s", id, rec.Code, rec.Body)
		}
	}
	if err := engine.RunUntil(ctx, vc.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// Sales approves every warm lead: the flow posts its outcome to the
	// signed callback URL of each request.
	requests, _ := filepath.Glob(filepath.Join(dir, "flows", "northwind", "approvals", "*.json"))
	if len(requests) != contacts {
		t.Fatalf("%d approvals asked, want %d", len(requests), contacts)
	}
	callback := approvals.Callback()
	for _, f := range requests {
		raw, _ := os.ReadFile(f)
		var req struct {
			CallbackURL string `json:"callbackUrl"`
		}
		if err := json.Unmarshal(raw, &req); err != nil || req.CallbackURL == "" {
			t.Fatalf("flow request %s: %v", f, err)
		}
		rec := httptest.NewRecorder()
		body := strings.NewReader(`{"outcome":"Approve","responses":[{"responder":{"displayName":"Sam"},"comments":"go"}]}`)
		callback.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, strings.TrimPrefix(req.CallbackURL, "https://api.example"), body).WithContext(withOp(ctx, "approval.decide")))
		if rec.Code != http.StatusOK {
			t.Fatalf("approval callback: %d %s", rec.Code, rec.Body)
		}
	}
	if err := engine.RunToEnd(ctx, vc.Now()); err != nil {
		t.Fatal(err)
	}

	// The machine ran the typical path, as the stats say.
	path, err := cost.TypicalPath([]byte(strings.NewReplacer(invertPlaceholders(fns)...).Replace(string(version.ASL))))
	if err != nil {
		t.Fatal(err)
	}
	lambdas := 0
	for _, ps := range path {
		if ps.Op != "" {
			lambdas++
		}
	}
	for _, d := range engine.Executions() {
		if d.Status != asl.StatusSucceeded {
			t.Fatalf("%s: %s %s %s", d.Name, d.Status, d.Error, d.Cause)
		}
		if int(d.Transitions) != res.Stats.TypicalTransitions || int(d.Transitions) != len(path) {
			t.Errorf("%s made %d transitions; the stats say %d, the typical path %d", d.Name, d.Transitions, res.Stats.TypicalTransitions, len(path))
		}
	}
	if lambdas != res.Stats.TypicalLambda {
		t.Errorf("the typical path invokes %d functions, the stats say %d", lambdas, res.Stats.TypicalLambda)
	}
	invocations[wire.OpApproval] = contacts
	invocations["approval.decide"] = contacts
	invocations["enrol"] = contacts
	invocations["track.open"] = contacts

	got := cost.Measured{Journey: "welcome", Contacts: contacts, Ops: map[string]cost.OpMeasure{}}
	for op, calls := range st.calls {
		m := cost.OpMeasure{Invocations: float64(invocations[op]) / contacts, Calls: map[string]float64{}}
		for method, n := range calls {
			m.Calls[method] = float64(n) / float64(invocations[op])
		}
		got.Ops[op] = m
	}
	checkMeasured(t, got)
}

// invertPlaceholders maps the substituted ARNs back to placeholders.
func invertPlaceholders(fns map[string]string) []string {
	var out []string
	keys := make([]string, 0, len(fns))
	for k := range fns {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, fns[k], "${"+k+"}")
	}
	return out
}

// checkMeasured compares the measurement with handlers.json, or writes it.
func checkMeasured(t *testing.T, got cost.Measured) {
	t.Helper()
	got.Comment = "Generated by `go test ./internal/cost -run TestMeasureWelcome -update`: store calls per invocation of each operation on the welcome journey's typical path, measured on the real handlers. Do not edit."
	if *update {
		raw, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile("handlers.json", append(raw, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := cost.HandlerMeasurements()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the handlers' store calls changed; run go test ./internal/cost -run TestMeasureWelcome -update and review (-handlers.json +measured):\n%s", diff)
	}
}
