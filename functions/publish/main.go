// Command publish is the Lambda function behind the journey-publish state
// machine's tasks: asking for a publication's approval, activating an
// approved version, recording an expired one (internal/publish).
package main

import (
	"context"
	"os"

	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/wire"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		flow, err := rt.Approvals(nil)
		if err != nil {
			return nil, err
		}
		d, err := manage.NewDeployment(rt.Store, rt.Workflow, publish.FlowApprovals{Service: flow}, os.Getenv, rt.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, r publish.TaskRequest) (publish.TaskResult, error) {
			res, err := d.Publisher.HandleTask(ctx, r)
			return res, wire.LambdaError(err)
		}, nil
	})
}
