package asl_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
)

const invokeMachine = `{
  "StartAt": "Send",
  "States": {
    "Send": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:send", "Payload": {"contact.$": "$.contact", "step": "welcome"}},
      "ResultSelector": {"sent.$": "$.Payload.sent"},
      "ResultPath": "$.result",
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
      "End": true
    },
    "Caught": {"Type": "Pass", "End": true}
  }
}`

func TestLambdaInvokeResult(t *testing.T) {
	fn := &recorder{reply: func(int, []byte) ([]byte, error) { return []byte(`{"sent":true,"extra":1}`), nil }}
	e, _ := testEngine(t, asl.WithInvoker(asl.Functions{"send": fn}))
	arn := start(t, e, mustLoad(t, invokeMachine), "c1", `{"contact":"c-81f2"}`)
	runUntil(t, e, t0)
	d := describe(t, e, arn)
	if d.Status != asl.StatusSucceeded {
		t.Fatalf("status %s %s %s", d.Status, d.Error, d.Cause)
	}
	if got, want := canon(t, d.Output), `{"contact":"c-81f2","result":{"sent":true}}`; got != want {
		t.Errorf("output %s, want %s", got, want)
	}
	if diff := cmp.Diff([]string{`{"contact":"c-81f2","step":"welcome"}`}, fn.calls); diff != "" {
		t.Errorf("payloads (-want +got):\n%s", diff)
	}
	h, _ := e.History(arn)
	var succeeded *asl.HistoryEvent
	for i := range h {
		if h[i].Type == asl.EventTaskSucceeded {
			succeeded = &h[i]
		}
	}
	if succeeded == nil {
		t.Fatalf("no TaskSucceeded in %v", eventTypes(t, e, arn))
	}
	out := []byte(succeeded.TaskSucceededEventDetails.Output)
	for _, field := range []string{"ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"} {
		if jsonField(t, out, field) == nil {
			t.Errorf("lambda:invoke result lacks %s: %s", field, out)
		}
	}
	want := []string{"ExecutionStarted", "TaskStateEntered Send", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited Send", "ExecutionSucceeded"}
	if diff := cmp.Diff(want, eventTypes(t, e, arn)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestLambdaErrorNaming(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantError string
		wantCause string
	}{
		{"errors.New", errBoom, "errorString", `{"errorMessage":"boom","errorType":"errorString"}`},
		{"fmt.Errorf %w", wrapped(errBoom), "wrapError", `{"errorMessage":"send welcome: boom","errorType":"wrapError"}`},
		{"InvokeResponse_Error", messages.InvokeResponse_Error{Type: "Journey.Deferred", Message: "2025-01-07T09:00:00Z"},
			"Journey.Deferred", `{"errorMessage":"2025-01-07T09:00:00Z","errorType":"Journey.Deferred"}`},
		{"wrapped InvokeResponse_Error stays wrapError as in aws-lambda-go", wrapped(messages.InvokeResponse_Error{Type: "Journey.Exited", Message: "x"}),
			"wrapError", ""},
		{"pointer type", &customError{"no consent"}, "customError", `{"errorMessage":"no consent","errorType":"customError"}`},
		{"html is escaped as encoding/json does", errors.New("<b>&"), "errorString", `{"errorMessage":"\u003cb\u003e\u0026","errorType":"errorString"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fn := asl.LambdaFunc(func(context.Context, []byte) ([]byte, error) { return nil, tc.err })
			e, _ := testEngine(t, asl.WithInvoker(asl.Functions{"send": fn}))
			arn := start(t, e, mustLoad(t, invokeMachine), "c1", `{"contact":"c-1"}`)
			runUntil(t, e, t0)
			d := describe(t, e, arn)
			if d.Status != asl.StatusSucceeded {
				t.Fatalf("status %s", d.Status)
			}
			gotError := jsonField(t, d.Output, "error", "Error")
			gotCause, _ := jsonField(t, d.Output, "error", "Cause").(string)
			if gotError != tc.wantError {
				t.Errorf("Error %v, want %s", gotError, tc.wantError)
			}
			if tc.wantCause != "" && gotCause != tc.wantCause {
				t.Errorf("Cause %s, want %s", gotCause, tc.wantCause)
			}
		})
	}
}

type customError struct{ msg string }

func (e *customError) Error() string { return e.msg }

func TestLambdaPanicIsAFunctionError(t *testing.T) {
	fn := asl.LambdaFunc(func(context.Context, []byte) ([]byte, error) { panic("kaboom") })
	_, err := asl.InvokeLambda(context.Background(), fn, []byte(`{}`))
	var fe *asl.FunctionError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v, want a FunctionError", err)
	}
	if fe.Type != "string" || !strings.Contains(string(fe.Payload), `"errorMessage":"kaboom"`) || !strings.Contains(string(fe.Payload), `"stackTrace"`) {
		t.Errorf("panic reported as %s %s", fe.Type, fe.Payload)
	}
}

func TestUnknownFunction(t *testing.T) {
	tests := []struct {
		name, resource, params string
		wantEvents             []string
	}{
		{"lambda:invoke", "arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName":"nope","Payload.$":"$"}`,
			[]string{"ExecutionStarted", "TaskStateEntered T", "TaskScheduled", "TaskStarted", "TaskFailed", "ExecutionFailed"}},
		{"direct ARN", "arn:aws:lambda:us-east-1:123456789012:function:nope", ``,
			[]string{"ExecutionStarted", "TaskStateEntered T", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed", "ExecutionFailed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := testEngine(t, asl.WithInvoker(asl.Functions{}))
			m := mustLoad(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"`+tc.resource+`"`+tc.params+`,"End":true}}}`)
			arn := start(t, e, m, "x", `{}`)
			runUntil(t, e, t0)
			d := describe(t, e, arn)
			if d.Status != asl.StatusFailed || d.Error != asl.ErrorLambdaResourceNotFound {
				t.Fatalf("got %s %s, want FAILED %s", d.Status, d.Error, asl.ErrorLambdaResourceNotFound)
			}
			if !strings.HasPrefix(d.Cause, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: ") {
				t.Errorf("cause %q", d.Cause)
			}
			if diff := cmp.Diff(tc.wantEvents, eventTypes(t, e, arn)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// The compiled "deferred" pattern: the task fails with Journey.Deferred
// whose message is when to try again; the machine parses the error
// document, waits until then and calls the task again.
func TestDeferredPattern(t *testing.T) {
	const def = `{
	  "StartAt": "Send",
	  "States": {
	    "Send": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
	      "Parameters": {"FunctionName": "send", "Payload": {"step": "welcome"}}, "ResultPath": null,
	      "Catch": [{"ErrorEquals": ["Journey.Deferred"], "ResultPath": "$.deferred", "Next": "ParseDeferral"}],
	      "End": true},
	    "ParseDeferral": {"Type": "Pass", "Parameters": {"doc.$": "States.StringToJson($.deferred.Cause)"}, "ResultPath": "$.deferred", "Next": "WaitDeferral"},
	    "WaitDeferral": {"Type": "Wait", "TimestampPath": "$.deferred.doc.errorMessage", "Next": "Send"}
	  }
	}`
	vc := asl.NewVirtualClock(t0)
	var calls []string
	send := asl.LambdaFunc(func(context.Context, []byte) ([]byte, error) {
		calls = append(calls, vc.Now().Format(time.RFC3339))
		if len(calls) == 1 {
			return nil, messages.InvokeResponse_Error{Type: "Journey.Deferred", Message: "2025-01-06T21:00:00Z"}
		}
		return []byte(`{"status":"sent"}`), nil
	})
	e := asl.NewEngine(asl.WithClock(vc), asl.WithSeed(1), asl.WithInvoker(asl.Functions{"send": send}))
	arn := start(t, e, mustLoad(t, def), "quiet-hours", `{"contact":"c-1"}`)
	runUntil(t, e, t0.Add(24*time.Hour))
	if diff := cmp.Diff([]string{"2025-01-06T09:00:00Z", "2025-01-06T21:00:00Z"}, calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	d := describe(t, e, arn)
	if d.Status != asl.StatusSucceeded || !d.StopDate.Equal(time.Date(2025, 1, 6, 21, 0, 0, 0, time.UTC)) {
		t.Errorf("got %s at %s", d.Status, d.StopDate)
	}
	doc := jsonField(t, d.Output, "deferred", "doc", "errorType")
	if doc != "Journey.Deferred" {
		t.Errorf("output %s", d.Output)
	}
}

// aws-lambda-go's typed handlers run in-process unchanged: lambda.NewHandler
// is a LambdaHandler, and its errors are named as on AWS.
func TestAWSLambdaGoHandlers(t *testing.T) {
	type in struct {
		Contact string `json:"contact"`
	}
	type out struct {
		Sent bool `json:"sent"`
	}
	send := lambda.NewHandler(func(_ context.Context, req in) (out, error) {
		if req.Contact == "" {
			return out{}, errors.New("no contact")
		}
		return out{Sent: true}, nil
	})
	tests := []struct {
		input, wantOutput string
	}{
		{`{"contact":"c-1"}`, `{"contact":"c-1","result":{"sent":true}}`},
		{`{"contact":""}`, `{"contact":"","error":{"Error":"errorString","Cause":"{\"errorMessage\":\"no contact\",\"errorType\":\"errorString\"}"}}`},
	}
	for _, tc := range tests {
		e, _ := testEngine(t, asl.WithInvoker(asl.Functions{"send": send}))
		arn := start(t, e, mustLoad(t, invokeMachine), "", tc.input)
		runUntil(t, e, t0)
		d := describe(t, e, arn)
		if canon(t, d.Output) != canon(t, []byte(tc.wantOutput)) {
			t.Errorf("input %s: output %s, want %s", tc.input, d.Output, tc.wantOutput)
		}
	}
}
