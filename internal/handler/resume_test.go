package handler_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

var errThrottled = errors.New("ThrottlingException: rate exceeded")

// flakyTasks fails the next fails SendTaskSuccess calls with err (or, with
// cancel set, by ending the caller's context), then passes calls on.
type flakyTasks struct {
	next   handler.TaskAnswerer
	fails  int
	err    error
	cancel context.CancelFunc
}

func (f *flakyTasks) SendTaskSuccess(ctx context.Context, token, output string) error {
	if f.fails == 0 {
		return f.next.SendTaskSuccess(ctx, token, output)
	}
	f.fails--
	if f.cancel != nil {
		f.cancel()
		return ctx.Err()
	}
	return f.err
}

// waitingOpen registers the wait-open step of the "all" journey under
// token-1 and returns the open of its own message, which resumes it.
func waitingOpen(t *testing.T) (*fixture, channel.MessageRef) {
	t.Helper()
	f, j := setup(t, fixtureOptions{}, nil)
	r := req("acme", j, "c1", wire.OpWaitEvent, "wait-open")
	r.Token = "token-1"
	if res, err := f.h.WaitRegister(context.Background(), r); err != nil || res.Status != "waiting" {
		t.Fatalf("WaitRegister = %+v, %v", res, err)
	}
	return f, channel.MessageRef{BU: "acme", Contact: "c1", Journey: j, Version: 1, Step: "hello", Exec: channel.ExecTag(r.Execution, "hello")}
}

// TestResumeGivesBackAFailedClaim: a wait whose answer cannot be delivered
// is not lost. Resume gives the claim back and reports the error; the
// callback waits again, and the retry of the event resumes it on the
// event's branch.
func TestResumeGivesBackAFailedClaim(t *testing.T) {
	opened := []string{`{"event":"email.opened","send":"hello"}`}
	tests := []struct {
		name         string
		fails        int
		err          error
		cancel       bool
		wantFirst    int
		wantErr      error
		wantBackoffs []int
		wantWaiting  int // after the first try
		wantSecond   int
		wantOutputs  []string
	}{
		{name: "throttled every attempt", fails: handler.ResumeAttempts, err: errThrottled, wantErr: errThrottled,
			wantBackoffs: []int{1, 2, 3}, wantWaiting: 1, wantSecond: 1, wantOutputs: opened},
		{name: "the caller's context ends", fails: 1, cancel: true, wantErr: context.Canceled,
			wantBackoffs: []int{1}, wantWaiting: 1, wantSecond: 1, wantOutputs: opened},
		{name: "throttled, then through", fails: 2, err: errThrottled, wantFirst: 1, wantBackoffs: []int{1, 2}, wantOutputs: opened},
		{name: "the execution no longer waits", fails: handler.ResumeAttempts, err: workflow.ErrTaskGone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, open := waitingOpen(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			flaky := &flakyTasks{next: f.tasks, fails: tt.fails, err: tt.err}
			if tt.cancel {
				flaky.cancel = cancel
			}
			var backoffs []int
			r := handler.Resumer{Store: f.store, Tasks: flaky, Backoff: func(ctx context.Context, attempt int) error {
				backoffs = append(backoffs, attempt)
				return ctx.Err()
			}}

			n, err := r.ResumeWaits(ctx, "acme", "c1", "email.opened", &open, "")
			if n != tt.wantFirst || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("first ResumeWaits = %d, %v; want %d, %v", n, err, tt.wantFirst, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantBackoffs, backoffs); diff != "" {
				t.Errorf("backoffs (-want +got):\n%s", diff)
			}
			waiting, err := f.store.WaitingCallbacks(context.Background(), "acme", "c1", "email.opened")
			if err != nil || len(waiting) != tt.wantWaiting {
				t.Fatalf("waiting after the first try: %+v, %v; want %d", waiting, err, tt.wantWaiting)
			}

			n, err = r.ResumeWaits(context.Background(), "acme", "c1", "email.opened", &open, "")
			if n != tt.wantSecond || err != nil {
				t.Fatalf("the event's retry: ResumeWaits = %d, %v; want %d", n, err, tt.wantSecond)
			}
			if diff := cmp.Diff(tt.wantOutputs, f.tasks.outputs("token-1")); diff != "" {
				t.Errorf("answers (-want +got):\n%s", diff)
			}
		})
	}
}

var errStoreDown = errors.New("store unavailable")

// releaseFails is the store with ReleaseCallback failing.
type releaseFails struct{ handler.WaitStore }

func (releaseFails) ReleaseCallback(context.Context, string, store.Callback) error {
	return errStoreDown
}

// TestResumeReportsAFailedRelease: when the claim cannot be given back
// either, both errors come back.
func TestResumeReportsAFailedRelease(t *testing.T) {
	f, open := waitingOpen(t)
	flaky := &flakyTasks{next: f.tasks, fails: handler.ResumeAttempts, err: errThrottled}
	r := handler.Resumer{Store: releaseFails{f.store}, Tasks: flaky, Backoff: func(context.Context, int) error { return nil }}
	n, err := r.ResumeWaits(context.Background(), "acme", "c1", "email.opened", &open, "")
	if n != 0 || !errors.Is(err, errThrottled) || !errors.Is(err, errStoreDown) {
		t.Fatalf("ResumeWaits = %d, %v; want 0 and both errors", n, err)
	}
}
