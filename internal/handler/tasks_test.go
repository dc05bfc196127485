package handler_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/channel/channeltest"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

const allSteps = `  - {id: hello, send: {channel: email, template: hello}}
  - id: wait-open
    waitFor:
      events:
        - {event: email.opened, send: hello, next: warm}
        - {event: webinar.attended, next: warm}
      timeout: 3d
  - {id: warm, if: {condition: contact.leadScore >= 60, then: plan, else: in-customers}}
  - {id: in-customers, if: {segment: customers, then: plan}}
  - id: plan
    switch:
      attribute: plan
      cases: [{equals: trial, next: task}, {equals: team, next: sync}]
      default: morning
  - {id: task, salesTask: {title: Call the lead, due: 2d, priority: high}}
  - {id: sync, webhook: {action: crm, data: {list: warm-leads, score: 5}}}
  - {id: mark, update: {set: {lifecycleStage: mql, leadScore: 80, unsubscribed: false}}}
  - {id: morning, wait: {timeOfDay: "09:00", weekdays: [mon, tue, wed, thu, fri]}}
  - {id: done, end: true}
`

func setup(t *testing.T, o fixtureOptions, edit func(p *store.ContactPatch)) (*fixture, string) {
	t.Helper()
	f := newFixture(t, o)
	j := f.publish(journeyYAML("all", "", allSteps))
	f.contact("acme", "c1", edit)
	f.enrol("acme", j, "c1")
	return f, j
}

