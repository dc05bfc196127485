package asl_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
)

// tenStates is the 10-state chain of the interpreter benchmark: Pass,
// Choice, a Task with an in-process handler, and a Wait on the virtual
// clock.
const tenStates = `{
  "StartAt": "Init",
  "States": {
    "Init": {"Type": "Pass", "Parameters": {"contact.$": "$.contact", "n": 0, "tier.$": "$.tier"}, "Next": "Route"},
    "Route": {"Type": "Choice", "Choices": [{"Variable": "$.tier", "StringEquals": "gold", "Next": "Gold"}], "Default": "Send"},
    "Gold": {"Type": "Pass", "Result": true, "ResultPath": "$.gold", "Next": "Send"},
    "Send": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:send",
      "Parameters": {"contact.$": "$.contact", "step": "welcome"}, "ResultPath": "$.sent", "Next": "Pause"},
    "Pause": {"Type": "Wait", "Seconds": 86400, "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.sent.ok", "BooleanEquals": true, "Next": "Count"}], "Default": "Failed"},
    "Count": {"Type": "Pass", "Parameters": {"contact.$": "$.contact", "tier.$": "$.tier", "sent.$": "$.sent"}, "Next": "Again"},
    "Again": {"Type": "Choice", "Choices": [{"Variable": "$.tier", "IsPresent": true, "Next": "Done"}], "Default": "Failed"},
    "Done": {"Type": "Succeed"},
    "Failed": {"Type": "Fail", "Error": "Bench.Failed"}
  }
}`

func sendOK(context.Context, []byte) ([]byte, error) { return []byte(`{"ok":true}`), nil }

func BenchmarkTenStates(b *testing.B) {
	for _, history := range []bool{false, true} {
		b.Run(fmt.Sprintf("history=%v", history), func(b *testing.B) {
			m := mustLoad(b, tenStates)
			vc := asl.NewVirtualClock(t0)
			e := asl.NewEngine(asl.WithClock(vc), asl.WithSeed(1), asl.WithHistory(history),
				asl.WithInvoker(asl.Functions{"send": asl.LambdaFunc(sendOK)}))
			ctx := context.Background()
			input := []byte(`{"contact":"c-81f2","tier":"gold"}`)
			var transitions int64
			b.ReportAllocs()
			at := t0
			for b.Loop() {
				arn, err := e.Start(ctx, asl.StartRequest{Machine: m, Input: input})
				if err != nil {
					b.Fatal(err)
				}
				at = at.Add(25 * time.Hour)
				if err := e.RunUntil(ctx, at); err != nil {
					b.Fatal(err)
				}
				d, _ := e.Describe(arn)
				if d.Status != asl.StatusSucceeded {
					b.Fatalf("status %s %s", d.Status, d.Error)
				}
				transitions += d.Transitions
				if err := e.Forget(ctx, arn); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(transitions)/b.Elapsed().Seconds(), "transitions/s")
		})
	}
}

// journeyStates is a ~20-state journey like the compiler emits: lambda:invoke
// tasks with Retry and Catch, waits of days, a native Choice, a random split
// and a wait for an event answered later by SendTaskSuccess.
const journeyStates = `{
  "TimeoutSeconds": 31536000,
  "StartAt": "Enter",
  "States": {
    "Enter": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "evaluate", "Payload": {"v": 1, "op": "attrs", "contact.$": "$.contact", "execution.$": "$$.Execution.Id", "step": "enter"}},
      "ResultSelector": {"tier.$": "$.Payload.tier"}, "ResultPath": "$.attrs",
      "Retry": [{"ErrorEquals": ["Journey.Transient", "Lambda.ServiceException"], "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2, "MaxDelaySeconds": 300, "JitterStrategy": "FULL"}],
      "Catch": [{"ErrorEquals": ["Journey.Exited"], "ResultPath": "$.exit", "Next": "Finish"}, {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
      "Next": "Welcome"},
    "Welcome": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "send", "Payload": {"v": 1, "op": "send", "contact.$": "$.contact", "execution.$": "$$.Execution.Id", "step": "welcome"}},
      "ResultPath": null,
      "Retry": [{"ErrorEquals": ["Journey.Transient"], "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2, "MaxDelaySeconds": 300, "JitterStrategy": "FULL"}],
      "Catch": [{"ErrorEquals": ["Journey.Deferred"], "ResultPath": "$.deferred", "Next": "Deferred"}, {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
      "Next": "TwoDays"},
    "Deferred": {"Type": "Pass", "Parameters": {"doc.$": "States.StringToJson($.deferred.Cause)"}, "ResultPath": "$.deferred", "Next": "WaitDeferred"},
    "WaitDeferred": {"Type": "Wait", "TimestampPath": "$.deferred.doc.errorMessage", "Next": "Welcome"},
    "TwoDays": {"Type": "Wait", "Seconds": 172800, "Next": "Split"},
    "Split": {"Type": "Pass", "Parameters": {"h.$": "States.Hash(States.Format('{}:{}', $.contact, 'split'), 'SHA-256')"}, "ResultPath": "$.split", "Next": "Variant"},
    "Variant": {"Type": "Choice", "Choices": [{"Variable": "$.split.h", "StringLessThan": "80000000", "Next": "OfferA"}], "Default": "OfferB"},
    "OfferA": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "send", "Payload": {"v": 1, "op": "send", "contact.$": "$.contact", "step": "offer-a"}},
      "ResultPath": null, "Retry": [{"ErrorEquals": ["Journey.Transient"], "MaxAttempts": 3}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}], "Next": "WaitOpen"},
    "OfferB": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "send", "Payload": {"v": 1, "op": "send", "contact.$": "$.contact", "step": "offer-b"}},
      "ResultPath": null, "Retry": [{"ErrorEquals": ["Journey.Transient"], "MaxAttempts": 3}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}], "Next": "WaitOpen"},
    "WaitOpen": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "wait-register", "Payload": {"v": 1, "token.$": "$$.Task.Token", "contact.$": "$.contact", "event": "email.opened"}},
      "TimeoutSeconds": 604800, "ResultPath": "$.event",
      "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": null, "Next": "Reminder"}, {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
      "Next": "Refresh"},
    "Reminder": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "send", "Payload": {"v": 1, "op": "send", "contact.$": "$.contact", "step": "reminder"}},
      "ResultPath": null, "Next": "Refresh"},
    "Refresh": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "evaluate", "Payload": {"v": 1, "op": "attrs", "contact.$": "$.contact", "step": "refresh"}},
      "ResultSelector": {"tier.$": "$.Payload.tier"}, "ResultPath": "$.attrs", "Next": "IsGold"},
    "IsGold": {"Type": "Choice", "Choices": [{"And": [{"Variable": "$.attrs.tier", "IsPresent": true}, {"Variable": "$.attrs.tier", "StringEquals": "gold"}], "Next": "GoldPerk"}], "Default": "WeekWait"},
    "GoldPerk": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "send", "Payload": {"v": 1, "op": "send", "contact.$": "$.contact", "step": "gold-perk"}},
      "ResultPath": null, "Next": "WeekWait"},
    "WeekWait": {"Type": "Wait", "Seconds": 604800, "Next": "Survey"},
    "Survey": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "send", "Payload": {"v": 1, "op": "send", "contact.$": "$.contact", "step": "survey"}},
      "ResultPath": null, "Next": "Finish"},
    "Finish": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "finish", "Payload": {"v": 1, "op": "finish", "contact.$": "$.contact", "outcome": "completed"}},
      "ResultPath": null, "Next": "Done"},
    "Done": {"Type": "Succeed"},
    "Failed": {"Type": "Fail", "Error": "Journey.Failed"}
  }
}`

