package storetest

import (
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// testEnrolmentEvent: the attributes of the event that enrolled a contact
// come back from every read, as JSON values (numbers as float64), through
// every update, and are bounded in size.
func testEnrolmentEvent(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	event := map[string]any{
		"webinarTitle":    "Forecasting with confidence",
		"webinarStartsAt": "2026-12-10T15:00:00Z",
		"seats":           3, // an int in, a float64 out
		"ratio":           0.25,
		"vip":             true,
		"empty":           "",
		"none":            nil,
		"tags":            []any{"a", 2.0, false},
		"host":            map[string]any{"name": "Nadia", "slots": []any{1.0}},
	}
	stored := map[string]any{}
	for k, v := range event {
		stored[k] = v
	}
	stored["seats"] = 3.0
	created := ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "webinar", Contact: "c-1", Entry: "ev-1", Version: 1, Event: event}))(t)
	event["webinarTitle"] = "changed by the caller afterwards"
	want := store.Enrolment{BU: bu, Journey: "webinar", Contact: "c-1", Entry: "ev-1", Version: 1, Status: store.EnrolmentActive, EnteredAt: start, Event: stored}
	same(t, "created", created, want)
	same(t, "read", ok(s.GetEnrolment(ctx, bu, "webinar", "c-1", "ev-1"))(t), want)

	e.clock.Advance(time.Minute)
	want.Execution = "arn:aws:states:us-east-1:123456789012:execution:webinar:abc"
	same(t, "execution set", ok(s.UpdateEnrolment(ctx, bu, "webinar", "c-1", "ev-1", store.EnrolmentUpdate{Execution: &want.Execution}))(t), want)
	want.Step, want.StepSince = "confirm", start.Add(time.Minute)
	same(t, "moved", ok(s.UpdateEnrolment(ctx, bu, "webinar", "c-1", "ev-1", store.EnrolmentUpdate{Step: store.String("confirm")}))(t), want)
	same(t, "latest", ok(s.LatestEnrolment(ctx, bu, "webinar", "c-1"))(t), want)
	same(t, "contact's enrolments", ok(s.ContactEnrolments(ctx, bu, "c-1"))(t), []store.Enrolment{want})
	same(t, "of contacts", ok(s.EnrolmentsOf(ctx, bu, "webinar", []string{"c-1"}))(t), map[string][]store.Enrolment{"c-1": {want}})
	same(t, "listed", ok(s.ListEnrolments(ctx, bu, "webinar", store.EnrolmentActive, "", 10))(t).Items, []store.Enrolment{want})

	none := ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "webinar", Contact: "c-2", Entry: "launch-1", Version: 1, Event: map[string]any{}}))(t)
	if none.Event != nil {
		t.Fatalf("an empty event is kept as %#v, want nil", none.Event)
	}
	if got := ok(s.GetEnrolment(ctx, bu, "webinar", "c-2", "launch-1"))(t); got.Event != nil {
		t.Fatalf("an enrolment without an event reads back with %#v", got.Event)
	}

	// The bound counts encoded bytes: {"a":"..."} is 8 bytes around the value.
	at := map[string]any{"a": strings.Repeat("x", store.MaxEnrolmentEvent-8)}
	ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "webinar", Contact: "c-3", Entry: "ev-3", Version: 1, Event: at}))(t)
	over := map[string]any{"a": strings.Repeat("x", store.MaxEnrolmentEvent-7)}
	_, err := s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "webinar", Contact: "c-4", Entry: "ev-4", Version: 1, Event: over})
	isErr(t, "an event over the bound", err, store.ErrInvalid)
	_, err = s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "webinar", Contact: "c-4", Entry: "ev-5", Version: 1, Event: map[string]any{"f": func() {}}})
	isErr(t, "an event that is not JSON", err, store.ErrInvalid)
	_, err = s.GetEnrolment(ctx, bu, "webinar", "c-4", "ev-4")
	isErr(t, "nothing stored for a refused event", err, store.ErrNotFound)
}
