package asl_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
)

// failing is a function that fails n times with a named error, then
// succeeds; it records when it ran.
type failing struct {
	clock *asl.VirtualClock
	fails int
	name  string
	at    []time.Duration
}

func (f *failing) Invoke(context.Context, []byte) ([]byte, error) {
	f.at = append(f.at, f.clock.Now().Sub(t0))
	if len(f.at) <= f.fails {
		return nil, messages.InvokeResponse_Error{Type: f.name, Message: "try again"}
	}
	return []byte(`{}`), nil
}

func TestRetryTiming(t *testing.T) {
	tests := []struct {
		name    string
		retrier string
		fails   int
		want    []time.Duration // when each attempt ran
		status  asl.Status
	}{
		{"defaults: 1s, backoff 2, 3 attempts", `{"ErrorEquals":["Journey.Transient"]}`, 3,
			[]time.Duration{0, 1 * time.Second, 3 * time.Second, 7 * time.Second}, asl.StatusSucceeded},
		{"exhausted", `{"ErrorEquals":["Journey.Transient"],"MaxAttempts":2,"IntervalSeconds":10}`, 5,
			[]time.Duration{0, 10 * time.Second, 30 * time.Second}, asl.StatusFailed},
		{"MaxDelaySeconds caps the back-off", `{"ErrorEquals":["States.ALL"],"IntervalSeconds":60,"BackoffRate":10,"MaxAttempts":4,"MaxDelaySeconds":900}`, 4,
			[]time.Duration{0, time.Minute, 11 * time.Minute, 26 * time.Minute, 41 * time.Minute}, asl.StatusSucceeded},
		{"States.TaskFailed matches function errors", `{"ErrorEquals":["States.TaskFailed"],"MaxAttempts":1}`, 1,
			[]time.Duration{0, time.Second}, asl.StatusSucceeded},
		{"MaxAttempts 0 never retries", `{"ErrorEquals":["States.ALL"],"MaxAttempts":0}`, 1,
			[]time.Duration{0}, asl.StatusFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vc := asl.NewVirtualClock(t0)
			fn := &failing{clock: vc, fails: tc.fails, name: "Journey.Transient"}
			e := asl.NewEngine(asl.WithClock(vc), asl.WithSeed(1), asl.WithInvoker(asl.Functions{"f": fn}))
			m := mustLoad(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
				"Parameters":{"FunctionName":"f"},"Retry":[`+tc.retrier+`],"End":true}}}`)
			arn := start(t, e, m, "r", `{}`)
			runUntil(t, e, t0.Add(24*time.Hour))
			if diff := cmp.Diff(tc.want, fn.at); diff != "" {
				t.Errorf("attempt times (-want +got):\n%s", diff)
			}
			if d := describe(t, e, arn); d.Status != tc.status {
				t.Errorf("status %s, want %s", d.Status, tc.status)
			}
		})
	}
}

func TestRetryJitter(t *testing.T) {
	run := func(seed uint64) []time.Duration {
		vc := asl.NewVirtualClock(t0)
		fn := &failing{clock: vc, fails: 5, name: "E"}
		e := asl.NewEngine(asl.WithClock(vc), asl.WithSeed(seed), asl.WithInvoker(asl.Functions{"f": fn}))
		m := mustLoad(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
			"Parameters":{"FunctionName":"f"},"Retry":[{"ErrorEquals":["E"],"IntervalSeconds":100,"BackoffRate":2,"MaxAttempts":5,"JitterStrategy":"FULL"}],"End":true}}}`)
		start(t, e, m, "j", `{}`)
		runUntil(t, e, t0.Add(24*time.Hour))
		return fn.at
	}
	a, b, c := run(3), run(3), run(4)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different delays:\n%s", diff)
	}
	if cmp.Equal(a, c) {
		t.Errorf("different seeds, same delays %v", a)
	}
	for i := 1; i < len(a); i++ {
		delay, max := a[i]-a[i-1], time.Duration(100<<(i-1))*time.Second
		if delay < 0 || delay > max {
			t.Errorf("retry %d waited %s, want within [0, %s]", i, delay, max)
		}
	}
}

