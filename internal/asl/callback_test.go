package asl_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
)

// waitMachine registers a task token with a function and waits for it,
// as the compiled wait-for-event step does.
const waitMachine = `{
  "StartAt": "WaitForOpen",
  "States": {
    "WaitForOpen": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "wait-register", "Payload": {"token.$": "$$.Task.Token", "contact.$": "$.contact"}},
      "TimeoutSeconds": 86400,
      "HeartbeatSeconds": 3600,
      "ResultPath": "$.event",
      "Catch": [
        {"ErrorEquals": ["States.HeartbeatTimeout"], "ResultPath": "$.timeout", "Next": "NoHeartbeat"},
        {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": "TimedOut"},
        {"ErrorEquals": ["Approval.Rejected"], "ResultPath": "$.rejected", "Next": "Rejected"}
      ],
      "End": true
    },
    "TimedOut": {"Type": "Pass", "End": true},
    "NoHeartbeat": {"Type": "Pass", "End": true},
    "Rejected": {"Type": "Pass", "End": true}
  }
}`

// tokenKeeper is the wait-register function: it keeps the tokens it gets.
type tokenKeeper struct{ tokens []string }

func (k *tokenKeeper) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	var p struct{ Token string }
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, err
	}
	k.tokens = append(k.tokens, p.Token)
	return []byte(`{"registered":true}`), nil
}

