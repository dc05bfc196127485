package handler_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// pauseSteps wait 3 days for a form, and 2 days for an approval.
const pauseSteps = `  - id: wait-form
    waitFor:
      events:
        - {event: form.submitted, next: ask}
      timeout: 3d
      onTimeout: timed-out
  - id: ask
    approval:
      approvers: sales
      message: Hand it over?
      timeout: 2d
      onApprove: approved
      onReject: rejected
      onTimeout: approval-timed-out
  - {id: approved, end: true}
  - {id: rejected, end: true}
  - {id: approval-timed-out, end: true}
  - {id: timed-out, end: true}
`

// engineTasks answers task tokens on the engine, as the Step Functions
// client does (a token no task waits for any more is ErrTaskGone).
type engineTasks struct{ e *asl.Engine }

func (a *engineTasks) SendTaskSuccess(ctx context.Context, token, output string) error {
	err := a.e.SendTaskSuccess(ctx, token, []byte(output))
	if errors.Is(err, asl.ErrTaskDoesNotExist) || errors.Is(err, asl.ErrTaskTimedOut) {
		return workflow.ErrTaskGone
	}
	return err
}

// pauseRun is the test journey compiled and running on the engine, on a
// virtual clock the handlers and the store share.
type pauseRun struct {
	t        *testing.T
	f        *fixture
	e        *asl.Engine
	clock    *asl.VirtualClock
	mu       sync.Mutex
	approval string // the last approval task token
	ends     []string
	arn      string
}