func TestMapConcurrency(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,
		"ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$","End":true}}},"End":true}}}`
	e, _ := testEngine(t)
	arn := start(t, e, mustLoad(t, def), "m", `{"items":[60,60,60,60,60]}`)
	// Two at a time, a minute each: 5 items take 3 minutes.
	runUntil(t, e, t0.Add(179*time.Second))
	if d := describe(t, e, arn); d.Status != asl.StatusRunning {
		t.Fatalf("status %s before 3 minutes", d.Status)
	}
	runUntil(t, e, t0.Add(180*time.Second))
	d := describe(t, e, arn)
	if d.Status != asl.StatusSucceeded || string(d.Output) != `[60,60,60,60,60]` {
		t.Fatalf("got %s %s", d.Status, d.Output)
	}
}

func TestMapToleratedFailures(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",%s
		"ItemProcessor":{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$","BooleanEquals":true,"Next":"Ok"}],"Default":"Bad"},
		"Ok":{"Type":"Succeed"},"Bad":{"Type":"Fail","Error":"Item.Bad"}}},"End":true}}}`
	tests := []struct {
		name, tolerance, items string
		wantStatus             asl.Status
		wantError              string
	}{
		{"no tolerance", ``, `[true,false,true]`, asl.StatusFailed, "Item.Bad"},
		{"count tolerates", `"ToleratedFailureCount":1,`, `[true,false,true]`, asl.StatusSucceeded, ""},
		{"count exceeded", `"ToleratedFailureCount":1,`, `[false,false,true]`, asl.StatusFailed, asl.ErrorExceedToleratedFailure},
		{"percentage tolerates", `"ToleratedFailurePercentage":50,`, `[true,false,true,false]`, asl.StatusSucceeded, ""},
		{"percentage exceeded", `"ToleratedFailurePercentage":50,`, `[false,false,true,false]`, asl.StatusFailed, asl.ErrorExceedToleratedFailure},
		{"count from a path", `"ToleratedFailureCountPath":"$.tol",`, `[false,false,true]`, asl.StatusSucceeded, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := testEngine(t)
			m := mustLoad(t, strings.Replace(def, "%s", tc.tolerance, 1))
			arn := start(t, e, m, "m", `{"tol":2,"items":`+tc.items+`}`)
			runUntil(t, e, t0)
			d := describe(t, e, arn)
			if d.Status != tc.wantStatus || d.Error != tc.wantError {
				t.Errorf("got %s %q, want %s %q", d.Status, d.Error, tc.wantStatus, tc.wantError)
			}
		})
	}
}

