package local_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/testsvc"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// stepfn is the in-process twin of testdata/stepfn.
func stepfn(_ context.Context, req wire.StepRequest) (wire.StepResult, error) {
	switch req.Contact {
	case "quiet":
		return wire.StepResult{}, fmt.Errorf("quiet hours: %w", wire.Deferred(time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)))
	case "bug":
		return wire.StepResult{}, errors.New("boom")
	}
	return wire.StepResult{Status: "sent:" + req.Step}, nil
}

// sendMachine calls the send function and catches what compiled journeys
// catch: the named deferral, and anything else.
const sendMachine = `{
  "StartAt": "Send",
  "States": {
    "Send": {
      "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "${SendFunctionArn}", "Payload": {"v": 1, "op": "send", "contact.$": "$.contact", "step": "hello"}},
      "ResultSelector": {"status.$": "$.Payload.status"},
      "Catch": [
        {"ErrorEquals": ["Journey.Deferred"], "ResultPath": "$.deferred", "Next": "Deferred"},
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Bug"}
      ],
      "End": true
    },
    "Deferred": {"Type": "Pass", "Parameters": {"doc.$": "States.StringToJson($.deferred.Cause)"}, "End": true},
    "Bug": {"Type": "Pass", "Parameters": {"error.$": "$.error.Error"}, "End": true}
  }
}`

func runSends(t *testing.T, inv asl.TaskInvoker) map[string]string {
	t.Helper()
	ctx := context.Background()
	clock := asl.NewVirtualClock(t0)
	w := local.NewWorkflow(local.WorkflowConfig{Clock: clock, Invoker: inv})
	p, err := w.Publish(ctx, workflow.Definition{Name: "sends", ASL: sendMachine, RoleArn: role})
	if err != nil {
		t.Fatal(err)
	}
	arns := map[string]string{}
	for _, c := range []string{"ok", "quiet", "bug"} {
		if arns[c], err = w.Start(ctx, p.VersionArn, c, fmt.Sprintf(`{"contact":%q}`, c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Engine().RunUntil(ctx, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for c, arn := range arns {
		info, err := w.Describe(ctx, arn)
		if err != nil {
			t.Fatal(err)
		}
		out[c] = info.Status + " " + info.Output
	}
	return out
}

var wantSends = map[string]string{
	"ok":    `SUCCEEDED {"status":"sent:hello"}`,
	"quiet": `SUCCEEDED {"doc":{"errorMessage":"2026-03-03T08:00:00Z","errorType":"Journey.Deferred"}}`,
	"bug":   `SUCCEEDED {"error":"errorString"}`, // errors.New, named by its Go type
}

// TestInProcessInvoker: handler errors reach Catch under the names the
// Lambda runtime gives them: a wrapped wire.Error by its name with its
// message as the error document, any other error by its Go type.
func TestInProcessInvoker(t *testing.T) {
	got := runSends(t, asl.Functions{"send": local.StepFunc(stepfn)})
	if d := cmp.Diff(wantSends, got); d != "" {
		t.Fatalf("outcomes (-want +got):\n%s", d)
	}
}

// TestRIEInvoker runs the same machine with the function built as a
// bootstrap under the Lambda Runtime Interface Emulator: the outcomes are
// the in-process ones (errors.New arrives as errorString on both).
func TestRIEInvoker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the Lambda emulator")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "send", "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", out, "./testdata/stepfn")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build stepfn: %v\n%s", err, b)
	}
	inv, err := local.StartRIE(context.Background(), local.RIEConfig{
		RIE: testsvc.Tool(t, "bin/aws-lambda-rie"), BuildDir: dir, Functions: []string{"send"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inv.Close() })
	got := runSends(t, inv)
	if d := cmp.Diff(wantSends, got); d != "" {
		t.Fatalf("outcomes (-want +got):\n%s", d)
	}
	if _, err := local.StartRIE(context.Background(), local.RIEConfig{RIE: testsvc.Tool(t, "bin/aws-lambda-rie"), BuildDir: dir, Functions: []string{"nope"}}); err == nil {
		t.Fatal("started a function that was never built")
	}
}