func TestEvaluate(t *testing.T) {
	boolp := func(b bool) *bool { return &b }
	tests := []struct {
		name  string
		step  string
		op    string
		attrs []string
		edit  func(p *store.ContactPatch)
		now   time.Time
		want  wire.StepResult
	}{
		{"if true", "warm", wire.OpCondition, nil, nil, start, wire.StepResult{Result: boolp(true)}},
		{"if false", "warm", wire.OpCondition, nil, func(p *store.ContactPatch) { p.Attributes["leadScore"] = store.NumberValue(10) }, start, wire.StepResult{Result: boolp(false)}},
		{"segment if", "in-customers", wire.OpCondition, nil, nil, start, wire.StepResult{Result: boolp(false)}},
		{"switch case", "plan", wire.OpCondition, nil, nil, start, wire.StepResult{Case: "trial"}},
		{"switch default", "plan", wire.OpCondition, nil, func(p *store.ContactPatch) { p.Attributes["plan"] = store.StringValue("none") }, start, wire.StepResult{Case: "default"}},
		{"switch on a missing attribute", "plan", wire.OpCondition, nil, func(p *store.ContactPatch) { p.Attributes = nil }, start, wire.StepResult{Case: "default"}},
		{"attrs typed, zero when missing", "warm", wire.OpAttrs, []string{"leadScore", "plan", "unsubscribed", "company", "signedUpAt"}, nil, start,
			wire.StepResult{Attrs: map[string]any{"leadScore": 70.0, "plan": "trial", "unsubscribed": false, "company": "", "signedUpAt": ""}}},
		{"wait until 09:00 berlin on a weekday", "morning", wire.OpWaitUntil, nil, nil, start, wire.StepResult{Until: "2026-12-01T08:00:00Z"}},
		{"wait until skips the weekend", "morning", wire.OpWaitUntil, nil, nil, time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC), wire.StepResult{Until: "2026-12-07T08:00:00Z"}},
		{"wait until in new york", "morning", wire.OpWaitUntil, nil, func(p *store.ContactPatch) { p.Timezone = store.String("America/New_York") }, start, wire.StepResult{Until: "2026-11-30T14:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, j := setup(t, fixtureOptions{}, tt.edit)
			f.clock.Set(tt.now)
			r := req("acme", j, "c1", tt.op, tt.step)
			r.Attrs = tt.attrs
			got, err := f.h.Evaluate(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInvalidPayloads(t *testing.T) {
	f, j := setup(t, fixtureOptions{}, nil)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"unknown payload version", func() error {
			r := req("acme", j, "c1", wire.OpSend, "hello")
			r.V = 2
			_, err := f.h.Send(ctx, r)
			return err
		}},
		{"missing version", func() error {
			r := req("acme", j, "c1", wire.OpSend, "hello")
			r.V = 0
			_, err := f.h.Handle(ctx, r)
			return err
		}},
		{"op sent to the wrong function", func() error { _, err := f.h.Send(ctx, req("acme", j, "c1", wire.OpCondition, "warm")); return err }},
		{"unknown op", func() error { _, err := f.h.Handle(ctx, req("acme", j, "c1", "explode", "warm")); return err }},
		{"unknown step", func() error { _, err := f.h.Evaluate(ctx, req("acme", j, "c1", wire.OpCondition, "nope")); return err }},
		{"step of another kind", func() error { _, err := f.h.Send(ctx, req("acme", j, "c1", wire.OpSend, "warm")); return err }},
		{"unpublished version", func() error {
			r := req("acme", j, "c1", wire.OpSend, "hello")
			r.Version = 9
			_, err := f.h.Send(ctx, r)
			return err
		}},
		{"personal attribute for a Choice", func() error {
			r := req("acme", j, "c1", wire.OpAttrs, "warm")
			r.Attrs = []string{"email"}
			_, err := f.h.Evaluate(ctx, r)
			return err
		}},
		{"finish without an outcome", func() error { _, err := f.h.Finish(ctx, req("acme", j, "c1", wire.OpFinish, "")); return err }},
		{"wait without a token", func() error {
			_, err := f.h.WaitRegister(ctx, req("acme", j, "c1", wire.OpWaitEvent, "wait-open"))
			return err
		}},
		{"missing ids", func() error { _, err := f.h.Send(ctx, req("acme", j, "", wire.OpSend, "hello")); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); errName(err) != wire.ErrInvalidPayload {
				t.Errorf("error %v, want Journey.InvalidPayload", err)
			}
		})
	}
}

func TestSalesTask(t *testing.T) {
	f, j := setup(t, fixtureOptions{}, func(p *store.ContactPatch) { p.Owner = store.String("rep-1") })
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if res, err := f.h.SalesTask(ctx, req("acme", j, "c1", wire.OpSalesTask, "task")); err != nil || res.Status != "created" {
			t.Fatalf("SalesTask = %+v, %v", res, err)
		}
	}
	tasks, _ := f.store.ListSalesTasksByContact(ctx, "acme", "c1")
	if len(tasks) != 1 || tasks[0].Owner != "rep-1" || !tasks[0].Due.Equal(start.Add(48*time.Hour)) || tasks[0].Title != "Call the lead" {
		t.Fatalf("tasks %+v", tasks)
	}
	if diff := cmp.Diff([]string{"task created: task for owner rep-1"}, f.stepLogs("acme", "c1")); diff != "" {
		t.Error(diff)
	}
	f.contact("acme", "c2", nil)
	f.enrol("acme", j, "c2")
	if res, err := f.h.SalesTask(ctx, req("acme", j, "c2", wire.OpSalesTask, "task")); err != nil || res.Status != "skipped" {
		t.Fatalf("without an owner: %+v, %v", res, err)
	}
	if diff := cmp.Diff([]string{"task skipped: no sales owner"}, f.stepLogs("acme", "c2")); diff != "" {
		t.Error(diff)
	}
}

func TestUpdate(t *testing.T) {
	f, j := setup(t, fixtureOptions{}, nil)
	ctx := context.Background()
	r := req("acme", j, "c1", wire.OpUpdate, "mark")
	r.Attrs = []string{"leadScore", "lifecycleStage"}
	res, err := f.h.Update(ctx, r)
	if err != nil || res.Status != "updated" {
		t.Fatalf("Update = %+v, %v", res, err)
	}
	if diff := cmp.Diff(map[string]any{"leadScore": 80.0, "lifecycleStage": "mql"}, res.Attrs); diff != "" {
		t.Errorf("attrs (-want +got):\n%s", diff)
	}
	c, _ := f.store.GetContact(ctx, "acme", "c1")
	if c.LifecycleStage != "mql" || c.Attributes["leadScore"].Num != 80 || c.Attributes["unsubscribed"].Kind != store.KindBool {
		t.Errorf("contact %+v", c)
	}
	if diff := cmp.Diff([]string{"mark updated: set lifecycleStage, leadScore, unsubscribed"}, f.stepLogs("acme", "c1")); diff != "" {
		t.Error(diff)
	}
}

