package local_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/workflow"
)

const role = "arn:aws:iam::123456789012:role/journeys-machines"

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func pass(state string) string {
	return fmt.Sprintf(`{"StartAt":%q,"States":{%q:{"Type":"Pass","End":true}}}`, state, state)
}

// waiting is a machine that waits a day, then for a task token
// (registered through the "register" function), then ends with the
// token's output.
const waiting = `{
  "StartAt": "Day",
  "States": {
    "Day": {"Type": "Wait", "Seconds": 86400, "Next": "Event"},
    "Event": {
      "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "${WaitRegisterFunctionArn}", "Payload": {"token.$": "$$.Task.Token", "contact.$": "$.contact"}},
      "TimeoutSeconds": 604800, "End": true
    }
  }
}`

// tokens is a wait-register function that keeps the tokens it is given,
// by contact.
type tokens struct {
	mu  sync.Mutex
	got map[string]string
}

func (k *tokens) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	var p struct{ Token, Contact string }
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.got == nil {
		k.got = map[string]string{}
	}
	k.got[p.Contact] = p.Token
	return []byte(`{}`), nil
}

func (k *tokens) of(contact string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.got[contact]
}

func newWorkflow(t *testing.T, kv store.KV, clock *asl.VirtualClock, reg *tokens) *local.Workflow {
	t.Helper()
	cfg := local.WorkflowConfig{Clock: clock, KV: kv, Seed: 7}
	if reg != nil {
		cfg.Invoker = asl.Functions{"wait-register": reg}
	}
	return local.NewWorkflow(cfg)
}

func openKV(t *testing.T, dir string) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(filepath.Join(dir, "store.db"), store.Config{}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWorkflowPublishAndAlias is the AWS test's shape: two versions
// published, the alias moved forward and back (a rollback), on both the
// in-memory and the stored Workflow.
func TestWorkflowPublishAndAlias(t *testing.T) {
	for name, kv := range map[string]func(*testing.T) store.KV{
		"memory": func(*testing.T) store.KV { return nil },
		"kv":     func(t *testing.T) store.KV { s := openKV(t, t.TempDir()); t.Cleanup(func() { s.Close() }); return s },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorkflow(t, kv(t), asl.NewVirtualClock(t0), nil)
			v1, err := w.Publish(ctx, workflow.Definition{Name: "journeys-nw_welcome", ASL: pass("A"), RoleArn: role, Description: "v1"})
			if err != nil {
				t.Fatal(err)
			}
			v2, err := w.Publish(ctx, workflow.Definition{Name: "journeys-nw_welcome", ASL: pass("B"), RoleArn: role, Description: "v2"})
			if err != nil {
				t.Fatal(err)
			}
			want := "arn:aws:states:us-east-1:123456789012:stateMachine:journeys-nw_welcome"
			if v1.MachineArn != want || v2.MachineArn != want || v1.Version != 1 || v2.Version != 2 || v2.VersionArn != want+":2" {
				t.Fatalf("published %+v then %+v, want versions 1 and 2 of %s", v1, v2, want)
			}
			same, err := w.Publish(ctx, workflow.Definition{Name: "journeys-nw_welcome", ASL: pass("B"), RoleArn: role})
			if err != nil || same != v2 {
				t.Fatalf("unchanged publish = %+v, %v; want the latest version %+v", same, err, v2)
			}
			alias, err := w.SetAlias(ctx, v1.MachineArn, "live", v2.VersionArn)
			if err != nil || alias != want+":live" {
				t.Fatalf("alias %q, %v", alias, err)
			}
			if got, err := w.AliasTarget(ctx, alias); err != nil || got != v2.VersionArn {
				t.Fatalf("alias -> %q, %v; want %q", got, err, v2.VersionArn)
			}
			if _, err := w.SetAlias(ctx, v1.MachineArn, "live", v1.VersionArn); err != nil {
				t.Fatal(err)
			}
			if got, err := w.AliasTarget(ctx, alias); err != nil || got != v1.VersionArn {
				t.Fatalf("after rollback alias -> %q, %v; want %q", got, err, v1.VersionArn)
			}
		})
	}
}

