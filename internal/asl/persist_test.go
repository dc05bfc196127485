package asl_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
)

// journeyMachine exercises every place an execution can park: a Wait, a
// task token, a retry back-off, and waits inside Parallel branches and Map
// iterations.
const journeyMachine = `{
  "StartAt": "Welcome",
  "States": {
    "Welcome": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "send", "Payload": {"step": "welcome", "contact.$": "$.contact"}},
      "ResultSelector": {"n.$": "$.Payload.n"}, "ResultPath": "$.welcome",
      "Retry": [{"ErrorEquals": ["transient"], "IntervalSeconds": 300, "MaxAttempts": 2}],
      "Assign": {"sentAt.$": "$$.State.EnteredTime"}, "Next": "ThreeDays"},
    "ThreeDays": {"Type": "Wait", "Seconds": 259200, "Next": "WaitForOpen"},
    "WaitForOpen": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "wait-register", "Payload": {"token.$": "$$.Task.Token"}},
      "TimeoutSeconds": 604800, "ResultPath": "$.opened",
      "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": null, "Next": "Both"}], "Next": "Both"},
    "Both": {"Type": "Parallel", "ResultPath": "$.both", "Next": "Each", "Branches": [
      {"StartAt": "B1", "States": {"B1": {"Type": "Wait", "Seconds": 3600, "End": true}}},
      {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "Result": "b2", "End": true}}}]},
    "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "ResultPath": "$.each",
      "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value", "who.$": "$sentAt"},
      "ItemProcessor": {"StartAt": "Day", "States": {"Day": {"Type": "Wait", "Seconds": 86400, "End": true}}},
      "End": true}
  }
}`

