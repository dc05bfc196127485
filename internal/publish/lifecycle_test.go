package publish_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
	"github.com/journeys-oss/journeys/internal/workflow/workflowtest"
)

// publishN publishes the welcome journey n times, each with another name,
// so every publication is a new state machine version.
func (f *fixture) publishN(t *testing.T, n int) []publish.Result {
	t.Helper()
	b := bundle(t, "welcome")
	var out []publish.Result
	for i := 1; i <= n; i++ {
		out = append(out, f.publish(t, edit(t, b, "name: Welcome series for LinkedIn leads", fmt.Sprintf("name: Welcome %d", i)), "alice"))
	}
	return out
}

func TestRollback(t *testing.T) {
	f := newFixture(t, publish.Config{})
	ctx := context.Background()
	rs := f.publishN(t, 3)
	res, err := f.pub.Rollback(ctx, bu, "welcome", 1, "carol")
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != publish.StatusRolledBack || res.Version != 1 || res.VersionArn != rs[0].VersionArn {
		t.Fatalf("rollback result %+v", res)
	}
	if got, _ := f.api.AliasTarget(ctx, rs[0].AliasArn); got != rs[0].VersionArn {
		t.Errorf("alias -> %s after rollback, want %s", got, rs[0].VersionArn)
	}
	if j, _ := f.st.GetJourney(ctx, bu, "welcome"); j.Current != 1 {
		t.Errorf("current %d after rollback", j.Current)
	}
	audit := f.audit(t)
	if last := audit[len(audit)-1]; last != "carol rollback welcome v1" {
		t.Errorf("last audit entry %q", last)
	}
	for _, tt := range []struct {
		name string
		to   int
		is   error
	}{
		{"to the current version", 1, publish.ErrInvalid},
		{"to a version never published", 9, store.ErrNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.pub.Rollback(ctx, bu, "welcome", tt.to, "carol"); !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
		})
	}
	t.Run("to a pruned version", func(t *testing.T) {
		if err := f.api.DeleteVersion(ctx, rs[1].VersionArn); err != nil {
			t.Fatal(err)
		}
		if _, err := f.pub.Rollback(ctx, bu, "welcome", 2, "carol"); !errors.Is(err, publish.ErrPruned) {
			t.Fatalf("err = %v, want ErrPruned", err)
		}
	})
}

// TestPrune publishes 15 versions keeping the newest 3: a version with a
// running execution or an active enrolment survives, a finished execution
// holds nothing, and the alias target survives a later prune. On the local
// runtime's Step Functions an execution ends by being stopped, and a
// version an alias points at cannot be deleted at all.
func TestPrune(t *testing.T) {
	for _, on := range apis {
		t.Run(on, func(t *testing.T) {
			f := newFixtureOn(t, publish.Config{Keep: 3}, on)
			ctx := context.Background()
			b := bundle(t, "welcome")
			n := 0
			next := func() publish.Result {
				n++
				return f.publish(t, edit(t, b, "name: Welcome series for LinkedIn leads", fmt.Sprintf("name: Welcome %d", n)), "alice")
			}
			next()
			v2 := next()
			running, err := f.wf.Start(ctx, v2.VersionArn, "running-on-v2", "{}")
			if err != nil {
				t.Fatal(err)
			}
			next()
			if got := next().Pruned; !cmp.Equal(got, []int{1}) {
				t.Errorf("publishing v4 pruned %v, want [1]", got)
			}
			// An enrolment on v4 whose execution has not started yet.
			if _, err := f.st.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "welcome", Contact: "c-4", Entry: "e", Version: 4}); err != nil {
				t.Fatal(err)
			}
			v5 := next()
			done, _ := f.wf.Start(ctx, v5.VersionArn, "done-on-v5", "{}")
			if err := f.end(ctx, done); err != nil {
				t.Fatal(err)
			}
			var last publish.Result
			for n < 15 {
				last = next()
			}
			if !cmp.Equal(last.Pruned, []int{12}) {
				t.Errorf("publishing v15 pruned %v, want [12]", last.Pruned)
			}
			if got := f.left(t, v2.MachineArn); !cmp.Equal(got, []int{15, 14, 13, 4, 2}) {
				t.Errorf("versions left %v", got)
			}
			// Roll back to 4, release what held 2 and 4, prune: 4 stays as the
			// alias target and current version, 2 goes.
			if _, err := f.pub.Rollback(ctx, bu, "welcome", 4, "carol"); err != nil {
				t.Fatal(err)
			}
			completed := store.EnrolmentCompleted
			if _, err := f.st.UpdateEnrolment(ctx, bu, "welcome", "c-4", "e", store.EnrolmentUpdate{Status: &completed}); err != nil {
				t.Fatal(err)
			}
			if err := f.end(ctx, running); err != nil {
				t.Fatal(err)
			}
			pruned, err := f.pub.Prune(ctx, bu, "welcome")
			if err != nil || !cmp.Equal(pruned, []int{2}) {
				t.Fatalf("prune = %v, %v; want [2]", pruned, err)
			}
			if got := f.left(t, v2.MachineArn); !cmp.Equal(got, []int{15, 14, 13, 4}) {
				t.Errorf("versions left %v", got)
			}
		})
	}
}

