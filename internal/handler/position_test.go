package handler_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

// positionSteps check a condition, send, wait for a click, then end.
const positionSteps = `  - {id: check, if: {condition: contact.leadScore > 50, then: hello, else: done}}
  - {id: hello, send: {channel: email, template: hello}}
  - id: wait-click
    waitFor:
      events:
        - {event: email.clicked, send: hello, next: done}
      timeout: 7d
  - {id: done, end: true}
`

// TestPositionRecorded runs a contact's tasks in order and checks after
// each where the enrolment says the contact is and since when: the step
// changes (and StepSince with it) only when the step does, never on a
// deferral or a retry of the same step.
func TestPositionRecorded(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	j := f.publish(journeyYAML("position", "", positionSteps))
	f.contact("acme", "c1", nil)
	f.enrol("acme", j, "c1")
	ctx := context.Background()
	type pos struct {
		Step  string
		Since time.Time
	}
	waitReq := req("acme", j, "c1", wire.OpWaitEvent, "wait-click")
	waitReq.Token = "token-1"
	steps := []struct {
		name string
		at   time.Duration
		run  func() error
		want pos
	}{
		{"condition", time.Minute, func() error {
			_, err := f.h.Evaluate(ctx, req("acme", j, "c1", wire.OpCondition, "check"))
			return err
		}, pos{"check", start.Add(time.Minute)}},
		{"condition retried", 2 * time.Minute, func() error {
			_, err := f.h.Evaluate(ctx, req("acme", j, "c1", wire.OpCondition, "check"))
			return err
		}, pos{"check", start.Add(time.Minute)}},
		{"send", 3 * time.Minute, func() error {
			_, err := f.h.Send(ctx, req("acme", j, "c1", wire.OpSend, "hello"))
			return err
		}, pos{"hello", start.Add(3 * time.Minute)}},
		{"paused journey defers the wait", 4 * time.Minute, func() error {
			setStatus(f, j, store.JourneyPaused)
			_, err := f.h.WaitRegister(ctx, waitReq)
			if errName(err) != wire.ErrDeferred {
				t.Errorf("paused wait-register: %v, want %s", err, wire.ErrDeferred)
			}
			return nil
		}, pos{"wait-click", start.Add(4 * time.Minute)}},
		{"wait registered after the pause", 90 * time.Minute, func() error {
			setStatus(f, j, store.JourneyActive)
			_, err := f.h.WaitRegister(ctx, waitReq)
			return err
		}, pos{"wait-click", start.Add(4 * time.Minute)}},
	}
	for _, s := range steps {
		f.clock.Set(start.Add(s.at))
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		en, err := f.store.GetEnrolment(ctx, "acme", j, "c1", "e1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(s.want, pos{en.Step, en.StepSince}); diff != "" {
			t.Errorf("%s: position (-want +got):\n%s", s.name, diff)
		}
	}
}
