package storetest

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

func testJourneys(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	_, err := s.GetJourney(ctx, bu, "welcome")
	isErr(t, "missing journey", err, store.ErrNotFound)
	j := ok(s.PutJourney(ctx, bu, store.Journey{ID: "welcome", Name: "Welcome", Status: store.JourneyActive}))(t)
	want := store.Journey{BU: bu, ID: "welcome", Name: "Welcome", Status: store.JourneyActive, Revision: 1, CreatedAt: start, UpdatedAt: start}
	same(t, "created journey", j, want)
	_, err = s.PutJourney(ctx, bu, store.Journey{ID: "welcome", Name: "Again"})
	isErr(t, "create twice", err, store.ErrExists)

	e.clock.Advance(time.Minute)
	j.Status, j.Reason, j.Current = store.JourneyPaused, "legal review", 2
	j2 := ok(s.PutJourney(ctx, bu, j))(t)
	want.Status, want.Reason, want.Current, want.Revision, want.UpdatedAt = store.JourneyPaused, "legal review", 2, 2, start.Add(time.Minute)
	want.Pauses = []store.Pause{{From: start.Add(time.Minute)}}
	same(t, "updated journey", j2, want)
	_, err = s.PutJourney(ctx, bu, j) // j still has revision 1
	isErr(t, "stale revision", err, store.ErrConflict)
	_, err = s.PutJourney(ctx, bu, store.Journey{ID: "ghost", Revision: 4})
	isErr(t, "update of a missing journey", err, store.ErrNotFound)
	same(t, "stored journey", ok(s.GetJourney(ctx, bu, "welcome"))(t), want)

	ok(s.PutJourney(ctx, bu, store.Journey{ID: "abandoned-cart", Name: "Cart", Status: store.JourneyActive}))(t)
	var ids []string
	for _, j := range ok(s.ListJourneys(ctx, bu))(t) {
		ids = append(ids, j.ID)
	}
	same(t, "journey ids", ids, []string{"abandoned-cart", "welcome"})
}

// testJourneyPauses: the store keeps a journey's pause intervals itself,
// at its clock, whatever the caller sends, and only the last
// store.MaxPauses of them.
func testJourneyPauses(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	put := func(j store.Journey, status store.JourneyStatus) store.Journey {
		t.Helper()
		j.Status = status
		return ok(s.PutJourney(ctx, bu, j))(t)
	}
	t0 := e.clock.Now()
	j := put(store.Journey{ID: "paused-twice", Name: "Paused"}, store.JourneyActive)
	same(t, "never paused", j.Pauses, []store.Pause(nil))
	e.clock.Advance(time.Hour)
	j = put(j, store.JourneyPaused)
	e.clock.Advance(time.Hour)
	j.Pauses = nil // a caller cannot drop them
	j = put(j, store.JourneyPaused)
	e.clock.Advance(time.Hour)
	j = put(j, store.JourneyActive)
	e.clock.Advance(time.Hour)
	j.Pauses = []store.Pause{{From: t0}} // nor write its own
	j = put(j, store.JourneyPaused)
	e.clock.Advance(time.Hour)
	j = put(j, store.JourneyStopped)
	want := []store.Pause{{From: t0.Add(time.Hour), To: t0.Add(3 * time.Hour)}, {From: t0.Add(4 * time.Hour), To: t0.Add(5 * time.Hour)}}
	same(t, "pauses", j.Pauses, want)
	same(t, "stored pauses", ok(s.GetJourney(ctx, bu, "paused-twice"))(t).Pauses, want)
	if got := j.PausedWithin(t0.Add(2*time.Hour), t0.Add(90*time.Hour)); got != 2*time.Hour {
		t.Errorf("paused within: %v, want 2h", got)
	}

	for range store.MaxPauses + 3 {
		e.clock.Advance(time.Minute)
		j = put(j, store.JourneyPaused)
		e.clock.Advance(time.Minute)
		j = put(j, store.JourneyActive)
	}
	got := ok(s.GetJourney(ctx, bu, "paused-twice"))(t).Pauses
	if len(got) != store.MaxPauses || !got[len(got)-1].To.Equal(e.clock.Now()) {
		t.Errorf("after many pauses: %d kept, last %+v; want %d, the last closed now", len(got), got[len(got)-1], store.MaxPauses)
	}
}

