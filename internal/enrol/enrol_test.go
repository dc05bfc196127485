package enrol_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

const (
	bu         = "northwind"
	versionArn = "arn:aws:states:us-east-1:123456789012:stateMachine:journeys-northwind-welcome:1"
)

// starts records executions the way Step Functions names them: a second
// start with a used name is ErrExecutionExists unless the input is the same.
type starts struct {
	mu     sync.Mutex
	inputs map[string]string
	fail   error
}

func (s *starts) Start(_ context.Context, target, name, input string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return "", s.fail
	}
	if old, ok := s.inputs[name]; ok && old != input {
		return "", workflow.ErrExecutionExists
	}
	s.inputs[name] = input
	return enrol.ExecutionArn(target, name), nil
}

type fixture struct {
	st     *embedded.Store
	starts *starts
	e      *enrol.Enroller
	now    time.Time
}

// newFixture publishes the welcome and webinar examples as version 1 in an embedded
// store and adds contacts: c-ok consents to email, c-no consents to none,
// c-cust is a customer (in the exclusion segment).
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), starts: &starts{inputs: map[string]string{}}}
	st, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"), store.Config{Now: func() time.Time { return f.now }}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st

	dir := filepath.Join("..", "..", "journeys")
	lib, probs := journey.LoadDir(dir)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	for _, id := range []string{"welcome", "webinar"} {
		publish(t, st, lib, filepath.Join(dir, id+".journey.yaml"), f.now)
	}
	granted := map[string]store.Consent{"email": {Status: store.ConsentGranted, Source: "test", At: f.now}}
	for _, c := range []store.ContactPatch{
		{ID: "c-ok", Email: ptr("ok@example.com"), Channels: granted},
		{ID: "c-no", Email: ptr("no@example.com")},
		{ID: "c-cust", Email: ptr("cust@example.com"), LifecycleStage: ptr("customer"), Channels: granted},
	} {
		if _, err := st.UpsertContact(ctx, bu, c); err != nil {
			t.Fatal(err)
		}
	}
	f.e = enrol.New(st, catalog.New(st, nil), f.starts, func() time.Time { return f.now })
	return f
}

