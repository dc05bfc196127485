// Command events is the Lambda function behind POST /events: custom events
// from a business unit's systems start journeys and resume waits
// (internal/intake).
package main

import (
	"time"

	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/lambdamain"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		h, err := intake.New(intake.Options{
			Store: rt.Store, Enroller: enrol.New(rt.Store, rt.Catalog, rt.Workflow, time.Now), Catalog: rt.Catalog,
			Tasks: rt.Workflow, Settings: intake.FromSettings(rt.Settings, rt.Secrets), Logger: rt.Logger,
		})
		if err != nil {
			return nil, err
		}
		return lambdamain.HTTP(h, rt.Logger), nil
	})
}
