package storetest

import (
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

func interactionAt(contact string, kind store.InteractionKind, channel string, at time.Time) store.Interaction {
	return store.Interaction{Contact: contact, Kind: kind, Channel: channel, At: at, Journey: "welcome", Version: 3, Step: "s1", Message: "msg-1", Detail: map[string]string{"link": "l-1"}}
}

func testInteractions(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	_, err := s.AppendInteraction(ctx, bu, store.Interaction{Contact: "c-1", Kind: "teleported", At: start})
	isErr(t, "unknown kind", err, store.ErrInvalid)
	_, err = s.AppendInteraction(ctx, bu, store.Interaction{Contact: "c-1", Kind: store.InteractionSent})
	isErr(t, "no time", err, store.ErrInvalid)

	h := time.Hour
	in := []store.Interaction{
		interactionAt("c-1", store.InteractionSent, "email", start.Add(-3*h)),
		interactionAt("c-1", store.InteractionSent, "sms", start.Add(-2*h)),
		interactionAt("c-1", store.InteractionOpened, "email", start.Add(-90*time.Minute)),
		interactionAt("c-1", store.InteractionSent, "email", start.Add(-1*h)),
		interactionAt("c-1", store.InteractionCustom, "", start),
		interactionAt("c-2", store.InteractionSent, "email", start),
	}
	var stored []store.Interaction
	for _, i := range in {
		got := ok(s.AppendInteraction(ctx, bu, i))(t)
		want := i
		want.BU, want.ID, want.ExpiresAt = bu, got.ID, i.At.Add(InteractionRetention)
		same(t, "appended interaction", got, want)
		if got.ID == "" {
			t.Fatalf("no id")
		}
		stored = append(stored, got)
	}
	list := func(q store.InteractionQuery) []store.Interaction {
		return collect(t, func(cur string) (store.Page[store.Interaction], error) {
			q.Cursor = cur
			return s.ListInteractions(ctx, bu, "c-1", q)
		})
	}
	same(t, "all, oldest first", list(store.InteractionQuery{}), stored[:5])
	same(t, "all, newest first", list(store.InteractionQuery{NewestFirst: true}), reversed(stored[:5]))
	rng := store.InteractionQuery{From: start.Add(-2 * h), To: start}
	same(t, "range, oldest first", list(rng), stored[1:4])
	rng.NewestFirst = true
	same(t, "range, newest first", list(rng), reversed(stored[1:4]))
	same(t, "from only", list(store.InteractionQuery{From: start.Add(-time.Hour)}), stored[3:5])
	same(t, "to only, newest first", list(store.InteractionQuery{To: start.Add(-2 * h), NewestFirst: true}), stored[:1])

	for _, c := range []struct {
		kind    store.InteractionKind
		channel string
		since   time.Time
		want    int
	}{
		{store.InteractionSent, "email", start.Add(-24 * h), 2},
		{store.InteractionSent, "", start.Add(-24 * h), 3},
		{store.InteractionSent, "email", start.Add(-1 * h), 1},
		{store.InteractionSent, "sms", start.Add(-1 * h), 0},
		{store.InteractionOpened, "email", time.Time{}, 1},
		{store.InteractionClicked, "", time.Time{}, 0},
	} {
		got := ok(s.CountInteractions(ctx, bu, "c-1", c.kind, c.channel, c.since))(t)
		if got != c.want {
			t.Fatalf("count %s on %q since %s = %d, want %d", c.kind, c.channel, c.since, got, c.want)
		}
	}
}

func reversed[T any](in []T) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[len(in)-1-i] = v
	}
	return out
}

