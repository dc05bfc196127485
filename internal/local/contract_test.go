package local_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/testsvc"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// TestContract runs the part of the API both implement against the moto
// server (through workflow.AWS) and the local Workflow, so the local one
// answers as Step Functions does where moto can tell.
func TestContract(t *testing.T) {
	apis := map[string]func(t *testing.T) workflow.API{
		"local": func(*testing.T) workflow.API {
			return local.NewWorkflow(local.WorkflowConfig{Clock: asl.NewVirtualClock(t0)})
		},
		"moto": func(t *testing.T) workflow.API {
			if testing.Short() {
				t.Skip("needs the moto server")
			}
			return workflow.NewAWS(sfn.NewFromConfig(testsvc.AWSConfig(t)), "arn:aws:states:us-east-1:123456789012:stateMachine:")
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
			wantArn := "arn:aws:states:us-east-1:123456789012:stateMachine:" + machine
			if v1.Version != 1 || v2.Version != 2 || v1.MachineArn != wantArn || v2.VersionArn != wantArn+":2" {
				t.Fatalf("published %+v, %+v", v1, v2)
			}
			alias, err := api.SetAlias(ctx, v1.MachineArn, "live", v2.VersionArn)
			if err != nil || alias != wantArn+":live" {
				t.Fatalf("alias %q, %v", alias, err)
			}
			if got, err := api.AliasTarget(ctx, alias); err != nil || got != v2.VersionArn {
				t.Fatalf("alias target %q, %v", got, err)
			}
			first, err := api.Start(ctx, v1.MachineArn, "c1-e1", `{"contact":"c1"}`)
			if err != nil {
				t.Fatal(err)
			}
			if want := "arn:aws:states:us-east-1:123456789012:execution:" + machine + ":c1-e1"; first != want {
				t.Fatalf("execution ARN %q, want %q", first, want)
			}
			if again, err := api.Start(ctx, v1.MachineArn, "c1-e1", `{"contact":"c1"}`); err != nil || again != first {
				t.Fatalf("repeat start %q, %v; want %q", again, err, first)
			}
			if _, err := api.Start(ctx, v1.MachineArn, "c1-e1", `{"contact":"c2"}`); !errors.Is(err, workflow.ErrExecutionExists) {
				t.Fatalf("start with other input: %v", err)
			}
			info, err := api.Describe(ctx, first)
			if err != nil || info.Name != "c1-e1" || info.Arn != first {
				t.Fatalf("describe: %+v, %v", info, err)
			}
			if err := api.Stop(ctx, first, "Journey.Stopped", "test"); err != nil {
				t.Fatal(err)
			}
			info, err = api.Describe(ctx, first)
			if err != nil || info.Status != workflow.StatusAborted {
				t.Fatalf("after stop: %+v, %v", info, err)
			}
			if _, err := api.Describe(ctx, first+"x"); !errors.Is(err, workflow.ErrNotFound) {
				t.Fatalf("describe missing: %v", err)
			}
		})
	}
}