func TestWebhookAction(t *testing.T) {
	tests := []struct {
		name    string
		fault   channeltest.Fault
		wantErr string
	}{
		{"called once", channeltest.None, ""},
		{"refused", channeltest.Status400, wire.ErrDeliveryFailed},
		{"unavailable", channeltest.Status500, wire.ErrTransient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, j := setup(t, fixtureOptions{actionFaults: func(string, int) channeltest.Fault { return tt.fault }}, nil)
			for i := 0; i < 2; i++ {
				res, err := f.h.Webhook(context.Background(), req("acme", j, "c1", wire.OpWebhook, "sync"))
				if errName(err) != tt.wantErr || err == nil && res.Status != "called" {
					t.Fatalf("Webhook = %+v, %v; want %q", res, err, tt.wantErr)
				}
			}
			if tt.fault != channeltest.None {
				return
			}
			st := f.action.Stats()
			if st.Requests != 1 || st.Rejected != 0 {
				t.Errorf("action endpoint: %+v, want one signed request", st)
			}
		})
	}
}

func TestWaitRegister(t *testing.T) {
	f, j := setup(t, fixtureOptions{}, nil)
	ctx := context.Background()
	r := req("acme", j, "c1", wire.OpWaitEvent, "wait-open")
	r.Token = "token-1"
	res, err := f.h.WaitRegister(ctx, r)
	if err != nil || res.Status != "waiting" {
		t.Fatalf("WaitRegister = %+v, %v", res, err)
	}
	cbs, _ := f.store.WaitingCallbacks(ctx, "acme", "c1", "email.opened")
	if len(cbs) != 1 || !cbs[0].ExpiresAt.Equal(start.Add(72*time.Hour+time.Minute)) || strings.Contains(cbs[0].ID, "token") {
		t.Fatalf("callbacks %+v", cbs)
	}
	// A second registration of the same token (a Lambda retry) keeps one.
	if _, err := f.h.WaitRegister(ctx, r); err != nil {
		t.Fatal(err)
	}
	if cbs, _ := f.store.WaitingCallbacks(ctx, "acme", "c1", "email.opened"); len(cbs) != 1 {
		t.Errorf("%d callbacks after a repeat", len(cbs))
	}
	// An open of another execution's message does not resume it; its own does, once.
	other := channel.MessageRef{BU: "acme", Contact: "c1", Journey: j, Version: 1, Step: "hello", Exec: channel.ExecTag("another-execution", "hello")}
	mine := channel.MessageRef{BU: "acme", Contact: "c1", Journey: j, Version: 1, Step: "hello", Exec: channel.ExecTag(r.Execution, "hello")}
	for _, m := range []channel.MessageRef{other, mine, mine} {
		if _, err := handler.ResumeWaits(ctx, f.store, f.tasks, "acme", "c1", "email.opened", &m, ""); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{`{"event":"email.opened","send":"hello"}`}, f.tasks.outputs("token-1")); diff != "" {
		t.Errorf("task answers (-want +got):\n%s", diff)
	}
}

