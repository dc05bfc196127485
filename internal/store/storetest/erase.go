package storetest

import (
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// seedContact gives a contact one record of every kind that names it.
func seedContact(e *env, id, email, phone, first string) {
	t, s, ctx := e.t, e.s, e.ctx
	ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: id, Email: store.String(email), Phone: store.String(phone), FirstName: store.String(first)}))(t)
	for i, kind := range []store.InteractionKind{store.InteractionSent, store.InteractionOpened, store.InteractionClicked} {
		ok(s.AppendInteraction(ctx, bu, store.Interaction{Contact: id, Kind: kind, Channel: "email", At: start.Add(time.Duration(i) * time.Minute), Journey: "welcome", Version: 1, Step: "send-welcome", Message: "m-" + id}))(t)
	}
	ok(s.AppendStepLog(ctx, bu, store.StepLog{Contact: id, Journey: "welcome", Version: 1, Execution: "exec-" + id + "-1", Step: "send-welcome", At: start, Outcome: store.StepSent}))(t)
	ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "welcome", Contact: id, Entry: "e-1", Version: 1, Execution: "exec-" + id + "-1", Step: "send-welcome",
		Event: map[string]any{"joinUrl": "https://webinars.example/join?seat=" + first}}))(t)
	ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "nurture", Contact: id, Entry: "e-1", Version: 2, Execution: "exec-" + id + "-2", Status: store.EnrolmentCompleted}))(t)
	ok(s.CreateApproval(ctx, bu, store.Approval{ID: "ap-" + id, Kind: store.ApprovalStep, Journey: "welcome", Version: 1, Execution: "exec-" + id + "-1", Step: "approve", Contact: id, ExpiresAt: start.Add(time.Hour)}))(t)
	ok(s.CreateCallback(ctx, bu, store.Callback{ID: "cb-" + id, Kind: store.CallbackEvent, Token: "token-" + id, Execution: "exec-" + id + "-1", Contact: id, Journey: "welcome", Step: "wait-open", Events: []string{"email.opened"}, ExpiresAt: start.Add(time.Hour)}))(t)
	ok3(s.CreateSalesTask(ctx, bu, store.SalesTask{ID: "t-" + id, Contact: id, Owner: "rep-1", Journey: "welcome", Step: "call", Title: "Call " + first, Due: start.Add(24 * time.Hour)}))(t)
}

// ok3 is ok for methods with two results and an error.
func ok3[T, U any](v T, _ U, err error) func(t *testing.T) T {
	return ok(v, err)
}

func testErase(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	seedContact(e, "c-erase", "Erasmus@Example.com", "+44 7700 900123", "Erasmus")
	seedContact(e, "c-keep", "keep@example.com", "+44 7700 900999", "Keeper")
	_, err := s.Erase(ctx, bu, "c-nobody")
	isErr(t, "erase unknown contact", err, store.ErrNotFound)

	er := ok(s.Erase(ctx, bu, "c-erase"))(t)
	same(t, "executions to stop", er.Executions, []string{"exec-c-erase-1"})
	if er.Removed < 10 {
		t.Fatalf("removed %d records, want at least 10", er.Removed)
	}

	for name, err := range map[string]error{
		"profile":     second(s.GetContact(ctx, bu, "c-erase")),
		"by email":    second(s.FindContactByEmail(ctx, bu, "erasmus@example.com")),
		"enrolment":   second(s.GetEnrolment(ctx, bu, "welcome", "c-erase", "e-1")),
		"latest":      second(s.LatestEnrolment(ctx, bu, "welcome", "c-erase")),
		"approval":    second(s.GetApproval(ctx, bu, "ap-c-erase")),
		"callback":    second(s.ClaimCallback(ctx, bu, "cb-c-erase")),
		"sales task":  second(s.GetSalesTask(ctx, bu, "t-c-erase")),
		"erase again": second(s.Erase(ctx, bu, "c-erase")),
	} {
		isErr(t, "after erasure: "+name, err, store.ErrNotFound)
	}
	if p := ok(s.ListInteractions(ctx, bu, "c-erase", store.InteractionQuery{}))(t); len(p.Items) != 0 {
		t.Fatalf("interactions left: %+v", p.Items)
	}
	if n := ok(s.CountInteractions(ctx, bu, "c-erase", store.InteractionSent, "", time.Time{}))(t); n != 0 {
		t.Fatalf("interactions counted: %d", n)
	}
	for name, n := range map[string]int{
		"step logs":      len(ok(s.ListStepLogs(ctx, bu, "c-erase", ""))(t)),
		"enrolments":     len(ok(s.ContactEnrolments(ctx, bu, "c-erase"))(t)),
		"callbacks":      len(ok(s.WaitingCallbacks(ctx, bu, "c-erase", "email.opened"))(t)),
		"tasks":          len(ok(s.ListSalesTasksByContact(ctx, bu, "c-erase"))(t)),
		"owner's tasks":  len(ok(s.ListSalesTasksByOwner(ctx, bu, "rep-1", "", 0))(t).Items) - 1,
		"journey active": len(ok(s.ListEnrolments(ctx, bu, "welcome", store.EnrolmentActive, "", 0))(t).Items) - 1,
		"approvals":      len(ok(s.ListPendingApprovals(ctx, bu, "", 0))(t).Items) - 1,
	} {
		if n != 0 {
			t.Fatalf("after erasure, %d %s left", n, name)
		}
	}

	// Only hashed suppressions remain: the address may not come back.
	sup := ok(s.GetSuppression(ctx, bu, store.AddressEmail, "erasmus@example.com"))(t)
	if sup.Reason != store.SuppressedErased {
		t.Fatalf("suppression reason %q", sup.Reason)
	}
	ok(s.GetSuppression(ctx, bu, store.AddressPhone, "+447700900123"))(t)
	_, _, err = s.UpsertContactByEmail(ctx, bu, store.ContactPatch{Email: store.String("ERASMUS@example.com")})
	isErr(t, "re-import of an erased address", err, store.ErrSuppressed)

	if e.raw == nil {
		t.Fatalf("the adapter gives no raw view: erasure completeness cannot be checked")
	}
	items := e.raw(t)
	keptSeen := false
	for _, item := range items {
		keptSeen = keptSeen || containsFold(item, "c-keep")
		for _, trace := range []string{"c-erase", "erasmus", "7700900123", "token-c-erase"} {
			if containsFold(item, trace) {
				t.Fatalf("after erasure the store still holds %q in: %s", trace, item)
			}
		}
	}

	if !keptSeen {
		t.Fatalf("the raw view shows nothing of the other contact: it cannot prove erasure (%d items)", len(items))
	}

	// The other contact is untouched.
	if got := ok(s.GetContact(ctx, bu, "c-keep"))(t); got.FirstName != "Keeper" {
		t.Fatalf("other contact changed: %+v", got)
	}
	if p := ok(s.ListInteractions(ctx, bu, "c-keep", store.InteractionQuery{}))(t); len(p.Items) != 3 {
		t.Fatalf("other contact has %d interactions", len(p.Items))
	}
	ok(s.GetApproval(ctx, bu, "ap-c-keep"))(t)
	ok(s.GetSalesTask(ctx, bu, "t-c-keep"))(t)
	if cbs := ok(s.WaitingCallbacks(ctx, bu, "c-keep", "email.opened"))(t); len(cbs) != 1 {
		t.Fatalf("other contact's callbacks: %+v", cbs)
	}
}
