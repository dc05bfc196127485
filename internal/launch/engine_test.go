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

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/launch"
	"github.com/journeys-oss/journeys/internal/testsvc"
	"github.com/journeys-oss/journeys/internal/wire"
)

const launchMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:journeys-segment-launch"

// launchTasks is the segment-launch machine's TaskInvoker on the local
// engine: the function is the launcher (through the Lambda error
// boundary), and states:startExecution starts the continuation on the same
// engine, as the optimized integration does.
type launchTasks struct {
	l       *launch.Launcher
	machine *asl.Machine
	mu      sync.Mutex
	engine  *asl.Engine
}

func (lt *launchTasks) Invoke(ctx context.Context, req *asl.TaskRequest) ([]byte, error) {
	switch {
	case req.Service == "lambda" && asl.FunctionName(req.FunctionName) == "journeys-segment-launch":
		return asl.InvokeLambda(ctx, asl.LambdaFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			var r launch.Request
			if err := json.Unmarshal(payload, &r); err != nil {
				return nil, err
			}
			out, err := lt.l.Handle(ctx, r)
			if err != nil {
				return nil, wire.LambdaError(err)
			}
			return json.Marshal(out)
		}), req.Payload)
	case req.Service == "states" && req.Action == "startExecution":
		var p struct {
			StateMachineArn, Name string
			Input                 json.RawMessage
		}
		if err := json.Unmarshal(req.Payload, &p); err != nil {
			return nil, err
		}
		lt.mu.Lock()
		e := lt.engine
		lt.mu.Unlock()
		arn, err := e.Start(ctx, asl.StartRequest{Machine: lt.machine, StateMachineArn: p.StateMachineArn,
			StateMachineName: "journeys-segment-launch", Name: p.Name, Input: p.Input})
		if errors.Is(err, asl.ErrExecutionAlreadyExists) {
			return nil, &asl.TaskFailure{Name: "StepFunctions.ExecutionAlreadyExistsException", Cause: err.Error()}
		}
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"ExecutionArn": arn, "StartDate": time.Now().Unix()})
	}
	return nil, fmt.Errorf("invoke %s: %w", req.Resource, asl.ErrResourceNotFound)
}

// TestSegmentLaunchMachine runs statemachines/segment-launch.asl.json on
// the local Step Functions engine over 2,000 contacts, with a history
// target small enough that the launch needs several executions: every
// execution succeeds, each stays within the history target the page budget
// was computed for, and everyone is enrolled once.
func TestSegmentLaunchMachine(t *testing.T) {
	const n, target = 2000, 150
	f := newEmbedded(t, n, launch.Config{}, "never")
	f.l = f.launcher(launch.Config{Rate: 2, Segments: 4, HistoryEvents: target}, f.api)
	def, err := os.ReadFile(filepath.Join(testsvc.Root(t), "statemachines", "segment-launch.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	def = []byte(strings.ReplaceAll(string(def), "${SegmentLaunchFunctionArn}", "arn:aws:lambda:us-east-1:123456789012:function:journeys-segment-launch"))
	m, err := asl.Load(def)
	if err != nil {
		t.Fatal(err)
	}
	tasks := &launchTasks{l: f.l, machine: m}
	clock := asl.NewVirtualClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	e := asl.NewEngine(asl.WithInvoker(tasks), asl.WithClock(clock), asl.WithHistory(true))
	tasks.engine = e
	ctx := context.Background()
	in, _ := json.Marshal(launch.State{V: 1, BU: bu, Journey: "newsletter", Launch: "2026-03-01", By: "test"})
	first, err := e.Start(ctx, asl.StartRequest{Machine: m, StateMachineArn: launchMachineArn, StateMachineName: "journeys-segment-launch",
		Name: launch.ExecutionName(bu, "newsletter", "2026-03-01", 0), Input: in})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.RunToEnd(ctx, clock.Now()); err != nil {
		t.Fatal(err)
	}
	execs := e.Executions()
	if len(execs) < 3 {
		t.Fatalf("%d executions; the history target should have forced continuations", len(execs))
	}
	var final launch.State
	for _, d := range execs {
		if d.Status != asl.StatusSucceeded {
			t.Fatalf("%s: %s %s %s", d.Name, d.Status, d.Error, d.Cause)
		}
		if d.Events > target {
			t.Errorf("%s wrote %d history events, more than the %d its pages were budgeted for", d.Name, d.Events, target)
		}
		var s launch.State
		if err := json.Unmarshal(d.Output, &s); err != nil {
			t.Fatal(err)
		}
		if s.Done {
			final = s
		}
	}
	if execs[0].ExecutionArn != first {
		t.Errorf("the first execution is %s, want %s", execs[0].ExecutionArn, first)
	}
	members, consenting := expected(n)
	if final.Totals.Listed != n || final.Totals.Members != int64(members) || final.Totals.Enrolled != int64(consenting) || final.Totals.Already != 0 {
		t.Errorf("final totals %+v", final.Totals)
	}
	f.checkOnce(t, n)
}
