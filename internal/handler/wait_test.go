package handler_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

// branchSteps wait for clicks on two emails and for two kinds of form
// submission: one event in several branches.
const branchSteps = `  - {id: send-a, send: {channel: email, template: hello}}
  - {id: send-b, send: {channel: email, template: hello}}
  - id: wait-click
    waitFor:
      events:
        - {event: email.clicked, send: send-a, next: done}
        - {event: email.clicked, send: send-b, next: done}
        - {event: form.submitted, form: demo-request, next: done}
        - {event: form.submitted, next: done}
      timeout: 7d
  - {id: done, end: true}
`

// TestWaitBranchesOfOneEvent registers a wait whose event appears in
// several branches and resumes it as the tracking endpoint
// (handler.ResumeWaits) does: every (event, send step) and (event, form)
// pair is honoured, and the answer names the branch matched.
func TestWaitBranchesOfOneEvent(t *testing.T) {
	clickOf := func(step, execution string) *channel.MessageRef {
		return &channel.MessageRef{BU: "acme", Contact: "c1", Journey: "branches", Version: 1, Step: step, Exec: channel.ExecTag(execution, step)}
	}
	mine := execution("branches", "c1")
	tests := []struct {
		name  string
		event string
		msg   *channel.MessageRef
		form  string
		want  []string
	}{
		{"click on the first send", "email.clicked", clickOf("send-a", mine), "", []string{`{"event":"email.clicked","send":"send-a"}`}},
		{"click on the second send", "email.clicked", clickOf("send-b", mine), "", []string{`{"event":"email.clicked","send":"send-b"}`}},
		{"click on another execution's send", "email.clicked", clickOf("send-a", "another-execution"), "", nil},
		{"click on a step not awaited", "email.clicked", clickOf("welcome", mine), "", nil},
		{"the narrowed form", "form.submitted", nil, "demo-request", []string{`{"event":"form.submitted","form":"demo-request"}`}},
		{"any other form", "form.submitted", nil, "newsletter", []string{`{"event":"form.submitted"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			j := f.publish(journeyYAML("branches", "", branchSteps))
			f.contact("acme", "c1", nil)
			f.enrol("acme", j, "c1")
			ctx := context.Background()
			r := req("acme", j, "c1", wire.OpWaitEvent, "wait-click")
			r.Token = "token-1"
			if res, err := f.h.WaitRegister(ctx, r); err != nil || res.Status != "waiting" {
				t.Fatalf("WaitRegister = %+v, %v", res, err)
			}
			n, err := handler.ResumeWaits(ctx, f.store, f.tasks, "acme", "c1", tt.event, tt.msg, tt.form)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, f.tasks.outputs("token-1")); diff != "" || n != len(tt.want) {
				t.Errorf("resumed %d; answers (-want +got):\n%s", n, diff)
			}
		})
	}
}

// TestMatchStoredCorrelations reads the Correlation of callbacks stored
// before one event could have several branches (an object keyed by event
// name): such waits, registered by an older wait-register, still resume.
func TestMatchStoredCorrelations(t *testing.T) {
	const exec = "arn:aws:states:us-east-1:123456789012:execution:journeys-acme-all:c1"
	ref := &channel.MessageRef{BU: "acme", Contact: "c1", Journey: "all", Version: 1, Step: "hello", Exec: channel.ExecTag(exec, "hello")}
	tests := []struct {
		name        string
		correlation string
		events      []string
		event       string
		msg         *channel.MessageRef
		form        string
		want        handler.AwaitedEvent
		ok          bool
	}{
		{"empty awaits the named events", "", []string{"webinar.attended"}, "webinar.attended", nil, "", handler.AwaitedEvent{Event: "webinar.attended"}, true},
		{"empty, an event not named", "", []string{"webinar.attended"}, "email.opened", ref, "", handler.AwaitedEvent{}, false},
		{"keyed by name, its send", `{"email.opened":{"send":"hello"},"webinar.attended":{}}`, []string{"email.opened", "webinar.attended"}, "email.opened", ref, "",
			handler.AwaitedEvent{Event: "email.opened", Send: "hello"}, true},
		{"keyed by name, no message", `{"email.opened":{"send":"hello"}}`, []string{"email.opened"}, "email.opened", nil, "", handler.AwaitedEvent{}, false},
		{"keyed by name, another form", `{"form.submitted":{"form":"demo"}}`, []string{"form.submitted"}, "form.submitted", nil, "other", handler.AwaitedEvent{}, false},
		{"a list, the second branch", `[{"event":"email.opened","send":"intro"},{"event":"email.opened","send":"hello"}]`, []string{"email.opened"}, "email.opened", ref, "",
			handler.AwaitedEvent{Event: "email.opened", Send: "hello"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb := store.Callback{Kind: store.CallbackEvent, Execution: exec, Events: tt.events, Correlation: tt.correlation}
			got, ok := handler.Match(cb, tt.event, tt.msg, tt.form)
			if ok != tt.ok || ok && got != tt.want {
				t.Errorf("Match = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
			if handler.Matches(cb, tt.event, tt.msg, tt.form) != tt.ok {
				t.Errorf("Matches disagrees with Match")
			}
		})
	}
}
