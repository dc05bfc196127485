package compile_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/wire"
)

// TestWaitForRoutesBranches runs testdata/event-branches on the engine
// and resumes its wait as the resumers do (wire.EventOutput of the branch
// they matched): each branch of one event reaches its own step.
func TestWaitForRoutesBranches(t *testing.T) {
	res := compileFile(t, "testdata/event-branches.yaml", loadLib(t, "testdata"))
	m, err := asl.Load(res.Definition)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		output wire.EventOutput
		want   []string // the send steps, in order
	}{
		{"click on a", wire.EventOutput{Event: "email.clicked", Send: "send-a"}, []string{"send-a", "send-b", "after-a"}},
		{"click on b", wire.EventOutput{Event: "email.clicked", Send: "send-b"}, []string{"send-a", "send-b", "after-b"}},
		{"open of a, unambiguous", wire.EventOutput{Event: "email.opened", Send: "send-a"}, []string{"send-a", "send-b", "after-a"}},
		{"the demo form", wire.EventOutput{Event: "form.submitted", Form: "demo-request"}, []string{"send-a", "send-b", "after-demo"}},
		{"any other form", wire.EventOutput{Event: "form.submitted"}, []string{"send-a", "send-b", "after-form"}},
		{"naming no branch of an ambiguous event takes the timeout path", wire.EventOutput{Event: "email.clicked"}, []string{"send-a", "send-b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			var mu sync.Mutex
			var sent []string
			var token string
			step := func(payload []byte) wire.StepRequest {
				var r wire.StepRequest
				if err := json.Unmarshal(payload, &r); err != nil {
					t.Error(err)
				}
				return r
			}
			fns := asl.Functions{
				"${SendFunctionArn}": asl.LambdaFunc(func(_ context.Context, p []byte) ([]byte, error) {
					mu.Lock()
					sent = append(sent, step(p).Step)
					mu.Unlock()
					return []byte(`{"status":"sent"}`), nil
				}),
				"${WaitRegisterFunctionArn}": asl.LambdaFunc(func(_ context.Context, p []byte) ([]byte, error) {
					mu.Lock()
					token = step(p).Token
					mu.Unlock()
					return []byte(`{"status":"waiting"}`), nil
				}),
				"${FinishFunctionArn}": asl.LambdaFunc(func(context.Context, []byte) ([]byte, error) { return []byte(`{}`), nil }),
			}
			clock := asl.NewVirtualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
			e := asl.NewEngine(asl.WithClock(clock), asl.WithInvoker(fns))
			arn, err := e.Start(ctx, asl.StartRequest{Machine: m, Name: "c1",
				Input: []byte(`{"v":1,"bu":"acme","journey":"event-branches","version":1,"contact":"c1","entry":"e1"}`)})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.RunUntil(ctx, clock.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			out, _ := json.Marshal(tt.output)
			if err := e.SendTaskSuccess(ctx, token, out); err != nil {
				t.Fatal(err)
			}
			if err := e.RunUntil(ctx, clock.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if d, _ := e.Describe(arn); d.Status != asl.StatusSucceeded {
				t.Errorf("status %s, want SUCCEEDED", d.Status)
			}
			if diff := cmp.Diff(tt.want, sent); diff != "" {
				t.Errorf("sends (-want +got):\n%s", diff)
			}
		})
	}
}