// journeyFunctions answer the journey's tasks; wait-register collects the
// tokens so the benchmark can answer half of them a day later.
type journeyFunctions struct {
	tokens []string
}

func (j *journeyFunctions) invoker() asl.Functions {
	return asl.Functions{
		"evaluate": asl.LambdaFunc(func(context.Context, []byte) ([]byte, error) { return []byte(`{"tier":"gold"}`), nil }),
		"send":     asl.LambdaFunc(func(context.Context, []byte) ([]byte, error) { return []byte(`{"status":"sent"}`), nil }),
		"finish":   asl.LambdaFunc(func(context.Context, []byte) ([]byte, error) { return []byte(`{}`), nil }),
		"wait-register": asl.LambdaFunc(func(_ context.Context, p []byte) ([]byte, error) {
			s := string(p)
			i := strings.Index(s, `"token":"`) + len(`"token":"`)
			j.tokens = append(j.tokens, s[i:i+strings.IndexByte(s[i:], '"')])
			return []byte(`{}`), nil
		}),
	}
}

// simulateJourney runs n contacts through journeyStates over 30 virtual
// days, answering every other wait-for-event a day after it started, and
// returns the transitions made and the peak heap seen.
func simulateJourney(tb testing.TB, n int) (transitions int64, peakHeap uint64) {
	m := mustLoad(tb, journeyStates)
	fns := &journeyFunctions{}
	vc := asl.NewVirtualClock(t0)
	e := asl.NewEngine(asl.WithClock(vc), asl.WithSeed(1), asl.WithHistory(false), asl.WithInvoker(fns.invoker()))
	ctx := context.Background()
	arns := make([]string, n)
	for i := range n {
		arn, err := e.Start(ctx, asl.StartRequest{Machine: m, Name: fmt.Sprintf("contact-%d", i),
			Input: []byte(fmt.Sprintf(`{"v":1,"bu":"acme","journey":"welcome","version":3,"contact":"c-%d","entry":"e-1"}`, i))})
		if err != nil {
			tb.Fatal(err)
		}
		arns[i] = arn
	}
	var ms runtime.MemStats
	sample := func() {
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > peakHeap {
			peakHeap = ms.HeapAlloc
		}
	}
	for day := 1; day <= 30; day++ {
		if err := e.RunUntil(ctx, t0.Add(time.Duration(day)*24*time.Hour)); err != nil {
			tb.Fatal(err)
		}
		if day == 3 {
			sample()
			// Half the contacts open the offer.
			for i, tok := range fns.tokens {
				if i%2 == 0 {
					if err := e.SendTaskSuccess(ctx, tok, []byte(`{"event":"email.opened"}`)); err != nil {
						tb.Fatal(err)
					}
				}
			}
		}
	}
	sample()
	for _, arn := range arns {
		d, _ := e.Describe(arn)
		if d.Status != asl.StatusSucceeded {
			tb.Fatalf("%s: %s %s %s", arn, d.Status, d.Error, d.Cause)
		}
		transitions += d.Transitions
	}
	return transitions, peakHeap
}

func BenchmarkJourneyEngine(b *testing.B) {
	const contacts = 10000
	b.ReportAllocs()
	var transitions int64
	var peak uint64
	for b.Loop() {
		tr, p := simulateJourney(b, contacts)
		transitions += tr
		peak = max(peak, p)
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(contacts*b.N)/secs, "executions/s")
	b.ReportMetric(float64(transitions)/secs, "transitions/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
