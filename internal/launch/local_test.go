package launch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/launch"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/memory"
	"github.com/journeys-oss/journeys/internal/testsvc"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// The segment-launch machine's name and its function's in the local
// runtime tests.
const (
	localLaunchMachine  = "journeys-local-segment-launch"
	localLaunchFunction = "arn:aws:lambda:us-east-1:123456789012:function:segment-launch"
)

// inbox is the email provider of the local runtime tests (an outside
// service): it delivers each idempotency key once and counts deliveries
// per contact. It is safe for concurrent use.
type inbox struct {
	mu        sync.Mutex
	receipts  map[string]channel.Receipt // by idempotency key
	byContact map[string]int
}

func newInbox() *inbox {
	return &inbox{receipts: map[string]channel.Receipt{}, byContact: map[string]int{}}
}

func (b *inbox) Provider(_ context.Context, _, ch string) (channel.Provider, error) {
	if ch != "email" {
		return nil, fmt.Errorf("inbox: no %s channel", ch)
	}
	return b, nil
}

func (b *inbox) Action(_ context.Context, _, name string) (*handler.ActionTarget, error) {
	return nil, fmt.Errorf("inbox: no webhook action %s", name)
}

func (b *inbox) Deliver(_ context.Context, m channel.Message) (channel.Receipt, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r, ok := b.receipts[m.IdempotencyKey]; ok {
		return r, nil
	}
	r := channel.Receipt{ProviderID: fmt.Sprintf("msg-%d", len(b.receipts)+1), Status: channel.StatusAccepted}
	b.receipts[m.IdempotencyKey] = r
	b.byContact[m.Contact]++
	return r, nil
}

// launchInvoker is the local runtime's task invoker with the
// segment-launch function added, and the Step Functions integration the
// machine continues with (states:startExecution) served by the same
// local Workflow, as the optimized integration is on AWS.
type launchInvoker struct {
	functions asl.Functions
	wf        *local.Workflow
}

func (li launchInvoker) Invoke(ctx context.Context, req *asl.TaskRequest) ([]byte, error) {
	if req.Service != "states" || req.Action != "startExecution" {
		return li.functions.Invoke(ctx, req)
	}
	var p struct {
		StateMachineArn, Name string
		Input                 json.RawMessage
	}
	if err := json.Unmarshal(req.Payload, &p); err != nil {
		return nil, err
	}
	arn, err := li.wf.Start(ctx, p.StateMachineArn, p.Name, string(p.Input))
	if errors.Is(err, workflow.ErrExecutionExists) {
		return nil, &asl.TaskFailure{Name: "StepFunctions.ExecutionAlreadyExistsException", Cause: err.Error()}
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"ExecutionArn": arn, "StartDate": float64(time.Now().Unix())})
}

// localFixture is the journeys system in one process (local.System on a
// virtual clock), with the newsletter published and the segment-launch
// machine running on the local Step Functions.
//
// It keeps its data in the in-memory store, as simulations do, not in the
// dev server's embedded (bbolt) one: the journey executions the launch
// starts run to their end through the send and finish functions, about
// ten store writes per contact, and on bbolt each is a commit. Measured on
// 20,000 contacts (two launches): 38 s of CPU on the embedded store, 55%
// of it in bbolt commits (Tx.Commit, spill, pwrite) and 20% in GC, against
// 6 s on the in-memory store. Both stores pass one conformance suite,
// conditional enrolment writes included, and TestLaunch20000 proves the
// launch's exactly-once enrolment on the embedded store.
type localFixture struct {
	sys     *local.System
	st      local.Store
	clock   *asl.VirtualClock
	inbox   *inbox
	journey string // the newsletter's state machine ARN
	launch  string // the segment-launch machine's ARN
}

