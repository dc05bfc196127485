// Command track-retry is the Lambda function the tracking retry queue
// feeds: for each open or click whose recording or resume failed in the
// track function, it records the interaction once and resumes the waits
// for it, reporting the failed jobs as partial batch failures
// (internal/tracking, internal/queue).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/tracking"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		r, err := tracking.NewRetrier(tracking.RetrierConfig{Store: rt.Store, Tasks: rt.Workflow, Logger: rt.Logger})
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			return queue.Batch(ctx, ev, r.Handle, rt.Logger), nil
		}, nil
	})
}
