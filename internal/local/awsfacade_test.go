package local_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/testsvc"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// TestAWSFacade answers a waiting task through the AWS SDK, as a built
// function does in the local runtime: workflow.AWS (the deployed
// implementation) against the facade over the local Workflow. DynamoDB
// calls pass through to moto.
func TestAWSFacade(t *testing.T) {
	ctx := context.Background()
	clock := asl.NewVirtualClock(t0)
	reg := &tokens{}
	w := newWorkflow(t, nil, clock, reg)
	p, err := w.Publish(ctx, workflow.Definition{Name: "m", ASL: waiting, RoleArn: role})
	if err != nil {
		t.Fatal(err)
	}
	arn, _ := w.Start(ctx, p.VersionArn, "c1", `{"contact":"c1"}`)
	if err := w.Engine().RunUntil(ctx, t0.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	upstream := "http://127.0.0.1:1"
	if !testing.Short() {
		upstream = testsvc.Moto(t)
	}
	u, _ := url.Parse(upstream)
	srv := httptest.NewServer(local.NewAWSFacade(w, u))
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(srv.URL)}
	api := workflow.NewAWS(sfn.NewFromConfig(cfg), "")

	if err := api.SendTaskHeartbeat(ctx, reg.of("c1")); err != nil {
		t.Fatal(err)
	}
	if err := api.SendTaskSuccess(ctx, reg.of("c1"), `{"event":"email.opened"}`); err != nil {
		t.Fatal(err)
	}
	if err := api.SendTaskSuccess(ctx, reg.of("c1"), `{}`); !errors.Is(err, workflow.ErrTaskGone) {
		t.Fatalf("second answer through the SDK: %v, want ErrTaskGone", err)
	}
	if err := w.Engine().RunUntil(ctx, t0.Add(26*time.Hour)); err != nil {
		t.Fatal(err)
	}
	info, err := api.Describe(ctx, arn)
	if err != nil || info.Status != workflow.StatusSucceeded || info.Output != `{"event":"email.opened"}` || info.VersionArn != p.VersionArn {
		t.Fatalf("describe through the SDK: %+v, %v", info, err)
	}
	if _, err := api.Describe(ctx, arn+"x"); !errors.Is(err, workflow.ErrNotFound) {
		t.Fatalf("describe a missing execution: %v", err)
	}
	if testing.Short() {
		return
	}
	if _, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("DynamoDB through the facade: %v", err)
	}
}