// newLocal builds the system over n contacts, every one a member of the
// newsletter's segment who consents to email, and publishes the newsletter
// (re-entry never) and the segment-launch machine.
func newLocal(t *testing.T, n int, cfg launch.Config) *localFixture {
	t.Helper()
	ctx := context.Background()
	f := &localFixture{clock: asl.NewVirtualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)), inbox: newInbox()}
	st := memory.New(store.Config{Now: f.clock.Now})
	f.st = st
	var err error
	f.sys, err = local.NewSystem(local.SystemConfig{
		Root: filepath.Join(testsvc.Root(t), "journeys"), Store: st, Clock: f.clock,
		Secrets: &local.DerivedSecrets{Seed: "launch"}, BaseURL: "http://127.0.0.1:1",
		Channels: f.inbox, Actions: f.inbox, Seed: 1, Logger: quiet(),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.sys.Publisher.Publish(ctx, publish.Request{BU: bu, Bundle: newsletter(t, "never"), By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	f.journey = res.MachineArn
	addMembers(t, st, n, f.clock.Now())

	l := launch.New(st, f.sys.Catalog, f.sys.Enroller, cfg, launch.Options{Now: f.clock.Now,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }, Logger: quiet()})
	fns := f.sys.Functions()
	fns["segment-launch"] = asl.LambdaFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		return lambdaHandle(ctx, l, payload)
	})
	f.sys.UseInvoker(launchInvoker{functions: fns, wf: f.sys.Workflow})

	def, err := os.ReadFile(filepath.Join(testsvc.Root(t), "statemachines", "segment-launch.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := f.sys.Workflow.Publish(ctx, workflow.Definition{Name: localLaunchMachine,
		ASL:     strings.ReplaceAll(string(def), "${SegmentLaunchFunctionArn}", localLaunchFunction),
		RoleArn: "arn:aws:iam::123456789012:role/segment-launch"})
	if err != nil {
		t.Fatal(err)
	}
	f.launch = pub.MachineArn
	return f
}

