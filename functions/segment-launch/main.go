// Command segment-launch is the Lambda function behind the segment-launch
// state machine's tasks: plan, enrol one page of one scan segment, report
// (internal/launch).
package main

import (
	"context"
	"os"
	"time"

	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/launch"
	"github.com/journeys-oss/journeys/internal/wire"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		s, err := launch.SettingsFromEnv(os.Getenv)
		if err != nil {
			return nil, err
		}
		en := enrol.New(rt.Store, rt.Catalog, rt.Workflow, time.Now)
		l := launch.New(rt.Store, rt.Catalog, en, s.Config, launch.Options{Logger: rt.Logger})
		return func(ctx context.Context, r launch.Request) (any, error) {
			out, err := l.Handle(ctx, r)
			return out, wire.LambdaError(err)
		}, nil
	})
}
