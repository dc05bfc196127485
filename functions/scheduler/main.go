// Command scheduler runs every minute (an EventBridge rule): it launches
// the segment journeys whose schedules fired and stops what remains of
// stopped journeys (internal/launch, internal/manage).
package main

import (
	"context"
	"os"

	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/launch"
	"github.com/journeys-oss/journeys/internal/manage"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		d, err := manage.NewDeployment(rt.Store, rt.Workflow, nil, os.Getenv, rt.Logger)
		if err != nil {
			return nil, err
		}
		t := &launch.Ticker{Store: rt.Store, Catalog: rt.Catalog, Starter: d.Starter, Sweeper: d.Service,
			BusinessUnits: d.Launch.BusinessUnits, Logger: rt.Logger}
		return func(ctx context.Context) (launch.TickReport, error) { return t.Tick(ctx) }, nil
	})
}
