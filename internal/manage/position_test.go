package manage_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/store"
)

// TestPositionOf works out where a welcome contact is from its enrolment
// and step log: the recorded step, or the plain wait "pause" (2d) that
// follows send-reminder once that send is done.
func TestPositionOf(t *testing.T) {
	f := newFixture(t, manage.Config{})
	f.publishWelcome(t)
	rec, err := f.st.GetVersion(context.Background(), bu, "welcome", 1)
	if err != nil {
		t.Fatal(err)
	}
	v, err := catalog.Load(rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	en := store.Enrolment{Journey: "welcome", Contact: "c-1", Entry: "e-1", Version: 1, Execution: "exec-1",
		Status: store.EnrolmentActive, Step: "send-reminder", StepSince: at}
	logAt := func(step string, outcome store.StepOutcome, d time.Duration, exec string) store.StepLog {
		return store.StepLog{Contact: "c-1", Journey: "welcome", Version: 1, Execution: exec, Step: step, At: at.Add(d), Outcome: outcome}
	}
	recorded := manage.Position{Journey: "welcome", Entry: "e-1", Version: 1, Execution: "exec-1", Step: "send-reminder", Since: at}
	inPause := manage.Position{Journey: "welcome", Entry: "e-1", Version: 1, Execution: "exec-1", Step: "pause",
		Since: at.Add(time.Minute), Until: at.Add(time.Minute + 48*time.Hour), Derived: true}
	tests := []struct {
		name string
		v    *catalog.Version
		en   func(e store.Enrolment) store.Enrolment
		logs []store.StepLog
		now  time.Duration
		want manage.Position
	}{
		{"send not done yet", v, nil, nil, time.Minute, recorded},
		{"send deferred (quiet hours)", v, nil, []store.StepLog{logAt("send-reminder", store.StepDeferred, 0, "exec-1")}, time.Hour, recorded},
		{"send done: in the plain wait", v, nil, []store.StepLog{logAt("send-reminder", store.StepSent, time.Minute, "exec-1")}, time.Hour, inPause},
		{"skipped send goes on to the wait too", v, nil, []store.StepLog{logAt("send-reminder", store.StepSkipped, time.Minute, "exec-1")}, 47 * time.Hour, inPause},
		{"wait over: the next task is due", v, nil, []store.StepLog{logAt("send-reminder", store.StepSent, time.Minute, "exec-1")}, 49 * time.Hour, recorded},
		{"another execution's log", v, nil, []store.StepLog{logAt("send-reminder", store.StepSent, time.Minute, "exec-0")}, time.Hour, recorded},
		{"a log from before the contact reached the step", v, nil, []store.StepLog{logAt("send-reminder", store.StepSent, -time.Hour, "exec-1")}, time.Hour, recorded},
		{"a step other than a send", v, func(e store.Enrolment) store.Enrolment { e.Step = "wait-open"; return e },
			[]store.StepLog{logAt("wait-open", store.StepWaited, time.Minute, "exec-1")}, time.Hour,
			manage.Position{Journey: "welcome", Entry: "e-1", Version: 1, Execution: "exec-1", Step: "wait-open", Since: at}},
		{"no step yet", v, func(e store.Enrolment) store.Enrolment { e.Step, e.StepSince = "", time.Time{}; return e }, nil, time.Hour,
			manage.Position{Journey: "welcome", Entry: "e-1", Version: 1, Execution: "exec-1"}},
		{"version unknown", nil, nil, []store.StepLog{logAt("send-reminder", store.StepSent, time.Minute, "exec-1")}, time.Hour, recorded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := en
			if tt.en != nil {
				e = tt.en(e)
			}
			got := manage.PositionOf(tt.v, e, tt.logs, at.Add(tt.now))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("position (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTracePositionAndStatus: the contact trace says where each active
// enrolment is and since when; the journey's status counts the active
// contacts by step.
func TestTracePositionAndStatus(t *testing.T) {
	f := newFixture(t, manage.Config{})
	f.publishWelcome(t, "c-1", "c-2")
	ctx := context.Background()
	step := "wait-open"
	for _, c := range []string{"c-1", "c-2"} {
		if _, err := f.st.UpdateEnrolment(ctx, bu, "welcome", c, "lead-"+c, store.EnrolmentUpdate{Step: &step}); err != nil {
			t.Fatal(err)
		}
	}
	en, err := f.st.GetEnrolment(ctx, bu, "welcome", "c-1", "lead-c-1")
	if err != nil || en.StepSince.IsZero() {
		t.Fatalf("enrolment %+v, %v", en, err)
	}
	status, raw := f.call(t, "GET", "/api/contacts/c-1/trace", f.bearer("reader"), nil)
	if status != http.StatusOK {
		t.Fatalf("trace %d: %s", status, raw)
	}
	tr := decodeJSON[manage.Trace](t, raw)
	want := []manage.Position{{Journey: "welcome", Entry: "lead-c-1", Version: 1, Execution: en.Execution, Step: "wait-open", Since: en.StepSince}}
	if diff := cmp.Diff(want, tr.Positions); diff != "" {
		t.Errorf("trace positions (-want +got):\n%s", diff)
	}
	st, err := f.client("reader").Status(ctx, "welcome")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]manage.StepCount{{Step: "wait-open", Contacts: 2, Oldest: en.StepSince}}, st.AtSteps); diff != "" {
		t.Errorf("status at steps (-want +got):\n%s", diff)
	}
}
