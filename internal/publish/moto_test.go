package publish_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/testsvc"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// motoStarts is the one adaptation moto needs: it cannot start an
// execution through a version ARN (it answers with an internal error), so
// starts go to the machine the version belongs to. Everything else is the
// AWS implementation talking to moto.
type motoStarts struct{ *workflow.AWS }

func (m motoStarts) Start(ctx context.Context, target, name, input string) (string, error) {
	if i := strings.LastIndexByte(target, ':'); i > 0 && !strings.HasSuffix(target[:i], ":stateMachine") {
		target = target[:i]
	}
	return m.AWS.Start(ctx, target, name, input)
}

// TestPublishOnMoto publishes through the aws-sdk-go-v2 Step Functions
// client against moto: the first publication creates the machine with
// publish=true, the next updates it with publish=true, the alias follows
// and a rollback moves it back; enrolling twice by the same entry starts
// one execution (the name is the guard). moto does not implement
// ListStateMachineVersions, so pruning fails there and is only logged: the
// publication still succeeds (pruning is tested on the memory API).
func TestPublishOnMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the moto server")
	}
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Millisecond); return now }
	st, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"), store.Config{Now: clock}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	client := sfn.NewFromConfig(testsvc.AWSConfig(t))
	api := workflow.NewAWS(client, "arn:aws:states:us-east-1:123456789012:stateMachine:")
	// A prefix unique to this run keeps repeated runs apart on one server,
	// shaped as a stack's: <stack>_ (template.yaml).
	prefix := testsvc.UniqueName(t, "j") + "_"
	pub, err := publish.New(st, motoStarts{api}, publish.Config{RoleArn: role, Functions: functions(), MachinePrefix: prefix}, clock,
		publish.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	b := bundle(t, "welcome")
	v1, err := pub.Publish(ctx, publish.Request{BU: bu, Bundle: b, By: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := pub.Publish(ctx, publish.Request{BU: bu, Bundle: edit(t, b, "name: Welcome series for LinkedIn leads", "name: W2"), By: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if v1.MachineArn != v2.MachineArn || !strings.HasSuffix(v1.VersionArn, ":1") || !strings.HasSuffix(v2.VersionArn, ":2") {
		t.Fatalf("publications %s, %s", v1.VersionArn, v2.VersionArn)
	}
	desc, err := client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(v2.MachineArn)})
	if err != nil || !strings.Contains(aws.ToString(desc.Definition), "W2") || strings.Contains(aws.ToString(desc.Definition), "${") {
		t.Fatalf("the machine does not hold the second definition: %v", err)
	}
	if got, err := api.AliasTarget(ctx, v2.AliasArn); err != nil || got != v2.VersionArn {
		t.Fatalf("alias -> %s, %v; want %s", got, err, v2.VersionArn)
	}
	if _, err := pub.Rollback(ctx, bu, "welcome", 1, "carol"); err != nil {
		t.Fatal(err)
	}
	if got, err := api.AliasTarget(ctx, v1.AliasArn); err != nil || got != v1.VersionArn {
		t.Fatalf("after rollback alias -> %s, %v; want %s", got, err, v1.VersionArn)
	}

	if _, err := st.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", Email: store.String("c1@example.com"),
		Channels: map[string]store.Consent{"email": {Status: store.ConsentGranted, At: now}}}); err != nil {
		t.Fatal(err)
	}
	en := enrol.New(st, catalog.New(st, nil), motoStarts{api}, clock)
	first, err := en.Enrol(ctx, enrol.Request{BU: bu, Journey: "welcome", Contact: "c-1", Entry: "lead-1"})
	if err != nil || first.Status != enrol.Enrolled || first.Version != 1 {
		t.Fatalf("enrol: %+v, %v", first, err)
	}
	// Forget the execution id, as if the process died after starting: the
	// repeat starts again under the same name, and Step Functions answers
	// with the same execution.
	empty := ""
	if _, err := st.UpdateEnrolment(ctx, bu, "welcome", "c-1", "lead-1", store.EnrolmentUpdate{Execution: &empty}); err != nil {
		t.Fatal(err)
	}
	again, err := en.Enrol(ctx, enrol.Request{BU: bu, Journey: "welcome", Contact: "c-1", Entry: "lead-1"})
	if err != nil || again.Status != enrol.Already || again.Execution != first.Execution {
		t.Fatalf("repeat: %+v, %v; want the execution %s", again, err, first.Execution)
	}
	list, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(v1.MachineArn)})
	if err != nil || len(list.Executions) != 1 {
		t.Fatalf("executions %d, %v; want 1", len(list.Executions), err)
	}
}