func testVersions(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	// A large compiled definition, as a big journey produces.
	asl := []byte(`{"Comment":"welcome","StartAt":"A","States":{` + strings.Repeat(`"S":{"Type":"Pass","Next":"T"},`, 6000) + `"Z":{"Type":"Succeed"}}}`)
	v1 := store.JourneyVersion{Journey: "welcome", Version: 1, Source: []byte("name: welcome\n"), ASL: asl, Content: map[string]int{"template/welcome/en": 3},
		StateMachineVersion: "arn:aws:states:us-east-1:123456789012:stateMachine:welcome:1", PublishedBy: "user-1", PublishedAt: start}
	noErr(t, s.CreateVersion(ctx, bu, v1))
	isErr(t, "version number taken", s.CreateVersion(ctx, bu, store.JourneyVersion{Journey: "welcome", Version: 1, PublishedAt: start}), store.ErrExists)
	isErr(t, "version 0", s.CreateVersion(ctx, bu, store.JourneyVersion{Journey: "welcome", Version: 0}), store.ErrInvalid)
	v2 := store.JourneyVersion{Journey: "welcome", Version: 2, Source: []byte("name: welcome\n# v2\n"), ASL: []byte(`{}`), PublishedBy: "user-2", PublishedAt: start.Add(time.Hour)}
	noErr(t, s.CreateVersion(ctx, bu, v2))
	noErr(t, s.CreateVersion(ctx, bu, store.JourneyVersion{Journey: "welcome-2", Version: 1, PublishedAt: start}))
	v1.BU, v2.BU = bu, bu
	got := ok(s.GetVersion(ctx, bu, "welcome", 1))(t)
	if !bytes.Equal(got.ASL, asl) {
		t.Fatalf("large ASL did not survive: %d bytes back of %d", len(got.ASL), len(asl))
	}
	got.ASL, v1.ASL = nil, nil // compared above; cmp is slow on 200 KB
	same(t, "version 1", got, v1)
	v1.ASL = asl
	vs := ok(s.ListVersions(ctx, bu, "welcome"))(t)
	if len(vs) != 2 || !bytes.Equal(vs[0].ASL, asl) {
		t.Fatalf("listed %d versions", len(vs))
	}
	vs[0].ASL, v1.ASL = nil, nil
	same(t, "versions", vs, []store.JourneyVersion{v1, v2})
	_, err := s.GetVersion(ctx, bu, "welcome", 3)
	isErr(t, "missing version", err, store.ErrNotFound)
}

func testFunnel(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	same(t, "empty funnel", ok(s.Funnel(ctx, bu, "welcome"))(t), []store.FunnelCount(nil))
	for range 3 {
		noErr(t, s.IncrementFunnel(ctx, bu, "welcome", 1, "send-1", "sent", 1))
	}
	noErr(t, s.IncrementFunnel(ctx, bu, "welcome", 1, "send-1", "skipped", 2))
	noErr(t, s.IncrementFunnel(ctx, bu, "welcome", 2, "send-1", "sent", 5))
	noErr(t, s.IncrementFunnel(ctx, bu, "welcome", 10, "a-step", "sent", 1))
	noErr(t, s.IncrementFunnel(ctx, bu, "welcome", 1, "branch", "branched", 1))
	noErr(t, s.IncrementFunnel(ctx, bu, "other", 1, "send-1", "sent", 7))
	same(t, "funnel", ok(s.Funnel(ctx, bu, "welcome"))(t), []store.FunnelCount{
		{Version: 1, Step: "branch", Outcome: "branched", Count: 1},
		{Version: 1, Step: "send-1", Outcome: "sent", Count: 3},
		{Version: 1, Step: "send-1", Outcome: "skipped", Count: 2},
		{Version: 2, Step: "send-1", Outcome: "sent", Count: 5},
		{Version: 10, Step: "a-step", Outcome: "sent", Count: 1},
	})
}

