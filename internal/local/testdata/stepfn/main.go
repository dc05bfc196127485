// Command stepfn is a task function of compiled journeys in miniature, for
// the invoker tests: it answers by contact id, as its in-process twin in
// invoke_test.go does, so both hosts can be compared.
package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/journeys-oss/journeys/internal/wire"
)

func handle(_ context.Context, req wire.StepRequest) (wire.StepResult, error) {
	switch req.Contact {
	case "quiet":
		return wire.StepResult{}, wire.LambdaError(fmt.Errorf("quiet hours: %w", wire.Deferred(time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC))))
	case "bug":
		return wire.StepResult{}, wire.LambdaError(errors.New("boom"))
	}
	return wire.StepResult{Status: "sent:" + req.Step}, nil
}

func main() { lambda.Start(handle) }
