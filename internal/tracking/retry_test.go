package tracking_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/tracking"
)

// flakyStore is the embedded store failing the first calls of a few
// methods, as a store that hiccups does.
type flakyStore struct {
	*embedded.Store
	mu                           sync.Mutex
	appendFails, completeFails   int
	appendCalls, appendManyCalls int
}

var errHiccup = errors.New("store hiccup: ProvisionedThroughputExceededException")

func (f *flakyStore) fail(n *int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if *n > 0 {
		*n--
		return true
	}
	return false
}

func (f *flakyStore) AppendInteraction(ctx context.Context, bu string, i store.Interaction) (store.Interaction, error) {
	f.mu.Lock()
	f.appendCalls++
	f.mu.Unlock()
	if f.fail(&f.appendFails) {
		return store.Interaction{}, errHiccup
	}
	return f.Store.AppendInteraction(ctx, bu, i)
}

func (f *flakyStore) AppendInteractions(ctx context.Context, bu string, is []store.Interaction) error {
	f.mu.Lock()
	f.appendManyCalls++
	f.mu.Unlock()
	if f.fail(&f.appendFails) {
		return errHiccup
	}
	return f.Store.AppendInteractions(ctx, bu, is)
}

func (f *flakyStore) CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error {
	if f.fail(&f.completeFails) {
		return errHiccup
	}
	return f.Store.CompleteIdempotency(ctx, bu, key, token, result, keep)
}

func withFlaky(f *flakyStore) func(*embedded.Store) retryStore {
	return func(st *embedded.Store) retryStore { f.Store = st; return f }
}

