package asl_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
)

// echoAll answers every task with its payload, except functions named
// "fail", which fail with a named error.
type echoAll struct{}

func (echoAll) Invoke(_ context.Context, req *asl.TaskRequest) ([]byte, error) {
	if asl.FunctionName(req.FunctionName) == "fail" {
		return nil, &asl.TaskFailure{Name: "Task.Failed", Cause: "as asked"}
	}
	return req.Payload, nil
}

// FuzzLoadRun loads random definitions and runs them on random inputs: no
// panic, no hang (transitions are capped), and only States.*, Lambda.*,
// task or Fail-state error names come out. The seed corpus in
// testdata/fuzz/FuzzLoadRun holds the conformance definitions and inputs.
func FuzzLoadRun(f *testing.F) {
	f.Add([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`), []byte(`{}`))
	f.Fuzz(func(t *testing.T, def, input []byte) {
		if len(def) > 1<<16 || len(input) > 1<<14 {
			return
		}
		m, err := asl.Load(def)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := asl.Run(ctx, asl.StartRequest{Machine: m, Input: input},
			asl.WithClock(asl.NewVirtualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))),
			asl.WithSeed(1), asl.WithMaxTransitions(2000), asl.WithInvoker(echoAll{}))
		if ctx.Err() != nil {
			t.Fatalf("execution did not end within 10s")
		}
		if err != nil {
			return // invalid input or name
		}
		if out.Status == asl.StatusFailed && !allowedError(out.Error, def, input) {
			t.Errorf("error name %q comes from nowhere (cause %q)", out.Error, out.Cause)
		}
	})
}

// allowedError says whether an error name could come out of def on input.
func allowedError(name string, def, input []byte) bool {
	switch {
	case strings.HasPrefix(name, "States."), strings.HasPrefix(name, "Lambda."), name == "Task.Failed":
		return true
	case bytes.Contains(def, []byte("ErrorPath")):
		return true // computed from the input or an intrinsic function
	}
	quoted := []byte(`"` + name + `"`)
	return bytes.Contains(def, quoted) || bytes.Contains(input, quoted) || name == ""
}