func testEnrolments(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	_, err := s.GetEnrolment(ctx, bu, "welcome", "c-1", "e-1")
	isErr(t, "missing enrolment", err, store.ErrNotFound)
	_, err = s.LatestEnrolment(ctx, bu, "welcome", "c-1")
	isErr(t, "no latest", err, store.ErrNotFound)
	_, err = s.UpdateEnrolment(ctx, bu, "welcome", "c-1", "e-1", store.EnrolmentUpdate{Step: store.String("x")})
	isErr(t, "update missing", err, store.ErrNotFound)
	_, err = s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "welcome", Contact: "c-1", Entry: "e-1", Status: "dancing"})
	isErr(t, "unknown status", err, store.ErrInvalid)

	e1 := ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "welcome", Contact: "c-1", Entry: "e-1", Version: 3, Step: "start"}))(t)
	want := store.Enrolment{BU: bu, Journey: "welcome", Contact: "c-1", Entry: "e-1", Version: 3, Status: store.EnrolmentActive, Step: "start", StepSince: start, EnteredAt: start}
	same(t, "created enrolment", e1, want)
	_, err = s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "welcome", Contact: "c-1", Entry: "e-1", Version: 4})
	isErr(t, "enrol twice", err, store.ErrExists)
	same(t, "first enrolment kept", ok(s.GetEnrolment(ctx, bu, "welcome", "c-1", "e-1"))(t), want)

	e.clock.Advance(time.Minute)
	exec := "arn:aws:states:us-east-1:123456789012:execution:welcome:abc"
	want.Execution, want.Step, want.StepSince = exec, "send-1", start.Add(time.Minute)
	same(t, "moved", ok(s.UpdateEnrolment(ctx, bu, "welcome", "c-1", "e-1", store.EnrolmentUpdate{Execution: &exec, Step: store.String("send-1")}))(t), want)
	e.clock.Advance(time.Minute)
	same(t, "same step keeps its time", ok(s.UpdateEnrolment(ctx, bu, "welcome", "c-1", "e-1", store.EnrolmentUpdate{Step: store.String("send-1")}))(t), want)
	goal := store.EnrolmentGoal
	want.Status, want.EndedAt, want.Reason = goal, start.Add(2*time.Minute), "purchased"
	same(t, "ended", ok(s.UpdateEnrolment(ctx, bu, "welcome", "c-1", "e-1", store.EnrolmentUpdate{Status: &goal, Reason: store.String("purchased")}))(t), want)
	same(t, "same end again", ok(s.UpdateEnrolment(ctx, bu, "welcome", "c-1", "e-1", store.EnrolmentUpdate{Status: &goal}))(t), want)
	failed := store.EnrolmentFailed
	_, err = s.UpdateEnrolment(ctx, bu, "welcome", "c-1", "e-1", store.EnrolmentUpdate{Status: &failed})
	isErr(t, "ended differently", err, store.ErrConflict)

	e.clock.Advance(time.Hour)
	e2 := ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "welcome", Contact: "c-1", Entry: "e-0-later", Version: 4}))(t)
	other := ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "nurture", Contact: "c-1", Entry: "e-9", Version: 1, EnteredAt: start.Add(30 * time.Minute)}))(t)
	ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "welcome", Contact: "c-2", Entry: "e-1", Version: 4}))(t)
	same(t, "latest (by time, not by entry id)", ok(s.LatestEnrolment(ctx, bu, "welcome", "c-1"))(t), e2)
	same(t, "contact's enrolments", ok(s.ContactEnrolments(ctx, bu, "c-1"))(t), []store.Enrolment{want, other, e2})
}

func testEnrolmentPaging(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	var active, done []string
	for i := range 40 {
		c := fmt.Sprintf("c-%02d", i)
		ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "welcome", Contact: c, Entry: "e-1", Version: 1}))(t)
		if i%4 == 0 {
			completed := store.EnrolmentCompleted
			ok(s.UpdateEnrolment(ctx, bu, "welcome", c, "e-1", store.EnrolmentUpdate{Status: &completed}))(t)
			done = append(done, c)
		} else {
			active = append(active, c)
		}
	}
	ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "other", Contact: "c-00", Entry: "e-1", Version: 1}))(t)
	list := func(status store.EnrolmentStatus, limit int) []string {
		var ids []string
		for _, en := range collect(t, func(cur string) (store.Page[store.Enrolment], error) {
			p, err := s.ListEnrolments(ctx, bu, "welcome", status, cur, limit)
			if err == nil && len(p.Items) > limit {
				t.Fatalf("page of %d over limit %d", len(p.Items), limit)
			}
			return p, err
		}) {
			if en.Status != status || en.Journey != "welcome" {
				t.Fatalf("listed %+v under %s", en, status)
			}
			ids = append(ids, en.Contact)
		}
		sort.Strings(ids)
		return ids
	}
	for _, limit := range []int{3, 7, 100} {
		same(t, fmt.Sprintf("active, pages of %d", limit), list(store.EnrolmentActive, limit), active)
		same(t, fmt.Sprintf("completed, pages of %d", limit), list(store.EnrolmentCompleted, limit), done)
	}
	same(t, "none failed", list(store.EnrolmentFailed, 10), []string(nil))
	_, err := s.ListEnrolments(ctx, bu, "welcome", "unknown", "", 0)
	isErr(t, "unknown status", err, store.ErrInvalid)
	p := ok(s.ListEnrolments(ctx, bu, "welcome", store.EnrolmentActive, "", 2))(t)
	_, err = s.ListEnrolments(ctx, bu, "other", store.EnrolmentActive, p.Next, 2)
	isErr(t, "cursor of another journey", err, store.ErrInvalid)
}