// TestWorkflowStartIdempotentByName: the same name and input is the same
// execution, across versions of the machine; another input or a finished
// execution is ErrExecutionExists.
func TestWorkflowStartIdempotentByName(t *testing.T) {
	ctx := context.Background()
	clock := asl.NewVirtualClock(t0)
	w := newWorkflow(t, nil, clock, &tokens{})
	v1, err := w.Publish(ctx, workflow.Definition{Name: "m", ASL: waiting, RoleArn: role})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := w.Publish(ctx, workflow.Definition{Name: "m", ASL: pass("B"), RoleArn: role})
	if err != nil {
		t.Fatal(err)
	}
	first, err := w.Start(ctx, v1.VersionArn, "welcome-c1-e1", `{"contact":"c1"}`)
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:states:us-east-1:123456789012:execution:m:welcome-c1-e1"; first != want {
		t.Fatalf("execution ARN %q, want %q", first, want)
	}
	again, err := w.Start(ctx, v1.VersionArn, "welcome-c1-e1", `{ "contact" : "c1" }`)
	if err != nil || again != first {
		t.Fatalf("repeat start = %q, %v; want %q", again, err, first)
	}
	for name, target := range map[string]string{"same version": v1.VersionArn, "other version": v2.VersionArn, "machine": v1.MachineArn} {
		if _, err := w.Start(ctx, target, "welcome-c1-e1", `{"contact":"other"}`); !errors.Is(err, workflow.ErrExecutionExists) {
			t.Errorf("%s: start with another input: err = %v, want ErrExecutionExists", name, err)
		}
	}
	info, err := w.Describe(ctx, first)
	if err != nil || info.Name != "welcome-c1-e1" || info.VersionArn != v1.VersionArn || info.Status != workflow.StatusRunning {
		t.Fatalf("describe = %+v, %v", info, err)
	}
	if _, err := w.Describe(ctx, first+"-missing"); !errors.Is(err, workflow.ErrNotFound) {
		t.Fatalf("describe missing: err = %v, want ErrNotFound", err)
	}
	if err := w.Stop(ctx, first, "Journey.Stopped", "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Start(ctx, v1.VersionArn, "welcome-c1-e1", `{"contact":"c1"}`); !errors.Is(err, workflow.ErrExecutionExists) {
		t.Fatalf("start of a stopped execution's name: err = %v, want ErrExecutionExists", err)
	}
	if info, _ := w.Describe(ctx, first); info.Status != workflow.StatusAborted || info.Error != "Journey.Stopped" {
		t.Fatalf("after stop: %+v", info)
	}
}

