package asl_test

import (
	"context"
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
)

// Run one execution to its end: a Task calling an in-process function, a
// Wait of three days that takes no time on the virtual clock, and a Choice.
func Example() {
	m, err := asl.Load([]byte(`{
	  "StartAt": "Greet",
	  "States": {
	    "Greet": {
	      "Type": "Task",
	      "Resource": "arn:aws:states:::lambda:invoke",
	      "Parameters": {"FunctionName": "greet", "Payload": {"name.$": "$.name"}},
	      "ResultSelector": {"text.$": "$.Payload.greeting"},
	      "ResultPath": "$.greeting",
	      "Next": "ThreeDays"
	    },
	    "ThreeDays": {"Type": "Wait", "Seconds": 259200, "Next": "VIP?"},
	    "VIP?": {
	      "Type": "Choice",
	      "Choices": [{"Variable": "$.tier", "StringEquals": "gold", "Next": "Gold"}],
	      "Default": "Done"
	    },
	    "Gold": {"Type": "Pass", "Result": true, "ResultPath": "$.perk", "Next": "Done"},
	    "Done": {"Type": "Succeed"}
	  }
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	greet := asl.LambdaFunc(func(_ context.Context, payload []byte) ([]byte, error) {
		return []byte(`{"greeting":"Hello!"}`), nil
	})
	start := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	out, err := asl.Run(context.Background(),
		asl.StartRequest{Machine: m, Input: []byte(`{"name":"Ann","tier":"gold"}`)},
		asl.WithClock(asl.NewVirtualClock(start)),
		asl.WithInvoker(asl.Functions{"greet": greet}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Status, string(out.Output))
	fmt.Println("took", out.Stop.Sub(out.Start), "of journey time")
	// Output:
	// SUCCEEDED {"name":"Ann","tier":"gold","greeting":{"text":"Hello!"},"perk":true}
	// took 72h0m0s of journey time
}

// An engine holds many executions; one waits for a task token until an
// event answers it.
func ExampleEngine_SendTaskSuccess() {
	ctx := context.Background()
	var token string
	register := asl.LambdaFunc(func(_ context.Context, payload []byte) ([]byte, error) {
		token = string(payload[len(`{"token":"`) : len(payload)-2])
		return []byte(`{}`), nil
	})
	clock := asl.NewVirtualClock(time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC))
	e := asl.NewEngine(asl.WithClock(clock), asl.WithInvoker(asl.Functions{"wait-register": register}))
	m, _ := asl.Load([]byte(`{"StartAt": "WaitForOpen", "States": {"WaitForOpen": {
	  "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
	  "Parameters": {"FunctionName": "wait-register", "Payload": {"token.$": "$$.Task.Token"}},
	  "TimeoutSeconds": 604800, "End": true}}}`))
	arn, _ := e.Start(ctx, asl.StartRequest{Machine: m, Name: "contact-1"})
	_ = e.RunUntil(ctx, clock.Now().Add(24*time.Hour))
	d, _ := e.Describe(arn)
	fmt.Println(d.Status)

	_ = e.SendTaskSuccess(ctx, token, []byte(`{"event":"email.opened"}`))
	_ = e.RunUntil(ctx, clock.Now())
	d, _ = e.Describe(arn)
	fmt.Println(d.Status, string(d.Output))
	// Output:
	// RUNNING
	// SUCCEEDED {"event":"email.opened"}
}