func TestWaitRegisterRace(t *testing.T) {
	tests := []struct {
		name  string
		event func(f *fixture, j string)
		want  []string
	}{
		{"opened before registration", func(f *fixture, j string) {
			ref := channel.MessageRef{BU: "acme", Contact: "c1", Journey: j, Version: 1, Step: "hello", Exec: channel.ExecTag(execution(j, "c1"), "hello")}
			f.store.AppendInteraction(context.Background(), "acme", store.Interaction{Contact: "c1", Kind: store.InteractionOpened, Channel: "email", At: start.Add(-time.Hour), Message: ref.String()})
		}, []string{`{"event":"email.opened","send":"hello"}`}},
		{"custom event a moment before", func(f *fixture, j string) {
			f.store.AppendInteraction(context.Background(), "acme", store.Interaction{Contact: "c1", Kind: store.InteractionCustom, At: start.Add(-time.Minute), Detail: map[string]string{"event": "webinar.attended"}})
		}, []string{`{"event":"webinar.attended"}`}},
		{"custom event long before does not count", func(f *fixture, j string) {
			f.store.AppendInteraction(context.Background(), "acme", store.Interaction{Contact: "c1", Kind: store.InteractionCustom, At: start.Add(-48 * time.Hour), Detail: map[string]string{"event": "webinar.attended"}})
		}, nil},
		{"an open of another message does not count", func(f *fixture, j string) {
			ref := channel.MessageRef{BU: "acme", Contact: "c1", Journey: j, Version: 1, Step: "hello", Exec: channel.ExecTag("old-execution", "hello")}
			f.store.AppendInteraction(context.Background(), "acme", store.Interaction{Contact: "c1", Kind: store.InteractionOpened, Channel: "email", At: start.Add(-time.Minute), Message: ref.String()})
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, j := setup(t, fixtureOptions{}, nil)
			tt.event(f, j)
			r := req("acme", j, "c1", wire.OpWaitEvent, "wait-open")
			r.Token = "token-race"
			res, err := f.h.WaitRegister(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, f.tasks.outputs("token-race")); diff != "" {
				t.Errorf("answers (-want +got):\n%s", diff)
			}
			if want := map[bool]string{true: "resumed", false: "waiting"}[tt.want != nil]; res.Status != want {
				t.Errorf("status %q, want %q", res.Status, want)
			}
		})
	}
}

func TestFinishIsIdempotent(t *testing.T) {
	f, j := setup(t, fixtureOptions{}, nil)
	ctx := context.Background()
	tests := []struct {
		outcome, errName, cause, variant, step string
		status                                 store.EnrolmentStatus
		reason, funnel                         string
	}{
		{wire.OutcomeExited, wire.ErrExited, `{"errorMessage":"exit criterion unsubscribed","errorType":"Journey.Exited"}`, "", "", store.EnrolmentExited, "exit criterion unsubscribed", "_end/exited"},
		{wire.OutcomeFailed, "States.TaskFailed", `{"errorMessage":"boom","errorType":"wrapError"}`, "", "", store.EnrolmentFailed, "States.TaskFailed: boom", "_end/failed"},
		{wire.OutcomeCompleted, "", "", "", "done", store.EnrolmentCompleted, "completed", "done/completed"},
		{wire.OutcomeCompleted, "", "", "holdout", "plan", store.EnrolmentCompleted, "holdout of split plan", "plan/holdout"},
	}
	for i, tt := range tests {
		contact := "f" + string(rune('0'+i))
		f.contact("acme", contact, nil)
		f.enrol("acme", j, contact)
		r := req("acme", j, contact, wire.OpFinish, tt.step)
		r.Outcome, r.Error, r.Cause, r.Variant = tt.outcome, tt.errName, tt.cause, tt.variant
		for k := 0; k < 3; k++ {
			if res, err := f.h.Finish(ctx, r); err != nil || res.Status != tt.outcome {
				t.Fatalf("%s: Finish = %+v, %v", tt.outcome, res, err)
			}
		}
		en, _ := f.store.GetEnrolment(ctx, "acme", j, contact, "e1")
		if en.Status != tt.status || en.Reason != tt.reason || en.EndedAt.IsZero() {
			t.Errorf("%s: enrolment %+v", tt.outcome, en)
		}
		if n := len(f.stepLogs("acme", contact)); n != 1 {
			t.Errorf("%s: %d step logs, want 1", tt.outcome, n)
		}
		if got := f.funnel("acme", j)[tt.funnel]; got != 1 {
			t.Errorf("%s: counter %s = %d", tt.outcome, tt.funnel, got)
		}
	}
}