func testEnrolmentsOf(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	enrol := func(journey, contact, entry string) store.Enrolment {
		return ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: journey, Contact: contact, Entry: entry, Version: 1}))(t)
	}
	enrol("welcome", "c-1", "e-2")
	completed := store.EnrolmentCompleted
	first := ok(s.UpdateEnrolment(ctx, bu, "welcome", "c-1", "e-2", store.EnrolmentUpdate{Status: &completed}))(t)
	e.clock.Advance(time.Minute)
	second := enrol("welcome", "c-1", "e-1")
	c2 := enrol("welcome", "c-2", "e-1")
	enrol("welcome", "c-10", "e-1") // between the contacts asked for, not asked for
	enrol("welcome2", "c-1", "e-1") // a journey whose id starts like it
	enrol("other", "c-3", "e-1")
	got := ok(s.EnrolmentsOf(ctx, bu, "welcome", []string{"c-1", "c-3", "c-4", "c-2", "c-1"}))(t)
	same(t, "enrolments of the contacts, oldest first", got, map[string][]store.Enrolment{"c-1": {first, second}, "c-2": {c2}})
	same(t, "no contacts", ok(s.EnrolmentsOf(ctx, bu, "welcome", nil))(t), map[string][]store.Enrolment{})
	_, err := s.EnrolmentsOf(ctx, bu, "welcome", []string{"c-1", "bad#id"})
	isErr(t, "an invalid id", err, store.ErrInvalid)
	_, err = s.EnrolmentsOf(ctx, bu, "welcome", make([]string, store.MaxLimit+1))
	isErr(t, "too many contacts", err, store.ErrInvalid)
}

// testEnrolmentFieldUpdates: updates of the execution or the reason alone
// (what the enroller writes after every start) keep everything else, and
// the enrolment stays listed and updatable.
func testEnrolmentFieldUpdates(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	update := func(u store.EnrolmentUpdate) (store.Enrolment, error) {
		return s.UpdateEnrolment(ctx, bu, "welcome", "c-1", "e-1", u)
	}
	_, err := update(store.EnrolmentUpdate{Execution: store.String("arn:x")})
	isErr(t, "update missing", err, store.ErrNotFound)
	want := ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "welcome", Contact: "c-1", Entry: "e-1", Version: 2, Step: "start"}))(t)
	e.clock.Advance(time.Minute)
	want.Execution = "arn:aws:states:us-east-1:123456789012:execution:welcome:abc"
	same(t, "execution set", ok(update(store.EnrolmentUpdate{Execution: &want.Execution}))(t), want)
	want.Reason = "why"
	same(t, "reason set", ok(update(store.EnrolmentUpdate{Reason: &want.Reason}))(t), want)
	want.Reason = ""
	same(t, "reason cleared", ok(update(store.EnrolmentUpdate{Reason: store.String("")}))(t), want)
	same(t, "read back", ok(s.GetEnrolment(ctx, bu, "welcome", "c-1", "e-1"))(t), want)
	listed := ok(s.ListEnrolments(ctx, bu, "welcome", store.EnrolmentActive, "", 10))(t)
	same(t, "still listed", listed.Items, []store.Enrolment{want})
	exited := store.EnrolmentExited
	want.Status, want.EndedAt = exited, start.Add(time.Minute)
	same(t, "then ended", ok(update(store.EnrolmentUpdate{Status: &exited}))(t), want)
}