func TestCallbacks(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		act        func(t *testing.T, e *asl.Engine, token string)
		runFor     time.Duration
		wantStatus asl.Status
		wantLast   string // last state entered
		wantOutput string // a substring of the output
	}{
		{"success", func(t *testing.T, e *asl.Engine, tok string) {
			if err := e.SendTaskSuccess(ctx, tok, []byte(`{"event":"email.opened"}`)); err != nil {
				t.Fatal(err)
			}
		}, time.Hour / 2, asl.StatusSucceeded, "TaskStateExited WaitForOpen", `"event":{"event":"email.opened"}`},
		{"failure caught", func(t *testing.T, e *asl.Engine, tok string) {
			if err := e.SendTaskFailure(ctx, tok, "Approval.Rejected", "rejected by sales"); err != nil {
				t.Fatal(err)
			}
		}, time.Hour / 2, asl.StatusSucceeded, "PassStateExited Rejected", `"rejected":{"Error":"Approval.Rejected","Cause":"rejected by sales"}`},
		{"failure uncaught", func(t *testing.T, e *asl.Engine, tok string) {
			if err := e.SendTaskFailure(ctx, tok, "Other", ""); err != nil {
				t.Fatal(err)
			}
		}, time.Hour / 2, asl.StatusFailed, "ExecutionFailed", ""},
		{"heartbeat timeout", func(*testing.T, *asl.Engine, string) {}, 2 * time.Hour, asl.StatusSucceeded,
			"PassStateExited NoHeartbeat", `"Error":"States.Timeout"`}, // as AWS records a missed heartbeat
		{"heartbeats keep it alive until the timeout", func(t *testing.T, e *asl.Engine, tok string) {}, 25 * time.Hour,
			asl.StatusSucceeded, "PassStateExited TimedOut", `"Error":"States.Timeout"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keeper := &tokenKeeper{}
			e, _ := testEngine(t, asl.WithInvoker(asl.Functions{"wait-register": keeper}))
			arn := start(t, e, mustLoad(t, waitMachine), "c1", `{"contact":"c-1"}`)
			runUntil(t, e, t0.Add(time.Minute))
			if len(keeper.tokens) != 1 || keeper.tokens[0] == "" {
				t.Fatalf("tokens %v", keeper.tokens)
			}
			tok := keeper.tokens[0]
			if strings.HasPrefix(tc.name, "heartbeats") {
				for at := t0.Add(30 * time.Minute); at.Before(t0.Add(25 * time.Hour)); at = at.Add(30 * time.Minute) {
					runUntil(t, e, at)
					if err := e.SendTaskHeartbeat(ctx, tok); err != nil && at.Before(t0.Add(24*time.Hour)) {
						t.Fatalf("heartbeat at %s: %v", at, err)
					}
				}
			}
			tc.act(t, e, tok)
			runUntil(t, e, t0.Add(tc.runFor))
			d := describe(t, e, arn)
			if d.Status != tc.wantStatus {
				t.Fatalf("status %s (%s %s), want %s", d.Status, d.Error, d.Cause, tc.wantStatus)
			}
			events := eventTypes(t, e, arn)
			found := false
			for _, ev := range events {
				found = found || ev == tc.wantLast
			}
			if !found {
				t.Errorf("no %q in %v", tc.wantLast, events)
			}
			if !strings.Contains(string(d.Output), tc.wantOutput) {
				t.Errorf("output %s lacks %s", d.Output, tc.wantOutput)
			}
			// The token is spent: any further use says so.
			err := e.SendTaskSuccess(ctx, tok, []byte(`{}`))
			if !errors.Is(err, asl.ErrTaskTimedOut) && !errors.Is(err, asl.ErrTaskDoesNotExist) {
				t.Errorf("reuse of a spent token: %v", err)
			}
		})
	}
}

// TestHeartbeatTimeoutMatching pins how Step Functions names and matches
// a missed heartbeat: it is recorded as States.Timeout (TaskTimedOut and,
// uncaught, the execution's error), States.Timeout catches it, and
// States.HeartbeatTimeout catches it but not a task's own timeout.
func TestHeartbeatTimeoutMatching(t *testing.T) {
	machine := func(catch string) string {
		return `{"StartAt": "W", "States": {
  "W": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters": {"FunctionName": "wait-register", "Payload": {"token.$": "$$.Task.Token"}},
    "TimeoutSeconds": 7200, "HeartbeatSeconds": 3600, "Catch": [` + catch + `], "End": true},
  "Caught": {"Type": "Pass", "End": true}}}`
	}
	tests := []struct {
		name, catch string
		heartbeats  bool // keep the task alive until its own timeout
		wantStatus  asl.Status
		wantError   string // the execution's error, when it fails
	}{
		{"missed heartbeat caught by States.Timeout", `{"ErrorEquals": ["States.Timeout"], "Next": "Caught"}`, false, asl.StatusSucceeded, ""},
		{"missed heartbeat caught by States.HeartbeatTimeout", `{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Caught"}`, false, asl.StatusSucceeded, ""},
		{"task timeout not caught by States.HeartbeatTimeout", `{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Caught"}`, true, asl.StatusFailed, "States.Timeout"},
		{"missed heartbeat uncaught", `{"ErrorEquals": ["Other"], "Next": "Caught"}`, false, asl.StatusFailed, "States.Timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keeper := &tokenKeeper{}
			e, _ := testEngine(t, asl.WithInvoker(asl.Functions{"wait-register": keeper}))
			arn := start(t, e, mustLoad(t, machine(tc.catch)), "c1", `{}`)
			runUntil(t, e, t0.Add(time.Minute))
			if tc.heartbeats {
				for at := t0.Add(30 * time.Minute); at.Before(t0.Add(2 * time.Hour)); at = at.Add(30 * time.Minute) {
					runUntil(t, e, at)
					if err := e.SendTaskHeartbeat(context.Background(), keeper.tokens[0]); err != nil {
						t.Fatalf("heartbeat at %s: %v", at, err)
					}
				}
			}
			runUntil(t, e, t0.Add(3*time.Hour))
			d := describe(t, e, arn)
			if d.Status != tc.wantStatus || d.Error != tc.wantError {
				t.Fatalf("status %s error %q, want %s %q", d.Status, d.Error, tc.wantStatus, tc.wantError)
			}
			h, _ := e.History(arn)
			timedOut := 0
			for _, ev := range h {
				if ev.Type == asl.EventTaskTimedOut {
					timedOut++
					if got := ev.TaskTimedOutEventDetails.Error; got == nil || *got != asl.ErrorTimeout {
						t.Errorf("TaskTimedOut error %v, want %s", got, asl.ErrorTimeout)
					}
				}
			}
			if timedOut != 1 {
				t.Errorf("%d TaskTimedOut events, want 1", timedOut)
			}
		})
	}
}

