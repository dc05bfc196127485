package storetest

import (
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

func testSalesTasks(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	_, err := s.GetSalesTask(ctx, bu, "t-none")
	isErr(t, "missing task", err, store.ErrNotFound)
	_, _, err = s.CreateSalesTask(ctx, bu, store.SalesTask{ID: "t-x", Contact: "c-1"})
	isErr(t, "no owner", err, store.ErrInvalid)

	task := store.SalesTask{ID: "t-1", Contact: "c-1", Owner: "rep-1", Journey: "welcome", Step: "call", Title: "Call the lead", Due: start.Add(48 * time.Hour)}
	got, created, err := s.CreateSalesTask(ctx, bu, task)
	noErr(t, err)
	want := task
	want.BU, want.Status, want.CreatedAt, want.UpdatedAt = bu, store.SalesTaskOpen, start, start
	if !created {
		t.Fatal("first create not reported as created")
	}
	same(t, "created", got, want)
	e.clock.Advance(time.Minute)
	retry := task
	retry.Title = "a retried create must not overwrite"
	got, created, err = s.CreateSalesTask(ctx, bu, retry)
	noErr(t, err)
	if created {
		t.Fatal("retried create reported as created")
	}
	same(t, "idempotent create", got, want)

	for i := range 5 {
		ok3(s.CreateSalesTask(ctx, bu, store.SalesTask{ID: fmt.Sprintf("t-due-%d", i), Contact: "c-2", Owner: "rep-1", Title: "t", Due: start.Add(time.Duration(5-i) * time.Hour)}))(t)
	}
	ok3(s.CreateSalesTask(ctx, bu, store.SalesTask{ID: "t-rep2", Contact: "c-1", Owner: "rep-2", Title: "t", Due: start}))(t)
	var ids []string
	for _, tk := range collect(t, func(cur string) (store.Page[store.SalesTask], error) {
		return s.ListSalesTasksByOwner(ctx, bu, "rep-1", cur, 2)
	}) {
		ids = append(ids, tk.ID)
	}
	same(t, "owner's tasks by due time", ids, []string{"t-due-4", "t-due-3", "t-due-2", "t-due-1", "t-due-0", "t-1"})
	ids = nil
	for _, tk := range ok(s.ListSalesTasksByContact(ctx, bu, "c-1"))(t) {
		ids = append(ids, tk.ID)
	}
	same(t, "contact's tasks by due time", ids, []string{"t-rep2", "t-1"})

	e.clock.Advance(time.Minute)
	want.Status, want.UpdatedAt = store.SalesTaskDone, start.Add(2*time.Minute)
	same(t, "done", ok(s.SetSalesTaskStatus(ctx, bu, "t-1", store.SalesTaskDone))(t), want)
	same(t, "stored", ok(s.GetSalesTask(ctx, bu, "t-1"))(t), want)
	_, err = s.SetSalesTaskStatus(ctx, bu, "t-1", "lost")
	isErr(t, "unknown status", err, store.ErrInvalid)
	_, err = s.SetSalesTaskStatus(ctx, bu, "t-none", store.SalesTaskDone)
	isErr(t, "status of missing task", err, store.ErrNotFound)
}

func testAudit(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	_, err := s.AppendAudit(ctx, bu, store.AuditEntry{Actor: "u-1"})
	isErr(t, "no action", err, store.ErrInvalid)
	var want []store.AuditEntry
	for i := range 5 {
		en := ok(s.AppendAudit(ctx, bu, store.AuditEntry{Actor: "u-1", Action: "journey.publish", Target: fmt.Sprintf("welcome/v%d", i), Details: map[string]string{"n": fmt.Sprint(i)}}))(t)
		if en.ID == "" || !en.At.Equal(e.clock.Now()) || en.BU != bu {
			t.Fatalf("appended %+v", en)
		}
		want = append([]store.AuditEntry{en}, want...)
		e.clock.Advance(time.Second)
	}
	ok(s.AppendAudit(ctx, otherBU, store.AuditEntry{Actor: "u-9", Action: "contact.erase", Target: "x"}))(t)
	// A caller's own id and time record a thing once, however often it
	// is retried.
	once := store.AuditEntry{ID: "decision-ap-1", At: start.Add(time.Hour), Actor: "approver", Action: "journey.approve", Target: "welcome"}
	own := ok(s.AppendAudit(ctx, bu, once))(t)
	_, err = s.AppendAudit(ctx, bu, once)
	isErr(t, "the same own id and time again", err, store.ErrExists)
	want = append([]store.AuditEntry{own}, want...)
	same(t, "newest first, pages of 2", collect(t, func(cur string) (store.Page[store.AuditEntry], error) {
		return s.ListAudit(ctx, bu, cur, 2)
	}), want)
}

func testAPIKeys(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	_, err := s.GetAPIKey(ctx, "h-none")
	isErr(t, "missing key", err, store.ErrNotFound)
	k := store.APIKey{Hash: "h-1", BU: bu, Name: "crm-sync", Scopes: []string{"contacts:write", "events:write"}}
	noErr(t, s.PutAPIKey(ctx, k))
	isErr(t, "hash taken", s.PutAPIKey(ctx, store.APIKey{Hash: "h-1", BU: otherBU, Name: "x"}), store.ErrExists)
	noErr(t, s.PutAPIKey(ctx, store.APIKey{Hash: "h-2", BU: bu, Name: "analytics"}))
	noErr(t, s.PutAPIKey(ctx, store.APIKey{Hash: "h-3", BU: otherBU, Name: "theirs"}))
	k.CreatedAt = start
	same(t, "lookup by hash", ok(s.GetAPIKey(ctx, "h-1"))(t), k)
	same(t, "bu's keys by name", ok(s.ListAPIKeys(ctx, bu))(t), []store.APIKey{{Hash: "h-2", BU: bu, Name: "analytics", CreatedAt: start}, k})
	isErr(t, "delete another bu's key", s.DeleteAPIKey(ctx, bu, "h-3"), store.ErrNotFound)
	ok(s.GetAPIKey(ctx, "h-3"))(t)
	noErr(t, s.DeleteAPIKey(ctx, bu, "h-1"))
	_, err = s.GetAPIKey(ctx, "h-1")
	isErr(t, "deleted key", err, store.ErrNotFound)
	isErr(t, "delete twice", s.DeleteAPIKey(ctx, bu, "h-1"), store.ErrNotFound)
}
