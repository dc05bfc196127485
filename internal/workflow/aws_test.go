package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/journeys-oss/journeys/internal/testsvc"
	"github.com/journeys-oss/journeys/internal/workflow"
)

const role = "arn:aws:iam::123456789012:role/journeys-machines"

// motoPrefix is the machine ARN prefix of moto's default account.
const motoPrefix = "arn:aws:states:us-east-1:123456789012:stateMachine:"

func newAWS(t *testing.T, prefix string) *workflow.AWS {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the moto server")
	}
	return workflow.NewAWS(sfn.NewFromConfig(testsvc.AWSConfig(t)), prefix)
}

func pass(state string) string {
	return fmt.Sprintf(`{"StartAt":%q,"States":{%q:{"Type":"Pass","End":true}}}`, state, state)
}

// TestAWSPublishAndAlias publishes two versions through create and update
// with publish=true, then moves the alias forward and back (a rollback).
// Both ways of finding a machine are exercised: by ARN prefix (as the
// publish function runs) and by listing (as the CLI runs unconfigured).
func TestAWSPublishAndAlias(t *testing.T) {
	for name, prefix := range map[string]string{"by prefix": motoPrefix, "by listing": ""} {
		t.Run(name, func(t *testing.T) { testPublishAndAlias(t, newAWS(t, prefix)) })
	}
}

func testPublishAndAlias(t *testing.T, w *workflow.AWS) {
	ctx := context.Background()
	name := testsvc.UniqueName(t, "journeys")

	v1, err := w.Publish(ctx, workflow.Definition{Name: name, ASL: pass("A"), RoleArn: role, Description: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := w.Publish(ctx, workflow.Definition{Name: name, ASL: pass("B"), RoleArn: role, Description: "v2"})
	if err != nil {
		t.Fatal(err)
	}
	if v1.MachineArn != v2.MachineArn || v1.Version != 1 || v2.Version != 2 {
		t.Fatalf("published %+v then %+v, want versions 1 and 2 of one machine", v1, v2)
	}

	alias, err := w.SetAlias(ctx, v1.MachineArn, "live", v2.VersionArn)
	if err != nil {
		t.Fatal(err)
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
}

// TestAWSStartIdempotentByName: the same name and input is the same
// execution; the same name with another input is ErrExecutionExists.
func TestAWSStartIdempotentByName(t *testing.T) {
	ctx := context.Background()
	w := newAWS(t, motoPrefix)
	p, err := w.Publish(ctx, workflow.Definition{Name: testsvc.UniqueName(t, "journeys"), ASL: pass("A"), RoleArn: role})
	if err != nil {
		t.Fatal(err)
	}
	first, err := w.Start(ctx, p.MachineArn, "welcome-c1-e1", `{"contact":"c1"}`)
	if err != nil {
		t.Fatal(err)
	}
	again, err := w.Start(ctx, p.MachineArn, "welcome-c1-e1", `{"contact":"c1"}`)
	if err != nil || again != first {
		t.Fatalf("repeat start = %q, %v; want %q", again, err, first)
	}
	if _, err := w.Start(ctx, p.MachineArn, "welcome-c1-e1", `{"contact":"other"}`); !errors.Is(err, workflow.ErrExecutionExists) {
		t.Fatalf("start with another input: err = %v, want ErrExecutionExists", err)
	}
	info, err := w.Describe(ctx, first)
	if err != nil || info.Name != "welcome-c1-e1" {
		t.Fatalf("describe = %+v, %v", info, err)
	}
	if _, err := w.Describe(ctx, first+"-missing"); !errors.Is(err, workflow.ErrNotFound) {
		t.Fatalf("describe missing: err = %v, want ErrNotFound", err)
	}
}

func TestVersionNumber(t *testing.T) {
	for arn, want := range map[string]int{
		"arn:aws:states:us-east-1:1:stateMachine:j:3":  3,
		"arn:aws:states:us-east-1:1:stateMachine:j:12": 12,
	} {
		if got, err := workflow.VersionNumber(arn); err != nil || got != want {
			t.Errorf("VersionNumber(%q) = %d, %v; want %d", arn, got, err, want)
		}
	}
	for _, bad := range []string{"arn:aws:states:us-east-1:1:stateMachine:j", "arn:aws:states:us-east-1:1:stateMachine:j:live", ""} {
		if _, err := workflow.VersionNumber(bad); err == nil {
			t.Errorf("VersionNumber(%q) succeeded, want an error", bad)
		}
	}
}