func TestCallbackEvents(t *testing.T) {
	keeper := &tokenKeeper{}
	e, _ := testEngine(t, asl.WithInvoker(asl.Functions{"wait-register": keeper}))
	arn := start(t, e, mustLoad(t, waitMachine), "c1", `{"contact":"c-1"}`)
	runUntil(t, e, t0)
	if err := e.SendTaskSuccess(context.Background(), keeper.tokens[0], []byte(`"opened"`)); err != nil {
		t.Fatal(err)
	}
	runUntil(t, e, t0.Add(time.Minute))
	want := []string{"ExecutionStarted", "TaskStateEntered WaitForOpen", "TaskScheduled", "TaskStarted", "TaskSubmitted",
		"TaskSucceeded", "TaskStateExited WaitForOpen", "ExecutionSucceeded"}
	if diff := cmp.Diff(want, eventTypes(t, e, arn)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	h, _ := e.History(arn)
	sched := h[2].TaskScheduledEventDetails
	if sched == nil || sched.Resource != "invoke.waitForTaskToken" || sched.ResourceType != "lambda" ||
		sched.TimeoutInSeconds == nil || *sched.TimeoutInSeconds != 86400 || sched.HeartbeatInSeconds == nil || *sched.HeartbeatInSeconds != 3600 {
		t.Errorf("TaskScheduled details %+v", sched)
	}
}

func TestCallbackTokenErrors(t *testing.T) {
	ctx := context.Background()
	keeper := &tokenKeeper{}
	e, _ := testEngine(t, asl.WithInvoker(asl.Functions{"wait-register": keeper}))
	start(t, e, mustLoad(t, waitMachine), "c1", `{"contact":"c-1"}`)
	runUntil(t, e, t0)
	tok := keeper.tokens[0]
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"empty token", func() error { return e.SendTaskSuccess(ctx, "", []byte(`{}`)) }, asl.ErrInvalidToken},
		{"token too long", func() error { return e.SendTaskHeartbeat(ctx, strings.Repeat("a", 2049)) }, asl.ErrInvalidToken},
		{"malformed token", func() error { return e.SendTaskFailure(ctx, "!!not-base64!!", "E", "") }, asl.ErrInvalidToken},
		{"unknown token", func() error { return e.SendTaskSuccess(ctx, "AAAAAAAAAAAAAAAAYXJuOmF3czpzdGF0ZXM", []byte(`{}`)) }, asl.ErrTaskDoesNotExist},
		{"output not JSON", func() error { return e.SendTaskSuccess(ctx, tok, []byte(`{`)) }, asl.ErrInvalidOutput},
		{"output over 256 KiB", func() error {
			return e.SendTaskSuccess(ctx, tok, []byte(`"`+strings.Repeat("x", 262144)+`"`))
		}, asl.ErrInvalidOutput},
		{"error name too long", func() error { return e.SendTaskFailure(ctx, tok, strings.Repeat("E", 257), "") }, asl.ErrInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	// After the timeout the token is invalid: TaskTimedOut.
	runUntil(t, e, t0.Add(48*time.Hour))
	if err := e.SendTaskSuccess(ctx, tok, []byte(`{}`)); !errors.Is(err, asl.ErrTaskTimedOut) {
		t.Errorf("after timeout: %v, want TaskTimedOut", err)
	}
}

// A callback may arrive while the function that received the token is
// still running, as when a function answers its own token at once.
func TestCallbackDuringInvoke(t *testing.T) {
	var e *asl.Engine
	fn := asl.LambdaFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		tok, _ := jsonField(t, payload, "token").(string)
		return []byte(`{}`), e.SendTaskSuccess(ctx, tok, []byte(`{"early":true}`))
	})
	e, _ = testEngine(t, asl.WithInvoker(asl.Functions{"wait-register": fn}))
	arn := start(t, e, mustLoad(t, waitMachine), "c1", `{"contact":"c-1"}`)
	runUntil(t, e, t0)
	d := describe(t, e, arn)
	if d.Status != asl.StatusSucceeded || !strings.Contains(string(d.Output), `"early":true`) {
		t.Fatalf("got %s %s", d.Status, d.Output)
	}
}
