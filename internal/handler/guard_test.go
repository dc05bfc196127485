package handler_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

func TestJourneyWideChecks(t *testing.T) {
	extras := `goal: {name: converted, condition: 'contact.plan == "team"', within: 30d}
exit:
  - {name: unsubscribed, condition: contact.unsubscribed}
  - {name: became-customer, segment: customers}
policies:
  end: 2027-01-31
`
	tests := []struct {
		name    string
		edit    func(p *store.ContactPatch)
		before  func(f *fixture, j string)
		now     time.Time
		wantErr string
		detail  string
	}{
		{"all clear", nil, nil, start, "", ""},
		{"stopped journey", nil, func(f *fixture, j string) { setStatus(f, j, store.JourneyStopped) }, start, wire.ErrExited, "journey stopped"},
		{"paused journey holds the contact", nil, func(f *fixture, j string) { setStatus(f, j, store.JourneyPaused) }, start, wire.ErrDeferred, "2026-11-30T11:00:00Z"},
		{"erased contact", nil, func(f *fixture, j string) { f.store.Erase(context.Background(), "acme", "c1") }, start, wire.ErrExited, "contact erased"},
		{"exit condition", func(p *store.ContactPatch) { p.Attributes["unsubscribed"] = store.BoolValue(true) }, nil, start, wire.ErrExited, "exit criterion unsubscribed"},
		{"exit segment", func(p *store.ContactPatch) { p.LifecycleStage = store.String("customer") }, nil, start, wire.ErrExited, "exit criterion became-customer"},
		{"end date", nil, nil, time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC), wire.ErrExited, "journey ended on 2027-01-31"},
		{"goal within its period", func(p *store.ContactPatch) { p.Attributes["plan"] = store.StringValue("team") }, nil, start, wire.ErrGoalReached, "goal converted"},
		{"exit comes before the goal", func(p *store.ContactPatch) {
			p.Attributes["plan"] = store.StringValue("team")
			p.LifecycleStage = store.String("customer")
		}, nil, start, wire.ErrExited, "exit criterion became-customer"},
		{"enrolment ended elsewhere", nil, func(f *fixture, j string) {
			st := store.EnrolmentStopped
			f.store.UpdateEnrolment(context.Background(), "acme", j, "c1", "e1", store.EnrolmentUpdate{Status: &st})
		}, start, wire.ErrExited, "enrolment already stopped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			j := f.publish(journeyYAML("guarded", extras, "  - {id: check, if: {condition: contact.leadScore > 50, then: text}}\n"+sendSteps))
			f.contact("acme", "c1", tt.edit)
			f.enrol("acme", j, "c1")
			if tt.before != nil {
				tt.before(f, j)
			}
			f.clock.Set(tt.now)
			_, err := f.h.Evaluate(context.Background(), req("acme", j, "c1", wire.OpCondition, "check"))
			if errName(err) != tt.wantErr {
				t.Fatalf("Evaluate: %v, want %q", err, tt.wantErr)
			}
			if err != nil && err.(*wire.Error).Message != tt.detail {
				t.Errorf("message %q, want %q", err.(*wire.Error).Message, tt.detail)
			}
		})
	}
}

func setStatus(f *fixture, id string, s store.JourneyStatus) {
	f.t.Helper()
	ctx := context.Background()
	j, _ := f.store.GetJourney(ctx, "acme", id)
	j.Status = s
	if _, err := f.store.PutJourney(ctx, "acme", j); err != nil {
		f.t.Fatal(err)
	}
}

func TestGoalReached(t *testing.T) {
	extras := "goal: {name: converted, condition: 'contact.plan == \"team\"', within: 30d}\n"
	f := newFixture(t, fixtureOptions{})
	j := f.publish(journeyYAML("goal", extras, sendSteps))
	f.contact("acme", "c1", func(p *store.ContactPatch) { p.Attributes["plan"] = store.StringValue("team") })
	f.enrol("acme", j, "c1")
	ctx := context.Background()
	for i := 0; i < 2; i++ { // twice: the goal interaction is recorded once
		if _, err := f.h.Send(ctx, req("acme", j, "c1", wire.OpSend, "hello")); errName(err) != wire.ErrGoalReached {
			t.Fatalf("Send: %v, want Journey.GoalReached", err)
		}
	}
	fin := req("acme", j, "c1", wire.OpFinish, "")
	fin.Outcome, fin.Error, fin.Cause = wire.OutcomeGoal, wire.ErrGoalReached, `{"errorMessage":"goal converted","errorType":"Journey.GoalReached"}`
	if res, err := f.h.Finish(ctx, fin); err != nil || res.Status != "goal" {
		t.Fatalf("Finish = %+v, %v", res, err)
	}
	if diff := cmp.Diff([]string{".goalReached"}, f.interactions("acme", "c1")); diff != "" {
		t.Errorf("interactions (-want +got):\n%s", diff)
	}
	en, _ := f.store.GetEnrolment(ctx, "acme", j, "c1", "e1")
	if en.Status != store.EnrolmentGoal || en.Reason != "goal converted" {
		t.Errorf("enrolment %+v", en)
	}
	// Past the goal's period the goal no longer ends the journey.
	f.clock.Set(start.Add(31 * 24 * time.Hour))
	f.contact("acme", "c2", func(p *store.ContactPatch) { p.Attributes["plan"] = store.StringValue("team") })
	f.store.CreateEnrolment(ctx, "acme", store.Enrolment{Journey: j, Contact: "c2", Entry: "e1", Version: 1, EnteredAt: start})
	if res, err := f.h.Send(ctx, req("acme", j, "c2", wire.OpSend, "notice")); err != nil || res.Status != "sent" {
		t.Errorf("after the goal period: %+v, %v", res, err)
	}
}