func testInteractionPaging(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	var stored []store.Interaction
	for i := range 25 {
		stored = append(stored, ok(s.AppendInteraction(ctx, bu, interactionAt("c-1", store.InteractionSent, "email", start.Add(time.Duration(i)*time.Second))))(t))
	}
	for _, newest := range []bool{false, true} {
		for _, limit := range []int{1, 4, 25, 100} {
			pages := 0
			got := collect(t, func(cur string) (store.Page[store.Interaction], error) {
				pages++
				p, err := s.ListInteractions(ctx, bu, "c-1", store.InteractionQuery{NewestFirst: newest, Cursor: cur, Limit: limit})
				if err == nil && len(p.Items) > limit {
					t.Fatalf("page of %d over limit %d", len(p.Items), limit)
				}
				return p, err
			})
			want := stored
			if newest {
				want = reversed(stored)
			}
			same(t, fmt.Sprintf("pages of %d, newest first %v", limit, newest), got, want)
			if minPages := (25 + limit - 1) / limit; pages < minPages {
				t.Fatalf("%d pages for limit %d", pages, limit)
			}
		}
	}
	p := ok(s.ListInteractions(ctx, bu, "c-1", store.InteractionQuery{Limit: 2}))(t)
	_, err := s.ListInteractions(ctx, bu, "c-2", store.InteractionQuery{Cursor: p.Next})
	isErr(t, "cursor of another contact", err, store.ErrInvalid)
}

func testInteractionRetention(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	old := ok(s.AppendInteraction(ctx, bu, interactionAt("c-1", store.InteractionSent, "email", start.Add(-29*24*time.Hour))))(t)
	recent := ok(s.AppendInteraction(ctx, bu, interactionAt("c-1", store.InteractionSent, "email", start)))(t)
	list := func() []store.Interaction {
		return ok(s.ListInteractions(ctx, bu, "c-1", store.InteractionQuery{}))(t).Items
	}
	same(t, "before expiry", list(), []store.Interaction{old, recent})
	e.clock.Advance(24 * time.Hour) // old is now 30 days old: expired
	same(t, "after expiry", list(), []store.Interaction{recent})
	if n := ok(s.CountInteractions(ctx, bu, "c-1", store.InteractionSent, "email", time.Time{}))(t); n != 1 {
		t.Fatalf("count after expiry = %d", n)
	}
	if sw, isSweeper := e.s.(Sweeper); isSweeper {
		n := ok(sw.Sweep(ctx))(t)
		if n != 1 {
			t.Fatalf("sweep removed %d records, want 1", n)
		}
		same(t, "after sweep", list(), []store.Interaction{recent})
		if n := ok(sw.Sweep(ctx))(t); n != 0 {
			t.Fatalf("second sweep removed %d", n)
		}
	}
}

func testStepLogs(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	_, err := s.AppendStepLog(ctx, bu, store.StepLog{Contact: "c-1", Journey: "j", Step: "s", At: start})
	isErr(t, "no outcome", err, store.ErrInvalid)
	mk := func(exec, step string, at time.Time, outcome store.StepOutcome, reason string) store.StepLog {
		return ok(s.AppendStepLog(ctx, bu, store.StepLog{Contact: "c-1", Journey: "welcome", Version: 2, Execution: exec, Step: step, At: at, Outcome: outcome, Reason: reason, Detail: map[string]string{"channel": "email"}}))(t)
	}
	// Appended out of order on purpose: listings are in time order.
	b := mk("exec-1", "send-2", start.Add(2*time.Minute), store.StepSkipped, "no consent for email")
	a := mk("exec-1", "send-1", start, store.StepSent, "")
	c := mk("exec-2", "send-1", start.Add(time.Minute), store.StepDeferred, "quiet hours")
	old := mk("exec-0", "send-1", start.Add(-89*24*time.Hour), store.StepSent, "")
	if a.ID == "" || a.BU != bu || !a.ExpiresAt.Equal(start.Add(StepLogRetention)) {
		t.Fatalf("appended step log %+v", a)
	}
	same(t, "contact's log", ok(s.ListStepLogs(ctx, bu, "c-1", ""))(t), []store.StepLog{old, a, c, b})
	same(t, "one execution", ok(s.ListStepLogs(ctx, bu, "c-1", "exec-1"))(t), []store.StepLog{a, b})
	same(t, "other contact", ok(s.ListStepLogs(ctx, bu, "c-2", ""))(t), []store.StepLog(nil))
	e.clock.Advance(24 * time.Hour)
	same(t, "after retention", ok(s.ListStepLogs(ctx, bu, "c-1", ""))(t), []store.StepLog{a, c, b})
}