func TestExecutionTimeout(t *testing.T) {
	e, _ := testEngine(t)
	m := mustLoad(t, `{"TimeoutSeconds":3600,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":7200,"End":true}}}`)
	arn := start(t, e, m, "t", `{}`)
	runUntil(t, e, t0.Add(3*time.Hour))
	d := describe(t, e, arn)
	if d.Status != asl.StatusTimedOut || d.Error != asl.ErrorTimeout || !d.StopDate.Equal(t0.Add(time.Hour)) {
		t.Errorf("got %s %s stopped %s", d.Status, d.Error, d.StopDate)
	}
	want := []string{"ExecutionStarted", "WaitStateEntered W", "ExecutionTimedOut"}
	if diff := cmp.Diff(want, eventTypes(t, e, arn)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestStop(t *testing.T) {
	e, _ := testEngine(t)
	m := mustLoad(t, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`)
	arn := start(t, e, m, "s", `{}`)
	runUntil(t, e, t0)
	if err := e.Stop(context.Background(), arn, "Journey.Stopped", "journey paused"); err != nil {
		t.Fatal(err)
	}
	runUntil(t, e, t0.Add(time.Hour))
	if d := describe(t, e, arn); d.Status != asl.StatusAborted || d.Error != "Journey.Stopped" || d.Cause != "journey paused" {
		t.Errorf("got %s %s %s", d.Status, d.Error, d.Cause)
	}
}

func TestExecutionNames(t *testing.T) {
	ctx := context.Background()
	e, _ := testEngine(t)
	m := mustLoad(t, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`)
	first := start(t, e, m, "contact-1", `{"a":1}`)
	again, err := e.Start(ctx, asl.StartRequest{Machine: m, Name: "contact-1", Input: []byte(`{ "a" : 1 }`)})
	if err != nil || again != first {
		t.Errorf("same name and input while running: %s %v, want %s", again, err, first)
	}
	if _, err := e.Start(ctx, asl.StartRequest{Machine: m, Name: "contact-1", Input: []byte(`{"a":2}`)}); !errors.Is(err, asl.ErrExecutionAlreadyExists) {
		t.Errorf("different input: %v, want ExecutionAlreadyExists", err)
	}
	other, err := e.Start(ctx, asl.StartRequest{Machine: m, StateMachineName: "Other", Name: "contact-1", Input: []byte(`{"a":2}`)})
	if err != nil || other == first {
		t.Errorf("same name on another state machine: %s %v", other, err)
	}
	runUntil(t, e, t0.Add(time.Hour))
	if _, err := e.Start(ctx, asl.StartRequest{Machine: m, Name: "contact-1", Input: []byte(`{"a":1}`)}); !errors.Is(err, asl.ErrExecutionAlreadyExists) {
		t.Errorf("same name after it finished: %v, want ExecutionAlreadyExists", err)
	}
	if err := e.Forget(ctx, first); err != nil {
		t.Fatalf("forget: %v", err)
	}
	if _, err := e.Describe(first); !errors.Is(err, asl.ErrExecutionDoesNotExist) {
		t.Errorf("forgotten execution still described: %v", err)
	}
	if _, err := e.Start(ctx, asl.StartRequest{Machine: m, Name: "contact-1", Input: []byte(`{"a":1}`)}); err != nil {
		t.Errorf("a forgotten name cannot be used again: %v", err)
	}
	running := start(t, e, m, "contact-2", `{}`)
	if err := e.Forget(ctx, running); err == nil {
		t.Error("forgot a running execution")
	}
	for _, bad := range []string{"has space", "a/b", strings.Repeat("n", 81), "x$"} {
		if _, err := e.Start(ctx, asl.StartRequest{Machine: m, Name: bad}); !errors.Is(err, asl.ErrInvalidName) {
			t.Errorf("name %q: %v, want InvalidName", bad, err)
		}
	}
	if _, err := e.Start(ctx, asl.StartRequest{Machine: m, Input: []byte(`{`)}); !errors.Is(err, asl.ErrInvalidExecutionInput) {
		t.Errorf("bad input: %v", err)
	}
}

// One Machine runs many executions from many goroutines at once (run with
// -race).
func TestMachineSharedAcrossGoroutines(t *testing.T) {
	m := mustLoad(t, `{"StartAt":"P","States":{
		"P":{"Type":"Pass","Parameters":{"h.$":"States.Hash($.id, 'SHA-256')","id.$":"$.id"},"Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.h","StringLessThan":"8","Next":"Lo"}],"Default":"Hi"},
		"Lo":{"Type":"Map","ItemsPath":"$$.Execution.Input.items","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"ResultPath":"$.m","End":true},
		"Hi":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}},
			{"StartAt":"J","States":{"J":{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $states.input.id & '!' %}","End":true}}}],"ResultPath":"$.p","End":true}}}`)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				out, err := asl.Run(context.Background(), asl.StartRequest{Machine: m,
					Input: []byte(`{"id":"` + strings.Repeat("x", g) + string(rune('a'+i%26)) + `","items":[1,2,3]}`)},
					asl.WithClock(asl.NewVirtualClock(t0)))
				if err != nil || out.Status != asl.StatusSucceeded {
					t.Errorf("run: %v %v", err, out)
					return
				}
			}
		}()
	}
	wg.Wait()
}
