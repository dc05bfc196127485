// Command manage is the Lambda function behind the management API:
// /manage/{bu}/... (AWS_IAM) and /api/... (API keys) (internal/manage).
// LEAD_QUEUE_URL names the SQS lead queue that backfilled LinkedIn leads
// join, as the linkedin-webhook function's notifications do.
package main

import (
	"errors"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/queue"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		queueURL := os.Getenv("LEAD_QUEUE_URL")
		if queueURL == "" {
			return nil, errors.New("missing environment variables: LEAD_QUEUE_URL")
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
		// Backfilled leads take the webhook's path: the same routes from
		// the business units' settings, the same queue.
		configs, err := leads.LoadConfigs(rt.Config.SettingsDir, rt.Settings)
		if err != nil {
			return nil, err
		}
		routes, err := leads.NewRoutes(configs)
		if err != nil {
			return nil, err
		}
		inbox, err := leads.NewInbox(leads.InboxOptions{Store: rt.Store, Queue: queue.NewSQS(sqs.NewFromConfig(rt.AWS), queueURL),
			Routes: routes, Logger: rt.Logger})
		if err != nil {
			return nil, err
		}
		h := manage.NewHandler(d.Service, manage.HandlerOptions{Identity: manage.IAMIdentity, Previews: hs, Leads: inbox, Logger: rt.Logger})
		return lambdamain.HTTP(h, rt.Logger), nil
	})
}