func TestDurabilityAcrossRestart(t *testing.T) {
	ctx := context.Background()
	m := mustLoad(t, journeyMachine)
	store := asl.NewMemoryPersistence()
	resolve := func(arn string) (*asl.Machine, error) {
		if arn != "arn:aws:states:us-east-1:123456789012:stateMachine:welcome" {
			return nil, errors.New("unknown state machine " + arn)
		}
		return m, nil
	}
	input := `{"contact":"c-1","items":["a","b"]}`
	// The machine retries on Journey.Transient but send fails with a
	// wrapError first, so make the first attempt fail transiently instead.
	keeper := &tokenKeeper{}
	sends := 0
	functions := asl.Functions{
		"send": asl.LambdaFunc(func(context.Context, []byte) ([]byte, error) {
			sends++
			if sends == 1 {
				return nil, transient{}
			}
			return []byte(fmt.Sprintf(`{"n":%d}`, sends)), nil
		}),
		"wait-register": keeper,
	}
	newEngine := func(at time.Time) (*asl.Engine, *asl.VirtualClock) {
		vc := asl.NewVirtualClock(at)
		return asl.NewEngine(asl.WithClock(vc), asl.WithSeed(9), asl.WithPersistence(store), asl.WithInvoker(functions)), vc
	}

	// The uninterrupted run, for reference.
	refStore := asl.NewMemoryPersistence()
	refKeeper := &tokenKeeper{}
	refSends := 0
	ref := asl.NewEngine(asl.WithClock(asl.NewVirtualClock(t0)), asl.WithSeed(9), asl.WithPersistence(refStore), asl.WithInvoker(asl.Functions{
		"send": asl.LambdaFunc(func(context.Context, []byte) ([]byte, error) {
			refSends++
			if refSends == 1 {
				return nil, transient{}
			}
			return []byte(fmt.Sprintf(`{"n":%d}`, refSends)), nil
		}),
		"wait-register": refKeeper,
	}))
	refArn, err := ref.Start(ctx, asl.StartRequest{Machine: m, StateMachineName: "welcome", Name: "c-1", Input: []byte(input)})
	if err != nil {
		t.Fatal(err)
	}
	runUntil(t, ref, t0.Add(4*24*time.Hour))
	if err := ref.SendTaskSuccess(ctx, refKeeper.tokens[0], []byte(`{"event":"email.opened"}`)); err != nil {
		t.Fatal(err)
	}
	runUntil(t, ref, t0.Add(30*24*time.Hour))
	want := describe(t, ref, refArn)
	if want.Status != asl.StatusSucceeded {
		t.Fatalf("reference run: %s %s %s", want.Status, want.Error, want.Cause)
	}
	wantEvents := eventTypes(t, ref, refArn)

	// The same journey, with the engine replaced at every parking place.
	stops := []time.Duration{0, 2 * time.Minute, 24 * time.Hour, 4 * 24 * time.Hour, 4*24*time.Hour + 30*time.Minute,
		4*24*time.Hour + 2*time.Hour, 5*24*time.Hour + 3*time.Hour, 30 * 24 * time.Hour}
	e, _ := newEngine(t0)
	arn, err := e.Start(ctx, asl.StartRequest{Machine: m, StateMachineName: "welcome", Name: "c-1", Input: []byte(input)})
	if err != nil {
		t.Fatal(err)
	}
	for i, at := range stops {
		if i > 0 {
			// A new engine: nothing carried over but the persisted snapshots.
			e, _ = newEngine(t0.Add(stops[i-1]))
			if _, err := e.Restore(ctx, resolve); err != nil {
				t.Fatalf("restore at %s: %v", stops[i-1], err)
			}
		}
		runUntil(t, e, t0.Add(at))
		if at == 4*24*time.Hour {
			if len(keeper.tokens) != 1 {
				t.Fatalf("tokens %v", keeper.tokens)
			}
			// Answer on a fresh engine, restored from the store.
			e, _ = newEngine(t0.Add(at))
			if _, err := e.Restore(ctx, resolve); err != nil {
				t.Fatal(err)
			}
			if err := e.SendTaskSuccess(ctx, keeper.tokens[0], []byte(`{"event":"email.opened"}`)); err != nil {
				t.Fatalf("send task success after restore: %v", err)
			}
		}
	}
	got := describe(t, e, arn)
	if got.Status != asl.StatusSucceeded {
		t.Fatalf("status %s %s %s", got.Status, got.Error, got.Cause)
	}
	if canon(t, got.Output) != canon(t, want.Output) {
		t.Errorf("output\n got %s\nwant %s", got.Output, want.Output)
	}
	if diff := cmp.Diff(wantEvents, eventTypes(t, e, arn)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if !got.StopDate.Equal(want.StopDate) {
		t.Errorf("stopped %s, want %s", got.StopDate, want.StopDate)
	}
	// Names stay unique after a restart.
	if _, err := e.Start(ctx, asl.StartRequest{Machine: m, StateMachineName: "welcome", Name: "c-1", Input: []byte(input)}); !errors.Is(err, asl.ErrExecutionAlreadyExists) {
		t.Errorf("restart reused a name: %v", err)
	}
}

// transient is a handler error the machine retries.
type transient struct{}

func (transient) Error() string { return "provider said 503" }

// Executions parked on task tokens inside Map iterations carry on after a
// restart, and their tokens stay valid.
func TestRestoreTokensInsideMap(t *testing.T) {
	ctx := context.Background()
	m := mustLoad(t, `{"StartAt":"Each","States":{"Each":{"Type":"Map","ItemsPath":"$.approvers","End":true,
		"ItemProcessor":{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Parameters":{"FunctionName":"approval-request","Payload":{"token.$":"$$.Task.Token","who.$":"$"}},
		"HeartbeatSeconds":3600,"TimeoutSeconds":86400,"End":true}}}}}}`)
	store := asl.NewMemoryPersistence()
	keeper := &tokenKeeper{}
	newEngine := func(at time.Time) *asl.Engine {
		return asl.NewEngine(asl.WithClock(asl.NewVirtualClock(at)), asl.WithPersistence(store),
			asl.WithInvoker(asl.Functions{"approval-request": keeper}))
	}
	resolve := func(string) (*asl.Machine, error) { return m, nil }
	e := newEngine(t0)
	arn := start(t, e, m, "approval-1", `{"approvers":["ann","bob"]}`)
	runUntil(t, e, t0.Add(time.Minute))
	if len(keeper.tokens) != 2 {
		t.Fatalf("tokens %v", keeper.tokens)
	}
	for i, tok := range keeper.tokens {
		e = newEngine(t0.Add(time.Duration(i+1) * 30 * time.Minute))
		if n, err := e.Restore(ctx, resolve); err != nil || n != 1 {
			t.Fatalf("restore: %d %v", n, err)
		}
		if err := e.SendTaskSuccess(ctx, tok, []byte(`"approved"`)); err != nil {
			t.Fatalf("answer %d after restore: %v", i, err)
		}
		runUntil(t, e, t0.Add(time.Duration(i+1)*30*time.Minute))
	}
	d := describe(t, e, arn)
	if d.Status != asl.StatusSucceeded || string(d.Output) != `["approved","approved"]` {
		t.Errorf("got %s %s %s", d.Status, d.Output, d.Error)
	}
}

// failingStore fails its first saves, as a full disk would.
type failingStore struct {
	*asl.MemoryPersistence
	failures int
}

func (s *failingStore) Save(ctx context.Context, snap *asl.Snapshot) error {
	if s.failures > 0 {
		s.failures--
		return errors.New("disk full")
	}
	return s.MemoryPersistence.Save(ctx, snap)
}

func TestPersistenceFailureIsRetried(t *testing.T) {
	ctx := context.Background()
	store := &failingStore{MemoryPersistence: asl.NewMemoryPersistence(), failures: 1}
	e, _ := testEngine(t, asl.WithPersistence(store))
	m := mustLoad(t, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`)
	if _, err := e.Start(ctx, asl.StartRequest{Machine: m, Name: "p"}); err == nil {
		t.Fatal("start did not report the failed save")
	}
	if err := e.RunUntil(ctx, t0); err != nil {
		t.Fatalf("run: %v", err)
	}
	arns, _ := store.List(ctx)
	if len(arns) != 1 {
		t.Fatalf("saved %v after the store recovered", arns)
	}
}
