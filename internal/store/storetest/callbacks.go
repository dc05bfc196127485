package storetest

import (
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

func testApprovals(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	_, err := s.CreateApproval(ctx, bu, store.Approval{Kind: "vote", ExpiresAt: start.Add(time.Hour)})
	isErr(t, "unknown kind", err, store.ErrInvalid)
	_, err = s.CreateApproval(ctx, bu, store.Approval{Kind: store.ApprovalStep})
	isErr(t, "no expiry", err, store.ErrInvalid)
	_, err = s.GetApproval(ctx, bu, "ap-none")
	isErr(t, "missing approval", err, store.ErrNotFound)
	_, err = s.DecideApproval(ctx, bu, "ap-none", store.Decision{Approved: true})
	isErr(t, "decide missing", err, store.ErrNotFound)

	a := ok(s.CreateApproval(ctx, bu, store.Approval{Kind: store.ApprovalStep, Journey: "welcome", Version: 2, Execution: "exec-1", Step: "approve-offer", Contact: "c-1", ExpiresAt: start.Add(time.Hour)}))(t)
	want := store.Approval{BU: bu, ID: a.ID, Kind: store.ApprovalStep, Journey: "welcome", Version: 2, Execution: "exec-1", Step: "approve-offer", Contact: "c-1",
		Status: store.ApprovalPending, RequestedAt: start, ExpiresAt: start.Add(time.Hour)}
	if a.ID == "" {
		t.Fatal("no approval id")
	}
	same(t, "created", a, want)
	_, err = s.CreateApproval(ctx, bu, store.Approval{ID: a.ID, Kind: store.ApprovalPublish, ExpiresAt: start.Add(time.Hour)})
	isErr(t, "same id twice", err, store.ErrExists)
	same(t, "stored", ok(s.GetApproval(ctx, bu, a.ID))(t), want)

	e.clock.Advance(10 * time.Minute)
	got := ok(s.DecideApproval(ctx, bu, a.ID, store.Decision{Approved: true, Decision: "Approve", Responder: "Pat Manager", Comments: "fine"}))(t)
	want.Status, want.DecidedAt, want.Decision, want.Responder, want.Comments = store.ApprovalApproved, start.Add(10*time.Minute), "Approve", "Pat Manager", "fine"
	same(t, "decided", got, want)
	_, err = s.DecideApproval(ctx, bu, a.ID, store.Decision{Approved: false, Responder: "Late Larry"})
	isErr(t, "second decision", err, store.ErrConflict)
	same(t, "first decision kept", ok(s.GetApproval(ctx, bu, a.ID))(t), want)

	r := ok(s.CreateApproval(ctx, bu, store.Approval{ID: "ap-reject", Kind: store.ApprovalContent, ExpiresAt: start.Add(time.Hour)}))(t)
	if got := ok(s.DecideApproval(ctx, bu, r.ID, store.Decision{Approved: false, Decision: "Reject"}))(t); got.Status != store.ApprovalRejected {
		t.Fatalf("rejected status %q", got.Status)
	}

	x := ok(s.CreateApproval(ctx, bu, store.Approval{ID: "ap-expiring", Kind: store.ApprovalPublish, Journey: "welcome", Version: 3, ExpiresAt: start.Add(20 * time.Minute)}))(t)
	e.clock.Advance(10 * time.Minute) // now exactly at the expiry
	if got := ok(s.GetApproval(ctx, bu, x.ID))(t); got.Status != store.ApprovalExpired {
		t.Fatalf("status past expiry %q", got.Status)
	}
	_, err = s.DecideApproval(ctx, bu, x.ID, store.Decision{Approved: true})
	isErr(t, "decide expired", err, store.ErrExpired)
}

func testCallbacks(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	_, err := s.CreateCallback(ctx, bu, store.Callback{Kind: store.CallbackEvent, Contact: "c-1", Journey: "j", Step: "s", ExpiresAt: start.Add(time.Hour)})
	isErr(t, "no token", err, store.ErrInvalid)
	_, err = s.ClaimCallback(ctx, bu, "cb-none")
	isErr(t, "claim missing", err, store.ErrNotFound)
	isErr(t, "delete missing", s.DeleteCallback(ctx, bu, "cb-none"), store.ErrNotFound)

	mk := func(id string, events []string, expires time.Duration) store.Callback {
		return ok(s.CreateCallback(ctx, bu, store.Callback{ID: id, Kind: store.CallbackEvent, Token: "TOKEN-" + id, Execution: "exec-1", Contact: "c-1", Journey: "welcome", Step: "wait-" + id, Events: events, Correlation: "m-1", ExpiresAt: start.Add(expires)}))(t)
	}
	opened := mk("cb-open", []string{"email.opened", "email.clicked"}, time.Hour)
	want := store.Callback{BU: bu, ID: "cb-open", Kind: store.CallbackEvent, Execution: "exec-1", Contact: "c-1", Journey: "welcome", Step: "wait-cb-open",
		Events: []string{"email.opened", "email.clicked"}, Correlation: "m-1", CreatedAt: start, ExpiresAt: start.Add(time.Hour)}
	same(t, "created (no token)", opened, want)
	e.clock.Advance(time.Second)
	clicked := mk("cb-click", []string{"email.clicked"}, 2*time.Hour)
	short := mk("cb-short", []string{"email.clicked"}, 30*time.Minute)
	gen := ok(s.CreateCallback(ctx, bu, store.Callback{Kind: store.CallbackApproval, Token: "T", Execution: "e", Contact: "c-2", Journey: "j", Step: "s", ExpiresAt: start.Add(time.Hour)}))(t)
	if gen.ID == "" || gen.Token != "" {
		t.Fatalf("generated callback %+v", gen)
	}
	_, err = s.CreateCallback(ctx, bu, store.Callback{ID: "cb-open", Kind: store.CallbackEvent, Token: "T2", Execution: "e", Contact: "c-1", Journey: "j", Step: "s", ExpiresAt: start.Add(time.Hour)})
	isErr(t, "same id twice", err, store.ErrExists)

	same(t, "waiting for a click", ok(s.WaitingCallbacks(ctx, bu, "c-1", "email.clicked"))(t), []store.Callback{opened, clicked, short})
	same(t, "waiting for an open", ok(s.WaitingCallbacks(ctx, bu, "c-1", "email.opened"))(t), []store.Callback{opened})
	same(t, "nothing waits for a bounce", ok(s.WaitingCallbacks(ctx, bu, "c-1", "email.bounced"))(t), []store.Callback(nil))

	got := ok(s.ClaimCallback(ctx, bu, "cb-open"))(t)
	wantClaim := want
	wantClaim.Token, wantClaim.ClaimedAt = "TOKEN-cb-open", start.Add(time.Second)
	same(t, "claimed", got, wantClaim)
	_, err = s.ClaimCallback(ctx, bu, "cb-open")
	isErr(t, "second claim", err, store.ErrConflict)
	same(t, "claimed ones stop waiting", ok(s.WaitingCallbacks(ctx, bu, "c-1", "email.clicked"))(t), []store.Callback{clicked, short})

	e.clock.Advance(30 * time.Minute)
	_, err = s.ClaimCallback(ctx, bu, "cb-short")
	isErr(t, "claim expired", err, store.ErrExpired)
	same(t, "expired ones stop waiting", ok(s.WaitingCallbacks(ctx, bu, "c-1", "email.clicked"))(t), []store.Callback{clicked})

	noErr(t, s.DeleteCallback(ctx, bu, "cb-click")) // the wait timed out
	_, err = s.ClaimCallback(ctx, bu, "cb-click")
	isErr(t, "claim deleted", err, store.ErrNotFound)
	same(t, "deleted ones stop waiting", ok(s.WaitingCallbacks(ctx, bu, "c-1", "email.clicked"))(t), []store.Callback(nil))
}

// testCallbackRelease gives back a claim whose token could not be
// delivered: the callback waits again and the next claim gets the token.
func testCallbackRelease(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	isErr(t, "release unknown", s.ReleaseCallback(ctx, bu, store.Callback{ID: "cb-none", Token: "T", ClaimedAt: start}), store.ErrNotFound)
	created := ok(s.CreateCallback(ctx, bu, store.Callback{ID: "cb-r", Kind: store.CallbackEvent, Token: "TOKEN-r", Execution: "exec-1",
		Contact: "c-1", Journey: "welcome", Step: "wait", Events: []string{"email.clicked"}, ExpiresAt: start.Add(time.Hour)}))(t)
	e.clock.Advance(time.Second)
	first := ok(s.ClaimCallback(ctx, bu, "cb-r"))(t)
	same(t, "claimed ones stop waiting", ok(s.WaitingCallbacks(ctx, bu, "c-1", "email.clicked"))(t), []store.Callback(nil))
	noTok := first
	noTok.Token = ""
	isErr(t, "release without the token", s.ReleaseCallback(ctx, bu, noTok), store.ErrInvalid)

	noErr(t, s.ReleaseCallback(ctx, bu, first))
	same(t, "released ones wait again", ok(s.WaitingCallbacks(ctx, bu, "c-1", "email.clicked"))(t), []store.Callback{created})
	noErr(t, s.ReleaseCallback(ctx, bu, first)) // a retried release
	same(t, "a second release changes nothing", ok(s.WaitingCallbacks(ctx, bu, "c-1", "email.clicked"))(t), []store.Callback{created})

	e.clock.Advance(time.Second)
	second := ok(s.ClaimCallback(ctx, bu, "cb-r"))(t)
	want := created
	want.Token, want.ClaimedAt = "TOKEN-r", start.Add(2*time.Second)
	same(t, "claimed again, token and all", second, want)
	isErr(t, "release of an older claim", s.ReleaseCallback(ctx, bu, first), store.ErrConflict)
	_, err := s.ClaimCallback(ctx, bu, "cb-r")
	isErr(t, "the newer claim holds", err, store.ErrConflict)

	e.clock.Advance(time.Hour)
	isErr(t, "release past expiry", s.ReleaseCallback(ctx, bu, second), store.ErrExpired)
	same(t, "expired ones stay gone", ok(s.WaitingCallbacks(ctx, bu, "c-1", "email.clicked"))(t), []store.Callback(nil))
	e.clock.Advance(store.CallbackGrace)
	isErr(t, "release past the grace period", s.ReleaseCallback(ctx, bu, second), store.ErrNotFound)
}

func testIdempotency(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	first := ok(s.BeginIdempotency(ctx, bu, "send:exec-1:step-1", time.Minute))(t)
	if first.State != store.IdempotencyNew || first.Token == "" || first.TakenOver || !first.LeaseUntil.Equal(start.Add(time.Minute)) {
		t.Fatalf("first begin %+v", first)
	}
	again := ok(s.BeginIdempotency(ctx, bu, "send:exec-1:step-1", time.Minute))(t)
	if again.State != store.IdempotencyInProgress || again.Token != "" {
		t.Fatalf("begin while held %+v", again)
	}
	isErr(t, "complete with a wrong token", s.CompleteIdempotency(ctx, bu, "send:exec-1:step-1", "t-wrong", []byte("x"), time.Hour), store.ErrConflict)
	isErr(t, "release with a wrong token", s.ReleaseIdempotency(ctx, bu, "send:exec-1:step-1", "t-wrong"), store.ErrConflict)
	isErr(t, "complete an unknown key", s.CompleteIdempotency(ctx, bu, "nope", first.Token, nil, time.Hour), store.ErrConflict)
	noErr(t, s.CompleteIdempotency(ctx, bu, "send:exec-1:step-1", first.Token, []byte(`{"status":"sent"}`), time.Hour))
	done := ok(s.BeginIdempotency(ctx, bu, "send:exec-1:step-1", time.Minute))(t)
	same(t, "completed", done, store.Idempotency{Key: "send:exec-1:step-1", State: store.IdempotencyCompleted, Result: []byte(`{"status":"sent"}`), ExpiresAt: start.Add(time.Hour)})
	isErr(t, "complete twice", s.CompleteIdempotency(ctx, bu, "send:exec-1:step-1", first.Token, []byte("y"), time.Hour), store.ErrConflict)

	// Release lets the work be retried at once.
	r := ok(s.BeginIdempotency(ctx, bu, "k-release", time.Minute))(t)
	noErr(t, s.ReleaseIdempotency(ctx, bu, "k-release", r.Token))
	if r2 := ok(s.BeginIdempotency(ctx, bu, "k-release", time.Minute))(t); r2.State != store.IdempotencyNew || r2.TakenOver {
		t.Fatalf("begin after release %+v", r2)
	}

	// A completed record is forgotten after its keep time.
	e.clock.Advance(time.Hour)
	if r3 := ok(s.BeginIdempotency(ctx, bu, "send:exec-1:step-1", time.Minute))(t); r3.State != store.IdempotencyNew {
		t.Fatalf("begin after the record expired %+v", r3)
	}
}

func testIdempotencyTakeOver(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	a := ok(s.BeginIdempotency(ctx, bu, "k", 30*time.Second))(t)
	e.clock.Advance(29 * time.Second)
	if b := ok(s.BeginIdempotency(ctx, bu, "k", 30*time.Second))(t); b.State != store.IdempotencyInProgress {
		t.Fatalf("lease still held, got %+v", b)
	}
	e.clock.Advance(time.Second)
	b := ok(s.BeginIdempotency(ctx, bu, "k", 30*time.Second))(t)
	if b.State != store.IdempotencyNew || !b.TakenOver || b.Token == a.Token {
		t.Fatalf("take over %+v", b)
	}
	isErr(t, "the old holder completes", s.CompleteIdempotency(ctx, bu, "k", a.Token, []byte("old"), time.Hour), store.ErrConflict)
	noErr(t, s.CompleteIdempotency(ctx, bu, "k", b.Token, []byte("new"), time.Hour))
	if c := ok(s.BeginIdempotency(ctx, bu, "k", time.Minute))(t); string(c.Result) != "new" {
		t.Fatalf("result %q", c.Result)
	}
	// A holder whose lease ran out cannot complete even if nobody took over.
	d := ok(s.BeginIdempotency(ctx, bu, "k2", time.Second))(t)
	e.clock.Advance(time.Second)
	isErr(t, "complete after the lease", s.CompleteIdempotency(ctx, bu, "k2", d.Token, nil, time.Hour), store.ErrConflict)
}
