package workflowtest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/testsvc"
	"github.com/journeys-oss/journeys/internal/workflow"
	"github.com/journeys-oss/journeys/internal/workflow/workflowtest"
)

const role = "arn:aws:iam::123456789012:role/journeys-machines"

func pass(state string) string {
	return fmt.Sprintf(`{"StartAt":%q,"States":{%q:{"Type":"Pass","End":true}}}`, state, state)
}

func clock() func() time.Time {
	t := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

// TestContract runs the part of the API that moto implements against both
// moto (through the AWS implementation) and the memory API, so the test
// double cannot drift from the service on what both can do.
func TestContract(t *testing.T) {
	apis := map[string]func(t *testing.T) workflow.API{
		"memory": func(*testing.T) workflow.API { return workflowtest.New(clock()) },
		"moto": func(t *testing.T) workflow.API {
			if testing.Short() {
				t.Skip("needs the moto server")
			}
			return workflow.NewAWS(sfn.NewFromConfig(testsvc.AWSConfig(t)), workflowtest.Prefix)
		},
	}
	for name, open := range apis {
		t.Run(name, func(t *testing.T) {
			api := open(t)
			ctx := context.Background()
			machine := testsvc.UniqueName(t, "journeys")
			v1, err := api.Publish(ctx, workflow.Definition{Name: machine, ASL: pass("A"), RoleArn: role, Description: "v1"})
			if err != nil {
				t.Fatal(err)
			}
			v2, err := api.Publish(ctx, workflow.Definition{Name: machine, ASL: pass("B"), RoleArn: role, Description: "v2"})
			if err != nil {
				t.Fatal(err)
			}
			if v1.Version != 1 || v2.Version != 2 || v1.MachineArn != workflowtest.Prefix+machine {
				t.Fatalf("published %+v, %+v", v1, v2)
			}
			alias, err := api.SetAlias(ctx, v1.MachineArn, "live", v2.VersionArn)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := api.AliasTarget(ctx, alias); err != nil || got != v2.VersionArn {
				t.Fatalf("alias target %q, %v", got, err)
			}
			first, err := api.Start(ctx, v1.MachineArn, "c1-e1", `{"contact":"c1"}`)
			if err != nil {
				t.Fatal(err)
			}
			if again, err := api.Start(ctx, v1.MachineArn, "c1-e1", `{"contact":"c1"}`); err != nil || again != first {
				t.Fatalf("repeat start %q, %v; want %q", again, err, first)
			}
			if _, err := api.Start(ctx, v1.MachineArn, "c1-e1", `{"contact":"c2"}`); !errors.Is(err, workflow.ErrExecutionExists) {
				t.Fatalf("start with other input: %v", err)
			}
			if err := api.Stop(ctx, first, "Journey.Stopped", "test"); err != nil {
				t.Fatal(err)
			}
			info, err := api.Describe(ctx, first)
			if err != nil || info.Status != workflow.StatusAborted {
				t.Fatalf("after stop: %+v, %v", info, err)
			}
			if _, err := api.Describe(ctx, first+"x"); !errors.Is(err, workflow.ErrNotFound) {
				t.Fatalf("describe missing: %v", err)
			}
		})
	}
}

// TestMemoryVersions covers what moto does not implement: listing and
// deleting versions, starting through a version or an alias, and the
// idempotent publish of an unchanged definition.
func TestMemoryVersions(t *testing.T) {
	ctx := context.Background()
	m := workflowtest.New(clock())
	v1, _ := m.Publish(ctx, workflow.Definition{Name: "journeys-bu-j", ASL: pass("A"), RoleArn: role})
	same, _ := m.Publish(ctx, workflow.Definition{Name: "journeys-bu-j", ASL: pass("A"), RoleArn: role})
	if same != v1 {
		t.Fatalf("unchanged publish = %+v, want the latest version %+v", same, v1)
	}
	v2, _ := m.Publish(ctx, workflow.Definition{Name: "journeys-bu-j", ASL: pass("B"), RoleArn: role})
	alias, err := m.SetAlias(ctx, v1.MachineArn, "live", v1.VersionArn)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := m.Versions(ctx, v1.MachineArn)
	if err != nil {
		t.Fatal(err)
	}
	if got := []int{vs[0].Version, vs[1].Version}; !cmp.Equal(got, []int{2, 1}) {
		t.Fatalf("versions %v, want newest first", got)
	}
	if err := m.DeleteVersion(ctx, v1.VersionArn); err == nil {
		t.Fatal("deleted the alias target")
	}
	viaAlias, err := m.Start(ctx, alias, "x", "{}")
	if err != nil {
		t.Fatal(err)
	}
	viaVersion, err := m.Start(ctx, v2.VersionArn, "y", "{}")
	if err != nil {
		t.Fatal(err)
	}
	for arn, want := range map[string]string{viaAlias: v1.VersionArn, viaVersion: v2.VersionArn} {
		if info, _ := m.Describe(ctx, arn); info.VersionArn != want {
			t.Errorf("%s runs %s, want %s", arn, info.VersionArn, want)
		}
	}
	if run, _ := m.Running(ctx, v2.VersionArn, 10); len(run) != 1 || run[0].Arn != viaVersion {
		t.Errorf("running of v2: %+v", run)
	}
	if run, _ := m.Running(ctx, v1.MachineArn, 10); len(run) != 2 {
		t.Errorf("running of the machine: %+v", run)
	}
	if err := m.DeleteVersion(ctx, v2.VersionArn); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Start(ctx, v2.VersionArn, "z", "{}"); !errors.Is(err, workflow.ErrNotFound) {
		t.Fatalf("start of a deleted version: %v", err)
	}
	if got := m.Deleted(); !cmp.Equal(got, []string{v2.VersionArn}) {
		t.Fatalf("deleted %v", got)
	}
}

// TestMemoryStartFault: a fault fails that start only.
func TestMemoryStartFault(t *testing.T) {
	ctx := context.Background()
	m := workflowtest.New(clock())
	m.StartFault = func(n int) error {
		if n == 1 {
			return errors.Join(workflow.ErrThrottled, workflow.ErrExecutionLimit)
		}
		return nil
	}
	p, _ := m.Publish(ctx, workflow.Definition{Name: "journeys-bu-j", ASL: pass("A"), RoleArn: role})
	if _, err := m.Start(ctx, p.VersionArn, "a", "{}"); !errors.Is(err, workflow.ErrExecutionLimit) {
		t.Fatalf("first start: %v", err)
	}
	if _, err := m.Start(ctx, p.VersionArn, "a", "{}"); err != nil {
		t.Fatalf("second start: %v", err)
	}
	if m.Starts() != 2 || len(m.Executions()) != 1 {
		t.Fatalf("starts %d, executions %d", m.Starts(), len(m.Executions()))
	}
}
