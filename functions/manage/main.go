// Command manage is the Lambda function behind the management API:
// /manage/{bu}/... (AWS_IAM) and /api/... (API keys) (internal/manage).
// LEAD_QUEUE_URL names the SQS lead queue that backfilled LinkedIn leads
// join, as the linkedin-webhook function's notifications do.
package main

import (
	"os"

	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/publish"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		// Backfilled leads take the webhook's path (LEAD_QUEUE_URL).
		inbox, err := rt.LeadInbox()
		if err != nil {
			return nil, err
		}
		flow, err := rt.Approvals(nil)
		if err != nil {
			return nil, err
		}
		d, err := manage.NewDeployment(rt.Store, rt.Workflow, publish.FlowApprovals{Service: flow}, os.Getenv, rt.Logger)
		if err != nil {
			return nil, err
		}
		// Previews and test sends render in this function, as the render
		// function does, with the same handler.
		hs, err := rt.Handlers()
		if err != nil {
			return nil, err
		}
		h := manage.NewHandler(d.Service, manage.HandlerOptions{Identity: manage.IAMIdentity, Previews: hs, Leads: inbox, Logger: rt.Logger})
		return lambdamain.HTTP(h, rt.Logger), nil
	})
}