// publish stores a journey file as version 1 of its journey, active.
func publish(t *testing.T, st *embedded.Store, lib *journey.Library, file string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	checked, probs := journey.ReadJourney(file, lib)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	b, err := journey.NewBundle(checked, lib)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := b.Marshal()
	id := checked.Journey.ID
	arn := strings.Replace(versionArn, "-welcome:", "-"+id+":", 1)
	if err := st.CreateVersion(ctx, bu, store.JourneyVersion{Journey: id, Version: 1, Source: src, ASL: []byte("{}"),
		StateMachineVersion: arn, PublishedBy: "test", PublishedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutJourney(ctx, bu, store.Journey{ID: id, Name: checked.Journey.Name, Status: store.JourneyActive, Current: 1}); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

func (f *fixture) enrol(t *testing.T, contact, entry string) enrol.Outcome {
	t.Helper()
	out, err := f.e.Enrol(context.Background(), enrol.Request{BU: bu, Journey: "welcome", Contact: contact, Entry: entry})
	if err != nil {
		t.Fatalf("enrol %s/%s: %v", contact, entry, err)
	}
	return out
}

func TestEnrolPolicy(t *testing.T) {
	f := newFixture(t)
	out := f.enrol(t, "c-ok", "lead-1")
	if out.Status != enrol.Enrolled || out.Version != 1 || out.Execution == "" {
		t.Fatalf("first entry: %+v", out)
	}
	var in wire.Execution
	if err := json.Unmarshal([]byte(f.starts.inputs[enrol.ExecutionName(bu, "welcome", "c-ok", "lead-1")]), &in); err != nil ||
		in.Contact != "c-ok" || in.Version != 1 || in.Entry != "lead-1" {
		t.Fatalf("execution input %+v, %v", in, err)
	}
	for _, tt := range []struct {
		name, contact, entry, status, reason string
	}{
		{"same entry again", "c-ok", "lead-1", enrol.Already, ""},
		{"new entry while active", "c-ok", "lead-2", enrol.Skipped, "already in the journey"},
		{"no consent", "c-no", "lead-3", enrol.Skipped, "no consent for any channel the journey sends on"},
		{"exclusion segment", "c-cust", "lead-4", enrol.Skipped, "in the exclusion segment customers"},
		{"unknown contact", "c-ghost", "lead-5", enrol.Skipped, "no such contact"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := f.enrol(t, tt.contact, tt.entry)
			if out.Status != tt.status || out.Reason != tt.reason {
				t.Fatalf("got %s (%q), want %s (%q)", out.Status, out.Reason, tt.status, tt.reason)
			}
		})
	}
}

// TestReentryAfter: welcome allows re-entry 180 days after the last entry.
func TestReentryAfter(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.enrol(t, "c-ok", "lead-1")
	done := store.EnrolmentCompleted
	if _, err := f.st.UpdateEnrolment(ctx, bu, "welcome", "c-ok", "lead-1", store.EnrolmentUpdate{Status: &done}); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(100 * 24 * time.Hour)
	if out := f.enrol(t, "c-ok", "lead-2"); out.Status != enrol.Skipped || out.Reason != "re-entry allowed from 2027-05-30" {
		t.Fatalf("after 100 days: %+v", out)
	}
	f.now = f.now.Add(81 * 24 * time.Hour)
	if out := f.enrol(t, "c-ok", "lead-2"); out.Status != enrol.Enrolled {
		t.Fatalf("after 181 days: %+v", out)
	}
}

func TestPausedJourney(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	j, _ := f.st.GetJourney(ctx, bu, "welcome")
	j.Status = store.JourneyPaused
	if _, err := f.st.PutJourney(ctx, bu, j); err != nil {
		t.Fatal(err)
	}
	if out := f.enrol(t, "c-ok", "lead-1"); out.Status != enrol.Skipped || out.Reason != "journey paused" {
		t.Fatalf("paused: %+v", out)
	}
}

// TestStartFailsThenRepeats: a start that fails leaves the enrolment; the
// repeat of the same entry starts the execution, under the same name.
func TestStartFailsThenRepeats(t *testing.T) {
	f := newFixture(t)
	f.starts.fail = workflow.ErrThrottled
	_, err := f.e.Enrol(context.Background(), enrol.Request{BU: bu, Journey: "welcome", Contact: "c-ok", Entry: "lead-1"})
	if !errors.Is(err, workflow.ErrThrottled) {
		t.Fatalf("throttled start: err = %v", err)
	}
	f.starts.fail = nil
	out := f.enrol(t, "c-ok", "lead-1")
	if out.Status != enrol.Already || out.Execution == "" || len(f.starts.inputs) != 1 {
		t.Fatalf("repeat after a failed start: %+v, %d executions", out, len(f.starts.inputs))
	}
}

// TestConcurrentEntry: many starters racing on one entry make one
// enrolment and one execution.
func TestConcurrentEntry(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	statuses := make(chan string, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := f.e.Enrol(context.Background(), enrol.Request{BU: bu, Journey: "welcome", Contact: "c-ok", Entry: "lead-1"})
			if err != nil {
				t.Error(err)
			}
			statuses <- out.Status
		}()
	}
	wg.Wait()
	close(statuses)
	enrolled := 0
	for s := range statuses {
		if s == enrol.Enrolled {
			enrolled++
		}
	}
	if enrolled != 1 || len(f.starts.inputs) != 1 {
		t.Fatalf("%d enrolled, %d executions; want 1 and 1", enrolled, len(f.starts.inputs))
	}
}

func TestExecutionName(t *testing.T) {
	n := enrol.ExecutionName(bu, "welcome", "c-1", "lead-1")
	if len(n) > 80 || n != enrol.ExecutionName(bu, "welcome", "c-1", "lead-1") || n == enrol.ExecutionName(bu, "welcome", "c-1", "lead-2") {
		t.Fatalf("ExecutionName = %q", n)
	}
	if got, want := enrol.ExecutionArn(versionArn, "x"), "arn:aws:states:us-east-1:123456789012:execution:journeys-northwind-welcome:x"; got != want {
		t.Fatalf("ExecutionArn = %q, want %q", got, want)
	}
}

// TestKnownReads: what a launch read ahead for a page (the journey's
// record, the contact's enrolments) decides instead of the store, and an
// entry the caller's read missed (a throttled start being retried) is
// still enrolled once, by CreateEnrolment's condition.
func TestKnownReads(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name           string
		prepare        func(t *testing.T, f *fixture) enrol.Known // the store's state and what the caller read
		status, reason string
		executions     int
	}{
		{"journey read as paused", func(t *testing.T, f *fixture) enrol.Known {
			return enrol.Known{Contact: f.contact(t, "c-ok"), Journey: &store.Journey{ID: "welcome", Status: store.JourneyPaused, Current: 1}}
		}, enrol.Skipped, "journey paused", 0},
		{"read as active elsewhere", func(t *testing.T, f *fixture) enrol.Known {
			other := store.Enrolment{BU: bu, Journey: "welcome", Contact: "c-ok", Entry: "lead-0", Version: 1, Status: store.EnrolmentActive, EnteredAt: f.now}
			return enrol.Known{Contact: f.contact(t, "c-ok"), Enrolments: []store.Enrolment{other}}
		}, enrol.Skipped, "already in the journey", 0},
		{"read as started", func(t *testing.T, f *fixture) enrol.Known {
			same := store.Enrolment{BU: bu, Journey: "welcome", Contact: "c-ok", Entry: "lead-1", Version: 1, Status: store.EnrolmentActive, Execution: "arn:x"}
			return enrol.Known{Contact: f.contact(t, "c-ok"), Enrolments: []store.Enrolment{same}}
		}, enrol.Already, "", 0},
		{"read none", func(t *testing.T, f *fixture) enrol.Known {
			return enrol.Known{Contact: f.contact(t, "c-ok"), Enrolments: []store.Enrolment{}}
		}, enrol.Enrolled, "", 1},
		{"read missed the entry", func(t *testing.T, f *fixture) enrol.Known {
			f.starts.fail = workflow.ErrThrottled
			if _, err := f.e.Enrol(ctx, enrol.Request{BU: bu, Journey: "welcome", Contact: "c-ok", Entry: "lead-1"}); !errors.Is(err, workflow.ErrThrottled) {
				t.Fatalf("throttled start: err = %v", err)
			}
			f.starts.fail = nil
			return enrol.Known{Contact: f.contact(t, "c-ok"), Enrolments: []store.Enrolment{}}
		}, enrol.Already, "", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			known := tt.prepare(t, f)
			out, err := f.e.Enrol(ctx, enrol.Request{BU: bu, Journey: "welcome", Contact: "c-ok", Entry: "lead-1", Known: &known})
			if err != nil {
				t.Fatal(err)
			}
			if out.Status != tt.status || out.Reason != tt.reason || len(f.starts.inputs) != tt.executions {
				t.Fatalf("got %s (%q), %d executions; want %s (%q), %d", out.Status, out.Reason, len(f.starts.inputs), tt.status, tt.reason, tt.executions)
			}
		})
	}
}

func (f *fixture) contact(t *testing.T, id string) store.Contact {
	t.Helper()
	c, err := f.st.GetContact(context.Background(), bu, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