func (f *fixture) left(t *testing.T, machine string) []int {
	t.Helper()
	vs, err := f.wf.Versions(context.Background(), machine)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, v := range vs {
		out = append(out, v.Version)
	}
	return out
}

// TestApprovalInProcess: without the journey-publish machine, a publish
// approval holds the version until OnDecision approves it.
func TestApprovalInProcess(t *testing.T) {
	f := newFixture(t, publish.Config{})
	ctx := context.Background()
	b := bundle(t, "welcome")
	v1 := f.publish(t, b, "alice")
	pending, err := f.pub.Publish(ctx, publish.Request{BU: bu, Bundle: edit(t, b, "name: Welcome series for LinkedIn leads", "name: W2"), By: "bob", RequireApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	if pending.Status != publish.StatusPending || pending.Approval == "" || pending.Version != 2 {
		t.Fatalf("pending result %+v", pending)
	}
	f.now = f.now.Add(time.Minute)
	if got, _ := f.api.AliasTarget(ctx, v1.AliasArn); got != v1.VersionArn {
		t.Fatal("the alias moved before the approval")
	}
	if j, _ := f.st.GetJourney(ctx, bu, "welcome"); j.Current != 1 {
		t.Fatalf("current %d before the approval", j.Current)
	}
	a, err := f.st.DecideApproval(ctx, bu, pending.Approval, store.Decision{Approved: true, Responder: "dana"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != store.ApprovalPublish || a.Journey != "welcome" || a.Version != 2 {
		t.Fatalf("approval %+v", a)
	}
	if err := f.pub.OnDecision(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.api.AliasTarget(ctx, v1.AliasArn); got != pending.VersionArn {
		t.Errorf("alias -> %s after the approval, want %s", got, pending.VersionArn)
	}
	want := []string{"alice publish welcome v1", "bob request-approval welcome v2", "dana approve welcome v2", "bob publish welcome v2"}
	if diff := cmp.Diff(want, f.audit(t)); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}

	// A rejected one moves nothing.
	p3, err := f.pub.Publish(ctx, publish.Request{BU: bu, Bundle: edit(t, b, "name: Welcome series for LinkedIn leads", "name: W3"), By: "bob", RequireApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := f.st.DecideApproval(ctx, bu, p3.Approval, store.Decision{Approved: false, Responder: "dana"})
	if err := f.pub.OnDecision(ctx, r); err != nil {
		t.Fatal(err)
	}
	if j, _ := f.st.GetJourney(ctx, bu, "welcome"); j.Current != 2 {
		t.Errorf("current %d after a rejection", j.Current)
	}
	// Other kinds are not ours.
	if err := f.pub.OnDecision(ctx, store.Approval{Kind: store.ApprovalStep}); err != nil {
		t.Error(err)
	}
}

// TestApprovalThroughMachine: with the journey-publish machine, Publish
// starts it; its first task stores the token; the decision resumes it.
func TestApprovalThroughMachine(t *testing.T) {
	machine := workflowtest.Prefix + "journeys-publish"
	f := newFixture(t, publish.Config{PublishMachineArn: machine})
	ctx := context.Background()
	if _, err := f.api.Publish(ctx, workflow.Definition{Name: "journeys-publish", ASL: `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`, RoleArn: role}); err != nil {
		t.Fatal(err)
	}
	b := bundle(t, "welcome")
	res, err := f.pub.Publish(ctx, publish.Request{BU: bu, Bundle: b, By: "bob", RequireApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != publish.StatusPending || res.Execution == "" {
		t.Fatalf("result %+v", res)
	}
	var in publish.MachineInput
	if err := json.Unmarshal([]byte(f.api.Input(res.Execution)), &in); err != nil || in != (publish.MachineInput{V: 1, BU: bu, Journey: "welcome", Version: 1, By: "bob", RequireApproval: true, ApprovalSeconds: 7 * 24 * 3600}) {
		t.Fatalf("machine input %+v, %v", in, err)
	}
	if _, err := f.st.GetJourney(ctx, bu, "welcome"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the journey was activated before the approval: %v", err)
	}
	// The machine's first task.
	f.api.AwaitToken("token-1")
	out, err := f.pub.HandleTask(ctx, publish.TaskRequest{V: 1, Op: publish.OpRequestApproval, BU: bu, Journey: "welcome", Version: 1, By: "bob", Token: "token-1"})
	if err != nil || out.Approval == "" {
		t.Fatalf("request approval: %+v, %v", out, err)
	}
	a, err := f.st.DecideApproval(ctx, bu, out.Approval, store.Decision{Approved: true, Responder: "dana"})
	if err != nil {
		t.Fatal(err)
	}
	// Step Functions failing: the token is given back for the retry.
	failing := publish.DecisionRelay{Store: f.st, Tasks: failTasks{errors.New("ThrottlingException")}}
	if err := failing.OnDecision(ctx, a); err == nil {
		t.Fatal("a failed answer reported no error")
	}
	if err := f.pub.OnDecision(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := f.pub.OnDecision(ctx, a); err != nil { // a repeated hook is harmless
		t.Fatal(err)
	}
	resp := f.api.Responses()
	if len(resp) != 1 || !resp[0].Success || resp[0].Token != "token-1" {
		t.Fatalf("responses %+v", resp)
	}
	var ao wire.ApprovalOutput
	if err := json.Unmarshal([]byte(resp[0].Output), &ao); err != nil || ao.Approval != out.Approval {
		t.Fatalf("output %s", resp[0].Output)
	}
	// The failed answer, its retry and the repeat audited the decision once.
	log, err := f.st.ListAudit(ctx, bu, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	approvals := 0
	for _, e := range log.Items {
		if e.Action == publish.ActionApprove && e.Details["approval"] == out.Approval {
			approvals++
		}
	}
	if approvals != 1 {
		t.Errorf("the decision is audited %d times, want once: %+v", approvals, log.Items)
	}
	// The machine then activates.
	act, err := f.pub.HandleTask(ctx, publish.TaskRequest{V: 1, Op: publish.OpActivate, BU: bu, Journey: "welcome", Version: 1, By: "bob"})
	if err != nil || act.Status != publish.StatusPublished {
		t.Fatalf("activate: %+v, %v", act, err)
	}
	if j, _ := f.st.GetJourney(ctx, bu, "welcome"); j.Current != 1 {
		t.Fatalf("current %d", j.Current)
	}
}

// TestOneOffSegmentLaunch: a segment journey without a schedule is
// launched when published, under the one entry OnceLaunch; a scheduled
// one is not (the scheduler launches it).
func TestOneOffSegmentLaunch(t *testing.T) {
	f := newFixture(t, publish.Config{})
	b := bundle(t, "newsletter")
	f.publish(t, b, "alice")
	if len(f.launcher.calls) != 0 {
		t.Fatalf("a scheduled journey was launched: %v", f.launcher.calls)
	}
	once := f.publish(t, edit(t, b, "    schedule: cron(0 9 1 * ? *)\n", ""), "alice")
	if diff := cmp.Diff([]string{"northwind/newsletter/once/alice"}, f.launcher.calls); diff != "" {
		t.Errorf("launches (-want +got):\n%s", diff)
	}
	if once.Launch != "launch-newsletter-once" {
		t.Errorf("result launch %q", once.Launch)
	}
}

func TestHandleTaskRefuses(t *testing.T) {
	f := newFixture(t, publish.Config{})
	for name, r := range map[string]publish.TaskRequest{
		"no version":     {V: 1, Op: publish.OpActivate, BU: bu, Journey: "welcome"},
		"unknown op":     {V: 1, Op: "explode", BU: bu, Journey: "welcome", Version: 1},
		"future payload": {V: 2, Op: publish.OpActivate, BU: bu, Journey: "welcome", Version: 1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.pub.HandleTask(context.Background(), r)
			var named *wire.Error
			if !errors.As(err, &named) || named.Name != wire.ErrInvalidPayload {
				t.Fatalf("err = %v, want %s", err, wire.ErrInvalidPayload)
			}
		})
	}
}

// failTasks answers every task token with err.
type failTasks struct{ err error }

func (f failTasks) SendTaskSuccess(context.Context, string, string) error { return f.err }
func (f failTasks) SendTaskFailure(context.Context, string, string, string) error {
	return f.err
}