func newPauseRun(t *testing.T) *pauseRun {
	t.Helper()
	ans := &engineTasks{}
	r := &pauseRun{t: t, f: newFixture(t, fixtureOptions{answer: ans}), clock: asl.NewVirtualClock(start)}
	id := r.f.publish(journeyYAML("hold", "", pauseSteps))
	ctx := context.Background()
	v, err := catalog.New(r.f.store, nil).Version(ctx, "acme", id, 1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := compile.Compile(v.Checked, compile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := asl.Load(res.Definition)
	if err != nil {
		t.Fatal(err)
	}
	serve := func(fn func(context.Context, wire.StepRequest) (wire.StepResult, error)) asl.LambdaFunc {
		return func(ctx context.Context, p []byte) ([]byte, error) {
			var req wire.StepRequest
			if err := json.Unmarshal(p, &req); err != nil {
				return nil, err
			}
			r.f.clock.Set(r.clock.Now())
			res, err := fn(ctx, req)
			if err != nil {
				return nil, wire.LambdaError(err)
			}
			return json.Marshal(res)
		}
	}
	fns := asl.Functions{
		compile.EvaluateFunction:     serve(r.f.h.Evaluate),
		compile.WaitRegisterFunction: serve(r.f.h.WaitRegister),
		compile.FinishFunction:       serve(r.f.h.Finish),
		compile.ApprovalRequestFunction: serve(func(_ context.Context, req wire.StepRequest) (wire.StepResult, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.approval = req.Token // the flow is asked; the test decides
			return wire.StepResult{Status: "requested"}, nil
		}),
	}
	finish := fns[compile.FinishFunction]
	fns[compile.FinishFunction] = asl.LambdaFunc(func(ctx context.Context, p []byte) ([]byte, error) {
		var req wire.StepRequest
		_ = json.Unmarshal(p, &req)
		r.mu.Lock()
		r.ends = append(r.ends, req.Step)
		r.mu.Unlock()
		return finish.Invoke(ctx, p)
	})
	r.e = asl.NewEngine(asl.WithClock(r.clock), asl.WithInvoker(fns))
	ans.e = r.e
	r.f.contact("acme", "c1", nil)
	r.f.enrol("acme", id, "c1")
	r.arn, err = r.e.Start(ctx, asl.StartRequest{Machine: m, Name: "c1",
		Input: []byte(`{"v":1,"bu":"acme","journey":"hold","version":1,"contact":"c1","entry":"e1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// at runs the engine until start+d.
func (r *pauseRun) at(d time.Duration) {
	r.t.Helper()
	if err := r.e.RunUntil(context.Background(), start.Add(d)); err != nil {
		r.t.Fatal(err)
	}
	r.clock.Set(start.Add(d))
	r.f.clock.Set(start.Add(d))
}

// status pauses or resumes the journey through the store, at the clock.
func (r *pauseRun) status(s store.JourneyStatus) {
	r.t.Helper()
	ctx := context.Background()
	j, err := r.f.store.GetJourney(ctx, "acme", "hold")
	if err != nil {
		r.t.Fatal(err)
	}
	j.Status = s
	if _, err := r.f.store.PutJourney(ctx, "acme", j); err != nil {
		r.t.Fatal(err)
	}
}

// submit records a form submission of the contact and resumes its waits,
// as the event intake does.
func (r *pauseRun) submit() {
	r.t.Helper()
	ctx := context.Background()
	if _, err := r.f.store.AppendInteraction(ctx, "acme", store.Interaction{Contact: "c1", Kind: store.InteractionFormSubmitted,
		At: r.clock.Now(), Detail: map[string]string{"form": "demo"}}); err != nil {
		r.t.Fatal(err)
	}
	if _, err := handler.ResumeWaits(ctx, r.f.store, &engineTasks{r.e}, "acme", "c1", "form.submitted", nil, "demo"); err != nil {
		r.t.Fatal(err)
	}
}

func (r *pauseRun) approve() {
	r.t.Helper()
	r.mu.Lock()
	token := r.approval
	r.mu.Unlock()
	out, _ := json.Marshal(wire.ApprovalOutput{Outcome: "approved", Approval: "a1"})
	if err := r.e.SendTaskSuccess(context.Background(), token, out); err != nil {
		r.t.Fatalf("approve: %v", err)
	}
}

func (r *pauseRun) waitingFor() string {
	d, err := r.e.Describe(r.arn)
	if err != nil {
		r.t.Fatal(err)
	}
	if d.Status != asl.StatusRunning {
		return string(d.Status)
	}
	return "running"
}

func (r *pauseRun) end() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ends...)
}

const day = 24 * time.Hour

// TestPausedWaitDoesNotExpire: a contact waits 3 days for a form; the
// journey is paused after 1 day for 10 days. The wait's timer does not
// expire while paused: after resuming, the 2 days left still count, and
// approvals the same.
func TestPausedWaitDoesNotExpire(t *testing.T) {
	pausedForm := func(r *pauseRun) {
		r.at(day)
		r.status(store.JourneyPaused)
		r.at(11 * day) // far past the 3-day timeout
		if got := r.waitingFor(); got != "running" || len(r.end()) > 0 {
			t.Fatalf("after 10 paused days: %s, ended at %v; want the contact held", got, r.end())
		}
		r.status(store.JourneyActive)
	}
	tests := []struct {
		name string
		run  func(r *pauseRun)
		want []string
	}{
		{"no pause: the timeout after 3 days", func(r *pauseRun) {
			r.at(3*day + time.Hour)
		}, []string{"timed-out"}},
		{"a form within the window left after the pause takes the event branch", func(r *pauseRun) {
			pausedForm(r)
			r.at(11*day + 2*time.Hour) // the hourly recheck saw the resume
			r.at(12*day + 20*time.Hour)
			r.submit() // day 12.8 < 11 + the 2 days left
			r.at(13 * day)
			r.approve()
			r.at(13*day + time.Hour)
		}, []string{"approved"}},
		{"the window left after the pause elapsing takes the timeout branch", func(r *pauseRun) {
			pausedForm(r)
			r.at(14 * day)
		}, []string{"timed-out"}},
		{"a form submitted during the pause resumes the wait after it", func(r *pauseRun) {
			pausedForm(r)
			r.status(store.JourneyPaused)
			r.at(11*day + time.Minute)
			r.submit()
			r.status(store.JourneyActive)
			r.at(11*day + 2*time.Hour)
			r.approve()
			r.at(11*day + 3*time.Hour)
		}, []string{"approved"}},
		{"a paused approval keeps its window", func(r *pauseRun) {
			r.at(time.Hour)
			r.submit()
			r.at(day) // the approval has waited 23 hours
			r.status(store.JourneyPaused)
			r.at(20 * day)
			r.status(store.JourneyActive)
			r.at(20*day + 2*time.Hour)
			r.approve() // its first token timed out in the pause: the one asked again
			r.at(21 * day)
		}, []string{"approved"}},
		{"a paused approval times out with the rest of its window", func(r *pauseRun) {
			r.at(time.Hour)
			r.submit()
			r.at(day)
			r.status(store.JourneyPaused)
			r.at(20 * day)
			r.status(store.JourneyActive)
			r.at(22 * day)
		}, []string{"approval-timed-out"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newPauseRun(t)
			tt.run(r)
			if got := r.waitingFor(); got != string(asl.StatusSucceeded) {
				t.Errorf("execution %s, want SUCCEEDED", got)
			}
			if got := r.end(); len(got) != 1 || got[0] != tt.want[0] {
				t.Errorf("ended at %v, want %v", got, tt.want)
			}
		})
	}
}