// addMembers writes n contacts who are all members of
// newsletter-subscribers and consent to email.
func addMembers(t *testing.T, st contactWriter, n int, at time.Time) {
	t.Helper()
	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += writers {
				_, err := st.UpsertContact(context.Background(), bu, store.ContactPatch{ID: contactID(i),
					Email:      store.String(contactID(i) + "@example.com"),
					Attributes: map[string]store.Value{"newsletterFrequency": store.StringValue("monthly")},
					Channels:   map[string]store.Consent{"email": {Status: store.ConsentGranted, Source: "test", At: at}}})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// run starts a launch on the segment-launch machine and runs the engine
// until everything it started is over: the launch's executions and the
// journey executions they started. It returns the final launch state
// and how many launch executions it took.
func (f *localFixture) run(t *testing.T, id string) (launch.State, int) {
	t.Helper()
	ctx := context.Background()
	in, _ := json.Marshal(launch.State{V: 1, BU: bu, Journey: "newsletter", Launch: id, By: "test"})
	if _, err := f.sys.Workflow.Start(ctx, f.launch, launch.ExecutionName(bu, "newsletter", id, 0), string(in)); err != nil {
		t.Fatal(err)
	}
	// The newsletter has no waits: an hour covers every retry backoff of
	// the launch machine.
	if err := f.sys.Workflow.Engine().RunUntil(ctx, f.clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var final launch.State
	var generations int
	// Every generation's name is the first one's with its number at the end.
	prefix := strings.TrimSuffix(launch.ExecutionName(bu, "newsletter", id, 0), "0")
	for _, d := range f.sys.Workflow.Engine().Executions() {
		if !strings.Contains(d.ExecutionArn, ":execution:"+localLaunchMachine+":") || !strings.HasPrefix(d.Name, prefix) {
			continue
		}
		generations++
		if d.Status != asl.StatusSucceeded {
			t.Fatalf("launch execution %s: %s %s %s", d.Name, d.Status, d.Error, d.Cause)
		}
		var s launch.State
		if err := json.Unmarshal(d.Output, &s); err != nil {
			t.Fatal(err)
		}
		if s.Done {
			final = s
		}
	}
	if !final.Done {
		t.Fatalf("launch %s did not finish in %d executions", id, generations)
	}
	return final, generations
}

// checkOnce asserts that each of the n contacts has one enrolment, one
// journey execution that ran to its end, and one newsletter.
func (f *localFixture) checkOnce(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	names := map[string]bool{}
	prefix := strings.Replace(f.journey, ":stateMachine:", ":execution:", 1) + ":"
	for _, d := range f.sys.Workflow.Engine().Executions() {
		if !strings.HasPrefix(d.ExecutionArn, prefix) {
			continue
		}
		if d.Status != asl.StatusSucceeded {
			t.Fatalf("journey execution %s: %s %s %s", d.Name, d.Status, d.Error, d.Cause)
		}
		if names[d.Name] {
			t.Fatalf("journey execution %s twice", d.Name)
		}
		names[d.Name] = true
	}
	if len(names) != n {
		t.Errorf("%d journey executions, want %d", len(names), n)
	}
	ids := make([]string, 0, 100)
	for i := range n {
		if ids = append(ids, contactID(i)); len(ids) == cap(ids) || i == n-1 {
			es, err := f.st.EnrolmentsOf(ctx, bu, "newsletter", ids)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				if len(es[id]) != 1 {
					t.Fatalf("contact %s has %d enrolments in the newsletter, want 1", id, len(es[id]))
				}
			}
			ids = ids[:0]
		}
	}
	f.inbox.mu.Lock()
	defer f.inbox.mu.Unlock()
	if len(f.inbox.byContact) != n {
		t.Errorf("%d contacts got the newsletter, want %d", len(f.inbox.byContact), n)
	}
	for c, k := range f.inbox.byContact {
		if k != 1 {
			t.Errorf("contact %s got the newsletter %d times", c, k)
		}
	}
}

// TestLaunch20000Local launches the newsletter to 20,000 contacts in the
// local runtime: the segment-launch machine runs on the local Step
// Functions, continuing in new executions before its history target, its
// tasks call the launcher, and every enrolment starts a real journey
// execution that runs to its end (the newsletter sent through the send
// function). A second launch finds everyone enrolled: 20,000 executions,
// enrolments and newsletters after both.
func TestLaunch20000Local(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 contacts")
	}
	const n = 20_000
	f := newLocal(t, n, launch.Config{Rate: 1e6, Segments: 8, HistoryEvents: 300})

	first, generations := f.run(t, "2026-03-01")
	want := launch.Totals{Listed: n, Members: n, Enrolled: n}
	if diff := cmp.Diff(want, first.Totals); diff != "" {
		t.Errorf("first launch (-want +got):\n%s", diff)
	}
	if generations < 2 {
		t.Errorf("the launch took %d execution(s); the history target should have forced continuations", generations)
	}
	f.checkOnce(t, n)

	second, _ := f.run(t, "2026-04-01")
	// Everyone's newsletter execution is over: the re-entry policy (never)
	// keeps them out, and the enrolment guard would have.
	want = launch.Totals{Listed: n, Members: n, Skipped: map[string]int64{"entered before; re-entry is not allowed": n}}
	if diff := cmp.Diff(want, second.Totals); diff != "" {
		t.Errorf("second launch (-want +got):\n%s", diff)
	}
	f.checkOnce(t, n)
}

// lambdaHandle serves a segment-launch task through the Lambda error
// boundary, as the function does.
func lambdaHandle(ctx context.Context, l *launch.Launcher, payload []byte) ([]byte, error) {
	var r launch.Request
	if err := json.Unmarshal(payload, &r); err != nil {
		return nil, err
	}
	out, err := l.Handle(ctx, r)
	if err != nil {
		return nil, wire.LambdaError(err)
	}
	return json.Marshal(out)
}
