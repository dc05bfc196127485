package asl_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
)

func TestLimits(t *testing.T) {
	tests := []struct {
		name      string
		opt       asl.Option
		wantCause string
	}{
		{"max transitions", asl.WithMaxTransitions(100), "The execution exceeded the limit of 100 state transitions."},
		{"max history events", asl.WithMaxHistoryEvents(50), "The execution reached the maximum number of history events (50)."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := asl.Load([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"C"}],"Default":"A"},"C":{"Type":"Succeed"}}}`))
			if err != nil {
				t.Fatal(err)
			}
			out, err := asl.Run(context.Background(), asl.StartRequest{Machine: m}, asl.WithClock(asl.NewVirtualClock(t0)), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if out.Status != asl.StatusFailed || out.Error != asl.ErrorRuntime || !strings.HasSuffix(out.Cause, tc.wantCause) {
				t.Errorf("got %s %s %q", out.Status, out.Error, out.Cause)
			}
		})
	}
}

func TestTraceHook(t *testing.T) {
	var traced []string
	trace := func(ev asl.TraceEvent) {
		s := string(ev.Type)
		if ev.State != "" {
			s += " " + ev.State
		}
		if ev.Error != "" {
			s += " " + ev.Error
		}
		traced = append(traced, s)
	}
	m := mustLoad(t, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"Next":"F"},"F":{"Type":"Fail","Error":"Journey.Failed"}}}`)
	for _, mode := range []asl.HistoryMode{asl.HistoryOn, asl.HistoryOff} {
		traced = nil
		e, _ := testEngine(t, asl.WithTrace(trace))
		arn, err := e.Start(context.Background(), asl.StartRequest{Machine: m, History: mode})
		if err != nil {
			t.Fatal(err)
		}
		runUntil(t, e, t0.Add(time.Minute))
		want := []string{"ExecutionStarted", "WaitStateEntered W", "WaitStateExited W", "FailStateEntered F", "ExecutionFailed Journey.Failed"}
		if diff := cmp.Diff(want, traced); diff != "" {
			t.Errorf("history %v: trace (-want +got):\n%s", mode, diff)
		}
		_, err = e.History(arn)
		if mode == asl.HistoryOff && !errors.Is(err, asl.ErrHistoryDisabled) {
			t.Errorf("history off: History() = %v", err)
		}
		if d := describe(t, e, arn); d.Events != 5 {
			t.Errorf("history %v: %d events counted, want 5", mode, d.Events)
		}
	}
}

// The real-time driver: waits pass on a sped-up clock and tasks run on
// goroutines.
func TestRunOnRealClock(t *testing.T) {
	done := make(chan asl.TraceEvent, 1)
	trace := func(ev asl.TraceEvent) {
		if ev.Type == asl.EventExecutionSucceeded || ev.Type == asl.EventExecutionFailed {
			done <- ev
		}
	}
	fn := asl.LambdaFunc(func(_ context.Context, p []byte) ([]byte, error) { return p, nil })
	e := asl.NewEngine(asl.WithClock(asl.NewRealClock(3600)), asl.WithTrace(trace), asl.WithInvoker(asl.Functions{"echo": fn}))
	m := mustLoad(t, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":36,"Next":"T"},
		"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo","End":true}}}`)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	arn, err := e.Start(ctx, asl.StartRequest{Machine: m, Input: []byte(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- e.Run(ctx) }()
	select {
	case ev := <-done:
		if ev.Type != asl.EventExecutionSucceeded {
			t.Fatalf("ended with %s %s", ev.Type, ev.Error)
		}
	case <-ctx.Done():
		t.Fatal("execution did not finish")
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
	if d := describe(t, e, arn); string(d.Output) != `{"a":1}` || d.StopDate.Sub(d.StartDate) < 36*time.Second {
		t.Errorf("output %s after %s", d.Output, d.StopDate.Sub(d.StartDate))
	}
	if err := e.RunUntil(ctx, time.Now()); !errors.Is(err, asl.ErrNotVirtualClock) {
		t.Errorf("RunUntil on a real clock: %v", err)
	}
}