// open loads the pixel of the acme message of exec-1 and checks the answer.
func (e *env) open() {
	e.t.Helper()
	m := ref("acme", "exec-1", false).String()
	if resp := get(e.t, e.local(e.link("acme").Open(m))); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/gif" {
		e.t.Fatalf("open: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// click follows a tracked link of the acme message of exec-1 and checks the
// redirect.
func (e *env) click() {
	e.t.Helper()
	m := ref("acme", "exec-1", false).String()
	dest := "https://acme.example/offer"
	if resp := get(e.t, e.local(e.link("acme").Click(m, dest))); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != dest {
		e.t.Fatalf("click: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// drain runs the worker over what is visible, then lets the retry delays
// pass; it returns the messages handled and failed.
func (e *env) drain() queue.Stats {
	e.t.Helper()
	st, err := e.worker.Drain(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(2 * testVisibility)
	return st
}

func (e *env) depth() (waiting, dead int) {
	e.t.Helper()
	waiting, dead, err := e.queue.Depth(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return waiting, dead
}

func (e *env) waiting(event string) int {
	e.t.Helper()
	cbs, err := e.st.WaitingCallbacks(context.Background(), "acme", "c1", event)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(cbs)
}

func resumed(event string) string {
	return "tok-" + event + ` {"event":"` + event + `","send":"hello"}`
}

// TestLoneOpenRetried: Step Functions throttles the resumes of the one
// open or click a contact makes; the contact gets the pixel or redirect at
// once, and the wait is resumed, once, when the worker has run the job.
func TestLoneOpenRetried(t *testing.T) {
	tests := []struct {
		name  string
		event string
		fails int // SendTaskSuccess calls throttled
		// drains: worker runs until the wait is resumed
		drains int
	}{
		{"open, resume fails in the request", "email.opened", handler.ResumeAttempts, 1},
		{"open, the first retry fails too", "email.opened", 2 * handler.ResumeAttempts, 2},
		{"open, throttled for three retries", "email.opened", 4 * handler.ResumeAttempts, 4},
		{"click, the first retry's second attempt answers", "email.clicked", handler.ResumeAttempts + 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvWith(t, envOptions{retry: true})
			e.wait("acme", "exec-1", tt.event)
			e.tasks.fails = tt.fails
			if tt.event == "email.opened" {
				e.open()
			} else {
				e.click()
			}
			if len(e.tasks.got) != 0 || e.waiting(tt.event) != 1 {
				t.Fatalf("after the request: resumed %v, %d waiting; want none resumed, the wait given back", e.tasks.got, e.waiting(tt.event))
			}
			for i := 1; i <= tt.drains; i++ {
				if w, _ := e.depth(); w != 1 {
					t.Fatalf("before run %d: %d jobs waiting, want 1", i, w)
				}
				e.drain()
			}
			if diff := cmp.Diff([]string{resumed(tt.event)}, e.tasks.got); diff != "" {
				t.Errorf("resumed (-want +got):\n%s", diff)
			}
			if w, d := e.depth(); w != 0 || d != 0 {
				t.Errorf("queue: %d waiting, %d dead; want 0, 0", w, d)
			}
			if st := e.drain(); st.Received != 0 {
				t.Errorf("a further run received %d jobs", st.Received)
			}
			if diff := cmp.Diff([]string{tt.event}, e.kinds("acme")); diff != "" {
				t.Errorf("interactions (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOpenRecordedOnceAfterAppendFails: the store fails the open's write;
// the job records it, exactly once, and resumes the wait.
func TestOpenRecordedOnceAfterAppendFails(t *testing.T) {
	f := &flakyStore{appendFails: 1}
	e := newEnvWith(t, envOptions{retry: true, store: withFlaky(f)})
	e.wait("acme", "exec-1", "email.opened")
	e.open()
	if k := e.kinds("acme"); len(k) != 0 || len(e.tasks.got) != 0 {
		t.Fatalf("after the failed write: interactions %v, resumed %v", k, e.tasks.got)
	}
	e.drain()
	e.drain()
	if diff := cmp.Diff([]string{"email.opened"}, e.kinds("acme")); diff != "" {
		t.Errorf("interactions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{resumed("email.opened")}, e.tasks.got); diff != "" {
		t.Errorf("resumed (-want +got):\n%s", diff)
	}
	if f.appendCalls != 1 || f.appendManyCalls != 1 {
		t.Errorf("writes: %d in the request, %d by the job; want 1 and 1", f.appendCalls, f.appendManyCalls)
	}
}

// TestRetryAfterAFailedRecordRetry: the job's own write fails once; the
// queue delivers it again and the open is recorded once.
func TestRetryAfterAFailedRecordRetry(t *testing.T) {
	f := &flakyStore{appendFails: 2}
	e := newEnvWith(t, envOptions{retry: true, store: withFlaky(f)})
	e.wait("acme", "exec-1", "email.opened")
	e.open()
	if st := e.drain(); st.Failed != 1 {
		t.Fatalf("first run: %+v, want one failure", st)
	}
	if st := e.drain(); st.Handled != 1 {
		t.Fatalf("second run: %+v, want one handled", st)
	}
	if diff := cmp.Diff([]string{"email.opened"}, e.kinds("acme")); diff != "" {
		t.Errorf("interactions (-want +got):\n%s", diff)
	}
	if len(e.tasks.got) != 1 {
		t.Errorf("resumed %v, want once", e.tasks.got)
	}
}

// receiveJob takes the one queued job off the queue.
func (e *env) receiveJob() queue.Message {
	e.t.Helper()
	ms, err := e.queue.Receive(context.Background(), 10)
	if err != nil || len(ms) != 1 {
		e.t.Fatalf("receive: %d jobs, %v; want 1", len(ms), err)
	}
	return ms[0]
}

// TestJobDeliveredTwice: at-least-once delivery hands the same job out
// again; it records the open once and resumes the wait once, whether the
// first run could note that it was done or not.
func TestJobDeliveredTwice(t *testing.T) {
	tests := []struct {
		name          string
		completeFails int
		// between the runs: the first run's lease must lapse when it
		// could not note its end.
		gap     time.Duration
		wantErr error // of the second delivery at once
	}{
		{name: "after the first run ended", gap: 0},
		{name: "first run could not note its end", completeFails: 1, gap: 0, wantErr: tracking.ErrJobBusy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := &flakyStore{appendFails: 1, completeFails: tt.completeFails}
			e := newEnvWith(t, envOptions{retry: true, store: withFlaky(f)})
			e.wait("acme", "exec-1", "email.opened")
			e.open()
			m := e.receiveJob()
			if err := e.retrier.Handle(ctx, m); err != nil {
				t.Fatalf("first delivery: %v", err)
			}
			if err := e.retrier.Handle(ctx, m); !errors.Is(err, tt.wantErr) {
				t.Fatalf("second delivery at once: %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				e.clock.Advance(tracking.DefaultJobLease + time.Second)
				if err := e.retrier.Handle(ctx, m); err != nil {
					t.Fatalf("delivery after the lease: %v", err)
				}
			}
			if diff := cmp.Diff([]string{"email.opened"}, e.kinds("acme")); diff != "" {
				t.Errorf("interactions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{resumed("email.opened")}, e.tasks.got); diff != "" {
				t.Errorf("resumed (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRetryGivesUp: while Step Functions keeps failing the job is retried
// with backoff, then dead-lettered; the open stays recorded once and the
// wait waits on (for a later open, or its timeout).
func TestRetryGivesUp(t *testing.T) {
	e := newEnvWith(t, envOptions{retry: true})
	e.wait("acme", "exec-1", "email.opened")
	e.tasks.fails = 1 << 20
	e.open()
	var total queue.Stats
	for range testMaxAttempts + 2 {
		st := e.drain()
		total.Received += st.Received
		total.Failed += st.Failed
	}
	if diff := cmp.Diff(queue.Stats{Received: testMaxAttempts, Failed: testMaxAttempts}, total); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	if w, d := e.depth(); w != 0 || d != 1 {
		t.Errorf("queue: %d waiting, %d dead; want 0, 1", w, d)
	}
	if len(e.tasks.got) != 0 || e.waiting("email.opened") != 1 {
		t.Errorf("resumed %v, %d waiting; want none, the wait waiting", e.tasks.got, e.waiting("email.opened"))
	}
	if diff := cmp.Diff([]string{"email.opened"}, e.kinds("acme")); diff != "" {
		t.Errorf("interactions (-want +got):\n%s", diff)
	}
}

// TestRetryFindsNothingWaiting: a later open resumed the wait before the
// job ran; the job ends without resuming anything again.
func TestRetryFindsNothingWaiting(t *testing.T) {
	e := newEnvWith(t, envOptions{retry: true})
	e.wait("acme", "exec-1", "email.opened")
	e.tasks.fails = handler.ResumeAttempts
	e.open()
	e.open() // Step Functions answers again
	if st := e.drain(); st.Handled != 1 || st.Failed != 0 {
		t.Errorf("run: %+v, want one job handled", st)
	}
	if diff := cmp.Diff([]string{resumed("email.opened")}, e.tasks.got); diff != "" {
		t.Errorf("resumed (-want +got):\n%s", diff)
	}
	if w, d := e.depth(); w != 0 || d != 0 {
		t.Errorf("queue: %d waiting, %d dead; want 0, 0", w, d)
	}
}

// TestNoRetryQueue: without Config.Retry a failed write is logged and the
// pixel served, as before the queue existed.
func TestNoRetryQueue(t *testing.T) {
	f := &flakyStore{appendFails: 1}
	e := newEnvWith(t, envOptions{store: withFlaky(f)})
	e.wait("acme", "exec-1", "email.opened")
	e.open()
	if k := e.kinds("acme"); len(k) != 0 || len(e.tasks.got) != 0 || e.waiting("email.opened") != 1 {
		t.Errorf("interactions %v, resumed %v; want none of either", k, e.tasks.got)
	}
}

// failingSender is a retry queue that cannot be reached.
type failingSender struct{}

func (failingSender) Send(context.Context, []byte, queue.SendOptions) (string, bool, error) {
	return "", false, errors.New("queue unreachable")
}

// TestRetryQueueUnreachable: the pixel and redirect are served even when
// the job cannot be queued.
func TestRetryQueueUnreachable(t *testing.T) {
	f := &flakyStore{appendFails: 2}
	e := newEnvWith(t, envOptions{retry: true, store: withFlaky(f), sender: func(queue.Sender) queue.Sender { return failingSender{} }})
	e.open()
	e.click()
	if w, _ := e.depth(); w != 0 {
		t.Errorf("%d jobs queued", w)
	}
}

// TestJobDedupe: the job of an interaction is queued once, however often
// it is sent.
func TestJobDedupe(t *testing.T) {
	ctx := context.Background()
	e := newEnvWith(t, envOptions{retry: true, store: withFlaky(&flakyStore{appendFails: 1})})
	e.open()
	m := e.receiveJob()
	j, r, err := tracking.ParseJob(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := tracking.Job{V: tracking.JobVersion, Message: ref("acme", "exec-1", false).String(), Interaction: j.Interaction,
		Kind: store.InteractionOpened, At: now, Event: "email.opened"}
	if diff := cmp.Diff(want, j); diff != "" || r.BU != "acme" {
		t.Errorf("job of %s (-want +got):\n%s", r.BU, diff)
	}
	id, dup, err := e.queue.Send(ctx, m.Body, queue.SendOptions{DedupeID: j.DedupeID(r.BU)})
	if err != nil || !dup || id != m.ID {
		t.Errorf("sent again: %s %v %v; want %s, a duplicate", id, dup, err, m.ID)
	}
}

func TestMalformedJobs(t *testing.T) {
	e := newEnvWith(t, envOptions{retry: true})
	good := `"message":"` + ref("acme", "e", false).String() + `","interaction":"i-1","kind":"opened","at":"2026-11-30T10:00:00Z","event":"email.opened"`
	tests := map[string]string{
		"not json":          `{`,
		"other version":     `{"v":2,` + good + `}`,
		"no version":        `{` + good + `}`,
		"bad message":       `{"v":1,"message":"junk","interaction":"i-1","kind":"opened","at":"2026-11-30T10:00:00Z","event":"email.opened"}`,
		"no interaction id": `{"v":1,"message":"` + ref("acme", "e", false).String() + `","kind":"opened","at":"2026-11-30T10:00:00Z","event":"email.opened"}`,
		"no event":          `{"v":1,"message":"` + ref("acme", "e", false).String() + `","interaction":"i-1","kind":"opened","at":"2026-11-30T10:00:00Z"}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			err := e.retrier.Handle(context.Background(), queue.Message{ID: "m", Body: []byte(body)})
			if !errors.Is(err, tracking.ErrMalformedJob) {
				t.Errorf("%v, want ErrMalformedJob", err)
			}
		})
	}
	if err := e.retrier.Handle(context.Background(), queue.Message{ID: "m", Body: []byte(`{"v":1,` + good + `}`)}); err != nil {
		t.Errorf("well-formed job with nothing waiting: %v", err)
	}
}