func TestRenderAndTestSend(t *testing.T) {
	f, _ := setup(t, fixtureOptions{}, nil)
	ctx := context.Background()
	out, err := f.h.Render(ctx, handler.RenderRequest{BU: "acme", Template: "hello", Contact: "c1"})
	if err != nil || out.Subject != "Hello Ada" || out.Sent {
		t.Fatalf("Render = %+v, %v", out, err)
	}
	out, err = f.h.Render(ctx, handler.RenderRequest{BU: "acme", Template: "hello", Values: map[string]any{"firstName": "Grace"}, Send: true, To: "grace@example.com"})
	if err != nil || !out.Sent || out.Subject != "Hello Grace" {
		t.Fatalf("test send = %+v, %v", out, err)
	}
	msgs := f.provider.Messages()
	if len(msgs) != 1 || !msgs[0].Test || msgs[0].To != "grace@example.com" {
		t.Fatalf("provider got %+v", msgs)
	}
	if ref, _ := channel.ParseMessageRef(msgs[0].ID); !ref.Test {
		t.Error("the test send's message id is not marked")
	}
	if in := f.interactions("acme", "c1"); len(in) != 0 || len(f.funnel("acme", "all")) != 0 {
		t.Errorf("a test send was recorded: %v", in)
	}
}

func TestLogsHoldNoPersonalData(t *testing.T) {
	f, j := setup(t, fixtureOptions{faults: func(_ string, n int) channeltest.Fault {
		if n == 1 {
			return channeltest.Status500
		}
		return channeltest.None
	}}, nil)
	ctx := context.Background()
	f.h.Send(ctx, req("acme", j, "c1", wire.OpSend, "hello")) // fails, transient
	if _, err := f.h.Send(ctx, req("acme", j, "c1", wire.OpSend, "hello")); err != nil {
		t.Fatal(err)
	}
	f.h.Render(ctx, handler.RenderRequest{BU: "acme", Template: "hello", Contact: "c1", Send: true, To: "colleague@example.com"})
	logs := f.logs.String()
	if !strings.Contains(logs, `"execution":"`+execution(j, "c1")+`"`) || !strings.Contains(logs, `"step":"hello"`) {
		t.Fatalf("logs lack ids:\n%s", logs)
	}
	for _, secret := range []string{"c1@example.com", "colleague@example.com", "Ada", "Lovelace", "+491701234567", "4917012"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(logs, "\n", 2)[0]), &line); err != nil {
		t.Errorf("logs are not JSON: %v", err)
	}
}

// TestBusinessUnitIsolation: a task of one business unit naming another
// unit's contact neither reads nor changes it.
func TestBusinessUnitIsolation(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	jA := f.publish(journeyYAML("all", "", allSteps))
	jB := f.publish(strings.Replace(journeyYAML("all", "", allSteps), "businessUnit: acme", "businessUnit: globex", 1))
	victim := f.contact("acme", "c1", func(p *store.ContactPatch) { p.Owner = store.String("rep-1") })
	f.enrol("acme", jA, "c1")
	f.store.CreateEnrolment(context.Background(), "globex", store.Enrolment{Journey: jB, Contact: "c1", Entry: "e1", Version: 1})
	ctx := context.Background()
	calls := []func() error{
		func() error { _, err := f.h.Send(ctx, req("globex", jB, "c1", wire.OpSend, "hello")); return err },
		func() error { _, err := f.h.Update(ctx, req("globex", jB, "c1", wire.OpUpdate, "mark")); return err },
		func() error {
			_, err := f.h.SalesTask(ctx, req("globex", jB, "c1", wire.OpSalesTask, "task"))
			return err
		},
		func() error {
			_, err := f.h.Evaluate(ctx, req("globex", jB, "c1", wire.OpCondition, "warm"))
			return err
		},
		func() error {
			_, err := f.h.Render(ctx, handler.RenderRequest{BU: "globex", Template: "hello", Contact: "c1"})
			return err
		},
	}
	for i, call := range calls {
		err := call()
		if i < 4 && errName(err) != wire.ErrExited {
			t.Errorf("call %d: %v, want Journey.Exited (no such contact in globex)", i, err)
		}
		if i == 4 && err == nil {
			t.Errorf("render of another unit's contact succeeded")
		}
	}
	after, _ := f.store.GetContact(ctx, "acme", "c1")
	if after.Revision != victim.Revision || after.LifecycleStage != "lead" {
		t.Errorf("acme's contact changed: %+v", after)
	}
	if st := f.provider.Stats(); st.Requests != 0 {
		t.Errorf("a message went out: %+v", st)
	}
	if tasks, _ := f.store.ListSalesTasksByContact(ctx, "acme", "c1"); len(tasks) != 0 {
		t.Errorf("tasks: %+v", tasks)
	}
}