// TestWorkflowAliasStartAndVersions covers what moto cannot do: starting
// through an alias and a machine ARN, listing running executions per
// version, listing and deleting versions.
func TestWorkflowAliasStartAndVersions(t *testing.T) {
	ctx := context.Background()
	clock := asl.NewVirtualClock(t0)
	w := newWorkflow(t, nil, clock, &tokens{})
	v1, _ := w.Publish(ctx, workflow.Definition{Name: "m", ASL: waiting, RoleArn: role})
	v2, _ := w.Publish(ctx, workflow.Definition{Name: "m", ASL: waiting + " ", RoleArn: role})
	if v2.Version != 2 {
		t.Fatalf("second publish %+v", v2)
	}
	alias, _ := w.SetAlias(ctx, v1.MachineArn, "live", v1.VersionArn)
	viaAlias, err := w.Start(ctx, alias, "a", `{"contact":"c1"}`)
	if err != nil {
		t.Fatal(err)
	}
	viaMachine, err := w.Start(ctx, v1.MachineArn, "b", `{"contact":"c2"}`)
	if err != nil {
		t.Fatal(err)
	}
	for arn, want := range map[string]string{viaAlias: v1.VersionArn, viaMachine: v2.VersionArn} {
		if info, _ := w.Describe(ctx, arn); info.VersionArn != want {
			t.Errorf("%s runs %s, want %s", arn, info.VersionArn, want)
		}
	}
	names := func(xs []workflow.ExecutionInfo) []string {
		var out []string
		for _, x := range xs {
			out = append(out, x.Name)
		}
		return out
	}
	for target, want := range map[string][]string{v1.VersionArn: {"a"}, v2.VersionArn: {"b"}, v1.MachineArn: {"a", "b"}} {
		got, err := w.Running(ctx, target, 10)
		if err != nil || !cmp.Equal(names(got), want) {
			t.Errorf("running of %s = %v, %v; want %v", target, names(got), err, want)
		}
	}
	if got, _ := w.Running(ctx, v1.MachineArn, 1); len(got) != 1 {
		t.Errorf("running with limit 1: %d", len(got))
	}
	vs, err := w.Versions(ctx, v1.MachineArn)
	if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].Version != 1 || vs[0].Arn != v2.VersionArn {
		t.Fatalf("versions = %+v, %v; want 2 then 1", vs, err)
	}
	if err := w.DeleteVersion(ctx, v1.VersionArn); !errors.Is(err, local.ErrAliasTarget) {
		t.Fatalf("deleting the alias target: %v", err)
	}
	if err := w.DeleteVersion(ctx, v2.VersionArn); err != nil {
		t.Fatal(err)
	}
	if vs, _ := w.Versions(ctx, v1.MachineArn); len(vs) != 1 || vs[0].Version != 1 {
		t.Fatalf("versions after delete = %+v", vs)
	}
	if _, err := w.Start(ctx, v2.VersionArn, "c", `{}`); !errors.Is(err, workflow.ErrNotFound) {
		t.Fatalf("start of a deleted version: %v", err)
	}
	if err := w.DeleteVersion(ctx, v2.VersionArn); !errors.Is(err, workflow.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	// The execution already running on the deleted version carries on.
	if err := w.Engine().RunUntil(ctx, t0.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if info, _ := w.Describe(ctx, viaMachine); info.Status != workflow.StatusRunning {
		t.Fatalf("execution of the deleted version: %+v", info)
	}
	v3, _ := w.Publish(ctx, workflow.Definition{Name: "m", ASL: pass("C"), RoleArn: role})
	if v3.Version != 3 {
		t.Fatalf("version numbers are not reused: got %d, want 3", v3.Version)
	}
	if _, err := w.Start(ctx, v1.MachineArn+":nope", "d", `{}`); !errors.Is(err, workflow.ErrNotFound) {
		t.Fatalf("start through a missing alias: %v", err)
	}
}

// TestWorkflowTaskTokens: tokens resume the task once; a second answer,
// a made-up token and a timed-out one are ErrTaskGone.
func TestWorkflowTaskTokens(t *testing.T) {
	ctx := context.Background()
	clock := asl.NewVirtualClock(t0)
	reg := &tokens{}
	w := newWorkflow(t, nil, clock, reg)
	p, _ := w.Publish(ctx, workflow.Definition{Name: "m", ASL: waiting, RoleArn: role})
	ok, _ := w.Start(ctx, p.VersionArn, "ok", `{"contact":"c1"}`)
	failed, _ := w.Start(ctx, p.VersionArn, "failed", `{"contact":"c2"}`)
	late, _ := w.Start(ctx, p.VersionArn, "late", `{"contact":"c3"}`)
	if err := w.Engine().RunUntil(ctx, t0.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := w.SendTaskHeartbeat(ctx, reg.of("c1")); err != nil {
		t.Fatal(err)
	}
	if err := w.SendTaskSuccess(ctx, reg.of("c1"), `{"event":"email.opened"}`); err != nil {
		t.Fatal(err)
	}
	if err := w.SendTaskSuccess(ctx, reg.of("c1"), `{}`); !errors.Is(err, workflow.ErrTaskGone) {
		t.Fatalf("second answer: %v", err)
	}
	if err := w.SendTaskFailure(ctx, reg.of("c2"), "Approval.Rejected", "no"); err != nil {
		t.Fatal(err)
	}
	if err := w.SendTaskSuccess(ctx, "bm90IGEgdG9rZW4gYXQgYWxs", `{}`); !errors.Is(err, workflow.ErrTaskGone) {
		t.Fatalf("made-up token: %v", err)
	}
	if err := w.Engine().RunUntil(ctx, t0.Add(9*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := w.SendTaskSuccess(ctx, reg.of("c3"), `{}`); !errors.Is(err, workflow.ErrTaskGone) {
		t.Fatalf("timed-out token: %v", err)
	}
	got := map[string][2]string{}
	for _, arn := range []string{ok, failed, late} {
		info, _ := w.Describe(ctx, arn)
		got[info.Name] = [2]string{info.Status, info.Error + info.Output}
	}
	want := map[string][2]string{
		"ok":     {workflow.StatusSucceeded, `{"event":"email.opened"}`},
		"failed": {workflow.StatusFailed, "Approval.Rejected"},
		"late":   {workflow.StatusFailed, "States.Timeout"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("outcomes (-want +got):\n%s", d)
	}
}

// TestWorkflowRestore: machines, aliases and executions waiting on a
// timer and on a task token survive closing the store and opening it
// again in a new Workflow; both executions then finish.
func TestWorkflowRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	kv := openKV(t, dir)
	clock := asl.NewVirtualClock(t0)
	reg := &tokens{}
	w := newWorkflow(t, kv, clock, reg)
	p, err := w.Publish(ctx, workflow.Definition{Name: "m", ASL: waiting, RoleArn: role})
	if err != nil {
		t.Fatal(err)
	}
	alias, _ := w.SetAlias(ctx, p.MachineArn, "live", p.VersionArn)
	onToken, _ := w.Start(ctx, alias, "token", `{"contact":"c2"}`)
	if err := w.Engine().RunUntil(ctx, t0.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	onTimer, _ := w.Start(ctx, alias, "timer", `{"contact":"c1"}`) // its day ends at 49h
	if err := w.Engine().RunUntil(ctx, t0.Add(26*time.Hour)); err != nil {
		t.Fatal(err)
	}
	token := reg.of("c2")
	if token == "" || reg.of("c1") != "" {
		t.Fatalf("tokens before the restart: %v", reg.got)
	}
	kv.Close()

	kv = openKV(t, dir)
	defer kv.Close()
	reg2 := &tokens{}
	w = newWorkflow(t, kv, clock, reg2)
	n, err := w.Restore(ctx)
	if err != nil || n != 2 {
		t.Fatalf("restored %d, %v; want 2 running", n, err)
	}
	if got, err := w.AliasTarget(ctx, alias); err != nil || got != p.VersionArn {
		t.Fatalf("alias after restore: %q, %v", got, err)
	}
	if _, err := w.Start(ctx, alias, "timer", `{"contact":"other"}`); !errors.Is(err, workflow.ErrExecutionExists) {
		t.Fatalf("name of a restored execution: %v", err)
	}
	if err := w.SendTaskSuccess(ctx, token, `{"event":"email.opened"}`); err != nil {
		t.Fatalf("token from before the restart: %v", err)
	}
	if err := w.Engine().RunUntil(ctx, t0.Add(50*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := w.SendTaskSuccess(ctx, reg2.of("c1"), `{"event":"email.clicked"}`); err != nil {
		t.Fatalf("token after the restart: %v", err)
	}
	if err := w.Engine().RunUntil(ctx, t0.Add(51*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, arn := range []string{onTimer, onToken} {
		if info, _ := w.Describe(ctx, arn); info.Status != workflow.StatusSucceeded {
			t.Errorf("%s: %+v", arn, info)
		}
	}
	if vs, _ := w.Versions(ctx, p.MachineArn); len(vs) != 1 {
		t.Fatalf("versions after restore: %+v", vs)
	}
}

// TestWorkflowPublishChecks: bad names, a missing role, an invalid
// definition and an unknown placeholder are refused; known placeholders
// become local function ARNs.
func TestWorkflowPublishChecks(t *testing.T) {
	ctx := context.Background()
	w := newWorkflow(t, nil, asl.NewVirtualClock(t0), nil)
	for name, def := range map[string]workflow.Definition{
		"bad name":            {Name: "a b", ASL: pass("A"), RoleArn: role},
		"no role":             {Name: "m", ASL: pass("A")},
		"invalid definition":  {Name: "m", ASL: `{"StartAt":"X","States":{}}`, RoleArn: role},
		"unknown placeholder": {Name: "m", ASL: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"${NopeFunctionArn}","End":true}}}`, RoleArn: role},
	} {
		if _, err := w.Publish(ctx, def); err == nil {
			t.Errorf("%s: published", name)
		}
	}
	p, err := w.Publish(ctx, workflow.Definition{Name: "m", ASL: waiting, RoleArn: role})
	if err != nil {
		t.Fatal(err)
	}
	def, err := w.Definition(ctx, p.VersionArn)
	if err != nil {
		t.Fatal(err)
	}
	want := `"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:wait-register"`
	if !contains(def, want) {
		t.Fatalf("definition does not hold %s:\n%s", want, def)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
