// Command manage is the Lambda function behind the management API:
// /manage/{bu}/... (AWS_IAM) and /api/... (API keys) (internal/manage).
package main

import (
	"os"

	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/manage"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		d, err := manage.NewDeployment(rt.Store, rt.Workflow, os.Getenv, rt.Logger)
		if err != nil {
			return nil, err
		}
		h := manage.NewHandler(d.Service, manage.HandlerOptions{Identity: manage.IAMIdentity, Logger: rt.Logger})
		return lambdamain.HTTP(h, rt.Logger), nil
	})
}
